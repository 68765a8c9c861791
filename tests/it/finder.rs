//! The finder of issue 12: rows that show why they matched, short
//! locations, one row per thing, counts, unordered AND terms, fzf's atoms,
//! ranking, destinations and coming back.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use proptest::prelude::*;
use std::collections::BTreeSet;
use yanbao::app::Overlay;
use yanbao::search::{Field, Kind, MAX_TERMS, Matches, Query, Target, narrows, short_location};
use yanbao::text::width;

const LABELS: [&str; 10] = ["公司", "图谱", "案例", "示例", "表格", "图表", "指标", "章节", "正文", "行业"];

/// The result rows of the finder on screen (the list, not the preview).
fn result_rows(app: &yanbao::app::App) -> Vec<String> {
    let buf = render(app);
    screen(&buf)
        .lines()
        .skip(2)
        .take_while(|l| !l.contains('─'))
        .map(|l| l.trim_start_matches('│').to_string())
        .filter(|l| LABELS.iter().any(|k| l.starts_with(k)))
        .collect()
}

fn finder(q: &str, w: u16, h: u16) -> yanbao::app::App {
    let mut app = app(w, h);
    keys(&mut app, "s");
    app.handle_event(crossterm::event::Event::Paste(q.into()));
    app
}

fn units(q: &str) -> BTreeSet<usize> {
    index().search(&Query::parse(q), 100_000).iter().map(|h| h.unit).collect()
}

#[test]
fn every_row_for_canada_shows_canada_at_80x24() {
    let app = finder("加拿大", 80, 24);
    let rows = result_rows(&app);
    assert!(rows.len() >= 3, "{rows:?}");
    for r in &rows {
        assert!(r.contains("加拿大"), "a row without the match: {r}");
    }
}

#[test]
fn a_table_hit_shows_the_matching_cell_with_its_column_name() {
    let app = finder("2024-05-29", 80, 24);
    let rows = result_rows(&app);
    assert!(rows.iter().any(|r| r.contains("新加坡 · 颁布日期 2024-05-29")), "{rows:?}");
    // A match in the first cell shows the next cell for context.
    let app = finder("tb:新加坡", 80, 24);
    let rows = result_rows(&app);
    assert!(rows[0].starts_with("表格 新加坡 · 政策名称"), "{rows:?}");
}

#[test]
fn locations_are_short_and_never_cut_a_name() {
    let lib = library();
    let node = |title: &str| (0..lib.nodes.len()).find(|&n| lib.node_title(n) == title).unwrap();
    let n = node("AI在金融行业的融合与价值分析——参与者图谱");
    assert_eq!(short_location(&lib, n, 80), "3.1 金融 › 参与者图谱");
    let n = node("AI在泛娱乐行业的融合与价值分析——参与者图谱");
    assert_eq!(short_location(&lib, n, 24), "3.11 泛娱乐 › 参与者图谱");
    assert_eq!(short_location(&lib, n, 20), "3.11 泛娱乐 › 参与…");
    let n = node("全球人工智能市场发展现状——人工智能相关政策");
    assert_eq!(short_location(&lib, n, 24), "1.1 › 人工智能相关政策");
    for n in 0..lib.nodes.len() {
        for max in [6, 10, 16, 24, 40, 80] {
            let loc = short_location(&lib, n, max);
            assert!(width(&loc) <= max, "{loc} wider than {max}");
            assert!(!loc.starts_with('…'), "cut from the left: {loc}");
            // Only the last part may be cut, at its end.
            let parts: Vec<&str> = loc.split(" › ").collect();
            for p in &parts[..parts.len() - 1] {
                assert!(!p.contains('…'), "a part cut in the middle of {loc}");
            }
        }
    }
}

