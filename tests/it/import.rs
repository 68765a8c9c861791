//! `yanbao import`: the seeds against the hand-made reports, the
//! determinism of the output, and one small fixture per construct, with the
//! exact result or error.

use crate::common::figures;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use yanbao::content::{Block, Library, Section};
use yanbao::import::{Encoding, Imported, MAX_INPUT_BYTES, import, validate};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("yanbao-import-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp folder");
    d
}

fn bin(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_yanbao"));
    c.env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("YANBAO_CONTENT");
    c
}

/// Import a fixture (its text), checked as `yanbao check` would.
fn imp(name: &str, text: &str) -> Imported {
    let i = import(name, text.as_bytes(), Encoding::Utf8).expect("imports");
    let errors = validate(&i);
    assert!(errors.is_empty(), "{errors:?}");
    i
}

use crate::common::imported::{library as report_of, outline};

fn blocks(i: &Imported) -> Vec<Block> {
    fn walk(s: &Section, out: &mut Vec<Block>) {
        out.extend(s.blocks.iter().cloned());
        s.sections.iter().for_each(|c| walk(c, out));
    }
    let lib = report_of(i);
    let mut out = Vec::new();
    for r in lib.reports() {
        out.extend(r.abstract_blocks.iter().cloned());
        r.chapters.iter().for_each(|c| walk(c, &mut out));
    }
    out
}

fn tables(i: &Imported) -> Vec<yanbao::content::Table> {
    blocks(i).into_iter().filter_map(|b| if let Block::Table(t) = b { Some(t) } else { None }).collect()
}

fn grid(t: &yanbao::content::Table) -> Vec<Vec<String>> {
    let mut g = vec![t.columns.clone()];
    g.extend(t.rows.iter().map(|r| r.iter().map(|c| c.0.clone()).collect()));
    g
}

