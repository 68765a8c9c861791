//! The cache of a content folder (issue 15): a corrupt, stale or foreign
//! cache file is rebuilt, an edited file is re-read, two processes can build
//! at once, and a cache folder that cannot be written leaves yanbao working.
//! Then a library of 20 reports (`common::make_library`): check and search.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use yanbao::cache::{self, Status};
use yanbao::search::{Index, Query};

/// A fresh folder for one test: `content/` (a copy of the bundled content)
/// and `cache/`.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("yanbao-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(Path::new("content"), &dir.join("content"));
        Scratch(dir)
    }
    fn content(&self) -> PathBuf {
        self.0.join("content")
    }
    fn cache(&self) -> PathBuf {
        self.0.join("cache")
    }
    fn open(&self) -> cache::Opened {
        cache::open(Some(&self.content()), Some(&self.cache())).expect("readable content")
    }
    fn cache_file(&self) -> PathBuf {
        cache::file_for(&self.cache(), Some(&self.content()))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// The first hit's title for a query.
fn first_title(o: &cache::Opened, q: &str) -> Option<String> {
    let index = o.index.as_ref().expect("an index");
    index.search(&Query::parse(q), 1).first().map(|h| index.units[h.unit].title.clone())
}

fn same_as_parsed(o: &cache::Opened, content: &Path) {
    let (lib, errors) = yanbao::content::Library::load_from(Some(content)).unwrap();
    assert!(errors.is_empty());
    assert_eq!(o.lib.counts(), lib.counts());
    assert_eq!(o.lib.nodes.len(), lib.nodes.len());
    let fresh = Index::build(&lib);
    let cached = o.index.as_ref().unwrap();
    assert_eq!(cached.units.len(), fresh.units.len());
    for q in ["zgckj", "华为", "yinhang", "co:sensetime", "金融大模型"] {
        let q = Query::parse(q);
        assert_eq!(cached.search(&q, 20), fresh.search(&q, 20), "same hits for {q:?}");
    }
}

#[test]
fn a_cache_is_built_then_read_and_gives_what_parsing_gives() {
    let s = Scratch::new("hit");
    let first = s.open();
    assert_eq!(first.status, Status::Built);
    let second = s.open();
    assert_eq!(second.status, Status::Hit);
    assert!(second.errors.is_empty());
    same_as_parsed(&second, &s.content());
}

#[test]
fn a_corrupt_cache_file_is_rebuilt() {
    let s = Scratch::new("corrupt");
    assert_eq!(s.open().status, Status::Built);
    let good = std::fs::read(s.cache_file()).unwrap();
    // The header and the catalogue (keys, registries, the reports' heads)
    // are checked at start; a byte just past the header is in the catalogue.
    let mut flipped = good.clone();
    flipped[60] ^= 0x20;
    let truncated = good[..good.len() - 100].to_vec();
    let cases: [(&str, Vec<u8>); 4] = [
        ("a flipped byte in the catalogue", flipped),
        ("a truncated file", truncated),
        ("garbage", b"not a cache at all".repeat(100)),
        ("an empty file", Vec::new()),
    ];
    for (what, bytes) in cases {
        std::fs::write(s.cache_file(), &bytes).unwrap();
        let o = s.open();
        assert_eq!(o.status, Status::Rebuilt("corrupt".into()), "{what}");
        same_as_parsed(&o, &s.content());
        assert_ne!(std::fs::read(s.cache_file()).unwrap(), bytes, "{what}: rewritten");
        assert_eq!(s.open().status, Status::Hit, "{what}: said once, then read");
    }
    // A report's blob is checked when the report is opened: a flipped byte
    // there (the last report is written last) is found then; the report is
    // read from the YAML instead, and the cache file removed, to be rebuilt
    // at the next start.
    std::fs::write(s.cache_file(), &good).unwrap();
    let mut flipped = good.clone();
    let len = flipped.len();
    flipped[len - 100] ^= 0x20;
    std::fs::write(s.cache_file(), &flipped).unwrap();
    let o = s.open();
    assert_eq!(o.status, Status::Hit, "a blob is not read at start");
    same_as_parsed(&o, &s.content());
    assert!(!s.cache_file().exists(), "the corrupt cache file is removed");
    assert_eq!(s.open().status, Status::Built);
    // The payload changed and its checksum with it: decoding is checked too.
    let mut forged = good.clone();
    let len = forged.len();
    forged[len - 1] ^= 0xff;
    let sum = xxh3_128(&forged[48..]);
    forged[32..48].copy_from_slice(&sum.to_le_bytes());
    std::fs::write(s.cache_file(), &forged).unwrap();
    let o = s.open();
    assert!(matches!(o.status, Status::Rebuilt(_) | Status::Hit), "{:?}", o.status);
    if o.status == Status::Hit {
        // A byte that decodes to another valid value: the index must still hold together.
        assert!(o.index.as_ref().unwrap().fits(&o.lib));
    }
}

fn xxh3_128(b: &[u8]) -> u128 {
    // The same hash the cache uses, from the same crate.
    xxhash_rust::xxh3::xxh3_128(b)
}

/// The index's unit lists are read in place from the mapped cache file;
/// lists that fail their checksum are built instead, the hits the same, and
/// the cache file is removed to be rebuilt.
#[test]
fn the_unit_lists_are_read_from_the_cache_and_checked() {
    let s = Scratch::new("lists");
    assert_eq!(s.open().status, Status::Built);
    let o = s.open();
    assert_eq!(o.status, Status::Hit);
    let at = o.pieces.as_ref().unwrap().lists_at().expect("the lists are in the cache");
    assert!(o.index.as_ref().unwrap().postings_mapped(), "read from the mapped file, not built");
    same_as_parsed(&o, &s.content());
    drop(o);
    let good = std::fs::read(s.cache_file()).unwrap();
    for (what, k) in [("the head", at.start + 3), ("the middle", (at.start + at.end) / 2), ("the end", at.end - 1)] {
        let mut flipped = good.clone();
        flipped[k] ^= 0x41;
        std::fs::write(s.cache_file(), &flipped).unwrap();
        let o = s.open();
        assert_eq!(o.status, Status::Hit, "{what}: not read at start");
        same_as_parsed(&o, &s.content());
        assert!(!o.index.as_ref().unwrap().postings_mapped(), "{what}: built instead");
        assert!(!s.cache_file().exists(), "{what}: the corrupt cache file is removed");
        assert_eq!(s.open().status, Status::Built);
    }
}

#[test]
fn a_cache_from_another_version_is_rebuilt() {
    let s = Scratch::new("version");
    s.open();
    let mut bytes = std::fs::read(s.cache_file()).unwrap();
    bytes[8] ^= 1; // the schema id
    std::fs::write(s.cache_file(), &bytes).unwrap();
    assert_eq!(s.open().status, Status::Rebuilt("made by another yanbao version".into()));
    assert_eq!(s.open().status, Status::Hit);
}

#[test]
fn an_edited_file_is_read_again() {
    let s = Scratch::new("edit");
    assert_eq!(s.open().status, Status::Built);
    assert_eq!(s.open().status, Status::Hit);
    let report = s.content().join("ccid/report.yaml");
    let text = std::fs::read_to_string(&report).unwrap();
    let title = text.lines().find_map(|l| l.strip_prefix("title: ")).unwrap().to_string();
    // The same number of bytes, and the old mtime put back: only the hash tells.
    let new_title: String = title.chars().rev().collect();
    assert_eq!(new_title.len(), title.len());
    let mtime = std::fs::metadata(&report).unwrap().modified().unwrap();
    std::fs::write(&report, text.replacen(&title, &new_title, 1)).unwrap();
    std::fs::File::options().write(true).open(&report).unwrap().set_modified(mtime).unwrap();
    let o = s.open();
    assert_eq!(o.status, Status::Rebuilt("stale: ccid/report.yaml changed".into()));
    let parsed = new_title.trim_matches('"');
    assert!(o.lib.reports().any(|r| r.title == parsed), "the new title is read");
    assert_eq!(first_title(&o, parsed).as_deref(), Some(parsed), "and indexed");
    assert_eq!(s.open().status, Status::Hit);

    // A new file, and a removed one.
    let extra = s.content().join("ccid/notes.yaml");
    std::fs::write(&extra, "a: 1\n").unwrap();
    let o = s.open();
    assert_eq!(o.status, Status::Off, "content with a problem is not cached");
    assert!(!o.errors.is_empty());
    std::fs::remove_file(&extra).unwrap();
    assert_eq!(s.open().status, Status::Hit, "the cache of the valid content still stands");
}

#[test]
fn a_cache_folder_that_cannot_be_written_leaves_yanbao_working() {
    let s = Scratch::new("readonly");
    // A cache "folder" under a regular file: nothing can be created there,
    // whoever runs the test (root ignores a read-only mode).
    std::fs::write(s.0.join("file"), "").unwrap();
    let blocked = s.0.join("file/yanbao");
    for _ in 0..2 {
        let o = cache::open(Some(&s.content()), Some(&blocked)).unwrap();
        assert!(matches!(o.status, Status::Unwritable(_)), "{:?}", o.status);
        assert!(o.errors.is_empty());
        same_as_parsed(&o, &s.content());
    }
    // A read-only folder: as root the write goes through, otherwise it is refused.
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(s.cache()).unwrap();
    std::fs::set_permissions(s.cache(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let o = s.open();
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        assert_eq!(o.status, Status::Built);
    } else {
        assert!(matches!(o.status, Status::Unwritable(_)), "{:?}", o.status);
    }
    same_as_parsed(&o, &s.content());
    std::fs::set_permissions(s.cache(), std::fs::Permissions::from_mode(0o755)).unwrap();

    // The command line says nothing about it and answers as usual.
    let out = yanbao(&["--content", s.content().to_str().unwrap(), "search", "zgckj"], &s.0.join("file"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("中关村科金"));
    assert_eq!(text(&out.stderr), "");
}

fn yanbao(args: &[&str], xdg_cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(args)
        .env("XDG_CACHE_HOME", xdg_cache)
        .env_remove("YANBAO_CONTENT")
        .output()
        .expect("run yanbao")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn two_processes_build_the_cache_at_once() {
    let s = Scratch::new("race");
    let xdg = s.0.join("xdg");
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_yanbao"))
            .args(["--content", s.content().to_str().unwrap(), "search", "yinhang", "--limit", "5"])
            .env("XDG_CACHE_HOME", &xdg)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success(), "{} {}", text(&a.stderr), text(&b.stderr));
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(text(&a.stderr), "");
    assert_eq!(text(&b.stderr), "");
    let c = yanbao(&["--content", s.content().to_str().unwrap(), "search", "yinhang", "--limit", "5"], &xdg);
    assert_eq!(c.stdout, a.stdout);
    // What is left is one whole cache file, no temporary files.
    let dir = xdg.join("yanbao");
    let names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let o = cache::open(Some(&s.content()), Some(&dir)).unwrap();
    assert_eq!(o.status, Status::Hit);

    // Threads of one process too, many at once.
    std::fs::remove_dir_all(&dir).unwrap();
    std::thread::scope(|sc| {
        let handles: Vec<_> =
            (0..4).map(|_| sc.spawn(|| cache::open(Some(&s.content()), Some(&dir)).unwrap().status)).collect();
        for h in handles {
            let st = h.join().unwrap();
            assert!(matches!(st, Status::Built | Status::Hit), "{st:?}");
        }
    });
    assert_eq!(cache::open(Some(&s.content()), Some(&dir)).unwrap().status, Status::Hit);
}

#[test]
fn no_cache_bypasses_it_and_check_never_uses_it() {
    let s = Scratch::new("nocache");
    let xdg = s.0.join("xdg");
    let c = s.content();
    let c = c.to_str().unwrap();
    let out = yanbao(&["--no-cache", "--content", c, "search", "zgckj"], &xdg);
    assert!(out.status.success());
    assert!(!xdg.exists(), "--no-cache writes nothing");
    let out = yanbao(&["check", "--content", c], &xdg);
    assert!(out.status.success());
    assert!(!xdg.exists(), "check writes nothing");
    let out = yanbao(&["--content", c, "search", "zgckj"], &xdg);
    assert!(out.status.success());
    assert!(xdg.join("yanbao").exists(), "search builds the cache");
    // A broken file: check reports it with its line even though a cache exists.
    let ch = std::fs::read_dir(s.content().join("ccid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().is_some_and(|n| n != "report.yaml"))
        .unwrap();
    let text_before = std::fs::read_to_string(&ch).unwrap();
    std::fs::write(&ch, format!("{text_before}\nbroken: [\n")).unwrap();
    let out = yanbao(&["check", "--content", c], &xdg);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let name = ch.file_name().unwrap().to_string_lossy();
    assert!(err.contains(&format!("ccid/{name}:")), "{err}");
    let out = yanbao(&["--content", c, "search", "zgckj"], &xdg);
    assert_eq!(out.status.code(), Some(1), "search reports the problem too, not the cached content");
}

#[test]
fn a_library_of_20_reports_checks_and_searches() {
    let dir = common::make_library("lib20", 10);
    let xdg = dir.with_extension("xdg");
    let d = dir.to_str().unwrap();
    let out = yanbao(&["check", "--content", d], &xdg);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("reports            20"), "{}", text(&out.stdout));
    let out = yanbao(&["--content", d, "search", "zgckj", "--kind", "co", "--limit", "3"], &xdg);
    assert!(text(&out.stdout).contains("中关村科金"), "{}", text(&out.stdout));
    // Each copy's ids have the prefix x<i>-: the hits lead into all ten copies
    // of a report, the same whether parsed or read from the cache.
    let mut runs = Vec::new();
    for run in ["parsed", "cached"] {
        let out = yanbao(&["--content", d, "search", "sec:白皮书", "--limit", "100", "--json"], &xdg);
        assert!(out.status.success(), "{run}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        for i in 0..10 {
            assert!(stdout.contains(&format!("\"report\":\"x{i}-fs\"")), "{run}: copy {i} found: {stdout}");
        }
        runs.push(stdout);
    }
    assert_eq!(runs[0], runs[1]);
    let file = cache::file_for(&xdg.join("yanbao"), Some(&dir));
    assert!(file.exists(), "the second run read {}", file.display());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&xdg);
}

// ------------------------------------------------- issue 26, N10

/// Every file below `dir` gets the mtime 2020-01-01, as after unpacking an
/// archive with normalised mtimes.
fn set_old_mtimes(dir: &Path) {
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800);
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            set_old_mtimes(&p);
        } else {
            std::fs::File::options().write(true).open(&p).unwrap().set_modified(old).unwrap();
        }
    }
}

