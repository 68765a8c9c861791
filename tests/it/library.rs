//! A library of many reports (issue 15), made by `common::make_library`: read from
//! the cache, reports load only when opened, and a sample of the walk over
//! it renders as the same library parsed; several content folders read as
//! one; `rep:` narrows the finder and `yanbao search` to one report.

use crate::common;

use crate::check::Screen;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use yanbao::action::Action;
use yanbao::app::{App, Focus, GROUP_REPORTS, Grouping, Overlay, Row, UNKNOWN_GROUP};
use yanbao::cache::{self, Status};
use yanbao::content::Library;
use yanbao::keymap::Keymap;
use yanbao::search::{Index, Query};
use yanbao::theme::{ColorDepth, Theme};

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
    let dir = common::make_library("walk", 10);
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

    // The tree's top level in each grouping (publisher, year, none), at two
    // sizes: every top row (a group, or a report when not grouped) opened,
    // closed, and the tree paged, each state checked and rendered as parsed.
    for (w, h) in [(80, 24), (120, 40)] {
        let mut screen = Screen::new(w, h);
        for grouping in [Grouping::Publisher, Grouping::Year, Grouping::None] {
            for a in [&mut lazy, &mut eager] {
                a.update(Action::Resize(w, h));
                a.state.overlays.clear();
                a.state.focus = Focus::Nav;
                a.state.set_grouping(grouping);
                a.state.nav.close_groups(&Arc::clone(&a.state.lib));
                a.update(Action::Top);
            }
            assert_eq!(lazy.state.nav.grouping(), grouping);
            let tops = lazy.state.nav.visible(&lib).len();
            let mut steps = vec![Action::Back];
            for _ in 0..tops {
                steps.extend([Action::Open, Action::Back, Action::Back, Action::MoveDown]);
            }
            steps.extend([Action::Top, Action::Open, Action::PageDown, Action::PageDown, Action::Bottom]);
            let mut seen = std::collections::HashSet::new();
            for a in steps {
                lazy.update(a.clone());
                eager.update(a.clone());
                lazy.state.focus = Focus::Nav;
                eager.state.focus = Focus::Nav;
                seen.insert(lazy.state.nav.selected);
                screen.draw(&lazy, &|| format!("{grouping:?} at {w}x{h}, {a:?}"));
                assert_eq!(
                    common::screen(&common::render(&lazy)),
                    common::screen(&common::render(&eager)),
                    "{grouping:?} at {w}x{h}, {a:?}"
                );
            }
            let groups = lazy.state.nav.groups().len();
            assert!((0..groups).all(|g| seen.contains(&Row::Group(g))), "{grouping:?}: every group row visited");
            assert_eq!(groups == 0, grouping == Grouping::None);
        }
    }

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
    let copy = common::make_library("several", 1);
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

// The tree of a large library: its reports grouped by publisher or year.

fn grouped_app(w: u16, h: u16) -> (App, Arc<Library>) {
    let lib = common::grouped_library();
    (app(Arc::clone(&lib), Arc::new(Index::build(&lib)), w, h), lib)
}

const FS: &str = "弗若斯特沙利文、头豹研究院";
const CCID: &str = "中国电子信息产业发展研究院 电子信息研究所";

/// The groups in force: (name, number of reports, open).
fn groups(app: &App) -> Vec<(String, usize, bool)> {
    let nav = &app.state.nav;
    nav.groups().iter().enumerate().map(|(i, g)| (g.name.clone(), g.reports.len(), nav.is_group_open(i))).collect()
}

fn row_of(app: &App, lib: &Library, row: Row) -> Option<usize> {
    app.state.nav.visible(lib).iter().position(|&r| r == row)
}

fn report_id(lib: &Library, n: usize) -> String {
    lib.report_head_of(n).map(|r| r.id.clone()).unwrap_or_default()
}