fn rows(v: &[&[&str]]) -> Vec<Vec<String>> {
    v.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

// ------------------------------------------------------------------ seeds

/// Section titles compared without spaces and punctuation; a hand-made
/// title is covered by an imported one equal to it, or containing it, or
/// contained in it (4 characters at least).
fn norm_title(t: &str) -> String {
    t.chars().filter(|c| !c.is_whitespace() && !"，,：:、。（）()“”\"-—·■□".contains(*c)).collect()
}

fn all_titles(lib: &Library) -> Vec<String> {
    fn walk(s: &Section, out: &mut Vec<String>) {
        out.push(s.title.clone());
        s.sections.iter().for_each(|c| walk(c, out));
    }
    let mut out = Vec::new();
    for r in lib.reports() {
        r.chapters.iter().for_each(|c| walk(c, &mut out));
    }
    out
}

fn seed_check(seed: &str, report: &str) {
    let home = tmp(report);
    let src = Path::new("../shared/seeds").join(seed);
    let out = bin(&home).arg("import").arg(&src).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(line.contains(" chapters, ") && line.contains(" warnings → "), "{line}");
    // `check` reads the bundled reports and the library together, and names the source.
    let check = bin(&home).arg("check").output().expect("runs");
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{said}{}", String::from_utf8_lossy(&check.stderr));
    assert!(said.contains(seed) && said.contains("sha256"), "{said}");
    assert!(said.contains("reports            3"), "{said}");
    // Section titles cover 80 % of the hand-made report's.
    let library = home.join("data/yanbao/library");
    let (got, errors) = Library::load_dirs(std::slice::from_ref(&library)).expect("loads");
    assert!(errors.is_empty(), "{errors:?}");
    let (bundled, _) = Library::load_from(None).expect("bundled");
    let want: Vec<String> = {
        let r = bundled.reports().find(|r| r.id == report).expect("the hand-made report");
        let mut v = Vec::new();
        fn walk(s: &Section, out: &mut Vec<String>) {
            out.push(s.title.clone());
            s.sections.iter().for_each(|c| walk(c, out));
        }
        r.chapters.iter().for_each(|c| walk(c, &mut v));
        v
    };
    let have: Vec<String> = all_titles(&got).iter().map(|t| norm_title(t)).collect();
    let missing: Vec<&String> = want
        .iter()
        .filter(|t| {
            let n = norm_title(t);
            !have.iter().any(|h| {
                *h == n
                    || (n.chars().count() >= 4
                        && (h.contains(&n) || (h.chars().count() >= 4 && n.contains(h.as_str()))))
            })
        })
        .collect();
    let covered = 1.0 - missing.len() as f64 / want.len() as f64;
    assert!(covered >= 0.8, "{report}: {:.0} % of the titles covered; missing: {missing:?}", covered * 100.0);
    // Every figure check-figures finds in the source is in the import.
    let text = std::fs::read_to_string(&src).expect("seed");
    let mut held = BTreeSet::new();
    for e in walk_files(&library) {
        if e.extension().is_some_and(|x| x == "yaml") {
            held.extend(figures::figures(&std::fs::read_to_string(&e).expect("yaml")));
        }
    }
    let lost: BTreeSet<String> = figures::source_figures(&text).into_iter().filter(|f| !held.contains(f)).collect();
    assert!(lost.is_empty(), "{report}: figures of the source not in the import: {lost:?}");
    let _ = std::fs::remove_dir_all(&home);
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("folder").flatten() {
        let p = e.path();
        if p.is_dir() { out.extend(walk_files(&p)) } else { out.push(p) }
    }
    out.sort();
    out
}

#[test]
fn seed_000_imports_as_fs() {
    seed_check("000_60bde06b365711b6.txt", "fs");
}

#[test]
fn seed_004_imports_as_ccid() {
    seed_check("004_e2c2800a91814bfe.txt", "ccid");
}

#[test]
fn the_import_is_deterministic() {
    let text = std::fs::read("../shared/seeds/004_e2c2800a91814bfe.txt").expect("seed");
    let a = import("004.txt", &text, Encoding::Utf8).expect("imports");
    let b = import("004.txt", &text, Encoding::Utf8).expect("imports");
    assert_eq!(a.files, b.files);
    // And on disk, through the command: byte-identical folders.
    let home = tmp("det");
    let src = Path::new("../shared/seeds/004_e2c2800a91814bfe.txt");
    for out in ["a", "b"] {
        let o = bin(&home).arg("import").arg(src).arg("--out").arg(home.join(out)).output().expect("runs");
        assert!(o.status.success());
    }
    let read = |d: &str| -> Vec<(PathBuf, Vec<u8>)> {
        walk_files(&home.join(d))
            .into_iter()
            .map(|p| (p.strip_prefix(home.join(d)).expect("inside").to_path_buf(), std::fs::read(&p).expect("file")))
            .collect()
    };
    assert_eq!(read("a"), read("b"));
    let _ = std::fs::remove_dir_all(&home);
}

// ------------------------------------------------------------ the command

#[test]
fn a_non_empty_target_is_refused_without_force() {
    let home = tmp("force");
    let src = home.join("20240102-某证券-测试报告.md");
    std::fs::write(&src, "# 一、概况\n\n正文。\n").expect("fixture");
    let run = |force: bool| {
        let mut c = bin(&home);
        c.arg("import").arg(&src).arg("--out").arg(home.join("out"));
        if force {
            c.arg("--force");
        }
        c.output().expect("runs")
    };
    assert!(run(false).status.success());
    let again = run(false);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("give --force to replace it"));
    assert!(run(true).status.success());
    // No temporary folder is left behind.
    let left: Vec<_> = std::fs::read_dir(home.join("out")).expect("out").flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 1, "{left:?}");
    // `yanbao library` lists it; `library remove` removes it.
    let lib = bin(&home).arg("import").arg(&src).output().expect("runs");
    assert!(lib.status.success());
    let listed = bin(&home).arg("library").output().expect("runs");
    let said = String::from_utf8_lossy(&listed.stdout);
    assert!(said.contains("测试报告\t某证券\t2024-01-02\t20240102-某证券-测试报告.md"), "{said}");
    let id = said.lines().nth(1).and_then(|l| l.split('\t').next()).expect("a row").to_string();
    let rm = bin(&home).args(["library", "remove", &id]).output().expect("runs");
    assert!(rm.status.success());
    assert!(!home.join("data/yanbao/library").join(&id).exists());
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn a_failed_file_exits_1_and_writes_nothing() {
    let home = tmp("fail");
    let good = home.join("a.md");
    let empty = home.join("b.md");
    std::fs::write(&good, "# 一、概况\n\n正文。\n").expect("fixture");
    std::fs::write(&empty, "").expect("fixture");
    let o = bin(&home).arg("import").arg(&good).arg(&empty).arg("--out").arg(home.join("out")).output().expect("runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("b.md: the file is empty"));
    assert_eq!(std::fs::read_dir(home.join("out")).expect("out").count(), 1);
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn a_pdf_without_pdftotext_names_poppler() {
    let home = tmp("pdf");
    let pdf = home.join("r.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n").expect("fixture");
    let o = bin(&home).env("PATH", home.join("nothing")).arg("import").arg(&pdf).output().expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("poppler-utils") && err.contains("pdftotext -enc UTF-8"), "{err}");
    let _ = std::fs::remove_dir_all(&home);
}

/// A PDF of two pages, made here (Helvetica, ASCII text of our own): each
/// page's lines as (x, y, text).
fn tiny_pdf(pages: &[&[(u32, u32, &str)]]) -> Vec<u8> {
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 font, then per page its page and its contents.
    let mut objs: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} >>",
            (0..n).map(|k| format!("{} 0 R", 4 + 2 * k)).collect::<Vec<_>>().join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
    ];
    for (k, lines) in pages.iter().enumerate() {
        let mut stream = String::from("BT /F1 11 Tf\n");
        for (x, y, t) in lines.iter() {
            stream.push_str(&format!("1 0 0 1 {x} {y} Tm ({t}) Tj\n"));
        }
        stream.push_str("ET\n");
        objs.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * k
        ));
        objs.push(format!("<< /Length {} >>\nstream\n{stream}endstream", stream.len()));
    }
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (k, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{o}\nendobj\n", k + 1));
    }
    let xref = out.len();
    out.push_str(&format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1));
    for o in offsets {
        out.push_str(&format!("{o:010} 00000 n \n"));
    }
    out.push_str(&format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objs.len() + 1));
    out.into_bytes()
}

