//! The search index: every searchable unit of the library, matched with the
//! skim fuzzy algorithm and with pinyin. No terminal code lives here, so the
//! CLI (`yanbao search`) and the finder overlay share it.

mod build;
mod find;
pub mod history;
mod matching;
pub mod pinyin;
mod postings;
pub use postings::Shared;
mod query;
mod snippet;
mod store;

pub use build::unit_block;
pub use query::*;
pub use snippet::*;
pub use store::{IntoLazy, LazyIndex};

use crate::content::{Block, Library, NodeId, Section};
use crate::fmt::fmt_num;
pub use crate::fmt::location;
use crate::text::fold;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// What a unit is; shown as a Chinese label in results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    Company,
    Group,
    Case,
    Example,
    Table,
    Figure,
    Metric,
    Section,
    Text,
    Industry,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Company => "公司",
            Kind::Group => "图谱",
            Kind::Case => "案例",
            Kind::Example => "示例",
            Kind::Table => "表格",
            Kind::Figure => "图表",
            Kind::Metric => "指标",
            Kind::Section => "章节",
            Kind::Text => "正文",
            Kind::Industry => "行业",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Company => "company",
            Kind::Group => "group",
            Kind::Case => "case",
            Kind::Example => "example",
            Kind::Table => "table",
            Kind::Figure => "figure",
            Kind::Metric => "metric",
            Kind::Section => "section",
            Kind::Text => "text",
            Kind::Industry => "industry",
        }
    }
}

/// A kind filter, written as a query prefix (`co:`) or `--kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    Companies,
    Cases,
    Examples,
    Tables,
    Figures,
    Industries,
    Sections,
}

impl Filter {
    pub const ALL: [(&'static str, &'static str, Filter); 7] = [
        ("co", "companies (公司, 图谱)", Filter::Companies),
        ("case", "cases (案例)", Filter::Cases),
        ("ex", "examples (示例)", Filter::Examples),
        ("tb", "tables (表格)", Filter::Tables),
        ("fig", "series and metrics (图表, 指标)", Filter::Figures),
        ("ind", "industries (行业)", Filter::Industries),
        ("sec", "sections and text (章节, 正文)", Filter::Sections),
    ];

    pub fn parse(s: &str) -> Option<Filter> {
        Filter::ALL.iter().find(|(p, _, _)| *p == s).map(|f| f.2)
    }

    pub fn admits(self, k: Kind) -> bool {
        match self {
            Filter::Companies => matches!(k, Kind::Company | Kind::Group),
            Filter::Cases => k == Kind::Case,
            Filter::Examples => k == Kind::Example,
            Filter::Tables => k == Kind::Table,
            Filter::Figures => matches!(k, Kind::Figure | Kind::Metric),
            Filter::Industries => k == Kind::Industry,
            Filter::Sections => matches!(k, Kind::Section | Kind::Text),
        }
    }
}

/// Where a result leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// A place in a report; `probe` is text that finds the unit's line there.
    Place {
        node: NodeId,
        probe: String,
    },
    Company(String),
    Industry(String),
}

/// A field of a unit prepared for matching: folded text, its characters,
/// their pinyin reading ids, and a 64-bit set of its characters.
#[derive(Debug, Clone)]
struct Prepared {
    folded: String,
    chars: Vec<char>,
    ids: Vec<u16>,
    starts: Vec<u32>,
    bloom: Bloom,
    han: bool,
}

/// A 256-bit set of characters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Bloom([u64; 4]);

impl Bloom {
    fn add(mut self, c: char) -> Bloom {
        let h = (c as u32).wrapping_mul(0x9E37_79B1) >> 24;
        self.0[(h >> 6) as usize] |= 1 << (h & 63);
        self
    }

    fn covers(&self, other: &Bloom) -> bool {
        self.0.iter().zip(&other.0).all(|(a, b)| a & b == *b)
    }
}

impl Prepared {
    fn new(s: &str, table: &mut pinyin::Table) -> Prepared {
        let chars: Vec<char> = s.chars().map(fold).collect();
        let ids: Vec<u16> = chars.iter().map(|&c| table.id(c)).collect();
        let bloom = chars.iter().fold(Bloom::default(), |b, &c| b.add(c));
        let han = ids.iter().any(|&i| i != pinyin::LITERAL);
        let starts = table.starts_of(&chars, &ids);
        Prepared { folded: chars.iter().collect(), chars, ids, starts, bloom, han }
    }
}

