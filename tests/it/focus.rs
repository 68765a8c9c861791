//! The reader's focus (issue 22): after every kind of jump the focused
//! block is the hit's block, and the breadcrumb, `]`, `y`, `Y`, `m` and `K`
//! act on it. The audit's reproductions (2026-12-ux.md, problems 2 and 3)
//! are here as they were typed.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use yanbao::action::{Action, Effect};
use yanbao::app::{App, Overlay};
use yanbao::content::Block;
use yanbao::doc::Page;

fn enter(app: &mut App) {
    key(app, KeyCode::Enter, KeyModifiers::NONE);
}

/// The text of the one copy effect of a key.
fn copy_key(app: &mut App, c: char) -> String {
    let fx = app.handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )));
    match fx.as_slice() {
        [Effect::Copy { text, .. }] => text.clone(),
        other => panic!("expected one copy, got {other:?}"),
    }
}

/// The focused block's content block, from the library.
fn focused(app: &App) -> (usize, Block) {
    let f = app.state.focused_block().expect("a focused block");
    let lib = library();
    let (n, b) = (f.node.expect("a section"), f.block.expect("a block"));
    let block = lib.section(n).map(|s| s.blocks[b].clone()).expect("a section's block");
    (n, block)
}

/// The focus line is a line of the page in view.
fn assert_focus_in_view(app: &App) {
    let st = &app.state;
    let f = st.reader.focus_line;
    if st.reader.doc.lines.is_empty() {
        return;
    }
    assert!(f < st.reader.doc.lines.len(), "focus line {f} past the page");
    assert!(
        f >= st.reader.scroll && f < st.reader.scroll + st.reader_height().max(1),
        "focus line {f} not in view {}+{}",
        st.reader.scroll,
        st.reader_height()
    );
}

fn crumb(app: &App) -> String {
    yanbao::ui::breadcrumb(&app.state)
}

#[test]
fn find_lands_on_the_hit_and_the_breadcrumb_and_bracket_use_it() {
    // `1`, `/标杆案例`, Enter: the status reads 标杆案例, and `]` opens 政务's 标杆案例.
    let mut app = app(100, 30);
    keys(&mut app, "i1/标杆案例");
    enter(&mut app);
    let st = &app.state;
    let hit = st.reader.find.matches[st.reader.find.current.expect("a current match")].line();
    assert_eq!(st.reader.focus_line, hit, "the hit's line is focused");
    assert_eq!(hit - st.reader.scroll, st.reading_row(), "the hit is at the reading line");
    assert_focus_in_view(&app);
    let c = crumb(&app);
    assert!(c.contains("标杆案例"), "{c}");
    assert!(!c.ends_with("行业应用价值"), "{c}");
    keys(&mut app, "]");
    let c = crumb(&app);
    assert!(c.starts_with("行业 › 政务"), "{c}");
    assert!(c.contains("标杆案例"), "`]` keeps the focused part: {c}");
}

#[test]
fn finder_jump_then_y_copies_the_example_found() {
    // `s 生态银行`, Enter, `y`: the 中国建设银行 example, not 中国平安's above it.
    let mut app = app(100, 30);
    keys(&mut app, "s生态银行");
    enter(&mut app);
    assert!(app.state.overlays.is_empty());
    assert_focus_in_view(&app);
    let (_, b) = focused(&app);
    let text = copy_key(&mut app, 'y');
    assert!(matches!(b, Block::Example(_)), "{b:?}");
    assert!(text.contains("中国建设银行"), "{text}");
    assert!(text.contains("生态银行"), "{text}");
    assert!(!text.contains("中国平安"), "{text}");
}

#[test]
fn capital_y_at_the_top_of_every_industry_page_copies_that_page() {
    let lib = library();
    for (i, ind) in lib.industries.iter().enumerate() {
        let mut app = app(80, 24);
        app.update(Action::GotoIndustry((i + 1) as u8));
        assert_eq!(app.state.page(), Page::Industry(i));
        assert_focus_in_view(&app);
        let text = copy_key(&mut app, 'Y');
        let node = app.state.focused_node();
        // What the page shows first, about this industry: never the
        // tree's selection (the whole report).
        assert_ne!(node, app.state.reader.node, "{}: Y took the tree's selection", ind.name);
        assert!(lib.section(node).is_some(), "{}: a section", ind.name);
        let on_page = app.state.reader.doc.items.iter().any(|it| it.node == Some(node));
        assert!(on_page, "{}: the section copied is on the page", ind.name);
        assert!(text.lines().count() < 1000, "{}: {} lines copied", ind.name, text.lines().count());
        let title = lib.node_title(node);
        assert!(
            text.contains(title.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ' ')),
            "{}",
            ind.name
        );
    }
}

#[test]
fn j_and_k_move_the_focus_with_the_text_and_reach_every_line() {
    let mut app = app(80, 24);
    let n = library().node_by_id("fs-1-1").expect("1.1");
    app.state.jump_to(n);
    app.update(Action::FocusNext);
    assert_eq!(app.state.reader.scroll, 0);
    let f0 = app.state.reader.focus_line;
    keys(&mut app, "jjj");
    assert_eq!(app.state.reader.scroll, 3);
    assert_eq!(app.state.reader.focus_line, f0 + 3, "the focus keeps its row");
    keys(&mut app, "G");
    assert_focus_in_view(&app);
    let last = app.state.reader.doc.lines.len() - 1;
    for _ in 0..app.state.reader_height() + 5 {
        keys(&mut app, "j");
        assert_focus_in_view(&app);
    }
    assert_eq!(app.state.reader.focus_line, last, "at the end, j moves the focus to the last line");
    keys(&mut app, "gg");
    assert_eq!(app.state.reader.scroll, 0);
    assert_focus_in_view(&app);
}

