//! The page cache (issue 15): laid-out pages in one bounded LRU, shared by
//! every app reading the same library (the SSH server's sessions).

use crate::common::*;
use std::sync::Arc;
use yanbao::app::App;
use yanbao::content::Library;
use yanbao::doc::{self, LayoutOpts, MAX_PAGE_BYTES, MAX_PAGES, Page, Pages};
use yanbao::keymap::Keymap;
use yanbao::theme::{ColorDepth, Theme};

fn opts(width: u16) -> LayoutOpts {
    LayoutOpts { width, ascii: false, compact_tables: false, table_bars: false, measure: 0, ambiwide: false }
}

/// Sections (not reports: those pages are the largest), first to last.
fn sections(lib: &Library) -> Vec<Page> {
    (0..lib.nodes.len()).filter(|&n| lib.head_section(n).is_some()).map(Page::Node).collect()
}

fn app_sharing(pages: &Arc<Pages>, w: u16, h: u16) -> App {
    let theme = Theme::new(ColorDepth::Ansi16, false);
    App::with_pages(library(), index(), Arc::new(Keymap::defaults()), theme, (w, h), Arc::clone(pages))
}

#[test]
fn the_cache_keeps_at_most_its_page_count_least_recently_used_first_out() {
    let lib = library();
    let pages = Pages::with_bounds(&lib, 3, usize::MAX);
    let p = sections(&lib);
    let a = pages.get(&lib, p[0], opts(80));
    pages.get(&lib, p[1], opts(80));
    pages.get(&lib, p[2], opts(80));
    assert_eq!(pages.len(), 3);
    // p[0] used again: p[1] is now the least recently used.
    assert!(Arc::ptr_eq(&a, &pages.get(&lib, p[0], opts(80))), "a kept page is returned, not laid out again");
    pages.get(&lib, p[3], opts(80));
    pages.get(&lib, p[4], opts(80));
    assert_eq!(pages.len(), 3, "no more than 3 pages: {pages:?}");
    assert!(pages.contains(p[0], opts(80)) && pages.contains(p[4], opts(80)) && pages.contains(p[3], opts(80)));
    assert!(!pages.contains(p[1], opts(80)) && !pages.contains(p[2], opts(80)), "the least recently used went first");
    assert_eq!(pages.built(), 5);
    // The same page at another width is another page.
    pages.get(&lib, p[0], opts(60));
    assert!(pages.contains(p[0], opts(60)) && pages.built() == 6);
}

#[test]
fn the_cache_keeps_at_most_its_byte_budget() {
    let lib = library();
    let p = sections(&lib);
    let size = |page: Page| doc::build_page(&lib, page, opts(80)).heap_bytes();
    let (s0, s1, s2) = (size(p[0]), size(p[1]), size(p[2]));
    assert!(s0 > 0 && s1 > 0 && s2 > 0);
    // Room for the last two pages, not for all three.
    let budget = s1 + s2;
    assert!(s0 + s1 + s2 > budget);
    let pages = Pages::with_bounds(&lib, 100, budget);
    for &page in &p[..3] {
        pages.get(&lib, page, opts(80));
        assert!(pages.bytes() <= budget, "{} bytes over a budget of {budget}", pages.bytes());
    }
    assert_eq!(pages.len(), 2, "{pages:?}");
    assert_eq!(pages.bytes(), s1 + s2, "the bytes counted are the kept pages'");
    assert!(!pages.contains(p[0], opts(80)));
    // A page larger than the whole budget is laid out but not kept.
    let small = Pages::with_bounds(&lib, 100, s0 - 1);
    let d = small.get(&lib, p[0], opts(80));
    assert!(!d.lines.is_empty() && small.is_empty() && small.bytes() == 0);
}

#[test]
fn the_default_bounds_hold_and_are_sensible() {
    assert_eq!((MAX_PAGES, MAX_PAGE_BYTES), (256, 64 << 20));
    let lib = library();
    let pages = Pages::new(&lib);
    // More pages than the bound: every section at two widths.
    let p = sections(&lib);
    let mut n = 0;
    for w in [40, 41, 42] {
        for &page in &p {
            pages.get(&lib, page, opts(w));
            n += 1;
        }
    }
    assert!(n > MAX_PAGES, "{n} pages laid out");
    assert!(pages.len() <= MAX_PAGES && pages.bytes() <= MAX_PAGE_BYTES, "{pages:?}");
    assert!(pages.len() > MAX_PAGES / 2, "the bundled pages are small: the count binds first: {pages:?}");
}

