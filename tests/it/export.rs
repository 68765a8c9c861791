//! `yanbao export` and the citation: the Markdown export of a report carries
//! every figure of its YAML (the figure extraction of
//! ../shared/tools/check-figures, ported), its pipe tables parse back to the
//! YAML tables, the CSV files hold the YAML tables, and an unknown target
//! fails with status 2 and the closest ids.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use yanbao::content::{Block, Library, Section};
use yanbao::export;

use crate::common::figures;
use figures::{figures, numbers};

fn lib() -> Library {
    let (lib, errors) = Library::load_from(None).expect("bundled content");
    assert!(errors.is_empty(), "{errors:?}");
    lib
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yanbao"));
    let tmp = std::env::temp_dir().join(format!("yanbao-export-test-{}", std::process::id()));
    c.env("XDG_CACHE_HOME", tmp.join("cache"))
        .env("XDG_STATE_HOME", tmp.join("state"))
        .env("XDG_CONFIG_HOME", tmp.join("config"))
        .env_remove("YANBAO_CONTENT");
    c
}

// ------------------------------------------------- check-figures, ported

/// `walk` of check-figures: every scalar (string or number, not a boolean)
/// with its YAML path.
fn scalars(v: &serde_yaml::Value, path: String, out: &mut Vec<(String, String)>) {
    use serde_yaml::Value;
    match v {
        Value::Mapping(m) => {
            for (k, x) in m {
                let key = k.as_str().map(str::to_string).unwrap_or_else(|| format!("{k:?}"));
                scalars(x, format!("{path}.{key}"), out);
            }
        }
        Value::Sequence(s) => {
            for (i, x) in s.iter().enumerate() {
                scalars(x, format!("{path}[{i}]"), out);
            }
        }
        Value::String(s) => out.push((path, s.clone())),
        Value::Number(n) => out.push((path, n.to_string())),
        Value::Tagged(t) => scalars(&t.value, path, out),
        Value::Bool(_) | Value::Null => {}
    }
}

fn yaml_files(report: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content").join(report);
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("report folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    v.sort();
    v
}

#[test]
fn the_number_matcher_follows_check_figures() {
    assert_eq!(numbers("1,108亿元，24.50%，07年"), ["1,108", "24.50", "07"]);
    // The same as Python's re.finditer gives (checked by hand).
    assert_eq!(numbers("1234,567 v1.2.3 fs-3-11"), ["1234", "567", "1.2", "3", "11"]);
    assert_eq!(numbers("1,2345 p.47 12,34"), ["1,234", "12", "34"]);
    assert_eq!(figures("1,108 24.50 07 3.0 10 11 0.5"), ["1108", "24.5", "11", "0.5"]);
}

#[test]
fn markdown_of_a_report_carries_every_figure_of_its_yaml() {
    let lib = lib();
    for r in lib.reports() {
        let node = lib.node_by_id(&r.id).expect("report node");
        let md = export::markdown(&lib, node, export::CitationStyle::Yanbao);
        let have: BTreeSet<String> = figures(&md).into_iter().collect();
        let mut missing = Vec::new();
        let mut total = 0;
        for f in yaml_files(&r.id) {
            let text = std::fs::read_to_string(&f).expect("read");
            let v: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
            let mut all = Vec::new();
            scalars(&v, String::new(), &mut all);
            for (path, s) in all {
                for n in figures(&s) {
                    total += 1;
                    if !have.contains(&n) {
                        missing.push(format!("{n} {}{path}", f.file_name().unwrap_or_default().to_string_lossy()));
                    }
                }
            }
        }
        assert!(total > 50, "{}: only {total} figures read", r.id);
        assert!(
            missing.is_empty(),
            "{}: {} figures of the YAML not in the export:\n{}",
            r.id,
            missing.len(),
            missing.join("\n")
        );
    }
}

// ------------------------------------------------- pipe tables

/// The cells of a pipe-table row: split at unescaped `|`, `\|` and `\\`
/// unescaped, `<br>` as a line break, trimmed.
fn row_cells(line: &str) -> Vec<String> {
    let inner = line.trim().strip_prefix('|').and_then(|l| l.strip_suffix('|')).expect("a pipe row");
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cur.push(chars.next().expect("escape at end of row")),
            '|' => cells.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    cells.push(cur);
    cells.into_iter().map(|c| c.trim().replace("<br>", "\n")).collect()
}

/// The pipe tables of a Markdown text, in order: (header, rows).
fn pipe_tables(md: &str) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    let mut out = Vec::new();
    let lines: Vec<&str> = md.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].starts_with('|') {
            let head = row_cells(lines[i]);
            let rule = row_cells(lines.get(i + 1).expect("a rule row"));
            assert!(
                rule.iter().all(|c| c.trim_matches([':', '-']).is_empty() && c.contains("---")),
                "{}",
                lines[i + 1]
            );
            assert_eq!(rule.len(), head.len());
            let mut rows = Vec::new();
            i += 2;
            while i < lines.len() && lines[i].starts_with('|') {
                let r = row_cells(lines[i]);
                assert_eq!(r.len(), head.len(), "{}", lines[i]);
                rows.push(r);
                i += 1;
            }
            out.push((head, rows));
        } else {
            i += 1;
        }
    }
    out
}