impl Prepared {
    fn coded(&self) -> pinyin::Coded<'_> {
        pinyin::Coded { chars: &self.chars, ids: &self.ids, starts: &self.starts }
    }
}

/// A table cell within a row unit's text: its column name and its value,
/// as char ranges of the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellSpan {
    pub column: Range<usize>,
    pub value: Range<usize>,
}

/// One searchable unit.
#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: Kind,
    /// The name or title: matches here rank above matches in `text`.
    pub title: String,
    /// The full unit: a table row with its headers, a metric with its unit, a sentence.
    pub text: String,
    pub target: Target,
    /// A table row's cells, so that a hit can show the cell that matched.
    pub cells: Vec<CellSpan>,
    /// Units cut from one block (a table's rows, a text's sentences) share
    /// a group: a hit in their common title is one result, not one per unit.
    pub group: u32,
    /// Whether the title is the unit's own. A sentence titled by its
    /// section is not matched by that title (the location says it).
    pub own_title: bool,
    title_p: Prepared,
    text_p: Prepared,
}

/// What rules a unit out before matching, kept apart from the units in one
/// compact array so that a scan of a large index stays in cache.
#[derive(Debug, Clone)]
struct Screen {
    kind: Kind,
    /// Per field (title, text): its characters, and its pinyin shape.
    blooms: [Bloom; 2],
    shapes: [pinyin::Shape; 2],
    /// The node whose location path the unit has (usize::MAX for none).
    node: usize,
    own_title: bool,
}

impl Screen {
    fn new(u: &Unit, table: &pinyin::Table) -> Screen {
        let (t, x) = (&u.title_p, &u.text_p);
        Screen::with_shapes(u, [table.shape(&t.chars, &t.ids), table.shape(&x.chars, &x.ids)])
    }

    /// A unit's screen from its fields' shapes (computed, or read from the cache).
    fn with_shapes(u: &Unit, shapes: [pinyin::Shape; 2]) -> Screen {
        Screen {
            kind: u.kind,
            blooms: [u.title_p.bloom, u.text_p.bloom],
            shapes,
            node: u.node().unwrap_or(usize::MAX),
            own_title: u.own_title,
        }
    }
}

impl Unit {
    pub fn new(kind: Kind, title: String, text: String, target: Target, table: &mut pinyin::Table) -> Unit {
        let title_p = Prepared::new(&title, table);
        let text_p = Prepared::new(&text, table);
        Unit { kind, title, text, target, cells: Vec::new(), group: 0, own_title: true, title_p, text_p }
    }

    pub fn node(&self) -> Option<NodeId> {
        match self.target {
            Target::Place { node, .. } => Some(node),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Title,
    Text,
    /// Only the unit's location path (a section heading above it).
    Path,
}

/// What ranks a hit, smallest first (see `Index::rank_key`).
pub type RankKey = (std::cmp::Reverse<u8>, u8, bool, u8, bool, std::cmp::Reverse<i64>);

/// One ranked result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub unit: usize,
    /// Where the first term matched.
    pub field: Field,
    /// Char indices of the first term's matched characters in `field`
    /// (none when it matched the location).
    pub indices: Vec<usize>,
    /// Every term's matched characters in the title and in the text, sorted.
    pub title_marks: Vec<usize>,
    pub text_marks: Vec<usize>,
    pub score: i64,
    pub contiguous: bool,
    /// 3: the typed text itself; 2: a pinyin run in common readings;
    /// 1: a pinyin run that needs a less common reading; 0: scattered.
    /// With several terms, the lowest of theirs.
    pub tier: u8,
    /// Terms that matched only the location path.
    pub in_path: u8,
    /// The title is the whole query.
    pub exact: bool,
    /// Every term that matched the unit itself matched its title (the row shows the title).
    pub title_covers: bool,
    /// Some term's characters are marked in the title (`title_marks` is
    /// not empty once the hit is marked), and in the text.
    pub in_title: bool,
    pub in_text: bool,
}

impl Hit {
    /// A hit with the given characters marked (a company page's mention).
    pub fn marked(unit: usize, field: Field, indices: Vec<usize>) -> Hit {
        let (title_marks, text_marks) = match field {
            Field::Title => (indices.clone(), Vec::new()),
            Field::Text => (Vec::new(), indices.clone()),
            Field::Path => (Vec::new(), Vec::new()),
        };
        Hit {
            unit,
            field,
            indices,
            title_marks,
            text_marks,
            score: 0,
            contiguous: true,
            tier: 3,
            in_path: 0,
            exact: false,
            title_covers: field == Field::Title,
            in_title: field == Field::Title,
            in_text: field == Field::Text,
        }
    }

