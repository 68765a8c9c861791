//! The figure list (图表目录, `F`) and the `:` command line (issues 22, 23):
//! numbering that is stable and agrees everywhere (list = reader heading =
//! `:` command = citation) on both bundled reports and an imported seed,
//! the list's actions, every command with bad input too, and snapshots.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use proptest::prelude::*;
use std::sync::Arc;
use yanbao::action::{Action, Effect};
use yanbao::app::{App, Focus, Overlay, fig_row};
use yanbao::content::Library;
use yanbao::content::numbering::{FigKind, Numbered, find_label, number_library, number_report, report_node};
use yanbao::import::{Encoding, import};
use yanbao::keymap::Keymap;
use yanbao::search::Index;
use yanbao::theme::{ColorDepth, Theme};

fn enter(app: &mut App) {
    key(app, KeyCode::Enter, KeyModifiers::NONE);
}

/// Type a command line: `:`, the text, enter.
fn command(app: &mut App, text: &str) -> Vec<Effect> {
    keys(app, ":");
    app.handle_event(crossterm::event::Event::Paste(text.into()));
    app.handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)))
}

fn lib_app(lib: Arc<Library>, w: u16, h: u16) -> App {
    let index = Arc::new(Index::build(&lib));
    App::new(lib, index, Arc::new(Keymap::defaults()), Theme::new(ColorDepth::Ansi16, false), (w, h))
}

/// An imported report as a library of its own.
fn imported(name: &str, text: &[u8]) -> Arc<Library> {
    let i = import(name, text, Encoding::Utf8).expect("imports");
    Arc::new(crate::common::imported::library(&i))
}

fn seed_library() -> Arc<Library> {
    let text = std::fs::read("../shared/seeds/004_e2c2800a91814bfe.txt").expect("seed");
    imported("004_e2c2800a91814bfe.txt", &text)
}

/// A report with printed captions, one per construct: a captioned table
/// (with a numeric period column, so a chart is made from it too), a
/// captioned image, and an uncaptioned table.
const CAPTIONED: &str = "# 第一章 市场\n\n## 1.1 规模\n\n图表12 中国AI市场规模\n\n| 年份 | 规模（亿元） |\n|---|---|\n| 2023 | 100 |\n| 2024 | 120 |\n\n资料来源：某机构\n\n正文一段。\n\n图表13：产业链图谱\n\n![产业链](chain.png)\n\n| 企业 | 地区 |\n|---|---|\n| 甲 | 北京 |\n";

/// The reader's heading of an item: the first line of its block on the
/// page of its section.
fn heading_of(app: &App, x: &Numbered) -> String {
    let doc = &app.state.reader.doc;
    let item = doc.items.iter().find(|i| i.node == Some(x.node) && i.block == Some(x.block)).expect("on the page");
    doc.lines[item.line].text().trim().to_string()
}

/// list = heading = `:` = citation, for every numbered item of a library.
fn agreement(lib: Arc<Library>) -> usize {
    let mut app = lib_app(Arc::clone(&lib), 120, 40);
    let items = number_library(&lib);
    for x in &items {
        // The list's row.
        let (head, _) = fig_row(&lib, x, false);
        assert!(head.starts_with(&x.label), "{head:?} vs {}", x.label);
        // The `:` command lands on the block.
        let typed = x.label.replace(' ', "");
        app.state.jump_to(report_node(&lib, x.report).expect("report node"));
        command(&mut app, &typed);
        let here: Vec<Numbered> = number_report(&lib, x.report);
        let want = find_label(&here, &typed).expect("found");
        let at = app.state.focused_block().expect("a focus");
        assert_eq!((at.node, at.block), (Some(want.node), Some(want.block)), ":{typed} → {:?}", app.state.message);
        // The first item with a printed number shared with another is the one landed on.
        if want.node == x.node && want.block == x.block {
            // The reader's heading shows the number.
            let h = heading_of(&app, x);
            assert!(h.starts_with(&x.label), "heading {h:?} vs {}", x.label);
            // `y` cites it.
            app.update(Action::Copy);
            let copied = app.state.copied.clone().expect("copied").text;
            assert!(copied.contains(&format!("› {}", x.label)), "{copied}");
            app.update(Action::CloseOverlay);
        }
    }
    items.len()
}