/// The tables and charts of a report, in reading order, as the pipe tables
/// they should read back as. A table's rows are padded to its widest.
fn expected_tables(lib: &Library, report: usize) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    fn of(b: &Block, out: &mut Vec<(Vec<String>, Vec<Vec<String>>)>) {
        match b {
            Block::Table(t) => {
                let n = t.columns.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
                let pad = |v: Vec<String>| (0..n).map(|i| v.get(i).cloned().unwrap_or_default()).collect();
                out.push((
                    pad(t.columns.clone()),
                    t.rows.iter().map(|r| pad(r.iter().map(|c| c.0.trim().to_string()).collect())).collect(),
                ));
            }
            Block::Series(s) => {
                let head = match &s.unit {
                    Some(u) => format!("数值（{u}）"),
                    None => "数值".into(),
                };
                let rows =
                    s.points.iter().map(|p| vec![export::point_label(p), yanbao::fmt::fmt_num(p.value)]).collect();
                out.push((vec!["项目".into(), head], rows));
            }
            _ => {}
        }
    }
    fn walk(s: &Section, out: &mut Vec<(Vec<String>, Vec<Vec<String>>)>) {
        s.blocks.iter().for_each(|b| of(b, out));
        s.sections.iter().for_each(|x| walk(x, out));
    }
    let r = lib.report(report).expect("a report");
    let mut out = Vec::new();
    r.abstract_blocks.iter().for_each(|b| of(b, &mut out));
    r.chapters.iter().for_each(|c| walk(c, &mut out));
    out
}

#[test]
fn markdown_tables_parse_back_to_the_yaml_tables() {
    let lib = lib();
    for (ri, r) in lib.reports().enumerate() {
        let md = export::markdown(&lib, lib.node_by_id(&r.id).expect("node"), export::CitationStyle::Yanbao);
        let got = pipe_tables(&md);
        let want = expected_tables(&lib, ri);
        assert!(!want.is_empty());
        assert_eq!(got.len(), want.len(), "{}: number of tables", r.id);
        for (k, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{}: table {k}", r.id);
        }
        // The chart values read back as the numbers they were.
        let mut points = Vec::new();
        let mut walk_points = |b: &Block| {
            if let Block::Series(s) = b {
                points.extend(s.points.iter().map(|p| p.value));
            }
        };
        fn each(s: &Section, f: &mut dyn FnMut(&Block)) {
            s.blocks.iter().for_each(&mut *f);
            s.sections.iter().for_each(|x| each(x, f));
        }
        r.abstract_blocks.iter().for_each(&mut walk_points);
        r.chapters.iter().for_each(|c| each(c, &mut walk_points));
        let read: Vec<f64> = got
            .iter()
            .filter(|(h, _)| h.first().is_some_and(|x| x == "项目") && h.len() == 2)
            .flat_map(|(_, rows)| rows.iter().map(|row| row[1].parse::<f64>().expect("a number")))
            .collect();
        assert_eq!(read.len(), points.len());
        for (a, b) in read.iter().zip(&points) {
            assert!((a - b).abs() <= 1e-4 * b.abs().max(1.0), "{a} vs {b}");
        }
    }
}

