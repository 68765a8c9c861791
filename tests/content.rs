//! Per-report counts that catch accidental loss of content, and the
//! integrity of references across the bundled reports.

use yanbao::content::{Block, Counts, Library, Section};

fn tally(lib: &Library, id: &str) -> Counts {
    Counts::of_report(lib.reports.iter().find(|r| r.id == id).unwrap())
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
    let floor_fs = Counts {
        chapters: 5,
        sections: 118,
        tables: 22,
        series: 36,
        metrics: 57,
        cases: 63,
        participant_groups: 72,
        ..Default::default()
    };
    let floor_ccid = Counts {
        chapters: 6,
        sections: 37,
        tables: 3,
        series: 2,
        metrics: 2,
        cases: 4,
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
            (got.participant_groups, floor.participant_groups, "participant groups"),
        ];
        for (g, f, what) in pairs {
            assert!(g >= f, "{name}: {what} fell to {g} (floor {f})");
        }
    }
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
fn named_cases_are_present() {
    let lib = lib();
    let mut titles = Vec::new();
    fn walk(s: &Section, out: &mut Vec<String>) {
        for b in &s.blocks {
            if let Block::Case(c) = b {
                out.push(format!("{} {}", c.title, c.companies.join(" ")));
            }
        }
        s.sections.iter().for_each(|x| walk(x, out));
    }
    for r in &lib.reports {
        r.chapters.iter().for_each(|c| walk(c, &mut titles));
    }
    for want in [
        "财富助手",
        "智能陪练",
        "华福证券",
        "天津",
        "郑州",
        "兴安盟",
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
    ] {
        assert!(titles.iter().any(|t| t.contains(want)), "no case names {want}");
    }
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
    for r in &lib.reports {
        r.chapters.iter().for_each(walk);
    }
}
