//! The finder: ranking, pinyin, folding, filters, the overlay and the CLI.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use std::process::{Command, Stdio};
use yanbao::app::{Focus, Overlay};
use yanbao::search::{Field, Kind, Query, Target};

fn top(q: &str, n: usize) -> Vec<(Kind, String)> {
    let idx = index();
    idx.search(&Query::parse(q), n).iter().map(|h| (idx.units[h.unit].kind, idx.units[h.unit].title.clone())).collect()
}

fn first_company(q: &str) -> String {
    let idx = index();
    let hits = idx.search(&Query::parse(q), 50);
    let h =
        hits.iter().find(|h| idx.units[h.unit].kind == Kind::Company).unwrap_or_else(|| panic!("no company for {q}"));
    idx.units[h.unit].title.clone()
}

#[test]
fn an_exact_name_beats_a_scattered_match() {
    let hits = top("华为", 3);
    assert_eq!(hits[0], (Kind::Company, "华为".to_string()), "{hits:?}");
    // A scattered match (华…为) never outranks a contiguous one.
    let idx = index();
    let all = idx.search(&Query::parse("华为"), 500);
    let first_scattered = all.iter().position(|h| !h.contiguous);
    let last_contiguous = all.iter().rposition(|h| h.contiguous);
    if let (Some(s), Some(c)) = (first_scattered, last_contiguous) {
        assert!(c < s, "a contiguous hit at {c} after a scattered one at {s}");
    }
}

/// The rank key the finder sorts by, before score and reading order.
fn rank_key(h: &yanbao::search::Hit) -> (std::cmp::Reverse<u8>, u8, bool, u8, bool) {
    let idx = index();
    let kind = idx.units[h.unit].kind;
    let name = match kind {
        Kind::Company | Kind::Industry => 0,
        Kind::Section if !h.title_marks.is_empty() => 1,
        _ => 2,
    };
    (std::cmp::Reverse(h.tier), h.in_path, !h.exact, name, h.field != Field::Title)
}

#[test]
fn titles_rank_above_body_text_and_ties_keep_reading_order() {
    let idx = index();
    let hits = idx.search(&Query::parse("金融"), 2000);
    assert!(hits.iter().any(|h| h.field == Field::Title) && hits.iter().any(|h| h.field == Field::Text));
    for w in hits.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        assert!(rank_key(a) <= rank_key(b), "rank order broken at units {} and {}", a.unit, b.unit);
        // Among equal keys and scores the earlier unit comes first.
        if rank_key(a) == rank_key(b) && a.score == b.score {
            assert!(a.unit < b.unit, "reading order broken at units {} and {}", a.unit, b.unit);
        }
    }
}

#[test]
fn pinyin_full_and_initials_find_chinese() {
    assert_eq!(first_company("zhongguancun"), "中关村科金");
    assert_eq!(first_company("zgckj"), "中关村科金");
    assert_eq!(top("zgckj", 1)[0].1, "中关村科金");
}

#[test]
fn heteronyms_do_not_break_matching() {
    for q in ["yinhang", "yinxing"] {
        let hits = top(q, 30);
        assert!(hits.iter().any(|(_, t)| t.contains("银行")), "{q}: {hits:?}");
    }
    let idx = index();
    let hits = idx.search(&Query::parse("hangye"), 10);
    let u = &idx.units[hits[0].unit];
    let matched = hits[0].matched(u).unwrap();
    assert_eq!(matched, "行业", "{}", u.title);
    // A common reading ranks above a rare one: huatai is 华泰 before 华大 (大 as tai).
    let hits = top("huatai", 5);
    let tai = hits.iter().position(|(_, t)| t.contains("华大")).unwrap_or(99);
    let idx2 = index();
    let all = idx2.search(&Query::parse("huatai"), 5);
    let first = &idx2.units[all[0].unit];
    assert!(first.text.contains("华泰") || first.title.contains("华泰"), "{hits:?}");
    assert!(tai > 0);
}

#[test]
fn latin_names_and_aliases_match() {
    assert_eq!(first_company("SenseTime"), "商汤科技");
    assert_eq!(first_company("HUAWEI"), "华为");
    assert_eq!(first_company("huawei"), "华为");
    assert_eq!(first_company("得助"), "中关村科金");
}

#[test]
fn full_width_letters_fold_to_ascii() {
    assert_eq!(top("ＡＩ", 20), top("ai", 20));
    assert_eq!(top("ＳｅｎｓｅＴｉｍｅ", 3), top("sensetime", 3));
}

