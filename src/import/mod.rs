//! `yanbao import`: a converted report (MinerU, marker, pymupdf4llm or
//! pandoc Markdown, pdftotext's plain text) → a report folder in the content
//! model. Two passes, as pandoc does: the text to a flat list of blocks with
//! their source spans ([`parse`]), then the blocks to sections ([`tree`]).
//! Deterministic: the same bytes give the same folder, byte for byte.
//! Nothing is invented: no case, example, metric card or participant map.

pub mod parse;
pub mod plain;
#[doc(hidden)]
pub mod synthetic;
pub mod table;
pub mod tags;
pub mod tree;

use crate::content::{Block, Files, Report, Section};
use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::BTreeMap;

use std::sync::LazyLock;

/// The largest input read.
pub const MAX_INPUT_BYTES: usize = 16 << 20;

/// The name of the provenance file written beside `report.yaml`.
pub const PROVENANCE_FILE: &str = "provenance.json";

/// How the input's bytes are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    Gb18030,
}

impl std::str::FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gb18030" | "gbk" | "gb2312" | "cp936" => Ok(Encoding::Gb18030),
            other => Err(format!("unknown encoding {other:?} (utf-8 or gb18030)")),
        }
    }
}

/// Why a file cannot be imported (see [`crate::located::Located`]).
pub type ImportError = crate::located::Located;

/// Where an imported report came from; `provenance.json` in its folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The source file's name (as given to `import`).
    pub source_file: String,
    /// The source file's absolute path when imported from disk.
    #[serde(default)]
    pub source_path: Option<String>,
    /// SHA-256 of the source file's bytes, hex.
    pub sha256: String,
    pub encoding: String,
    /// Pages in the source (0: it marks none).
    pub pages: u32,
    /// Each section's source lines: section id → [first, last].
    pub sections: BTreeMap<String, [usize; 2]>,
    /// Each block's source: section id (`abstract` for the front matter) →
    /// one entry per block of the section, in order. A citation of a block
    /// carries its page from here.
    #[serde(default)]
    pub blocks: BTreeMap<String, Vec<BlockSource>>,
    /// Running headers, footers and page numbers dropped: "LINE: text".
    pub dropped: Vec<String>,
    pub warnings: Vec<String>,
    /// The bundled registry's companies the text mentions: id → mentions.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub companies: BTreeMap<String, usize>,
    /// Each tagged section's industries, with the evidence: section id →
    /// industry id → the terms that made the tag → their occurrences.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub industries: BTreeMap<String, BTreeMap<String, tags::Terms>>,
}

/// Where one block of an imported report comes from: its source lines
/// (first, last; 1-based) and the page of its first line, where the input
/// has pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BlockSource {
    pub lines: [usize; 2],
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

impl BlockSource {
    fn of(s: parse::Span) -> BlockSource {
        BlockSource { lines: [s.first, s.last], page: s.page }
    }
}

/// An imported report: its files (relative to the report's folder) and counts.
#[derive(Debug, Clone)]
pub struct Imported {
    pub id: String,
    /// `report.yaml`, `chN.yaml`, `provenance.json`.
    pub files: BTreeMap<String, String>,
    pub chapters: usize,
    pub sections: usize,
    pub tables: usize,
    pub series: usize,
    pub pages: u32,
    pub warnings: Vec<String>,
    pub provenance: Provenance,
}

impl Imported {
    /// "N chapters, N sections, N tables, N series, N pages, N warnings".
    pub fn summary(&self) -> String {
        format!(
            "{} chapters, {} sections, {} tables, {} series, {} pages, {} warnings",
            self.chapters,
            self.sections,
            self.tables,
            self.series,
            self.pages,
            self.warnings.len()
        )
    }
}