    /// The matched characters when they are one run (for highlighting the place).
    pub fn matched(&self, u: &Unit) -> Option<String> {
        let s = match self.field {
            Field::Title => &u.title,
            Field::Text => &u.text,
            Field::Path => return None,
        };
        let (a, b) = (*self.indices.first()?, *self.indices.last()?);
        (self.contiguous && b < s.chars().count()).then(|| s.chars().skip(a).take(b + 1 - a).collect())
    }
}

#[derive(Debug, Clone)]
struct FieldMatch {
    score: i64,
    indices: Marks,
    tier: u8,
}

/// The characters a match takes: a run (literal or pinyin; nothing to
/// allocate while ranking) or the scattered characters of a fuzzy match.
#[derive(Debug, Clone)]
enum Marks {
    Run(Range<usize>),
    Scattered(Vec<usize>),
}

impl Marks {
    fn into_vec(self) -> Vec<usize> {
        match self {
            Marks::Run(r) => r.collect(),
            Marks::Scattered(v) => v,
        }
    }

    fn extend_into(&self, out: &mut Vec<usize>) {
        match self {
            Marks::Run(r) => out.extend(r.clone()),
            Marks::Scattered(v) => out.extend_from_slice(v),
        }
    }
}

/// One term's match in a unit (see `Index::match_term`).
struct TermMatch {
    field: Field,
    m: FieldMatch,
    tier: u8,
    /// The other field's run, when it matched too.
    other: Option<Marks>,
}

/// The results of a query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results {
    /// The best hits, ranked, at most the limit asked for.
    pub hits: Vec<Hit>,
    /// How many distinct results matched (more than `hits` when capped).
    pub matched: usize,
    /// Scattered matches were not counted, as the runs filled the list.
    pub more: bool,
}

pub struct Index {
    pub units: Vec<Unit>,
    screens: Vec<Screen>,
    /// Per node: its location path (the headings above it and its own), prepared.
    paths: Vec<Prepared>,
    table: std::sync::Arc<pinyin::Table>,
    /// Which units hold each character (built on the first search).
    postings: std::sync::OnceLock<postings::Postings>,
    /// Each company's mentions once found (the finder's preview asks at
    /// every key; a library of hundreds of reports takes a while to scan).
    mentions_memo: std::sync::Mutex<std::collections::HashMap<String, Vec<usize>>>,
    /// The node of `paths[0]`: 0, but for a piece of an index (see `store`).
    path_base: usize,
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Index({} units)", self.units.len())
    }
}

/// Reading ids in the cache: little-endian bytes.
struct Ids<'a>(&'a [u16]);

impl Serialize for Ids<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let b: Vec<u8> = self.0.iter().flat_map(|i| i.to_le_bytes()).collect();
        s.serialize_bytes(&b)
    }
}

struct IdsOwned(Vec<u16>);

impl<'de> Deserialize<'de> for IdsOwned {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = IdsOwned;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("reading ids")
            }
            fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<IdsOwned, E> {
                if !b.len().is_multiple_of(2) {
                    return Err(E::invalid_length(b.len(), &self));
                }
                Ok(IdsOwned(b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()))
            }
        }
        d.deserialize_byte_buf(V)
    }
}

impl Prepared {
    /// A field's folded text, if it differs from the field (it rarely does).
    fn folded_if_other<'a>(&'a self, field: &str) -> Option<&'a str> {
        (self.folded != field).then_some(self.folded.as_str())
    }

    /// A field read from the cache: its folded text and reading ids; the
    /// characters and the character set are derived, the first letters are
    /// filled in by `Index` (they need the table).
    fn from_cache(folded: String, ids: Vec<u16>) -> Result<Prepared, &'static str> {
        let chars: Vec<char> = folded.chars().collect();
        if chars.len() != ids.len() {
            return Err("a prepared field's ids do not match its characters");
        }
        let bloom = chars.iter().fold(Bloom::default(), |b, &c| b.add(c));
        let han = ids.iter().any(|&i| i != pinyin::LITERAL);
        Ok(Prepared { folded, chars, ids, starts: Vec::new(), bloom, han })
    }
}