/// A PDF goes through poppler's pdftotext (`.ci/run` installs poppler-utils
/// where it is missing): `import` reads its pages and text, and `yanbao
/// FILE.pdf` opens it (here, without a terminal, it gets as far as asking for one).
#[test]
fn a_pdf_converts_through_pdftotext() {
    let has = Command::new("pdftotext").arg("-v").output().is_ok();
    assert!(has, "pdftotext is not installed: install poppler-utils (.ci/run does)");
    let home = tmp("pdf-real");
    let pdf = home.join("20240315-Acme Research-Tiny Report.pdf");
    let body = "Revenue grew 12.5% to 3,400 million in 2023, and margins rose.";
    std::fs::write(
        &pdf,
        tiny_pdf(&[
            &[(20, 260, "1. Introduction"), (20, 230, body)],
            &[(20, 260, "2. Results"), (20, 230, "The 2024E estimate is 4,100 million, up 20.6%.")],
        ]),
    )
    .expect("fixture");
    let out = home.join("out");
    let o = bin(&home).arg("import").arg(&pdf).arg("--out").arg(&out).output().expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = walk_files(&out);
    let text: String = files.iter().map(|f| std::fs::read_to_string(f).expect("reads")).collect();
    for want in ["Introduction", "12.5%", "3,400", "2024E", "4,100", "20.6%", "\"pages\": 2"] {
        assert!(text.contains(want), "{want} not in the import:\n{text}");
    }
    let o = bin(&home).arg(&pdf).output().expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("needs a terminal"), "{err}");
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn check_warns_when_the_source_changed() {
    let home = tmp("changed");
    let src = home.join("r.md");
    std::fs::write(&src, "# 一、概况\n\n正文。\n").expect("fixture");
    assert!(bin(&home).arg("import").arg(&src).output().expect("runs").status.success());
    std::fs::write(&src, "# 一、概况\n\n改过的正文。\n").expect("fixture");
    let o = bin(&home).arg("check").output().expect("runs");
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("changed since it was imported"));
    let _ = std::fs::remove_dir_all(&home);
}

