//! The full-pane table view: Enter on a table opens it with the header and
//! the first column frozen; h/l scroll the other columns, j/k the rows.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use yanbao::action::Action;
use yanbao::app::{App, Overlay, TableState};

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

/// Open the reader on `id` with its `k`-th table at the top, then press Enter.
fn open_table(app: &mut App, id: &str, k: usize) {
    app.state.jump_to(node(id));
    app.update(Action::FocusNext);
    let line = app.state.reader.doc.tables[k].0;
    app.update(Action::Scroll(line as i32));
    key(app, KeyCode::Enter, KeyModifiers::NONE);
}

fn state(app: &App) -> TableState {
    match app.state.overlays.last() {
        Some(Overlay::Table(t)) => t.clone(),
        o => panic!("not the table view: {o:?}"),
    }
}

/// The policy table of 1.1 (five columns, long cells) at both sizes.
#[test]
fn enter_opens_the_table_full_pane_with_a_frozen_first_column() {
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let mut app = app(w, h);
        open_table(&mut app, "fs-1-1", 0);
        let t = state(&app);
        assert_eq!(t.table.columns.len(), 5);
        assert_eq!((t.scroll, t.first), (0, 1));
        let first = screen(&render(&app));
        assert!(first.contains("国家") && first.contains("政策名称"), "{first}");
        insta::assert_snapshot!(format!("table_view_{w}x{h}"), first);

        // l scrolls the columns right of 国家; 国家 and its cells stay.
        keys(&mut app, "l");
        assert_eq!(state(&app).first, 2);
        let right = screen(&render(&app));
        assert!(right.contains("国家") && right.contains("美国") && !right.contains("政策名称"), "{right}");
        insta::assert_snapshot!(format!("table_view_right_{w}x{h}"), right);
        // ← goes back; $ and End show the last column, 0 and Home the first.
        key(&mut app, KeyCode::Left, KeyModifiers::NONE);
        assert_eq!(state(&app).first, 1);
        keys(&mut app, "$");
        let last = screen(&render(&app));
        assert!(last.contains("涉及AI产业类型") && last.contains("国家"), "{last}");
        let end = state(&app).first;
        keys(&mut app, "l");
        assert_eq!(state(&app).first, end, "l stops once the last column shows");
        keys(&mut app, "0");
        assert_eq!(state(&app).first, 1);
        key(&mut app, KeyCode::End, KeyModifiers::NONE);
        assert_eq!(state(&app).first, end);
        key(&mut app, KeyCode::Home, KeyModifiers::NONE);
        assert_eq!(state(&app).first, 1);
        keys(&mut app, "h");
        assert_eq!(state(&app).first, 1, "h stops at the first column");

        // Rows scroll under the header; G shows the last row, g g the first.
        keys(&mut app, "j");
        assert_eq!(state(&app).scroll, 1);
        keys(&mut app, "G");
        let bottom = screen(&render(&app));
        let last_row = &t.table.rows.last().unwrap()[1].0;
        let tail: String = last_row.chars().take(6).collect();
        assert!(bottom.contains(&tail) && bottom.contains("政策名称"), "{tail}: {bottom}");
        let max = state(&app).scroll;
        keys(&mut app, "j");
        assert_eq!(state(&app).scroll, max, "clamped at the bottom");
        keys(&mut app, "gg");
        assert_eq!(state(&app).scroll, 0);
        // Ctrl-d moves half the body, Space a whole body.
        key(&mut app, KeyCode::Char('d'), KeyModifiers::CONTROL);
        let half = state(&app).scroll;
        keys(&mut app, "gg ");
        let page = state(&app).scroll;
        assert!(half >= 1 && page >= 2 * half - 1 && page <= 2 * half, "{half} {page}");
        // A resize keeps the view within bounds.
        app.update(Action::Resize(w / 2, h / 2));
        assert_rows_fit(&render(&app));
        app.update(Action::Resize(w, h));
        // Esc goes back to the reader, where the table was.
        key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
        assert!(app.state.overlays.is_empty());
    }
}

/// Every table of every page opens, scrolls to its last column and bottom,
/// and every screen's rows fit, at sizes from tiny to wide.
#[test]
fn every_table_opens_and_fits() {
    let lib = library();
    for (w, h) in [(30u16, 10u16), (80, 24), (200, 50)] {
        let mut app = app(w, h);
        for n in (0..lib.nodes.len()).filter(|&n| lib.nodes[n].depth == 2) {
            app.state.jump_to(n);
            for k in 0..app.state.reader.doc.tables.len() {
                app.state.overlays.clear();
                app.state.focus = yanbao::app::Focus::Reader;
                let line = app.state.reader.doc.tables[k].0;
                app.state.reader.scroll = line;
                app.update(Action::Open);
                assert!(matches!(app.state.overlays.last(), Some(Overlay::Table(_))), "{n} table {k}");
                for a in [Action::LastColumn, Action::Bottom, Action::ColumnLeft] {
                    app.update(a);
                    assert_rows_fit(&render(&app));
                }
            }
        }
    }
}

/// Enter opens what is nearest the top of the view: a chart there opens the
/// chart view, a page with neither says so.
#[test]
fn enter_picks_the_chart_or_table_in_view() {
    let mut app = app(80, 24);
    app.state.jump_to(node("fs-1-1"));
    app.update(Action::FocusNext);
    let doc = app.state.reader.doc.clone();
    let (chart_line, _) = doc.charts[0];
    app.update(Action::Scroll(chart_line as i32));
    app.update(Action::Open);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Chart(_))), "{:?}", app.state.overlays);
}
