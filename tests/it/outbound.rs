//! Everything that leaves yanbao carries no terminal or shell control
//! sequence from content (issue 26, N2 and N11): copies (`y`, `Y`,
//! Ctrl-y; OSC 52 and `--copy-to`), `export` (Markdown, JSON, CSV on
//! stdout and in files), `search` (plain and `--json`) and `check`'s error
//! messages. The fixture tests/fixtures/hostile-bytes holds ESC sequences
//! (`ESC [ 201 ~` that ends a bracketed paste, OSC 52, OSC 0), CR, BEL,
//! DEL, NUL, C1 controls (U+009B, U+0085) and bidi overrides and isolates
//! in a title, a heading, a paragraph and a table; hostile-field has an
//! unknown field name made of them.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use yanbao::action::{Action, Effect};
use yanbao::app::App;
use yanbao::content::Library;
use yanbao::keymap::Keymap;
use yanbao::search::Index;
use yanbao::theme::{ColorDepth, Theme};

const HOSTILE: &str = "tests/fixtures/hostile-bytes";

/// The characters that must not leave, defined here apart from the
/// sanitiser they test.
fn bad(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n' && c != '\t')
        || (0x7f..=0x9f).contains(&u)
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
}

fn assert_clean(what: &str, s: &str) {
    let found: Vec<String> = s.chars().filter(|&c| bad(c)).map(|c| format!("U+{:04X}", c as u32)).collect();
    assert!(found.is_empty(), "{what} carries {found:?}: {s:?}");
}

fn hostile_app() -> App {
    let (lib, errors) = Library::load_dirs(&[PathBuf::from(HOSTILE)]).expect("fixture");
    assert!(errors.is_empty(), "{errors:?}");
    let index = Arc::new(Index::build(&lib));
    App::new(Arc::new(lib), index, Arc::new(Keymap::defaults()), Theme::new(ColorDepth::Ansi16, false), (100, 30))
}

fn copied(effects: &[Effect]) -> String {
    match effects {
        [Effect::Copy { text, .. }] => text.clone(),
        other => panic!("expected one copy, got {other:?}"),
    }
}

fn key(app: &mut App, c: char, m: KeyModifiers) -> Vec<Effect> {
    app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char(c), m)))
}

/// The app on the hostile section, its `i`-th block at the top.
fn at_block(app: &mut App, i: usize) {
    app.update(Action::CloseOverlay);
    let n = app.state.lib.node_by_id("rep-1-1").expect("section");
    app.state.show(n);
    let doc = Arc::clone(&app.state.reader.doc);
    let item = doc.items.iter().find(|it| it.node == Some(n) && it.block == Some(i)).expect("block on the page");
    app.state.reader.scroll = item.line;
}

#[test]
fn y_capital_y_and_ctrl_y_copy_no_control_characters() {
    let mut app = hostile_app();
    at_block(&mut app, 0);
    let text = copied(&key(&mut app, 'y', KeyModifiers::NONE));
    assert_clean("y on the paragraph", &text);
    assert!(text.contains("PASTEME [201~; touch PWNED\n下一行31m"), "the visible text stays: {text:?}");
    at_block(&mut app, 1);
    let text = copied(&key(&mut app, 'y', KeyModifiers::NONE));
    assert_clean("y on the table", &text);
    assert!(text.contains("甲2J"), "{text:?}");
    app.update(Action::CloseOverlay);
    let text = copied(&key(&mut app, 'Y', KeyModifiers::SHIFT));
    assert_clean("Y", &text);
    assert!(text.contains("金融[2J") && text.contains("gnp.exe隔离"), "{text:?}");
    // Ctrl-y in the finder.
    app.update(Action::CloseOverlay);
    key(&mut app, 's', KeyModifiers::NONE);
    app.update(Action::InsertText("PASTEME".into()));
    let text = copied(&key(&mut app, 'y', KeyModifiers::CONTROL));
    assert_clean("Ctrl-y", &text);
    assert!(text.contains("PASTEME"), "{text:?}");
}

