//! The real binary in a pseudo-terminal with the mouse: `--mouse` (or
//! `mouse: true` in the config) turns mouse reporting on, a click reaches the
//! tree, and every way out (quit, a signal, suspend) turns it off again;
//! without it, reporting is never turned on.

use crate::common::pty::Pty;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ON: &[u8] = b"\x1b[?1000h";
const SGR_ON: &[u8] = b"\x1b[?1006h";
const OFF: &[u8] = b"\x1b[?1000l";

fn count(raw: &[u8], seq: &[u8]) -> usize {
    raw.windows(seq.len()).filter(|w| *w == seq).count()
}

/// A config home of its own, holding `config` if given.
fn config_home(name: &str, config: Option<&str>) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yanbao-e2e-mouse-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("yanbao")).unwrap();
    if let Some(c) = config {
        std::fs::write(d.join("yanbao/config.yaml"), c).unwrap();
    }
    d
}

fn explorer(args: &[&str], home: &Path) -> Pty {
    explorer_when(args, home, "目录")
}

/// Start the explorer and wait for its first frame, which shows `text`.
fn explorer_when(args: &[&str], home: &Path, text: &str) -> Pty {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yanbao"));
    cmd.args(args)
        .env("TERM", "xterm-256color")
        .env_remove("COLORTERM")
        .env_remove("YANBAO_CONTENT")
        .env("XDG_CONFIG_HOME", home)
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"));
    let pty = Pty::spawn(cmd, 80, 24, true);
    assert!(pty.wait_for(text, 10), "no first frame:\n{}", pty.contents());
    pty
}

fn first_line(pty: &Pty) -> String {
    pty.contents().lines().next().unwrap_or_default().to_string()
}

#[test]
fn mouse_reporting_is_on_with_the_flag_and_off_after_quitting() {
    let home = config_home("flag", None);
    let mut pty = explorer(&["--mouse"], &home);
    let raw = pty.raw();
    assert_eq!((count(&raw, ON), count(&raw, SGR_ON), count(&raw, OFF)), (1, 1, 0));
    // A click (SGR 1006, 1-based) on the tree's third row (chapter 2) selects and shows it.
    assert!(!first_line(&pty).contains("┌ 2 人工智能产业"), "{}", first_line(&pty));
    pty.send(b"\x1b[<0;6;4M\x1b[<0;6;4m");
    let end = Instant::now() + Duration::from_secs(5);
    while !first_line(&pty).contains("┌ 2 人工智能产业") && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(first_line(&pty).contains("┌ 2 人工智能产业"), "the click did not open chapter 2:\n{}", pty.contents());
    pty.send(b"q");
    assert_eq!(pty.wait_exit(5).and_then(|s| s.code()), Some(0));
    let raw = pty.raw();
    assert_eq!(count(&raw, OFF), 1, "mouse reporting turned off once");
    let off_at = raw.windows(OFF.len()).position(|w| w == OFF).unwrap();
    let leave_at = raw.windows(8).rposition(|w| w == b"\x1b[?1049l").unwrap();
    assert!(off_at < leave_at, "off before leaving the alternate screen");
    assert!(!pty.alternate_screen());
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn the_config_turns_the_mouse_on_and_the_flag_off() {
    let home = config_home("config", Some("mouse: true\n"));
    let mut pty = explorer(&[], &home);
    assert_eq!(count(&pty.raw(), ON), 1, "mouse: true in the config");
    pty.send(b"q");
    assert!(pty.wait_exit(5).is_some());
    assert_eq!(count(&pty.raw(), OFF), 1);
    let mut pty = explorer(&["--no-mouse"], &home);
    pty.send(b"q");
    assert!(pty.wait_exit(5).is_some());
    assert_eq!((count(&pty.raw(), ON), count(&pty.raw(), OFF)), (0, 0), "--no-mouse wins over the config");
    // And by default, never.
    let home2 = config_home("default", None);
    let mut pty = explorer(&[], &home2);
    pty.send(b"q");
    assert!(pty.wait_exit(5).is_some());
    assert_eq!(count(&pty.raw(), ON), 0, "no mouse unless asked for");
    let _ = std::fs::remove_dir_all(&home);
    let _ = std::fs::remove_dir_all(&home2);
}

#[test]
fn a_signal_and_a_suspend_turn_mouse_reporting_off() {
    let home = config_home("signal", None);
    let mut pty = explorer(&["--mouse"], &home);
    pty.send(b"\x1a");
    let stopped = (0..250).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", pty.pid())).unwrap_or_default();
        stat.rsplit_once(')').is_some_and(|(_, r)| r.trim_start().starts_with('T'))
    });
    assert!(stopped, "ctrl-z did not stop the process");
    assert_eq!(count(&pty.raw(), OFF), 1, "suspended with mouse reporting off");
    pty.signal(libc::SIGCONT);
    assert!(pty.wait_for("目录", 5));
    let end = Instant::now() + Duration::from_secs(5);
    while count(&pty.raw(), ON) < 2 && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(count(&pty.raw(), ON), 2, "on again after resuming");
    pty.signal(libc::SIGTERM);
    assert_eq!(pty.wait_exit(5).and_then(|s| s.code()), Some(128 + libc::SIGTERM));
    assert_eq!(count(&pty.raw(), OFF), 2, "off after SIGTERM");
    assert!(!pty.alternate_screen());
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn the_config_sets_ascii_and_the_tree_and_flags_override_it() {
    let home = config_home("ascii", Some("ascii: true\ntree: false\n"));
    let mut pty = explorer_when(&[], &home, "帮助");
    let first = first_line(&pty);
    assert!(first.starts_with("+ ") && !first.contains('┌'), "ascii: true draws ASCII borders: {first}");
    assert!(!pty.contents().contains("目录"), "tree: false hides the tree:\n{}", pty.contents());
    pty.send(b"q");
    assert!(pty.wait_exit(5).is_some());
    let mut pty = explorer_when(&["--no-ascii"], &home, "帮助");
    assert!(first_line(&pty).starts_with('┌'), "--no-ascii wins: {}", first_line(&pty));
    pty.send(b"q");
    assert!(pty.wait_exit(5).is_some());
    let _ = std::fs::remove_dir_all(&home);
}
