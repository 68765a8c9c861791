//! The reader (issue 11): find in tables, metric cards, the reading
//! position, help scrolling, the tree, industry pages and reading keys.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use ratatui::style::Color;
use yanbao::action::Action;
use yanbao::app::Overlay;
use yanbao::content::{Block, Section};
use yanbao::doc::{LayoutOpts, Page, build_page};

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

fn goto(app: &mut yanbao::app::App, id: &str) {
    app.state.jump_to(node(id));
    app.update(Action::FocusNext);
}

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
        let mut whole = None;
        for (w, h) in [(1000, 40), (80, 24), (120, 40), (200, 50)] {
            for compact in [false, true] {
                let mut app = app(w, h);
                goto(&mut app, "fs-1-1");
                if compact {
                    keys(&mut app, "w");
                }
                keys(&mut app, &format!("/{needle}"));
                let doc = app.state.reader.doc.clone();
                let f = &app.state.reader.find;
                if w == 1000 {
                    // Nothing wraps: the grid's cells hold every table match.
                    let boxed = f.matches.iter().filter(|m| doc.lines[m.line()].boxed).count();
                    assert_eq!(boxed, cells, "{needle} at {w}x{h}: every cell");
                }
                let n = *whole.get_or_insert(f.matches.len());
                assert_eq!(f.matches.len(), n, "{needle} at {w}x{h} compact={compact}: every match");
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
    let mut app = app(120, 40);
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

/// Every metric value of a section and its parts: cards, case results and
/// example results, with the unit.
fn metric_values(s: &Section, out: &mut Vec<String>) {
    let text = |m: &yanbao::content::Metric| format!("{}{}", m.value, m.unit.clone().unwrap_or_default());
    for b in &s.blocks {
        match b {
            Block::Metrics(m) => out.extend(m.items.iter().map(text)),
            Block::Case(c) => out.extend(c.results.iter().map(text)),
            Block::Example(e) => out.extend(e.results.iter().map(text)),
            _ => {}
        }
    }
    s.sections.iter().for_each(|x| metric_values(x, out));
}

/// B2: no metric value is cut, at the reader widths of 80 and 120 columns
/// (52 and 80), nor in a narrow 30-column reader: find reads each whole.
#[test]
fn metric_values_are_never_cut() {
    let lib = library();
    let mut checked = 0;
    for n in (0..lib.nodes.len()).filter(|&n| lib.nodes[n].depth == 1) {
        let Some(s) = lib.section(n) else { continue };
        let mut values = Vec::new();
        metric_values(s, &mut values);
        for width in [30u16, 52, 80] {
            let opts = LayoutOpts {
                width,
                ascii: false,
                compact_tables: false,
                table_bars: false,
                measure: 0,
                ambiwide: false,
            };
            let doc = build_page(&lib, Page::Node(n), opts);
            for v in &values {
                let mut f = yanbao::app::FindState::default();
                f.set_query(v.trim(), &doc);
                assert!(!f.matches.is_empty(), "{} at {width}: {v} is cut", lib.node_title(n));
                checked += 1;
            }
        }
    }
    assert!(checked > 300, "{checked}");
}

#[test]
fn metric_cards_snapshots() {
    for (w, h) in [(80, 24), (120, 40)] {
        for (id, needle) in
            [("fs-3-2", "从数日压缩至小时级"), ("fs-3-7", "由4-6个月缩短至30秒"), ("fs-3-7", "从6小时缩短至1.5分钟")]
        {
            let mut app = app(w, h);
            goto(&mut app, id);
            keys(&mut app, &format!("/{needle}"));
            key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
            assert_eq!(app.state.reader.find.matches.len(), 1, "{needle}");
            let text = screen(&render(&app));
            assert!(!text.contains(&format!("{}…", needle.chars().take(6).collect::<String>())), "{text}");
            let tag = if needle.contains("小时级") {
                "case"
            } else if needle.contains("30秒") {
                "example_30s"
            } else {
                "example_15min"
            };
            snap(&format!("metrics_{tag}_{w}x{h}"), &app);
        }
    }
}

/// B8: a resize, `w` or `b` keeps the exact line at the top; a round trip
/// lands on the same line.
#[test]
fn resize_and_toggles_keep_the_line_at_the_top() {
    // Within the page: Space at its end goes on into the next section.
    for presses in [3, 8] {
        let mut app = app(80, 24);
        keys(&mut app, "jlj");
        key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
        for _ in 0..presses {
            key(&mut app, KeyCode::Char(' '), KeyModifiers::NONE);
        }
        let start = app.state.reader.scroll;
        let at = app.state.reader.doc.lines[start].at;
        assert!(start > 20, "deep in the page: {start}");
        app.update(Action::Resize(120, 40));
        let doc = &app.state.reader.doc;
        let (s, h) = (app.state.reader.scroll, app.state.reader_height());
        if s + h < doc.lines.len() {
            // The same row (shown as records at 80 columns, as a grid at 120) or paragraph.
            let top = doc.lines[s].at;
            assert_eq!((top.item, top.unit), (at.item, at.unit), "the same row or paragraph at 120x40");
        } else {
            // Near the end the view shows the last page, the line in it.
            assert!(doc.lines[s..].iter().any(|l| (l.at.item, l.at.unit) == (at.item, at.unit)));
        }
        app.update(Action::Resize(80, 24));
        assert_eq!(app.state.reader.scroll, start, "the round trip lands on the same line");
        app.update(Action::Resize(200, 50));
        app.update(Action::Resize(50, 20));
        app.update(Action::Resize(80, 24));
        assert_eq!(app.state.reader.scroll, start);
        keys(&mut app, "w");
        let (doc, s) = (&app.state.reader.doc, app.state.reader.scroll);
        let shown = &doc.lines[s..(s + app.state.reader_height()).min(doc.lines.len())];
        assert!(shown.iter().any(|l| (l.at.item, l.at.unit) == (at.item, at.unit)), "compact tables keep the row");
        keys(&mut app, "w");
        assert_eq!(app.state.reader.scroll, start);
        keys(&mut app, "B");
        keys(&mut app, "B");
        assert_eq!(app.state.reader.scroll, start);
        // Scrolling drops the anchor: the next resize keeps the new top line.
        keys(&mut app, "k");
        app.update(Action::Resize(120, 40));
        app.update(Action::Resize(80, 24));
        assert_eq!(app.state.reader.scroll, start - 1);
    }
}

/// The same for paragraphs: the top line at 120 columns holds the first
/// character of the top line at 80.
#[test]
fn resize_keeps_the_paragraph_line() {
    let mut app = app(80, 24);
    goto(&mut app, "fs-3-1");
    let doc = app.state.reader.doc.clone();
    let line = (40..doc.lines.len()).find(|&i| doc.lines[i].para != 0 && doc.lines[i].at.off > 20).unwrap();
    app.update(Action::Scroll(line as i32));
    let first: char = doc.lines[line].text().trim_start().chars().next().unwrap();
    app.update(Action::Resize(120, 40));
    let top = app.state.reader.doc.lines[app.state.reader.scroll].text();
    assert!(top.contains(first), "{first} in {top}");
    app.update(Action::Resize(80, 24));
    assert_eq!(app.state.reader.scroll, line);
}

/// B7: after `G` (or scrolling past the end) `k` scrolls back up.
#[test]
fn help_scrolls_both_ways() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        keys(&mut app, "?G");
        let Some(Overlay::Help { scroll: bottom }) = app.state.overlays.last().cloned() else { panic!("no help") };
        assert!(bottom > 0, "the help is longer than the screen at {w}x{h}");
        keys(&mut app, "k");
        assert_eq!(app.state.overlays.last(), Some(&Overlay::Help { scroll: bottom - 1 }));
        keys(&mut app, &"j".repeat(50));
        assert_eq!(app.state.overlays.last(), Some(&Overlay::Help { scroll: bottom }), "j stops at the end");
        keys(&mut app, "kk");
        assert_eq!(app.state.overlays.last(), Some(&Overlay::Help { scroll: bottom - 2 }));
        let text = screen(&render(&app));
        let shown = format!("{}-", bottom - 1);
        assert!(text.contains(&shown), "the title shows the new top line {shown}: {text}");
        keys(&mut app, "gg");
        assert_eq!(app.state.overlays.last(), Some(&Overlay::Help { scroll: 0 }));
    }
}

