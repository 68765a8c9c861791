//! Search speed: index build, and time per query over the bundled index and
//! over a synthetic index 50 times larger (the reports repeated 50 times).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;
use yanbao::action::Action;
use yanbao::app::App;
use yanbao::content::Library;
use yanbao::keymap::Keymap;
use yanbao::search::{Index, Query};
use yanbao::theme::{ColorDepth, Theme};

const QUERIES: [&str; 10] = [
    "zgckj",
    "华为",
    "金融大模型",
    "yinhang",
    "co:sensetime",
    "智能质检",
    // Several terms: an unordered AND, a location match, atoms.
    "华为 制造",
    "标杆案例 金融",
    "'银行 | '证券 !云",
    "zgckj ^zheng",
];

/// A 4 KB query (the finder caps typing at 200 characters; the CLI and a
/// paste go through `Query::parse`, which caps it too).
fn long_query() -> String {
    "ab 中文 zh ".chars().cycle().take(4096).collect()
}

fn library() -> Library {
    let (lib, errors) = Library::load_from(None).expect("bundled content");
    assert!(errors.is_empty());
    lib
}

/// The bundled reports repeated `n` times.
fn scaled(lib: &Library, n: usize) -> Library {
    let mut reports = Vec::new();
    for i in 0..n {
        for r in lib.reports() {
            let mut r = r.clone();
            r.id = format!("{}-{i}", r.id);
            reports.push(r);
        }
    }
    Library::new(reports, lib.industries.clone(), lib.companies.clone())
}

fn bench(c: &mut Criterion) {
    let lib = library();
    c.bench_function("index build (1x, pinyin keys included)", |b| b.iter(|| Index::build(black_box(&lib))));
    // The first search also builds the per-character unit lists.
    let first = Query::parse("华为");
    c.bench_function("first query (1x, unit lists built)", |b| {
        b.iter_batched(|| Index::build(&lib), |index| index.search(&first, 50), criterion::BatchSize::LargeInput)
    });
    let index = Index::build(&lib);
    println!("1x index: {} units", index.units.len());
    let mut g = c.benchmark_group("query 1x");
    for q in QUERIES {
        let query = Query::parse(q);
        g.bench_function(q, |b| b.iter(|| index.search(black_box(&query), 50)));
    }
    let query = Query::parse(&long_query());
    g.bench_function("4 KB query", |b| b.iter(|| index.search(black_box(&query), 50)));
    g.finish();

    let big = scaled(&lib, 50);
    let index = Index::build(&big);
    println!("50x index: {} units", index.units.len());
    let mut g = c.benchmark_group("query 50x");
    g.sample_size(20);
    for q in QUERIES {
        let query = Query::parse(q);
        g.bench_function(q, |b| b.iter(|| index.search(black_box(&query), 50)));
    }
    let query = Query::parse(&long_query());
    g.bench_function("4 KB query", |b| b.iter(|| index.search(black_box(&query), 50)));
    // Typing a query one key at a time: every prefix is a search, as the
    // finder runs it (500 results), over the whole index each time ("full")
    // or among the units the last prefix matched ("narrowed", the finder's).
    for q in ["yinhang", "zhongguancun"] {
        let prefixes: Vec<Query> =
            (1..=q.len()).map(|n| Query::parse(&q.chars().take(n).collect::<String>())).collect();
        g.bench_function(format!("{q} typed, all {} keys, full", q.len()), |b| {
            b.iter(|| prefixes.iter().map(|p| index.find(black_box(p), 500, &[]).matched).sum::<usize>())
        });
        g.bench_function(format!("{q} typed, all {} keys, narrowed", q.len()), |b| {
            b.iter(|| {
                let mut kept = None;
                prefixes.iter().map(|p| index.find_narrowing(black_box(p), 500, &[], &mut kept).matched).sum::<usize>()
            })
        });
        per_key(&index, q, &prefixes);
    }
    g.finish();
}

/// Each key of a typed query, full and narrowed side by side: the median
/// of 7 runs of the whole sequence, in milliseconds.
fn per_key(index: &Index, q: &str, prefixes: &[Query]) {
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    let mut full = vec![Vec::new(); prefixes.len()];
    let mut narrowed = vec![Vec::new(); prefixes.len()];
    for _ in 0..7 {
        let mut kept = None;
        for (k, p) in prefixes.iter().enumerate() {
            let t = std::time::Instant::now();
            black_box(index.find(p, 500, &[]));
            full[k].push(ms(t.elapsed()));
            let t = std::time::Instant::now();
            black_box(index.find_narrowing(p, 500, &[], &mut kept));
            narrowed[k].push(ms(t.elapsed()));
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!("{q}, per key on the 50x index (ms, median of 7): key  full  narrowed");
    let (mut a, mut b) = (0.0, 0.0);
    for (k, (f, n)) in full.iter_mut().zip(&mut narrowed).enumerate() {
        let (f, n) = (median(f), median(n));
        (a, b) = (a + f, b + n);
        println!("  {:<14} {f:7.1} {n:7.1}", q.chars().take(k + 1).collect::<String>());
    }
    println!("  {:<14} {a:7.1} {b:7.1}", "all keys");
}

/// Hostile finder input: 4 KB typed one key at a time, and a 64 KB paste.
/// Every key is a search until the query reaches its cap; the paste is one.
fn hostile(c: &mut Criterion) {
    let lib = Arc::new(library());
    let index = Arc::new(Index::build(&lib));
    let app = || {
        let mut app = App::new(
            Arc::clone(&lib),
            Arc::clone(&index),
            Arc::new(Keymap::defaults()),
            Theme::new(ColorDepth::Ansi16, false),
            (80, 24),
        );
        app.update(Action::Search);
        app
    };
    let mut g = c.benchmark_group("finder, hostile input");
    g.sample_size(10);
    for (name, unit) in [("4 KB typed, a", "a"), ("4 KB typed, 中", "中"), ("4 KB typed, zh", "zh")] {
        let keys: Vec<char> = unit.chars().cycle().take(4096 / unit.len()).collect();
        g.bench_function(name, |b| {
            b.iter_batched(
                app,
                |mut app| {
                    for &k in &keys {
                        app.update(Action::Insert(k));
                    }
                    app
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
    let paste: String = "ab中文zh".chars().cycle().take(64 * 1024).collect();
    g.bench_function("64 KB paste", |b| {
        b.iter_batched(
            app,
            |mut app| {
                app.update(Action::InsertText(paste.clone()));
                app
            },
            criterion::BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench, hostile);
criterion_main!(benches);
