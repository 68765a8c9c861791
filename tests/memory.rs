//! Reading memory: marks (`m a`, `' a`, `' '`, the `M` list), the jump list
//! (ctrl-o, ctrl-t), resume through the state file, and the state file
//! itself: corrupt, unwritable, and written by two processes at once.

mod common;

use common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use std::path::{Path, PathBuf};
use yanbao::action::{Action, Effect};
use yanbao::app::{App, Overlay, Place, page_key};
use yanbao::doc::Page;
use yanbao::state::{self, Saved, Store};

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

fn ctrl(app: &mut App, c: char) {
    key(app, KeyCode::Char(c), KeyModifiers::CONTROL);
}

/// A new empty folder for one test.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yanbao-memory-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The line at the top of the reader.
fn top_line(app: &App) -> String {
    app.state.reader.doc.lines.get(app.state.reader.scroll).map(|l| l.text()).unwrap_or_default()
}

/// The focused block's first line.
fn focused(app: &App) -> usize {
    app.state.focused_block().map(|f| f.lines.start).expect("a focused block")
}

/// Section 3.1 of the F&S report, scrolled down 12 lines, in the reader.
fn reading(w: u16, h: u16) -> App {
    let mut app = app(w, h);
    app.state.jump_to(node("fs-3-1"));
    app.state.focus = yanbao::app::Focus::Reader;
    keys(&mut app, "jjjjjjjjjjjj");
    assert_eq!(app.state.reader.scroll, 12);
    app
}

#[test]
fn a_mark_brings_the_reader_back_to_the_same_line() {
    let mut app = reading(100, 30);
    let (page, block) = (app.state.page(), focused(&app));
    keys(&mut app, "ma");
    assert!(app.state.memory.mark('a').is_some());
    assert_eq!(app.state.message.as_deref(), Some("已设标记 a"));
    // Elsewhere: another page, another position.
    keys(&mut app, "3");
    assert_ne!(app.state.page(), page);
    keys(&mut app, "'a");
    assert_eq!(app.state.page(), page);
    // The marked block, focused, its first line at the reading line.
    assert_eq!(focused(&app), block);
    assert_eq!(app.state.reader.focus_line - app.state.reader.scroll, app.state.reading_row());
    let line = top_line(&app);
    // ' ' goes back where that jump came from (the industry page), and again.
    keys(&mut app, "''");
    assert_eq!(app.state.page(), Page::Industry(2));
    keys(&mut app, "''");
    assert_eq!((app.state.page(), top_line(&app), focused(&app)), (page, line, block));
}

#[test]
fn marks_are_letters_and_a_missing_one_says_so() {
    let mut app = reading(100, 30);
    keys(&mut app, "m1");
    assert!(app.state.memory.marks.is_empty());
    assert!(app.state.message.as_deref().unwrap().contains("字母"), "{:?}", app.state.message);
    keys(&mut app, "'z");
    assert_eq!(app.state.message.as_deref(), Some("没有标记 z（按 m z 设置）"));
    // The key after m is a mark name, not a command: `mq` does not quit.
    let e = app.handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('m'),
        KeyModifiers::NONE,
    )));
    assert!(e.is_empty());
    assert_eq!(app.pending_keys(), "m");
    let e = app.handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('q'),
        KeyModifiers::NONE,
    )));
    assert!(!e.contains(&Effect::Quit));
    assert!(app.state.memory.mark('q').is_some());
    assert_eq!(app.pending_keys(), "");
    // Esc after m cancels.
    keys(&mut app, "m");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(app.pending_keys(), "");
    keys(&mut app, "Q");
    assert!(app.state.memory.mark('Q').is_none(), "the mark was cancelled: Q alone sets nothing");
}

#[test]
fn the_marks_list_jumps_and_deletes() {
    let mut app = reading(100, 30);
    let b = focused(&app);
    keys(&mut app, "mb");
    keys(&mut app, "G");
    keys(&mut app, "mA");
    keys(&mut app, "3ma");
    let names: String = app.state.memory.marks.iter().map(|m| m.name).collect();
    assert_eq!(names, "abA", "a-z before A-Z");
    keys(&mut app, "M");
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Marks { selected: 0, .. })));
    keys(&mut app, "j");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    assert_eq!((app.state.page(), focused(&app)), (Page::Node(node("fs-3-1")), b));
    // ctrl-o: back to the industry page the list was opened on.
    ctrl(&mut app, 'o');
    assert_eq!(app.state.page(), Page::Industry(2));
    keys(&mut app, "Md");
    let names: String = app.state.memory.marks.iter().map(|m| m.name).collect();
    assert_eq!(names, "bA");
    assert_eq!(app.state.message.as_deref(), Some("已删除标记 a"));
    keys(&mut app, "dd");
    assert!(app.state.memory.marks.is_empty());
    assert!(app.state.overlays.is_empty(), "the list closes with its last mark");
    keys(&mut app, "M");
    assert!(app.state.overlays.is_empty());
    assert_eq!(app.state.message.as_deref(), Some("还没有标记：按 m 加字母设置"));
}