/// B12: the tree keeps no stale offset when the window grows.
#[test]
fn the_tree_scrolls_back_when_the_window_grows() {
    let mut app = app(80, 10);
    keys(&mut app, &"j".repeat(10));
    assert!(app.state.nav.offset > 0);
    app.update(Action::Resize(80, 30));
    assert_eq!(app.state.nav.offset, 0, "every row fits: none hidden above");
    let text = screen(&render(&app));
    assert!(text.contains("AI赋能千行百业白皮书"), "{text}");
}

/// B9: sibling rows of the tree read differently at 80 and 120 columns,
/// everything expanded.
#[test]
fn sibling_rows_of_the_tree_are_told_apart() {
    let lib = library();
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        app.state.nav.expanded = (0..lib.nodes.len()).collect();
        let rows: Vec<usize> = app.state.nav.visible(&lib).iter().filter_map(|r| r.node()).collect();
        let nav = app.state.panes().nav_list().unwrap();
        let mut shown: Vec<(usize, String)> = Vec::new();
        let mut offset = 0;
        while offset < rows.len() {
            app.state.nav.offset = offset;
            let buf = render(&app);
            for (i, &n) in rows.iter().enumerate().skip(offset).take(nav.height as usize) {
                let y = nav.y + (i - offset) as u16;
                let line: String = (nav.x..nav.x + nav.width).map(|x| buf[(x, y)].symbol().to_string()).collect();
                shown.push((n, line.trim().to_string()));
            }
            offset += nav.height as usize;
        }
        for (i, (a, ta)) in shown.iter().enumerate() {
            for (b, tb) in &shown[i + 1..] {
                if lib.nodes[*a].parent == lib.nodes[*b].parent {
                    assert_ne!(
                        ta,
                        tb,
                        "{w}x{h}: siblings {} and {} read the same",
                        lib.node_title(*a),
                        lib.node_title(*b)
                    );
                }
            }
        }
    }
    assert!(!lib.tree_title(node("fs-2-1-1")).contains("人工智能基础层发展现状"));
}