#[test]
fn numbering_is_per_chapter_in_reading_order_and_stable() {
    let lib = library();
    let a = number_library(&lib);
    // Stable: the same library numbered again, and loaded again.
    assert_eq!(a, number_library(&lib));
    let (again, _) = Library::load_from(None).expect("bundled");
    assert_eq!(a, number_library(&again));
    assert!(a.len() > 50, "{} items", a.len());
    for r in 0..lib.report_count() {
        let items: Vec<&Numbered> = a.iter().filter(|x| x.report == r).collect();
        let mut labels: Vec<&str> = items.iter().map(|x| x.label.as_str()).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), items.len(), "labels repeat in report {r}");
        // 图 C-K and 表 C-K count 1, 2, 3 … within each chapter.
        let mut last: std::collections::HashMap<(String, String), usize> = Default::default();
        let mut ord = [0usize; 2];
        for x in &items {
            assert!(!x.printed, "bundled reports print no numbers: {}", x.label);
            let (prefix, rest) = x.label.split_once(' ').expect("图 C-K");
            assert_eq!(prefix, x.kind.prefix());
            let (c, k) = rest.split_once('-').expect("C-K");
            let k: usize = k.parse().expect("K");
            let prev = last.insert((prefix.to_string(), c.to_string()), k).unwrap_or(0);
            assert_eq!(k, prev + 1, "{}", x.label);
            let t = usize::from(prefix == "表");
            ord[t] += 1;
            assert_eq!(x.ordinal, ord[t], "{}", x.label);
        }
    }
    // Metric groups are 表, charts 图; the F&S image-only charts are 图 too.
    assert!(a.iter().any(|x| x.kind == FigKind::Metrics && x.label.starts_with("表 ")));
    assert!(a.iter().any(|x| x.kind == FigKind::Chart && x.label.starts_with("图 ")));
    assert!(a.iter().any(|x| x.kind == FigKind::Figure && x.title.contains("阿里云AI产品架构图")));
}

#[test]
fn numbers_agree_in_list_heading_command_and_citation_bundled() {
    assert!(agreement(library()) > 50);
}

#[test]
fn numbers_agree_on_an_imported_seed() {
    let lib = seed_library();
    assert_eq!(number_library(&lib), number_library(&seed_library()), "stable across imports");
    assert!(agreement(lib) > 0);
}

#[test]
fn imported_reports_keep_their_printed_numbers() {
    let lib = imported("captions.md", CAPTIONED.as_bytes());
    let items = number_library(&lib);
    let labels: Vec<(&str, bool, &str)> =
        items.iter().map(|x| (x.label.as_str(), x.printed, x.title.as_str())).collect();
    assert!(labels.contains(&("图表12", true, "中国AI市场规模")), "{labels:?}");
    assert!(labels.contains(&("图表13", true, "产业链图谱")), "{labels:?}");
    // The uncaptioned table is numbered in its chapter, counting the others.
    assert!(labels.iter().any(|(l, p, _)| !p && l.starts_with("表 1-")), "{labels:?}");
    agreement(Arc::clone(&lib));
    let mut app = lib_app(lib, 100, 30);
    command(&mut app, "图表13");
    assert_eq!(app.state.message.as_deref(), Some("图表13"));
    // The printed number is the title's own: shown once in the heading.
    let x = items.iter().find(|x| x.label == "图表13").unwrap();
    let h = heading_of(&app, x);
    assert!(h.starts_with("图表13") && h.matches("图表13").count() == 1, "{h}");
}

/// The reader on F&S 3.1, the tree hidden.
fn reading(w: u16, h: u16) -> App {
    let mut app = app(w, h);
    let n = library().node_by_id("fs-3-1").expect("fs-3-1");
    app.state.jump_to(n);
    app.state.focus = Focus::Reader;
    app
}

fn list(app: &App) -> &yanbao::app::FigList {
    match app.state.overlays.last() {
        Some(Overlay::Figures(l)) => l,
        o => panic!("no figure list: {o:?}"),
    }
}

#[test]
fn f_lists_the_report_and_enter_lands_on_the_block() {
    let mut app = reading(100, 30);
    keys(&mut app, "F");
    let l = list(&app);
    let r = app.state.lib.nodes[app.state.reader.node].report;
    assert_eq!(l.all, number_report(&library(), r));
    assert!(l.all.iter().all(|x| x.report == r));
    keys(&mut app, "G");
    keys(&mut app, "k");
    let want = list(&app).current().cloned().expect("an item");
    enter(&mut app);
    assert!(app.state.overlays.is_empty());
    let f = app.state.focused_block().expect("focus");
    assert_eq!((f.node, f.block), (Some(want.node), Some(want.block)));
    app.state.check_invariants().expect("invariants");
}