// --------------------------------------------------------------- fixtures

#[test]
fn numbering_styles_make_the_levels() {
    // Every heading at one Markdown level, as MinerU writes them.
    let i = imp(
        "n.md",
        "## 第一章 总论\n\n甲。\n\n## 一、市场\n\n乙。\n\n## （一）规模\n\n丙。\n\n## 1. 国内\n\n丁。\n\n\
         ## （1）东部\n\n戊。\n\n## ① 城市\n\n己。\n\n## （2）西部\n\n庚。\n\n## 二、政策\n\n辛。\n\n## 第二章 展望\n\n壬。\n",
    );
    assert_eq!(
        outline(&i).into_iter().map(|(d, t, _)| (d, t)).collect::<Vec<_>>(),
        vec![
            (0, "第一章 总论".into()),
            (1, "一 市场".into()),
            (2, "（一） 规模".into()),
            (3, "1 国内".into()),
            (4, "（1） 东部".into()),
            (5, "① 城市".into()),
            (4, "（2） 西部".into()),
            (1, "二 政策".into()),
            (0, "第二章 展望".into()),
        ]
    );
}

#[test]
fn dotted_numbers_nest_and_a_missing_parent_is_editorial() {
    let i = imp(
        "d.md",
        "# 1. 引言\n\n甲。\n\n# 1.1 背景\n\n乙。\n\n# 1.1.1 细节\n\n丙。\n\n# 2. 方法\n\n# 2.1.1 孤儿\n\n丁。\n",
    );
    let lib = report_of(&i);
    let r = lib.reports().next().expect("report");
    let two = &r.chapters[1];
    assert_eq!(two.heading(), "2 方法");
    assert_eq!(two.sections[0].heading(), "2.1 2.1");
    assert!(two.sections[0].editorial);
    assert_eq!(two.sections[0].sections[0].heading(), "2.1.1 孤儿");
    assert_eq!(r.chapters[0].sections[0].sections[0].heading(), "1.1.1 细节");
    assert!(i.warnings.iter().any(|w| w.contains("has no parent 2.1")), "{:?}", i.warnings);
}

#[test]
fn roman_latin_and_two_digit_numbers() {
    let i = imp(
        "r.md",
        "## I. Overview\n\ntext.\n\n## A. First\n\nmore.\n\n## B. Second\n\nmore.\n\n## II. Method\n\nend.\n",
    );
    assert_eq!(
        outline(&i).into_iter().map(|(d, t, _)| (d, t)).collect::<Vec<_>>(),
        vec![(0, "I. Overview".into()), (1, "A. First".into()), (1, "B. Second".into()), (0, "II. Method".into())]
    );
    // "01" over its title: one heading.
    let i = imp("t.md", "# 核心洞察\n\n#### 01\n\n##### 治理进入新阶段\n\n正文。\n");
    assert_eq!(outline(&i)[1].1, "01 治理进入新阶段");
}

#[test]
fn plain_text_headings_and_numbered_list_items() {
    let body = "这是一段足够长的正文，用来给出正文的宽度，它会一直写下去直到换行为止。\n";
    let text = format!(
        "一、行业概况\n{body}{body}\n1. 第一条意见写在这里，它是一个列表项而不是标题，因为它很长很长。\n\
         2. 第二条意见也写在这里，它同样是一个列表项，以句号结束。\n\n（一）市场规模\n{body}"
    );
    let i = imp("p.txt", &text);
    assert_eq!(
        outline(&i).into_iter().map(|(d, t, _)| (d, t)).collect::<Vec<_>>(),
        vec![(0, "一 行业概况".into()), (1, "（一） 市场规模".into())]
    );
}

