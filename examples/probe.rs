use std::time::Instant;
use yanbao::content::Library;
use yanbao::search::{Index, Query};
fn main() {
    let q = std::env::args().nth(1).unwrap_or("yinhang".into());
    let n: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(1);
    let (lib, _) = Library::load_from(None).unwrap();
    let mut reports = Vec::new();
    for i in 0..n {
        for r in &lib.reports {
            let mut r = r.clone();
            r.id = format!("{}-{i}", r.id);
            reports.push(r);
        }
    }
    let big = Library::new(reports, lib.industries.clone(), lib.companies.clone());
    let idx = Index::build(&big);
    let query = Query::parse(&q);
    let reps = 2000 / n;
    let t = Instant::now();
    let mut hits = 0;
    for _ in 0..reps {
        hits = std::hint::black_box(idx.search(&query, 50)).len();
    }
    println!("{q} x{n}: {:?} ({hits} hits)", t.elapsed() / reps as u32);
}