/// The random test's find: a filter with characters of no width, shown in
/// the list's title, was drawn over the second half of 银.
#[test]
fn a_filter_with_zero_width_characters_draws_whole_characters() {
    for (w, h) in [(80, 24), (60, 20)] {
        let mut app = reading(w, h);
        keys(&mut app, "F/");
        app.handle_event(crossterm::event::Event::Paste("银\u{feff}a\u{200d}\u{feff}\u{2028}a".into()));
        let mut screen = crate::check::Screen::new(w, h);
        screen.draw(&app, &|| "the figure list filtered".into());
    }
}

#[test]
fn f_filters_with_slash_and_esc_clears() {
    let mut app = reading(100, 30);
    keys(&mut app, "F");
    let all = list(&app).shown.len();
    keys(&mut app, "/");
    assert!(list(&app).editing);
    app.handle_event(crossterm::event::Event::Paste("市场规模".into()));
    let l = list(&app);
    assert!(!l.shown.is_empty() && l.shown.len() < all, "{} of {all}", l.shown.len());
    for &i in &l.shown {
        let (head, place) = fig_row(&library(), &l.all[i], false);
        assert!(head.contains("市场规模") || place.contains("市场规模"), "{head}");
    }
    enter(&mut app);
    assert!(!list(&app).editing);
    // j moves in the filtered list; the filter stays.
    keys(&mut app, "j");
    assert_eq!(list(&app).filter.input, "市场规模");
    // A filter that matches nothing leaves an empty list, drawn without panic.
    keys(&mut app, "/");
    app.handle_event(crossterm::event::Event::Paste("没有这样的图表zzz".into()));
    assert!(list(&app).shown.is_empty());
    let _ = render(&app);
    enter(&mut app);
    assert!(list(&app).current().is_none());
    enter(&mut app);
    // Esc while typing clears it.
    keys(&mut app, "/");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(list(&app).shown.len(), all);
    app.state.check_invariants().expect("invariants");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
}

#[test]
fn l_toggles_the_whole_library_with_reports_named() {
    let mut app = reading(120, 40);
    keys(&mut app, "F");
    let one = list(&app).all.len();
    keys(&mut app, "L");
    let l = list(&app);
    assert!(l.library);
    assert_eq!(l.all, number_library(&library()));
    assert!(l.all.len() > one);
    let (_, place) = fig_row(&library(), &l.all[0], true);
    assert!(place.contains('《'), "{place}");
    let screen = screen(&render(&app));
    assert!(screen.contains("全库"), "{screen}");
    keys(&mut app, "L");
    assert_eq!(list(&app).all.len(), one);
}

#[test]
fn c_on_two_charts_compares_them() {
    let mut app = reading(120, 40);
    keys(&mut app, "F");
    keys(&mut app, "L");
    let l = list(&app);
    let charts: Vec<usize> = (0..l.shown.len()).filter(|&i| l.all[l.shown[i]].kind == FigKind::Chart).take(2).collect();
    assert_eq!(charts.len(), 2, "two charts in the library");
    let table = (0..l.shown.len()).find(|&i| l.all[l.shown[i]].kind != FigKind::Chart).expect("a table");
    // c on a table says it cannot.
    let goto = |app: &mut App, i: usize| {
        keys(app, "gg");
        keys(app, &"j".repeat(i));
    };
    goto(&mut app, table);
    keys(&mut app, "c");
    assert!(app.state.message.as_deref().unwrap_or("").starts_with("只能对照图表"), "{:?}", app.state.message);
    goto(&mut app, charts[0]);
    keys(&mut app, "c");
    assert!(list(&app).pick.is_some());
    goto(&mut app, charts[1]);
    keys(&mut app, "c");
    match app.state.overlays.last() {
        Some(Overlay::Chart(c)) => {
            assert_eq!(c.charts.len(), 2);
            assert_eq!(c.compare, Some(1));
        }
        o => panic!("no chart view: {o:?}"),
    }
    app.state.check_invariants().expect("invariants");
    let s = screen(&render(&app));
    assert!(s.contains("对照"), "{s}");
}