#[test]
fn html_tables_expand_spans_and_are_repaired() {
    let i = imp(
        "h.md",
        "# 一、数据\n\n图表1 收入构成\n\n<table><tr><td rowspan=\"2\">地区</td><td colspan=\"2\">收入</td></tr>\
         <tr><td>2023</td><td>2024</td></tr><tr><td>华东</td><td>1.5</td><td>2.0</td></tr></table>\n\n资料来源：公司公告\n\n\
         <table><tr><td>a<td>b<tr><td>c</table>\n",
    );
    let t = tables(&i);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].title.as_deref(), Some("图表1 收入构成"));
    assert_eq!(t[0].notes, vec!["资料来源：公司公告".to_string()]);
    assert_eq!(grid(&t[0]), rows(&[&["地区", "收入", "收入"], &["地区", "2023", "2024"], &["华东", "1.5", "2.0"]]));
    assert_eq!(grid(&t[1]), rows(&[&["a", "b"], &["c", ""]]));
}

#[test]
fn tab_and_pipe_tables() {
    let i = imp(
        "t.md",
        "# 一、表\n\n指标\t2023\t2024E\n营收（亿元）\t10.5\t12\n\n| 项目 | 数值 |\n|---|---|\n| 用户 | 1,200 |\n",
    );
    let t = tables(&i);
    assert_eq!(grid(&t[0]), rows(&[&["指标", "2023", "2024E"], &["营收（亿元）", "10.5", "12"]]));
    assert_eq!(grid(&t[1]), rows(&[&["项目", "数值"], &["用户", "1,200"]]));
    // A numeric table with periods and a unit gives a series, values from its cells, E kept.
    let series: Vec<_> =
        blocks(&i).into_iter().filter_map(|b| if let Block::Series(s) = b { Some(s) } else { None }).collect();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].unit.as_deref(), Some("亿元"));
    let pts: Vec<(String, f64, bool)> =
        series[0].points.iter().map(|p| (p.label.clone(), p.value, p.is_estimate())).collect();
    assert_eq!(pts, vec![("2023".into(), 10.5, false), ("2024E".into(), 12.0, true)]);
}

#[test]
fn a_table_broken_across_pages_is_joined() {
    let i = imp(
        "j.md",
        "# 一、表\n\n| 公司 | 份额 |\n|---|---|\n| 甲 | 10% |\n\n--- end of page=0 ---\n\n| 公司 | 份额 |\n|---|---|\n| 乙 | 20% |\n",
    );
    let t = tables(&i);
    assert_eq!(t.len(), 1);
    assert_eq!(grid(&t[0]), rows(&[&["公司", "份额"], &["甲", "10%"], &["乙", "20%"]]));
}

#[test]
fn page_markers_of_both_kinds_give_pages() {
    let md = "# 一、甲\n\n正文。\n\n--- end of page=0 ---\n\n# 二、乙\n\n正文。\n\n--- end of page=1 ---\n\n# 三、丙\n\n正文。\n";
    let pages: Vec<Option<u32>> = outline(&imp("m.md", md)).into_iter().map(|x| x.2).collect();
    assert_eq!(pages, vec![Some(1), Some(2), Some(3)]);
    let body = "正文写在这里，它是一段足够长的文字，用来给出宽度。\n";
    let txt = format!("一、甲方\n{body}\x0c二、乙方\n{body}\x0c\x0c三、丙方\n{body}\x0c");
    let i = imp("f.txt", &txt);
    let pages: Vec<Option<u32>> = outline(&i).into_iter().map(|x| x.2).collect();
    assert_eq!(pages, vec![Some(1), Some(2), Some(4)]);
    assert_eq!(i.pages, 4);
}

