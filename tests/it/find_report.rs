//! `/` over the whole report (issue 22): the counter is report-wide, `n`
//! and `N` cross sections, the search wraps at the report's ends, and a
//! term found only in other reports says so.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use yanbao::app::{App, FindState};
use yanbao::doc::{Page, build_page};

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

fn at_root(w: u16, h: u16) -> App {
    let mut app = app(w, h);
    app.state.jump_to(node("fs"));
    app.update(yanbao::action::Action::FocusNext);
    app
}

fn find(app: &mut App, q: &str) {
    keys(app, &format!("/{q}"));
    key(app, KeyCode::Enter, KeyModifiers::NONE);
}

/// The matches of `q` in the F&S report counted apart from the app: its
/// root page and each chapter's page (which shows its subsections).
fn report_total(app: &App, q: &str) -> usize {
    let lib = library();
    let root = node("fs");
    let opts = app.state.layout_opts();
    std::iter::once(root)
        .chain(lib.nodes[root].children.iter().copied())
        .map(|n| {
            let doc = build_page(&lib, Page::Node(n), opts);
            let mut f = FindState::default();
            f.set_query(q, &doc);
            f.matches.len()
        })
        .sum()
}

/// "3/41" as (3, 41).
fn position(app: &App) -> (usize, usize) {
    let p = app.state.find_position().expect("a find position");
    let (a, b) = p.split_once('/').expect("k/n");
    (a.parse().unwrap_or(0), b.parse().expect("a total"))
}

/// The focus is on the current match's line, in view.
fn on_current_match(app: &App) {
    let f = &app.state.reader.find;
    let line = f.current.map(|c| f.matches[c].line()).expect("a current match");
    assert_eq!(app.state.focus_line(), line, "the focus is on the match");
    // At the reading line, unless the page's top or end is nearer.
    if app.state.reader.scroll > 0 && app.state.reader.scroll < app.state.max_scroll() {
        assert_eq!(app.state.reader.scroll + app.state.reading_row(), line, "the match is at the reading line");
    }
}

/// The audit: at the F&S root, `/银行` gave `-/0`. Now it finds the first
/// match in the report, and the counter counts the whole report.
#[test]
fn find_at_the_root_searches_the_whole_report() {
    let mut app = at_root(100, 30);
    find(&mut app, "银行");
    let total = report_total(&app, "银行");
    assert!(total >= 7, "the report holds 银行 at least 7 times: {total}");
    assert_eq!(position(&app), (1, total));
    assert_ne!(app.state.reader.node, node("fs"), "the first match is in a section");
    on_current_match(&app);
    assert!(screen(&render(&app)).contains(&format!("[银行] 1/{total}")));
}

/// `n` steps one match at a time through the report, opening the next
/// section when the page has no more; `N` comes back the same way.
#[test]
fn n_crosses_into_the_next_section_and_n_back() {
    let mut app = at_root(100, 30);
    find(&mut app, "银行");
    let total = position(&app).1;
    let mut crossed = None;
    for k in 2..=total {
        let before = app.state.reader.node;
        keys(&mut app, "n");
        assert_eq!(position(&app), (k, total), "n goes on to match {k}");
        on_current_match(&app);
        if app.state.reader.node != before && crossed.is_none() {
            crossed = Some((k, before, app.state.reader.node));
        }
    }
    let (k, from, to) = crossed.expect("n crossed a section");
    // Back to the crossing, then N crosses back.
    while position(&app).0 > k {
        keys(&mut app, "N");
    }
    assert_eq!(app.state.reader.node, to);
    keys(&mut app, "N");
    assert_eq!(position(&app), (k - 1, total), "N goes back to the match before");
    assert_eq!(app.state.reader.node, from, "in the section before");
    on_current_match(&app);
}

/// At the last match `n` wraps to the first, and at the first `N` to the
/// last, each saying so.
#[test]
fn find_wraps_at_the_ends_of_the_report() {
    let mut app = at_root(80, 24);
    find(&mut app, "银行");
    let total = position(&app).1;
    let first = app.state.reader.node;
    keys(&mut app, "N");
    assert_eq!(position(&app), (total, total));
    assert!(app.state.message.as_deref().is_some_and(|m| m.contains("从末尾继续")), "{:?}", app.state.message);
    on_current_match(&app);
    keys(&mut app, "n");
    assert_eq!(position(&app), (1, total));
    assert!(app.state.message.as_deref().is_some_and(|m| m.contains("从开头继续")), "{:?}", app.state.message);
    assert_eq!(app.state.reader.node, first);
    on_current_match(&app);
}

/// A term only in another report: the status says so and offers `s`.
#[test]
fn a_term_only_in_other_reports_says_so() {
    let mut app = at_root(100, 30);
    find(&mut app, "赛迪");
    assert_eq!(app.state.find_position().as_deref(), Some("-/0"));
    let msg = app.state.message.clone().unwrap_or_default();
    assert!(msg.contains("本报告未找到：赛迪") && msg.contains("1 份报告") && msg.contains("按 s"), "{msg}");
    keys(&mut app, "n");
    assert!(app.state.message.as_deref().is_some_and(|m| m.contains("1 份报告")));
    // Nowhere at all: just not found.
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    find(&mut app, "赛迪银行");
    assert_eq!(app.state.message.as_deref(), Some("未找到：赛迪银行"));
}

fn snap(name: &str, app: &App) {
    let buf = render(app);
    assert_rows_fit(&buf);
    insta::assert_snapshot!(name, screen(&buf));
}

/// A report-wide `/` with `n` crossing a section, at both sizes.
#[test]
fn find_report_snapshots() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = at_root(w, h);
        find(&mut app, "银行");
        let node = app.state.reader.node;
        for _ in 0..200 {
            if app.state.reader.node != node {
                break;
            }
            keys(&mut app, "n");
        }
        assert_ne!(app.state.reader.node, node, "n crossed a section");
        snap(&format!("find_report_n_crosses_{w}x{h}"), &app);
    }
}
