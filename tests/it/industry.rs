//! Inline bar charts, the chart view, and moving between industries.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use yanbao::action::Action;
use yanbao::app::Overlay;
use yanbao::doc::{LayoutOpts, Page, build_page};

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

fn industry(id: &str) -> usize {
    library().industries.iter().position(|i| i.id == id).unwrap()
}

/// Scroll the reader so the first chart titled with `needle` is at the top.
fn to_chart(app: &mut yanbao::app::App, id: &str, needle: &str) {
    app.state.jump_to(node(id));
    app.update(Action::FocusNext);
    let doc = app.state.reader.doc.clone();
    let (line, _) = doc.charts.iter().find(|(_, s)| s.title.as_deref().unwrap_or("").contains(needle)).expect("chart");
    app.update(Action::Scroll(*line as i32));
}

#[test]
fn the_switcher_lists_every_industry_with_counts_and_opens_pages() {
    let mut app = app(80, 24);
    keys(&mut app, "i");
    assert_eq!(app.state.overlays, vec![Overlay::Industries { selected: 0 }]);
    let lib = library();
    let fin = lib.industry_stats("finance");
    // 案例 are the source's 标杆案例; 示例 the one-line examples, counted apart.
    assert!(fin.sections > 5 && fin.cases >= 3 && fin.examples > 10 && fin.figures > 5, "{fin:?}");
    let text = screen(&render(&app));
    assert!(text.contains("金融") && text.contains("泛娱乐"), "{text}");
    assert!(text.contains("案例") && text.contains("示例"), "{text}");
    keys(&mut app, "jj");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    assert_eq!(app.state.reader.industry, Some(industry("healthcare")));
    assert!(yanbao::ui::breadcrumb(&app.state).starts_with("行业 › 医疗"));
    // Digits jump straight to the n-th industry, from anywhere.
    keys(&mut app, "i5");
    assert_eq!(app.state.reader.industry, Some(4));
}

#[test]
fn digit_keys_reach_all_eleven_industries() {
    let lib = library();
    assert_eq!(lib.industries.len(), 11);
    let mut app = app(80, 24);
    for (k, want) in ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", ")"].iter().zip(0..) {
        keys(&mut app, &format!("i{k}"));
        assert_eq!(app.state.reader.industry, Some(want), "key {k}");
        // The same keys in the switcher, which shows each row's key.
        keys(&mut app, "i");
        let text = screen(&render(&app));
        let name = &lib.industries[want].name;
        assert!(text.lines().any(|l| l.contains(&format!(" {k} {name}"))), "{k} {name}\n{text}");
        keys(&mut app, k);
        assert!(app.state.overlays.is_empty());
        assert_eq!(app.state.reader.industry, Some(want));
    }
    // `)` comes with SHIFT from most terminals.
    keys(&mut app, "i");
    key(&mut app, KeyCode::Char(')'), KeyModifiers::SHIFT);
    assert_eq!(app.state.reader.industry, Some(10));
}

#[test]
fn the_switcher_shows_whole_names_and_a_chinese_title() {
    for (w, h) in [(80, 24), (100, 30)] {
        let mut app = app(w, h);
        keys(&mut app, "i");
        let text = screen(&render(&app));
        for name in ["7 制造 Manufacturing ", ") 泛娱乐 Entertainment "] {
            assert!(text.contains(name), "{w}x{h}: {name} cut\n{text}");
        }
        assert!(text.contains("行业 · ") && !text.contains("industries"), "{text}");
    }
}

