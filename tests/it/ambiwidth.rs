//! `--ambiwidth wide`: East Asian Ambiguous characters (“ ” ‘ ’ …) laid out
//! as two columns, borders, bars and bullets in ASCII, and no line wider
//! than the screen when the terminal draws them wide. Each explorer carries
//! the choice in its options: two in one process may differ (SSH sessions).

use crate::common::*;
use ratatui::buffer::Buffer;
use unicode_width::UnicodeWidthStr;
use yanbao::action::Action;
use yanbao::options::{AmbiWidth, Options};

/// What a CJK terminal (ambiguous = 2 columns) draws of each row: its
/// text, and its width in columns.
fn cjk_rows(buf: &Buffer) -> Vec<(String, usize)> {
    let a = buf.area;
    (a.top()..a.bottom())
        .map(|y| {
            let (mut text, mut cols, mut covered) = (String::new(), 0, 0);
            for x in a.left()..a.right() {
                if covered > 0 {
                    covered -= 1;
                    continue;
                }
                let s = buf[(x, y)].symbol();
                let w = s.width_cjk().max(1);
                text.push_str(s);
                cols += w;
                covered = w - 1;
            }
            (text, cols)
        })
        .collect()
}

#[test]
fn ambiguous_characters_count_as_two_and_no_line_overflows() {
    let lib = library();
    let wide = Options { ambiwidth: AmbiWidth::Wide, ..Options::default() };
    let mut seen_ambiguous = 0;
    for (w, h) in [(80u16, 24u16), (120, 40), (45, 12)] {
        let mut app = app(w, h);
        app.set_options(wide);
        // Every depth-1 page of both reports, the tree open on it.
        for n in (0..lib.nodes.len()).filter(|&n| lib.nodes[n].depth <= 1) {
            app.state.jump_to(n);
            for step in [Action::Top, Action::PageDown, Action::PageDown] {
                app.update(step);
                let buf = render(&app);
                for (y, (text, cols)) in cjk_rows(&buf).into_iter().enumerate() {
                    assert_eq!(cols, w as usize, "{w}x{h} node {n} row {y} is {cols} columns: {text}");
                    seen_ambiguous += text.chars().filter(|&c| yanbao::text::is_ambiguous(c)).count();
                    // Borders, bars and bullets are ASCII.
                    assert!(!text.contains(['─', '│', '┌', '┐', '└', '┘', '█', '•', '▾', '▸']), "{text}");
                }
            }
        }
    }
    assert!(seen_ambiguous > 50, "the pages show ambiguous characters: {seen_ambiguous}");

    // The snapshot: the 十五五 report, whose title is in “ ”, at 80x24.
    let mut app = app(80, 24);
    app.set_options(wide);
    let n = (0..lib.nodes.len()).find(|&n| lib.node_title(n).contains('“')).expect("a title with “");
    app.state.jump_to(n);
    app.update(Action::FocusNext);
    let buf = render(&app);
    let rows = cjk_rows(&buf);
    assert!(rows.iter().any(|(t, _)| t.contains('“')), "{rows:?}");
    let text: String = rows.iter().map(|(t, _)| format!("{}\n", t.trim_end())).collect();
    insta::assert_snapshot!("ambiwidth_wide_80x24", text);
}

/// Issue 24, item 4: no process-wide ambiguous width. A wide explorer and a
/// narrow one, updated and drawn in turn on one thread (as two SSH sessions
/// may be), each keep their own widths: the narrow one draws what a narrow
/// explorer alone draws, and widths outside them are narrow.
#[test]
fn a_wide_and_a_narrow_explorer_side_by_side_keep_their_own_widths() {
    let lib = library();
    let n = (0..lib.nodes.len()).find(|&n| lib.node_title(n).contains('“')).expect("a title with “");
    let open = |wide: bool| {
        let mut a = app(80, 24);
        if wide {
            a.set_options(Options { ambiwidth: AmbiWidth::Wide, ..Options::default() });
        }
        a.state.jump_to(n);
        a
    };
    let alone = {
        let mut a = open(false);
        a.update(Action::FocusNext);
        a.update(Action::PageDown);
        render(&a)
    };
    let (mut wide, mut narrow) = (open(true), open(false));
    for step in [Action::FocusNext, Action::PageDown] {
        wide.update(step.clone());
        narrow.update(step);
        let _ = render(&wide);
    }
    let (w, nb) = (render(&wide), render(&narrow));
    assert_eq!(nb, alone, "the narrow explorer beside a wide one drew otherwise");
    assert_ne!(w, nb, "the wide explorer drew as the narrow one");
    for (text, cols) in cjk_rows(&w) {
        assert_eq!(cols, 80, "a wide row overflows: {text}");
    }
    // Outside any explorer, “ is one column.
    assert_eq!(yanbao::text::width("“"), 1);
}