#[test]
fn a_large_library_groups_its_reports_by_publisher_only_the_read_ones_open() {
    let (app, lib) = grouped_app(120, 40);
    assert!(lib.report_count() > GROUP_REPORTS);
    assert_eq!(app.state.nav.grouping(), Grouping::Publisher);
    let want = [(FS.to_string(), 10, true), (CCID.to_string(), 9, false), (UNKNOWN_GROUP.to_string(), 1, false)];
    assert_eq!(groups(&app), want);
    // The top level: the groups; the first holds the report read (the
    // newest, expanded as before) and its other reports, newest first
    // (copy 3, dated 2024, last; equal dates in library order).
    let rows = app.state.nav.visible(&lib);
    assert_eq!(rows[0], Row::Group(0));
    assert_eq!(app.state.nav.selected, Row::Node(0));
    assert_eq!(app.state.reader.node, 0);
    let roots: Vec<usize> = (0..lib.nodes.len()).filter(|&n| lib.nodes[n].parent.is_none()).collect();
    let in_first: Vec<usize> =
        rows.iter().filter_map(|r| r.node()).filter(|&n| lib.nodes[n].parent.is_none()).collect();
    assert_eq!(in_first, app.state.nav.groups()[0].reports);
    let dated: Vec<(String, usize)> =
        in_first.iter().map(|&r| (lib.report_head_of(r).unwrap().date.clone(), r)).collect();
    let mut want_order = dated.clone();
    want_order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    assert_eq!(dated, want_order, "newest first");
    assert_eq!(report_id(&lib, *in_first.last().unwrap()), "x3-fs", "the 2024 copy last");
    assert!(roots.iter().filter(|r| in_first.contains(r) && **r != in_first[9]).eq(in_first[..9].iter()));
    assert!(in_first.iter().all(|&r| report_id(&lib, r).ends_with("-fs")));
    let tops: Vec<Row> = rows.iter().copied().filter(|r| matches!(r, Row::Group(_))).collect();
    assert_eq!(tops, [Row::Group(0), Row::Group(1), Row::Group(2)]);
    // Drawn with their counts and the grouping in the tree's title; the
    // reports one level in.
    let text = common::screen(&common::render(&app));
    assert!(text.contains("目录 · 按发布方"), "{text}");
    assert!(text.contains(&format!("▾ {FS} (10)")), "{text}");
    assert!(text.contains("│  ▾ AI赋能千行百业白皮书（第0辑） "), "{text}");
    assert!(text.contains("│▸ 中国电子信息产业发展研究院 … (9)│"), "the count stays when the name is cut: {text}");
}

#[test]
fn enter_opens_a_group_and_h_closes_it_or_climbs_to_it() {
    let (mut app, lib) = grouped_app(100, 30);
    let reading = app.state.reader.node;
    // h on the report read: it collapses, then climbs to its group, which h closes.
    common::keys(&mut app, "hh");
    assert_eq!(app.state.nav.selected, Row::Group(0));
    assert_eq!(app.state.reader.node, reading, "a group's row has no page: the reader stays");
    common::keys(&mut app, "h");
    assert_eq!(app.state.nav.visible(&lib), [Row::Group(0), Row::Group(1), Row::Group(2)]);
    // j to the second group; l opens it, its reports below it in order.
    common::keys(&mut app, "j");
    assert_eq!(app.state.nav.selected, Row::Group(1));
    common::key(&mut app, crossterm::event::KeyCode::Right, crossterm::event::KeyModifiers::NONE);
    let rows = app.state.nav.visible(&lib);
    let ccid = app.state.nav.groups()[1].reports.clone();
    assert_eq!(rows.len(), 3 + ccid.len());
    assert_eq!(rows[2..2 + ccid.len()], ccid.iter().map(|&n| Row::Node(n)).collect::<Vec<_>>());
    assert_eq!(app.state.focus, Focus::Nav);
    // l on the open group goes down to its first report, which shows; l
    // expands it, h collapses it, h climbs back to the group.
    common::keys(&mut app, "l");
    assert_eq!(app.state.nav.selected, Row::Node(ccid[0]));
    assert_eq!(app.state.reader.node, ccid[0]);
    common::keys(&mut app, "l");
    assert!(app.state.nav.is_expanded(ccid[0]));
    common::keys(&mut app, "hh");
    assert_eq!(app.state.nav.selected, Row::Group(1));
    common::key(&mut app, crossterm::event::KeyCode::Left, crossterm::event::KeyModifiers::NONE);
    assert!(!app.state.nav.is_group_open(1));
    // G and g g move over the group rows too.
    common::keys(&mut app, "G");
    assert_eq!(app.state.nav.selected, Row::Group(2));
    common::keys(&mut app, "gg");
    assert_eq!(app.state.nav.selected, Row::Group(0));
}

