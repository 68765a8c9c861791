//! Action sequences on a headless app: where does it end up?

use crate::common;
use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use yanbao::action::{Action, Effect};
use yanbao::app::{Focus, Overlay};

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

#[test]
fn starts_on_the_newest_report_with_both_reports_in_the_tree() {
    let app = app(80, 24);
    let lib = library();
    assert_eq!(app.state.nav.selected_node(), Some(node("fs")));
    assert_eq!(app.state.reader.node, node("fs"));
    let rows: Vec<usize> = app.state.nav.visible(&lib).iter().filter_map(|r| r.node()).collect();
    assert!(rows.contains(&node("fs")) && rows.contains(&node("ccid")));
    assert!(rows.contains(&node("fs-1")) && rows.contains(&node("ccid-1")));
    assert!(!rows.contains(&node("fs-1-1")), "chapters start collapsed");
}

#[test]
fn keys_walk_the_tree_into_a_section_and_scroll_it() {
    let mut app = app(80, 24);
    keys(&mut app, "jl"); // to chapter 1, expand it
    assert_eq!(app.state.nav.selected_node(), Some(node("fs-1")));
    assert!(app.state.nav.is_expanded(node("fs-1")));
    keys(&mut app, "jl"); // to 1.1, expand
    assert_eq!(app.state.reader.node, node("fs-1-1"));
    assert_eq!(app.state.focus, Focus::Nav);
    keys(&mut app, "l"); // already expanded: into the reader
    assert_eq!(app.state.focus, Focus::Reader);
    keys(&mut app, "jjj");
    assert_eq!(app.state.reader.scroll, 3);
    keys(&mut app, "G");
    let len = app.state.reader.doc.lines.len();
    let h = app.state.reader_height();
    assert_eq!(app.state.reader.scroll, len - h, "G shows the last page");
    keys(&mut app, "gg");
    assert_eq!(app.state.reader.scroll, 0);
    key(&mut app, KeyCode::Char(' '), KeyModifiers::NONE);
    assert_eq!(app.state.reader.scroll, h - 1, "a page keeps one line of context");
    key(&mut app, KeyCode::PageUp, KeyModifiers::NONE);
    assert_eq!(app.state.reader.scroll, 0);
    key(&mut app, KeyCode::Char('d'), KeyModifiers::CONTROL);
    assert_eq!(app.state.reader.scroll, h / 2, "ctrl-d: half a page, as in less");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert_eq!(app.state.reader.scroll, 0);
}

#[test]
fn back_leaves_the_reader_then_collapses_then_climbs() {
    let mut app = app(100, 30);
    keys(&mut app, "jljll");
    assert_eq!(app.state.focus, Focus::Reader);
    keys(&mut app, "h");
    assert_eq!(app.state.focus, Focus::Nav);
    keys(&mut app, "h");
    assert!(!app.state.nav.is_expanded(node("fs-1-1")));
    keys(&mut app, "h");
    assert_eq!(app.state.nav.selected_node(), Some(node("fs-1")));
    assert_eq!(app.state.reader.node, node("fs-1"));
}

#[test]
fn scroll_position_is_remembered_per_page() {
    let mut app = app(80, 24);
    keys(&mut app, "j");
    send(&mut app, &[Action::FocusNext, Action::PageDown]);
    let s = app.state.reader.scroll;
    assert!(s > 0);
    send(&mut app, &[Action::FocusNext, Action::MoveDown, Action::MoveUp]);
    assert_eq!(app.state.reader.node, node("fs-1"));
    assert_eq!(app.state.reader.scroll, s);
}

#[test]
fn find_in_page_is_incremental_and_wraps() {
    let mut app = app(80, 24);
    keys(&mut app, "jjj"); // chapter 3: AI in the industries
    assert_eq!(app.state.reader.node, node("fs-3"));
    keys(&mut app, "/银行");
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Find { input, .. }) if input == "银行"));
    let n = app.state.reader.find.matches.len();
    assert!(n > 3, "银行 occurs often in chapter 3, found {n}");
    assert_eq!(app.state.reader.find.current, Some(0));
    let first = app.state.reader.find.matches[0].line();
    let (s, h) = (app.state.reader.scroll, app.state.reader_height());
    assert!(first >= s && first < s + h, "the first match is on screen");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    keys(&mut app, "n");
    assert_eq!(app.state.reader.find.current, Some(1));
    keys(&mut app, "N");
    assert_eq!(app.state.reader.find.current, Some(0), "N goes back");
    // Wrapping is report-wide now (`/` searches the whole report): the
    // wrap and the crossing are tested in find_report.rs.
    assert_eq!(app.state.reader.find.position().as_deref(), Some(format!("1/{n}").as_str()));
}

