//! The content model: plain Rust over the YAML files under `content/`.
//! Nothing here knows about the terminal.

use serde::{Deserialize, Serialize};

/// An entry of `content/industries.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Industry {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub english: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// An entry of `content/companies.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Company {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub latin: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub kind: Option<String>,
    /// Phrases in which a name of this company is an ordinary word or
    /// another party, not its mention (中国电信 in 中国电信业务收入).
    /// Each contains one of its names.
    #[serde(default)]
    pub not_mentions: Vec<String>,
}

/// One row of a report's table of contents.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TocEntry {
    #[serde(default)]
    pub number: Option<String>,
    pub title: String,
    #[serde(default)]
    pub page: Option<u32>,
}

/// A report: `content/<report>/report.yaml` plus its chapter files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub date: String,
    pub source: String,
    pub toc: Vec<TocEntry>,
    pub abstract_blocks: Vec<Block>,
    /// The page each abstract block starts on, where the source marks it
    /// (a block's own `page:`); shorter than the blocks or empty: unknown.
    /// (Always serialised: the cache's postcard is not self-describing.)
    #[serde(default)]
    pub abstract_pages: Vec<Option<u32>>,
    pub chapters: Vec<Section>,
    /// Where it was read from: the report's folder (`fs/`) and each chapter's file.
    pub dir: String,
    pub chapter_files: Vec<String>,
}

/// A chapter or a section. Chapters are the top level of a report; sections nest freely.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Section {
    pub id: String,
    pub number: Option<String>,
    pub title: String,
    pub page: Option<u32>,
    pub industries: Vec<String>,
    /// A heading the transcriber supplied (not printed in the source); shown
    /// in a quieter style and marked as such.
    pub editorial: bool,
    pub blocks: Vec<Block>,
    /// The page each block starts on, where the source marks it (a block's
    /// own `page:`); shorter than `blocks` or empty: unknown.
    #[serde(default)]
    pub block_pages: Vec<Option<u32>>,
    pub sections: Vec<Section>,
}

impl Section {
    /// "1.1 全球人工智能市场发展现状", or the title alone.
    pub fn heading(&self) -> String {
        match &self.number {
            Some(n) if !n.is_empty() => format!("{n} {}", self.title),
            _ => self.title.clone(),
        }
    }
}

/// A block of a section. The YAML `kind` field picks the variant; the loader
/// dispatches on it, so that errors inside a block keep their exact path.
#[derive(Debug, Clone, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(name(BlockKind), derive(strum::EnumIter, strum::IntoStaticStr))]
#[strum_discriminants(strum(serialize_all = "snake_case"))]
pub enum Block {
    Text(Text),
    Insights(Insights),
    Table(Table),
    Series(Series),
    Metrics(Metrics),
    Participants(Participants),
    Case(Case),
    Example(Example),
    List(List),
}

impl BlockKind {
    /// Every block kind, in declaration order.
    pub fn all() -> impl Iterator<Item = BlockKind> {
        <BlockKind as strum::IntoEnumIterator>::iter()
    }

    /// The kind as written in YAML (`text`, `participants`, …).
    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(s: &str) -> Option<BlockKind> {
        BlockKind::all().find(|k| k.name() == s)
    }
}

impl Block {
    pub fn title(&self) -> Option<&str> {
        match self {
            Block::Text(b) => b.title.as_deref(),
            Block::Insights(b) => b.title.as_deref(),
            Block::Metrics(b) => b.title.as_deref(),
            Block::Participants(b) => b.title.as_deref(),
            Block::List(b) => b.title.as_deref(),
            Block::Table(t) => t.title.as_deref(),
            Block::Series(s) => s.title.as_deref(),
            Block::Case(c) => Some(&c.title),
            Block::Example(e) => e.title.as_deref(),
        }
    }