#[test]
fn a_table_whose_title_matches_is_one_row() {
    let idx = index();
    let lib = library();
    // Every table title: a query for it lists that table once.
    let mut titles = BTreeSet::new();
    for u in idx.units.iter().filter(|u| u.kind == Kind::Table && u.own_title) {
        titles.insert(u.title.clone());
    }
    assert!(titles.len() >= 5);
    for t in titles {
        let q = format!("'{}", t.split_whitespace().next().unwrap());
        let hits = idx.search(&Query::parse(&q), 5000);
        let mut seen = std::collections::HashMap::new();
        for h in hits.iter().filter(|h| h.text_marks.is_empty()) {
            let u = &idx.units[h.unit];
            if u.kind == Kind::Table {
                let n = seen.entry(u.group).or_insert(0);
                *n += 1;
                assert_eq!(*n, 1, "{q}: the table {} twice ({})", u.title, lib.node_title(u.node().unwrap()));
            }
        }
    }
}

#[test]
fn the_prompt_counts_results_of_units() {
    let app = finder("华为", 80, 24);
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!() };
    let want = format!("{}/{}", s.matched, index().units.len());
    let top = screen(&render(&app)).lines().nth(1).unwrap().to_string();
    assert!(top.contains(&want), "{top}");
    assert!(!top.contains("hits"), "{top}");
    assert!(s.matched >= s.hits.len() && s.matched > 1);
}

#[test]
fn terms_are_an_unordered_and() {
    for (a, b) in [("华为 制造", "制造 华为"), ("标杆案例 金融", "金融 标杆案例"), ("zgckj 证券", "证券 zgckj")]
    {
        let (x, y) = (units(a), units(b));
        assert!(!x.is_empty(), "{a}");
        assert_eq!(x, y, "{a} / {b}");
    }
    let idx = index();
    for q in ["华为 制造", "制造 华为"] {
        let hits = idx.search(&Query::parse(q), 50);
        let u = &idx.units[hits[0].unit];
        assert_eq!((u.kind, u.title.as_str()), (Kind::Example, "华为"), "{q}");
        assert!(u.text.contains("制造"));
    }
}

#[test]
fn a_term_may_match_the_location() {
    let idx = index();
    let lib = library();
    let hits = idx.search(&Query::parse("标杆案例 金融"), 100);
    let cases: Vec<&str> = hits
        .iter()
        .map(|h| &idx.units[h.unit])
        .filter(|u| u.kind == Kind::Case)
        .filter(|u| u.node().is_some_and(|n| short_location(&lib, n, 80).starts_with("3.1 金融")))
        .map(|u| u.title.as_str())
        .collect();
    assert_eq!(cases.len(), 3, "the three 金融 benchmark cases: {cases:?}");
    // A term alone does not list everything under a heading that has it.
    assert!(units("标杆案例").len() < 30);
}

#[test]
fn fzf_atoms() {
    let idx = index();
    let text = |h: &yanbao::search::Hit| {
        let u = &idx.units[h.unit];
        (u.title.to_lowercase(), u.text.to_lowercase())
    };
    // 'exact: no scattered match.
    let all = idx.search(&Query::parse("华为"), 5000);
    assert!(all.iter().any(|h| !h.contiguous), "华为 has scattered matches");
    assert!(idx.search(&Query::parse("'华为"), 5000).iter().all(|h| h.contiguous));
    // ^prefix and suffix$, literal and pinyin.
    let hits = idx.search(&Query::parse("^中关村"), 5000);
    assert!(!hits.is_empty());
    for h in &hits {
        let (t, x) = text(h);
        assert!(t.starts_with("中关村") || x.starts_with("中关村"), "{t} / {x}");
    }
    let hits = idx.search(&Query::parse("^zgc"), 10);
    assert_eq!(idx.units[hits[0].unit].title, "中关村科金");
    assert!(hits.iter().all(|h| h.indices.first() == Some(&0)));
    for h in idx.search(&Query::parse("科金$"), 5000) {
        let (t, x) = text(&h);
        let end = |s: &str| s.trim_end_matches(['。', '；', ' ']).ends_with("科金");
        assert!(end(&t) || end(&x), "{t} / {x}");
    }
    // !negation: literal, in the title, the text or the location.
    let with = units("华为");
    let without = units("华为 !云");
    assert!(!without.is_empty() && without.len() < with.len());
    for u in &without {
        let u = &idx.units[*u];
        assert!(!(u.text.contains('云') || u.own_title && u.title.contains('云')), "{}", u.title);
    }
    // | is OR between neighbouring terms, AND binds the rest.
    let (a, b) = (units("'银行"), units("'证券"));
    assert_eq!(units("'银行 | '证券"), a.union(&b).copied().collect());
    let c = units("'银行 | '证券 '平台");
    assert!(c.is_subset(&a.union(&b).copied().collect()) && c.iter().all(|u| units("'平台").contains(u)));
    // At most MAX_TERMS terms, however long the query.
    let q = Query::parse(&"a b c d e f g h i j k l m n o p ".repeat(12));
    assert_eq!(q.groups.iter().map(Vec::len).sum::<usize>() + q.not.len(), MAX_TERMS);
}