#[test]
fn find_matches_ignore_case_and_full_width() {
    let mut app = app(80, 24);
    keys(&mut app, "/ＡＩ");
    let full = app.state.reader.find.matches.len();
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    keys(&mut app, "ai");
    assert!(full > 0);
    assert_eq!(app.state.reader.find.matches.len(), full);
}

#[test]
fn escape_cancels_find_and_restores_the_view() {
    let mut app = app(80, 24);
    keys(&mut app, "jjj");
    send(&mut app, &[Action::FocusNext, Action::PageDown]);
    let before = app.state.reader.scroll;
    keys(&mut app, "/证券");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    assert!(app.state.reader.find.matches.is_empty());
    assert_eq!(app.state.reader.scroll, before);
}

#[test]
fn typing_into_the_prompt_never_triggers_bindings() {
    let mut app = app(80, 24);
    keys(&mut app, "/q?jG");
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Find { input, .. }) if input == "q?jG"));
    key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Find { input, .. }) if input == "q?j"));
}

#[test]
fn help_opens_and_closes_and_q_there_does_not_quit() {
    let mut app = app(80, 24);
    keys(&mut app, "?");
    assert_eq!(app.state.overlays, vec![Overlay::Help { scroll: 0 }]);
    keys(&mut app, "j");
    assert_eq!(app.state.overlays, vec![Overlay::Help { scroll: 1 }]);
    keys(&mut app, "q");
    assert!(app.state.overlays.is_empty());
    assert_eq!(app.update(Action::Quit), vec![Effect::Quit]);
}

#[test]
fn resize_relayouts_and_keeps_the_section_on_top() {
    let mut app = app(80, 24);
    keys(&mut app, "jljll");
    let sub = library().nodes[node("fs-1-1")].children[2];
    let line = app.state.reader.doc.line_of(sub).unwrap();
    send(&mut app, &[Action::Scroll(line as i32)]);
    assert_eq!(app.state.reader_top_node(), sub);
    send(&mut app, &[Action::Resize(140, 45)]);
    assert_eq!(app.state.reader_top_node(), sub, "the same section stays at the top");
    send(&mut app, &[Action::Resize(1, 1), Action::Resize(500, 200), Action::Resize(80, 24)]);
    assert!(app.state.reader.scroll <= app.state.reader.doc.lines.len());
}

#[test]
fn narrow_terminals_show_one_pane_at_a_time() {
    let mut app = app(50, 20);
    let p = app.state.panes();
    assert!(p.nav.is_some() && p.reader.is_none());
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    let p = app.state.panes();
    assert!(p.nav.is_none() && p.reader.is_some());
}

/// F5: typing past the finder's cap is ignored, the prompt says so, and the
/// finder still answers keys afterwards.
#[test]
fn the_finder_caps_its_query_and_stays_responsive() {
    let mut app = common::app(80, 24);
    common::keys(&mut app, "s");
    common::keys(&mut app, &"b".repeat(4096));
    let ov = app.state.overlays.last().cloned();
    match ov {
        Some(yanbao::app::Overlay::Search(s)) => assert_eq!(s.input.chars().count(), yanbao::search::MAX_QUERY_CHARS),
        other => panic!("finder closed: {other:?}"),
    }
    let screen = common::screen(&common::render(&app));
    assert!(screen.contains("上限200字"), "{screen}");
    common::key(&mut app, crossterm::event::KeyCode::Char('c'), crossterm::event::KeyModifiers::CONTROL);
    assert!(app.state.overlays.is_empty(), "ctrl-c closes the finder");
}

/// F2/B1: the chart view sliced labels at byte 4 and panicked on Chinese
/// labels (13 of 38 charts). The auditors' key sequences (`3 Enter j j j
/// Enter`, …) no longer reach the chart view with today's keymap (Enter in
/// the tree opens tree rows), so the test passed without drawing a chart; it
/// now opens the first chart of an industry page (Chinese labels) from the
/// reader at the auditors' sizes, and asserts that the chart view is drawn,
/// then moves to the next chart and compares.
#[test]
fn the_chart_view_opens_charts_with_chinese_labels() {
    for (w, h, keys) in [(80, 25, ""), (80, 24, ""), (80, 25, "jc")] {
        let mut app = common::app(w, h);
        app.update(Action::GotoIndustry(3));
        app.state.focus = Focus::Reader;
        let first = app.state.reader.doc.charts.first().map(|c| c.0).expect("industry 3's page has charts");
        app.update(Action::Scroll(first as i32));
        app.update(Action::Open);
        for k in keys.chars() {
            let _ = common::render(&app);
            common::key(&mut app, KeyCode::Char(k), KeyModifiers::NONE);
        }
        let screen = common::screen(&common::render(&app));
        assert!(
            matches!(app.state.overlays.last(), Some(Overlay::Chart(_))),
            "{keys:?} at {w}x{h} ends outside the chart view:\n{screen}"
        );
    }
}