#[test]
fn ctrl_o_and_ctrl_t_walk_the_jump_list() {
    let mut app = reading(100, 30);
    let start = app.state.place();
    keys(&mut app, "G");
    let bottom = app.state.place();
    keys(&mut app, "5");
    let five = app.state.place();
    assert_eq!(five.page, Page::Industry(4));
    keys(&mut app, "jj");
    let five_read = app.state.place();
    ctrl(&mut app, 'o');
    assert_eq!(app.state.place(), bottom);
    ctrl(&mut app, 'o');
    assert_eq!(app.state.place(), start);
    assert_eq!(top_line(&app), app.state.reader.doc.lines[12].text());
    ctrl(&mut app, 'o');
    assert_eq!(app.state.place(), start, "nothing older");
    assert_eq!(app.state.message.as_deref(), Some("已在跳转记录的最早处"));
    ctrl(&mut app, 't');
    assert_eq!(app.state.place(), bottom);
    ctrl(&mut app, 't');
    assert_eq!(app.state.place(), five_read, "forward comes back where the reader was, not where it landed");
    ctrl(&mut app, 't');
    assert_eq!(app.state.message.as_deref(), Some("已在跳转记录的最新处"));
    // A new jump after going back drops what was ahead, as in a browser.
    ctrl(&mut app, 'o');
    keys(&mut app, "gg");
    ctrl(&mut app, 't');
    assert_eq!(app.state.message.as_deref(), Some("已在跳转记录的最新处"));
    ctrl(&mut app, 'o');
    assert_eq!(app.state.place(), bottom);
}

#[test]
fn a_stray_digit_never_strands_the_reader() {
    for d in '1'..='9' {
        let mut app = reading(80, 24);
        let here = app.state.place();
        keys(&mut app, &d.to_string());
        ctrl(&mut app, 'o');
        assert_eq!(app.state.place(), here, "digit {d}");
    }
}

#[test]
fn the_jump_list_is_bounded() {
    let mut app = reading(80, 24);
    for _ in 0..150 {
        keys(&mut app, "Ggg");
    }
    assert!(app.state.memory.jumps.len() <= yanbao::app::MAX_JUMPS);
    assert!(app.state.memory.jumps.len() >= 2);
}

#[test]
fn a_walk_through_the_tree_into_the_reader_is_one_jump() {
    let mut app = reading(100, 30);
    let here = app.state.place();
    keys(&mut app, "h"); // to the tree
    keys(&mut app, "jjj");
    while app.state.focus != yanbao::app::Focus::Reader {
        keys(&mut app, "l");
    }
    assert_ne!(app.state.page(), here.page);
    ctrl(&mut app, 'o');
    assert_eq!(app.state.place(), here);
    // Still in the tree after a walk: ctrl-o comes back too.
    keys(&mut app, "hjj");
    assert_ne!(app.state.page(), here.page);
    ctrl(&mut app, 'o');
    assert_eq!(app.state.place(), here);
    // A walk, then a jump from the tree (G): both places are kept.
    keys(&mut app, "hjj");
    let walked = app.state.place();
    keys(&mut app, "G");
    ctrl(&mut app, 'o');
    assert_eq!(app.state.place().page, walked.page);
    ctrl(&mut app, 'o');
    assert_eq!(app.state.place(), here);
}

/// Issue 12: a result opened from a company page, then ctrl-o: the company
/// page again, with its selection; ctrl-o again: where the finder was opened.
#[test]
fn ctrl_o_from_a_result_returns_to_the_company_page() {
    let mut app = reading(100, 30);
    let here = app.state.place();
    keys(&mut app, "s");
    app.handle_event(crossterm::event::Event::Paste("co:zgckj".into()));
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let Some(Overlay::Company(c)) = app.state.overlays.last() else { panic!("a company page") };
    assert!(c.mentions.len() > 2);
    let id = c.id.clone();
    keys(&mut app, "jj");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty(), "the mention is open in the reader");
    let mention = app.state.place();
    ctrl(&mut app, 'o');
    let Some(Overlay::Company(c)) = app.state.overlays.last() else { panic!("ctrl-o: the company page again") };
    assert_eq!((c.id.as_str(), c.selected), (id.as_str(), 2));
    ctrl(&mut app, 'o');
    assert!(app.state.overlays.is_empty());
    assert_eq!(app.state.place(), here);
    ctrl(&mut app, 't');
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Company(_))));
    ctrl(&mut app, 't');
    assert!(app.state.overlays.is_empty());
    assert_eq!(app.state.place(), mention);
}