#[test]
fn o_cycles_the_grouping_publisher_year_none_and_says_so() {
    let (mut app, lib) = grouped_app(100, 30);
    common::keys(&mut app, "o");
    assert_eq!(app.state.nav.grouping(), Grouping::Year);
    assert_eq!(app.state.message.as_deref(), Some("目录按年份分组（o 切换）"));
    // Newest first, the undated last; the report read stays selected, its group open.
    let want =
        [("2025年".to_string(), 18, true), ("2024年".to_string(), 1, false), (UNKNOWN_GROUP.to_string(), 1, false)];
    assert_eq!(groups(&app), want);
    assert_eq!(report_id(&lib, app.state.nav.groups()[1].reports[0]), "x3-fs");
    assert_eq!(report_id(&lib, app.state.nav.groups()[2].reports[0]), "x5-ccid");
    assert_eq!(app.state.nav.selected, Row::Node(0));
    assert!(common::screen(&common::render(&app)).contains("目录 · 按年份"));
    // None: the reports one a row, as in the library before grouping.
    common::keys(&mut app, "o");
    assert_eq!(app.state.nav.grouping(), Grouping::None);
    assert!(app.state.nav.groups().is_empty());
    assert_eq!(app.state.message.as_deref(), Some("目录不分组（o 切换）"));
    let rows = app.state.nav.visible(&lib);
    assert!(rows.iter().all(|r| r.node().is_some()));
    let roots = rows.iter().filter(|r| r.node().is_some_and(|n| lib.nodes[n].parent.is_none())).count();
    assert_eq!(roots, 20);
    let text = common::screen(&common::render(&app));
    assert!(text.contains("┌ 目录 ─"), "{text}");
    // A group selected gives way to the new group of its first report.
    common::keys(&mut app, "o");
    assert_eq!(app.state.nav.grouping(), Grouping::Publisher);
    common::keys(&mut app, "hhhjj");
    assert_eq!(app.state.nav.selected, Row::Group(2), "the unpublished one");
    common::keys(&mut app, "o");
    assert_eq!(app.state.nav.selected, Row::Group(0), "x7-ccid is of 2025");
    // In the reader, o is not bound.
    app.state.focus = Focus::Reader;
    common::keys(&mut app, "o");
    assert_eq!(app.state.nav.grouping(), Grouping::Year);
}