#[test]
fn two_apps_sharing_the_cache_reuse_each_others_pages() {
    let pages = Arc::new(Pages::new(&library()));
    let mut a = app_sharing(&pages, 120, 40);
    let mut b = app_sharing(&pages, 120, 40);
    assert!(Arc::ptr_eq(a.state.pages(), b.state.pages()));
    assert!(Arc::ptr_eq(&a.state.reader.doc, &b.state.reader.doc), "the first page is laid out once");
    keys(&mut a, "jjj");
    let built = pages.built();
    keys(&mut b, "jjj");
    assert_eq!(a.state.reader.node, b.state.reader.node);
    assert!(Arc::ptr_eq(&a.state.reader.doc, &b.state.reader.doc), "b reads the page a laid out");
    assert_eq!(pages.built(), built, "b laid nothing out");
    // An industry page too.
    keys(&mut a, "i1");
    keys(&mut b, "i1");
    assert!(a.state.reader.industry.is_some());
    assert!(Arc::ptr_eq(&a.state.reader.doc, &b.state.reader.doc));
    // Apps of their own do not share.
    let c = app(120, 40);
    assert!(!Arc::ptr_eq(c.state.pages(), &pages) && !Arc::ptr_eq(&c.state.reader.doc, &a.state.reader.doc));
}

#[test]
fn a_cache_made_for_another_library_is_not_used() {
    let (other, _) = Library::load_from(None).expect("bundled content");
    let other = Arc::new(other);
    let theirs = Arc::new(Pages::new(&other));
    assert!(theirs.is_for(&other) && !theirs.is_for(&library()));
    let a = app_sharing(&theirs, 100, 30);
    assert!(!Arc::ptr_eq(a.state.pages(), &theirs) && theirs.is_empty(), "pages of another library are kept apart");
}

#[test]
fn sessions_asking_for_one_page_at_once_lay_it_out_once() {
    let lib = library();
    let pages = Arc::new(Pages::new(&lib));
    let page = sections(&lib)[0];
    let docs: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4).map(|_| s.spawn(|| pages.get(&lib, page, opts(90)))).collect();
        hs.into_iter().map(|h| h.join().expect("no panic")).collect()
    });
    assert!(docs.windows(2).all(|w| Arc::ptr_eq(&w[0], &w[1])));
    assert_eq!(pages.built(), 1);
    assert_eq!(pages.len(), 1);
}

/// A one-chapter library whose only paragraph is `text` (the loader reports
/// a paragraph over 64 KB and keeps it).
fn one_paragraph(text: &str) -> Library {
    let mut files = yanbao::content::Files::new();
    files.insert("industries.yaml".into(), "- id: finance\n  name: 金融\n".into());
    files.insert("companies.yaml".into(), "[]\n".into());
    files.insert(
        "r/report.yaml".into(),
        "id: r\ntitle: 报告\npublisher: 测试\ndate: 2026-01\nsource: 测试\nchapters: [c]\n".into(),
    );
    files.insert("r/c.yaml".into(), format!("id: r-1\ntitle: 第一章\nblocks:\n  - kind: text\n    text: \"{text}\"\n"));
    yanbao::content::load(&files).0
}

/// Each line of a long wrapped paragraph records how many characters of
/// the paragraph come before it (the offsets are now counted on from line
/// to line, issue 26 N6).
#[test]
fn a_long_paragraphs_lines_know_their_character_offsets() {
    let text: String = "一段正文，含 words 与数字 2026。新的一句 ".chars().cycle().take(20_000).collect();
    let lib = one_paragraph(&text);
    let page = sections(&lib)[0];
    let d = doc::build_page(&lib, page, opts(40));
    let source = yanbao::text::sanitize(&text);
    let lines: Vec<_> =
        d.lines.iter().filter(|l| l.para != 0 && l.at.item == d.lines.last().map_or(0, |l| l.at.item)).collect();
    assert!(lines.len() > 500, "{} lines", lines.len());
    for l in lines {
        let shown = l.text();
        let shown = shown.trim();
        let at = source.chars().skip(l.at.off as usize).collect::<String>();
        assert!(at.trim_start().starts_with(shown), "offset {} does not start {shown:?}", l.at.off);
    }
}

/// Time to lay out one paragraph of 256 KB to 4 MB (issue 26, N6): linear
/// means about twice the time per doubling. Run with `--ignored --nocapture`.
#[test]
#[ignore]
fn measure_layout_of_one_huge_paragraph() {
    for kb in [256, 512, 1024, 2048, 4096] {
        let text: String = "研报中的一段很长的正文，包括数字2026年。".chars().cycle().take(kb * 1024 / 3).collect();
        let lib = one_paragraph(&text);
        let page = sections(&lib)[0];
        let t = std::time::Instant::now();
        let d = doc::build_page(&lib, page, opts(80));
        eprintln!("{kb:>5} KB: {} lines in {:?}", d.lines.len(), t.elapsed());
    }
}