/// A unit as the cache stores it: kind, title, text and target, and per
/// field its reading ids and, only where it differs from the field, its
/// folded text.
impl Serialize for Unit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (
            (self.kind, &self.title, &self.text, &self.target, &self.cells, self.group, self.own_title),
            (self.title_p.folded_if_other(&self.title), Ids(&self.title_p.ids)),
            (self.text_p.folded_if_other(&self.text), Ids(&self.text_p.ids)),
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        type Head = (Kind, String, String, Target, Vec<CellSpan>, u32, bool);
        type Field = (Option<String>, IdsOwned);
        let ((kind, title, text, target, cells, group, own_title), (tf, IdsOwned(ti)), (xf, IdsOwned(xi))) =
            <(Head, Field, Field)>::deserialize(d)?;
        let title_p =
            Prepared::from_cache(tf.unwrap_or_else(|| title.clone()), ti).map_err(serde::de::Error::custom)?;
        let text_p = Prepared::from_cache(xf.unwrap_or_else(|| text.clone()), xi).map_err(serde::de::Error::custom)?;
        Ok(Unit { kind, title, text, target, cells, group, own_title, title_p, text_p })
    }
}

/// The index as the cache stores it: the units, each unit's two pinyin
/// shapes (costly to derive), the nodes' location paths (folded text and
/// reading ids) and the reading table. The character sets are derived on
/// load, the matcher made anew.
#[derive(Serialize)]
struct IndexRef<'a> {
    units: &'a [Unit],
    shapes: Vec<[pinyin::Shape; 2]>,
    paths: Vec<(&'a str, Ids<'a>)>,
    table: &'a pinyin::Table,
}

#[derive(Deserialize)]
struct IndexOwned {
    units: Vec<Unit>,
    shapes: Vec<[pinyin::Shape; 2]>,
    paths: Vec<(String, IdsOwned)>,
    table: pinyin::Table,
}

impl Serialize for Index {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let shapes = self.screens.iter().map(|sc| sc.shapes).collect();
        let paths = self.paths.iter().map(|p| (p.folded.as_str(), Ids(&p.ids))).collect();
        IndexRef { units: &self.units, shapes, paths, table: &self.table }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Index {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let IndexOwned { mut units, shapes, paths, table } = IndexOwned::deserialize(d)?;
        let bad = |m: &str| serde::de::Error::custom(m);
        if shapes.len() != units.len() || !table.is_consistent() {
            return Err(bad("the index's parts do not match"));
        }
        let mut paths = paths
            .into_iter()
            .map(|(folded, IdsOwned(ids))| Prepared::from_cache(folded, ids))
            .collect::<Result<Vec<_>, _>>()
            .map_err(bad)?;
        let fields = units.iter_mut().flat_map(|u| [&mut u.title_p, &mut u.text_p]).chain(paths.iter_mut());
        for p in fields {
            if !table.has_ids(&p.ids) {
                return Err(bad("a reading id outside the table"));
            }
            p.starts = p.chars.iter().zip(&p.ids).map(|(&c, &id)| table.starts(c, id)).collect();
        }
        let screens = units.iter().zip(shapes).map(|(u, shapes)| Screen::with_shapes(u, shapes)).collect();
        Ok(Index::from_parts(units, screens, paths, std::sync::Arc::new(table), 0))
    }
}

impl Prepared {
    /// Whether the parallel arrays agree and every reading id is in `table`.
    fn fits(&self, table: &pinyin::Table) -> bool {
        self.chars.len() == self.ids.len() && self.chars.len() == self.starts.len() && table.has_ids(&self.ids)
    }
}

impl Index {
    /// An index of these parts, its lists and memos still to be made; the
    /// paths stand for the nodes from `path_base` on.
    fn from_parts(
        units: Vec<Unit>,
        screens: Vec<Screen>,
        paths: Vec<Prepared>,
        table: std::sync::Arc<pinyin::Table>,
        path_base: usize,
    ) -> Index {
        Index {
            units,
            screens,
            paths,
            table,
            postings: Default::default(),
            mentions_memo: Default::default(),
            path_base,
        }
    }

    /// Whether an index read from the cache holds together with `lib`: one
    /// screen per unit, places that exist, consistent prepared fields. What
    /// is indexed into is checked, so a bad index cannot panic a search.
    pub fn fits(&self, lib: &Library) -> bool {
        self.units.len() == self.screens.len()
            && self.paths.len() == lib.nodes.len()
            && self.paths.iter().all(|p| p.fits(&self.table))
            && self.table.is_consistent()
            && self.units.iter().all(|u| {
                let len = u.text_p.chars.len();
                u.node().is_none_or(|n| n < lib.nodes.len())
                    && u.cells.iter().all(|c| c.column.end <= len && c.value.end <= len)
                    && u.title_p.fits(&self.table)
                    && u.text_p.fits(&self.table)
            })
    }
}
