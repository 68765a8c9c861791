//! Hostile files and pipes for the command line (reliability audit F11, F12,
//! F13 and B13): every case ends quickly with an error that names the file,
//! in bounded memory, and never with a panic or an abort. Each child runs
//! under an address-space limit and is killed by its PID after a deadline.

use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run yanbao with a 1 GiB address-space limit and a 20 s deadline.
fn yanbao(args: &[&str]) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yanbao"));
    c.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).env_remove("YANBAO_CONTENT");
    // SAFETY: setrlimit only, between fork and exec.
    unsafe {
        c.pre_exec(|| {
            let lim = libc::rlimit { rlim_cur: 1 << 30, rlim_max: 1 << 30 };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            Ok(())
        });
    }
    let mut child = c.spawn().expect("run yanbao");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let o = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let e = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let end = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("yanbao {args:?} still running after 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    Run { code: status.code(), stdout: text(o.join().unwrap()), stderr: text(e.join().unwrap()) }
}

/// A copy of the valid fixture in a fresh temporary folder.
fn fixture(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yanbao-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy(Path::new("tests/fixtures/valid"), &dir);
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn check(dir: &Path) -> Run {
    yanbao(&["check", "--content", dir.to_str().unwrap()])
}

const HEAD: &str = "id: rep-1\nnumber: \"1\"\ntitle: 第一章\nsections: []\n";

/// F11: nested sequences, deep block mappings and a long key with many
/// children took 1.27 GB to over 8 GB in the error locator, or overflowed
/// its stack. Each is now an error with a line, in bounded memory.
#[test]
fn yaml_bombs_are_errors_in_bounded_memory() {
    let cases = [
        ("seq20k", format!("{HEAD}blocks:\n{}x\n", "- ".repeat(20_000))),
        ("seq50k", format!("{HEAD}blocks:\n{}x\n", "- ".repeat(50_000))),
        ("longkey", format!("{HEAD}? {}\n: [{}]\n", "k".repeat(100_000), vec!["a"; 20_000].join(","))),
        ("map10k", {
            let mut s = format!("{HEAD}blocks:\n  - kind: text\n    text: x\n    deep:\n");
            for i in 0..10_000 {
                s.push_str(&" ".repeat(6 + i % 2000));
                s.push_str("a:\n");
            }
            s
        }),
    ];
    for (name, text) in cases {
        let dir = fixture(name);
        std::fs::write(dir.join("rep/c1.yaml"), text).unwrap();
        let r = check(&dir);
        assert_eq!(r.code, Some(1), "{name}: {}", r.stderr);
        assert!(r.stderr.contains("rep/c1.yaml:"), "{name}: the error names the file: {}", r.stderr);
        assert!(!r.stderr.contains("panicked") && !r.stderr.contains("overflow"), "{name}: {}", r.stderr);
    }
}

/// F11 for keymaps: the same bomb as a keymap file.
#[test]
fn a_keymap_bomb_is_an_error() {
    let dir = fixture("keybomb");
    let f = dir.join("bomb.yaml");
    std::fs::write(&f, format!("reader:\n  j: {}x\n", "- ".repeat(50_000))).unwrap();
    let r = yanbao(&["--keymap", f.to_str().unwrap(), "check"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(r.stderr.contains("bomb.yaml"), "{}", r.stderr);
}

/// F12: a FIFO hung the loader; a link to /dev/zero was read until memory ran out.
#[test]
fn files_that_are_not_files_are_errors_naming_them() {
    let dir = fixture("special");
    let fifo = dir.join("rep/c1.yaml");
    std::fs::remove_file(&fifo).unwrap();
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    std::os::unix::fs::symlink("/dev/zero", dir.join("rep/zero.yaml")).unwrap();
    let r = check(&dir);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("rep/c1.yaml: not a regular file"), "{}", r.stderr);
    assert!(r.stderr.contains("rep/zero.yaml: not a regular file"), "{}", r.stderr);
}

/// F12: invalid UTF-8 became U+FFFD and passed; now an error at its line and column.
#[test]
fn invalid_utf8_is_an_error_at_its_line() {
    let dir = fixture("utf8");
    let p = dir.join("rep/c1.yaml");
    let mut bytes = std::fs::read(&p).unwrap();
    let at = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes.splice(at..at, b"# \xff\xfe bad\n".iter().copied());
    std::fs::write(&p, bytes).unwrap();
    let r = check(&dir);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("rep/c1.yaml:2:3: not valid UTF-8"), "{}", r.stderr);
}

/// A symbolic link loop is read once, with an error naming the link.
#[test]
fn a_symlink_loop_is_read_once() {
    let dir = fixture("loop");
    std::os::unix::fs::symlink("..", dir.join("rep/loop")).unwrap();
    let r = check(&dir);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("rep/loop: folder already read"), "{}", r.stderr);
    assert!(r.stderr.lines().count() < 10, "{}", r.stderr);
}

