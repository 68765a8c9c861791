//! `--width N`: text lines in the reader are capped at a readable measure
//! (80 columns by default), centred on wide terminals; tables may use the
//! room right of the text's left edge; `--width 0` lifts the cap.

use crate::common::*;
use yanbao::action::Action;
use yanbao::options::Options;

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

/// (leading blanks, width) of every non-blank line of the reader's page,
/// split into text lines and table lines (boxed lines of a table grid).
/// (leading blanks, width) of lines.
type Spans = Vec<(usize, usize)>;

fn lines(app: &yanbao::app::App) -> (Spans, Spans) {
    let doc = &app.state.reader.doc;
    let in_table = |i: usize| doc.table_heads.iter().any(|(h, end)| i >= h.start && i < *end);
    let (mut text, mut table) = (Vec::new(), Vec::new());
    for (i, l) in doc.lines.iter().enumerate() {
        let t = l.text();
        if t.trim().is_empty() {
            continue;
        }
        let lead = t.len() - t.trim_start().len();
        let w = yanbao::text::width(t.trim_end());
        if in_table(i) { table.push((lead, w)) } else { text.push((lead, w)) }
    }
    (text, table)
}

#[test]
fn text_is_capped_and_centred_tables_are_wider() {
    let mut app = app(200, 50);
    app.state.jump_to(node("fs-1-1"));
    app.update(Action::FocusNext);
    let pane = app.state.layout_width();
    assert!(pane > 150, "{pane}");
    let margin = (pane - 80) / 2;
    let (text, table) = lines(&app);
    assert!(text.iter().all(|&(lead, w)| lead >= margin && w <= margin + 80), "{text:?}");
    assert!(text.iter().filter(|&&(lead, _)| lead == margin).count() > 10, "centred: {text:?}");
    assert!(table.iter().any(|&(_, w)| w > margin + 80), "a table uses the room: {table:?}");
    assert!(table.iter().all(|&(lead, w)| lead >= margin && w <= pane), "{table:?}");
    // The screen shows it: a paragraph starts at the margin.
    let screen = screen(&render(&app));
    assert!(screen.lines().all(|l| yanbao::text::width(l) <= 200));

    // --width 0: no cap, no margin.
    app.set_options(Options { width: 0, ..Options::default() });
    let (text, _) = lines(&app);
    assert!(text.iter().any(|&(_, w)| w > 100), "{text:?}");
    assert!(text.iter().filter(|&&(lead, _)| lead == 0).count() > 10);

    // --width 60 on a 120-column screen: a 60-column measure, centred.
    let mut small = app_sized(120, 40, Options { width: 60, ..Options::default() });
    small.state.jump_to(node("fs-1-1"));
    let pane = small.state.layout_width();
    let margin = (pane - 60) / 2;
    let (text, _) = lines(&small);
    assert!(text.iter().all(|&(lead, w)| lead >= margin && w <= margin + 60), "{text:?}");
}

/// The default measure changes nothing at 80 and 120 columns (the pane is
/// narrower than 80 columns there).
#[test]
fn the_default_measure_is_wider_than_the_pane_at_120() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut a = app(w, h);
        let mut b = app_sized(w, h, Options { width: 0, ..Options::default() });
        for x in [&mut a, &mut b] {
            x.state.jump_to(node("fs-1-1"));
        }
        assert_eq!(a.state.reader.doc.lines, b.state.reader.doc.lines);
    }
}

fn app_sized(w: u16, h: u16, o: Options) -> yanbao::app::App {
    let mut a = app(w, h);
    a.set_options(o);
    a
}