/// SHA-256 of bytes, in hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = sha2::Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes as text: UTF-8 (a BOM dropped) or GB18030. Invalid UTF-8 is an
/// error at its line and column, with the `--encoding` hint.
pub fn decode(name: &str, bytes: &[u8], enc: Encoding) -> Result<String, ImportError> {
    let err = |line, column, message: String| ImportError::at(name, line, column, message);
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(err(
            None,
            None,
            format!("the file has {} bytes, more than the {} MiB an import reads", bytes.len(), MAX_INPUT_BYTES >> 20),
        ));
    }
    match enc {
        Encoding::Gb18030 => {
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(err(None, None, "not valid GB18030 text".into()));
            }
            Ok(text.trim_start_matches('\u{feff}').to_string())
        }
        Encoding::Utf8 => {
            let b = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            match std::str::from_utf8(b) {
                Ok(s) => Ok(s.to_string()),
                Err(e) => {
                    let good = &b[..e.valid_up_to()];
                    let line = good.iter().filter(|&&c| c == b'\n').count() + 1;
                    let start = good.iter().rposition(|&c| c == b'\n').map_or(0, |k| k + 1);
                    let column = String::from_utf8_lossy(&good[start..]).chars().count() + 1;
                    let what =
                        if e.error_len().is_none() { "the file ends inside a UTF-8 character" } else { "not UTF-8" };
                    Err(err(Some(line), Some(column), format!("{what} (for GB18030/GBK text give --encoding gb18030)")))
                }
            }
        }
    }
}

static FILE_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^((?:19|20)\d{2})(\d{2})(\d{2})[-_ ]+([^-_ ]{2,20})[-_ ]+(.+)$").expect("regex"));
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?|[-/.](\d{1,2})[-/.](\d{1,2})\b)")
        .expect("regex")
});
static CN_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([零〇一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})日)?")
        .expect("regex")
});
static PUBLISHER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\p{Han}A-Za-z&（）()]{2,16}(?:证券|研究院|研究所|研究中心|咨询|期货|资本|投资)(?:股份有限公司|有限责任公司|有限公司)?$")
        .expect("regex")
});
static TITLE_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"白皮书|蓝皮书|报告|研究|展望|分析|趋势|策略|专题|系列|漫谈|沙龙").expect("regex"));

fn cn_number(s: &str) -> Option<u32> {
    let d = |c: char| "零一二三四五六七八九".find(c).map(|k| (k / 3) as u32).or((c == '〇').then_some(0));
    match s.chars().collect::<Vec<_>>().as_slice() {
        ['十'] => Some(10),
        ['十', b] => Some(10 + d(*b)?),
        [a, '十'] => Some(d(*a)? * 10),
        [a, '十', b] => Some(d(*a)? * 10 + d(*b)?),
        [a] => d(*a),
        _ => None,
    }
}

/// The first date printed in these lines, outside 相关研究 lists.
fn find_date(lines: &[&str]) -> Option<(usize, String)> {
    let mut related = 0usize;
    for (k, l) in lines.iter().enumerate() {
        if l.contains("相关研究") || l.contains("相关报告") {
            related = 12;
            continue;
        }
        if related > 0 {
            related -= 1;
            continue;
        }
        if l.contains('《') {
            continue;
        }
        if let Some(c) = DATE.captures(l) {
            let y = &c[1];
            let m = c.get(2).or(c.get(4)).and_then(|m| m.as_str().parse::<u32>().ok()).filter(|m| (1..=12).contains(m));
            let d = c.get(3).or(c.get(5)).and_then(|m| m.as_str().parse::<u32>().ok()).filter(|d| (1..=31).contains(d));
            match (m, d) {
                (Some(m), Some(d)) => return Some((k, format!("{y}-{m:02}-{d:02}"))),
                (Some(m), None) => return Some((k, format!("{y}-{m:02}"))),
                _ => {}
            }
        }
        if let Some(c) = CN_DATE.captures(l) {
            let y: String = c[1].chars().filter_map(|ch| cn_number(&ch.to_string())).map(|n| n.to_string()).collect();
            let m = cn_number(&c[2]).filter(|m| (1..=12).contains(m));
            let d = c.get(3).and_then(|x| cn_number(x.as_str())).filter(|d| (1..=31).contains(d));
            match (m, d) {
                (Some(m), Some(d)) if y.len() == 4 => return Some((k, format!("{y}-{m:02}-{d:02}"))),
                (Some(m), None) if y.len() == 4 => return Some((k, format!("{y}-{m:02}"))),
                _ => {}
            }
        }
    }
    None
}

/// A report id from the source's hash: stable, and apart from other reports.
pub fn report_id(sha: &str) -> String {
    format!("u{}", sha.get(..10).unwrap_or(sha))
}

