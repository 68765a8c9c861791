//! A library of many reports (issue 15), made by `make-library`: read from
//! the cache, reports load only when opened, and a sample of the walk over
//! it renders as the same library parsed; several content folders read as
//! one; `rep:` narrows the finder and `yanbao search` to one report.

mod check;
mod common;

use check::Screen;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use yanbao::action::Action;
use yanbao::app::{App, Focus, Overlay};
use yanbao::cache::{self, Status};
use yanbao::content::Library;
use yanbao::keymap::Keymap;
use yanbao::search::{Index, Query};
use yanbao::theme::{ColorDepth, Theme};

/// `make-library content DIR copies` into a fresh temporary folder; `None`
/// when the tool is not there (outside the project's workspace).
fn make_library(name: &str, copies: usize) -> Option<PathBuf> {
    let tool = Path::new("../shared/tools/make-library");
    if !tool.exists() {
        eprintln!("skipped: {} not found", tool.display());
        return None;
    }
    let dir = std::env::temp_dir().join(format!("yanbao-library-{name}-{}", std::process::id()));
    let out = Command::new(tool).args(["content", dir.to_str()?, &copies.to_string()]).output().ok()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(dir)
}

fn yanbao(args: &[&str], xdg_cache: &Path, env_content: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yanbao"));
    c.args(args).env("XDG_CACHE_HOME", xdg_cache).env_remove("YANBAO_CONTENT");
    if let Some(v) = env_content {
        c.env("YANBAO_CONTENT", v);
    }
    c.output().expect("run yanbao")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn app(lib: Arc<Library>, index: impl yanbao::search::IntoLazy, w: u16, h: u16) -> App {
    App::new(lib, index, Arc::new(Keymap::defaults()), Theme::new(ColorDepth::Ansi16, false), (w, h))
}

#[test]
fn a_library_of_20_reports_loads_reports_when_opened_and_walks_as_parsed() {
    let Some(dir) = make_library("walk", 10) else { return };
    let cache_dir = dir.with_extension("cache");
    assert_eq!(cache::open(Some(&dir), Some(&cache_dir)).unwrap().status, Status::Built);
    let opened = cache::open(Some(&dir), Some(&cache_dir)).unwrap();
    assert_eq!(opened.status, Status::Hit);
    let lib = Arc::new(opened.lib);
    assert_eq!(lib.report_count(), 20);
    assert!((0..20).all(|i| !lib.is_loaded(i)), "nothing but the catalogue is read at start");
    let index = Arc::new(opened.index.expect("an index"));
    assert!(!index.is_ready(), "the index is read on first use");

    let (parsed, errors) = Library::load_from(Some(&dir)).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    let parsed = Arc::new(parsed);
    assert_eq!(parsed.nodes.len(), lib.nodes.len());

    let mut lazy = app(Arc::clone(&lib), Arc::clone(&index), 80, 24);
    let mut eager = app(Arc::clone(&parsed), Arc::new(Index::build(&parsed)), 80, 24);
    assert!(lib.is_loaded(0) && (1..20).all(|i| !lib.is_loaded(i)), "the first page loads its report alone");

    // A sample of the walk: every 97th node, at two sizes; each state is
    // checked, and renders as the same state of the parsed library.
    let mut shown = std::collections::BTreeSet::from([0]);
    for (w, h) in [(80, 24), (120, 40)] {
        lazy.update(Action::Resize(w, h));
        eager.update(Action::Resize(w, h));
        let mut screen = Screen::new(w, h);
        for n in (0..lib.nodes.len()).step_by(97) {
            shown.insert(lib.nodes[n].report);
            for a in [&mut lazy, &mut eager] {
                a.state.overlays.clear();
                a.state.focus = Focus::Nav;
                a.state.jump_to(n);
            }
            for step in [None, Some(Action::FocusNext), Some(Action::PageDown), Some(Action::Bottom)] {
                if let Some(a) = step {
                    lazy.update(a.clone());
                    eager.update(a);
                }
                screen.draw(&lazy, &|| format!("node {n} at {w}x{h}"));
                assert_eq!(
                    common::screen(&common::render(&lazy)),
                    common::screen(&common::render(&eager)),
                    "node {n} at {w}x{h}"
                );
            }
        }
    }
    let loaded: std::collections::BTreeSet<usize> = (0..20).filter(|&i| lib.is_loaded(i)).collect();
    assert_eq!(loaded, shown, "the reports shown were loaded, and no other");
    assert!(loaded.len() < 20);

    // The finder over the lazy index: `rep:` keeps to one report, by id or
    // by its title in pinyin; each result opens and renders.
    let mut screen = Screen::new(120, 40);
    lazy.update(Action::Resize(120, 40));
    for (q, report) in [("rep:x3-ccid 算力", Some("x3-ccid")), ("rep:x7-fs zgckj", Some("x7-fs")), ("zgckj", None)] {
        lazy.state.overlays.clear();
        lazy.update(Action::Search);
        lazy.update(Action::InsertText(q.into()));
        let hits = match lazy.state.overlays.last() {
            Some(Overlay::Search(s)) => s.hits.clone(),
            other => panic!("the finder is not on top: {other:?}"),
        };
        assert!(!hits.is_empty(), "{q}: results");
        if let Some(r) = report {
            for h in &hits {
                let node = index.units[h.unit].node().expect("a place");
                assert_eq!(lib.report_head_of(node).map(|x| x.id.as_str()), Some(r), "{q}");
            }
        }
        screen.draw(&lazy, &|| format!("finder {q}"));
        lazy.update(Action::Confirm);
        screen.draw(&lazy, &|| format!("finder {q}, first result opened"));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&cache_dir);
}

#[test]
fn rep_narrows_search_to_one_report() {
    let q = Query::parse("rep:fs tb:欧盟");
    assert_eq!(q.report.as_deref(), Some("fs"));
    assert_eq!(q.text, "欧盟");
    assert!(q.filter.is_some(), "a kind prefix after the report");
    let lib = common::library();
    let index = common::index();
    let report_of = |h: &yanbao::search::Hit| {
        let node = index.units[h.unit].node();
        node.and_then(|n| lib.report_head_of(n)).map(|r| r.id.clone()).unwrap_or_default()
    };
    // By id, by title (pinyin initials of 白皮书 are in the fs report's title).
    for (q, want) in [("rep:ccid 金融", "ccid"), ("rep:fs 金融", "fs"), ("rep:baipishu 金融", "fs")] {
        let hits = index.search(&Query::parse_for(q, &lib), 50);
        assert!(!hits.is_empty(), "{q}");
        assert!(hits.iter().all(|h| report_of(h) == want), "{q}");
    }
    // Without rep: both reports have hits; an unknown report has none.
    let all = index.search(&Query::parse_for("金融", &lib), 200);
    assert!(all.iter().any(|h| report_of(h) == "ccid") && all.iter().any(|h| report_of(h) == "fs"));
    assert!(index.search(&Query::parse_for("rep:nosuchreport 金融", &lib), 50).is_empty());
}

#[test]
fn several_content_folders_read_as_one_library() {
    let Some(copy) = make_library("several", 1) else { return };
    let xdg = copy.with_extension("xdg");
    let content = std::fs::canonicalize("content").unwrap();
    let (a, b) = (content.to_str().unwrap(), copy.to_str().unwrap());
    let out = yanbao(&["check", "--content", a, "--content", b], &xdg, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("reports            4"), "{}", text(&out.stdout));
    let args = ["--content", a, "--content", b, "search", "sec:白皮书", "--json", "--limit", "50"];
    let first = yanbao(&args, &xdg, None);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let hits = text(&first.stdout);
    assert!(hits.contains("\"report\":\"fs\"") && hits.contains("\"report\":\"x0-fs\""), "{hits}");
    // The second run reads the cache; YANBAO_CONTENT lists the folders too.
    let cached = yanbao(&args, &xdg, None);
    assert_eq!(text(&cached.stdout), hits);
    let env = yanbao(&["search", "sec:白皮书", "--json", "--limit", "50"], &xdg, Some(&format!("{a}:{b}")));
    assert_eq!(text(&env.stdout), hits);
    // rep: on the command line.
    let out = yanbao(&["--content", a, "--content", b, "search", "rep:x0-ccid 算力", "--json"], &xdg, None);
    let t = text(&out.stdout);
    assert!(!t.is_empty() && t.lines().all(|l| l.contains("\"report\":\"x0-ccid\"")), "{t}");
    // A problem in the second folder is named with its folder.
    let ch = copy.join("ccid0").join("report.yaml");
    let before = std::fs::read_to_string(&ch).unwrap();
    std::fs::write(&ch, format!("{before}\nbroken: [\n")).unwrap();
    let out = yanbao(&["check", "--content", a, "--content", b], &xdg, None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains(&format!("{b}/ccid0/report.yaml:")), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&copy);
    let _ = std::fs::remove_dir_all(&xdg);
}
