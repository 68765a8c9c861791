//! Every `yanbao …` command shown in the README's code blocks runs as printed
//! against the bundled content (no terminal, a scratch state and config, a
//! time limit). A `$ yanbao …` line followed by output must print that
//! output. Lines that cannot run here are skipped by name, with the reason;
//! a new command line in the README that is neither run nor listed fails.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Lines of the README's code blocks that are not run, and why.
const SKIPPED: &[(&str, &str)] = &[
    ("yanbao [--content DIR]", "synopsis: placeholders, not a command"),
    ("yanbao FILE.md|FILE.txt|FILE.pdf", "synopsis"),
    ("yanbao import FILE...", "synopsis"),
    ("yanbao library [remove ID]", "synopsis"),
    ("yanbao check [--content DIR]", "synopsis"),
    ("yanbao search QUERY", "synopsis"),
    ("yanbao export TARGET", "synopsis"),
    ("yanbao figures QUERY [", "synopsis"),
    ("yanbao notes [--format", "synopsis"),
    ("yanbao serve [--listen", "synopsis"),
    ("yanbao completions bash|zsh", "synopsis"),
    ("yanbao --help | --version", "synopsis (both are run below as `--help` and `--version`)"),
    ("yanbao report.md", "interactive: opens the explorer on a user's file"),
    ("yanbao report.pdf", "interactive, and needs pdftotext and a user's PDF"),
    (
        "yanbao import 20221221-海通证券-标题.md",
        "needs the user's converted report (import is tested in tests/import.rs)",
    ),
    ("yanbao import *.md --out reports/", "needs the user's converted reports (import is tested in tests/import.rs)"),
    ("yanbao ", "interactive: the explorer needs a terminal (tested in tests/e2e.rs)"),
    ("yanbao library remove u1a2b3c4d5", "an example id of a report that is not in a scratch library"),
    ("yanbao serve --listen 0.0.0.0:2222", "a server: runs until stopped (tested in tests/serve.rs)"),
];

/// Lines of the README's code blocks that run a yanbao command: the command
/// (prompt and trailing comment removed) and the output printed under it.
fn readme_commands() -> Vec<(String, Vec<String>)> {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_block = false;
    let mut collecting = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            collecting = false;
            continue;
        }
        if !in_block {
            continue;
        }
        let prompt = line.strip_prefix("$ ");
        if collecting && prompt.is_none() {
            // The output printed under a `$ yanbao …` line.
            if let Some(last) = out.last_mut() {
                last.1.push(line.to_string());
            }
            continue;
        }
        let cmd = prompt.unwrap_or(line);
        if cmd.starts_with("yanbao ") || cmd == "yanbao" {
            let cmd = cmd.split(" #").next().unwrap_or(cmd).trim_end();
            out.push((cmd.to_string(), Vec::new()));
            collecting = prompt.is_some();
        } else {
            collecting = false;
        }
    }
    out
}

/// A scratch folder of its own for each test (removed at the end of the test).
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let d = std::env::temp_dir().join(format!("yanbao-readme-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("scratch");
        Scratch(d)
    }
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn skipped(cmd: &str) -> Option<&'static str> {
    SKIPPED
        .iter()
        .find(|(start, _)| if *start == "yanbao " { cmd == "yanbao" } else { cmd.starts_with(start) })
        .map(|(_, why)| *why)
}

/// Runs yanbao with `args`, killed after 60 s: (exit code, stdout, stderr).
fn run(args: &[&str], scratch: &std::path::Path) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(args)
        .env_remove("YANBAO_CONTENT")
        .env("XDG_STATE_HOME", scratch.join("state"))
        .env("XDG_CONFIG_HOME", scratch.join("config"))
        .env("XDG_DATA_HOME", scratch.join("data"))
        .env("XDG_CACHE_HOME", scratch.join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run yanbao");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("yanbao {args:?} did not end within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (code, text(out.join().expect("stdout")), text(err.join().expect("stderr")))
}

#[test]
fn every_command_in_the_readme_runs_as_printed() {
    let scratch = Scratch::new("every");
    let commands = readme_commands();
    assert!(commands.len() >= 20, "the README's commands were not found: {commands:?}");
    let mut ran = 0;
    for (cmd, expected) in &commands {
        if skipped(cmd).is_some() {
            continue;
        }
        let args: Vec<&str> = cmd.split_whitespace().skip(1).collect();
        // A redirect in the README writes a file: the output is checked instead.
        let args: Vec<&str> = args.split(|a| *a == ">").next().unwrap_or(&[]).to_vec();
        let (code, stdout, stderr) = run(&args, scratch.path());
        assert_eq!(code, Some(0), "`{cmd}` as printed in the README: exit {code:?}\n{stderr}");
        for line in expected {
            assert!(stdout.lines().any(|l| l == line), "`{cmd}`: the README shows\n{line}\nbut it printed\n{stdout}");
        }
        ran += 1;
    }
    for extra in [&["--help"][..], &["--version"], &["check", "--keymap", "keymaps/default.yaml"]] {
        let (code, _, stderr) = run(extra, scratch.path());
        assert_eq!(code, Some(0), "yanbao {extra:?}: {stderr}");
    }
    assert!(ran >= 4, "only {ran} README commands ran");
}

#[test]
fn every_skipped_readme_line_is_still_in_the_readme() {
    let commands = readme_commands();
    for (start, why) in SKIPPED {
        let found =
            commands.iter().any(|(c, _)| if *start == "yanbao " { c == "yanbao" } else { c.starts_with(start) });
        assert!(found, "skip entry `{start}` ({why}) matches no README command: remove it");
    }
}

#[test]
fn search_takes_unquoted_words_as_one_query() {
    let scratch = Scratch::new("words");
    let (code, words, stderr) = run(&["search", "制造", "华为", "--limit", "3"], scratch.path());
    assert_eq!(code, Some(0), "{stderr}");
    let (code, quoted, _) = run(&["search", "制造 华为", "--limit", "3"], scratch.path());
    assert_eq!(code, Some(0));
    assert_eq!(words, quoted);
}

#[test]
fn check_takes_keymap_after_the_subcommand() {
    let scratch = Scratch::new("keymap");
    let (code, _, stderr) = run(&["check", "--keymap", "tests/fixtures/keymaps/bad_key.yaml"], scratch.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("tests/fixtures/keymaps/bad_key.yaml:3:3"), "{stderr}");
}
