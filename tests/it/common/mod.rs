#![allow(dead_code)]
//! Helpers shared by the integration tests: a headless app on the bundled
//! content, and a buffer turned into text for snapshots.

pub mod figures;
pub mod imported;
pub mod pty;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use yanbao::action::Action;
use yanbao::app::App;
use yanbao::content::Library;
use yanbao::keymap::Keymap;
use yanbao::search::Index;
use yanbao::theme::{ColorDepth, Theme};

/// The bundled library, loaded once per test binary.
pub fn library() -> Arc<Library> {
    static LIB: OnceLock<Arc<Library>> = OnceLock::new();
    LIB.get_or_init(|| {
        let (lib, errors) = Library::load_from(None).expect("bundled content");
        assert!(errors.is_empty(), "bundled content has errors: {errors:?}");
        Arc::new(lib)
    })
    .clone()
}

/// The search index of the bundled library, built once per test binary.
pub fn index() -> Arc<Index> {
    static INDEX: OnceLock<Arc<Index>> = OnceLock::new();
    INDEX.get_or_init(|| Arc::new(Index::build(&library()))).clone()
}

pub fn app(w: u16, h: u16) -> App {
    app_with(w, h, false)
}

pub fn app_with(w: u16, h: u16, ascii: bool) -> App {
    App::new(library(), index(), Arc::new(Keymap::defaults()), Theme::new(ColorDepth::Ansi16, ascii), (w, h))
}

pub fn send(app: &mut App, actions: &[Action]) {
    for a in actions {
        app.update(a.clone());
    }
}

/// Type keys as the terminal would send them, e.g. "jjl" or with names via `key`.
pub fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        let code = crossterm::event::KeyCode::Char(c);
        app.handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(
            code,
            crossterm::event::KeyModifiers::NONE,
        )));
    }
}

pub fn key(app: &mut App, code: crossterm::event::KeyCode, mods: crossterm::event::KeyModifiers) {
    app.handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(code, mods)));
}

pub fn render(app: &App) -> Buffer {
    let (w, h) = app.state.size;
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    yanbao::ui::render(app, area, &mut buf);
    buf
}

/// The screen as text, one line per row; the trailing half of a wide
/// character is skipped, so each line reads as the terminal shows it.
pub fn screen(buf: &Buffer) -> String {
    let a = buf.area;
    let mut out = String::new();
    for y in a.top()..a.bottom() {
        let mut skip = 0;
        let mut line = String::new();
        for x in a.left()..a.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let s = buf[(x, y)].symbol();
            line.push_str(s);
            skip = yanbao::text::width(s).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Rows where cells have a given style mark, drawn as `^` under the screen text.
pub fn marks(buf: &Buffer, pred: impl Fn(&ratatui::buffer::Cell) -> bool) -> String {
    let a = buf.area;
    let mut out = String::new();
    for y in a.top()..a.bottom() {
        let row: String = (a.left()..a.right()).map(|x| if pred(&buf[(x, y)]) { '^' } else { ' ' }).collect();
        if !row.trim().is_empty() {
            out.push_str(&format!("{y:>3} {}\n", row.trim_end()));
        }
    }
    out
}

/// Display width of every row never exceeds the buffer width, and no wide
/// character is cut by the right edge.
pub fn assert_rows_fit(buf: &Buffer) {
    let a = buf.area;
    for y in a.top()..a.bottom() {
        let mut x = a.left();
        while x < a.right() {
            let w = yanbao::text::width(buf[(x, y)].symbol()).max(1) as u16;
            assert!(x + w <= a.right(), "row {y}: a wide character crosses the right edge at column {x}");
            x += w;
        }
    }
}

/// A library of `copies` copies of each bundled report, in a fresh
/// temporary folder (a port of `../shared/tools/make-library`'s first
/// version, so that no test depends on a file outside the repository): the
/// registries as they are, then for each report `<id><i>/` with every `id:`
/// that starts a line given the prefix `x<i>-` and the title the suffix
/// `（第<i>辑）`. Publishers and dates are kept, so the copies group as the
/// originals do.
pub fn make_library(name: &str, copies: usize) -> PathBuf {
    let src = Path::new("content");
    let dst = std::env::temp_dir().join(format!("yanbao-library-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dst);
    std::fs::create_dir_all(&dst).expect("create the library folder");
    let mut reports = Vec::new();
    for e in std::fs::read_dir(src).expect("read content/").flatten() {
        let p = e.path();
        if p.is_file() {
            std::fs::copy(&p, dst.join(e.file_name())).expect("copy a registry");
        } else if p.is_dir() {
            reports.push(p);
        }
    }
    reports.sort();
    for rep in &reports {
        let stem = rep.file_name().and_then(|n| n.to_str()).expect("a report folder name");
        for i in 0..copies {
            let out = dst.join(format!("{stem}{i}"));
            std::fs::create_dir_all(&out).expect("create a copy");
            for f in std::fs::read_dir(rep).expect("read a report").flatten() {
                let text = std::fs::read_to_string(f.path()).expect("read a content file");
                let report = f.file_name() == "report.yaml";
                let lines: Vec<String> = text.split('\n').map(|l| copy_line(l, i, report)).collect();
                std::fs::write(out.join(f.file_name()), lines.join("\n")).expect("write a content file");
            }
        }
    }
    dst
}

/// One line of a report's copy `i` (see `make_library`).
fn copy_line(line: &str, i: usize, report: bool) -> String {
    // An `id: ` after spaces, a dash or both starts the line.
    let body = line.trim_start();
    let body = body.strip_prefix('-').unwrap_or(body).trim_start();
    if let Some(id) = body.strip_prefix("id: ") {
        let lead = line.strip_suffix(body).unwrap_or("");
        return format!("{lead}id: x{i}-{id}");
    }
    if report && let Some(title) = line.strip_prefix("title: ") {
        let t = title.trim();
        let t = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(t);
        let t = format!("{t}（第{i}辑）");
        return format!("title: \"{}\"", t.replace('\\', "\\\\").replace('"', "\\\""));
    }
    line.to_string()
}

/// A library of 20 reports (10 copies of each bundled one) with some
/// variety: copy 3 of fs dated 2024, copy 5 of ccid undated, copy 7 of ccid
/// without a publisher. Parsed once per test binary.
pub fn grouped_library() -> Arc<Library> {
    static LIB: OnceLock<Arc<Library>> = OnceLock::new();
    LIB.get_or_init(|| {
        let dir = make_library("grouped", 10);
        let edit = |rep: &str, from: &str, to: &str| {
            let f = dir.join(rep).join("report.yaml");
            let t = std::fs::read_to_string(&f).unwrap();
            assert!(t.contains(from), "{rep}: {from}");
            std::fs::write(&f, t.replacen(from, to, 1)).unwrap();
        };
        edit("fs3", "date: 2025-08-28", "date: 2024-06-30");
        edit("ccid5", "date: \"2025-04\"", "date: \"\"");
        edit("ccid7", "publisher: 中国电子信息产业发展研究院 电子信息研究所", "publisher: \"\"");
        let (lib, errors) = Library::load_from(Some(&dir)).expect("the library loads");
        assert!(errors.is_empty(), "{errors:?}");
        let _ = std::fs::remove_dir_all(&dir);
        Arc::new(lib)
    })
    .clone()
}