#[test]
fn running_footers_and_page_numbers_are_dropped_and_listed() {
    let mut txt = String::new();
    for p in 1..=5 {
        txt.push_str(&format!(
            "某某证券研究所\n\n第{p}部分的正文写在这里，它足够长，像一段真正的正文那样。\n\n请务必阅读正文之后的免责条款\n{p}\n\x0c"
        ));
    }
    let i = imp("r.txt", &txt);
    let text: String = blocks(&i)
        .iter()
        .filter_map(|b| if let Block::Text(t) = b { Some(t.text.clone()) } else { None })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!text.contains("免责条款") && !text.contains("某某证券研究所"), "{text}");
    assert!(text.contains("第3部分的正文"), "{text}");
    assert_eq!(i.provenance.dropped.len(), 15, "{:?}", i.provenance.dropped);
    assert!(i.warnings.iter().any(|w| w.contains("dropped 15 running header")), "{:?}", i.warnings);
}

#[test]
fn toc_gives_entries_and_is_no_section_and_disclaimers_come_last() {
    let mut md = String::from("# 目录\n\n一、市场 ...... 3\n二、政策 ...... 5\n\n# 一、市场\n\n");
    for k in 0..12 {
        md.push_str(&format!("市场的第{k}段。\n\n"));
    }
    md.push_str("# 二、政策\n\n政策正文。\n\n# 免责声明\n\n本报告仅供参考。\n\n# 一、评级\n\n买入。\n");
    let i = imp("toc.md", &md);
    let lib = report_of(&i);
    let r = lib.reports().next().expect("report");
    assert_eq!(
        r.toc.iter().map(|t| (t.number.clone(), t.title.clone(), t.page)).collect::<Vec<_>>(),
        vec![(Some("一".into()), "市场".into(), Some(3)), (Some("二".into()), "政策".into(), Some(5))]
    );
    let titles: Vec<String> = r.chapters.iter().map(|c| c.heading()).collect();
    assert_eq!(titles, vec!["一 市场", "二 政策", "免责声明"]);
}

#[test]
fn metadata_from_the_file_name_else_the_first_lines() {
    let i = imp("20221221-海通证券-高频因子研究.md", "# 一、引言\n\n正文。\n");
    let lib = report_of(&i);
    let r = lib.reports().next().expect("report");
    assert_eq!((r.title.as_str(), r.publisher.as_str(), r.date.as_str()), ("高频因子研究", "海通证券", "2022-12-21"));
    let i = imp(
        "x.txt",
        "某某证券研究所\n\n行业深度报告\n\n2023年5月8日\n\n相关研究\n《旧报告》2020年1月1日\n\n一、引言\n正文。\n",
    );
    let lib = report_of(&i);
    let r = lib.reports().next().expect("report");
    assert_eq!(
        (r.title.as_str(), r.publisher.as_str(), r.date.as_str()),
        ("行业深度报告", "某某证券研究所", "2023-05-08")
    );
    // Nothing found: empty, with a warning, never guessed.
    let i = imp("y.md", "# 一、引言\n\n正文。\n");
    let lib = report_of(&i);
    let r = lib.reports().next().expect("report");
    assert_eq!(r.date, "");
    assert!(i.warnings.iter().any(|w| w.contains("no date found")), "{:?}", i.warnings);
}

#[test]
fn images_are_figures_with_captions_and_money_stays_text() {
    let i = imp("i.md", "# 一、图\n\n图1 市场规模\n\n![](images/a.jpg)\n\n售价为$0.73至$0.74，增速$33.7 \\%$。\n");
    let b = blocks(&i);
    let texts: Vec<(Option<String>, String)> = b
        .iter()
        .filter_map(|x| if let Block::Text(t) = x { Some((t.title.clone(), t.text.clone())) } else { None })
        .collect();
    assert_eq!(texts[0], (Some("图1 市场规模".into()), "图：images/a.jpg".into()));
    assert_eq!(texts[1].1, "售价为$0.73至$0.74，增速$33.7 %$。");
}

#[test]
fn gb18030_reads_with_the_flag_and_fails_without() {
    let (bytes, _, _) = encoding_rs::GB18030.encode("# 一、概况\n\n正文。\n");
    let e = import("g.txt", &bytes, Encoding::Utf8).expect_err("not UTF-8");
    assert_eq!(e.to_string(), "g.txt:1:4: not UTF-8 (for GB18030/GBK text give --encoding gb18030)");
    let i = import("g.txt", &bytes, Encoding::Gb18030).expect("imports");
    assert!(validate(&i).is_empty());
    assert_eq!(outline(&i)[0].1, "一 概况");
}