#[test]
fn company_names_rank_first_and_the_company_page_starts_with_its_profile() {
    let idx = index();
    let lib = library();
    let hits = idx.search(&Query::parse("商汤"), 5);
    assert_eq!(idx.units[hits[0].unit].kind, Kind::Company);
    assert!(idx.units[hits[1].unit].title.contains("典型企业分析——商汤科技"), "{:?}", idx.units[hits[1].unit].title);
    let m = idx.mentions(&lib, "商汤");
    let first = &idx.units[m[0]];
    assert_eq!(first.kind, Kind::Section);
    assert!(first.title.ends_with("商汤科技"), "{}", first.title);
    let kinds: Vec<Kind> = m.iter().map(|&u| idx.units[u].kind).collect();
    let pos = |k: Kind| kinds.iter().position(|&x| x == k);
    assert!(pos(Kind::Group) < pos(Kind::Text), "{kinds:?}");
}

#[test]
fn finder_snapshots_at_80x24_and_120x40() {
    for (q, (w, h)) in ["加拿大", "zgckj", "华为 制造"].into_iter().flat_map(|q| [(q, (80, 24)), (q, (120, 40))])
    {
        let app = finder(q, w, h);
        let buf = render(&app);
        assert_rows_fit(&buf);
        let marks = marks(&buf, |c| c.bg == ratatui::style::Color::Yellow);
        let name = format!("finder_{w}x{h}_{}", q.replace(' ', "_"));
        insta::assert_snapshot!(name, format!("{}\n-- highlighted --\n{marks}", screen(&buf)));
    }
}

#[test]
fn an_industry_hit_opens_the_industry_page() {
    let mut app = finder("ind:jiaotong", 80, 24);
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    let i = app.state.reader.industry.expect("an industry page");
    assert_eq!(library().industries[i].id, "transport");
}

#[test]
fn a_table_title_hit_opens_the_table_with_its_title_at_the_top() {
    let idx = index();
    let q = "'各国人工智能相关政策";
    let mut app = finder(q, 80, 24);
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!() };
    let pos = s.hits.iter().position(|h| idx.units[h.unit].kind == Kind::Table).expect("the table");
    for _ in 0..pos {
        key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    }
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let doc = &app.state.reader.doc;
    let top = doc.lines[app.state.reader.scroll].text();
    assert!(top.contains("各国人工智能相关政策"), "the top line: {top}");
}

#[test]
fn s_resumes_the_last_query_and_selection() {
    let mut app = finder("华为", 80, 24);
    keys(&mut app, "");
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty() || matches!(app.state.overlays.last(), Some(Overlay::Company(_))));
    app.state.overlays.clear();
    keys(&mut app, "S");
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!("S opens the finder") };
    assert_eq!((s.input.as_str(), s.selected), ("华为", 2));
    // s opens a fresh prompt.
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    keys(&mut app, "s");
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!() };
    assert_eq!(s.input, "");
}