/// F13: escape sequences in content are not written raw by `yanbao search`.
#[test]
fn search_does_not_print_control_characters() {
    let dir = fixture("escape");
    let p = dir.join("rep/c1.yaml");
    let text =
        std::fs::read_to_string(&p).unwrap().replace("title: 第一章", "title: \"第一章\\e[2J\\e]0;pwned\\a\\e[31m\"");
    std::fs::write(&p, text).unwrap();
    let r = yanbao(&["search", "pwned", "--content", dir.to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("pwned"), "{}", r.stdout);
    assert!(!r.stdout.chars().any(|c| c.is_control() && c != '\t' && c != '\n'), "{:?}", r.stdout);
}

/// B13: `check | head -1` panicked on EPIPE; every subcommand ends quietly.
#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [&["check"][..], &["search", "的", "--limit", "5000"][..]] {
        let mut c = Command::new(env!("CARGO_BIN_EXE_yanbao"));
        c.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).env_remove("YANBAO_CONTENT");
        let mut child = c.spawn().unwrap();
        // Read one byte, then close the pipe, as `| head -c1` does.
        let mut out = child.stdout.take().unwrap();
        let mut one = [0u8; 1];
        out.read_exact(&mut one).unwrap();
        drop(out);
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        let st = child.wait().unwrap();
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(st.code(), Some(101), "{args:?}: {err}");
    }
}