#[test]
fn page_changes_and_marks_ask_for_a_save_and_update_stays_pure() {
    let mut app = reading(100, 30);
    assert_eq!(app.update(Action::MoveDown), vec![], "scrolling alone writes nothing");
    assert_eq!(app.update(Action::GotoIndustry(2)), vec![Effect::SaveState]);
    assert_eq!(app.update(Action::MarkSet('x')), vec![Effect::SaveState]);
    assert_eq!(app.update(Action::Quit), vec![Effect::Quit]);
}

/// Save through the real store, then start again from the file.
fn save_to(app: &mut App, file: &Path) {
    let opened = Store::open(file.to_path_buf());
    app.saver = Some(state::Saver::new(opened.store));
    app.persist(true);
    assert!(app.state.message.is_none(), "{:?}", app.state.message);
}

#[test]
fn resume_reopens_the_page_and_the_exact_line_at_any_size() {
    let dir = temp("resume");
    let file = state::file_for(&dir, None);
    let mut a = reading(100, 30);
    keys(&mut a, "jjjmc");
    a.state.jump_to(node("ccid-2"));
    keys(&mut a, "jj");
    a.state.jump_to(node("fs-3-1"));
    let (page, line, pos) = (a.state.page(), top_line(&a), a.state.place().pos);
    assert_eq!(a.state.reader.scroll, 15, "back on 3.1 where it was left");
    save_to(&mut a, &file);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"n:fs-3-1\"") && text.contains("\"version\": 1"), "{text}");

    for (w, h) in [(100, 30), (80, 24), (140, 50)] {
        let mut b = app(w, h);
        b.attach_state(Store::open(file.clone()), true);
        assert_eq!(b.state.page(), page);
        if (w, h) == (100, 30) {
            assert_eq!(top_line(&b), line);
        }
        // The line at the top is the one holding the place, at any width.
        let doc = &b.state.reader.doc;
        assert_eq!(doc.line_at(pos), b.state.reader.scroll, "at {w}x{h}");
        let at = doc.lines[b.state.reader.scroll].at;
        assert_eq!((at.item, at.unit), (pos.item, pos.unit), "at {w}x{h}");
        assert!(at.off <= pos.off);
        assert_eq!(b.state.nav.selected_node(), Some(node("fs-3-1")), "the tree shows the page");
        assert!(b.state.memory.mark('c').is_some(), "marks persist");
        // Each page keeps its own position.
        b.state.jump_to(node("ccid-2"));
        assert_eq!(b.state.reader.scroll, 2);
    }
    // --fresh: the top, marks still kept.
    let mut c = app(100, 30);
    c.attach_state(Store::open(file.clone()), false);
    assert_eq!(c.state.page(), Page::Node(node("fs")));
    assert_eq!(c.state.reader.scroll, 0);
    assert!(c.state.memory.mark('c').is_some());
    // Another content has its own file.
    assert_ne!(state::file_for(&dir, Some(Path::new("content"))), file);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn positions_are_an_lru_of_1000_pages() {
    let mut m = yanbao::app::Memory::default();
    for i in 0..1200 {
        m.remember(Page::Node(i), Default::default());
    }
    m.remember(Page::Node(5), Default::default());
    assert_eq!(m.positions_len(), state::MAX_POSITIONS);
    // 0..200 went first; 5, read again, came back and pushed out 200.
    assert!(m.position(Page::Node(199)).is_none() && m.position(Page::Node(200)).is_none());
    assert!(m.position(Page::Node(5)).is_some());
    assert!(m.position(Page::Node(201)).is_some() && m.position(Page::Node(1199)).is_some());
    // The saved state of a real app stays within the bound too.
    let app = reading(80, 24);
    let s = app.state.saved();
    assert!(s.positions.len() <= state::MAX_POSITIONS);
    assert_eq!(s.last.as_ref().map(|p| p.page.clone()), page_key(&library(), app.state.page()));
}

