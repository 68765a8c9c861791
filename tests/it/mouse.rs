//! The mouse (`--mouse`) and the tree pane: clicks select and focus, a
//! second click opens, the wheel scrolls the pane under the pointer; `z`
//! hides the tree, `+` and `-` size it within bounds.

use crate::common;
use crate::common::*;
use crossterm::event::{Event, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use yanbao::action::Action;
use yanbao::app::{App, Focus, Overlay, TreePane};

fn mouse(app: &mut App, kind: MouseEventKind, x: u16, y: u16) {
    app.handle_event(Event::Mouse(MouseEvent { kind, column: x, row: y, modifiers: KeyModifiers::NONE }));
}

fn click(app: &mut App, x: u16, y: u16) {
    mouse(app, MouseEventKind::Down(MouseButton::Left), x, y);
    mouse(app, MouseEventKind::Up(MouseButton::Left), x, y);
}

fn finder_selected(app: &App) -> Option<usize> {
    match app.state.overlays.last() {
        Some(Overlay::Search(s)) => Some(s.selected),
        _ => None,
    }
}

#[test]
fn z_hides_the_tree_and_the_reader_takes_its_width() {
    let mut app = app(80, 24);
    let before = app.state.panes();
    let width_before = app.state.reader.doc.lines.len();
    assert_eq!(before.nav.map(|r| r.width), Some(24));
    keys(&mut app, "z");
    let p = app.state.panes();
    assert_eq!(p.nav, None);
    assert_eq!(p.reader.map(|r| (r.x, r.width)), Some((0, 80)));
    assert_eq!(app.state.focus, Focus::Reader, "the focus leaves the hidden tree");
    assert!(app.state.reader.doc.lines.len() < width_before, "the page is laid out again, wider");
    keys(&mut app, "z");
    assert_eq!(app.state.panes(), before);
}

#[test]
fn focusing_the_hidden_tree_shows_it() {
    let mut app = app(80, 24);
    keys(&mut app, "z");
    send(&mut app, &[Action::FocusNext]);
    assert_eq!(app.state.focus, Focus::Nav);
    assert!(app.state.tree.shown && app.state.panes().nav.is_some());
    keys(&mut app, "z");
    send(&mut app, &[Action::Back]);
    assert_eq!(app.state.focus, Focus::Nav);
    assert!(app.state.panes().nav.is_some(), "h from the reader goes back to a visible tree");
}

#[test]
fn plus_and_minus_size_the_tree_within_bounds() {
    let mut app = app(80, 24);
    let nav_w = |app: &App| app.state.panes().nav.map(|r| r.width);
    keys(&mut app, "+");
    assert_eq!(nav_w(&app), Some(28));
    assert_eq!(app.state.message.as_deref(), Some("目录宽 28 列"));
    for _ in 0..50 {
        keys(&mut app, "+");
    }
    // 80 columns leave the reader 30.
    assert_eq!(nav_w(&app), Some(50));
    assert_eq!(app.state.message.as_deref(), Some("目录宽 50 列（已最宽）"));
    for _ in 0..50 {
        keys(&mut app, "-");
    }
    assert_eq!(nav_w(&app), Some(16));
    assert_eq!(app.state.message.as_deref(), Some("目录宽 16 列（已最窄）"));
    // On a wide screen the cap is 80.
    send(&mut app, &[Action::Resize(200, 50)]);
    for _ in 0..50 {
        keys(&mut app, "+");
    }
    assert_eq!(nav_w(&app), Some(80));
    // A width set in the config is kept on a screen too narrow for it.
    send(&mut app, &[Action::Resize(70, 24)]);
    assert_eq!(nav_w(&app), Some(40));
    // `-` on a hidden tree shows it.
    keys(&mut app, "z-");
    assert!(app.state.tree.shown);
}

#[test]
fn the_config_sets_the_tree() {
    let mut app = app(80, 24);
    app.state.set_tree(TreePane { shown: false, width: Some(30) });
    assert_eq!(app.state.panes().nav, None);
    assert_eq!(app.state.focus, Focus::Reader);
    keys(&mut app, "z");
    assert_eq!(app.state.panes().nav.map(|r| r.width), Some(30));
}

#[test]
fn clicking_a_tree_row_selects_it_and_a_second_click_opens_it() {
    let mut app = app(80, 24);
    let lib = library();
    let rows: Vec<usize> = app.state.nav.visible(&lib).iter().filter_map(|r| r.node()).collect();
    let list = app.state.panes().nav_list().unwrap();
    // The fourth row: a chapter with sections.
    let node = rows[3];
    assert!(!lib.nodes[node].children.is_empty());
    click(&mut app, list.x + 3, list.y + 3);
    assert_eq!(app.state.nav.selected_node(), Some(node));
    assert_eq!(app.state.reader.node, node, "the reader shows it, as moving there does");
    assert!(!app.state.nav.is_expanded(node));
    click(&mut app, list.x + 3, list.y + 3);
    assert!(app.state.nav.is_expanded(node), "a double click opens it, as Enter does");
    // A click below the last row focuses the tree and selects nothing new.
    let below = list.y + list.height - 1;
    let n = app.state.nav.visible(&lib).len();
    if n < list.height as usize {
        click(&mut app, list.x, below);
        assert_eq!(app.state.nav.selected_node(), Some(node));
    }
    // On the border: focus only.
    click(&mut app, 0, 0);
    assert_eq!(app.state.nav.selected_node(), Some(node));
}

#[test]
fn clicking_a_pane_focuses_it() {
    let mut app = app(80, 24);
    let reader = app.state.panes().reader.unwrap();
    click(&mut app, reader.x + 10, reader.y + 5);
    assert_eq!(app.state.focus, Focus::Reader);
    let nav = app.state.panes().nav.unwrap();
    let sel = app.state.nav.selected;
    click(&mut app, nav.x, nav.y + 5);
    assert_eq!(app.state.focus, Focus::Nav);
    assert_eq!(app.state.nav.selected, sel, "a click on the border only focuses");
    // The status bar takes no clicks.
    click(&mut app, 40, 23);
    assert_eq!(app.state.focus, Focus::Nav);
}

#[test]
fn the_wheel_scrolls_the_pane_under_the_pointer() {
    let mut app = app(80, 16);
    keys(&mut app, "jjj");
    let reader = app.state.panes().reader.unwrap();
    let focus = app.state.focus;
    assert_eq!(app.state.reader.scroll, 0);
    mouse(&mut app, MouseEventKind::ScrollDown, reader.x + 5, reader.y + 5);
    assert_eq!(app.state.reader.scroll, 3);
    mouse(&mut app, MouseEventKind::ScrollUp, reader.x + 5, reader.y + 5);
    assert_eq!(app.state.reader.scroll, 0);
    assert_eq!(app.state.focus, focus, "the wheel does not move the focus");
    // Over the tree, its view scrolls and the selection stays.
    keys(&mut app, "l"); // expand the chapter: more rows than fit
    let lib = library();
    let rows = app.state.nav.visible(&lib).len();
    let h = app.state.panes().nav_list().unwrap().height as usize;
    assert!(rows > h + 3, "{rows} rows");
    let sel = app.state.nav.selected;
    for _ in 0..100 {
        mouse(&mut app, MouseEventKind::ScrollDown, 2, 5);
    }
    assert_eq!(app.state.nav.offset, rows - h, "down to the last row, no further");
    assert_eq!(app.state.nav.selected, sel);
    mouse(&mut app, MouseEventKind::ScrollUp, 2, 5);
    assert_eq!(app.state.nav.offset, rows - h - 3);
}

#[test]
fn clicks_in_the_finder_select_and_a_double_click_opens() {
    let mut app = app(80, 24);
    keys(&mut app, "s银行");
    let l = yanbao::app::SearchLayout::compute(80, 24).unwrap();
    assert_eq!(finder_selected(&app), Some(0));
    click(&mut app, l.list.x + 4, l.list.y + 2);
    assert_eq!(finder_selected(&app), Some(2));
    // The wheel over the list moves the selection.
    mouse(&mut app, MouseEventKind::ScrollDown, l.list.x + 4, l.list.y + 2);
    assert_eq!(finder_selected(&app), Some(3));
    mouse(&mut app, MouseEventKind::ScrollUp, l.list.x + 4, l.list.y);
    assert_eq!(finder_selected(&app), Some(2));
    // The wheel over the preview scrolls it (a result with a place to show).
    let pf = l.preview_frame.unwrap();
    let scroll = |app: &App| match app.state.overlays.last() {
        Some(Overlay::Search(s)) => s.preview.as_ref().map(|p| p.scroll),
        _ => None,
    };
    while scroll(&app).is_none() {
        send(&mut app, &[Action::MoveDown]);
    }
    let sel = finder_selected(&app);
    let before = scroll(&app).unwrap();
    mouse(&mut app, MouseEventKind::ScrollDown, pf.x + 5, pf.y + 3);
    assert_eq!(scroll(&app), Some(before + 3));
    assert_eq!(finder_selected(&app), sel);
    send(&mut app, &[Action::Top]);
    // A double click on a row opens it.
    click(&mut app, l.list.x + 4, l.list.y + 1);
    click(&mut app, l.list.x + 4, l.list.y + 1);
    assert_eq!(app.state.finder.last.as_ref().map(|s| s.selected), Some(1), "the second row was opened");
    // (a company's page, or the place in the reader)
    assert!(!matches!(app.state.overlays.last(), Some(Overlay::Search(_))), "the finder closed");
}

#[test]
fn a_click_past_the_results_does_nothing() {
    let mut app = app(80, 24);
    keys(&mut app, "s加拿大");
    let n = match app.state.overlays.last() {
        Some(Overlay::Search(s)) => s.hits.len(),
        _ => 0,
    };
    let l = yanbao::app::SearchLayout::compute(80, 24).unwrap();
    assert!(n > 0 && n < l.list.height as usize, "{n} hits");
    click(&mut app, l.list.x + 4, l.list.y + l.list.height - 1);
    assert_eq!(finder_selected(&app), Some(0));
}

#[test]
fn clicks_in_the_industry_switcher_select_and_a_second_click_opens() {
    let mut app = app(80, 24);
    keys(&mut app, "i");
    let n = library().industries.len();
    let (_, inner) = yanbao::app::switcher_layout(ratatui::layout::Rect::new(0, 0, 80, 24), n).unwrap();
    // The header row takes no click.
    click(&mut app, inner.x + 5, inner.y);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Industries { selected: 0 })));
    click(&mut app, inner.x + 5, inner.y + 3);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Industries { selected: 2 })));
    // The wheel moves the selection.
    mouse(&mut app, MouseEventKind::ScrollDown, inner.x + 5, inner.y + 3);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Industries { selected: 3 })));
    click(&mut app, inner.x + 5, inner.y + 3);
    click(&mut app, inner.x + 5, inner.y + 3);
    assert!(app.state.overlays.is_empty());
    assert_eq!(app.state.reader.industry, Some(2), "the third industry's page");
}

