//! `y` and `Y`: what they copy (action sequences on a headless app), the
//! copy overlay, the size bound, `--copy-to`, and the OSC 52 bytes the
//! local runtime writes to the terminal.

use crate::common;
use crate::common::*;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::io;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use yanbao::action::{Action, Effect};
use yanbao::app::{App, Overlay};
use yanbao::content::Block;
use yanbao::export;

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

/// Show a section and scroll its `i`-th block to the top of the reader.
fn at_block(app: &mut App, id: &str, i: usize) {
    let n = node(id);
    app.update(Action::CloseOverlay); // an action between two copies: `y` copies again
    app.state.show(n);
    let doc = Arc::clone(&app.state.reader.doc);
    let item = doc.items.iter().find(|it| it.node == Some(n) && it.block == Some(i)).expect("the block is on the page");
    app.state.reader.scroll = item.line;
    // The block's first line is what the reader shows at its top.
    let lib = library();
    let b = &lib.section(n).expect("section").blocks[i];
    if let Some(t) = b.title() {
        let top = doc.lines[item.line..].iter().find(|l| !l.text().trim().is_empty()).expect("a line").text();
        assert!(top.contains(t.chars().take(6).collect::<String>().as_str()), "{top:?} is not {t:?}");
    }
}

/// The index of the first block of a section matching `f`.
fn block_index(id: &str, f: impl Fn(&Block) -> bool) -> usize {
    library().section(node(id)).expect("section").blocks.iter().position(f).expect("such a block")
}

/// The text of the one copy effect.
fn copied(effects: &[Effect]) -> String {
    match effects {
        [Effect::Copy { text, to: None }] => text.clone(),
        other => panic!("expected one OSC 52 copy, got {other:?}"),
    }
}

fn y(app: &mut App) -> Vec<Effect> {
    app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE)))
}

#[test]
fn y_copies_a_table_as_tsv_with_its_citation() {
    let mut app = app(120, 40);
    let i = block_index(
        "fs-3-1-2",
        |b| matches!(b, Block::Table(t) if t.title.as_deref() == Some("中国AI在证券行业的应用")),
    );
    at_block(&mut app, "fs-3-1-2", i);
    let text = copied(&y(&mut app));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "中国AI在证券行业的应用");
    assert_eq!(lines[1], "应用方向\t典型应用");
    assert_eq!(lines[2], "智能投研与信息处理\t研报自动生成、金融知识图谱构建、政策分析");
    assert_eq!(lines.len(), 1 + 1 + 6 + 1, "{text}");
    assert_eq!(
        *lines.last().expect("a line"),
        "——《AI赋能千行百业白皮书》，弗若斯特沙利文、头豹研究院，2025-08-28，3 AI赋能千行百业应用探析 › 3.1 AI在金融行业的融合与价值分析 › 行业应用现状 › 表 3-2，p.47起"
    );
    assert_eq!(app.state.message.as_deref(), Some("已复制 表格 6 行 · 再按 y 显示文本"));
}

#[test]
fn y_copies_a_chart_as_label_tab_value_unit() {
    let mut app = app(120, 40);
    let i = block_index("fs-3-1-2", |b| matches!(b, Block::Series(s) if s.unit.as_deref() == Some("%")));
    at_block(&mut app, "fs-3-1-2", i);
    let text = copied(&y(&mut app));
    assert!(text.starts_with("中国AI在银行行业的应用\n客户服务\t65 %\n后台运营\t52 %\n"), "{text}");
    assert!(text.trim_end().ends_with("p.47起"));
    assert_eq!(app.state.message.as_deref(), Some("已复制 图表 5 个数值 · 再按 y 显示文本"));
}

#[test]
fn y_copies_a_paragraph_a_metric_card_and_a_case() {
    let lib = library();
    let mut app = app(120, 40);
    // A paragraph.
    let i = block_index("fs-3-1-2", |b| matches!(b, Block::Text(_)));
    at_block(&mut app, "fs-3-1-2", i);
    let Block::Text(t) = &lib.section(node("fs-3-1-2")).expect("s").blocks[i] else { unreachable!() };
    let text = copied(&y(&mut app));
    assert!(text.starts_with(t.text.trim()), "{text}");
    assert_eq!(text.lines().count(), 2, "the paragraph, then the citation");
    // A metric card.
    let i = block_index("fs-3-1-2", |b| matches!(b, Block::Metrics(_)));
    at_block(&mut app, "fs-3-1-2", i);
    let text = copied(&y(&mut app));
    assert!(text.contains("中国AI在金融行业的应用渗透率\t78%"), "{text}");
    // A case, found anywhere in the reports.
    let (n, i) = (0..lib.nodes.len())
        .find_map(|n| lib.section(n)?.blocks.iter().position(|b| matches!(b, Block::Case(_))).map(|i| (n, i)))
        .expect("a case");
    let id = lib.section(n).expect("s").id.clone();
    at_block(&mut app, &id, i);
    let Block::Case(c) = &lib.section(n).expect("s").blocks[i] else { unreachable!() };
    let text = copied(&y(&mut app));
    assert!(text.starts_with(&format!("案例：{}\n", c.title)), "{text}");
    assert_eq!(text.lines().last(), Some(export::block_citation(&lib, n, i, export::CitationStyle::Yanbao).as_str()));
}