    /// The industries the block itself is tagged with (empty: it is about
    /// what its section is about). A case's `industry` counts as one.
    pub fn industries(&self) -> Vec<&str> {
        let own = match self {
            Block::Text(b) => &b.industries,
            Block::Insights(b) => &b.industries,
            Block::Metrics(b) => &b.industries,
            Block::Participants(b) => &b.industries,
            Block::List(b) => &b.industries,
            Block::Table(t) => &t.industries,
            Block::Series(s) => &s.industries,
            Block::Example(e) => &e.industries,
            Block::Case(c) => {
                let mut v: Vec<&str> = c.industry.iter().map(String::as_str).collect();
                v.extend(c.industries.iter().map(String::as_str).filter(|i| Some(*i) != c.industry.as_deref()));
                return v;
            }
        };
        own.iter().map(String::as_str).collect()
    }

    /// Whether the block is about an industry: by its own tags where it has
    /// any, else by its section's (`inside`: the section is about it).
    pub fn is_about(&self, industry: &str, inside: bool) -> bool {
        let own = self.industries();
        if own.is_empty() { inside } else { own.contains(&industry) }
    }

    pub fn kind_name(&self) -> &'static str {
        BlockKind::from(self).name()
    }
}

/// A summary in our own words.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub text: String,
}

/// Numbered key findings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insights {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub items: Vec<Insight>,
}

/// KPI cards.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub items: Vec<Metric>,
}

/// A company map: groups of company ids.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participants {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub groups: Vec<Group>,
    /// One line on how the map departs from the source's logo wall (a logo
    /// moved or left out, a name inferred from a product logo).
    #[serde(default)]
    pub note: Option<String>,
}

/// Bullets.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct List {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Insight {
    pub headline: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub unit: Option<String>,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A table cell. YAML may give a number or a string; both are kept as text,
/// exactly as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell(pub String);

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The cache's binary form holds the text; only YAML, which
        // describes itself, may give a number or a boolean.
        if !d.is_human_readable() {
            return String::deserialize(d).map(Cell);
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            I(i64),
            F(f64),
            B(bool),
            N(()),
        }
        Ok(Cell(match Raw::deserialize(d)? {
            Raw::S(s) => s,
            Raw::I(i) => i.to_string(),
            Raw::F(f) => f.to_string(),
            Raw::B(b) => b.to_string(),
            Raw::N(()) => String::new(),
        }))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Series {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub unit: Option<String>,
    pub points: Vec<Point>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    #[serde(deserialize_with = "text_or_number")]
    pub label: String,
    pub value: f64,
    /// Explicit estimate flag; a label ending in `E` (2028E) is an estimate too.
    #[serde(default)]
    pub estimate: bool,
}

impl Point {
    pub fn is_estimate(&self) -> bool {
        self.estimate || self.label.trim_end().ends_with('E')
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub label: String,
    #[serde(deserialize_with = "text_or_number")]
    pub value: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub direction: Option<Direction>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub name: String,
    #[serde(default)]
    pub companies: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub companies: Vec<String>,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub locations: Vec<String>,
    #[serde(default)]
    pub background: Option<String>,
    #[serde(default)]
    pub pain_points: Vec<String>,
    #[serde(default)]
    pub solution: Vec<String>,
    #[serde(default)]
    pub results: Vec<Metric>,
}

/// A one-line example from running text: who did what, with what result.
/// Shown compactly under the paragraph it illustrates; the source's
/// 标杆案例 stay `case`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub companies: Vec<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub locations: Vec<String>,
    /// What was done, in the source's words or a summary of them.
    pub text: String,
    #[serde(default)]
    pub results: Vec<Metric>,
}

impl Example {
    /// A short name for lists and search results: the title, else the
    /// companies' ids, else the start of the text.
    pub fn label(&self) -> String {
        if let Some(t) = &self.title {
            return t.clone();
        }
        if !self.companies.is_empty() {
            return self.companies.join("、");
        }
        self.text.chars().take(16).collect()
    }
}

fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Cell::deserialize(d).map(|c| c.0)
}