/// Import one file's bytes. `name` is the file's name as given (its stem
/// may carry the date, publisher and title).
pub fn import(name: &str, bytes: &[u8], enc: Encoding) -> Result<Imported, ImportError> {
    let text = decode(name, bytes, enc)?;
    if text.trim().is_empty() {
        return Err(ImportError::file_only(name, "the file is empty"));
    }
    let sha = sha256_hex(bytes);
    let id = report_id(&sha);
    let ext = std::path::Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let markdown = matches!(ext.as_str(), "md" | "markdown" | "mdown" | "mkd") || parse::looks_like_markdown(&text);
    let parsed = parse::parse(&text, markdown);
    let pages = parsed.pages;
    let first_lines: Vec<&str> = text.lines().take(80).map(str::trim).collect();
    let mut warnings: Vec<String> = Vec::new();
    // Title, publisher, date: the file name, else the first lines.
    let stem = std::path::Path::new(name).file_stem().and_then(|s| s.to_str()).unwrap_or(name).to_string();
    let (mut title, mut publisher, mut date) = (String::new(), String::new(), String::new());
    if let Some(c) = FILE_NAME.captures(&stem) {
        date = format!("{}-{}-{}", &c[1], &c[2], &c[3]);
        publisher = c[4].to_string();
        title = c[5].trim().to_string();
    }
    if title.is_empty() {
        let found = first_lines.iter().enumerate().find(|(_, l)| {
            let l = tree_clean(l);
            let n = l.chars().count();
            (4..=60).contains(&n)
                && TITLE_WORD.is_match(&l)
                && !PUBLISHER.is_match(&l)
                && !l.ends_with('。')
                && !l.contains("http")
        });
        if let Some((k, l)) = found {
            title = tree_clean(l);
            // A title set as two headings on the cover ("# “十五五” 时期" over
            // "## 我国…研究"): both lines.
            let before = first_lines[..k].iter().rev().find(|x| !x.is_empty());
            if l.starts_with('#')
                && let Some(b) = before.filter(|b| b.starts_with('#'))
                && tree_clean(b).chars().count() <= 20
            {
                title = format!("{}{title}", tree_clean(b));
            }
        }
        if title.is_empty() {
            title = stem.clone();
            warnings.push(format!("{name}: no title found in the first lines: the file name stands in"));
        }
    }
    if date.is_empty() {
        match find_date(&first_lines) {
            Some((_, d)) => date = d,
            None => warnings.push(format!("{name}: no date found in the file name or the first lines: left empty")),
        }
    }
    if publisher.is_empty() {
        let tail: Vec<&str> = text.lines().rev().take(200).map(str::trim).collect();
        match first_lines.iter().chain(tail.iter()).map(|l| tree_clean(l)).find(|l| PUBLISHER.is_match(l)) {
            Some(p) => publisher = p,
            None => warnings.push(format!("{name}: no publisher found in the file name or the text: left empty")),
        }
    }
    let tr = tree::build(cover_to_text(parsed.blocks, &title));
    warnings.splice(0..0, tr.warnings.iter().map(|(l, w)| format!("{name}:{l}: {w}")));
    if !parsed.dropped.is_empty() {
        warnings.push(format!(
            "{name}: dropped {} running header, footer and page-number lines (listed in {PROVENANCE_FILE})",
            parsed.dropped.len()
        ));
    }
    // Ids, depth first; the lines of each section in the same order.
    let mut chapters = tr.chapters;
    // lines_of and block_spans_of are in closing order (children before
    // parents): mapped to ids by walking alike.
    let mut closed = tr.lines_of.iter().copied().zip(tr.block_spans_of.iter()).collect::<Vec<_>>().into_iter();
    let mut spans: BTreeMap<String, [usize; 2]> = BTreeMap::new();
    let mut block_sources: BTreeMap<String, Vec<BlockSource>> = BTreeMap::new();
    type Closed<'a> = std::vec::IntoIter<((usize, usize), &'a Vec<parse::Span>)>;
    fn assign(
        s: &mut Section,
        id: String,
        spans: &mut BTreeMap<String, [usize; 2]>,
        blocks: &mut BTreeMap<String, Vec<BlockSource>>,
        closed: &mut Closed,
    ) {
        for (k, c) in s.sections.iter_mut().enumerate() {
            assign(c, format!("{id}-{}", k + 1), spans, blocks, closed);
        }
        if let Some(((a, b), bs)) = closed.next() {
            spans.insert(id.clone(), [a, b]);
            if !bs.is_empty() {
                blocks.insert(id.clone(), bs.iter().copied().map(BlockSource::of).collect());
            }
        }
        s.id = id;
    }
    for (k, ch) in chapters.iter_mut().enumerate() {
        assign(ch, format!("{id}-{}", k + 1), &mut spans, &mut block_sources, &mut closed);
    }
    let front_sources: Vec<BlockSource> = tr.front_spans.iter().copied().map(BlockSource::of).collect();
    let report = Report {
        id: id.clone(),
        title,
        publisher,
        date,
        source: format!("{stem}（yanbao import）"),
        toc: tr.toc,
        abstract_blocks: tr.front,
        abstract_pages: tr.front_pages,
        chapters,
        dir: String::new(),
        chapter_files: Vec::new(),
    };
    if report.chapters.is_empty() {
        warnings.push(format!("{name}: no heading found: the whole text is one section"));
    }
    let mut report = front_matter(ensure_chapter(report));
    let back = report.chapters.len() > 1 && report.chapters.last().is_some_and(|c| tree::is_back(&c.title));
    let evidence = tags::tag(&mut report, back);
    // The front matter's blocks, where they ended: the abstract, or a first
    // chapter made of them.
    if !front_sources.is_empty() {
        let key = match report.chapters.first() {
            Some(ch) if report.abstract_blocks.is_empty() => ch.id.clone(),
            _ => "abstract".to_string(),
        };
        block_sources.insert(key, front_sources);
    }
    let c = crate::content::Counts::of_report(&report);
    let provenance = Provenance {
        source_file: name.to_string(),
        source_path: None,
        sha256: sha,
        encoding: match enc {
            Encoding::Utf8 => "utf-8".into(),
            Encoding::Gb18030 => "gb18030".into(),
        },
        pages,
        sections: spans,
        blocks: block_sources,
        dropped: parsed.dropped.iter().map(|(l, t)| format!("{l}: {t}")).collect(),
        warnings: warnings.clone(),
        companies: evidence.companies,
        industries: evidence.industries,
    };
    let files = emit(&report, &provenance);
    Ok(Imported {
        id,
        files,
        chapters: c.chapters,
        sections: c.sections,
        tables: c.tables,
        series: c.series,
        pages,
        warnings,
        provenance,
    })
}