#[test]
fn a_section_export_has_its_citation_as_front_matter() {
    let out = bin().args(["export", "fs:3.1"]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8(out.stdout).expect("utf-8");
    let front = md.strip_prefix("---\n").and_then(|m| m.split_once("\n---\n")).expect("front matter").0;
    let v: serde_yaml::Value = serde_yaml::from_str(front).expect("YAML front matter");
    assert_eq!(v["id"].as_str(), Some("fs-3-1"));
    assert_eq!(v["page"].as_u64(), Some(47));
    assert_eq!(
        v["citation"].as_str(),
        Some(
            "——《AI赋能千行百业白皮书》，弗若斯特沙利文、头豹研究院，2025-08-28，3 AI赋能千行百业应用探析 › 3.1 AI在金融行业的融合与价值分析，p.47"
        )
    );
    assert!(md.contains("\n# 3.1 AI在金融行业的融合与价值分析（第 47 页） {#fs-3-1}\n"), "{md}");
}

#[test]
fn citations_give_a_page_only_where_the_content_has_one() {
    let lib = lib();
    let sub = lib.node_by_id("fs-3-1-2").expect("node");
    let line = export::citation(&lib, sub);
    assert!(line.ends_with("3.1 AI在金融行业的融合与价值分析 › 行业应用现状，p.47起"), "{line}");
    let ccid = lib.node_by_id("ccid-3-2").expect("node");
    let line = export::citation(&lib, ccid);
    assert_eq!(
        line,
        "——《“十五五”时期我国通用人工智能产业发展趋势研究》，中国电子信息产业发展研究院 电子信息研究所，2025-04，三 融合应用发展趋势 › AI+金融服务，页码不详"
    );
    assert!(!line.contains("p."));
}

#[test]
fn targets_resolve_by_id_and_by_number() {
    let lib = lib();
    let id = |t: &str| export::resolve(&lib, t).ok().and_then(|n| lib.section(n)).map(|s| s.id.clone());
    assert_eq!(id("fs:3.1").as_deref(), Some("fs-3-1"));
    assert_eq!(id("fs-3-1").as_deref(), Some("fs-3-1"));
    assert_eq!(id("ccid:三").as_deref(), Some("ccid-3"));
    assert_eq!(export::resolve(&lib, "fs").ok(), lib.node_by_id("fs"));
    let e = export::resolve(&lib, "fs:3.12").expect_err("no 3.12");
    assert_eq!(e.suggestions.first().map(String::as_str), Some("fs:3.1"));
}

#[test]
fn an_unknown_target_exits_2_with_the_closest_ids() {
    let out = bin().args(["export", "fs-3-1-22"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fs-3-1-22") && err.contains("did you mean fs-3-1-2"), "{err}");
}

#[test]
fn json_export_is_the_content_model() {
    let out = bin().args(["export", "fs-3-1-2", "--format", "json"]).output().expect("run");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["section"]["id"], "fs-3-1-2");
    assert_eq!(v["report"], "fs");
    let lib = lib();
    let s = lib.section(lib.node_by_id("fs-3-1-2").expect("node")).expect("section");
    assert_eq!(v["section"], serde_json::to_value(s).expect("model"));
    assert!(v["citation"].as_str().is_some_and(|c| c.ends_with("p.47起")));
}

/// RFC 4180 records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            (true, '"') => quoted = false,
            (true, _) => cur.push(c),
            (false, '"') if cur.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cur)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cur));
                rows.push(std::mem::take(&mut row));
            }
            (false, _) => cur.push(c),
        }
    }
    assert!(!quoted && cur.is_empty() && row.is_empty(), "CSV ends inside a record");
    rows
}