#[test]
fn a_click_selects_and_a_second_click_opens() {
    let mut app = reading(100, 30);
    keys(&mut app, "F");
    let p = yanbao::app::figures_popup((100, 30), list(&app).shown.len()).expect("popup");
    let (x, y) = (p.x + 3, p.y + 1 + 2 * 2);
    app.update(Action::Click(x, y));
    let l = list(&app);
    assert_eq!(l.selected, l.offset + 2);
    let want = l.current().cloned().unwrap();
    app.update(Action::Click(x, y));
    assert!(app.state.overlays.is_empty());
    let f = app.state.focused_block().unwrap();
    assert_eq!((f.node, f.block), (Some(want.node), Some(want.block)));
}

#[test]
fn colon_commands_go_where_they_say() {
    let lib = library();
    let mut app = reading(100, 30);
    // A section by its number.
    command(&mut app, "3.2");
    assert_eq!(app.state.reader.node, lib.node_by_id("fs-3-2").unwrap());
    assert_eq!(app.state.focus, Focus::Reader);
    // A line.
    command(&mut app, "10");
    assert_eq!(app.state.reader.focus_line, 9);
    // Past the end: the last line, as in vim.
    command(&mut app, "999999999999999999999999");
    assert_eq!(app.state.reader.focus_line, app.state.reader.doc.lines.len() - 1);
    // A point of the page.
    command(&mut app, "50%");
    let half = (app.state.reader.doc.lines.len() - 1) / 2;
    assert_eq!(app.state.reader.focus_line, half);
    command(&mut app, "0%");
    assert_eq!(app.state.reader.focus_line, 0);
    // A figure by number, and the report's N-th 表.
    let fs = lib.nodes[lib.node_by_id("fs").unwrap()].report;
    let items = number_report(&lib, fs);
    let t2 = items.iter().filter(|x| x.kind.prefix() == "表").nth(1).unwrap().clone();
    for typed in [t2.label.clone(), t2.label.replace(' ', ""), "表2".to_string()] {
        command(&mut app, "1.1");
        command(&mut app, &typed);
        let f = app.state.focused_block().unwrap();
        assert_eq!((f.node, f.block), (Some(t2.node), Some(t2.block)), ":{typed}");
    }
    // Quit.
    assert!(command(&mut app, "q").contains(&Effect::Quit));
}

#[test]
fn colon_errors_say_what_was_wrong() {
    let mut app = reading(100, 30);
    let cases = [
        ("xyz", "未知命令：xyz"),
        ("9.9", "没有章节：9.9"),
        ("图99-1", "没有图表：图99-1"),
        ("表999", "没有表999"),
        ("150%", "百分比超出范围：150%"),
        ("abc%", "未知命令：abc%"),
    ];
    for (typed, want) in cases {
        let node = app.state.reader.node;
        command(&mut app, typed);
        let got = app.state.message.clone().unwrap_or_default();
        assert!(got.starts_with(want), ":{typed} said {got:?}");
        assert_eq!(app.state.reader.node, node, ":{typed} moved");
        assert!(app.state.overlays.is_empty());
    }
    // An empty command does nothing; esc cancels.
    command(&mut app, "");
    keys(&mut app, ":3.2");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    assert_eq!(app.state.reader.node, library().node_by_id("fs-3-1").unwrap());
}

