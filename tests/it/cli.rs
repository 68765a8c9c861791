//! The command line: `yanbao check`, `--help`/`--version`, and clear errors.

use std::process::{Command, Output, Stdio};

fn yanbao(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yanbao"));
    c.args(args).stdin(Stdio::null()).env_remove("YANBAO_CONTENT");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run yanbao")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn check_prints_counts_of_the_bundled_content() {
    let out = yanbao(&["check"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for field in ["reports            2", "chapters           11", "industries         11"] {
        assert!(s.contains(field), "{field} missing in {s}");
    }
    for field in ["sections", "tables", "series", "cases", "companies"] {
        assert!(s.lines().any(|l| l.starts_with(field)), "{field} missing in {s}");
    }
}

#[test]
fn check_lists_every_problem_and_exits_1() {
    let out = yanbao(&["check", "--content", "tests/fixtures/broken"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.lines().filter(|l| l.starts_with("rep/")).count(), 17, "{err}");
    assert!(err.contains("rep/c1.yaml:15:13: sections[0].blocks[1].rows[1]: table row has 1 cells"));
    assert!(err.contains("19 problem(s) in tests/fixtures/broken"), "{err}");
}

#[test]
fn the_content_folder_can_come_from_the_environment() {
    let out = yanbao(&["check"], &[("YANBAO_CONTENT", "tests/fixtures/valid")]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("reports            1"));
    let out = yanbao(&["check", "--content", "tests/fixtures/nowhere"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("tests/fixtures/nowhere"));
}

#[test]
fn a_bad_keymap_stops_the_explorer_with_file_and_line() {
    let out = yanbao(&["--keymap", "tests/fixtures/keymaps/bad_key.yaml"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stderr).trim(), "tests/fixtures/keymaps/bad_key.yaml:3:3: cannot parse key \"hyper-x\"");
}

#[test]
fn the_explorer_without_a_terminal_says_so() {
    let out = yanbao(&[], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("needs a terminal"));
}

#[test]
fn help_and_version() {
    let out = yanbao(&["--version"], &[]);
    assert!(out.status.success());
    assert!(text(&out.stdout).starts_with("yanbao "));
    let out = yanbao(&["--help"], &[]);
    let s = text(&out.stdout);
    for w in ["check", "--content", "--keymap", "--color", "--ascii"] {
        assert!(s.contains(w), "{w} not in help");
    }
    let out = yanbao(&["--color", "purple"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn serve_without_home_refuses_to_put_the_host_key_in_the_current_folder() {
    let dir = std::env::temp_dir().join(format!("yanbao-nohome-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(&dir)
        .stdin(Stdio::null())
        .env_remove("YANBAO_CONTENT")
        .env_remove("HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("XDG_STATE_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .expect("run yanbao");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no place for the host key"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&dir).expect("read dir").flatten().map(|e| e.path()).collect();
    assert!(left.is_empty(), "written in the current folder: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_definition() {
    let out = yanbao(&["completions", "bash"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for word in ["_yanbao", "serve", "--max-sessions", "export"] {
        assert!(s.contains(word), "{word} missing in the bash completions");
    }
    let out = yanbao(&["completions", "zsh"], &[]);
    assert!(out.status.success() && text(&out.stdout).contains("#compdef yanbao"));
    let out = yanbao(&["man"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    assert!(s.contains(".TH yanbao"), "{}", s.chars().take(200).collect::<String>());
    assert!(s.contains("serve"), "the man page lists the subcommands");
    let out = yanbao(&["completions", "tcsh"], &[]);
    assert_eq!(out.status.code(), Some(2), "an unknown shell is a usage error");
}

/// `yanbao FILE` is a positional beside the subcommands, and flags still
/// come before a subcommand: a clap setting of the importer once made
/// `yanbao --content DIR search Q` a usage error ("the subcommand cannot be
/// used with --content").
#[test]
fn a_file_is_a_positional_and_flags_may_precede_a_subcommand() {
    let out = yanbao(&["--content", "tests/fixtures/valid", "search", "测试"], &[]);
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("cannot be used with"), "{}", text(&out.stderr));
    let out = yanbao(&["--content", "tests/fixtures/valid", "check"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A file that is not there: yanbao's own error naming it, not clap's.
    let out = yanbao(&["no-such-report.md"], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("no-such-report.md") && !err.contains("unrecognized subcommand"), "{err}");
}