#[test]
fn tree_snapshots() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        app.state.jump_to(node("fs-2-1-1"));
        snap(&format!("tree_siblings_{w}x{h}"), &app);
        let lib = library();
        let cases = *lib.nodes[node("fs-3-1")].children.last().unwrap();
        app.state.jump_to(lib.nodes[cases].children[0]);
        snap(&format!("tree_cases_{w}x{h}"), &app);
    }
}

fn industry(id: &str) -> usize {
    library().industries.iter().position(|i| i.id == id).unwrap()
}

fn industry_doc(id: &str, width: u16) -> yanbao::doc::Doc {
    let opts =
        LayoutOpts { width, ascii: false, compact_tables: false, table_bars: false, measure: 0, ambiwide: false };
    build_page(&library(), Page::Industry(industry(id)), opts)
}

/// Every block in the library tagged with an industry.
fn tagged_blocks(id: &str) -> Vec<Block> {
    fn walk(s: &Section, id: &str, out: &mut Vec<Block>) {
        out.extend(s.blocks.iter().filter(|b| b.industries().contains(&id)).cloned());
        s.sections.iter().for_each(|x| walk(x, id, out));
    }
    let mut out = Vec::new();
    for r in library().reports() {
        r.chapters.iter().for_each(|c| walk(c, id, &mut out));
    }
    out
}