#[test]
fn a_corrupt_state_file_is_reported_once_set_aside_and_never_fatal() {
    let dir = temp("corrupt");
    let file = state::file_for(&dir, None);
    std::fs::write(&file, "{\n  \"version\": 1,\n  \"last\": {\"page\": 3\n").unwrap();
    let mut app = app(80, 24);
    app.attach_state(Store::open(file.clone()), true);
    let msg = app.state.message.clone().expect("a message");
    assert!(msg.contains(&file.display().to_string()) && msg.contains("第 3 行"), "{msg}");
    let aside = PathBuf::from(format!("{}.corrupt", file.display()));
    assert!(aside.exists() && !file.exists(), "set aside");
    // The app works and the status line shows it on the first frame.
    assert!(screen(&render(&app)).contains("阅读记录"));
    keys(&mut app, "3j");
    assert!(app.state.message.is_none(), "reported once");
    app.persist(true);
    let back: Saved = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(back.last.unwrap().page, "i:healthcare");
    // Another version is set aside too.
    std::fs::write(&file, "{\"version\": 99}").unwrap();
    let opened = Store::open(file.clone());
    assert!(opened.saved.is_none() && opened.message.unwrap().contains("版本 99"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unwritable_state_dir_reads_on_without_saving_and_says_so_once() {
    let dir = temp("readonly");
    // A file where the folder should be: no write can succeed, even as root.
    let blocker = dir.join("state");
    std::fs::write(&blocker, "not a folder").unwrap();
    let file = state::file_for(&blocker.join("yanbao"), None);
    let mut app = reading(80, 24);
    app.attach_state(Store::open(file.clone()), true);
    assert!(app.state.message.is_none(), "nothing to read is not a problem: {:?}", app.state.message);
    keys(&mut app, "3");
    app.persist(true);
    let msg = app.state.message.clone().expect("the failure is shown");
    assert!(msg.contains("无法保存"), "{msg}");
    keys(&mut app, "4");
    app.persist(true);
    assert!(app.state.message.is_none(), "once only");
    keys(&mut app, "ma'a");
    assert_eq!(app.state.page(), Page::Industry(3), "marks still work in memory");
    // A real read-only folder (not for root, whom permissions do not stop).
    #[cfg(unix)]
    if unsafe { libc::geteuid() } != 0 {
        use std::os::unix::fs::PermissionsExt;
        let ro = dir.join("ro");
        std::fs::create_dir_all(&ro).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
        let mut s = Store::open(state::file_for(&ro, None)).store;
        assert!(s.save(&Saved::default()).is_err());
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The writer run by `two_processes_writing_never_corrupt_the_file` in a
/// child process: many saves of states of its own, through the real store.
#[test]
#[ignore = "run as a child process by two_processes_writing_never_corrupt_the_file"]
fn state_writer_child() {
    let Some(file) = std::env::var_os("YANBAO_TEST_STATE_FILE") else { return };
    let me: u32 = std::env::var("YANBAO_TEST_WRITER").unwrap().parse().unwrap();
    let mut store = Store::open(PathBuf::from(file)).store;
    for i in 0..300u32 {
        let mut s = Saved::default();
        // Big enough that a torn write would show: 400 positions.
        for p in 0..400 {
            s.positions.push(state::SavedPlace { page: format!("n:w{me}-{p}"), item: i, unit: me, off: p });
        }
        s.last = s.positions.last().cloned();
        store.save(&s).unwrap();
    }
}

#[test]
fn two_processes_writing_never_corrupt_the_file() {
    let dir = temp("concurrent");
    let file = state::file_for(&dir, None);
    let exe = std::env::current_exe().unwrap();
    let spawn = |me: u32| {
        std::process::Command::new("timeout")
            .args(["60"])
            .arg(&exe)
            .args(["--exact", "state_writer_child", "--ignored", "--test-threads=1"])
            .env("YANBAO_TEST_STATE_FILE", &file)
            .env("YANBAO_TEST_WRITER", me.to_string())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut kids = [spawn(1), spawn(2)];
    let mut reads = 0;
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let done = kids.iter_mut().all(|k| k.try_wait().unwrap().is_some());
        if let Ok(text) = std::fs::read_to_string(&file) {
            let s: Saved = serde_json::from_str(&text).unwrap_or_else(|e| panic!("a torn state file: {e}"));
            assert_eq!(s.positions.len(), 400);
            let unit = s.positions[0].unit;
            assert!(s.positions.iter().all(|p| p.unit == unit), "one writer's state, whole");
            seen.insert(unit);
            reads += 1;
        }
        if done {
            break;
        }
    }
    for k in &mut kids {
        assert!(k.wait().unwrap().success(), "a writer failed");
    }
    assert!(reads > 0);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "no temporary file left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_marks_list_at_80x24() {
    let mut app = reading(80, 24);
    keys(&mut app, "ma");
    app.state.jump_to(node("ccid-2"));
    keys(&mut app, "jjjjmB");
    keys(&mut app, "7mz");
    keys(&mut app, "Mj");
    insta::assert_snapshot!("marks_80x24", screen(&render(&app)));
    // Tiny screens: nothing panics.
    for (w, h) in [(1, 1), (20, 5), (24, 8), (30, 10)] {
        app.update(Action::Resize(w, h));
        let _ = render(&app);
    }
}

#[test]
fn place_is_what_a_jump_restores() {
    let mut app = reading(100, 30);
    let p: Place = app.state.place();
    keys(&mut app, "G");
    app.state.go_to(&p);
    assert_eq!(app.state.place(), p);
}