#[test]
fn esc_from_a_company_page_opened_by_a_result_returns_to_the_results() {
    let mut app = finder("co:zgckj", 80, 24);
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Company(_))));
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!("back to the results") };
    assert_eq!(s.input, "co:zgckj");
}

#[test]
fn recently_opened_results_rank_first_among_equals() {
    let idx = index();
    let q = Query::parse("'参与者图谱");
    let plain = idx.find(&q, 100, &[]).hits;
    // Find two neighbours with the same rank and score; open the second.
    let pair = plain.windows(2).find(|w| {
        let (a, b) = (&w[0], &w[1]);
        (a.tier, a.in_path, a.exact, a.field, a.score) == (b.tier, b.in_path, b.exact, b.field, b.score)
            && idx.units[a.unit].kind == idx.units[b.unit].kind
    });
    let [a, b] = pair.expect("equal neighbours") else { unreachable!() };
    let again = idx.find(&q, 100, &[b.unit]).hits;
    let pa = again.iter().position(|h| h.unit == a.unit).unwrap();
    let pb = again.iter().position(|h| h.unit == b.unit).unwrap();
    assert!(pb < pa, "the recently opened one first");
    // The finder remembers what was opened.
    let mut app = finder("'参与者图谱", 80, 24);
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!() };
    let i = s.hits.iter().position(|h| h.unit == b.unit).unwrap();
    for _ in 0..i {
        key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    }
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    keys(&mut app, "s");
    app.handle_event(crossterm::event::Event::Paste("'参与者图谱".into()));
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!() };
    let pa = s.hits.iter().position(|h| h.unit == a.unit).unwrap();
    let pb = s.hits.iter().position(|h| h.unit == b.unit).unwrap();
    assert!(pb < pa);
    let _ = Target::Company(String::new());
    let _ = Field::Title;
}

const VOCAB: [&str; 18] = [
    "华为",
    "制造",
    "金融",
    "标杆案例",
    "zgckj",
    "银行",
    "yinhang",
    "ai",
    "案例",
    "2024",
    "'证券",
    "^中国",
    "平台",
    "!云",
    "zhongguo",
    "hangye",
    "yinxing",
    "shuju",
];

/// What the narrowing test types, key by key.
const TYPED: [&str; 24] = [
    " ", " ", "y", "in", "hang", "zh", "ong", "g", "uo", "ai", "a", "2", "金融", "银行", "案例", "制造", "华为", "云",
    "|", "!", "'", "^", "$", "x",
];