#[test]
fn industries_past_the_eleventh_get_letter_keys() {
    let dir = make_library("manyind", 1);
    let reg = dir.join("industries.yaml");
    let mut t = std::fs::read_to_string(&reg).unwrap();
    for (id, name) in [("semis", "半导体"), ("chem", "化工"), ("agri", "农业")] {
        t.push_str(&format!("- id: {id}\n  name: {name}\n"));
    }
    std::fs::write(&reg, t).unwrap();
    let (lib, errors) = yanbao::content::Library::load_from(Some(&dir)).expect("the library loads");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(lib.industries.len(), 14);
    let lib = std::sync::Arc::new(lib);
    let index = std::sync::Arc::new(yanbao::search::Index::build(&lib));
    let mut app = yanbao::app::App::new(
        lib,
        index,
        std::sync::Arc::new(yanbao::keymap::Keymap::defaults()),
        yanbao::theme::Theme::new(yanbao::theme::ColorDepth::Ansi16, false),
        (80, 24),
    );
    for (k, want, name) in [("a", 11, "半导体"), ("b", 12, "化工"), ("c", 13, "农业")] {
        keys(&mut app, "i");
        let text = screen(&render(&app));
        assert!(text.lines().any(|l| l.contains(&format!(" {k} {name}"))), "{k} {name}\n{text}");
        keys(&mut app, k);
        assert!(app.state.overlays.is_empty(), "{k} opens the page");
        assert_eq!(app.state.reader.industry, Some(want), "key {k}");
    }
}

#[test]
fn an_industry_page_collects_both_reports() {
    let lib = library();
    let opts =
        LayoutOpts { width: 76, ascii: false, compact_tables: false, table_bars: false, measure: 0, ambiwide: false };
    let doc = build_page(&lib, Page::Industry(industry("finance")), opts);
    let has = |n: usize| doc.anchors.iter().any(|a| a.1 == n);
    assert!(has(node("fs-3-1")), "the F&S industry chapter");
    let ccid_fin = (0..lib.nodes.len()).find(|&n| lib.section(n).is_some_and(|s| s.title.contains("AI+金融服务")));
    assert!(ccid_fin.is_some_and(has), "the CCID AI+ section");
    assert!(
        doc.charts.iter().any(|(_, s)| s.title.as_deref().unwrap_or("").contains("金融大模型")),
        "market size charted"
    );
    let text: String = doc.lines.iter().take(40).map(|l| l.text() + "\n").collect();
    assert!(text.contains("图表与指标"));
}

#[test]
fn brackets_keep_the_part_when_moving() {
    let mut app = app(100, 30);
    let lib = library();
    let fin = node("fs-3-1");
    let cases = *lib.nodes[fin].children.last().unwrap();
    app.state.jump_to(cases);
    keys(&mut app, "]");
    let top = app.state.reader_top_node();
    let gov = node("fs-3-2");
    assert_eq!(lib.nodes[top].parent, Some(gov), "lands inside 3.2");
    assert!(
        lib.section(top).unwrap().title.starts_with("标杆案例"),
        "on 政务's cases: {}",
        lib.section(top).unwrap().title
    );
    assert!(yanbao::ui::breadcrumb(&app.state).starts_with("[政务]"));
    keys(&mut app, "[");
    assert_eq!(app.state.reader_top_node(), cases, "back on 金融's cases");
    // 医疗 has no 标杆案例: passing through it, the part is kept for 教育 and on.
    keys(&mut app, "]]");
    assert_eq!(app.state.reader_top_node(), node("fs-3-3"), "医疗 has no cases: its section");
    keys(&mut app, "[");
    assert!(lib.section(app.state.reader_top_node()).unwrap().title.starts_with("标杆案例"), "back on 政务's cases");
    // From the participants map of 3.1, ] lands on 3.2's participants map.
    let map = lib.nodes[fin].children[0];
    app.state.jump_to(map);
    keys(&mut app, "]");
    assert_eq!(app.state.reader_top_node(), lib.nodes[gov].children[0]);
    // On industry pages, ] keeps the part too.
    keys(&mut app, "i1");
    let doc = app.state.reader.doc.clone();
    let line = doc
        .anchors
        .iter()
        .find(|(_, n)| lib.nodes[*n].parent == Some(fin) && lib.tree_title(*n) == "行业应用价值")
        .unwrap()
        .0;
    app.update(Action::Scroll(line as i32 - app.state.reader.scroll as i32));
    keys(&mut app, "]");
    assert_eq!(app.state.reader.industry, Some(industry("government")));
    assert!(lib.tree_title(app.state.reader_top_node()).ends_with("行业应用价值"));
    // Wraps around.
    keys(&mut app, "[[");
    assert_eq!(app.state.reader.industry, Some(industry("entertainment")));
}

