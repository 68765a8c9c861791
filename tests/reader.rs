//! The reader (issue 11): find in tables, metric cards, the reading
//! position, help scrolling, the tree, industry pages and reading keys.

mod common;
use common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::style::Color;
use yanbao::action::Action;
use yanbao::content::{Block, Section};

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

fn goto(app: &mut yanbao::app::App, id: &str) {
    app.state.jump_to(node(id));
    app.update(Action::FocusNext);
}

#[allow(dead_code)]
fn snap(name: &str, app: &yanbao::app::App) {
    let buf = render(app);
    assert_rows_fit(&buf);
    insta::assert_snapshot!(name, screen(&buf));
}

/// Occurrences of `needle` in the table cells of a section and its parts.
fn in_tables(s: &Section, needle: &str) -> usize {
    let here: usize = s
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .flat_map(|t| t.rows.iter().flatten().map(|c| &c.0).chain(&t.columns))
        .map(|c| c.matches(needle).count())
        .sum();
    here + s.sections.iter().map(|x| in_tables(x, needle)).sum::<usize>()
}

/// B3: `/` finds text in table cells however they wrap, and in compact mode
/// behind the `…` too; every line a match spans is highlighted.
#[test]
fn find_reaches_every_table_cell_whatever_its_wrapping() {
    let lib = library();
    let s = lib.section(node("fs-1-1")).unwrap();
    for needle in ["暂行办法", "加拿大", "人工智能服务"] {
        let cells = in_tables(s, needle);
        assert!(cells > 0, "{needle} is in the policy table");
        for (w, h) in [(80, 24), (120, 40), (1000, 40)] {
            for compact in [false, true] {
                let mut app = app(w, h);
                goto(&mut app, "fs-1-1");
                if compact {
                    keys(&mut app, "w");
                }
                keys(&mut app, &format!("/{needle}"));
                let doc = app.state.reader.doc.clone();
                let f = &app.state.reader.find;
                let boxed = f.matches.iter().filter(|m| doc.lines[m.line()].boxed).count();
                assert_eq!(boxed, cells, "{needle} at {w}x{h} compact={compact}: every cell");
                for m in &f.matches {
                    let spanned: Vec<usize> = m.pieces.iter().map(|p| p.line).collect();
                    assert!(spanned.windows(2).all(|p| p[0] < p[1]), "{needle}: a piece per line {spanned:?}");
                    if !m.hidden {
                        let shown: String = m
                            .pieces
                            .iter()
                            .map(|p| {
                                let t = doc.lines[p.line].text();
                                let mut col = 0;
                                t.chars()
                                    .filter(|c| {
                                        let c0 = col;
                                        col += yanbao::text::char_width(*c);
                                        c0 >= p.start && c0 < p.end
                                    })
                                    .collect::<String>()
                            })
                            .collect();
                        assert_eq!(shown, needle, "{needle} at {w}x{h} compact={compact}: highlighted text");
                    }
                }
            }
        }
    }
}

#[test]
fn find_in_compact_tables_says_when_the_match_is_hidden() {
    let mut app = app(80, 24);
    goto(&mut app, "fs-1-1");
    keys(&mut app, "w/暂行办法");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let f = &app.state.reader.find;
    let hidden = f.matches.iter().position(|m| m.hidden).expect("one cell is cut off in compact mode");
    while app.state.reader.find.current != Some(hidden) {
        keys(&mut app, "n");
    }
    let text = screen(&render(&app));
    assert!(text.contains("已折叠"), "{text}");
}

#[test]
fn find_in_the_policy_table_snapshots() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        goto(&mut app, "fs-1-1");
        keys(&mut app, "/暂行办法");
        key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
        let buf = render(&app);
        assert_rows_fit(&buf);
        let hits = marks(&buf, |c| c.bg == Color::Yellow || c.bg == Color::LightRed);
        assert!(!hits.is_empty());
        insta::assert_snapshot!(format!("find_table_{w}x{h}"), format!("{}\n-- matches --\n{hits}", screen(&buf)));
    }
}