/// Which query narrows which: appended characters and AND terms do; an
/// OR, a negation, a `$`, a filter, or a first term's neighbour do not.
#[test]
fn which_queries_narrow() {
    let n = |a: &str, b: &str| narrows(&Query::parse(a), &Query::parse(b));
    for (a, b) in [
        ("y", "yi"),
        ("yinhang", "yinhang "),
        ("华为 制", "华为 制造"),
        ("华为 制造", "华为 制造 云"),
        ("'银", "'银行"),
        ("华为 | 云", "华为 | 云计"),
    ] {
        assert!(n(a, b), "{a} → {b}");
    }
    assert!(n("case:", "case:华为"));
    for (a, b) in [
        ("华为", "华为 制造"),
        ("yin |", "yin | h"),
        ("华为 云", "华为 云$"),
        ("华为", "华为 !云"),
        ("华为 !云", "华为 !云计"),
        ("case", "case:"),
        ("yinhang", "yinhan"),
        ("^中", "中国"),
    ] {
        assert!(!n(a, b), "{a} → {b}");
    }
    // A second term may match in the location, where the first did not.
    let idx = index();
    let mut kept = None;
    for q in ["标杆案例", "标杆案例 金融"] {
        let q = Query::parse(q);
        let a = idx.find_narrowing(&q, 500, &[], &mut kept);
        assert_eq!(a.hits, idx.find(&q, 500, &[]).hits);
    }
    // The finder keeps the matching units and narrows with them.
    let mut app = finder("yin", 80, 24);
    keys(&mut app, "hang");
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!("no finder") };
    let m = s.matches.as_ref().expect("units kept");
    assert_eq!(m.query(), &Query::parse("yinhang"));
    assert_eq!(s.matched, index().find(&Query::parse("yinhang"), 500, &[]).matched);
    assert!(m.len() >= s.matched && m.len() < index().units.len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The AND of terms does not depend on their order.
    #[test]
    fn and_is_order_independent(terms in proptest::sample::subsequence(VOCAB.to_vec(), 2..4), seed in 0usize..6) {
        let mut perm = terms.clone();
        perm.rotate_left(seed % terms.len());
        perm.swap(0, terms.len() - 1);
        prop_assert_eq!(units(&terms.join(" ")), units(&perm.join(" ")));
    }

    /// Visiting only the units that hold a term's characters (or lie under
    /// a matching heading) finds what a scan of every unit finds, ranked alike.
    #[test]
    fn candidate_lists_find_what_a_full_scan_finds(
        terms in proptest::collection::vec(proptest::sample::select(VOCAB.to_vec()), 1..4),
        extra in "[a-z华为金融制造云银行！ '|!^$]{0,6}",
        limit in proptest::sample::select(vec![5usize, 50, 500]),
    ) {
        let idx = index();
        let q = Query::parse(&format!("{} {extra}", terms.join(" ")));
        let (a, b) = (idx.find(&q, limit, &[3, 40]), idx.find_scanning(&q, limit, &[3, 40]));
        prop_assert_eq!((&a.hits, a.matched), (&b.hits, b.matched));
        // `more` (scattered matches not counted) is exact where the scan
        // guessed from its screens.
        prop_assert!(!a.more || b.more);
    }

    /// Typing a query key by key, each search among the units the last
    /// one kept (when the new query narrows it) finds what a full search
    /// finds, ranked alike.
    #[test]
    fn narrowed_searches_find_what_a_full_search_finds(
        base in proptest::collection::vec(proptest::sample::select(VOCAB.to_vec()), 0..3),
        typed in proptest::collection::vec(proptest::sample::select(TYPED.to_vec()), 1..8),
        limit in proptest::sample::select(vec![5usize, 50, 500]),
    ) {
        let idx = index();
        let mut input = base.join(" ");
        let mut kept = None;
        let mut narrowed = 0;
        for c in typed.concat().chars() {
            input.push(c);
            let q = Query::parse(&input);
            narrowed += usize::from(kept.as_ref().is_some_and(|m: &std::sync::Arc<Matches>| narrows(m.query(), &q)));
            let a = idx.find_narrowing(&q, limit, &[3, 40], &mut kept);
            let b = idx.find(&q, limit, &[3, 40]);
            prop_assert_eq!((&a.hits, a.matched), (&b.hits, b.matched), "{:?} narrowed {}", input, narrowed);
            prop_assert!(!a.more || b.more);
        }
    }

    /// Every row shows its highlighted characters: a snippet fits its
    /// width, its marks are in it and are characters the unit matched.
    #[test]
    fn snippets_fit_and_show_their_marks(terms in proptest::sample::subsequence(VOCAB.to_vec(), 1..3), max in 4usize..90) {
        let idx = index();
        for h in idx.search(&Query::parse(&terms.join(" ")), 30) {
            let u = &idx.units[h.unit];
            let sn = idx.snippet(&h, max);
            prop_assert!(width(&sn.text) <= max, "{} wider than {}", sn.text, max);
            let chars: Vec<char> = sn.text.chars().collect();
            let mut matched: BTreeSet<char> = BTreeSet::new();
            matched.extend(h.title_marks.iter().filter_map(|&i| u.title.chars().nth(i)));
            matched.extend(h.text_marks.iter().filter_map(|&i| u.text.chars().nth(i)));
            for &m in &sn.marks {
                prop_assert!(m < chars.len());
                prop_assert!(matched.contains(&chars[m]), "{:?} in {}", chars[m], sn.text);
            }
            // With room for it, the first match is shown.
            if max >= 40 && h.field != Field::Path {
                prop_assert!(!sn.marks.is_empty(), "{} for {:?}", sn.text, terms);
            }
        }
    }
}

