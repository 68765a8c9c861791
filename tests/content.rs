//! Per-report counts that catch accidental loss of content, and the
//! integrity of references across the bundled reports.

use yanbao::content::{Block, Library, Section};

#[derive(Default, Debug, PartialEq)]
struct Tally {
    chapters: usize,
    sections: usize,
    tables: usize,
    series: usize,
    metrics: usize,
    cases: usize,
    groups: usize,
}

fn tally_blocks(t: &mut Tally, blocks: &[Block]) {
    for b in blocks {
        match b {
            Block::Table(_) => t.tables += 1,
            Block::Series(_) => t.series += 1,
            Block::Metrics(_) => t.metrics += 1,
            Block::Case(_) => t.cases += 1,
            Block::Participants(p) => t.groups += p.groups.len(),
            _ => {}
        }
    }
}

fn tally_section(t: &mut Tally, s: &Section) {
    t.sections += 1;
    tally_blocks(t, &s.blocks);
    s.sections.iter().for_each(|x| tally_section(t, x));
}

fn tally(lib: &Library, id: &str) -> Tally {
    let r = lib.reports.iter().find(|r| r.id == id).unwrap();
    let mut t = Tally { chapters: r.chapters.len(), ..Default::default() };
    tally_blocks(&mut t, &r.abstract_blocks);
    for c in &r.chapters {
        tally_blocks(&mut t, &c.blocks);
        c.sections.iter().for_each(|s| tally_section(&mut t, s));
    }
    t
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
    let floor_fs = Tally { chapters: 5, sections: 118, tables: 22, series: 36, metrics: 57, cases: 63, groups: 72 };
    let floor_ccid = Tally { chapters: 6, sections: 37, tables: 3, series: 2, metrics: 2, cases: 4, groups: 0 };
    for (got, floor, name) in [(&fs, &floor_fs, "fs"), (&ccid, &floor_ccid, "ccid")] {
        let pairs = [
            (got.chapters, floor.chapters, "chapters"),
            (got.sections, floor.sections, "sections"),
            (got.tables, floor.tables, "tables"),
            (got.series, floor.series, "series"),
            (got.metrics, floor.metrics, "metrics"),
            (got.cases, floor.cases, "cases"),
            (got.groups, floor.groups, "participant groups"),
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