#[test]
fn kind_filters() {
    for (q, kinds) in [
        ("co:华为", &[Kind::Company, Kind::Group][..]),
        ("case:中关村", &[Kind::Case]),
        ("ex:菜鸟", &[Kind::Example]),
        ("tb:证券", &[Kind::Table]),
        ("fig:算力", &[Kind::Figure, Kind::Metric]),
        ("ind:jinrong", &[Kind::Industry]),
        ("sec:政策", &[Kind::Section, Kind::Text]),
    ] {
        let hits = top(q, 100);
        assert!(!hits.is_empty(), "{q}");
        assert!(hits.iter().all(|(k, _)| kinds.contains(k)), "{q}: {hits:?}");
    }
    assert_eq!(Query::parse("xx:华为").filter, None, "an unknown prefix is text");
}

#[test]
fn table_rows_carry_their_headers_and_metrics_their_units() {
    let idx = index();
    let hits = idx.search(&Query::parse("tb:欧盟"), 5);
    assert!(!hits.is_empty());
    let u = &idx.units[hits[0].unit];
    assert!(u.text.contains('：'), "a row shows column：value: {}", u.text);
    let hits = idx.search(&Query::parse("fig:智能算力"), 20);
    assert!(hits.iter().any(|h| idx.units[h.unit].text.contains("EFLOPS")));
}

#[test]
fn company_mentions_cover_maps_cases_and_text() {
    let lib = library();
    let idx = index();
    let m = idx.mentions(&lib, "中关村科金");
    let kinds: std::collections::HashSet<Kind> = m.iter().map(|&u| idx.units[u].kind).collect();
    for k in [Kind::Group, Kind::Case, Kind::Text] {
        assert!(kinds.contains(&k), "{k:?} missing: {kinds:?}");
    }
    // Latin names only match whole words: "AI" is not a mention of a company called "AIA".
    assert!(idx.mentions(&lib, "no-such-company").is_empty());
}

#[test]
fn enter_on_a_result_lands_on_its_section_with_the_hit_visible() {
    let mut app = app(80, 24);
    keys(&mut app, "s华福证券");
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!("no finder") };
    assert!(!s.hits.is_empty());
    // Walk to the first hit that is a place in a report, then open it.
    let idx = index();
    let pos = s.hits.iter().position(|h| matches!(idx.units[h.unit].target, Target::Place { .. })).unwrap();
    let Target::Place { node, .. } = idx.units[s.hits[pos].unit].target.clone() else { unreachable!() };
    for _ in 0..pos {
        key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    }
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    assert_eq!(app.state.focus, Focus::Reader);
    assert_eq!(app.state.reader.node, node);
    assert_eq!(app.state.nav.selected_node(), Some(node), "the tree follows");
    let f = &app.state.reader.find;
    assert_eq!(f.query, "华福证券");
    let cur = f.current.expect("the hit is the current match");
    let line = f.matches[cur].line();
    let (s, h) = (app.state.reader.scroll, app.state.reader_height());
    assert!(line >= s && line < s + h, "hit line {line} not in view {s}..{}", s + h);
}

#[test]
fn esc_returns_to_where_you_were() {
    let mut app = app(80, 24);
    keys(&mut app, "jj");
    let before = (app.state.reader.node, app.state.reader.scroll, app.state.focus);
    key(&mut app, KeyCode::Char('p'), KeyModifiers::CONTROL);
    keys(&mut app, "zgckj");
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    assert_eq!((app.state.reader.node, app.state.reader.scroll, app.state.focus), before);
}

#[test]
fn a_company_opens_its_page_and_each_mention_jumps() {
    let mut app = app(100, 30);
    keys(&mut app, "sco:zgckj");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let Some(Overlay::Company(c)) = app.state.overlays.last() else { panic!("no company page") };
    assert_eq!(c.id, "中关村科金");
    assert!(c.mentions.len() >= 10);
    let second = c.mentions[1];
    keys(&mut app, "j");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Search(_))), "esc goes back to the finder");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    keys(&mut app, "j");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    let Target::Place { node, .. } = &index().units[second].target else { panic!() };
    assert_eq!(app.state.reader.node, *node);
    assert!(!app.state.reader.find.matches.is_empty(), "the company is highlighted");
}

