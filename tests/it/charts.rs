//! Charts in the reader and the chart view (issue 22, audit problem 10), on
//! a small fixture (`tests/fixtures/charts`: the bundled reports have no
//! negative value): a negative value draws left of a zero axis, a time
//! series with missing years shows an empty slot for each, a long label is
//! shown whole, `--ascii` draws them too, and the compare view says when
//! the second chart does not fit.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use std::path::Path;
use std::sync::Arc;
use yanbao::action::Action;
use yanbao::app::{App, Focus, Overlay};
use yanbao::content::Library;
use yanbao::keymap::Keymap;
use yanbao::search::Index;
use yanbao::theme::{ColorDepth, Theme};

const LONG: &str = "大模型（通用/垂类大模型接入、基于大模型的智能产品等）";

fn charts_app(w: u16, h: u16, ascii: bool) -> App {
    let (lib, errors) = Library::load_from(Some(Path::new("tests/fixtures/charts"))).expect("the fixture loads");
    assert!(errors.is_empty(), "{errors:?}");
    let lib = Arc::new(lib);
    let index = Arc::new(Index::build(&lib));
    let mut app =
        App::new(Arc::clone(&lib), index, Arc::new(Keymap::defaults()), Theme::new(ColorDepth::Ansi16, ascii), (w, h));
    app.state.jump_to(lib.node_by_id("r-1").expect("the fixture's section"));
    app.state.focus = Focus::Reader;
    app
}

/// The chart view opened on the page's first chart.
fn chart_view(w: u16, h: u16, ascii: bool) -> App {
    let mut app = charts_app(w, h, ascii);
    let first = app.state.reader.doc.charts.first().map(|c| c.0).expect("charts");
    app.update(Action::Scroll(first as i32));
    app.update(Action::Open);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Chart(_))), "{}", screen(&render(&app)));
    app
}

/// The screen row holding `label` as a label (at the start of a row).
fn row_of<'a>(s: &'a str, label: &str) -> &'a str {
    s.lines()
        .find(|l| l.trim_start_matches(['│', '|', ' ']).starts_with(label))
        .unwrap_or_else(|| panic!("no row {label}: {s}"))
}

/// `W46 -0.8%`: a bar left of the axis; `W45 1.2%`: right of it, on one axis.
fn assert_negative(s: &str, ascii: bool) {
    let (full, axis) = if ascii { ('#', '|') } else { ('█', '│') };
    let pos = row_of(s, "W45");
    let neg = row_of(s, "W46");
    // From the label on: the part left of the zero axis and the part right of it.
    let sides = |row: &str| -> (String, String) {
        let from: String = row.chars().skip_while(|&c| c != 'W').collect();
        let (l, r) = from.split_once(axis).unwrap_or_else(|| panic!("no zero axis: {row}"));
        (l.to_string(), r.to_string())
    };
    let ((pl, pr), (nl, nr)) = (sides(pos), sides(neg));
    // Bars, spaces and the label are one column a character: one axis.
    assert_eq!(pl.chars().count(), nl.chars().count(), "one axis:\n{pos}\n{neg}");
    assert!(nl.contains(full) && !nr.contains(full), "the negative bar left of the axis: {neg}");
    assert!(pr.contains(full), "the positive bar right of it: {pos}");
    assert!(neg.contains("-0.8%"), "{neg}");
}

fn assert_gap(s: &str, ascii: bool) {
    // 2022 and 2023 are missing: one slot for the two.
    let row = row_of(s, if ascii { "2022-2023" } else { "2022–2023" });
    assert!(row.contains(if ascii { "- 无数据" } else { "─ 无数据" }), "{row}");
}

#[test]
fn the_reader_draws_negatives_gaps_and_long_labels() {
    for ascii in [false, true] {
        for (w, h) in [(80, 60), (120, 60)] {
            let app = charts_app(w, h, ascii);
            let s = screen(&render(&app));
            assert_negative(&s, ascii);
            assert_gap(&s, ascii);
            // Whole, wrapped if need be (its lines in a row, nothing cut).
            let lines: String = app.state.reader.doc.lines.iter().map(|l| l.text().trim().to_string()).collect();
            assert!(lines.contains(LONG), "{w}x{h}: the long label whole: {s}");
        }
    }
}

#[test]
fn the_chart_view_draws_negatives_gaps_and_long_labels() {
    for ascii in [false, true] {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut app = chart_view(w, h, ascii);
            assert_negative(&screen(&render(&app)), ascii);
            key(&mut app, KeyCode::Char('j'), KeyModifiers::NONE);
            assert_gap(&screen(&render(&app)), ascii);
            key(&mut app, KeyCode::Char('j'), KeyModifiers::NONE);
            let s = screen(&render(&app));
            assert!(s.contains(LONG), "{w}x{h}: the long label whole: {s}");
        }
    }
}

/// `--ascii` draws every chart of the view, bar rows and columns, without
/// a block element (the columns were drawn in `█` whatever the mode).
#[test]
fn the_chart_view_in_ascii_draws_no_block_elements() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = chart_view(w, h, true);
        for _ in 0..3 {
            let s = screen(&render(&app));
            let blocks: String = s.chars().filter(|c| ('\u{2580}'..='\u{259F}').contains(c)).collect();
            assert!(blocks.is_empty(), "{w}x{h}: {blocks:?} in\n{s}");
            assert!(s.contains('#'), "{w}x{h}: no bars\n{s}");
            key(&mut app, KeyCode::Char('j'), KeyModifiers::NONE);
        }
    }
}

#[test]
fn the_compare_view_says_when_the_second_chart_does_not_fit() {
    let mut app = chart_view(30, 10, false);
    key(&mut app, KeyCode::Char('c'), KeyModifiers::NONE);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Chart(c)) if c.compare.is_some()));
    let s = screen(&render(&app));
    assert!(s.contains("放不下"), "{s}");
    // Wide enough: both, and no such note.
    app.update(Action::Resize(120, 40));
    let s = screen(&render(&app));
    assert!(!s.contains("放不下") && s.contains("周涨跌幅") && s.contains("市场规模"), "{s}");
    for (w, h) in [(1, 1), (4, 3), (12, 5), (30, 10), (39, 12)] {
        app.update(Action::Resize(w, h));
        let _ = render(&app);
    }
}

#[test]
fn chart_snapshots() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = chart_view(w, h, false);
        for name in ["negative", "gap", "long_label"] {
            insta::assert_snapshot!(format!("chart_view_{name}_{w}x{h}"), screen(&render(&app)));
            key(&mut app, KeyCode::Char('j'), KeyModifiers::NONE);
        }
        let app = charts_app(w, h, false);
        insta::assert_snapshot!(format!("chart_reader_{w}x{h}"), screen(&render(&app)));
    }
}