#[test]
fn find_in_page_reads_latin_as_pinyin_when_it_is_not_on_the_page() {
    let lib = library();
    let n = (0..lib.nodes.len()).find(|&n| lib.node_title(n) == "3.1 AI在金融行业的融合与价值分析").unwrap();
    let mut app = app(80, 24);
    app.state.jump_to(n);
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    let find = |app: &mut yanbao::app::App, q: &str| {
        keys(app, "/");
        app.handle_event(crossterm::event::Event::Paste(q.into()));
        let f = app.state.reader.find.clone();
        key(app, KeyCode::Esc, KeyModifiers::NONE);
        f
    };
    let hanzi = find(&mut app, "银行");
    let pinyin = find(&mut app, "yinhang");
    assert!(!hanzi.matches.is_empty());
    assert_eq!(pinyin.matches.first(), hanzi.matches.first(), "yinhang finds 银行 first");
    // Each pinyin match is two characters wide, like 银行.
    assert!(pinyin.matches.iter().all(|m| m.pieces.iter().map(|p| p.end - p.start).sum::<usize>() == 4));
    // Latin text on the page is found literally, and only literally.
    let ai = find(&mut app, "ai");
    let upper = find(&mut app, "AI");
    assert!(!ai.matches.is_empty());
    assert_eq!(ai.matches, upper.matches);
    // Chinese input stays a substring search: 银 finds no more than 银.
    let yin = find(&mut app, "银");
    assert!(yin.matches.len() >= hanzi.matches.len());
    assert!(find(&mut app, "银行业x").matches.is_empty());
}

#[test]
fn the_finder_keeps_a_query_history_with_ctrl_p_and_ctrl_n() {
    let input = |app: &yanbao::app::App| match app.state.overlays.last() {
        Some(Overlay::Search(s)) => s.input.clone(),
        _ => panic!("the finder is open"),
    };
    let mut app = app(80, 24);
    // Two queries left with Enter and Esc; one that found nothing is not kept.
    for (q, k) in [("华为", KeyCode::Enter), ("zgckj", KeyCode::Esc), ("qqqxxxzzz", KeyCode::Esc)] {
        app.state.overlays.clear();
        keys(&mut app, "s");
        app.handle_event(crossterm::event::Event::Paste(q.into()));
        key(&mut app, k, KeyModifiers::NONE);
    }
    app.state.overlays.clear();
    assert_eq!(app.state.finder.history.entries(), ["华为", "zgckj"]);
    keys(&mut app, "s");
    // ↑ in the empty prompt recalls the newest query, with its results.
    key(&mut app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(input(&app), "zgckj");
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!() };
    assert!(!s.hits.is_empty());
    // With results, ↑/↓ move the selection; alt-p/alt-n walk the history.
    key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(input(&app), "zgckj");
    key(&mut app, KeyCode::Char('p'), KeyModifiers::ALT);
    assert_eq!(input(&app), "华为");
    key(&mut app, KeyCode::Char('p'), KeyModifiers::ALT);
    assert_eq!(input(&app), "华为", "the oldest stays");
    key(&mut app, KeyCode::Char('n'), KeyModifiers::ALT);
    assert_eq!(input(&app), "zgckj");
    key(&mut app, KeyCode::Char('n'), KeyModifiers::ALT);
    assert_eq!(input(&app), "", "past the newest: the typed query");
    // ctrl-r steps back too.
    key(&mut app, KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(input(&app), "zgckj");
    key(&mut app, KeyCode::Char('n'), KeyModifiers::ALT);
    // What was typed comes back after a walk; alt-↑/alt-↓ do the same.
    keys(&mut app, "yin");
    key(&mut app, KeyCode::Up, KeyModifiers::ALT);
    assert_eq!(input(&app), "zgckj");
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!() };
    assert_eq!((s.selected, s.hits.is_empty()), (0, false));
    key(&mut app, KeyCode::Down, KeyModifiers::ALT);
    assert_eq!(input(&app), "yin");
    // Editing a recalled entry makes it a new query.
    key(&mut app, KeyCode::Char('p'), KeyModifiers::ALT);
    keys(&mut app, "x");
    key(&mut app, KeyCode::Char('n'), KeyModifiers::ALT);
    assert_eq!(input(&app), "zgckjx");
}

