//! Reading straight through and the keys that keep people's habits (issue
//! 22): `d`/`u` and `b` cross section boundaries as Space does; `l` and `→`
//! never open a full-screen table; counts (`5j`, `10G`, `3 Space`), with
//! industries on `i` and a digit; `}` from a report's root page.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use yanbao::action::Action;
use yanbao::app::{App, Overlay};
use yanbao::doc::Page;

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

/// The reader on `id`, focused.
fn reading(id: &str, w: u16, h: u16) -> App {
    let mut app = app(w, h);
    app.state.jump_to(node(id));
    app.update(Action::FocusNext);
    app
}

fn status(app: &App) -> String {
    screen(&render(app)).lines().last().unwrap_or_default().to_string()
}

/// `d` at the end of a section goes on into the next, as Space does; `u`
/// and `b` at the top of a section go back to the end of the one before.
#[test]
fn d_continues_into_the_next_section_and_u_and_b_go_back() {
    let mut app = reading("fs-1-1", 80, 24);
    keys(&mut app, "G");
    keys(&mut app, "d");
    assert_eq!(app.state.page(), Page::Node(node("fs-1-2")), "d at the end of 1.1 goes on into 1.2");
    assert_eq!(app.state.reader.scroll, 0);
    keys(&mut app, "u");
    assert_eq!(app.state.page(), Page::Node(node("fs-1-1-4")), "u at the top of 1.2 goes back to 1.1.4");
    assert_eq!(app.state.reader.scroll, app.state.reader.doc.lines.len() - app.state.reader_height());
    keys(&mut app, "}");
    assert_eq!(app.state.page(), Page::Node(node("fs-1-2")));
    keys(&mut app, "b");
    assert_eq!(app.state.page(), Page::Node(node("fs-1-1-4")), "b at the top of 1.2 goes back to 1.1.4");
}

/// `b` pages back as in less (it toggled the table bars); the bars are `B`.
#[test]
fn b_pages_back_and_capital_b_toggles_the_table_bars() {
    let mut app = reading("fs-1-1", 80, 24);
    keys(&mut app, "   ");
    let scroll = app.state.reader.scroll;
    assert!(scroll > 0);
    keys(&mut app, "b");
    assert!(app.state.reader.scroll < scroll, "b pages back");
    assert_eq!(app.state.page(), Page::Node(node("fs-1-1")));
    assert!(!app.state.table_bars, "b does not toggle the bars");
    keys(&mut app, "B");
    assert!(app.state.table_bars, "B toggles the bars");
}

/// The audit (F18): at the top of 1.1, `l` and `→` opened `表格 各国人工智能相关政策`.
#[test]
fn l_and_right_never_open_a_table_enter_does() {
    let mut app = reading("fs-1-1", 100, 30);
    keys(&mut app, "l");
    key(&mut app, KeyCode::Right, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty(), "l and → open nothing: {:?}", app.state.overlays.len());
    assert_eq!(app.state.page(), Page::Node(node("fs-1-1")));
    // In the tree `l` still opens, and Enter in the reader opens the figure.
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Table(_) | Overlay::Chart(_))));
}

/// `5j` moves five lines, not to 电商; `10G` goes to line 10; `3 Space`
/// pages three times, going on into the next section.
#[test]
fn counts_move_by_n() {
    let mut app = reading("fs-1-1", 80, 24);
    let focus = app.state.reader.focus_line;
    keys(&mut app, "5j");
    assert_eq!(app.state.reader.industry, None, "5 is not an industry");
    assert_eq!(app.state.reader.focus_line, focus + 5, "5j: five lines down");
    keys(&mut app, "3k");
    assert_eq!(app.state.reader.focus_line, focus + 2);
    keys(&mut app, "10G");
    assert_eq!(app.state.reader.focus_line, 9, "10G: line 10");
    keys(&mut app, "gg");
    let one = app.state.reader.scroll;
    keys(&mut app, " ");
    let page = app.state.reader.scroll - one;
    keys(&mut app, "gg3 ");
    assert_eq!(app.state.reader.scroll, one + 3 * page, "3 Space: three pages");
    // A count larger than the section goes on into the next ones.
    keys(&mut app, "99 ");
    assert_ne!(app.state.page(), Page::Node(node("fs-1-1")), "99 Space leaves 1.1");
    assert_eq!(app.state.count, None);
}

/// A pending count shows in the status line; a key that takes no count
/// drops it; `0` alone says what it is.
#[test]
fn a_pending_count_shows_and_is_dropped_by_other_keys() {
    let mut app = reading("fs-1-1", 100, 30);
    keys(&mut app, "12");
    assert_eq!(app.state.count, Some(12));
    assert!(status(&app).contains("12"), "{}", status(&app));
    keys(&mut app, "g");
    assert!(status(&app).contains("12g"), "{}", status(&app));
    keys(&mut app, "g");
    assert_eq!(app.state.reader.focus_line, 11, "12gg: line 12");
    keys(&mut app, "4z");
    assert_eq!(app.state.count, None, "z takes no count");
    keys(&mut app, "0");
    assert_eq!(app.state.count, None);
    assert!(app.state.message.as_deref().is_some_and(|m| m.contains("按 i 再按数字")), "{:?}", app.state.message);
}

/// Industries are `i` then a digit (the switcher's keys).
#[test]
fn industries_are_i_then_a_digit() {
    let mut app = reading("fs-1-1", 100, 30);
    keys(&mut app, "i1");
    assert_eq!(app.state.reader.industry, Some(0), "i 1: the first industry");
    keys(&mut app, "i5");
    assert_eq!(app.state.reader.industry, Some(4));
}

/// `}` from a report's root page (abstract and contents) goes to chapter
/// 1; it said `已是本报告最后一节`, as every node lies under the root.
#[test]
fn next_section_from_the_root_page_goes_to_chapter_one() {
    let mut app = reading("fs", 100, 30);
    keys(&mut app, "}");
    assert_eq!(app.state.page(), Page::Node(node("fs-1")));
    keys(&mut app, "{");
    assert_eq!(app.state.page(), Page::Node(node("fs")));
    keys(&mut app, "G ");
    assert_eq!(app.state.page(), Page::Node(node("fs-1")), "Space at the root's end goes on into chapter 1");
}
