//! Per-report counts that catch accidental loss of content, and the
//! integrity of references across the bundled reports.

use yanbao::content::{Block, Counts, Library, Section};

fn tally(lib: &Library, id: &str) -> Counts {
    Counts::of_report(lib.reports().find(|r| r.id == id).unwrap())
}

fn lib() -> Library {
    let (lib, errors) = Library::load_from(None).unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    lib
}

#[test]
fn report_counts_do_not_shrink() {
    let lib = lib();
    // At least these many; raise the floor when content is added.
    let fs = tally(&lib, "fs");
    let ccid = tally(&lib, "ccid");
    // Issue 10 took chapter-2 figures out of 3.2/3.3 (series, metrics), turned
    // an all-empty table into a list, and one-line examples into `example`.
    let floor_fs = Counts {
        chapters: 5,
        sections: 118,
        tables: 21,
        series: 29,
        metrics: 55,
        cases: 7,
        examples: 46,
        participant_groups: 72,
        ..Default::default()
    };
    let floor_ccid = Counts {
        chapters: 6,
        sections: 37,
        tables: 3,
        series: 2,
        metrics: 2,
        cases: 0,
        examples: 4,
        participant_groups: 0,
        ..Default::default()
    };
    for (got, floor, name) in [(&fs, &floor_fs, "fs"), (&ccid, &floor_ccid, "ccid")] {
        let pairs = [
            (got.chapters, floor.chapters, "chapters"),
            (got.sections, floor.sections, "sections"),
            (got.tables, floor.tables, "tables"),
            (got.series, floor.series, "series"),
            (got.metrics, floor.metrics, "metrics"),
            (got.cases, floor.cases, "cases"),
            (got.examples, floor.examples, "examples"),
            (got.cases + got.examples, floor.cases + floor.examples, "cases and examples"),
            (got.participant_groups, floor.participant_groups, "participant groups"),
        ];
        for (g, f, what) in pairs {
            assert!(g >= f, "{name}: {what} fell to {g} (floor {f})");
        }
    }
    // Issue 25 (N-11) dropped the two 3.3 value examples that repeated the
    // 应用现状 ones (腾讯觅影, AlphaFold).
    assert_eq!(fs.cases + fs.examples, 64, "fs: cases and examples together");
    assert_eq!(fs.chapters, 5);
    assert_eq!(ccid.chapters, 6);
    assert!(lib.companies.len() >= 457, "companies: {}", lib.companies.len());
    assert_eq!(lib.industries.len(), 11);
}

#[test]
fn chapter_three_has_the_eleven_industries_in_order() {
    let lib = lib();
    let ch3 = lib.section(lib.node_by_id("fs-3").unwrap()).unwrap();
    let tags: Vec<&str> = ch3.sections.iter().map(|s| s.industries[0].as_str()).collect();
    assert_eq!(
        tags,
        [
            "finance",
            "government",
            "healthcare",
            "education",
            "ecommerce",
            "logistics",
            "manufacturing",
            "energy",
            "telecom",
            "transport",
            "entertainment"
        ]
    );
}

#[test]
fn named_cases_and_examples_are_present() {
    let lib = lib();
    let (mut cases, mut examples) = (Vec::new(), Vec::new());
    for (_, _, b) in all_blocks(&lib) {
        match b {
            Block::Case(c) => cases.push(format!("{} {}", c.title, c.companies.join(" "))),
            Block::Example(e) => examples.push(format!("{} {}", e.companies.join(" "), e.text)),
            _ => {}
        }
    }
    // The source's 标杆案例 and their sub-cases are cases.
    for want in ["财富助手", "智能陪练", "华福证券", "公安垂类大模型", "天津", "郑州", "兴安盟"]
    {
        assert!(cases.iter().any(|t| t.contains(want)), "no case names {want}");
    }
    // One-line examples from running text are examples, not cases.
    for want in [
        "万华化学",
        "陶氏化学",
        "宁德时代",
        "联想",
        "海尔",
        "美的",
        "菜鸟",
        "宁波中钢",
        "腾讯觅影",
        "岐黄",
        "RecGPT",
        "拼多多",
        "工商银行",
        "彭博",
        "穗小信",
        "Talkie",
    ] {
        assert!(examples.iter().any(|t| t.contains(want)), "no example names {want}");
        assert!(!cases.iter().any(|t| t.contains(want)), "{want} is an example, not a case");
    }
}

#[test]
fn chapter_three_has_only_its_four_benchmark_cases_as_cases() {
    // 3.1 has three 标杆案例, 3.2 one (with its three city sub-cases); every
    // other company story in chapter 3 is a one-line example.
    let lib = lib();
    let ch3 = lib.section(lib.node_by_id("fs-3").unwrap()).unwrap();
    let mut cases = Vec::new();
    fn walk(s: &Section, out: &mut Vec<String>) {
        for b in &s.blocks {
            if let Block::Case(c) = b {
                out.push(format!("{}: {}", s.id, c.id));
            }
        }
        s.sections.iter().for_each(|x| walk(x, out));
    }
    walk(ch3, &mut cases);
    assert_eq!(cases.len(), 7, "{cases:#?}");
    assert!(cases.iter().all(|c| c.starts_with("fs-3-1-5") || c.starts_with("fs-3-2-5")), "{cases:#?}");
}

#[test]
fn every_estimate_label_is_marked_e() {
    let lib = lib();
    fn walk(s: &Section) {
        for b in &s.blocks {
            if let Block::Series(x) = b {
                for p in &x.points {
                    assert!(!p.estimate || p.label.ends_with('E'), "{}: {} flagged estimate without E", s.id, p.label);
                }
            }
        }
        s.sections.iter().for_each(walk);
    }
    for r in lib.reports() {
        r.chapters.iter().for_each(walk);
    }
}

