//! Fixture tests for loading: the bundled reports load, and broken content
//! yields every problem with file, line and YAML path.

use std::path::Path;
use yanbao::content::{Block, Library};

fn load(dir: &str) -> (Library, Vec<String>) {
    let (lib, errors) = Library::load_from(Some(Path::new(dir))).expect("readable folder");
    (lib, errors.iter().map(|e| e.to_string()).collect())
}

#[test]
fn bundled_reports_load_without_problems() {
    let (lib, errors) = Library::load_from(None).unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    let ids: Vec<&str> = lib.reports().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["fs", "ccid"]);
    // The same folder from disk gives the same library as the embedded copy.
    let (disk, errors) = load(concat!(env!("CARGO_MANIFEST_DIR"), "/content"));
    assert!(errors.is_empty());
    assert_eq!(disk.counts(), lib.counts());
}

#[test]
fn valid_fixture_loads_every_block_kind() {
    let (lib, errors) = load("tests/fixtures/valid");
    assert!(errors.is_empty(), "{errors:#?}");
    let sec = lib.section(lib.node_by_id("rep-1-1").unwrap()).unwrap();
    let kinds: Vec<&str> = sec.blocks.iter().map(Block::kind_name).collect();
    assert_eq!(kinds, ["text", "table", "series", "metrics", "participants", "case", "example", "list"]);
    let Block::Table(t) = &sec.blocks[1] else { panic!() };
    assert_eq!(t.rows[1][1].0, "2", "a number in a cell is kept as text");
    let Block::Series(s) = &sec.blocks[2] else { panic!() };
    assert!(!s.points[0].is_estimate() && s.points[1].is_estimate(), "2028E is an estimate");
    let Block::Participants(p) = &sec.blocks[4] else { panic!() };
    assert_eq!(p.note.as_deref(), Some("原图此处另有一个无法辨认的标识。"), "a map's note is kept");
    assert_eq!(lib.companies[0].not_mentions, ["获得助力"]);
    let Block::Example(e) = &sec.blocks[6] else { panic!() };
    assert_eq!((e.companies.as_slice(), e.results.len()), (&["华福证券".to_string()][..], 1));
    assert_eq!(sec.blocks[6].industries(), ["finance"]);
    assert!(!sec.editorial);
    assert!(lib.section(lib.node_by_id("rep-1-2").unwrap()).unwrap().editorial, "editorial: true is kept");
    let c = lib.counts();
    assert_eq!((c.reports, c.chapters, c.sections, c.cases, c.examples, c.companies), (1, 1, 2, 1, 1, 2));
}

#[test]
fn broken_fixture_reports_every_problem_with_its_place() {
    let (_, errors) = load("tests/fixtures/broken");
    let expected = [
        "companies.yaml:6:24: [0].not_mentions[1]: \"中关村\" contains none of the company's names, so it excludes nothing",
        "companies.yaml:6:29: [0].not_mentions[2]: \"获得助力\" is listed twice",
        "rep/c1.yaml:5:5: sections[0].title: empty title",
        "rep/c1.yaml:6:18: sections[0].industries[0]: unknown industry id \"farming\"",
        "rep/c1.yaml:8:9: sections[0].blocks[0].kind: unknown block kind \"chart\" (expected one of text, insights, table, series, metrics, participants, case, example, list)",
        "rep/c1.yaml:15:13: sections[0].blocks[1].rows[1]: table row has 1 cells but the table has 2 columns",
        "rep/c1.yaml:19:29: sections[0].blocks[2].points[0].value: series value is not a number: invalid type: string \"约15.9\", expected f64",
        "rep/c1.yaml:20:5: sections[1].id: duplicate id \"rep-1-1\" (already used by a section in rep/c1.yaml)",
        "rep/c1.yaml:26:25: sections[1].blocks[0].groups[0].companies[0]: unknown company id \"无此公司\"",
        "rep/c1.yaml:27:9: sections[1].blocks[0].note: empty note (leave it out instead)",
        "rep/c1.yaml:31:9: sections[1].blocks[1].industry: unknown industry id \"mining\"",
        "rep/c1.yaml:34:9: sections[1].blocks[2].result: unknown field `result`, expected one of `id`, `title`, `companies`, `industries`, `locations`, `text`, `results`",
        "rep/c1.yaml:36:9: sections[1].blocks[3].id: duplicate id \"case-x\" (already used by a case in rep/c1.yaml)",
        "rep/c1.yaml:37:21: sections[1].blocks[3].companies[0]: unknown company id \"无此公司\"",
        "rep/c1.yaml:38:9: sections[1].blocks[3].text: an example needs a text (what was done)",
        "rep/c1.yaml:39:22: sections[1].blocks[3].industries[0]: unknown industry id \"mining\"",
        "rep/c1.yaml:42:22: sections[1].blocks[4].industries[0]: unknown industry id \"mining\"",
        "rep/c2.yaml:6:1: malformed YAML: did not find expected ',' or ']'",
        "rep/c3.yaml:3:1: colour: unknown field `colour`, expected one of `id`, `number`, `title`, `page`, `industries`, `editorial`, `blocks`, `sections`",
    ];
    assert_eq!(errors, expected);
}