#[test]
fn a_sparse_cache_claiming_a_huge_catalogue_is_refused_not_allocated() {
    let s = Scratch::new("sparse");
    assert_eq!(s.open().status, Status::Built);
    let good = std::fs::read(s.cache_file()).unwrap();
    let mut head = good[..48].to_vec();
    head[24..32].copy_from_slice(&(8u64 << 30).to_le_bytes());
    std::fs::write(s.cache_file(), &head).unwrap();
    // Sparse: the file's size agrees with the claim, no disk is used.
    std::fs::File::options().write(true).open(s.cache_file()).unwrap().set_len(48 + (8 << 30) + 1000).unwrap();
    let o = s.open();
    assert_eq!(o.status, Status::Rebuilt("corrupt".into()));
    same_as_parsed(&o, &s.content());
    assert_eq!(s.open().status, Status::Hit);
}

#[test]
fn a_cache_file_of_another_library_is_not_taken_for_this_one() {
    let a = Scratch::new("swap-a");
    let b = Scratch::new("swap-b");
    // The same files but one, changed in place to the same size.
    let f = b.content().join("ccid/report.yaml");
    let text = std::fs::read_to_string(&f).unwrap();
    let title = text.lines().find_map(|l| l.strip_prefix("title: ")).unwrap().to_string();
    let other: String = title.chars().rev().collect();
    std::fs::write(&f, text.replacen(&title, &other, 1)).unwrap();
    set_old_mtimes(&a.content());
    set_old_mtimes(&b.content());
    assert_eq!(a.open().status, Status::Built);
    let b_file = cache::file_for(&a.cache(), Some(&b.content()));
    std::fs::create_dir_all(b.cache()).unwrap();
    assert_eq!(cache::open(Some(&b.content()), Some(&a.cache())).unwrap().status, Status::Built);
    // b's cache file in a's place.
    std::fs::copy(&b_file, a.cache_file()).unwrap();
    let o = a.open();
    assert_eq!(o.status, Status::Rebuilt("stale: made for another content folder".into()));
    same_as_parsed(&o, &a.content());
}

#[test]
fn an_edit_that_keeps_size_and_an_old_mtime_is_seen() {
    let s = Scratch::new("old-mtime");
    set_old_mtimes(&s.content());
    assert_eq!(s.open().status, Status::Built);
    assert_eq!(s.open().status, Status::Hit);
    let report = s.content().join("ccid/report.yaml");
    let text = std::fs::read_to_string(&report).unwrap();
    let title = text.lines().find_map(|l| l.strip_prefix("title: ")).unwrap().to_string();
    let new_title: String = title.chars().rev().collect();
    // Well outside the 2-second racy window: the mtime is years old.
    std::fs::write(&report, text.replacen(&title, &new_title, 1)).unwrap();
    set_old_mtimes(&s.content());
    let o = s.open();
    assert_eq!(o.status, Status::Rebuilt("stale: ccid/report.yaml changed".into()));
    assert!(o.lib.reports().any(|r| r.title == new_title.trim_matches('"')), "the new title is read");
}
