//! The fuzz targets' harnesses (fuzz/fuzz_targets/harness.rs), run on the
//! checked-in seeds and on every crash the fuzzers found, so that each crash
//! stays fixed and the harnesses build on stable with the rest of the tests.
//! A crash input goes in tests/fuzz_regressions/<target>/ and gets a named
//! test below saying what it was.

#[path = "../../fuzz/fuzz_targets/harness.rs"]
mod harness;

use std::path::Path;

type Harness = fn(&[u8]);

const TARGETS: [(&str, Harness); 10] = [
    ("content", harness::content),
    ("keymap", harness::keymap),
    ("query", harness::query),
    ("ssh_input", harness::ssh_input),
    ("app", harness::app),
    ("proxy", harness::proxy),
    ("import", harness::import),
    ("config", harness::config),
    ("state", harness::state),
    ("cache", harness::cache),
];

/// Every file of `dir/<target>/` through its harness; how many ran.
fn replay(dir: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut n = 0;
    for (target, run) in TARGETS {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else { continue };
        let mut files: Vec<_> = entries.map(|e| e.expect("readable entry").path()).collect();
        files.sort();
        for f in files {
            let bytes = std::fs::read(&f).expect("readable input");
            eprintln!("{target}: {}", f.display());
            run(&bytes);
            n += 1;
        }
    }
    n
}

#[test]
fn seeds_pass_every_harness() {
    assert!(replay("fuzz/seeds") >= 5 * 4, "the seed corpus is missing");
}

#[test]
fn crash_inputs_stay_fixed() {
    // An empty or missing folder would pass without replaying anything.
    assert!(replay("tests/fuzz_regressions") > 0, "no crash input replayed: tests/fuzz_regressions/<target>/ is empty");
}

/// The audit's chart-view crash (F2, a byte slice of a chart label inside
/// a Chinese character): at 80x25, one byte per packet, keys `3` Enter
/// `j j j` Enter `j c` Esc `&`.
#[test]
fn app_chart_view_label_slice() {
    let mut input = vec![79, 24, 2, 0, 79, 24];
    input.extend_from_slice(b"3\rjjj\rjc\x1b&");
    harness::app(&input);
}

/// The query fuzzer's crash after the finder began ranking first and
/// marking later: `000000` with 8 results. A scattered score depended on
/// the texts the skim matcher had seen before on the thread (its cached
/// score matrix is not wholly reset), so marking a hit again changed its
/// rank and the debug assertion fired.
#[test]
fn query_scattered_score_is_history_free() {
    harness::query(b"\x07000000");
}