#[test]
fn a_bom_is_dropped() {
    let i = imp("b.md", "\u{feff}# 一、概况\n\n正文。\n");
    assert_eq!(outline(&i)[0].1, "一 概况");
}

#[test]
fn a_truncated_file_is_an_error_at_its_end() {
    let mut bytes = "# 一、概况\n\n正文".as_bytes().to_vec();
    bytes.pop();
    let e = import("t.md", &bytes, Encoding::Utf8).expect_err("truncated");
    assert_eq!(
        e.to_string(),
        "t.md:3:2: the file ends inside a UTF-8 character (for GB18030/GBK text give --encoding gb18030)"
    );
}

#[test]
fn an_empty_file_is_an_error() {
    let e = import("e.md", b"  \n\n", Encoding::Utf8).expect_err("empty");
    assert_eq!(e.to_string(), "e.md: the file is empty");
}

#[test]
fn input_past_16_mib_is_refused() {
    let big = vec![b'a'; MAX_INPUT_BYTES + 1];
    let e = import("big.md", &big, Encoding::Utf8).expect_err("too large");
    assert_eq!(e.to_string(), "big.md: the file has 16777217 bytes, more than the 16 MiB an import reads");
}

/// The bundled reports and the library folder are read through a cache file
/// of their own (they were parsed at every start): a second start reads it,
/// a report imported or removed is seen at the next start (the cache is
/// rebuilt, and says why), and a hit in the imported report is found.
#[test]
fn the_library_folder_is_cached_and_an_import_or_removal_is_seen_at_the_next_start() {
    use std::os::unix::fs::MetadataExt;
    let home = tmp("libcache");
    let one = home.join("20240102-甲证券-算力报告.md");
    let two = home.join("20250304-乙证券-储能报告.md");
    std::fs::write(&one, "# 一、概况\n\n液冷服务器渗透率提升。\n").expect("fixture");
    std::fs::write(&two, "# 一、概况\n\n钠离子电池开始量产。\n").expect("fixture");
    assert!(bin(&home).arg("import").arg(&one).output().expect("runs").status.success());
    let search = |q: &str| {
        let o = bin(&home).args(["search", q]).output().expect("runs");
        (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
    };
    let cache_file = || {
        let files: Vec<_> = std::fs::read_dir(home.join("cache/yanbao"))
            .map(|d| d.flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().contains("lib-")).collect())
            .unwrap_or_default();
        assert_eq!(files.len(), 1, "one cache file for the library: {files:?}");
        std::fs::metadata(&files[0]).expect("cache file").ino()
    };
    let (out, _) = search("液冷服务器");
    assert!(out.contains("液冷服务器"), "{out}");
    let first = cache_file();
    // The next start reads the same file (not rewritten).
    let (out, err) = search("液冷服务器");
    assert!(out.contains("液冷服务器") && !err.contains("rebuilt"), "{out}{err}");
    assert_eq!(cache_file(), first, "a start with nothing changed rewrote the cache");
    // A second import is seen, and the rebuild says why.
    assert!(bin(&home).arg("import").arg(&two).output().expect("runs").status.success());
    let (out, err) = search("钠离子电池");
    assert!(out.contains("钠离子电池"), "{out}");
    assert!(err.contains("stale: files were added or removed"), "{err}");
    assert_ne!(cache_file(), first);
    // Removed, it is gone at the next start.
    let listed = bin(&home).arg("library").output().expect("runs");
    let said = String::from_utf8_lossy(&listed.stdout).into_owned();
    let id = said.lines().find(|l| l.contains("储能报告")).and_then(|l| l.split('\t').next()).expect("listed");
    assert!(bin(&home).args(["library", "remove", id]).output().expect("runs").status.success());
    let (out, _) = search("钠离子电池");
    assert!(!out.contains("钠离子电池"), "{out}");
    let _ = std::fs::remove_dir_all(&home);
}