/// Headings of the cover that print the title are text, not chapters.
fn cover_to_text(blocks: Vec<parse::Blk>, title: &str) -> Vec<parse::Blk> {
    blocks
        .into_iter()
        .map(|mut b| {
            if let parse::Kind::Heading { text, .. } = &b.kind
                && b.span.first <= 15
                && !title.is_empty()
                && title.contains(tree_clean(text).as_str())
            {
                b.kind = parse::Kind::Para(tree_clean(text));
            }
            b
        })
        .collect()
}

fn tree_clean(l: &str) -> String {
    parse::strip_tags(l).trim_start_matches(['#', ' ', '■', '□']).trim().to_string()
}

/// Text before the first heading is front matter (the abstract) when
/// short; a long run of it is the body of a report whose headings were not
/// found, and becomes a first chapter (its title editorial).
fn front_matter(mut r: Report) -> Report {
    if r.abstract_blocks.len() > 24 {
        let body = body_chapter(&mut r, 0);
        r.chapters.insert(0, body);
    }
    r
}

/// A report with no chapters gets one, holding the text (editorial title).
fn ensure_chapter(mut r: Report) -> Report {
    if r.chapters.is_empty() {
        let body = body_chapter(&mut r, 1);
        r.chapters.push(body);
    }
    r
}

/// The report's front text (with its pages) as chapter `k`, `正文`, its
/// title editorial.
fn body_chapter(r: &mut Report, k: usize) -> Section {
    Section {
        id: format!("{}-{k}", r.id),
        title: "正文".into(),
        editorial: true,
        blocks: std::mem::take(&mut r.abstract_blocks),
        block_pages: std::mem::take(&mut r.abstract_pages),
        ..Default::default()
    }
}

// ------------------------------------------------------------------ output