#[test]
fn csv_files_hold_the_yaml_tables() {
    let lib = lib();
    let dir = std::env::temp_dir().join(format!("yanbao-export-csv-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = bin().args(["export", "fs", "--format", "csv", "--out"]).arg(&dir).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
    let node = lib.node_by_id("fs").expect("node");
    let tables = export::tables(&lib, node);
    assert_eq!(listed.len(), tables.len() + export::series(&lib, node).len());
    let names: BTreeSet<&String> = listed.iter().collect();
    assert_eq!(names.len(), listed.len(), "file names are unique");
    for (path, (sec, t)) in listed.iter().zip(&tables) {
        let name = Path::new(path).file_name().and_then(|n| n.to_str()).expect("name");
        assert!(name.starts_with(&format!("{sec}_")) && name.ends_with(".csv"), "{name}");
        if let Some(title) = &t.title {
            let first: String = title.chars().take(4).filter(|c| c.is_alphanumeric()).collect();
            assert!(name.contains(&first), "{name} names {title}");
        }
        let rows = parse_csv(&std::fs::read_to_string(path).expect("read"));
        assert_eq!(rows[0], t.columns, "{name}");
        let want: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(|c| c.0.clone()).collect()).collect();
        assert_eq!(rows[1..], want[..], "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn csv_files_hold_every_chart_series_of_the_yaml() {
    let lib = lib();
    let mut total = 0;
    for report in ["fs", "ccid"] {
        let dir = std::env::temp_dir().join(format!("yanbao-export-series-{report}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = bin().args(["export", report, "--format", "csv", "--out"]).arg(&dir).output().expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let listed: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect();
        let node = lib.node_by_id(report).expect("node");
        let tables = export::tables(&lib, node).len();
        let series = export::series(&lib, node);
        assert_eq!(listed.len(), tables + series.len(), "{report}: one file per table and per series");
        for (path, (sec, s)) in listed[tables..].iter().zip(&series) {
            let name = Path::new(path).file_name().and_then(|n| n.to_str()).expect("name");
            assert!(name.starts_with(&format!("{sec}_")) && name.ends_with(".csv"), "{name}");
            let rows = parse_csv(&std::fs::read_to_string(path).expect("read"));
            assert_eq!(rows[0], ["label", "period", "value", "unit", "kind"], "{name}");
            assert_eq!(rows.len(), s.points.len() + 1, "{name}");
            for (row, p) in rows[1..].iter().zip(&s.points) {
                assert_eq!(row[0], s.title.clone().unwrap_or_default(), "{name}");
                assert_eq!(row[1], p.label, "{name}");
                let value: f64 = row[2].parse().expect("a number");
                assert_eq!(value, p.value, "{name}: {}", row[2]);
                assert!(!row[2].contains(['e', 'E']), "{name}: no exponent in {}", row[2]);
                assert_eq!(row[3], s.unit.clone().unwrap_or_default(), "{name}");
                assert_eq!(row[4], if p.is_estimate() { "E" } else { "actual" }, "{name}");
            }
        }
        total += series.len();
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert_eq!(total, 31, "the bundled content holds 31 chart series");
}

#[test]
fn csv_of_one_table_goes_to_stdout_and_of_several_needs_out() {
    let lib = lib();
    // A section holding exactly one table (in it and below it) and no chart.
    let one = (0..lib.nodes.len())
        .find(|&n| {
            lib.section(n).is_some() && export::csv_files(&lib, n).len() == 1 && export::tables(&lib, n).len() == 1
        })
        .expect("a section with one table");
    let id = lib.section(one).expect("section").id.clone();
    let out = bin().args(["export", &id, "--format", "csv"]).output().expect("run");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), export::csv(export::tables(&lib, one)[0].1));
    // A section holding exactly one chart series and no table.
    let one = (0..lib.nodes.len())
        .find(|&n| {
            lib.section(n).is_some() && export::csv_files(&lib, n).len() == 1 && export::series(&lib, n).len() == 1
        })
        .expect("a section with one chart");
    let id = lib.section(one).expect("section").id.clone();
    let out = bin().args(["export", &id, "--format", "csv"]).output().expect("run");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), export::series_csv(export::series(&lib, one)[0].1));
    let out = bin().args(["export", "fs", "--format", "csv"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"));
}

#[test]
fn a_closed_pipe_ends_the_export_quietly() {
    let mut child = bin().args(["export", "fs"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    drop(child.stdout.take()); // the reader goes away before anything is read
    let out = child.wait_with_output().expect("wait");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

// ------------------------------------------------------------- citations

/// A small imported report with page markers (pymupdf4llm's): each block
/// keeps the page it starts on, in the YAML the importer writes and in
/// every citation style.
fn imported_with_pages() -> (Library, String) {
    let text = "# 一、市场\n\n市场规模正文。\n\n--- end of page=0 ---\n\n市场的第二段在第二页。\n\n--- end of page=1 ---\n\n# 二、政策\n\n政策正文。\n";
    let i =
        yanbao::import::import("20240315-某某证券-储能行业深度.md", text.as_bytes(), yanbao::import::Encoding::Utf8)
            .expect("imports");
    let ch1 = i.files.get("ch1.yaml").expect("ch1.yaml");
    assert!(ch1.contains("page: 2"), "the importer writes each block's page:\n{ch1}");
    (load_imported(&i), i.id)
}

/// An imported report's YAML files, loaded (with the bundled registries).
fn load_imported(i: &yanbao::import::Imported) -> Library {
    let files: yanbao::content::Files = i
        .files
        .iter()
        .filter(|(k, _)| k.ends_with(".yaml"))
        .map(|(k, v)| (format!("{}/{k}", i.id), v.clone()))
        .collect();
    let (lib, errors) = yanbao::content::load(&files);
    assert!(errors.is_empty(), "{errors:?}");
    lib
}

#[test]
fn each_style_cites_an_imported_blocks_own_page_exactly() {
    use export::CitationStyle::*;
    let (lib, id) = imported_with_pages();
    let ch1 = lib.node_by_id(&format!("{id}-1")).expect("chapter 1");
    let ch2 = lib.node_by_id(&format!("{id}-2")).expect("chapter 2");
    assert_eq!(export::block_page(&lib, ch1, 0), Some(1));
    assert_eq!(export::block_page(&lib, ch1, 1), Some(2));
    assert_eq!(export::block_page(&lib, ch2, 0), Some(3));
    let want = [
        (Yanbao, "——《储能行业深度》，某某证券，2024-03-15，一 市场，p.2"),
        (Ziliao, "资料来源：某某证券，《储能行业深度》（2024），p.2"),
        (Gb7714, "某某证券. 储能行业深度[R]. 2024: 2."),
        (Apa, "某某证券. (2024). 储能行业深度 (p. 2)."),
    ];
    for (style, s) in want {
        assert_eq!(export::block_citation(&lib, ch1, 1, style), s, "{style:?}");
    }
    // The chapter itself: the page it starts on.
    assert_eq!(export::citation_in(&lib, ch1, Ziliao), "资料来源：某某证券，《储能行业深度》（2024），p.1");
    assert_eq!(export::citation_in(&lib, ch2, Gb7714), "某某证券. 储能行业深度[R]. 2024: 3.");
}

#[test]
fn an_imported_report_without_page_markers_cites_no_page() {
    let i = yanbao::import::import(
        "20240315-某某证券-储能行业深度.md",
        "# 一、市场\n\n正文。\n".as_bytes(),
        yanbao::import::Encoding::Utf8,
    )
    .expect("imports");
    assert!(!i.files.get("ch1.yaml").expect("ch1").contains("page:"));
    let lib = load_imported(&i);
    let ch1 = lib.node_by_id(&format!("{}-1", i.id)).expect("chapter 1");
    assert_eq!(
        export::block_citation(&lib, ch1, 0, export::CitationStyle::Yanbao),
        "——《储能行业深度》，某某证券，2024-03-15，一 市场，页码不详"
    );
}

/// `citation:` in the config file sets the style of `yanbao export`; a
/// bad value is an error naming the file and line, and nothing is written.
#[test]
fn the_config_citation_style_is_used_by_export_and_a_bad_one_is_located() {
    let dir = std::env::temp_dir().join(format!("yanbao-export-cite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let good = dir.join("good.yaml");
    std::fs::write(&good, "citation: 资料来源\n").expect("write");
    let out = bin()
        .args(["--config", good.to_str().expect("utf-8"), "export", "fs-3-1", "--format", "json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["citation"], "资料来源：弗若斯特沙利文，头豹研究院，《AI赋能千行百业白皮书》（2025），p.47");
    let bad = dir.join("bad.yaml");
    std::fs::write(&bad, "mouse: false\ncitation: mla\n").expect("write");
    let out = bin().args(["--config", bad.to_str().expect("utf-8"), "export", "fs-3-1"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:2:", bad.display()))
            && err.contains("citation must be yanbao, 资料来源, gb7714 or apa"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ------------------------------------------------------------------ xlsx

/// The sheets of a workbook, read back with calamine: (name, rows), each
/// cell as calamine gives it, empty cells at a row's end dropped.
fn read_xlsx(bytes: &[u8]) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an xlsx workbook");
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = wb.worksheet_range(&n).expect("sheet");
            assert_eq!(range.start(), Some((0, 0)), "{n}: the citation is in A1");
            let rows = range
                .rows()
                .map(|r| {
                    let mut r = r.to_vec();
                    while r.last() == Some(&calamine::Data::Empty) {
                        r.pop();
                    }
                    r
                })
                .collect();
            (n, rows)
        })
        .collect()
}

fn s(d: &calamine::Data) -> String {
    match d {
        calamine::Data::String(t) => t.clone(),
        calamine::Data::Empty => String::new(),
        other => panic!("a text cell, not {other:?}"),
    }
}

/// Both bundled reports as workbooks, read back with calamine and compared
/// with the YAML: one sheet per table and per series in reading order,
/// each block's citation in row 1 and its title in row 2, every cell and
/// value exactly; sheet names valid for Excel and unique.
#[test]
fn xlsx_workbooks_read_back_as_the_yaml() {
    use export::CitationStyle;
    let lib = lib();
    for report in ["fs", "ccid"] {
        let node = lib.node_by_id(report).expect("report");
        let style = CitationStyle::Gb7714;
        let sheets = export::sheets(&lib, node, style);
        let book = read_xlsx(&export::xlsx(&sheets).expect("workbook"));
        let tables = export::tables(&lib, node);
        let series = export::series(&lib, node);
        assert_eq!(book.len(), tables.len() + series.len(), "{report}");
        assert!(!series.is_empty() || report == "ccid");
        let mut names = BTreeSet::new();
        for (name, _) in &book {
            assert!(
                name.encode_utf16().count() <= 31 && !name.contains(['[', ']', ':', '*', '?', '/', '\\']),
                "{name}"
            );
            assert!(names.insert(name.to_lowercase()), "{name} twice");
        }
        // The blocks' own citations, in reading order.
        let mut cites = Vec::new();
        for n in 0..lib.nodes.len() {
            let Some(sec) = lib.section(n) else { continue };
            if !lib.ancestry(n).contains(&node) {
                continue;
            }
            for (i, b) in sec.blocks.iter().enumerate() {
                if matches!(b, Block::Table(_) | Block::Series(_)) {
                    cites.push((matches!(b, Block::Table(_)), export::block_citation(&lib, n, i, style)));
                }
            }
        }
        let (table_cites, series_cites): (Vec<_>, Vec<_>) = cites.into_iter().partition(|c| c.0);
        for (k, (_, t)) in tables.iter().enumerate() {
            let (name, rows) = &book[k];
            assert!(name.starts_with(&format!("表{} ", k + 1)) || *name == format!("表{}", k + 1), "{name}");
            assert!(table_cites.iter().any(|c| c.1 == s(&rows[0][0])), "{name}: {:?}", rows[0]);
            assert!(s(&rows[0][0]).contains("[R]. 2025"), "{name}");
            assert_eq!(rows[1].first().map(s).unwrap_or_default(), t.title.clone().unwrap_or_default(), "{name}");
            let header: Vec<String> = rows[2].iter().map(s).collect();
            let mut want = t.columns.clone();
            while want.last().is_some_and(String::is_empty) {
                want.pop();
            }
            assert_eq!(header, want, "{name}");
            for (r, row) in t.rows.iter().enumerate() {
                let mut want: Vec<String> = row.iter().map(|c| c.0.clone()).collect();
                while want.last().is_some_and(String::is_empty) {
                    want.pop();
                }
                let got: Vec<String> = rows[3 + r].iter().map(s).collect();
                assert_eq!(got, want, "{name} row {r}");
            }
        }
        for (k, (_, x)) in series.iter().enumerate() {
            let (name, rows) = &book[tables.len() + k];
            assert!(name.starts_with(&format!("图{}", k + 1)), "{name}");
            assert_eq!(s(&rows[0][0]), series_cites[k].1, "{name}");
            assert_eq!(rows[1].first().map(s).unwrap_or_default(), x.title.clone().unwrap_or_default());
            assert_eq!(rows[2].iter().map(s).collect::<Vec<_>>(), ["period", "value", "unit", "kind"]);
            for (j, p) in x.points.iter().enumerate() {
                let row = &rows[3 + j];
                assert_eq!(s(&row[0]), p.label, "{name}");
                assert_eq!(row[1], calamine::Data::Float(p.value), "{name} {}", p.label);
                assert_eq!(row.get(2).map(s).unwrap_or_default(), x.unit.clone().unwrap_or_default(), "{name}");
                assert_eq!(s(&row[3]), if p.is_estimate() { "E" } else { "actual" });
            }
        }
    }
}

/// `yanbao export --format xlsx --out FILE`: the file is the workbook of
/// the library function, in the config's style; an existing file is kept
/// without --force.
#[test]
fn export_xlsx_writes_a_workbook_file() {
    let dir = std::env::temp_dir().join(format!("yanbao-export-xlsx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("fs-1.xlsx");
    let f = file.to_str().expect("utf-8");
    let out = bin().args(["export", "fs:1", "--format", "xlsx", "--out", f]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), f);
    let lib = lib();
    let node = lib.node_by_id("fs-1").expect("fs-1");
    let want = export::sheets(&lib, node, export::CitationStyle::Yanbao);
    let got = read_xlsx(&std::fs::read(&file).expect("written"));
    assert_eq!(
        got.iter().map(|g| g.0.clone()).collect::<Vec<_>>(),
        want.iter().map(|w| w.name.clone()).collect::<Vec<_>>()
    );
    let again = bin().args(["export", "fs:1", "--format", "xlsx", "--out", f]).output().expect("run");
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let forced = bin().args(["export", "fs:1", "--format", "xlsx", "--out", f, "--force"]).output().expect("run");
    assert!(forced.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// An industry page as an export target, by id or by name, in md, csv and
/// xlsx; an unknown industry lists the valid ones.
#[test]
fn industry_pages_export_as_markdown_csv_and_xlsx() {
    let lib = lib();
    assert_eq!(export::resolve_industry(&lib, "industry:金融").as_deref(), Some("finance"));
    assert_eq!(export::resolve_industry(&lib, "industry:finance").as_deref(), Some("finance"));
    assert_eq!(export::resolve_industry(&lib, "fs-3-1"), None);
    let plan = lib.industry_plan("finance");
    assert!(!plan.sections.is_empty());
    let out = bin().args(["export", "industry:金融"]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let md = String::from_utf8(out.stdout).expect("utf-8");
    assert!(md.starts_with("# 行业：金融\n"), "{md}");
    for &n in &plan.sections {
        assert!(md.contains(&export::citation(&lib, n)), "{}", export::citation(&lib, n));
    }
    for &(n, i) in &plan.blocks {
        assert!(md.contains(&export::block_citation(&lib, n, i, export::CitationStyle::Yanbao)));
    }
    let blocks = export::industry_blocks(&lib, "finance");
    let files = export::csv_files_of(&blocks);
    assert!(!files.is_empty());
    let dir = std::env::temp_dir().join(format!("yanbao-export-industry-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = bin().args(["export", "industry:finance", "--format", "csv", "--out"]).arg(&dir).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for (name, text) in &files {
        assert_eq!(&std::fs::read_to_string(dir.join(name)).expect(name), text);
    }
    let file = dir.join("finance.xlsx");
    let out = bin().args(["export", "industry:finance", "--format", "xlsx", "--out"]).arg(&file).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let book = read_xlsx(&std::fs::read(&file).expect("workbook"));
    let want = export::sheets_of(&lib, &blocks, export::CitationStyle::Yanbao);
    assert_eq!(book.len(), want.len());
    for ((name, rows), w) in book.iter().zip(&want) {
        assert_eq!(*name, w.name);
        assert_eq!(
            s(&rows[0][0]),
            match &w.rows[0][0] {
                export::XCell::Text(t) => t.clone(),
                _ => String::new(),
            }
        );
    }
    let out = bin().args(["export", "industry:农业x"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("industry:finance"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The figure list as an export target (`figures`, `figures:fs`), in md,
/// csv and xlsx: a row per numbered item of `F` with its number, kind,
/// title (the YAML block's own), report, place, page and the block's
/// citation exactly as `y` gives it; the report's citation in the header
/// row of the sheet and above the Markdown table.
#[test]
fn the_figure_list_exports_as_markdown_csv_and_xlsx() {
    use yanbao::content::numbering::{FigKind, number_library, number_report, report_node};
    let lib = lib();
    let fs = lib.heads().iter().position(|h| h.id == "fs").expect("fs");
    assert_eq!(export::resolve_figures(&lib, "figures"), Some(Ok(vec![0, 1])));
    assert_eq!(export::resolve_figures(&lib, "figures:fs"), Some(Ok(vec![fs])));
    assert!(matches!(export::resolve_figures(&lib, "figures:nope"), Some(Err(e)) if e.contains("fs")));
    assert_eq!(export::resolve_figures(&lib, "fs-3-1"), None);
    let cite_of = |r: usize| export::citation(&lib, report_node(&lib, r).unwrap());
    // xlsx: one sheet, the report's citation, the title, the header, a row per item.
    let dir = std::env::temp_dir().join(format!("yanbao-export-figlist-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("fs-figures.xlsx");
    let out = bin().args(["export", "figures:fs", "--format", "xlsx", "--out"]).arg(&file).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let book = read_xlsx(&std::fs::read(&file).expect("workbook"));
    assert_eq!(book.len(), 1);
    let (name, rows) = &book[0];
    assert_eq!(name, "图表目录 fs");
    assert_eq!(s(&rows[0][0]), cite_of(fs));
    assert_eq!(s(&rows[1][0]), format!("《{}》图表目录", lib.heads()[fs].title));
    assert_eq!(rows[2].iter().map(s).collect::<Vec<_>>(), export::FIGLIST_COLUMNS);
    let items = number_report(&lib, fs);
    assert!(items.len() > 30, "{}", items.len());
    for (x, row) in items.iter().zip(&rows[3..]) {
        let row: Vec<String> = row.iter().map(s).collect();
        assert_eq!(row[0], x.label);
        let block = &lib.section(x.node).map_or(&lib.report(fs).unwrap().abstract_blocks, |s| &s.blocks)[x.block];
        match block.title() {
            // The title is the YAML block's own.
            Some(t) if x.kind != FigKind::Figure => assert_eq!(row[2], t, "{}", x.label),
            _ => assert!(!row[2].is_empty(), "{}: a figure's caption or a metric group's labels", x.label),
        }
        let report = lib.report_label(fs).unwrap_or_else(|| lib.heads()[fs].title.clone());
        assert_eq!(row[3], report, "{}", x.label);
        assert_eq!(row[6], export::block_citation(&lib, x.node, x.block, export::CitationStyle::Yanbao));
        assert!(row[6].contains(&format!("› {}", x.label)));
        let page = &row[5];
        assert!(page == "页码不详" || page.trim_end_matches('起').parse::<u32>().is_ok(), "{page}");
    }
    // CSV of the library on stdout: a row per item of both reports.
    let out = bin().args(["export", "figures", "--format", "csv"]).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = parse_csv(&String::from_utf8(out.stdout).unwrap());
    let all = number_library(&lib);
    assert_eq!(csv[0], export::FIGLIST_COLUMNS);
    assert_eq!(csv.len(), all.len() + 1);
    for (x, row) in all.iter().zip(&csv[1..]) {
        let cite = export::block_citation(&lib, x.node, x.block, export::CitationStyle::Yanbao);
        assert_eq!((&row[0], &row[6]), (&x.label, &cite));
    }
    // With --out DIR: one file.
    let out = bin().args(["export", "figures:ccid", "--format", "csv", "--out"]).arg(&dir).output().expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.join("figures_ccid.csv").is_file());
    // Markdown: each report's citation above its table.
    let out = bin().args(["export", "figures"]).output().expect("run");
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# 图表目录\n"), "{md}");
    for r in 0..lib.report_count() {
        assert!(md.contains(&format!("## 《{}》图表目录\n\n{}\n\n|", lib.heads()[r].title, cite_of(r))), "{md}");
    }
    assert!(md.contains("| 编号 | 类型 | 标题 | 报告 | 位置 | 页码 | 出处 |"), "{md}");
    // JSON is not a figure list's format; an unknown report exits 2.
    let out = bin().args(["export", "figures", "--format", "json"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let out = bin().args(["export", "figures:nope"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