/// B10: an industry page leads with its own figures, shows every example
/// tagged with it, and shows no figure twice.
#[test]
fn industry_pages_lead_with_their_own_figures() {
    let lib = library();
    for ind in &lib.industries {
        let doc = industry_doc(&ind.id, 76);
        let text: Vec<String> = doc.lines.iter().map(|l| l.text()).collect();
        // Every example and case tagged with the industry is on its page.
        for b in tagged_blocks(&ind.id) {
            let needle = match &b {
                Block::Example(e) => e.text.chars().take(12).collect::<String>(),
                Block::Case(c) => c.title.chars().take(12).collect(),
                _ => continue,
            };
            let mut f = yanbao::app::FindState::default();
            f.set_query(&needle, &doc);
            assert!(!f.matches.is_empty(), "{}: {needle} is not shown", ind.name);
        }
        // No chart twice.
        let mut titles: Vec<String> = doc.charts.iter().map(|(_, s)| format!("{:?}{:?}", s.title, s.points)).collect();
        let n = titles.len();
        titles.sort();
        titles.dedup();
        assert_eq!(titles.len(), n, "{}: a chart twice", ind.name);
        // Market size charts lead, before the first section.
        let first_section = doc.anchors.first().map(|a| a.0).unwrap_or(text.len());
        for (line, s) in &doc.charts {
            if s.title.as_deref().unwrap_or("").contains("市场规模") {
                assert!(*line < first_section, "{}: the market size leads", ind.name);
            }
        }
    }
    let fin = industry_doc("finance", 76);
    let head: String = fin.lines.iter().take(20).map(|l| l.text() + "\n").collect();
    assert!(head.contains("中国金融大模型市场规模"), "{head}");
    assert!(!head.contains("文心快码") && !head.contains("通义灵码"), "{head}");
    // The 78% penetration card leads and is not repeated in 3.1.
    let mut f = yanbao::app::FindState::default();
    f.set_query("中国AI在金融行业的应用渗透率", &fin);
    assert_eq!(f.matches.len(), 1);
    // The examples of 2.2 and chapter 5 tagged 金融 are shown.
    let all: String = fin.lines.iter().map(|l| l.text()).collect();
    assert!(all.contains("腾讯云TI平台助力中国") && all.contains("国信证券"));
}

#[test]
fn industry_page_snapshots() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        keys(&mut app, "i1");
        snap(&format!("industry_finance_{w}x{h}"), &app);
    }
}

/// B11: a section about several industries names none in the breadcrumb.
#[test]
fn breadcrumbs_name_an_industry_only_for_sections_about_one() {
    let mut app = app(120, 40);
    goto(&mut app, "fs-2-3-4");
    let crumb = yanbao::ui::breadcrumb(&app.state);
    assert!(crumb.starts_with("[多行业]"), "{crumb}");
    goto(&mut app, "fs-3-1");
    let crumb = yanbao::ui::breadcrumb(&app.state);
    assert!(crumb.starts_with("[金融]"), "{crumb}");
    goto(&mut app, "fs-1-1");
    let crumb = yanbao::ui::breadcrumb(&app.state);
    assert!(!crumb.starts_with('['), "{crumb}");
}

/// Ctrl-d / ctrl-u move half a page, space and pgdn a page.
#[test]
fn ctrl_d_moves_half_a_page() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        goto(&mut app, "fs-3-1");
        let half = app.state.reader_height() / 2;
        key(&mut app, KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(app.state.reader.scroll, half);
        key(&mut app, KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(app.state.reader.scroll, 2 * half);
        key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(app.state.reader.scroll, half);
        key(&mut app, KeyCode::PageDown, KeyModifiers::NONE);
        assert_eq!(app.state.reader.scroll, half + app.state.reader_height() - 1);
    }
}

/// Esc in the reader clears the find highlights (vim's :noh).
#[test]
fn esc_in_the_reader_clears_find() {
    let mut app = app(80, 24);
    goto(&mut app, "fs-3-1");
    keys(&mut app, "/银行");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(!app.state.reader.find.matches.is_empty());
    let scroll = app.state.reader.scroll;
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.reader.find.matches.is_empty() && app.state.reader.find.query.is_empty());
    assert_eq!(app.state.reader.scroll, scroll, "the view stays");
    let buf = render(&app);
    assert!(marks(&buf, |c| c.bg == Color::Yellow || c.bg == Color::LightRed).is_empty());
    assert!(!screen(&buf).contains("[银行]"));
}

