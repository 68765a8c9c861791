#![allow(dead_code)]
//! Helpers shared by the integration tests: a headless app on the bundled
//! content, and a buffer turned into text for snapshots.

pub mod pty;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::path::{Path, PathBuf};
use std::process::Command;
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

/// `make-library content DIR copies` into a fresh temporary folder; `None`
/// when the tool is not there (outside the project's workspace).
pub fn make_library(name: &str, copies: usize) -> Option<PathBuf> {
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

/// A library of 20 reports (10 copies of each bundled one) with some
/// variety: copy 3 of fs dated 2024, copy 5 of ccid undated, copy 7 of ccid
/// without a publisher. Parsed once per test binary; `None` without the tool.
pub fn grouped_library() -> Option<Arc<Library>> {
    static LIB: OnceLock<Option<Arc<Library>>> = OnceLock::new();
    LIB.get_or_init(|| {
        let dir = make_library("grouped", 10)?;
        // Set a field of a copy's report.yaml (its whole line).
        let edit = |rep: &str, key: &str, to: &str| {
            let f = dir.join(rep).join("report.yaml");
            let t = std::fs::read_to_string(&f).unwrap();
            let line = t.lines().find(|l| l.starts_with(key)).unwrap_or_else(|| panic!("{rep}: {key}"));
            std::fs::write(&f, t.replacen(line, &format!("{key} {to}"), 1)).unwrap();
        };
        // make-library varies the copies' publishers and dates: these tests
        // want the bundled ones, with the three changes above alone.
        for rep in ["fs", "ccid"] {
            let orig = std::fs::read_to_string(Path::new("content").join(rep).join("report.yaml")).unwrap();
            for key in ["publisher:", "date:"] {
                let line = orig.lines().find(|l| l.starts_with(key)).unwrap();
                for i in 0..10 {
                    edit(&format!("{rep}{i}"), key, line[key.len()..].trim());
                }
            }
        }
        edit("fs3", "date:", "2024-06-30");
        edit("ccid5", "date:", "\"\"");
        edit("ccid7", "publisher:", "\"\"");
        let (lib, errors) = Library::load_from(Some(&dir)).expect("the library loads");
        assert!(errors.is_empty(), "{errors:?}");
        let _ = std::fs::remove_dir_all(&dir);
        Some(Arc::new(lib))
    })
    .clone()
}