#[test]
fn enter_opens_the_chart_in_view_and_c_compares() {
    let mut app = app(80, 24);
    to_chart(&mut app, "fs-2-3", "金融大模型");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let Some(Overlay::Chart(c)) = app.state.overlays.last() else { panic!("no chart view") };
    assert!(c.charts[c.index].title.as_deref().unwrap().contains("金融大模型"));
    keys(&mut app, "c");
    let Some(Overlay::Chart(c)) = app.state.overlays.last() else { panic!() };
    let other = c.charts[c.compare.expect("a second chart")].title.clone().unwrap();
    assert!(other.contains("政务"), "{other}");
    let buf = render(&app);
    assert_rows_fit(&buf);
    insta::assert_snapshot!("chart_compare_80x24", screen(&buf));
    // One unit, one scale: 金融's 52.6亿元 bar is well under half of 政务's 135.1亿元.
    let text = screen(&buf);
    let row = text.lines().find(|l| l.contains("52.6亿元") && l.contains("135.1亿元")).expect("the 2028E row");
    let (left, right) = row.split_once("52.6亿元").unwrap();
    let bars = |s: &str| s.chars().filter(|&c| c == '█').count();
    let (a, b) = (bars(left), bars(right));
    assert!(b > 0 && a * 2 < b, "52.6 drawn {a} long beside 135.1 drawn {b}: {row}");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
}

#[test]
fn inline_charts_at_80x24_and_40x12_normal_and_ascii() {
    for ascii in [false, true] {
        for (w, h) in [(80, 24), (40, 12)] {
            let mut app = app_with(w, h, ascii);
            to_chart(&mut app, "fs-2-3", "金融大模型");
            let buf = render(&app);
            assert_rows_fit(&buf);
            let text = screen(&buf);
            if ascii {
                assert!(!text.contains(['█', '▏', '│', '─']), "{text}");
            }
            insta::assert_snapshot!(format!("chart_{w}x{h}{}", if ascii { "_ascii" } else { "" }), text);
        }
    }
}

#[test]
fn chart_rows_hold_one_bar_each() {
    let lib = library();
    for width in [20u16, 40, 76, 120] {
        let opts =
            LayoutOpts { width, ascii: false, compact_tables: false, table_bars: false, measure: 0, ambiwide: false };
        for n in 0..lib.nodes.len() {
            let doc = build_page(&lib, Page::Node(n), opts);
            for (line, s) in &doc.charts {
                for l in doc.lines.iter().skip(line + 1).take(s.points.len()) {
                    let t = l.text();
                    let runs = t.split(|c: char| !"█▉▊▋▌▍▎▏".contains(c)).filter(|r| !r.is_empty()).count();
                    assert!(runs <= 1, "{t}");
                    assert!(yanbao::text::width(&t) <= width as usize, "{t}");
                }
            }
        }
    }
}

#[test]
fn numeric_table_columns_get_bars_on_toggle() {
    let mut app = app(100, 30);
    app.state.jump_to(node("fs-1-1"));
    let count = |app: &yanbao::app::App| app.state.reader.doc.lines.iter().filter(|l| l.text().contains('█')).count();
    let before = count(&app);
    keys(&mut app, "B");
    assert!(app.state.table_bars);
    assert!(count(&app) > before, "bars appear beside numbers");
    keys(&mut app, "B");
    assert_eq!(count(&app), before);
}

#[test]
fn industry_page_snapshot() {
    let mut app = app(80, 24);
    keys(&mut app, "i2");
    let buf = render(&app);
    assert_rows_fit(&buf);
    insta::assert_snapshot!("industry_page_80x24", screen(&buf));
}