#[test]
fn y_on_a_heading_copies_the_block_under_it() {
    let mut app = app(120, 40);
    app.state.show(node("fs-3-1-2"));
    app.state.reader.scroll = 0;
    let text = copied(&y(&mut app));
    assert!(text.starts_with("金融业AI已让风控更智能"), "{text}");
}

#[test]
fn y_again_shows_the_copy_overlay_and_esc_closes_it() {
    let mut app = app(100, 30);
    let i = block_index("fs-3-1-2", |b| matches!(b, Block::Table(_)));
    at_block(&mut app, "fs-3-1-2", i);
    let text = copied(&y(&mut app));
    assert!(y(&mut app).is_empty(), "the second y copies nothing");
    match app.state.overlays.last() {
        Some(Overlay::Copy(v)) => assert_eq!(v.text, text),
        other => panic!("no copy overlay: {other:?}"),
    }
    let shown = screen(&render(&app));
    assert!(shown.starts_with("已复制：表格"), "{shown}");
    assert!(shown.contains("应用方向  典型应用"), "tabs are drawn as spaces:\n{shown}");
    // Its text starts at the left edge: the terminal's selection takes no border.
    assert!(shown.lines().nth(1).is_some_and(|l| l.starts_with("中国AI在证券行业的应用")), "{shown}");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    // Anything between two y: the second copies again.
    keys(&mut app, "y");
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert!(!y(&mut app).is_empty());
}

#[test]
fn capital_y_copies_the_section_as_markdown() {
    let lib = library();
    let mut app = app(120, 40);
    let i = block_index("fs-3-1-2", |b| matches!(b, Block::Table(_)));
    at_block(&mut app, "fs-3-1-2", i);
    let fx = app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char('Y'), KeyModifiers::NONE)));
    let text = copied(&fx);
    let n = node("fs-3-1-2");
    assert_eq!(text, format!("{}\n\n{}\n", export::markdown_body(&lib, n).trim_end(), export::citation(&lib, n)));
    assert!(!text.contains("\n\n\n"), "no run of blank lines");
    assert!(text.starts_with("# AI在金融行业的融合与价值分析——行业应用现状 {#fs-3-1-2}\n"), "{text}");
    assert!(text.contains("| 应用方向 | 典型应用 |"));
    assert!(app.state.message.as_deref().is_some_and(|m| m.starts_with("已复制 本节 Markdown")));
}

#[test]
fn a_copy_too_long_for_osc52_is_cut_and_says_so() {
    let mut app = app(120, 40);
    app.state.show(node("fs-3"));
    let fx = app.update(Action::CopySection);
    let text = copied(&fx);
    assert!(text.len() <= yanbao::clipboard::MAX_OSC52);
    let full = export::markdown_body(&library(), node("fs-3"));
    assert!(full.len() > yanbao::clipboard::MAX_OSC52, "chapter 3 is {} bytes", full.len());
    assert!(
        app.state.message.as_deref().is_some_and(|m| m.contains("过长，只复制了前 74 KB")),
        "{:?}",
        app.state.message
    );
    // To a file, nothing is cut.
    app.state.copy_to = Some("/tmp/x.md".into());
    let fx = app.update(Action::CopySection);
    match &fx[..] {
        [Effect::Copy { text, to: Some(p) }] => {
            assert!(text.len() > full.len());
            assert_eq!(p.to_str(), Some("/tmp/x.md"));
        }
        other => panic!("{other:?}"),
    }
    assert!(app.state.message.as_deref().is_some_and(|m| m.contains("追加到 /tmp/x.md") && !m.contains("过长")));
}