#[test]
fn copy_to_and_osc52_write_no_control_characters() {
    let dir = std::env::temp_dir().join(format!("yanbao-outbound-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let f = dir.join("clip.txt");
    let _ = std::fs::remove_file(&f);
    let mut app = hostile_app();
    at_block(&mut app, 0);
    app.state.copy_to = Some(f.clone());
    let fx = key(&mut app, 'y', KeyModifiers::NONE);
    let Effect::Copy { text, to: Some(to) } = &fx[0] else { panic!("{fx:?}") };
    yanbao::runtime::append_copy(to, text).expect("append");
    let written = std::fs::read_to_string(&f).expect("written");
    assert_clean("--copy-to", &written);
    assert!(written.contains("PASTEME [201~"), "{written:?}");
    // OSC 52 carries the same text, in base64.
    assert_eq!(written, format!("{}\n\n", text.trim_end_matches('\n')));
    let _ = std::fs::remove_dir_all(&dir);
}

fn yanbao(args: &[&str]) -> Output {
    let tmp = std::env::temp_dir().join(format!("yanbao-outbound-bin-{}", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(args)
        .stdin(Stdio::null())
        .env_remove("YANBAO_CONTENT")
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .env("XDG_STATE_HOME", tmp.join("state"))
        .env("XDG_CONFIG_HOME", tmp.join("config"))
        .output()
        .expect("run yanbao")
}

fn stdout_of(args: &[&str]) -> String {
    let out = yanbao(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn export_writes_no_control_characters_in_any_format() {
    let md = stdout_of(&["--content", HOSTILE, "export", "rep"]);
    assert_clean("export md", &md);
    assert!(md.contains("PASTEME [201~; touch PWNED"), "{md}");
    let json = stdout_of(&["--content", HOSTILE, "export", "rep", "--format", "json"]);
    assert_clean("export json", &json);
    assert!(!json.contains("\\u00"), "no escaped control characters either: {json}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_clean("export json, decoded", &v.to_string());
    let csv = stdout_of(&["--content", HOSTILE, "export", "rep-1-1", "--format", "csv"]);
    assert_clean("export csv", &csv);
    assert!(csv.contains("甲2J"), "{csv}");
    let dir = std::env::temp_dir().join(format!("yanbao-outbound-csv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_string_lossy().into_owned();
    let listing = stdout_of(&["--content", HOSTILE, "export", "rep", "--format", "csv", "--out", &d]);
    assert_clean("export --out listing", &listing);
    for e in std::fs::read_dir(&dir).expect("dir") {
        let e = e.expect("entry");
        assert_clean("a CSV file name", &e.file_name().to_string_lossy());
        assert_clean("a CSV file", &std::fs::read_to_string(e.path()).expect("read"));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn search_writes_no_control_characters_plain_or_json() {
    for json in [false, true] {
        let mut args = vec!["--content", HOSTILE, "--no-cache", "search", "PASTEME"];
        if json {
            args.push("--json");
        }
        let out = stdout_of(&args);
        assert!(out.contains("PASTEME"), "{out}");
        assert_clean("search", &out);
        if json {
            assert!(!out.contains("\\u00"), "{out}");
        }
    }
}

#[test]
fn check_names_a_hostile_field_without_its_control_characters() {
    let out = yanbao(&["--content", "tests/fixtures/hostile-field", "check"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).expect("UTF-8");
    assert_clean("check's message", &err);
    assert!(err.contains("unknown field `[31mfield`"), "{err}");
}

// ------------------------------------------------- write errors (N14)

/// Run with stdout on /dev/full: every subcommand says so and fails.
fn to_dev_full(args: &[&str]) -> Output {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let tmp = std::env::temp_dir().join(format!("yanbao-outbound-bin-{}", std::process::id()));
    Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(full)
        .stderr(Stdio::piped())
        .env_remove("YANBAO_CONTENT")
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .env("XDG_STATE_HOME", tmp.join("state"))
        .env("XDG_CONFIG_HOME", tmp.join("config"))
        .output()
        .expect("run yanbao")
}

#[test]
fn a_full_disk_is_an_error_for_every_subcommand() {
    for args in [
        &["check"][..],
        &["search", "人工智能"],
        &["search", "人工智能", "--json"],
        &["export", "fs"],
        &["export", "fs", "--format", "json"],
        &["export", "fs-3-1-2", "--format", "md"],
    ] {
        let out = to_dev_full(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("cannot write the output: No space left on device"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

// ------------------------------------------------- export --out (N12)

fn fresh_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yanbao-outbound-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("dir");
    d
}

fn export_csv(out: &std::path::Path, force: bool) -> Output {
    let d = out.to_string_lossy().into_owned();
    let mut args = vec!["export", "fs", "--format", "csv", "--out", &d];
    if force {
        args.push("--force");
    }
    yanbao(&args)
}

#[test]
fn export_out_follows_no_symbolic_link_and_overwrites_only_with_force() {
    let base = fresh_dir("links");
    let out = base.join("out");
    // A first export gives the file names.
    assert!(export_csv(&out, false).status.success());
    let mut names: Vec<_> = std::fs::read_dir(&out).expect("out").map(|e| e.expect("entry").file_name()).collect();
    names.sort();
    assert!(names.len() > 2, "{names:?}");
    // Again: the files exist; nothing is written, and it says so.
    let again = export_csv(&out, false);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"), "{again:?}");
    // Links in the folder, to a victim and dangling, pointing outside it.
    std::fs::remove_dir_all(&out).expect("clean");
    std::fs::create_dir_all(&out).expect("out");
    let victim = base.join("victim.txt");
    std::fs::write(&victim, "victim").expect("victim");
    std::os::unix::fs::symlink(&victim, out.join(&names[0])).expect("link");
    std::os::unix::fs::symlink(base.join("created-outside"), out.join(&names[1])).expect("dangling link");
    let r = export_csv(&out, false);
    assert_eq!(r.status.code(), Some(1), "links are existing files");
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "victim");
    assert!(!base.join("created-outside").exists());
    // With --force the links are replaced by files; what they point to is untouched.
    let r = export_csv(&out, true);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(std::fs::read_to_string(&victim).expect("victim"), "victim");
    assert!(!base.join("created-outside").exists());
    for n in &names[..2] {
        let meta = std::fs::symlink_metadata(out.join(n)).expect("file");
        assert!(meta.file_type().is_file(), "{n:?} is a file now");
    }
    let left: Vec<_> = std::fs::read_dir(&out).expect("out").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left.len(), names.len(), "no temporary file left: {left:?}");
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn export_out_writes_every_file_when_stdout_closes_early() {
    let base = fresh_dir("head");
    let full = base.join("full");
    assert!(export_csv(&full, false).status.success());
    let all = std::fs::read_dir(&full).expect("full").count();
    let cut = base.join("cut");
    // `| head -1`, at its worst: the pipe's reader is gone before the first path.
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let d = cut.to_string_lossy().into_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(["export", "fs", "--format", "csv", "--out", &d])
        .env_remove("YANBAO_CONTENT")
        .stdin(Stdio::null())
        .stdout(writer)
        .output()
        .expect("run");
    assert!(!out.status.success(), "the closed pipe ends it (SIGPIPE)");
    assert_eq!(std::fs::read_dir(&cut).expect("cut").count(), all, "every file written");
    let _ = std::fs::remove_dir_all(&base);
}