#[test]
fn ctrl_n_p_j_k_move_the_selection_as_in_fzf() {
    let selected = |app: &yanbao::app::App| match app.state.overlays.last() {
        Some(Overlay::Search(s)) => (s.selected, s.input.clone()),
        _ => panic!("the finder is open"),
    };
    let mut app = finder("银行", 80, 24);
    assert_eq!(selected(&app), (0, "银行".to_string()));
    for (c, want) in [('n', 1), ('j', 2), ('p', 1), ('k', 0), ('k', 0)] {
        key(&mut app, KeyCode::Char(c), KeyModifiers::CONTROL);
        assert_eq!(selected(&app), (want, "银行".to_string()), "ctrl-{c}");
    }
}

#[test]
fn k_lists_the_companies_in_view_and_opens_one() {
    // From the finder to 商汤科技's profile in the reader.
    let mut app = finder("co:商汤", 80, 24);
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Company(_))));
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    assert_eq!(app.state.focus, yanbao::app::Focus::Reader);
    keys(&mut app, "K");
    let Some(Overlay::Links(l)) = app.state.overlays.last() else { panic!("K lists the companies in view") };
    let pos = l.companies.iter().position(|c| c == "商汤").expect("商汤 is in view");
    // Each listed company is named in the lines in view.
    let st = &app.state;
    let view: String =
        st.reader.doc.lines.iter().skip(st.reader.scroll).take(st.reader_height()).map(|l| l.text()).collect();
    let lib = library();
    for id in &l.companies {
        let c = lib.company(id).unwrap();
        let names: Vec<&str> = std::iter::once(c.name.as_str())
            .chain(c.latin.as_deref())
            .chain(c.aliases.iter().map(String::as_str))
            .collect();
        let flat: String = view.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(names.iter().any(|n| flat.contains(&n.replace(' ', ""))), "{id} is not in view");
    }
    let buf = render(&app);
    assert_rows_fit(&buf);
    assert!(screen(&buf).contains("商汤科技"), "the list is drawn");
    for _ in 0..pos {
        key(&mut app, KeyCode::Down, KeyModifiers::NONE);
    }
    key(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let Some(Overlay::Company(c)) = app.state.overlays.last() else { panic!("Enter opens the company's page") };
    assert_eq!(c.id, "商汤");
    // Esc comes back to the list, and Esc again to the reader.
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Links(_))));
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
}

