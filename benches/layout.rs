//! Layout speed of one huge paragraph and one huge heading (issue 26, N6):
//! `check` refuses a block over 64 KB, but the layout must stay linear in
//! the length of a block whatever reaches it. 1 MB of CJK text (about
//! 350,000 characters) laid out at 80 columns.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use yanbao::content::{Files, Library, load};
use yanbao::doc::{LayoutOpts, Page, build_page};

/// A one-chapter library whose chapter holds `text` as a paragraph (or as
/// its heading). The loader reports the block as too long and keeps it.
fn library(text: &str, heading: bool) -> Library {
    let mut files = Files::new();
    files.insert("industries.yaml".into(), "- id: finance\n  name: 金融\n".into());
    files.insert("companies.yaml".into(), "[]\n".into());
    files.insert(
        "r/report.yaml".into(),
        "id: r\ntitle: 报告\npublisher: 测试\ndate: 2026-01\nsource: 测试\nchapters: [c]\n".into(),
    );
    let chapter = if heading {
        format!("id: r-1\ntitle: \"{text}\"\nblocks:\n  - kind: text\n    text: 正文。\n")
    } else {
        format!("id: r-1\ntitle: 第一章\nblocks:\n  - kind: text\n    text: \"{text}\"\n")
    };
    files.insert("r/c.yaml".into(), chapter);
    let (lib, _too_long) = load(&files);
    lib
}

fn chapter(lib: &Library) -> Page {
    (0..lib.nodes.len()).find(|&n| lib.head_section(n).is_some()).map(Page::Node).expect("a chapter")
}

fn bench(c: &mut Criterion) {
    let opts =
        LayoutOpts { width: 80, ascii: false, compact_tables: false, table_bars: false, measure: 0, ambiwide: false };
    // 1 MB: a CJK sentence with punctuation, repeated.
    let mut text = String::new();
    for c in "研报中的一段很长的正文，包括数字2026年与英文words。".chars().cycle() {
        if text.len() + c.len_utf8() > 1 << 20 {
            break;
        }
        text.push(c);
    }
    let mut g = c.benchmark_group("layout");
    g.sample_size(10);
    for (name, heading) in [("paragraph_1MB", false), ("heading_1MB", true)] {
        let lib = library(&text, heading);
        let page = chapter(&lib);
        g.bench_function(name, |b| b.iter(|| black_box(build_page(&lib, page, opts)).lines.len()));
    }
    // The step that was quadratic, old and new on the same lines: each
    // line's offset in characters, counted from the start of the paragraph
    // for every line (before), or on from the line before (after).
    let ranges = yanbao::text::wrap_ranges(&text, 80);
    g.bench_function("offsets_from_start_before", |b| {
        b.iter(|| ranges.iter().map(|r| text.get(..r.start).map_or(0, |t| t.chars().count())).sum::<usize>())
    });
    g.bench_function("offsets_counted_on_after", |b| {
        b.iter(|| {
            let (mut counted, mut chars, mut sum) = (0, 0, 0usize);
            for r in &ranges {
                chars += text.get(counted..r.start).map_or(0, |t| t.chars().count());
                counted = r.start.max(counted);
                sum += chars;
            }
            sum
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