#[test]
fn colon_history_and_tab_completion() {
    let mut app = reading(100, 30);
    command(&mut app, "3.2");
    command(&mut app, "50%");
    keys(&mut app, ":");
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    let input = |app: &App| match app.state.overlays.last() {
        Some(Overlay::Command(c)) => c.prompt.input.clone(),
        o => panic!("no command line: {o:?}"),
    };
    assert_eq!(input(&app), "50%");
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(input(&app), "3.2");
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(input(&app), "50%");
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(input(&app), "");
    // Tab: a unique start completes (a figure number whose start no other
    // command, section or figure number shares); several list the choices.
    let lib = library();
    let items = number_report(&lib, lib.nodes[app.state.reader.node].report);
    let mut names: Vec<String> = vec!["q".into()];
    names.extend(["1", "1.1", "1.2", "2", "2.1", "2.2", "2.3", "3", "4", "5"].map(String::from));
    names.extend((1..=11).map(|i| format!("3.{i}")));
    names.extend(items.iter().map(|x| x.label.replace(' ', "")));
    let unique = names
        .iter()
        .find_map(|n| {
            (1..=n.chars().count()).find_map(|k| {
                let cut: String = n.chars().take(k).collect();
                (names.iter().filter(|m| m.starts_with(&cut)).count() == 1).then(|| (cut, n.clone()))
            })
        })
        .expect("a unique start");
    app.handle_event(crossterm::event::Event::Paste(unique.0.clone()));
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(input(&app), unique.1);
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    keys(&mut app, "3.");
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    let msg = app.state.message.clone().unwrap_or_default();
    assert!(msg.starts_with("可选：3.1 3.2"), "{msg}");
    key(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    keys(&mut app, "zz");
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(app.state.message.as_deref(), Some("没有可补全的：zz"));
    assert_eq!(input(&app), "zz");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
}

#[test]
fn help_lists_the_figure_list_and_the_commands() {
    let lines = yanbao::app::help_lines(&Keymap::defaults());
    let text: Vec<String> = lines.iter().map(|(k, d)| format!("{k} {d}")).collect();
    let all = text.join("\n");
    assert!(all.contains("F 图表目录"), "{all}");
    assert!(all.contains(":图3-2") && all.contains(":50%") && all.contains(":q"), "{all}");
    assert!(all.contains("tab 补全"), "{all}");
}

#[test]
fn snapshots_of_the_list_and_the_command_line() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = reading(w, h);
        keys(&mut app, "F");
        insta::assert_snapshot!(format!("figure_list_{w}x{h}"), screen(&render(&app)));
        key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
        keys(&mut app, ":图1-");
        insta::assert_snapshot!(format!("command_line_{w}x{h}"), screen(&render(&app)));
    }
    // Tiny screens draw without panic.
    for (w, h) in [(1, 1), (20, 5), (40, 10)] {
        let mut app = reading(w, h);
        keys(&mut app, "F");
        let _ = render(&app);
        keys(&mut app, "/x");
        let _ = render(&app);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// No string typed after `:` panics or breaks the state.
    #[test]
    fn any_command_is_safe(s in "\\PC{0,24}|[0-9.%图表q:-]{0,12}") {
        let mut app = reading(80, 24);
        let _ = app.state.run_command(&s);
        app.state.check_invariants().map_err(TestCaseError::fail)?;
        let _ = command(&mut app, &s);
        keys(&mut app, ":");
        app.handle_event(crossterm::event::Event::Paste(s.clone()));
        key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
        app.state.check_invariants().map_err(TestCaseError::fail)?;
        let _ = render(&app);
    }
}

/// A metric group the source leaves untitled (F&S 表 1-3) is listed under
/// its first labels as printed, never an invented title, and the list says
/// the title is not the source's.
#[test]
fn an_untitled_metric_group_is_listed_under_its_own_labels() {
    let lib = library();
    let fs = lib.heads().iter().position(|h| h.id == "fs").expect("fs");
    let items = number_report(&lib, fs);
    let x = items.iter().find(|x| x.label == "表 1-3").expect("表 1-3");
    let Some(yanbao::content::Block::Metrics(m)) = lib.section(x.node).and_then(|s| s.blocks.get(x.block)) else {
        panic!("表 1-3 is a metric group")
    };
    assert!(m.title.is_none(), "the source gives it no title");
    let labels: Vec<&str> = m.items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(x.title, labels.iter().take(3).copied().collect::<Vec<_>>().join("、"));
    assert!(x.title.starts_with("中国大模型数量"), "{}", x.title);
    assert!(x.title_from_labels);
    let (head, place) = fig_row(&lib, x, false);
    assert_eq!(head, format!("表 1-3  {}", x.title));
    assert!(place.starts_with("指标（原无标题）"), "{place}");
    // Titled items keep their own, and say nothing.
    let titled = items.iter().find(|x| x.kind == FigKind::Metrics && !x.title_from_labels).expect("a titled group");
    assert!(!fig_row(&lib, titled, false).1.contains("原无标题"));
    // Every untitled metric group of both reports has a title made of its labels.
    for x in number_library(&lib).iter().filter(|x| x.kind == FigKind::Metrics) {
        assert!(!x.title.is_empty(), "{} of report {} has no title", x.label, x.report);
    }
    // The F list shows it.
    let mut app = lib_app(Arc::clone(&lib), 120, 40);
    app.state.jump_to(x.node);
    app.state.focus = Focus::Reader;
    keys(&mut app, "F");
    let s = screen(&render(&app));
    assert!(s.contains("表 1-3  中国大模型数量"), "{s}");
}