#[test]
fn a_missing_chapter_file_and_stray_files_are_reported() {
    let dir = std::env::temp_dir().join(format!("yanbao-missing-{}", std::process::id()));
    let rep = dir.join("rep");
    std::fs::create_dir_all(&rep).unwrap();
    for f in ["industries.yaml", "companies.yaml"] {
        std::fs::copy(Path::new("tests/fixtures/valid").join(f), dir.join(f)).unwrap();
    }
    std::fs::copy("tests/fixtures/valid/rep/report.yaml", rep.join("report.yaml")).unwrap();
    std::fs::write(rep.join("stray.yaml"), "id: x\n").unwrap();
    let (_, errors) = load(dir.to_str().unwrap());
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        errors,
        [
            "rep/report.yaml:6:12: chapters[0]: chapter file rep/c1.yaml not found",
            "rep/stray.yaml: file is not a registry, a report.yaml, or a chapter listed in a report.yaml",
        ]
    );
}

#[test]
fn garbage_never_panics() {
    let samples = ["", "\u{0}\u{1}", "- - -", "[", "{a: [}", "kind: table", "id: 1\nsections: 5", "chapters: [a, a]"];
    for s in samples {
        for name in ["industries.yaml", "companies.yaml", "r/report.yaml", "r/a.yaml"] {
            let mut files = yanbao::content::Files::new();
            files.insert("industries.yaml".into(), "[]".into());
            files.insert("companies.yaml".into(), "[]".into());
            files.insert(
                "r/report.yaml".into(),
                "id: r\ntitle: t\npublisher: p\ndate: d\nsource: s\nchapters: [a]\n".into(),
            );
            files.insert("r/a.yaml".into(), "id: a\ntitle: A\n".into());
            files.insert(name.into(), s.into());
            let (_, errors) = yanbao::content::load(&files);
            assert!(!errors.is_empty() || s.is_empty() || name == "r/a.yaml", "{name}: {s:?}");
        }
    }
}

#[test]
fn examples_are_counted_shown_and_found_apart_from_cases() {
    use yanbao::doc::{LayoutOpts, Page, build_page};
    use yanbao::search::{Index, Kind, Query};
    let (lib, errors) = load("tests/fixtures/valid");
    assert!(errors.is_empty(), "{errors:#?}");
    let st = lib.industry_stats("finance");
    assert_eq!((st.cases, st.examples), (1, 1), "{st:?}");
    // The example is one compact line (plus its results), not a case frame.
    let opts =
        LayoutOpts { width: 60, ascii: false, compact_tables: false, table_bars: false, measure: 0, ambiwide: false };
    let doc = build_page(&lib, Page::Node(lib.node_by_id("rep-1-1").unwrap()), opts);
    let text: Vec<String> = doc.lines.iter().map(|l| l.text()).collect();
    let at = text.iter().position(|l| l.contains("示例 华福证券：用AI生成研报摘要")).expect("example line");
    assert!(text[at + 1].contains("成效") && text[at + 1].contains("研报产出时间 ↓3天"), "{:?}", &text[at..]);
    assert!(!text.iter().any(|l| l.contains("案例 ") && l.contains("研报摘要")));
    let page = build_page(&lib, Page::Industry(0), opts);
    assert!(page.lines.iter().any(|l| l.text().contains("1 个案例 · 1 个示例")));
    // The editorial heading is marked and quiet.
    let doc = build_page(&lib, Page::Node(lib.node_by_id("rep-1-2").unwrap()), opts);
    let head = doc.lines.iter().find(|l| l.text().contains("编者分组")).unwrap();
    assert!(head.text().contains("编者所加") && head.segs.iter().all(|s| s.role == yanbao::doc::Role::Meta));
    let idx = Index::build(&lib);
    let kinds: Vec<Kind> = idx.search(&Query::parse("研报摘要"), 10).iter().map(|h| idx.units[h.unit].kind).collect();
    assert_eq!(kinds, [Kind::Example]);
    assert_eq!(Kind::Example.label(), "示例");
    let hits = idx.search(&Query::parse("ex:华福"), 10);
    assert!(!hits.is_empty() && hits.iter().all(|h| idx.units[h.unit].kind == Kind::Example));
    let hits = idx.search(&Query::parse("case:华福"), 10);
    assert!(!hits.is_empty() && hits.iter().all(|h| idx.units[h.unit].kind == Kind::Case));
}
