//! The config file: every option parses, and a bad file names the file, the
//! line and the problem; `yanbao check` validates it, the explorer refuses it.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use yanbao::config::{AmbiWidth, ColorWhen, Options};

fn fixture(name: &str) -> (String, String) {
    let path = format!("tests/fixtures/config/{name}");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

fn errors(name: &str) -> Vec<String> {
    let (path, text) = fixture(name);
    let mut o = Options::default();
    let e = o.apply_file(&path, &text).expect_err("a bad config").iter().map(|e| e.to_string()).collect();
    assert_eq!(o, Options::default(), "a bad file changes nothing");
    e
}

fn yanbao(args: &[&str], config_home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(args)
        .stdin(Stdio::null())
        .env_remove("YANBAO_CONTENT")
        .env("XDG_CONFIG_HOME", config_home)
        .env("XDG_CACHE_HOME", config_home.join("cache"))
        .env("XDG_STATE_HOME", config_home.join("state"))
        .output()
        .expect("run yanbao")
}

fn temp_home(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yanbao-config-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("yanbao")).unwrap();
    d
}

#[test]
fn every_option_is_read() {
    let (path, text) = fixture("full.yaml");
    let mut o = Options::default();
    o.apply_file(&path, &text).unwrap();
    assert_eq!(
        o,
        Options {
            color: ColorWhen::Never,
            ascii: true,
            ambiwidth: AmbiWidth::Wide,
            width: Some(72),
            mouse: true,
            copy_to: Some(PathBuf::from("/tmp/yanbao-clips.md")),
            tree: false,
            tree_width: Some(32),
            library: Some(PathBuf::from("/tmp/yanbao-library")),
            citation: yanbao::export::CitationStyle::Gb7714,
        }
    );
}

#[test]
fn width_0_is_no_cap_as_the_flag() {
    let (path, text) = fixture("no_cap.yaml");
    let mut o = Options::default();
    o.apply_file(&path, &text).unwrap();
    assert_eq!(o, Options { width: Some(0), ..Options::default() });
}

#[test]
fn an_empty_file_is_the_defaults() {
    let (path, text) = fixture("empty.yaml");
    let mut o = Options::default();
    o.apply_file(&path, &text).unwrap();
    assert_eq!(o, Options::default());
    assert!(!o.mouse, "the mouse is off unless asked for");
}

#[test]
fn an_unknown_key_is_an_error_with_its_line() {
    assert_eq!(
        errors("unknown_key.yaml"),
        [
            "tests/fixtures/config/unknown_key.yaml:2:1: unknown key \"colour\" (expected one of color, ascii, ambiwidth, width, mouse, copy_to, tree, tree_width, library, citation)"
        ]
    );
}

#[test]
fn every_bad_value_is_reported_with_its_line() {
    assert_eq!(
        errors("bad_values.yaml"),
        [
            "tests/fixtures/config/bad_values.yaml:1:1: color must be auto, always or never, not \"sometimes\"",
            "tests/fixtures/config/bad_values.yaml:2:1: ascii must be true or false, not \"yes\"",
            "tests/fixtures/config/bad_values.yaml:3:1: ambiwidth must be narrow or wide, not 2",
            "tests/fixtures/config/bad_values.yaml:4:1: width must be 0 (no cap) or a whole number from 20 to 1000, not 5",
            "tests/fixtures/config/bad_values.yaml:6:1: tree_width must be a whole number from 16 to 80, not \"wide\"",
            "tests/fixtures/config/bad_values.yaml:7:1: copy_to must be a file name, not \"\"",
        ]
    );
}

#[test]
fn a_key_set_twice_names_the_second() {
    assert_eq!(errors("duplicate.yaml"), ["tests/fixtures/config/duplicate.yaml:3:1: mouse is set twice"]);
}

#[test]
fn malformed_yaml_and_a_list_are_errors() {
    assert_eq!(
        errors("malformed.yaml"),
        ["tests/fixtures/config/malformed.yaml:3:5: malformed YAML: did not find expected ',' or ']'"]
    );
    assert_eq!(
        errors("not_a_mapping.yaml"),
        [
            "tests/fixtures/config/not_a_mapping.yaml:1:1: a config is a mapping of options (color, ascii, ambiwidth, width, mouse, copy_to, tree, tree_width, library, citation)"
        ]
    );
}

#[test]
fn check_validates_the_default_config_file() {
    let home = temp_home("check");
    let file = home.join("yanbao/config.yaml");
    std::fs::write(&file, "mouse: true\nwidth: 5\n").unwrap();
    let out = yanbao(&["check"], &home);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        format!("{}:2:1: width must be 0 (no cap) or a whole number from 20 to 1000, not 5", file.display())
    );
    // Fixed, it passes; and no file at all is fine.
    std::fs::write(&file, "mouse: true\nwidth: 72\n").unwrap();
    assert!(yanbao(&["check"], &home).status.success());
    std::fs::remove_file(&file).unwrap();
    assert!(yanbao(&["check"], &home).status.success());
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn an_explicit_config_must_exist_and_stops_the_explorer_when_bad() {
    let home = temp_home("explicit");
    let out = yanbao(&["--config", "tests/fixtures/config/nowhere.yaml", "check"], &home);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("tests/fixtures/config/nowhere.yaml: "));
    // The explorer reports a bad config before it needs a terminal.
    let out = yanbao(&["--config", "tests/fixtures/config/unknown_key.yaml"], &home);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("tests/fixtures/config/unknown_key.yaml:2:1: unknown key")
    );
    let _ = std::fs::remove_dir_all(&home);
}