#[test]
fn k_with_no_company_in_view_says_so() {
    let lib = library();
    let mut app = app(80, 24);
    key(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    // A page whose first screen names no company.
    let quiet = (0..lib.nodes.len()).find(|&n| {
        app.state.jump_to(n);
        let st = &app.state;
        let lines: Vec<String> =
            st.reader.doc.lines.iter().skip(st.reader.scroll).take(st.reader_height()).map(|l| l.text()).collect();
        yanbao::app::companies_named(&lib, &lines).is_empty()
    });
    quiet.expect("a page without companies on its first screen");
    assert_eq!(app.state.focus, yanbao::app::Focus::Reader);
    keys(&mut app, "K");
    assert!(app.state.overlays.is_empty());
    assert_eq!(app.state.message.as_deref(), Some("本屏没有提到公司"));
}

/// The rows of the screen's result list (the left or top pane) that start
/// with a kind label.
fn list_rows(app: &yanbao::app::App) -> Vec<String> {
    let text = screen(&render(app));
    let list_w = match yanbao::app::SearchLayout::compute(app.state.size.0, app.state.size.1) {
        Some(l) => l.list.width as usize,
        None => 0,
    };
    text.lines()
        .skip(2)
        .map(|l| {
            let l = l.trim_start_matches(['│', '|']);
            let mut w = 0;
            l.chars()
                .take_while(|c| {
                    w += yanbao::text::width(&c.to_string());
                    w <= list_w
                })
                .collect::<String>()
        })
        .filter(|l| LABELS.iter().any(|k| l.starts_with(k)))
        .collect()
}

/// Audit 7: `智能质检` gave three identical `表格 中关村科金大模型+智能质检…`
/// rows (one per table row, the match in the title); each row now shows
/// its own cells.
#[test]
fn rows_of_one_table_read_apart() {
    for (w, h) in [(80, 24), (120, 40), (200, 50)] {
        let app = finder("智能质检", w, h);
        let rows: Vec<String> = list_rows(&app).into_iter().filter(|r| r.starts_with("表格")).collect();
        assert!(rows.len() >= 3, "{w}x{h}: {rows:?}");
        let mut seen = BTreeSet::new();
        for r in &rows {
            assert!(seen.insert(r.trim_end().to_string()), "{w}x{h}: two identical rows {r:?} in {rows:?}");
        }
    }
}

/// Audit 7: a metric row repeated its label and cut the value
/// (`指标 2032年LLM市场规模（预计）  2032年LLM市场规模（预…`).
#[test]
fn metric_rows_show_the_value_not_the_label_twice() {
    for (w, h) in [(80, 24), (120, 40)] {
        let app = finder("2032年LLM市场规模", w, h);
        let rows = list_rows(&app);
        let row = rows.iter().find(|r| r.starts_with("指标")).unwrap_or_else(|| panic!("{rows:?}"));
        assert_eq!(row.matches("2032年LLM").count(), 1, "{w}x{h}: {row}");
        assert!(row.contains("840.1亿美元"), "{w}x{h}: {row}");
    }
}

/// Audit 7 (B6): a table-title hit's preview showed the table's last row;
/// it starts at the title, as Enter opens it.
#[test]
fn a_table_title_hit_previews_from_the_title() {
    let app = finder("tb:zgckj", 120, 40);
    let Some(Overlay::Search(s)) = app.state.overlays.last() else { panic!("the finder") };
    let hit = &s.hits[s.selected];
    let u = &index().units[hit.unit];
    assert_eq!(u.kind, Kind::Table);
    let p = s.preview.as_ref().expect("a preview");
    let first: String = p.doc.lines[p.scroll].segs.iter().map(|g| g.text.as_str()).collect();
    let start: String = u.title.chars().take(6).collect();
    assert!(first.contains(&start), "the preview starts with {first:?}, not the title {}", u.title);
}

/// Audit 7: at 100 columns a location lost its numbered part (`中关村科金财…`).
#[test]
fn a_narrow_location_keeps_its_number() {
    let app = finder("智能质检", 100, 30);
    let rows = list_rows(&app);
    for r in rows.iter().filter(|r| r.starts_with("表格") || r.starts_with("案例")) {
        assert!(r.contains("3.1"), "no numbered part: {r}");
    }
}

#[test]
fn finder_row_snapshots_at_80x24_and_120x40() {
    for q in ["智能质检", "2032年LLM市场规模"] {
        for (w, h) in [(80, 24), (120, 40)] {
            let app = finder(q, w, h);
            let buf = render(&app);
            assert_rows_fit(&buf);
            insta::assert_snapshot!(format!("finder_rows_{w}x{h}_{q}"), screen(&buf));
        }
    }
}