#[test]
fn a_finder_result_a_mark_and_a_jump_back_reveal_their_closed_group() {
    let (mut app, lib) = grouped_app(100, 30);
    let visible = |app: &App| {
        let row = row_of(app, &lib, app.state.nav.selected).expect("the selected row is shown");
        let o = app.state.nav.offset;
        row >= o && row < o + app.state.nav_height()
    };
    // A mark in the first group.
    common::keys(&mut app, "jjl");
    let marked = app.state.reader.node;
    app.update(Action::MarkSet('a'));
    app.state.focus = Focus::Nav;
    // Every group closed, the finder opens a result of a ccid copy.
    app.state.nav.close_groups(&lib);
    common::keys(&mut app, "h");
    assert!(groups(&app).iter().all(|g| !g.2));
    app.update(Action::Search);
    app.update(Action::InsertText("rep:x4-ccid 算力".into()));
    app.update(Action::Confirm);
    let n = app.state.reader.node;
    assert_eq!(report_id(&lib, n), "x4-ccid");
    assert_eq!(app.state.nav.selected, Row::Node(n));
    assert!(app.state.nav.is_group_open(1) && visible(&app), "its group opened, the row in view");
    // Close it again: the mark reveals the first group's page, ctrl-o the result.
    app.state.focus = Focus::Nav;
    app.state.nav.close_groups(&lib);
    app.update(Action::Back);
    assert_eq!(groups(&app).iter().filter(|g| g.2).count(), 0);
    app.update(Action::MarkJump('a'));
    assert_eq!(app.state.nav.selected, Row::Node(marked));
    assert!(app.state.nav.is_group_open(0) && visible(&app));
    app.state.nav.close_groups(&lib);
    app.update(Action::JumpBack);
    assert_eq!(app.state.nav.selected, Row::Node(n));
    assert!(app.state.nav.is_group_open(1) && visible(&app));
    // `]` from an industry's section (3.1 of an fs copy) to the next's, its
    // group closed in between.
    let finance = lib.node_by_id("x2-fs-3-1").expect("x2-fs-3-1");
    app.state.jump_to(finance);
    app.state.nav.close_groups(&lib);
    assert_eq!(app.state.nav.selected, Row::Group(0));
    app.update(Action::NextIndustry);
    let m = app.state.nav.selected_node().expect("a section selected");
    assert!(m != finance && report_id(&lib, m) == "x2-fs", "{m}");
    assert!(app.state.nav.is_group_open(0) && visible(&app));
}

#[test]
fn clicks_select_and_open_a_group_row_drawn_where_the_renderer_put_it() {
    let (mut app, lib) = grouped_app(100, 30);
    let list = app.state.panes().nav_list().unwrap();
    // The row of the third group, as drawn.
    let row = row_of(&app, &lib, Row::Group(2)).unwrap();
    let y = list.y + (row - app.state.nav.offset) as u16;
    let text = common::screen(&common::render(&app));
    assert!(text.lines().nth(y as usize).unwrap().contains(&format!("▸ {UNKNOWN_GROUP} (1)")), "{text}");
    app.update(Action::Click(list.x + 2, y));
    assert_eq!(app.state.nav.selected, Row::Group(2));
    assert!(!app.state.nav.is_group_open(2));
    app.update(Action::Click(list.x + 2, y));
    assert!(app.state.nav.is_group_open(2), "a second click opens it, as Enter does");
    let inside = app.state.nav.groups()[2].reports[0];
    app.update(Action::Click(list.x + 2, y + 1));
    assert_eq!(app.state.nav.selected, Row::Node(inside));
    assert_eq!(app.state.reader.node, inside);
}

#[test]
fn the_grouping_is_kept_in_the_state_file_and_resume_opens_only_the_group_read() {
    let (mut app, _) = grouped_app(100, 30);
    assert_eq!(app.state.saved().grouping.as_deref(), Some("publisher"));
    // Read a ccid copy, grouped by year.
    let ccid = app.state.nav.groups()[1].reports[2];
    app.state.jump_to(ccid);
    common::keys(&mut app, "o");
    let saved = app.state.saved();
    assert_eq!(saved.grouping.as_deref(), Some("year"));
    let (mut b, _) = grouped_app(100, 30);
    b.state.restore(&saved, true);
    assert_eq!(b.state.nav.grouping(), Grouping::Year);
    assert_eq!(b.state.reader.node, ccid);
    assert_eq!(b.state.nav.selected, Row::Node(ccid));
    assert_eq!(groups(&b).iter().filter(|g| g.2).count(), 1, "{:?}", groups(&b));
    // An unknown name is ignored.
    let (mut c, _) = grouped_app(100, 30);
    c.state.restore(&yanbao::state::Saved { grouping: Some("colour".into()), ..saved }, false);
    assert_eq!(c.state.nav.grouping(), Grouping::Publisher);
}