/// Every piece of text a block shows, with a short name of where it is.
fn block_strings(b: &Block) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    if let Some(t) = b.title() {
        out.push(("title", t.to_string()));
    }
    let metric = |m: &yanbao::content::Metric| {
        format!("{} {} {} {}", m.label, m.value, m.unit.clone().unwrap_or_default(), m.note.clone().unwrap_or_default())
    };
    match b {
        Block::Text(t) => out.push(("text", t.text.clone())),
        Block::Insights(x) => {
            for i in &x.items {
                out.push(("headline", i.headline.clone()));
                out.extend(i.note.clone().map(|n| ("note", n)));
            }
        }
        Block::List(l) => out.extend(l.items.iter().map(|i| ("item", i.clone()))),
        Block::Table(t) => {
            out.extend(t.columns.iter().map(|c| ("column", c.clone())));
            out.extend(t.rows.iter().flatten().map(|c| ("cell", c.0.clone())));
            out.extend(t.notes.iter().map(|n| ("note", n.clone())));
        }
        Block::Series(s) => {
            out.extend(s.points.iter().map(|p| ("label", p.label.clone())));
            out.extend(s.note.clone().map(|n| ("note", n)));
        }
        Block::Metrics(m) => out.extend(m.items.iter().map(|m| ("metric", metric(m)))),
        Block::Participants(p) => out.extend(p.groups.iter().map(|g| ("group", g.name.clone()))),
        Block::Case(c) => {
            out.extend(c.background.clone().map(|b| ("background", b)));
            out.extend(c.pain_points.iter().map(|p| ("pain point", p.clone())));
            out.extend(c.solution.iter().map(|p| ("solution", p.clone())));
            out.extend(c.results.iter().map(|m| ("result", metric(m))));
        }
        Block::Example(e) => {
            out.push(("text", e.text.clone()));
            out.extend(e.results.iter().map(|m| ("result", metric(m))));
        }
    }
    out
}

/// Every block with its section, and the industries of the nearest tagged
/// section at or above it.
fn all_blocks(lib: &Library) -> Vec<(String, Vec<String>, &Block)> {
    fn walk<'a>(s: &'a Section, tags: &[String], out: &mut Vec<(String, Vec<String>, &'a Block)>) {
        let tags = if s.industries.is_empty() { tags.to_vec() } else { s.industries.clone() };
        out.extend(s.blocks.iter().map(|b| (s.id.clone(), tags.clone(), b)));
        s.sections.iter().for_each(|x| walk(x, &tags, out));
    }
    let mut out = Vec::new();
    for r in lib.reports() {
        out.extend(r.abstract_blocks.iter().map(|b| (format!("{} abstract", r.id), Vec::new(), b)));
        r.chapters.iter().for_each(|c| walk(c, &[], &mut out));
    }
    out
}

#[test]
fn no_placeholder_text() {
    let lib = lib();
    let mut bad = Vec::new();
    for (sec, _, b) in all_blocks(&lib) {
        for (what, s) in block_strings(b) {
            let t = s.trim();
            let placeholder = ["待补充", "待定", "占位", "TODO", "TBD", "XXX", "lorem", "…示例", "...示例"]
                .iter()
                .any(|p| t.to_lowercase().contains(&p.to_lowercase()))
                || t == "示例"
                || t == "…"
                // "决策智能化示例。": a label standing in for a background
                || (what == "background" && t.ends_with("示例。"));
            if placeholder {
                bad.push(format!("{sec}: {} {what}: {t}", b.kind_name()));
            }
        }
    }
    assert!(bad.is_empty(), "placeholder text:\n{}", bad.join("\n"));
}

#[test]
fn every_case_has_a_background() {
    let lib = lib();
    let mut bad = Vec::new();
    for (sec, _, b) in all_blocks(&lib) {
        if let Block::Case(c) = b
            && c.background.as_deref().is_none_or(|t| t.trim().is_empty())
        {
            bad.push(format!("{sec}: {}", c.id));
        }
    }
    assert!(bad.is_empty(), "cases without a background (a passing example is `kind: example`):\n{}", bad.join("\n"));
}

#[test]
fn every_case_and_example_is_about_an_industry_of_its_section() {
    let lib = lib();
    let mut bad = Vec::new();
    let (mut cases, mut examples) = (0, 0);
    for (sec, tags, b) in all_blocks(&lib) {
        let name = match b {
            Block::Case(c) => {
                cases += 1;
                c.id.clone()
            }
            Block::Example(e) => {
                examples += 1;
                e.label()
            }
            _ => continue,
        };
        let own = b.industries();
        // Issue 25 (N-7): the scenes 京东 names (数码家电、教育、居家, L2824)
        // are no industry of the example's; its section is untagged too.
        let untagged = matches!(b, Block::Example(e) if e.id.as_deref() == Some("ex-jd-joyinside-robots"));
        if own.is_empty() && tags.is_empty() && !untagged {
            bad.push(format!("{sec}: {name}: no industry (tag the block or its section)"));
        }
        if !tags.is_empty()
            && let Some(x) = own.iter().find(|i| !tags.iter().any(|t| t == *i))
        {
            bad.push(format!("{sec}: {name}: tagged {x}, but its section is about {}", tags.join("、")));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(cases > 0 && examples > 0, "{cases} cases, {examples} examples");
}
