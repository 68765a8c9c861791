//! Issue 22's small lies (audit 2026-12-ux.md, problem 14 and 15): a case's
//! meta line broken inside a label, the source's `图表（原图数值未随文本保留）`
//! note drawn as a heading, and the marks list showing table-cell fragments.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use yanbao::action::Action;
use yanbao::content::Block;
use yanbao::doc::{LayoutOpts, Page, Role, build_page};

fn opts(width: u16) -> LayoutOpts {
    LayoutOpts { width, ascii: false, compact_tables: false, table_bars: false, measure: 0, ambiwide: false }
}

/// Every case of the library at 40 to 90 columns: a line of its meta
/// (`企业：…  行业：…  地点：…`) never ends inside a label that the next
/// line finishes (`地` / `点：郑州` at 62 columns, as the audit saw).
#[test]
fn a_cases_meta_line_breaks_between_pairs_never_inside_a_label() {
    let lib = library();
    let labels = ["企业：", "行业：", "地点："];
    let pages: Vec<usize> = (0..lib.nodes.len())
        .filter(|&n| lib.section(n).is_some_and(|s| s.blocks.iter().any(|b| matches!(b, Block::Case(_)))))
        .collect();
    assert!(!pages.is_empty());
    let mut meta_lines = 0;
    for w in 40..=90u16 {
        for &n in &pages {
            let doc = build_page(&lib, Page::Node(n), opts(w));
            let meta: Vec<String> = doc
                .lines
                .iter()
                .filter(|l| l.segs.iter().any(|s| s.role == Role::Meta && labels.iter().any(|x| s.text.contains(x))))
                .map(|l| l.text())
                .collect();
            meta_lines += meta.len();
            for (i, l) in doc.lines.iter().enumerate().skip(1) {
                let (prev, this) = (doc.lines[i - 1].text(), l.text());
                let (prev, this) = (prev.trim_end(), this.trim_start());
                for label in labels {
                    let chars: Vec<char> = label.chars().collect();
                    for k in 1..chars.len() {
                        let (a, b): (String, String) = (chars[..k].iter().collect(), chars[k..].iter().collect());
                        assert!(
                            !(prev.ends_with(&a) && this.starts_with(&b)),
                            "{w} columns, node {n}: a label broken across lines:\n{prev}\n{this}"
                        );
                    }
                }
            }
        }
    }
    assert!(meta_lines > 0, "the cases have meta lines");
}

/// `图表（原图数值未随文本保留）` is the source's note that a figure's values
/// were not kept: a dim note, not a bold heading.
#[test]
fn the_values_not_kept_note_is_a_dim_note_not_a_heading() {
    let lib = library();
    let n = lib.node_by_id("fs-5-1").expect("5.1");
    let doc = build_page(&lib, Page::Node(n), opts(80));
    let line = doc.lines.iter().find(|l| l.text().contains("图表（原图数值未随文本保留）")).expect("the note is drawn");
    for s in line.segs.iter().filter(|s| !s.text.trim().is_empty()) {
        assert_eq!(s.role, Role::Meta, "{:?}", line.segs);
    }
    // Drawn: not bold.
    let mut app = app(100, 40);
    app.state.jump_to(n);
    app.state.focus = yanbao::app::Focus::Reader;
    let buf = render(&app);
    let text = screen(&buf);
    let (y, row) = text.lines().enumerate().find(|(_, l)| l.contains("原图数值未随文本保留")).expect("on screen");
    let x = row.split_once("原图").map(|(before, _)| yanbao::text::width(before) as u16).expect("the note");
    let cell = &buf[(x, y as u16)];
    assert_eq!(cell.symbol(), "原");
    assert!(!cell.modifier.contains(ratatui::style::Modifier::BOLD), "bold: {row}");
}

/// A mark set on a table says the table (`表格 …`), never a fragment of its cells.
#[test]
fn a_mark_on_a_table_lists_the_tables_kind_and_title() {
    let mut app = app(100, 30);
    app.state.jump_to(library().node_by_id("fs-1-2-2").expect("1.2.2"));
    app.update(Action::FocusNext);
    keys(&mut app, "/中国人工智能相关政策");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    // Down into the table's rows, then the mark.
    keys(&mut app, "jjjjjj");
    let f = app.state.focused_block().expect("a focused block");
    let title = match f.block.and_then(|b| library().section(f.node?).map(|s| s.blocks[b].clone())) {
        Some(Block::Table(t)) => t.title.clone().unwrap_or_default(),
        other => panic!("the table is focused: {other:?}"),
    };
    keys(&mut app, "ma");
    let m = &app.state.memory.marks[0];
    assert!(m.text.starts_with("表格 ") && m.text.contains(title.trim()), "{:?}", m.text);
    assert!(!m.text.contains('│') && !m.text.contains('|'), "{:?}", m.text);
    keys(&mut app, "M");
    let s = screen(&render(&app));
    assert!(s.contains(&format!("表格 {}", title.trim())), "{s}");
}
