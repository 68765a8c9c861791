//! Reading memory: marks (`m a`, `' a`, `' '`, the `M` list), the jump list
//! (ctrl-o, ctrl-t), resume through the state database, and the database
//! itself: migrated from the JSON files before, corrupt, locked, read-only,
//! unwritable, and written by two processes at once.

use crate::common::*;
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
    keys(&mut app, "i3");
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
    keys(&mut app, "i3ma");
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
    keys(&mut app, "i5");
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

/// Save through the real store, then start again from the database.
fn save_to(app: &mut App, loc: &state::Location) {
    let opened = Store::open(loc.clone());
    app.saver = Some(state::Saver::new(opened.store));
    app.persist(true);
    assert!(app.state.message.is_none(), "{:?}", app.state.message);
}

#[test]
fn resume_reopens_the_page_and_the_exact_line_at_any_size() {
    let dir = temp("resume");
    let loc = state::location_for(&dir, None);
    let mut a = reading(100, 30);
    keys(&mut a, "jjjmc");
    a.state.jump_to(node("ccid-2"));
    keys(&mut a, "jj");
    a.state.jump_to(node("fs-3-1"));
    let (page, line, pos) = (a.state.page(), top_line(&a), a.state.place().pos);
    assert_eq!(a.state.reader.scroll, 15, "back on 3.1 where it was left");
    save_to(&mut a, &loc);
    assert_eq!(loc.db, dir.join("state.db"));
    let back = Store::open(loc.clone()).saved.expect("rows");
    assert_eq!(back.last.as_ref().map(|p| p.page.as_str()), Some("n:fs-3-1"));

    for (w, h) in [(100, 30), (80, 24), (140, 50)] {
        let mut b = app(w, h);
        b.attach_state(Store::open(loc.clone()), true);
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
    c.attach_state(Store::open(loc.clone()), false);
    assert_eq!(c.state.page(), Page::Node(node("fs")));
    assert_eq!(c.state.reader.scroll, 0);
    assert!(c.state.memory.mark('c').is_some());
    // Another content has its own rows in the same database.
    let other = state::location_for(&dir, Some(Path::new("content")));
    assert_eq!(other.db, loc.db);
    assert_ne!(other.scope, loc.scope);
    assert!(Store::open(other).saved.is_none());
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

/// The JSON files of the versions before (the first format, without a
/// mark's section and text; the later one, with them and the grouping; a
/// served key's file) are migrated once into their scope and kept as
/// `*.migrated`; a second start reads the rows, not the file.
#[test]
fn each_old_json_state_file_is_migrated_once() {
    let dir = temp("migrate");
    let fixtures = Path::new("tests/fixtures/state");
    let key = "SHA256:ab+c/d=";
    let cases = [
        ("first-v1.json", state::location_for(&dir, None)),
        ("grouping-v1.json", state::location_for(&dir, Some(Path::new("content")))),
        ("grouping-v1.json", state::location_for_key(&dir, key)),
    ];
    for (fixture, loc) in &cases {
        let text = std::fs::read_to_string(fixtures.join(fixture)).unwrap();
        let want: Saved = serde_json::from_str(&text).unwrap();
        std::fs::create_dir_all(loc.legacy.parent().unwrap()).unwrap();
        std::fs::write(&loc.legacy, &text).unwrap();
        let opened = Store::open(loc.clone());
        assert!(opened.message.is_none(), "{fixture}: {:?}", opened.message);
        assert_eq!(opened.saved.as_ref(), Some(&want), "{fixture} into {}", loc.scope);
        let kept = PathBuf::from(format!("{}.migrated", loc.legacy.display()));
        assert!(kept.exists() && !loc.legacy.exists(), "{fixture}: kept as .migrated");
        // Once only: a file put back is not read again.
        std::fs::write(&loc.legacy, text.replace("\"n:fs-3-1\"", "\"n:fs-1\"")).unwrap();
        assert_eq!(Store::open(loc.clone()).saved.as_ref(), Some(&want), "{fixture}: migrated once");
    }
    assert_eq!(cases[2].1.scope, "serve/SHA256-ab-c_d=", "a key keeps its own rows");
    // The app reads the first format: marks without a section still work.
    let mut app = app(100, 30);
    app.attach_state(Store::open(cases[0].1.clone()), true);
    assert_eq!(app.state.page(), Page::Node(node("fs-3-1")));
    keys(&mut app, "'a");
    assert!(matches!(app.state.page(), Page::Industry(_)));
    // A corrupt old file is set aside and reported, as before.
    let loc = state::location_for(&dir, Some(Path::new("other")));
    std::fs::write(&loc.legacy, "{\n  \"version\": 1,\n  \"last\": {\"page\": 3\n").unwrap();
    let opened = Store::open(loc.clone());
    let msg = opened.message.expect("a message");
    assert!(msg.contains("第 3 行") && msg.contains(&loc.legacy.display().to_string()), "{msg}");
    assert_chinese(&msg, &loc.legacy);
    assert!(PathBuf::from(format!("{}.corrupt", loc.legacy.display())).exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 23: two instances of one content used to overwrite each other's
/// marks (the last writer's file won). Each now writes only its changes.
#[test]
fn two_instances_keep_each_others_marks() {
    let dir = temp("two-instances");
    let loc = state::location_for(&dir, None);
    let mut a = reading(100, 30);
    let mut b = reading(100, 30);
    a.attach_state(Store::open(loc.clone()), true);
    b.attach_state(Store::open(loc.clone()), true);
    keys(&mut a, "ma");
    a.persist(true);
    keys(&mut b, "jjmb");
    b.persist(true);
    // a deletes nothing it did not have, and b never saw a's mark.
    keys(&mut a, "jmc");
    a.persist(true);
    let back = Store::open(loc.clone()).saved.unwrap();
    let names: String = back.marks.iter().map(|m| m.name).collect();
    assert_eq!(names, "abc");
    // A mark deleted in one instance goes; the others stay.
    keys(&mut b, "Md");
    b.persist(true);
    let names: String = Store::open(loc.clone()).saved.unwrap().marks.iter().map(|m| m.name).collect();
    assert_eq!(names, "ac");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A message the app shows is Chinese: no English word outside the file's
/// path and the `.corrupt` suffix (issue 22, one language).
fn assert_chinese(msg: &str, path: &Path) {
    let rest = msg.replace(&path.display().to_string(), "").replace(".corrupt", "");
    assert!(!rest.chars().any(|c| c.is_ascii_alphabetic()), "English in an app message: {msg}");
}

#[test]
fn a_corrupt_database_is_reported_once_set_aside_and_never_fatal() {
    let dir = temp("corrupt");
    let loc = state::location_for(&dir, None);
    let garbage = "not a database, 不是数据库\n".repeat(300);
    std::fs::write(&loc.db, &garbage).unwrap();
    let mut app = app(80, 24);
    app.attach_state(Store::open(loc.clone()), true);
    let msg = app.state.message.clone().expect("a message");
    assert!(msg.contains(&loc.db.display().to_string()) && msg.contains("损坏"), "{msg}");
    assert_chinese(&msg, &loc.db);
    let aside = PathBuf::from(format!("{}.corrupt", loc.db.display()));
    assert_eq!(std::fs::read_to_string(&aside).unwrap(), garbage, "set aside as it was, never emptied");
    // The app works and the status line shows it on the first frame.
    assert!(screen(&render(&app)).contains("阅读记录"));
    keys(&mut app, "i3j");
    assert!(app.state.message.is_none(), "reported once");
    app.persist(true);
    let back = Store::open(loc.clone()).saved.unwrap();
    assert_eq!(back.last.unwrap().page, "i:healthcare");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Another instance holding the write lock past the busy timeout: the save
/// says so once, reading goes on, and the next save writes everything.
#[test]
fn a_locked_database_keeps_working_in_memory_and_catches_up() {
    let dir = temp("locked");
    let loc = state::location_for(&dir, None);
    let mut app = reading(80, 24);
    let mut opened = Store::open(loc.clone());
    assert!(opened.message.is_none());
    opened.store.set_busy_timeout(std::time::Duration::from_millis(50));
    app.attach_state(opened, true);
    let holder = rusqlite::Connection::open(&loc.db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE; INSERT INTO settings VALUES ('x', 'y', 'z');").unwrap();
    keys(&mut app, "i3ma");
    app.persist(true);
    let msg = app.state.message.clone().expect("the failure is shown");
    assert!(msg.contains("无法保存") && msg.contains("占用"), "{msg}");
    keys(&mut app, "i4mb");
    app.persist(true);
    assert_eq!(app.state.message.as_deref(), Some("已设标记 b"), "reported once only");
    keys(&mut app, "'a");
    assert_eq!(app.state.page(), Page::Industry(2), "marks still work in memory");
    holder.execute_batch("COMMIT").unwrap();
    app.persist(true);
    let back = Store::open(loc.clone()).saved.unwrap();
    assert_eq!(back.marks.iter().map(|m| m.name).collect::<String>(), "ab", "nothing lost");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unwritable_state_dir_reads_on_without_saving_and_says_so_once() {
    let dir = temp("readonly");
    // A file where the folder should be: no write can succeed, even as root.
    let blocker = dir.join("state");
    std::fs::write(&blocker, "not a folder").unwrap();
    let loc = state::location_for(&blocker.join("yanbao"), None);
    let mut app = reading(80, 24);
    app.attach_state(Store::open(loc.clone()), true);
    let msg = app.state.message.clone().expect("the failure is shown");
    assert!(msg.contains("无法保存") && msg.contains("内存"), "{msg}");
    keys(&mut app, "i3");
    app.persist(true);
    assert!(app.state.message.is_none(), "once only");
    keys(&mut app, "ma'a");
    assert_eq!(app.state.page(), Page::Industry(2), "marks still work in memory");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A read-only database (a file of mode 0444 for a user; for root, whom
/// permissions do not stop, `chattr +i` where the file system allows it)
/// is read, reported, and reading goes on in memory.
#[test]
fn a_read_only_database_is_read_and_reported() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp("ro-db");
        let loc = state::location_for(&dir, None);
        let mut a = reading(80, 24);
        save_to(&mut a, &loc);
        std::fs::set_permissions(&loc.db, std::fs::Permissions::from_mode(0o444)).unwrap();
        let root = unsafe { libc::geteuid() } == 0;
        let immutable = root
            && std::process::Command::new("chattr")
                .arg("+i")
                .arg(&loc.db)
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
        if !root || immutable {
            let mut b = app(80, 24);
            b.attach_state(Store::open(loc.clone()), true);
            let msg = b.state.message.clone().expect("reported");
            assert!(msg.contains("只读") && msg.contains("内存"), "{msg}");
            assert_eq!(b.state.page(), Page::Node(node("fs-3-1")), "what it holds is read");
            keys(&mut b, "i3ma");
            b.persist(true);
            assert_eq!(b.state.memory.marks.len(), 1);
        } else {
            eprintln!("skipped: root without chattr +i cannot make a file read-only");
        }
        if immutable {
            let _ = std::process::Command::new("chattr").arg("-i").arg(&loc.db).status();
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The writer run by `two_processes_add_500_notes_each_and_none_is_lost`
/// in a child process: 500 notes, each saved on its own, through the real
/// store (as `a` in the app does).
#[test]
#[ignore = "run as a child process by two_processes_add_500_notes_each_and_none_is_lost"]
fn notes_writer_child() {
    let Some(dir) = std::env::var_os("YANBAO_TEST_STATE_DIR") else { return };
    let me: u32 = std::env::var("YANBAO_TEST_WRITER").unwrap().parse().unwrap();
    // As the app does: what is there already, then this writer's notes.
    let opened = Store::open(state::location_for(Path::new(&dir), None));
    assert!(opened.message.is_none(), "{:?}", opened.message);
    let (mut store, mut s) = (opened.store, opened.saved.unwrap_or_default());
    for i in 0..500u32 {
        s.notes.push(state::SavedNote {
            uid: format!("w{me}-{i}"),
            report: "fs".into(),
            block: format!("b{i}"),
            hash: String::new(),
            node: "fs-3-1".into(),
            quote: "引文".into(),
            text: format!("笔记 {me} {i}"),
            created: i as i64,
            updated: i as i64,
        });
        s.last = Some(state::SavedPlace { page: "n:fs".into(), item: i, unit: me, off: 0 });
        assert_eq!(store.save(&s), Ok(true));
    }
}

#[test]
fn two_processes_add_500_notes_each_and_none_is_lost() {
    let dir = temp("concurrent");
    let exe = std::env::current_exe().unwrap();
    // The child test's path in this binary: `notes_writer_child` in a
    // binary of its own, `memory::notes_writer_child` in one with modules.
    let child = match module_path!().split_once("::") {
        Some((_, m)) => format!("{m}::notes_writer_child"),
        None => "notes_writer_child".to_string(),
    };
    let spawn = |me: u32| {
        std::process::Command::new("timeout")
            .args(["120"])
            .arg(&exe)
            .args(["--exact", &child, "--ignored", "--test-threads=1"])
            .env("YANBAO_TEST_STATE_DIR", &dir)
            .env("YANBAO_TEST_WRITER", me.to_string())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let kids = [spawn(1), spawn(2)];
    for k in kids {
        let out = k.wait_with_output().unwrap();
        let said = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a writer failed: {said}");
    }
    let back = Store::open(state::location_for(&dir, None)).saved.unwrap();
    let of = |me: &str| back.notes.iter().filter(|n| n.uid.starts_with(me)).count();
    assert_eq!((of("w1-"), of("w2-")), (500, 500));
    for me in [1, 2] {
        for i in 0..500 {
            let uid = format!("w{me}-{i}");
            assert!(back.notes.iter().any(|n| n.uid == uid && n.text == format!("笔记 {me} {i}")), "{uid}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_marks_list_at_80x24() {
    let mut app = reading(80, 24);
    keys(&mut app, "ma");
    app.state.jump_to(node("ccid-2"));
    keys(&mut app, "jjjjmB");
    keys(&mut app, "i7mz");
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