#[test]
fn every_page_lays_out_within_its_width_at_any_width() {
    let lib = library();
    let pages: Vec<Page> = (0..lib.nodes.len())
        .filter(|&n| lib.nodes[n].depth <= 1)
        .map(Page::Node)
        .chain((0..lib.industries.len()).map(Page::Industry))
        .collect();
    for width in [1u16, 2, 3, 5, 8, 13, 21, 34, 52, 76, 116, 200] {
        for ascii in [false, true] {
            for table_bars in [false, true] {
                let opts = LayoutOpts {
                    width,
                    ascii,
                    compact_tables: width % 2 == 0,
                    table_bars,
                    measure: 0,
                    ambiwide: false,
                };
                for &p in &pages {
                    let doc = build_page(&lib, p, opts);
                    for l in &doc.lines {
                        let t = l.text();
                        let w = yanbao::text::width(&t);
                        // Only a single wide character may overflow a 1-column line.
                        assert!(w <= width as usize || t.trim().chars().count() <= 1, "{p:?} at {width}: {t:?}");
                    }
                }
            }
        }
    }
}

/// The kinds of the blocks of an industry's page, in the page's order.
fn page_blocks(id: &str) -> Vec<(usize, yanbao::content::Block)> {
    let lib = library();
    let opts =
        LayoutOpts { width: 80, ascii: false, compact_tables: false, table_bars: false, measure: 80, ambiwide: false };
    let doc = build_page(&lib, Page::Industry(industry(id)), opts);
    doc.items
        .iter()
        .filter_map(|it| {
            let blk = lib.section(it.node?)?.blocks.get(it.block?)?;
            Some((it.line, blk.clone()))
        })
        .collect()
}

/// Audit 6 (B10): 电商, 能源, 交通 and 泛娱乐 opened with the participant map,
/// 交通's first cards were 80 lines down, and 制造 opened with smart-home
/// penetration. Every page leads with its own figures, then the cases and
/// examples, then the maps.
#[test]
fn every_industry_page_leads_with_its_figures_then_cases_then_maps() {
    use yanbao::content::Block;
    for ind in library().industries.iter() {
        let blocks = page_blocks(&ind.id);
        let first = |f: &dyn Fn(&Block) -> bool| blocks.iter().find(|(_, b)| f(b)).map(|(l, _)| *l);
        let figure = first(&|b| matches!(b, Block::Series(_) | Block::Metrics(_)));
        let case = first(&|b| matches!(b, Block::Case(_) | Block::Example(_)));
        let map = first(&|b| matches!(b, Block::Participants(_)));
        let name = &ind.name;
        if let Some(f) = figure {
            assert!(
                matches!(blocks[0].1, Block::Series(_) | Block::Metrics(_)),
                "{name}: leads with {:?}",
                blocks[0].1.kind_name()
            );
            assert!(f < 12, "{name}: the first figure at line {f}");
        }
        if let (Some(c), Some(m)) = (case, map) {
            assert!(c < m, "{name}: the map (line {m}) before the cases and examples (line {c})");
        }
    }
    // 制造: the figures about 制造 itself before the smart-home penetration.
    let first = page_blocks("manufacturing").into_iter().next().map(|(_, b)| b);
    let Some(Block::Metrics(m)) = first else { panic!("制造 leads with metrics: {first:?}") };
    assert!(!m.items.iter().any(|x| x.label.contains("智能家居")), "{:?}", m.items[0].label);
}

#[test]
fn fixed_industry_page_snapshots() {
    for k in ["5", "7", "8", "0", ")"] {
        for (w, h) in [(80, 24), (120, 40)] {
            let mut app = app(w, h);
            keys(&mut app, "i");
            key(&mut app, KeyCode::Char(k.chars().next().unwrap()), KeyModifiers::NONE);
            let i = app.state.reader.industry.expect("an industry page");
            let buf = render(&app);
            assert_rows_fit(&buf);
            insta::assert_snapshot!(format!("industry_page_{}_{w}x{h}", library().industries[i].id), screen(&buf));
        }
    }
}
