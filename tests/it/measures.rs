//! One figure compared across reports (issue 23): `yanbao figures` and `=`
//! in the reader, on a fixture of three small reports written for it
//! (`tests/fixtures/figures`): 亿元, 万亿元 and 亿美元 (one with a rate the
//! source states, one without), % and 个百分点, and a series with a gap
//! year for the computed growth.

use crate::common::*;
use std::sync::{Arc, OnceLock};
use yanbao::action::Action;
use yanbao::app::{App, Overlay};
use yanbao::content::Library;
use yanbao::figures::{self, Comparison, Dim, Pick, Rates};
use yanbao::keymap::Keymap;
use yanbao::notes::BlockRef;
use yanbao::search::Index;
use yanbao::theme::{ColorDepth, Theme};

const FIXTURE: &str = "tests/fixtures/figures";

fn lib() -> Arc<Library> {
    static LIB: OnceLock<Arc<Library>> = OnceLock::new();
    LIB.get_or_init(|| {
        let (lib, errors) = Library::load_from(Some(std::path::Path::new(FIXTURE))).expect("the fixture loads");
        assert!(errors.is_empty(), "{errors:?}");
        Arc::new(lib)
    })
    .clone()
}

fn compare(q: &str, rates: &[(&'static str, f64)]) -> Comparison {
    let lib = lib();
    let figs = figures::figures(&lib);
    figures::compare(&lib, &figs, &Pick::Query(q.into()), &Rates(rates.iter().copied().collect()))
}

/// (period, report id, value on the group's scale) of a group's rows.
fn rows(lib: &Library, c: &Comparison, g: usize) -> Vec<(String, String, f64)> {
    c.groups[g]
        .rows
        .iter()
        .map(|r| (r.fig.period.clone(), lib.heads()[r.fig.report].id.clone(), (r.norm * 1000.0).round() / 1000.0))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn one_measure_from_every_report_on_one_scale() {
    let lib = lib();
    let c = compare("中国大模型市场规模", &[]);
    assert_eq!(c.groups.len(), 2, "{c:#?}");
    assert_eq!(c.groups[0].dim, Dim::Money("CNY"));
    assert_eq!(c.groups[0].unit, "亿元", "the unit most rows print");
    let s = |p: &str, id: &str, v: f64| (p.to_string(), id.to_string(), v);
    // 万亿元 on the 亿元 scale; 亿美元 at the rate report c states; by
    // year, then newest report first.
    assert_eq!(
        rows(&lib, &c, 0),
        vec![
            s("2023", "a", 100.0),
            s("2024", "a", 120.0),
            s("2024", "b", 165.0),
            s("2024", "c", 142.0),
            s("2025E", "c", 177.5),
            s("2026E", "a", 200.0),
            s("2028E", "b", 624.0),
        ]
    );
    let conv = c.groups[0].rows.iter().find(|r| r.fig.report == 2).expect("report c");
    assert_eq!(conv.rate_note.as_deref(), Some("1美元=7.1元（报告所述）"));
    // Each row says what it is: estimate or actual, value as printed, unit.
    let b28 = c.groups[0].rows.last().expect("a row");
    assert!(b28.fig.estimate);
    assert_eq!((b28.fig.value_text.as_str(), b28.fig.unit.text.as_str()), ("0.0624", "万亿元"));
}

#[test]
fn currencies_are_never_mixed_without_a_rate() {
    let lib = lib();
    let c = compare("中国大模型市场规模", &[]);
    // Report b's 亿美元 series states no rate: its own group, and a note says why.
    assert_eq!(c.groups[1].dim, Dim::Money("USD"));
    assert_eq!(c.groups[1].unit, "亿美元");
    let s = |p: &str, v: f64| (p.to_string(), "b".to_string(), v);
    assert_eq!(rows(&lib, &c, 1), vec![s("2024", 23.0), s("2025E", 30.0)]);
    assert_eq!(c.apart.len(), 1, "{:?}", c.apart);
    assert!(c.apart[0].contains("币种不同") && c.apart[0].contains("--rate USD="), "{}", c.apart[0]);
    // No 亿美元 figure is on the 亿元 scale without a rate.
    for r in &c.groups[0].rows {
        assert!(r.fig.unit.dim == Dim::Money("CNY") || r.rate_note.is_some(), "{r:?}");
    }
    // With the user's rate: one group; the source's own rate still wins for c.
    let c = compare("中国大模型市场规模", &[("USD", 7.2)]);
    assert_eq!(c.groups.len(), 1);
    assert!(c.apart.is_empty());
    let b: Vec<(f64, Option<String>)> = c.groups[0]
        .rows
        .iter()
        .filter(|r| r.fig.unit.text == "亿美元")
        .map(|r| (r.norm, r.rate_note.clone()))
        .collect();
    let user = Some("1美元=7.2元（用户给定）".to_string());
    let stated = Some("1美元=7.1元（报告所述）".to_string());
    assert_eq!(b.len(), 4);
    assert!(b.iter().any(|x| close(x.0, 165.6) && x.1 == user), "{b:?}");
    assert!(b.iter().any(|x| close(x.0, 216.0) && x.1 == user), "{b:?}");
    assert!(b.iter().any(|x| close(x.0, 142.0) && x.1 == stated), "{b:?}");
}

#[test]
fn growth_is_computed_against_hand_values_and_marked() {
    let c = compare("中国大模型市场规模", &[]);
    let g = &c.groups[0];
    let find = |report: usize, p: &str| g.rows.iter().find(|r| r.fig.report == report && r.fig.period == p).expect(p);
    // Report a: 100 (2023), 120 (2024), 200 (2026E).
    assert_eq!(find(0, "2023").yoy, None);
    assert_eq!(find(0, "2023").cagr, None);
    assert!(close(find(0, "2024").yoy.expect("yoy"), 0.2));
    // 2024 → 2026E is two years: no YoY; CAGR from 2023: 2^(1/3) − 1.
    assert_eq!(find(0, "2026E").yoy, None);
    let (from, x) = find(0, "2026E").cagr.clone().expect("cagr");
    assert_eq!(from, "2023");
    assert!((x - 0.259_921).abs() < 1e-6, "{x}");
    // Report b's cards: 0.0165 → 0.0624 万亿元 over 4 years: 39.45 %.
    let (_, x) = find(1, "2028E").cagr.clone().expect("cagr");
    assert!((x - 0.394_52).abs() < 1e-5, "{x}");
    // Report c: 20 → 25 亿美元: 25 %, whatever the rate.
    assert!(close(find(2, "2025E").yoy.expect("yoy"), 0.25));
    // Every output marks them as computed.
    let lib = lib();
    let text = figures::to_text(&lib, &c);
    assert!(text.contains("CAGR +26.0%（计算值，2023起）"), "{text}");
    assert!(text.contains("同比 +20.0%（计算值）"), "{text}");
    assert!(text.contains(figures::COMPUTED), "{text}");
    let csv = figures::to_csv(&lib, &c);
    assert!(csv.lines().next().unwrap().contains("年复合增长率（计算值）"));
    let json = figures::to_json(&lib, &c);
    assert_eq!(json["computed"], figures::COMPUTED);
    assert!((json["groups"][0]["rows"][5]["computed"]["cagr"].as_f64().unwrap() - 0.259_921).abs() < 1e-6);
}

#[test]
fn percent_and_points_are_kept_apart() {
    let c = compare("渗透率", &[]);
    let dims: Vec<&Dim> = c.groups.iter().map(|g| &g.dim).collect();
    assert_eq!(dims, vec![&Dim::Percent, &Dim::Points]);
    assert!(c.apart[0].contains("% 是比例，pct（百分点）是比例之差"), "{:?}", c.apart);
}

#[test]
fn pinyin_and_aliases_find_the_measure() {
    let n = compare("中国大模型市场规模", &[]).row_count();
    assert_eq!(n, 9);
    for q in [
        "中国AI大模型市场规模",
        "zgdmxscgm",
        "damoxingshichang",
        "中国人工智能大模型市场规模（亿元）",
        "2024年中国大模型市场规模",
    ] {
        assert_eq!(compare(q, &[]).row_count(), n, "{q}");
    }
    assert_eq!(compare("无此指标", &[]).row_count(), 0);
}

#[test]
fn outputs_have_a_row_per_figure_and_the_report_named() {
    let lib = lib();
    let c = compare("中国大模型市场规模", &[]);
    let csv = figures::to_csv(&lib, &c);
    assert_eq!(csv.lines().count(), 1 + 9);
    assert_eq!(csv.lines().next().unwrap(), figures::COLUMNS.join(","));
    let a2023 = csv.lines().nth(1).unwrap();
    assert!(a2023.contains(",2023,实际,100,亿元,100,亿元,") && a2023.contains("甲研究院,2025-08,12,a-1,"), "{a2023}");
    let md = figures::to_markdown(&lib, &c);
    assert!(md.contains("| 指标 | 期间 |"), "{md}");
    assert!(md.contains("币种不同"), "{md}");
}

// ---- The command line ----

fn yanbao(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(args)
        .env_remove("YANBAO_CONTENT")
        .env("XDG_CACHE_HOME", std::env::temp_dir().join(format!("yanbao-figures-cache-{}", std::process::id())))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run yanbao")
}

#[test]
fn the_figures_command_writes_text_csv_json_and_md() {
    let out = yanbao(&["--content", FIXTURE, "figures", "中国大模型市场规模"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("2028E 预测 · 0.0624万亿元（=624亿元）"), "{s}");
    let out = yanbao(&["--content", FIXTURE, "figures", "中国大模型市场规模", "--csv", "--rate", "USD=7.2"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 10);
    let out = yanbao(&["--content", FIXTURE, "figures", "zgdmxscgm", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["groups"].as_array().map(Vec::len), Some(2));
    let out = yanbao(&["--content", FIXTURE, "figures", "无此指标", "--md"]);
    assert_eq!(out.status.code(), Some(1));
    let out = yanbao(&["--content", FIXTURE, "figures", "规模", "--rate", "USD=abc"]);
    assert_eq!(out.status.code(), Some(2), "a bad rate is a usage error");
}

#[test]
fn the_figures_command_strips_control_characters() {
    let dir = std::env::temp_dir().join(format!("yanbao-figures-hostile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for f in ["industries.yaml", "companies.yaml", "a/report.yaml", "a/c1.yaml"] {
        let to = dir.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        let text = std::fs::read_to_string(std::path::Path::new(FIXTURE).join(f)).unwrap();
        let text = text
            .replace("中国AI大模型市场规模，2023-2026E", "\"中国AI大模型市场规模\\e]52;c;aGk=\\a\\e[2J\"")
            .replace("publisher: 甲研究院", "publisher: \"甲研究院\\u202e\\e[31m\"");
        std::fs::write(&to, text).unwrap();
    }
    for fmt in [&[][..], &["--csv"][..], &["--json"][..], &["--md"][..]] {
        let mut args = vec!["--content", dir.to_str().unwrap(), "figures", "中国大模型市场规模"];
        args.extend_from_slice(fmt);
        let out = yanbao(&args);
        assert!(out.status.success(), "{fmt:?}: {}", String::from_utf8_lossy(&out.stderr));
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.contains("甲研究院"), "{s}");
        assert!(!s.contains(['\u{1b}', '\u{7}', '\u{202e}']) && !s.contains("\\u001b"), "{fmt:?}: {s:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- `=` in the reader ----

fn app(w: u16, h: u16) -> App {
    let lib = lib();
    let index = Arc::new(Index::build(&lib));
    App::new(lib, index, Arc::new(Keymap::defaults()), Theme::new(ColorDepth::Ansi16, false), (w, h))
}

/// Report `id`'s chapter, block `index` focused in the reader.
fn focus_block(app: &mut App, section: &str, index: usize) -> BlockRef {
    let node = lib().node_by_id(section).expect(section);
    let at = BlockRef { node, index };
    app.state.open_block(at);
    let f = app.state.focused_block().expect("a focused block");
    assert_eq!((f.node, f.block), (Some(node), Some(index)), "the block is focused");
    at
}

fn figures_view(app: &App) -> &yanbao::app::MeasuresView {
    match app.state.overlays.last() {
        Some(Overlay::Measures(v)) => v,
        other => panic!("expected the figures list, got {other:?}"),
    }
}

#[test]
fn equals_on_a_chart_lists_its_measure_from_every_report() {
    let mut app = app(120, 40);
    let at = focus_block(&mut app, "a-1", 1);
    keys(&mut app, "=");
    let v = figures_view(&app);
    assert_eq!(v.cmp.row_count(), 9);
    assert_eq!(v.measure, "中国AI大模型市场规模，2023-2026E");
    let (g, r) = v.selected_row().expect("a row");
    assert_eq!(v.cmp.groups[g].rows[r].fig.at, at, "the focused chart's own row is selected");
    app.state.check_invariants().unwrap();
    // j j: report b's 2024 card; enter opens its block, focused.
    keys(&mut app, "jj");
    let v = figures_view(&app);
    let (g, r) = v.selected_row().unwrap();
    let row_at = v.cmp.groups[g].rows[r].fig.at;
    assert_eq!(lib().heads()[v.cmp.groups[g].rows[r].fig.report].id, "b");
    send(&mut app, &[Action::Confirm]);
    assert!(app.state.overlays.is_empty());
    let f = app.state.focused_block().expect("focused");
    assert_eq!((f.node, f.block), (Some(row_at.node), Some(row_at.index)));
}

#[test]
fn equals_on_a_metric_card_and_on_text() {
    let mut app = app(80, 24);
    focus_block(&mut app, "b-1", 0);
    keys(&mut app, "=");
    assert_eq!(figures_view(&app).cmp.row_count(), 9, "both cards' measure");
    keys(&mut app, "q");
    assert!(app.state.overlays.is_empty());
    focus_block(&mut app, "a-1", 0);
    keys(&mut app, "=");
    assert!(app.state.overlays.is_empty(), "text has no figure");
    assert_eq!(app.state.message.as_deref(), Some("这里没有图表或指标：= 对比同一指标"));
}

#[test]
fn c_draws_the_compared_charts_on_one_scale() {
    let mut app = app(120, 40);
    focus_block(&mut app, "a-1", 1);
    keys(&mut app, "=c");
    let Some(Overlay::Chart(c)) = app.state.overlays.last() else { panic!("the chart view") };
    // a's series, b's cards, c's series (converted): the 亿元 group, one scale.
    assert_eq!(c.charts.len(), 3);
    assert_eq!(c.scale, Some(624.0));
    assert!(c.charts.iter().all(|s| s.unit.as_deref() == Some("亿元")));
    assert_eq!(c.charts[c.index].points.len(), 3);
    app.state.check_invariants().unwrap();
    let buf = render(&app);
    assert_rows_fit(&buf);
    insta::assert_snapshot!("figures_chart_120x40", screen(&buf));
    keys(&mut app, "q");
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Measures(_))), "back to the list");
}

#[test]
fn the_list_renders_at_80x24_and_120x40() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        focus_block(&mut app, "a-1", 1);
        keys(&mut app, "=");
        let buf = render(&app);
        assert_rows_fit(&buf);
        insta::assert_snapshot!(format!("figures_list_{w}x{h}"), screen(&buf));
        // Moving to the last row keeps it in view.
        keys(&mut app, "G");
        let buf = render(&app);
        let s = screen(&buf);
        assert!(s.contains("30亿美元"), "the last row in view: {s}");
        app.state.check_invariants().unwrap();
    }
}

#[test]
fn every_size_renders_without_panic() {
    for (w, h) in [(1, 1), (10, 4), (20, 8), (40, 12), (60, 20)] {
        let mut app = app(w, h);
        focus_block_loose(&mut app);
        keys(&mut app, "=");
        let _ = render(&app);
        keys(&mut app, "jjGc");
        let _ = render(&app);
    }
}

/// Focus a-1's chart without asserting (tiny screens may show no block).
fn focus_block_loose(app: &mut App) {
    if let Some(node) = lib().node_by_id("a-1") {
        app.state.open_block(BlockRef { node, index: 1 });
    }
}

/// The query time at 100 and 500 reports (copies of the bundled two):
/// `cargo test --test figures -- --ignored --nocapture`. A measurement,
/// not an assertion on time.
#[test]
#[ignore]
fn measure_the_query_time() {
    for copies in [50, 250] {
        let dir = make_library(&format!("figures-{copies}"), copies);
        let (lib, errors) = Library::load_from(Some(&dir)).expect("the library loads");
        assert!(errors.is_empty());
        let t = std::time::Instant::now();
        let figs = figures::figures(&lib);
        let extract = t.elapsed();
        let mut times = Vec::new();
        let mut n = 0;
        for _ in 0..5 {
            let t = std::time::Instant::now();
            let c = figures::compare(&lib, &figs, &Pick::Query("中国大模型市场规模".into()), &Rates::default());
            n = c.row_count();
            times.push(t.elapsed());
        }
        times.sort();
        let t = std::time::Instant::now();
        let c = figures::compare(&lib, &figures::figures(&lib), &Pick::Query("zgdmxscgm".into()), &Rates::default());
        let whole = t.elapsed();
        assert!(c.row_count() > 0, "liveness: the pinyin query finds rows");
        println!(
            "{} reports: {} figures extracted in {extract:?}; query median {:?} ({n} rows); extract + pinyin query {whole:?}",
            lib.report_count(),
            figs.len(),
            times[2]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The figures of the library are extracted once, by the first `=`, and
/// shared by every session holding the library (the SSH server's sessions
/// share one `Arc<Library>`): a second `=`, in this session or another,
/// reuses them and costs only the query.
#[test]
fn the_figures_are_extracted_once_per_library_and_shared_by_sessions() {
    let (lib, errors) = Library::load_from(Some(std::path::Path::new(FIXTURE))).expect("the fixture loads");
    assert!(errors.is_empty());
    let lib = Arc::new(lib);
    assert!(!figures::extracted(&lib), "nothing extracted before the first =");
    let session = || {
        let index = Arc::new(Index::build(&lib));
        App::new(
            Arc::clone(&lib),
            index,
            Arc::new(Keymap::defaults()),
            Theme::new(ColorDepth::Ansi16, false),
            (120, 40),
        )
    };
    let mut one = session();
    focus_block(&mut one, "a-1", 1);
    keys(&mut one, "=");
    assert!(figures::extracted(&lib), "the first = extracts the library's figures into its memo");
    let first = figures::of_library(&lib);
    let mut two = session();
    focus_block(&mut two, "a-1", 1);
    keys(&mut two, "=");
    assert!(Arc::ptr_eq(&first, &figures::of_library(&lib)), "the second session's = reused them");
    assert_eq!(figures_view(&one).cmp, figures_view(&two).cmp, "the same comparison");
    assert_eq!(*first, figures::figures(&lib), "the memo holds what an extraction gives");
}

/// The first and second `=` at 100 reports (50 copies of the bundled two),
/// and the query alone: `cargo test --test=it -- --ignored --nocapture
/// measure_equals_first_and_second`. A measurement, no assertion on time.
#[test]
#[ignore = "a measurement"]
fn measure_equals_first_and_second() {
    let dir = make_library("equals-100", 50);
    let (lib, errors) = Library::load_from(Some(&dir)).expect("the library loads");
    assert!(errors.is_empty());
    let lib = Arc::new(lib);
    // The first chart of the library (a measure every copy has).
    let at = (0..lib.nodes.len())
        .find_map(|n| {
            let s = lib.section(n)?;
            let i = s.blocks.iter().position(|b| matches!(b, yanbao::content::Block::Series(_)))?;
            Some(BlockRef { node: n, index: i })
        })
        .expect("a chart");
    let index = Arc::new(Index::build(&lib));
    let mut app = App::new(
        Arc::clone(&lib),
        index,
        Arc::new(Keymap::defaults()),
        Theme::new(ColorDepth::Ansi16, false),
        (120, 40),
    );
    let press = |app: &mut App| {
        app.state.overlays.clear();
        app.state.open_block(at);
        let t = std::time::Instant::now();
        keys(app, "=");
        let took = t.elapsed();
        let rows = match app.state.overlays.last() {
            Some(Overlay::Measures(v)) => v.cmp.row_count(),
            _ => 0,
        };
        (took, rows)
    };
    let (first, rows) = press(&mut app);
    let (second, rows2) = press(&mut app);
    assert!(rows > 0 && rows == rows2, "liveness: = lists rows");
    let figs = figures::of_library(&lib);
    let t = std::time::Instant::now();
    let c = figures::compare(&lib, &figs, &Pick::Query("zgdmxscgm".into()), &Rates::default());
    let query = t.elapsed();
    assert!(c.row_count() > 0);
    println!(
        "{} reports, {} figures: first = {first:?} ({rows} rows), second = {second:?}; a pinyin query on the memo {query:?}",
        lib.report_count(),
        figs.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `yanbao figures QUERY --xlsx FILE`: a sheet per measure and unit, read
/// back with calamine: row 1 the citations of the reports the rows come
/// from, row 2 the measure, then the columns and rows of the CSV, the
/// values as the fixture prints them and `统一单位数值` as a number.
#[test]
fn the_figures_command_writes_a_workbook() {
    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    let lib = lib();
    let dir = std::env::temp_dir().join(format!("yanbao-figures-xlsx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("cmp.xlsx");
    let f = file.to_str().unwrap();
    let out = yanbao(&["--content", FIXTURE, "figures", "中国大模型市场规模", "--xlsx", f]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), f);
    let cmp = compare("中国大模型市场规模", &[]);
    let tables = cmp.tables(&lib);
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(std::fs::read(&file).unwrap())).expect("xlsx");
    let names = wb.sheet_names();
    let want: Vec<String> = cmp.groups.iter().enumerate().map(|(k, g)| format!("表{} {}", k + 1, g.measure)).collect();
    assert_eq!(names, want, "one sheet per group, named by its measure as printed");
    assert_eq!(names[0], "表1 中国AI大模型市场规模，2023-2026E");
    let text = |d: &Data| match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("a text cell, not {other:?}"),
    };
    for (k, (name, g)) in names.iter().zip(&cmp.groups).enumerate() {
        let range = wb.worksheet_range(name).expect("sheet");
        let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        // Row 1: each report's citation, in the order its rows come.
        let mut ids: Vec<usize> = Vec::new();
        for r in &g.rows {
            if !ids.contains(&r.fig.report) {
                ids.push(r.fig.report);
            }
        }
        let want: Vec<String> = ids
            .iter()
            .map(|&r| {
                let n = yanbao::content::numbering::report_node(&lib, r).unwrap();
                yanbao::export::citation(&lib, n)
            })
            .collect();
        assert_eq!(text(&rows[0][0]), want.join("；"));
        assert!(text(&rows[0][0]).contains(&format!("《{}》", lib.heads()[ids[0]].title)));
        assert_eq!(text(&rows[1][0]), g.measure);
        let header: Vec<String> = rows[2].iter().map(text).collect();
        assert_eq!(header, figures::COLUMNS);
        for (i, r) in g.rows.iter().enumerate() {
            let row = &rows[3 + i];
            let cells: Vec<String> = tables[k].rows[i].iter().map(|c| c.0.clone()).collect();
            for (c, want) in cells.iter().enumerate() {
                if c == 5 {
                    assert_eq!(row[c], Data::Float((r.norm * 10_000.0).round() / 10_000.0));
                } else {
                    assert_eq!(&text(&row[c]), want, "{name} row {i} column {}", figures::COLUMNS[c]);
                }
            }
        }
    }
    // The fixture's printed values: b's 2028E card in 万亿元, on the 亿元 scale.
    let range = wb.worksheet_range(&names[0]).unwrap();
    let b28 = range.rows().find(|r| r.get(3).map(text).as_deref() == Some("0.0624")).expect("b's 2028E row");
    let got = (text(&b28[1]), text(&b28[4]), b28[5].clone(), text(&b28[6]));
    assert_eq!(got, ("2028E".to_string(), "万亿元".to_string(), Data::Float(624.0), "亿元".to_string()));
    // An existing file is kept unless --force.
    let again = yanbao(&["--content", FIXTURE, "figures", "中国大模型市场规模", "--xlsx", f]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let forced = yanbao(&["--content", FIXTURE, "figures", "中国大模型市场规模", "--xlsx", f, "--force"]);
    assert!(forced.status.success());
    let bad = yanbao(&["--content", FIXTURE, "figures", "中国大模型市场规模", "--xlsx", f, "--csv"]);
    assert_eq!(bad.status.code(), Some(2), "one format at a time");
    let _ = std::fs::remove_dir_all(&dir);
}