#[test]
fn m_marks_the_focused_block_and_the_mark_lands_on_it() {
    let mut app = app(100, 30);
    keys(&mut app, "s生态银行");
    enter(&mut app);
    let at = where_focus(&app);
    keys(&mut app, "ma");
    keys(&mut app, "gg");
    assert_ne!(where_focus(&app), at);
    keys(&mut app, "'a");
    assert_focus_in_view(&app);
    assert_eq!(where_focus(&app), at);
    assert!(
        app.state.memory.marks[0].text.contains("生态银行") || app.state.memory.marks[0].text.contains("中国建设银行")
    );
    // And the jump list comes back to the same block.
    key(&mut app, KeyCode::Char('o'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Char('t'), KeyModifiers::CONTROL);
    assert_eq!(where_focus(&app), at);
}

/// The focused block's section and index.
fn where_focus(app: &App) -> (Option<usize>, Option<usize>) {
    let f = app.state.focused_block().expect("a focused block");
    (f.node, f.block)
}

#[test]
fn capital_k_lists_the_companies_of_the_focused_block_first() {
    let mut app = app(100, 30);
    keys(&mut app, "s生态银行");
    enter(&mut app);
    keys(&mut app, "K");
    match app.state.overlays.last() {
        Some(Overlay::Links(l)) => {
            // 中国建设银行 is the company 建行; 中国平安's example is above.
            assert_eq!(l.companies, ["建行"]);
        }
        other => panic!("no company list: {other:?}"),
    }
}

#[test]
fn enter_opens_the_focused_table() {
    let mut app = app(100, 30);
    app.state.jump_to(library().node_by_id("fs-1-2-2").expect("1.2.2"));
    app.update(Action::FocusNext);
    keys(&mut app, "/中国人工智能相关政策");
    enter(&mut app);
    let (_, b) = focused(&app);
    let Block::Table(t) = b else { panic!("the table is focused") };
    enter(&mut app);
    match app.state.overlays.last() {
        Some(Overlay::Table(v)) => assert_eq!(v.table.title, t.title),
        other => panic!("no table view: {other:?}"),
    }
}

#[test]
fn the_status_says_what_y_takes() {
    let mut app = app(160, 40);
    app.state.jump_to(library().node_by_id("fs-1-2-2").expect("1.2.2"));
    app.update(Action::FocusNext);
    keys(&mut app, "/中国人工智能相关政策");
    enter(&mut app);
    let s = screen(&render(&app));
    let status = s.lines().last().unwrap_or_default();
    assert!(status.contains("y 复制：表格 中国人工智能相关政策"), "{status}");
}

#[test]
fn space_at_the_end_of_a_section_goes_on_into_the_next_and_back() {
    let lib = library();
    let (a, b) = (lib.node_by_id("fs-1-1").expect("1.1"), lib.node_by_id("fs-1-2").expect("1.2"));
    let mut app = app(80, 24);
    app.state.jump_to(a);
    app.update(Action::FocusNext);
    keys(&mut app, "G");
    assert_eq!(app.state.page(), Page::Node(a));
    keys(&mut app, " ");
    assert_eq!(app.state.page(), Page::Node(b), "Space at the end of 1.1 goes on into 1.2");
    assert_eq!(app.state.reader.scroll, 0);
    assert_focus_in_view(&app);
    insta::assert_snapshot!("space_crossing_80x24", screen(&render(&app)));
    // Paging back at the top goes back to the text just before: the end of
    // 1.1's last subsection, 1.1.4 (and `}` from there is 1.2 again).
    let a4 = lib.node_by_id("fs-1-1-4").expect("1.1.4");
    key(&mut app, KeyCode::PageUp, KeyModifiers::NONE);
    assert_eq!(app.state.page(), Page::Node(a4));
    assert_eq!(app.state.reader.scroll, app.state.reader.doc.lines.len() - app.state.reader_height());
    assert_focus_in_view(&app);
    // `}` and `{`: next and previous section in reading order.
    keys(&mut app, "}");
    assert_eq!(app.state.page(), Page::Node(b));
    keys(&mut app, "{");
    assert_eq!(app.state.page(), Page::Node(a4));
    keys(&mut app, "{{{{");
    assert_eq!(app.state.page(), Page::Node(a), "1.1.3, 1.1.2, 1.1.1, then 1.1");
    let mut wide = app_with(120, 40, false);
    wide.state.jump_to(a);
    wide.update(Action::FocusNext);
    keys(&mut wide, "G ");
    insta::assert_snapshot!("space_crossing_120x40", screen(&render(&wide)));
}

#[test]
fn the_focus_snapshots() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        keys(&mut app, "s生态银行");
        enter(&mut app);
        let buf = render(&app);
        let marked = marks(&buf, |c| c.symbol() == "▍");
        insta::assert_snapshot!(format!("focus_{w}x{h}"), format!("{}\n{marked}", screen(&buf)));
    }
}