#[test]
fn the_two_report_library_is_never_grouped() {
    let mut app = common::app(80, 24);
    let before = app.state.nav.visible(&common::library());
    let screen_before = common::screen(&common::render(&app));
    assert!(before.iter().all(|r| r.node().is_some()));
    common::keys(&mut app, "o");
    assert_eq!(app.state.message.as_deref(), Some(&*format!("报告不多于 {GROUP_REPORTS} 份，目录不分组")));
    assert_eq!(app.state.nav.visible(&common::library()), before);
    assert!(app.state.nav.groups().is_empty());
    app.update(Action::CloseOverlay);
    assert_eq!(common::screen(&common::render(&app)), screen_before);
    assert_eq!(app.state.saved().grouping, None, "nothing kept for a library too small to group");
}

#[test]
fn grouped_tree_snapshots() {
    let (mut app, _) = grouped_app(80, 24);
    // The first group closed, the second open, its second report selected.
    common::keys(&mut app, "hhhjljj");
    for (w, h) in [(80, 24), (120, 40)] {
        app.update(Action::Resize(w, h));
        let buf = common::render(&app);
        common::assert_rows_fit(&buf);
        insta::assert_snapshot!(format!("grouped_tree_{w}x{h}"), common::screen(&buf));
    }
}

// Every hit names its report (issue 21): rows, the preview, `yanbao
// search` and its JSON, industry pages; the filters pub:, year:, date:.

#[test]
fn finder_rows_and_the_preview_name_each_hits_report() {
    for (w, h) in [(120, 40), (80, 24)] {
        let (mut app, _lib) = grouped_app(w, h);
        app.update(Action::Search);
        app.update(Action::InsertText("中国金融大模型市场规模".into()));
        let text = common::screen(&common::render(&app));
        // Twenty copies of one chart: each row says which copy, with its
        // year (the name is cut, never the year).
        let rows: Vec<&str> = text.lines().filter(|l| l.contains("图表") && l.contains("辑）")).collect();
        assert!(rows.len() >= 3, "{w}x{h}: {text}");
        for row in &rows {
            let year = row.split("辑） ").nth(1).unwrap_or_default();
            assert!(
                year.get(..4).is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()))
                    && year.get(4..).is_some_and(|r| r.starts_with(" › ")),
                "{w}x{h}, a row without its report's year: {row}"
            );
        }
        // The fixture dates copy 3 in 2024: each row has its own report's year.
        for label in ["（第0辑） 2025 › ", "（第1辑） 2025 › ", "（第3辑） 2024 › "] {
            assert!(text.contains(label), "{w}x{h}, {label}: {text}");
        }
        if w >= 120 {
            // The preview's title: the full short name, the year and the place.
            assert!(text.contains("┌ AI赋能千…（第0辑） 2025 › "), "{text}");
        }
    }
}