#[derive(Serialize)]
struct OutReport<'a> {
    id: &'a str,
    title: &'a str,
    publisher: &'a str,
    date: &'a str,
    source: &'a str,
    chapters: Vec<String>,
    #[serde(skip_serializing_if = "<[crate::content::TocEntry]>::is_empty")]
    toc: &'a [crate::content::TocEntry],
    #[serde(rename = "abstract", skip_serializing_if = "Vec::is_empty")]
    abstract_blocks: Vec<Paged<'a>>,
}

#[derive(Serialize)]
struct OutSection<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    number: &'a Option<String>,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    editorial: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    industries: &'a [String],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    blocks: Vec<Paged<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sections: Vec<OutSection<'a>>,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum OutBlock<'a> {
    Text {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: &'a Option<String>,
        text: &'a str,
    },
    List {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: &'a Option<String>,
        items: &'a [String],
    },
    Table {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: &'a Option<String>,
        columns: &'a [String],
        rows: &'a [Vec<crate::content::Cell>],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        notes: &'a [String],
    },
    Series {
        #[serde(skip_serializing_if = "Option::is_none")]
        title: &'a Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: &'a Option<String>,
        points: &'a [crate::content::Point],
        #[serde(skip_serializing_if = "Option::is_none")]
        note: &'a Option<String>,
    },
}

/// A block with the page it starts on (`page:` after its fields), where
/// the source marks pages.
#[derive(Serialize)]
struct Paged<'a> {
    #[serde(flatten)]
    block: OutBlock<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u32>,
}

fn out_blocks<'a>(bs: &'a [Block], pages: &[Option<u32>]) -> Vec<Paged<'a>> {
    bs.iter()
        .enumerate()
        .filter_map(|(i, b)| {
            let page = pages.get(i).copied().flatten();
            out_block(b).map(|block| Paged { block, page })
        })
        .collect()
}

fn out_block(b: &Block) -> Option<OutBlock<'_>> {
    match b {
        Block::Text(t) => Some(OutBlock::Text { title: &t.title, text: &t.text }),
        Block::List(l) => Some(OutBlock::List { title: &l.title, items: &l.items }),
        Block::Table(t) => {
            Some(OutBlock::Table { title: &t.title, columns: &t.columns, rows: &t.rows, notes: &t.notes })
        }
        Block::Series(s) => Some(OutBlock::Series { title: &s.title, unit: &s.unit, points: &s.points, note: &s.note }),
        // The importer makes no other kind.
        _ => None,
    }
}

fn out_section(s: &Section) -> OutSection<'_> {
    OutSection {
        id: &s.id,
        number: &s.number,
        title: &s.title,
        page: s.page,
        editorial: s.editorial,
        industries: &s.industries,
        blocks: out_blocks(&s.blocks, &s.block_pages),
        sections: s.sections.iter().map(out_section).collect(),
    }
}

fn yaml<T: Serialize>(v: &T) -> String {
    // Serialising plain structs of strings and numbers cannot fail.
    serde_yaml::to_string(v).unwrap_or_default()
}

/// The report's files: `report.yaml`, one `chN.yaml` per chapter, `provenance.json`.
fn emit(r: &Report, p: &Provenance) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let stems: Vec<String> = (1..=r.chapters.len()).map(|k| format!("ch{k}")).collect();
    let head = OutReport {
        id: &r.id,
        title: &r.title,
        publisher: &r.publisher,
        date: &r.date,
        source: &r.source,
        chapters: stems.clone(),
        toc: &r.toc,
        abstract_blocks: out_blocks(&r.abstract_blocks, &r.abstract_pages),
    };
    files.insert("report.yaml".to_string(), yaml(&head));
    for (stem, ch) in stems.iter().zip(&r.chapters) {
        files.insert(format!("{stem}.yaml"), yaml(&out_section(ch)));
    }
    files.insert(PROVENANCE_FILE.to_string(), serde_json::to_string_pretty(p).unwrap_or_default() + "\n");
    files
}

/// Check imported files as `yanbao check` would, with the bundled registries.
pub fn validate(imp: &Imported) -> Vec<crate::content::ContentError> {
    let mut files: Files = crate::content::bundled_files().into_iter().filter(|(k, _)| !k.contains('/')).collect();
    for (k, v) in &imp.files {
        if k.ends_with(".yaml") {
            files.insert(format!("{}/{k}", imp.id), v.clone());
        }
    }
    crate::content::load(&files).1
}