/// The position reads as less shows it, and the key hints fit at 80x24.
#[test]
fn status_line_position_and_hints() {
    let mut app = app(80, 24);
    goto(&mut app, "fs-3-1");
    let total = app.state.reader.doc.lines.len();
    let h = app.state.reader_height();
    let text = screen(&render(&app));
    let status = text.lines().nth(23).unwrap();
    assert!(status.contains(&format!("1-{h}/{total} {}%", h * 100 / total)), "{status}");
    assert!(status.contains("? 帮助") && status.contains("s 搜索") && status.contains("i 行业"), "{status}");
    let wide = app_status(200, 50);
    assert!(wide.contains("? 帮助  / 查找  s 搜索  i 行业  q 退出"), "{wide}");
    // No English in the status line after the usual keys.
    for k in ["w", "w", "b", "b", "n"] {
        keys(&mut app, k);
        let msg = app.state.message.clone().unwrap_or_default();
        assert!(!msg.chars().any(|c| c.is_ascii_lowercase() && c != 'w' && c != 'i'), "{msg}");
    }
}

fn app_status(w: u16, h: u16) -> String {
    let mut app = app(w, h);
    goto(&mut app, "fs-3-1");
    screen(&render(&app)).lines().nth(h as usize - 1).unwrap().to_string()
}

/// The find prompt edits like less and readline: cursor keys, ctrl-a/e/w/u,
/// history with ↑/↓, and backspace on an empty prompt cancels.
#[test]
fn find_prompt_editing() {
    let find_input = |app: &yanbao::app::App| match app.state.overlays.last() {
        Some(Overlay::Find { input, cursor, .. }) => Some((input.clone(), *cursor)),
        _ => None,
    };
    let mut app = app(80, 24);
    goto(&mut app, "fs-3-1");
    keys(&mut app, "/金行");
    key(&mut app, KeyCode::Left, KeyModifiers::NONE);
    keys(&mut app, "融银");
    assert_eq!(find_input(&app), Some(("金融银行".into(), 3)));
    key(&mut app, KeyCode::Char('a'), KeyModifiers::CONTROL);
    keys(&mut app, "AI ");
    key(&mut app, KeyCode::End, KeyModifiers::NONE);
    assert_eq!(find_input(&app), Some(("AI 金融银行".into(), 7)));
    key(&mut app, KeyCode::Char('w'), KeyModifiers::CONTROL);
    assert_eq!(find_input(&app), Some(("AI ".into(), 3)));
    key(&mut app, KeyCode::Home, KeyModifiers::NONE);
    key(&mut app, KeyCode::Right, KeyModifiers::NONE);
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert_eq!(find_input(&app), Some(("I ".into(), 0)));
    key(&mut app, KeyCode::Char('e'), KeyModifiers::CONTROL);
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    keys(&mut app, "银行");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    keys(&mut app, "/保险");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    keys(&mut app, "/");
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(find_input(&app).unwrap().0, "保险");
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(find_input(&app).unwrap().0, "银行");
    assert!(!app.state.reader.find.matches.is_empty(), "a recalled query is searched");
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(find_input(&app).unwrap().0, "");
    key(&mut app, KeyCode::Backspace, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty(), "backspace on an empty prompt cancels");
    let text = screen(&render(&app));
    assert!(!text.contains("[保险]"));
}

/// Table columns get at least their short cells and unbreakable runs:
/// no `加拿 / 大`, no `2023-10- / 30`, at any width; too narrow, records.
#[test]
fn table_columns_keep_short_cells_and_dates_whole() {
    let lib = library();
    for width in [40u16, 52, 60, 80, 116] {
        for compact in [false, true] {
            let opts = LayoutOpts {
                width,
                ascii: false,
                compact_tables: compact,
                table_bars: false,
                measure: 0,
                ambiwide: false,
            };
            let doc = build_page(&lib, Page::Node(node("fs-1-1")), opts);
            let text: Vec<String> = doc.lines.iter().map(|l| l.text()).collect();
            for (i, l) in text.iter().enumerate() {
                let cells: Vec<&str> = l.split('│').map(str::trim).collect();
                assert!(!cells.contains(&"加拿"), "{width}: {l}");
                assert!(!cells.iter().any(|c| c.ends_with("2023-10-") || c.ends_with("2023-10…")), "{width}: {l}");
                let _ = i;
            }
        }
    }
}