#[test]
fn yanbao_search_names_the_report_in_lines_and_json() {
    let dir = common::make_library("names", 10);
    let xdg = dir.with_extension("xdg");
    let d = dir.to_str().unwrap();
    let out = yanbao(&["--content", d, "search", "中国金融大模型市场规模", "--limit", "50"], &xdg, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = text(&out.stdout);
    let locations: std::collections::BTreeSet<&str> = lines.lines().map(|l| l.split('\t').nth(1).unwrap()).collect();
    assert!(locations.len() >= 10, "the copies' lines differ by their report: {lines}");
    assert!(lines.contains("AI赋能千…（第3辑） 2025 › "), "{lines}");
    let out = yanbao(&["--content", d, "search", "中国金融大模型市场规模", "--json", "--limit", "50"], &xdg, None);
    for line in text(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let r = &v["report"];
        let id = r["id"].as_str().unwrap();
        let i: usize = id.trim_start_matches('x').split('-').next().unwrap().parse().unwrap();
        assert!(r["title"].as_str().unwrap().ends_with(&format!("（第{i}辑）")), "{line}");
        assert!(r["label"].as_str().unwrap().contains(&format!("（第{i}辑）")), "{line}");
        assert!(!r["publisher"].as_str().unwrap().is_empty() && !r["date"].as_str().unwrap().is_empty());
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&xdg);
}

#[test]
fn an_industry_page_groups_by_report_newest_first_and_collapses_copies() {
    use yanbao::doc::{LayoutOpts, Page, build_page};
    let lib = common::grouped_library();
    let fin = lib.industries.iter().position(|i| i.name == "金融").expect("金融");
    let opts =
        LayoutOpts { width: 100, ascii: false, compact_tables: false, table_bars: false, measure: 0, ambiwide: false };
    let doc = build_page(&lib, Page::Industry(fin), opts);
    // A heading's figure-list number (`图 2-17 `) is left out.
    let unnumbered = |l: String| match l.strip_prefix("图 ").or_else(|| l.strip_prefix("表 ")) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => {
            rest.split_once(' ').map(|x| x.1.to_string()).unwrap_or(l)
        }
        _ => l,
    };
    let lines: Vec<String> =
        doc.lines.iter().map(|l| unnumbered(l.segs.iter().map(|s| s.text.as_str()).collect())).collect();
    let all = lines.join("\n");
    // The chart the ten fs copies print is one entry, under the first
    // (newest) copy, naming the nine others; the 2024 copy is among them.
    let title = "中国金融大模型市场规模";
    assert_eq!(lines.iter().filter(|l| l.starts_with(title)).count(), 1, "{all}");
    let at = lines.iter().position(|l| l.starts_with(title)).unwrap();
    let head = lines[..at].iter().rposition(|l| l.starts_with('《')).unwrap();
    assert_eq!(lines[head], "《AI赋能千…（第0辑）》 2025");
    let also = lines[at..].iter().find(|l| l.starts_with("同见于：")).expect("the other reports");
    assert!(also.contains("《AI赋能千…（第1辑）》 2025"), "{also}");
    assert!(all.contains("等 9 份报告"), "nine other copies print it: {all}");
    // The sections about the industry, by report, newest first (the 2024
    // copy after the 2025 ones): their years never rise.
    let years: Vec<u32> = lines
        .iter()
        .filter(|l| l.starts_with("《AI赋能千行百业白皮书（第") && l.contains("》 "))
        .filter_map(|l| l.rsplit(' ').next()?.parse().ok())
        .collect();
    assert!(years.len() >= 2 && years.windows(2).all(|w| w[0] >= w[1]), "{years:?}");
}

#[test]
fn pub_year_and_date_filters_pick_reports() {
    let lib = common::grouped_library();
    let index = Index::build(&lib);
    let ids = |q: &str| -> std::collections::BTreeSet<String> {
        index
            .search(&Query::parse_for(q, &lib), 2000)
            .iter()
            .filter_map(|h| index.units[h.unit].node())
            .map(|n| report_id(&lib, n))
            .collect()
    };
    // fs3 is dated 2024-06-30, ccid5 undated, ccid7 without a publisher.
    assert_eq!(ids("year:2024 金融"), ["x3-fs".to_string()].into());
    assert_eq!(ids("year:..2024 金融"), ["x3-fs".to_string()].into());
    assert_eq!(ids("date:2024-06 金融"), ["x3-fs".to_string()].into());
    assert!(ids("date:2024-07..2026 金融").is_empty() || !ids("date:2024-07..2026 金融").contains("x3-fs"));
    let recent = ids("year:2025.. 金融");
    assert_eq!(recent.len(), 18, "{recent:?}");
    assert!(!recent.contains("x3-fs") && !recent.contains("x5-ccid"));
    let ccid = ids("pub:中国电子 金融");
    assert_eq!(ccid.len(), 9, "{ccid:?}");
    assert!(ccid.iter().all(|id| id.ends_with("-ccid")) && !ccid.contains("x7-ccid"));
    // Together, and with rep:.
    assert_eq!(ids("pub:弗若斯特 year:2024 金融"), ["x3-fs".to_string()].into());
    assert!(ids("rep:x4-fs year:2024 金融").is_empty());
    assert_eq!(ids("rep:x4-fs year:2025 金融"), ["x4-fs".to_string()].into());
    assert!(ids("year:nonsense 金融").is_empty());
    // A filter alone lists what it admits.
    assert!(!Query::parse("year:2024").is_empty());
}
