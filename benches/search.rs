//! Search speed: index build, and time per query over the bundled index and
//! over a synthetic index 50 times larger (the reports repeated 50 times).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use yanbao::content::Library;
use yanbao::search::{Index, Query};

const QUERIES: [&str; 6] = ["zgckj", "华为", "金融大模型", "yinhang", "co:sensetime", "智能质检"];

fn library() -> Library {
    let (lib, errors) = Library::load_from(None).expect("bundled content");
    assert!(errors.is_empty());
    lib
}

/// The bundled reports repeated `n` times.
fn scaled(lib: &Library, n: usize) -> Library {
    let mut reports = Vec::new();
    for i in 0..n {
        for r in &lib.reports {
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
    let index = Index::build(&lib);
    println!("1x index: {} units", index.units.len());
    let mut g = c.benchmark_group("query 1x");
    for q in QUERIES {
        let query = Query::parse(q);
        g.bench_function(q, |b| b.iter(|| index.search(black_box(&query), 50)));
    }
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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
