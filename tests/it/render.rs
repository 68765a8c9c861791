//! Render snapshots with TestBackend-sized buffers, and renders at absurd
//! sizes that must not panic.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use proptest::prelude::*;
use ratatui::style::Color;
use yanbao::action::Action;

fn goto(app: &mut yanbao::app::App, id: &str) {
    let n = library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"));
    app.state.jump_to(n);
}

fn snap(name: &str, app: &yanbao::app::App) {
    let buf = render(app);
    assert_rows_fit(&buf);
    insta::assert_snapshot!(name, screen(&buf));
}

#[test]
fn tree_and_report_page() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        keys(&mut app, "jjjl"); // expand chapter 3
        snap(&format!("tree_{w}x{h}"), &app);
    }
}

#[test]
fn text_section() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        goto(&mut app, "ccid-3");
        snap(&format!("text_{w}x{h}"), &app);
    }
}

#[test]
fn table_with_chinese_cells() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        goto(&mut app, "fs-2-2");
        let doc = app.state.reader.doc.clone();
        let line = doc.lines.iter().position(|l| l.text().contains("开源")).expect("the open-source table");
        app.update(Action::Scroll(line as i32));
        snap(&format!("table_{w}x{h}"), &app);
    }
}

#[test]
fn compact_tables_truncate_cells_with_an_ellipsis() {
    let mut app = app(80, 24);
    goto(&mut app, "fs-1-1");
    app.update(Action::ToggleCompactTables);
    let text = screen(&render(&app));
    assert!(text.contains('…'), "{text}");
    snap("table_compact_80x24", &app);
}

#[test]
fn case_study() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        let lib = library();
        let fin = lib.node_by_id("fs-3-1").unwrap();
        let cases = *lib.nodes[fin].children.last().unwrap();
        app.state.jump_to(cases);
        snap(&format!("case_{w}x{h}"), &app);
    }
}

#[test]
fn help_overlay() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        keys(&mut app, "jl?");
        snap(&format!("help_{w}x{h}"), &app);
    }
}

#[test]
fn find_highlights_every_match() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        goto(&mut app, "fs-3-1");
        keys(&mut app, "/金融");
        key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
        keys(&mut app, "n");
        let buf = render(&app);
        let hits = marks(&buf, |c| c.bg == Color::Yellow);
        let current = marks(&buf, |c| c.bg == Color::LightRed);
        assert!(!hits.is_empty() && !current.is_empty());
        insta::assert_snapshot!(
            format!("find_{w}x{h}"),
            format!("{}\n-- every match --\n{hits}\n-- current match --\n{current}", screen(&buf))
        );
    }
}

#[test]
fn ascii_mode_draws_no_box_characters() {
    let mut app = app_with(80, 24, true);
    goto(&mut app, "fs-1-1");
    let text = screen(&render(&app));
    assert!(!text.contains(['─', '│', '┌', '┼', '•', '▾', '▸']), "{text}");
    snap("ascii_80x24", &app);
    // The status line's breadcrumb too (issue 22: `›` was left).
    keys(&mut app, "i1");
    let text = screen(&render(&app));
    let status = text.lines().last().unwrap_or_default();
    assert!(status.contains("行业 > 金融") && !status.contains('›'), "{status}");
}

#[test]
fn tiny_and_huge_sizes_do_not_panic() {
    for (w, h) in [(1, 1), (20, 5), (2, 2), (3, 10), (59, 4), (60, 3), (500, 200), (0, 0), (1, 100)] {
        let mut app = app(w, h);
        keys(&mut app, "jljl?");
        let _ = render(&app);
        keys(&mut app, "q/银行");
        let buf = render(&app);
        if w > 0 && h > 0 {
            assert_rows_fit(&buf);
        }
    }
}

#[test]
fn popups_never_leave_half_a_wide_character() {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    // "中文中文" fills columns 0..8; a popup over columns 3..=6 cuts the
    // second character (columns 2-3) and the fourth (columns 6-7).
    let mut buf = Buffer::empty(Rect::new(0, 0, 8, 1));
    buf.set_string(0, 0, "中文中文", ratatui::style::Style::new());
    let popup = Rect::new(3, 0, 4, 1);
    yanbao::ui::clear_straddle(&mut buf, popup);
    ratatui::widgets::Widget::render(ratatui::widgets::Clear, popup, &mut buf);
    assert_eq!(buf[(2, 0)].symbol(), " ", "the left straddler is blanked");
    assert_eq!(buf[(7, 0)].symbol(), " ", "the right straddler's trailing half is blanked");
    assert_eq!(buf[(0, 0)].symbol(), "中", "characters clear of the edge stay");
    assert_eq!(screen(&buf), "中\n");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Any size, any keys: no panic, and nothing drawn past the edge.
    #[test]
    fn any_size_any_keys(w in 1u16..160, h in 1u16..60, ks in "[jkhlgG/nN?q\\t 银行a]{0,12}") {
        let mut app = app(w, h);
        keys(&mut app, &ks);
        let buf = render(&app);
        assert_rows_fit(&buf);
    }
}