/// Below the smallest usable size: one line 「窗口太小」, nothing mangled.
#[test]
fn too_small_says_so() {
    for (w, h) in [(23, 24), (80, 7), (12, 3), (1, 1)] {
        let app = app(w, h);
        let buf = render(&app);
        assert_rows_fit(&buf);
        let text = screen(&buf);
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(lines.len() <= 1, "{w}x{h}: {text}");
        if w >= 8 {
            assert!(text.contains("窗口太小"), "{w}x{h}: {text}");
        }
    }
    let text = screen(&render(&app(24, 8)));
    assert!(!text.contains("窗口太小"), "{text}");
}

/// `--ascii` is truly ASCII for `…`, `·` and `—`, on pages, industry pages,
/// the finder and the help.
#[test]
fn ascii_mode_draws_no_ambiguous_punctuation() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app_with(w, h, true);
        let mut screens = Vec::new();
        goto(&mut app, "fs-2-1");
        screens.push(screen(&render(&app)));
        keys(&mut app, "i1");
        screens.push(screen(&render(&app)));
        keys(&mut app, "w");
        goto(&mut app, "fs-1-1");
        keys(&mut app, "jjjjjjjjjjjjjjjjjjjj");
        screens.push(screen(&render(&app)));
        keys(&mut app, "?");
        screens.push(screen(&render(&app)));
        key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
        keys(&mut app, "s");
        keys(&mut app, "hua");
        screens.push(screen(&render(&app)));
        for text in screens {
            assert!(!text.contains(['…', '·', '—', '─', '│']), "{w}x{h}: {text}");
        }
    }
}

/// Deep in a table, its header stays on top of the reader.
#[test]
fn table_headers_are_sticky() {
    let lib = library();
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        // The page with the longest table drawn as a grid at this size.
        let mut best = (0, 0, 0);
        for n in (0..lib.nodes.len()).filter(|&n| lib.nodes[n].depth == 2) {
            app.state.jump_to(n);
            for (head, end) in &app.state.reader.doc.table_heads {
                if end - head.end > best.2 {
                    best = (n, head.end, end - head.end);
                }
            }
        }
        assert!(best.2 > 20, "a long grid table at {w}x{h}");
        app.state.jump_to(best.0);
        app.update(Action::FocusNext);
        app.update(Action::Scroll((best.1 + 10) as i32));
        let doc = app.state.reader.doc.clone();
        let head = doc.sticky_head(app.state.reader.scroll).expect("inside the body");
        let text = screen(&render(&app));
        let first_head = doc.lines[head.start].text();
        let row1 = text.lines().nth(1).unwrap();
        assert!(row1.contains(first_head.trim()), "{first_head} on top: {text}");
        snap(&format!("sticky_header_{w}x{h}"), &app);
    }
}

/// Audit 14: `w` on a page whose tables are all shown as records (a narrow
/// reader) said `表格：紧凑（单元格截断）` and changed nothing.
#[test]
fn w_with_tables_shown_as_records_says_so() {
    let mut narrow = app(80, 24);
    goto(&mut narrow, "fs-1-1");
    let doc = narrow.state.reader.doc.clone();
    assert!(doc.tables.len() > doc.table_heads.len(), "some of 1.1's tables are records at 80x24");
    keys(&mut narrow, "w");
    let msg = narrow.state.message.clone().unwrap_or_default();
    assert!(msg.contains("逐条显示的表格不变"), "{msg}");
    // Where a grid is drawn, `w` still says what it does.
    let mut wide = app(200, 50);
    goto(&mut wide, "fs-1-1");
    let doc = wide.state.reader.doc.clone();
    assert_eq!(doc.table_heads.len(), doc.tables.len(), "every table of 1.1 is a grid at 200x50");
    keys(&mut wide, "w");
    assert_eq!(wide.state.message.as_deref(), Some("表格：紧凑（单元格截断）"));
}
