//! Import time against input size (issue 20: "32 s per MB, superlinear?").
//! A measurement, not a test: `#[ignore]`, no timing asserts. Run with
//! `it import_speed:: --ignored --nocapture` and read the table.

use std::time::Instant;
use yanbao::import::synthetic::synthetic_markdown;
use yanbao::import::{Encoding, import};

#[test]
#[ignore = "a measurement: prints import time per input size"]
fn import_time_by_size() {
    println!("| size | bytes | chapters | sections | tables | seconds | seconds per MB |");
    println!("|---|---|---|---|---|---|---|");
    for kb in [256usize, 512, 1024, 2048] {
        let md = synthetic_markdown(kb << 10);
        let t = Instant::now();
        let imp = import("synthetic.md", md.as_bytes(), Encoding::Utf8).expect("imports");
        let s = t.elapsed().as_secs_f64();
        let mb = md.len() as f64 / (1 << 20) as f64;
        println!(
            "| {kb} KB | {} | {} | {} | {} | {s:.2} | {:.2} |",
            md.len(),
            imp.chapters,
            imp.sections,
            imp.tables,
            s / mb
        );
    }
}