#[test]
fn typing_is_incremental_and_paste_arrives_whole() {
    let mut app = app(80, 24);
    keys(&mut app, "s");
    let mut counts = Vec::new();
    for c in "中关村".chars() {
        keys(&mut app, &c.to_string());
        let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!() };
        counts.push(s.hits.len());
    }
    assert!(counts[0] >= counts[1] && counts[1] >= counts[2] && counts[2] > 0, "{counts:?}");
    app.handle_event(crossterm::event::Event::Paste("科金".into()));
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!() };
    assert_eq!(s.input, "中关村科金");
    // q, j and ? are typed, not bound, while the finder is open.
    keys(&mut app, "q?j");
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!() };
    assert_eq!(s.input, "中关村科金q?j");
}

#[test]
fn finder_snapshot_with_chinese_results_and_highlights() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut app = app(w, h);
        keys(&mut app, "s金融大模型");
        let buf = render(&app);
        assert_rows_fit(&buf);
        let marks = marks(&buf, |c| c.bg == ratatui::style::Color::Yellow);
        assert!(!marks.is_empty(), "matched characters are highlighted");
        insta::assert_snapshot!(format!("finder_{w}x{h}"), format!("{}\n-- highlighted --\n{marks}", screen(&buf)));
    }
}

#[test]
fn company_page_snapshot() {
    let mut app = app(80, 24);
    keys(&mut app, "sco:华为");
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let buf = render(&app);
    assert_rows_fit(&buf);
    insta::assert_snapshot!("company_80x24", screen(&buf));
}

fn cli(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yanbao"))
        .args(args)
        .stdin(Stdio::null())
        .env_remove("YANBAO_CONTENT")
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn cli_prints_ranked_hits_one_per_line() {
    let (code, out, _) = cli(&["search", "zgckj", "--limit", "3"]);
    assert_eq!(code, Some(0));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("公司\t公司名录\t中关村科金"), "{}", lines[0]);
    let (_, out, _) = cli(&["search", "欧盟", "--kind", "table", "--limit", "1"]);
    let cols: Vec<&str> = out.trim().split('\t').collect();
    assert_eq!(cols[0], "表格");
    assert!(cols[1].contains(" › "), "a location: {}", cols[1]);
    assert!(cols[2].starts_with("欧盟 · "), "the matching row, by its first cell: {}", cols[2]);
    // Terms in any order; the matched window after the title.
    let (_, out, _) = cli(&["search", "制造 华为", "--limit", "1"]);
    assert_eq!(
        out.trim(),
        "示例\tAI赋能千行百业白皮书 2025 › 3.7 制造 › 行业应用价值\t华为：工业AI质检系统用于汽车制造  缺陷率降低 80%  生产周期缩短 6…"
    );
}

#[test]
fn cli_json_is_one_object_per_line() {
    let (code, out, _) = cli(&["search", "SenseTime", "--json", "--limit", "2"]);
    assert_eq!(code, Some(0));
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for k in ["kind", "label", "title", "text", "location", "score", "matched", "target", "snippet", "span"] {
            assert!(v.get(k).is_some(), "{k} missing in {line}");
        }
    }
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["target"]["company"], "商汤");
    // The span is the matched text within the snippet.
    let (_, out, _) = cli(&["search", "2024-05-29", "--json", "--limit", "1"]);
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let snippet: Vec<char> = v["snippet"].as_str().unwrap().chars().collect();
    let (a, b) = (v["span"][0].as_u64().unwrap() as usize, v["span"][1].as_u64().unwrap() as usize);
    assert_eq!(snippet[a..b].iter().collect::<String>(), "2024-05-29");
    assert!(v["snippet"].as_str().unwrap().starts_with("新加坡 · 颁布日期"));
}

#[test]
fn cli_exit_codes() {
    assert_eq!(cli(&["search", "zzzzqqqqxxxx"]).0, Some(1), "no hits");
    assert_eq!(cli(&["search"]).0, Some(2), "no query");
    assert_eq!(cli(&["search", "x", "--kind", "nonsense"]).0, Some(2));
    assert_eq!(cli(&["search", "x", "--limit", "lots"]).0, Some(2));
    assert_eq!(cli(&["search", "  "]).0, Some(2));
}

#[test]
fn a_longer_company_name_is_not_a_mention() {
    let lib = library();
    let idx = index();
    for &u in &idx.mentions(&lib, "华为") {
        let unit = &idx.units[u];
        let both = format!("{} {}", unit.title, unit.text);
        assert!(both.replace("华为云", "").contains("华为") || both.contains("HUAWEI"), "{both}");
    }
}