#[test]
fn the_wheel_scrolls_help_and_clicks_never_panic() {
    let mut app = app(80, 24);
    keys(&mut app, "?");
    mouse(&mut app, MouseEventKind::ScrollDown, 40, 10);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Help { scroll: 3 })));
    // Everywhere, at sizes from 0x0 up, with and without the tree.
    for (w, h) in [(0, 0), (1, 1), (23, 7), (24, 8), (50, 20), (80, 24), (200, 60)] {
        for hidden in [false, true] {
            let mut app = common::app(w, h);
            if hidden {
                keys(&mut app, "z");
            }
            for y in (0..h + 2).step_by(3) {
                for x in (0..w + 2).step_by(7) {
                    click(&mut app, x, y);
                    mouse(&mut app, MouseEventKind::ScrollDown, x, y);
                }
            }
            click(&mut app, u16::MAX, u16::MAX);
            let buf = render(&app);
            assert_rows_fit(&buf);
        }
    }
}

#[test]
fn a_click_ends_a_pending_key_sequence() {
    let mut app = app(80, 24);
    keys(&mut app, "g");
    assert_eq!(app.pending_keys(), "g");
    click(&mut app, 50, 5);
    assert_eq!(app.pending_keys(), "");
}

#[test]
fn tree_hidden_80x24() {
    let mut app = app(80, 24);
    keys(&mut app, "jjjlz");
    let buf = render(&app);
    assert_rows_fit(&buf);
    insta::assert_snapshot!("tree_hidden_80x24", screen(&buf));
}