/// B13: `check --keymap FILE` validates the keymap, and a key written twice
/// gets the README's message at the second entry's line.
#[test]
fn check_validates_the_keymap_and_names_a_duplicate_key() {
    let dir = fixture("dupkey");
    let f = dir.join("dup.yaml");
    std::fs::write(&f, "reader:\n  ctrl-d: page_down\n  j: move_down\n  ctrl-d: page_up\n").unwrap();
    let r = yanbao(&["--keymap", f.to_str().unwrap(), "check"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    let want = format!("{}:4:3: key ctrl-d is bound twice in context reader: page_down and page_up", f.display());
    assert_eq!(r.stderr.trim(), want);
    let r = yanbao(&["--keymap", "tests/fixtures/keymaps/bad_key.yaml", "check"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
}

/// A folder with the registries and no report: the error names what is missing.
#[test]
fn no_report_is_an_error_that_names_the_file() {
    let dir = fixture("noreport");
    std::fs::remove_dir_all(dir.join("rep")).unwrap();
    let r = check(&dir);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.starts_with("REPORT/report.yaml: no report found"), "{}", r.stderr);
}

/// A FIFO at `p`.
fn mkfifo(p: &Path) {
    let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
    // SAFETY: a valid path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

/// K7 and F12 (issue 26, N9): a keymap or config that is a FIFO hung the
/// start; one linked to /dev/zero was read until memory ran out.
#[test]
fn a_keymap_or_config_that_is_not_a_file_is_an_error() {
    let dir = fixture("special-settings");
    mkfifo(&dir.join("fifo.yaml"));
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.yaml")).unwrap();
    for flag in ["--keymap", "--config"] {
        for f in ["fifo.yaml", "zero.yaml"] {
            let p = dir.join(f);
            let r = yanbao(&[flag, p.to_str().unwrap(), "check"]);
            assert_eq!(r.code, Some(2), "{flag} {f}: {}", r.stderr);
            assert!(r.stderr.contains(&format!("{f}: not a regular file")), "{flag} {f}: {}", r.stderr);
        }
    }
}

/// The reading memory and the cache (issue 26, N9): a FIFO froze the
/// explorer at start, /dev/zero was read to the end of memory.
#[test]
fn a_state_or_cache_file_that_is_not_a_file_is_not_read() {
    let dir = fixture("special-state");
    let fifo = dir.join("state-fifo.json");
    mkfifo(&fifo);
    let zero = dir.join("state-zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    for f in [&fifo, &zero] {
        // An old JSON state file in that place: not read, reported.
        let (saved, message) = yanbao::state::read_json(f);
        assert!(saved.is_none());
        assert!(message.as_deref().is_some_and(|m| m.contains("不是普通文件")), "{message:?}");
        // The database itself in that place: kept in memory, reported.
        let loc = yanbao::state::Location { db: f.clone(), scope: "bundled".into(), legacy: dir.join("none.json") };
        let o = yanbao::state::Store::open(loc);
        assert!(o.saved.is_none());
        assert!(o.message.as_deref().is_some_and(|m| m.contains("不是普通文件")), "{:?}", o.message);
    }
    // A FIFO in the cache's place: rebuilt (renamed over), not waited on.
    let content = dir.clone();
    let cache = dir.join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let file = yanbao::cache::file_for(&cache, Some(&content));
    mkfifo(&file);
    let o = yanbao::cache::open(Some(&content), Some(&cache)).expect("content");
    assert!(matches!(o.status, yanbao::cache::Status::Rebuilt(_)), "{:?}", o.status);
    assert!(std::fs::symlink_metadata(&file).unwrap().is_file());
}

/// `--copy-to` a FIFO no one reads froze `y` (issue 26, N9); a device is refused too.
#[test]
fn copy_to_a_fifo_or_device_is_an_error_not_a_hang() {
    let dir = fixture("special-copy");
    let fifo = dir.join("clip");
    mkfifo(&fifo);
    let e = yanbao::runtime::append_copy(&fifo, "text").expect_err("no reader: refused");
    assert!(e.raw_os_error() == Some(libc::ENXIO), "{e}");
    // With a reader on the FIFO, it is still not a regular file.
    let _reader = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(&fifo).unwrap();
    let e = yanbao::runtime::append_copy(&fifo, "text").expect_err("refused");
    assert!(e.to_string().contains("not a regular file"), "{e}");
    let e = yanbao::runtime::append_copy(Path::new("/dev/zero"), "text").expect_err("refused");
    assert!(e.to_string().contains("not a regular file"), "{e}");
}

/// N5 (issue 26): flow nesting is quadratic in libyaml's scanner (100 KB of
/// `[` took 53 s); a linear pre-scan refuses it, naming file and line, in
/// content, keymaps and configs. 1 MB of it each.
#[test]
fn deep_flow_nesting_is_refused_with_its_line() {
    let dir = fixture("flow");
    let deep = format!("# deep\nglobal: {}\n", "[".repeat((1 << 20) - 100));
    std::fs::write(dir.join("deep.yaml"), &deep).unwrap();
    let deep_path = dir.join("deep.yaml");
    for flag in ["--keymap", "--config"] {
        let r = yanbao(&[flag, deep_path.to_str().unwrap(), "check"]);
        assert_eq!(r.code, Some(2), "{flag}: {}", r.stderr);
        assert!(r.stderr.contains("deep.yaml:2:"), "{flag}: {}", r.stderr);
        assert!(r.stderr.contains("nested more than 64 deep"), "{flag}: {}", r.stderr);
    }
    std::fs::remove_file(&deep_path).unwrap();
    let ch = dir.join("rep/c1.yaml");
    let text = std::fs::read_to_string(&ch).unwrap();
    std::fs::write(
        &ch,
        text.replacen(
            "        text: 金融行业的应用，银行与证券并进。",
            &format!("        text: {}", "[".repeat(1 << 20)),
            1,
        ),
    )
    .unwrap();
    let r = check(&dir);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("rep/c1.yaml:18:79:"), "{}", r.stderr);
}

/// N6 (issue 26): a 15 MB paragraph passed `check` and froze the explorer
/// (layout quadratic in a paragraph's length); a paragraph or heading over
/// 64 KB is an error at its line.
#[test]
fn a_paragraph_or_heading_over_64_kb_is_an_error_at_its_line() {
    let dir = fixture("long-text");
    let ch = dir.join("rep/c1.yaml");
    let text = std::fs::read_to_string(&ch).unwrap();
    let long = "中".repeat(30_000); // 90 KB
    let text = text
        .replacen("        text: 金融行业的应用，银行与证券并进。", &format!("        text: {long}"), 1)
        .replacen("    title: 金融\n", &format!("    title: 金融{long}\n"), 1);
    std::fs::write(&ch, text).unwrap();
    let r = check(&dir);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(r.stderr.contains("rep/c1.yaml:14:5:"), "the heading: {}", r.stderr);
    assert!(r.stderr.contains("rep/c1.yaml:18:9:"), "the paragraph: {}", r.stderr);
    assert!(r.stderr.contains("more than the 64 KB limit"), "{}", r.stderr);
}

/// C7 (issue 26): 200,000 sections in one file took 562 MB. Sections are
/// capped per file; the error names the line of the first one past the cap.
#[test]
fn sections_past_the_cap_are_an_error_at_their_line() {
    let cap = yanbao::content::MAX_SECTIONS_PER_FILE;
    let dir = fixture("many-sections");
    // The chapter is its file's first section; its children follow, one a
    // line from line 5.
    let mut text = String::from("id: rep-1\nnumber: \"1\"\ntitle: 第一章\nsections:\n");
    for i in 0..cap + 50 {
        text.push_str(&format!("  - {{id: s-{i}, title: 第{i}节}}\n"));
    }
    std::fs::write(dir.join("rep/c1.yaml"), &text).unwrap();
    let r = check(&dir);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    // Section cap + 1 is child cap - 1 (0-based), on line 5 + cap - 1.
    let at = format!("rep/c1.yaml:{}:", 4 + cap);
    assert!(r.stderr.contains(&at), "{at}: {}", r.stderr);
    assert!(r.stderr.contains(&format!("more than {cap} sections in one file")), "{}", r.stderr);
    assert_eq!(r.stderr.matches("sections in one file").count(), 1, "one error: {}", r.stderr);
    // At the cap, the file loads.
    let at_cap: String = text.lines().take(4 + cap - 1).map(|l| format!("{l}\n")).collect();
    std::fs::write(dir.join("rep/c1.yaml"), at_cap).unwrap();
    let r = check(&dir);
    assert!(!r.stderr.contains("sections in one file"), "{}", r.stderr);
}

/// N5's figure (issue 26): any 1 MB YAML file, as content, keymap or config,
/// is accepted or refused in under 1 s. Prints the time of `yanbao check` on
/// each (the process, start to exit; the check of the bundled content
/// alone is printed first, to subtract), and checks only that each ends
/// with an answer.
/// `cargo test --test hostile measure_1mb_yaml -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_1mb_yaml() {
    const MB: usize = 1 << 20;
    let anchors = {
        // Nine levels of aliases, each ten of the one before (a billion
        // laughs), then filler to 1 MB.
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        s.push_str(&format!("# {}\n", "x".repeat(MB - s.len() - 3)));
        s
    };
    let cases: [(&str, String); 5] = [
        ("deep [", format!("a: {}\n", "[".repeat(MB - 4))),
        ("deep {", format!("a: {}\n", "{".repeat(MB - 4))),
        ("long key", format!("{}: x\n", "k".repeat(MB - 4))),
        ("anchors", anchors),
        ("block nesting", (0..MB / 2048).map(|i| format!("{}a:\n", " ".repeat(i % 2000))).collect()),
    ];
    let time = |args: &[&str]| {
        let t0 = std::time::Instant::now();
        let r = yanbao(args);
        (t0.elapsed(), r)
    };
    let dir = fixture("measure-1mb");
    let (base, _) = time(&["check", "--content", dir.to_str().unwrap()]);
    eprintln!("baseline (check of the small fixture): {base:.2?}");
    for (name, text) in cases {
        let f = dir.join("one.yaml");
        std::fs::write(&f, &text).unwrap();
        let f = f.to_str().unwrap();
        let mut line = format!("{name:>14} ({} KB):", text.len() / 1024);
        for flag in ["--keymap", "--config"] {
            let (t, r) = time(&[flag, f, "check", "--content", dir.to_str().unwrap()]);
            assert!(r.code.is_some(), "{name} {flag}: no exit: {}", r.stderr);
            line.push_str(&format!(" {flag} {t:.2?} (exit {:?})", r.code.unwrap_or(-1)));
        }
        let content = fixture("measure-1mb-content");
        std::fs::write(content.join("rep/c1.yaml"), format!("{HEAD}{text}")).unwrap();
        let (t, r) = time(&["check", "--content", content.to_str().unwrap()]);
        assert!(r.code.is_some(), "{name} content: no exit: {}", r.stderr);
        line.push_str(&format!(" content {t:.2?} (exit {:?})", r.code.unwrap_or(-1)));
        eprintln!("{line}");
    }
}