#[test]
fn ctrl_y_in_the_finder_copies_the_selected_result() {
    let mut app = app(120, 40);
    keys(&mut app, "s");
    app.update(Action::InsertText("华福证券".into()));
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!("no finder") };
    let u = &index().units[s.hits[s.selected].unit];
    let fx = app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL)));
    let text = copied(&fx);
    assert!(text.contains(u.text.trim_end()), "{text}");
    if let yanbao::search::Target::Place { node, .. } = &u.target {
        assert_eq!(text.lines().last(), Some(export::citation(&library(), *node).as_str()));
    }
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Search(_))), "the finder stays open");
    assert!(app.state.message.as_deref().is_some_and(|m| m.starts_with("已复制 搜索结果")));
}

#[test]
fn the_help_lists_y_and_capital_y() {
    let lines = yanbao::app::help_lines(&yanbao::keymap::Keymap::defaults());
    for (k, what) in [("y", Action::Copy.describe()), ("Y", Action::CopySection.describe())] {
        assert!(lines.iter().any(|(keys, d)| keys.split(", ").any(|x| x == k) && d == what), "{k} not in help");
    }
}

#[test]
fn copy_to_appends_each_copy_to_the_file() {
    let dir = std::env::temp_dir().join(format!("yanbao-copy-to-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let f = dir.join("notes.md");
    let _ = std::fs::remove_file(&f);
    yanbao::runtime::append_copy(&f, "一\n").expect("append");
    yanbao::runtime::append_copy(&f, "二").expect("append");
    assert_eq!(std::fs::read_to_string(&f).expect("read"), "一\n\n二\n\n");
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------- the bytes on the terminal

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl io::Write for Shared {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Events from a list, then the end (the loop's stop flag is set).
struct Script(Vec<Event>, Arc<AtomicBool>);

impl yanbao::runtime::EventSource for Script {
    fn next_event(&mut self, _timeout: Duration) -> io::Result<Option<Event>> {
        if self.0.is_empty() {
            self.1.store(true, std::sync::atomic::Ordering::Relaxed);
            return Ok(None);
        }
        Ok(Some(self.0.remove(0)))
    }
}

fn run_keys(app: &mut App, keys: &str) -> Vec<u8> {
    let out = Shared::default();
    let (w, h) = app.state.size;
    let backend = yanbao::term::LeanBackend::with_size(out.clone(), w, h);
    let mut terminal = ratatui::Terminal::new(backend).expect("terminal");
    let stop = Arc::new(AtomicBool::new(false));
    let events = keys.chars().map(|c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))).collect();
    let mut script = Script(events, Arc::clone(&stop));
    yanbao::runtime::run(&mut terminal, app, &mut script, &stop).expect("run");
    out.0.lock().expect("lock").clone()
}

#[test]
fn the_local_runtime_writes_the_copy_as_osc52() {
    let mut app = app(100, 30);
    let i = block_index("fs-3-1-2", |b| matches!(b, Block::Table(_)));
    at_block(&mut app, "fs-3-1-2", i);
    let expected = {
        let mut probe = common::app(100, 30);
        at_block(&mut probe, "fs-3-1-2", i);
        copied(&y(&mut probe))
    };
    let raw = run_keys(&mut app, "y");
    let seq = [b"\x1b]52;c;".as_slice(), yanbao::clipboard::base64(expected.as_bytes()).as_bytes(), b"\x07"].concat();
    assert_eq!(raw.windows(seq.len()).filter(|w| *w == seq.as_slice()).count(), 1, "one OSC 52 with the copy");
    // The status line on the screen says so.
    let nz = |n: u16| std::num::NonZeroU16::new(n).expect("non-zero");
    let mut vt = vt100::Parser::new(nz(30), nz(100), 0);
    vt.process(&raw);
    assert!(vt.screen().contents().contains("已复制 表格"), "{}", vt.screen().contents());
}

#[test]
fn with_copy_to_nothing_goes_to_the_terminal() {
    let dir = std::env::temp_dir().join(format!("yanbao-copy-rt-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let f = dir.join("clip.txt");
    let _ = std::fs::remove_file(&f);
    let mut app = app(100, 30);
    app.state.copy_to = Some(f.clone());
    let raw = run_keys(&mut app, "y");
    assert!(!raw.windows(5).any(|w| w == b"\x1b]52;"), "no OSC 52 with --copy-to");
    let text = std::fs::read_to_string(&f).expect("the file was written");
    assert!(text.contains("——《AI赋能千行百业白皮书》"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// On an industry page, blocks come from many sections: each copy cites
/// the section its block is in, and holds that block.
#[test]
fn y_on_an_industry_page_cites_each_blocks_own_section() {
    let lib = library();
    let mut app = app(120, 40);
    app.update(Action::GotoIndustry(1));
    assert!(app.state.reader.industry.is_some());
    let doc = Arc::clone(&app.state.reader.doc);
    let max = doc.lines.len().saturating_sub(app.state.reader_height());
    let mut checked = 0;
    let mut sections = std::collections::BTreeSet::new();
    for it in doc.items.iter().filter(|it| it.block.is_some() && it.line <= max) {
        let (Some(n), Some(i)) = (it.node, it.block) else { continue };
        app.update(Action::CloseOverlay);
        app.state.reader.scroll = it.line;
        let text = copied(&y(&mut app));
        let b = &lib.section(n).expect("a section").blocks[i];
        let (plain, _) = export::block_plain(&lib, b);
        let cite = export::block_citation(&lib, n, i, export::CitationStyle::Yanbao);
        assert_eq!(text, format!("{}\n{}\n", plain.trim_end(), cite));
        checked += 1;
        sections.insert(n);
    }
    assert!(checked > 20 && sections.len() > 5, "{checked} blocks in {} sections", sections.len());
}

#[test]
fn y_in_the_table_view_copies_the_table_shown() {
    let mut app = app(120, 40);
    let i = block_index(
        "fs-3-1-2",
        |b| matches!(b, Block::Table(t) if t.title.as_deref() == Some("中国AI在证券行业的应用")),
    );
    at_block(&mut app, "fs-3-1-2", i);
    app.update(Action::FocusNext); // into the reader
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Table(_))), "{:?}", app.state.overlays.last());
    let text = copied(&y(&mut app));
    assert!(text.starts_with("中国AI在证券行业的应用\n应用方向\t典型应用\n"), "{text}");
    assert!(text.trim_end().contains("› 行业应用现状 › 表 "), "{text}");
}

/// The block (section node, index) of the first block of the library whose
/// title is `title`.
fn titled_block(title: &str) -> yanbao::notes::BlockRef {
    let lib = library();
    (0..lib.nodes.len())
        .find_map(|n| {
            let i = lib.section(n)?.blocks.iter().position(|b| b.title() == Some(title))?;
            Some(yanbao::notes::BlockRef { node: n, index: i })
        })
        .unwrap_or_else(|| panic!("no block titled {title}"))
}

/// Ctrl-y in the finder on the first hit of `kind` for `query`: what it copies.
fn ctrl_y_on(query: &str, kind: yanbao::search::Kind) -> String {
    let mut app = app(120, 40);
    keys(&mut app, "s");
    app.update(Action::InsertText(query.into()));
    let Some(Overlay::Search(s)) = app.state.overlays.last_mut() else { panic!("the finder") };
    let index = app.state.index.get();
    s.selected = s.hits.iter().position(|h| index.units[h.unit].kind == kind).expect("a hit of that kind");
    let fx = app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL)));
    assert!(fx.iter().any(|e| matches!(e, Effect::Copy { .. })), "{fx:?}");
    app.state.copied.clone().expect("copied").text
}

/// `y` on a block in the reader: what it copies.
fn y_on(at: yanbao::notes::BlockRef) -> String {
    let mut app = app(120, 40);
    app.state.open_block(at);
    let f = app.state.focused_block().expect("focused");
    assert_eq!((f.node, f.block), (Some(at.node), Some(at.index)));
    app.update(Action::Copy);
    app.state.copied.clone().expect("copied").text
}

#[test]
fn ctrl_y_in_the_finder_copies_and_cites_the_hits_block_as_y_does() {
    use yanbao::search::Kind;
    let lib = library();
    for (query, kind, title) in [
        // A table row's hit: its table.
        ("风险管理精准度不高", Kind::Table, "金融行业对AI的需求痛点"),
        // A chart's hit.
        ("中美新增大模型数量占比", Kind::Figure, "中美新增大模型数量占比"),
    ] {
        let at = titled_block(title);
        let got = ctrl_y_on(query, kind);
        assert_eq!(got, y_on(at), "Ctrl-y on {query} copies what y on its block does");
        let label = yanbao::content::numbering::label_of(&lib, at.node, at.index).expect("a numbered block");
        let cite = export::block_citation(&lib, at.node, at.index, export::CitationStyle::Yanbao);
        assert!(cite.contains(&format!("› {label}")), "{cite}");
        assert!(got.ends_with(&format!("{cite}\n")), "the block's citation, with its number {label}: {got}");
        assert!(got.contains(title), "{got}");
    }
}
