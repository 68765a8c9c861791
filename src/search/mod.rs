//! The search index: every searchable unit of the library, matched with the
//! skim fuzzy algorithm and with pinyin. No terminal code lives here, so the
//! CLI (`yanbao search`) and the finder overlay share it.

pub mod history;
pub mod pinyin;
mod postings;
mod store;

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
        Screen {
            kind: u.kind,
            blooms: [t.bloom, x.bloom],
            shapes: [table.shape(&t.chars, &t.ids), table.shape(&x.chars, &x.ids)],
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
    indices: Vec<usize>,
    tier: u8,
}

/// One term's match in a unit (see `Index::match_term`).
struct TermMatch {
    field: Field,
    m: FieldMatch,
    tier: u8,
    /// The other field's run, when it matched too.
    other: Option<Vec<usize>>,
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
    matcher: SkimMatcherV2,
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
        let screens = units
            .iter()
            .zip(shapes)
            .map(|(u, shapes)| Screen {
                kind: u.kind,
                blooms: [u.title_p.bloom, u.text_p.bloom],
                shapes,
                node: u.node().unwrap_or(usize::MAX),
                own_title: u.own_title,
            })
            .collect();
        Ok(Index {
            units,
            screens,
            paths,
            table: std::sync::Arc::new(table),
            matcher: SkimMatcherV2::default().ignore_case(),
            postings: Default::default(),
            mentions_memo: Default::default(),
            path_base: 0,
        })
    }
}

impl Prepared {
    /// Whether the parallel arrays agree and every reading id is in `table`.
    fn fits(&self, table: &pinyin::Table) -> bool {
        self.chars.len() == self.ids.len() && self.chars.len() == self.starts.len() && table.has_ids(&self.ids)
    }
}

impl Index {
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

/// The most terms a query takes; later ones are ignored. With
/// [`MAX_QUERY_CHARS`], it bounds the work of one search.
pub const MAX_TERMS: usize = 8;

/// One term of a query, with fzf's marks: `'exact` (no scattered match),
/// `^prefix`, `suffix$`; `!term` (a negation) is kept apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Folded, without its marks.
    pub text: String,
    pub exact: bool,
    pub prefix: bool,
    pub suffix: bool,
}

/// A parsed query: an optional kind filter, the folded text, and its
/// terms: every group must match (AND, in any order); a group matches when
/// one of its terms does (`a | b`); no negated term may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub filter: Option<Filter>,
    pub text: String,
    pub groups: Vec<Vec<Term>>,
    pub not: Vec<Term>,
    /// `rep:X`: the report named X (its id, or its title, pinyin too).
    pub report: Option<String>,
    /// The nodes of that report, once resolved (`Query::parse_for`); only
    /// units there are found. An empty range: no report matched.
    pub within: Option<Range<usize>>,
}

impl Query {
    pub fn parse(q: &str) -> Query {
        // Bounded work for any input: MAX_QUERY_CHARS characters (and room
        // for a filter prefix such as `case:`), whatever a caller passes.
        let folded: String = q.chars().take(MAX_QUERY_CHARS + 8).map(fold).collect();
        let trimmed = folded.trim_start();
        // `rep:X rest`: the report, then the query within it (which may
        // have a kind prefix of its own).
        if let Some(rest) = trimmed.strip_prefix("rep:") {
            let rest = rest.trim_start();
            let (spec, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let mut q = Query::parse(tail);
            q.report = (!spec.is_empty()).then(|| spec.to_string());
            return q;
        }
        let (filter, text) = match trimmed.split_once(':') {
            Some((pre, rest)) if Filter::parse(pre).is_some() => (Filter::parse(pre), rest.trim().to_string()),
            _ => (None, folded.trim().to_string()),
        };
        let (groups, not) = parse_terms(&text);
        Query { filter, text, groups, not, report: None, within: None }
    }

    /// Nothing to search for: no term, negation, filter or report.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.not.is_empty() && self.filter.is_none() && self.report.is_none()
    }
}

/// Split a query into AND groups of OR terms, and negations; at most
/// [`MAX_TERMS`] terms in all.
fn parse_terms(text: &str) -> (Vec<Vec<Term>>, Vec<Term>) {
    let mut groups: Vec<Vec<Term>> = Vec::new();
    let mut not = Vec::new();
    let mut or = false;
    let mut n = 0;
    for tok in text.split_whitespace() {
        if n >= MAX_TERMS {
            break;
        }
        if tok == "|" {
            or = !groups.is_empty();
            continue;
        }
        let (negate, t) = tok.strip_prefix('!').map_or((false, tok), |t| (true, t));
        let (exact, t) = t.strip_prefix('\'').map_or((false, t), |t| (true, t));
        let (prefix, t) = t.strip_prefix('^').map_or((false, t), |t| (true, t));
        let (suffix, t) = t.strip_suffix('$').map_or((false, t), |t| (true, t));
        if t.is_empty() {
            or = false;
            continue;
        }
        n += 1;
        let term = Term { text: t.to_string(), exact, prefix, suffix };
        match (negate, or, groups.last_mut()) {
            (true, _, _) => not.push(term),
            (false, true, Some(g)) => g.push(term),
            _ => groups.push(vec![term]),
        }
        or = false;
    }
    (groups, not)
}

/// Sentences of a text: split after 。！？； and line breaks.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c == '\n' {
            if !cur.trim().is_empty() {
                out.push(cur.trim().to_string());
            }
            cur.clear();
            continue;
        }
        cur.push(c);
        if matches!(c, '。' | '！' | '？' | '；') {
            out.push(cur.trim().to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

fn probe_of(s: &str) -> String {
    s.chars().take(10).collect()
}

struct Builder<'a> {
    lib: &'a Library,
    units: Vec<Unit>,
    table: pinyin::Table,
    group: u32,
}

impl Builder<'_> {
    fn place(&mut self, kind: Kind, title: String, text: String, node: NodeId, probe: String) -> &mut Unit {
        let mut u = Unit::new(kind, title, text, Target::Place { node, probe }, &mut self.table);
        u.group = self.group;
        self.units.push(u);
        self.units.last_mut().expect("just pushed")
    }

    /// Units added after this belong to a new group.
    fn next_group(&mut self) {
        self.group += 1;
    }

    fn company_names(&self, ids: &[String]) -> String {
        ids.iter().map(|i| self.lib.company(i).map(|c| c.name.as_str()).unwrap_or(i)).collect::<Vec<_>>().join("、")
    }

    fn blocks(&mut self, blocks: &[Block], node: NodeId, section_title: &str) {
        for b in blocks {
            self.next_group();
            match b {
                Block::Text(t) => {
                    let own = t.title.is_some();
                    let title = t.title.clone().unwrap_or_else(|| section_title.to_string());
                    for s in sentences(&t.text) {
                        let probe = probe_of(&s);
                        self.place(Kind::Text, title.clone(), s, node, probe).own_title = own;
                    }
                }
                Block::Insights(x) => {
                    for it in &x.items {
                        self.next_group();
                        let text = format!("{} {}", it.headline, it.note.clone().unwrap_or_default());
                        self.place(Kind::Section, it.headline.clone(), text, node, probe_of(&it.headline));
                    }
                }
                Block::List(l) => {
                    let own = l.title.is_some();
                    let title = l.title.clone().unwrap_or_else(|| section_title.to_string());
                    for it in &l.items {
                        self.place(Kind::Text, title.clone(), it.clone(), node, probe_of(it)).own_title = own;
                    }
                }
                Block::Table(t) => {
                    let title = t.title.clone().unwrap_or_else(|| section_title.to_string());
                    for row in &t.rows {
                        let mut text = String::new();
                        let mut cells = Vec::new();
                        let mut at = 0;
                        for (c, v) in t.columns.iter().zip(row) {
                            if !text.is_empty() {
                                text.push_str("  ");
                                at += 2;
                            }
                            let (cn, vn) = (c.chars().count(), v.0.chars().count());
                            cells.push(CellSpan { column: at..at + cn, value: at + cn + 1..at + cn + 1 + vn });
                            text.push_str(c);
                            text.push('：');
                            text.push_str(&v.0);
                            at += cn + 1 + vn;
                        }
                        let probe = row.first().map(|c| probe_of(&c.0)).unwrap_or_default();
                        let u = self.place(Kind::Table, title.clone(), text, node, probe);
                        u.cells = cells;
                        u.own_title = t.title.is_some();
                    }
                }
                Block::Series(s) => {
                    let unit = s.unit.clone().unwrap_or_default();
                    let title = s.title.clone().unwrap_or_else(|| section_title.to_string());
                    let text = s
                        .points
                        .iter()
                        .map(|p| format!("{} {}{unit}", p.label, fmt_num(p.value)))
                        .collect::<Vec<_>>()
                        .join("  ");
                    self.place(Kind::Figure, title.clone(), text, node, probe_of(&title)).own_title = s.title.is_some();
                }
                Block::Metrics(m) => {
                    for it in &m.items {
                        self.next_group();
                        let text = format!("{} {}{}", it.label, it.value, it.unit.clone().unwrap_or_default());
                        self.place(Kind::Metric, it.label.clone(), text, node, probe_of(&it.label));
                    }
                }
                Block::Participants(p) => {
                    for g in &p.groups {
                        self.next_group();
                        let text = self.company_names(&g.companies);
                        self.place(Kind::Group, g.name.clone(), text, node, probe_of(&g.name));
                    }
                }
                Block::Case(c) => {
                    let mut parts = vec![self.company_names(&c.companies), c.locations.join("、")];
                    parts.extend(c.background.clone());
                    parts.extend(c.pain_points.iter().cloned());
                    parts.extend(c.solution.iter().cloned());
                    parts.extend(
                        c.results
                            .iter()
                            .map(|m| format!("{} {}{}", m.label, m.value, m.unit.clone().unwrap_or_default())),
                    );
                    let text = parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("  ");
                    self.place(Kind::Case, c.title.clone(), text, node, probe_of(&c.title));
                }
                Block::Example(e) => {
                    // The title: the example's own, else who (or where) it is
                    // about; the text does not repeat what the title says.
                    let names = self.company_names(&e.companies);
                    let places = e.locations.join("、");
                    let (title, mut parts) = match &e.title {
                        Some(t) => (t.clone(), vec![names, places]),
                        None if !names.is_empty() => (names, vec![places]),
                        None if !places.is_empty() => (places, vec![]),
                        None => (e.label(), vec![]),
                    };
                    parts.push(e.text.clone());
                    parts.extend(
                        e.results
                            .iter()
                            .map(|m| format!("{} {}{}", m.label, m.value, m.unit.clone().unwrap_or_default())),
                    );
                    let text = parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("  ");
                    self.place(Kind::Example, title, text, node, probe_of(&e.text));
                }
            }
        }
    }

    fn section(&mut self, s: &Section, node: NodeId) {
        let inds: Vec<&str> =
            s.industries.iter().filter_map(|i| self.lib.industry(i)).map(|i| i.name.as_str()).collect();
        self.next_group();
        self.place(Kind::Section, s.heading(), inds.join("、"), node, probe_of(&s.heading()));
        self.blocks(&s.blocks, node, &s.title);
        let children = self.lib.nodes[node].children.clone();
        for (sub, child) in s.sections.iter().zip(children) {
            self.section(sub, child);
        }
    }
}

impl Index {
    /// Index every searchable unit, registries first, then the reports in reading order.
    pub fn build(lib: &Library) -> Index {
        let mut b = Builder { lib, units: Vec::new(), table: pinyin::Table::default(), group: 0 };
        for i in &lib.industries {
            let text = std::iter::once(i.english.clone().unwrap_or_default())
                .chain(i.aliases.iter().cloned())
                .collect::<Vec<_>>()
                .join("  ");
            let target = Target::Industry(i.id.clone());
            b.next_group();
            let mut u = Unit::new(Kind::Industry, i.name.clone(), text, target, &mut b.table);
            u.group = b.group;
            b.units.push(u);
        }
        for c in &lib.companies {
            let mut parts: Vec<String> = c.latin.iter().cloned().collect();
            parts.extend(c.aliases.iter().cloned());
            parts.extend(c.kind.iter().cloned());
            let target = Target::Company(c.id.clone());
            b.next_group();
            let mut u = Unit::new(Kind::Company, c.name.clone(), parts.join("  "), target, &mut b.table);
            u.group = b.group;
            b.units.push(u);
        }
        for (n, node) in lib.nodes.iter().enumerate() {
            if node.parent.is_none()
                && let Some(r) = lib.report(node.report)
            {
                b.next_group();
                b.place(Kind::Section, r.title.clone(), format!("{} {}", r.publisher, r.date), n, probe_of(&r.title));
                b.blocks(&r.abstract_blocks, n, &r.title);
                for &ch in &node.children {
                    if let Some(s) = lib.section(ch) {
                        b.section(s, ch);
                    }
                }
            }
        }
        // A node's path: the headings from its chapter down to it.
        let paths = (0..lib.nodes.len())
            .map(|n| {
                let heads: Vec<String> =
                    lib.ancestry(n).into_iter().filter_map(|a| lib.head_section(a)).map(|s| s.heading()).collect();
                Prepared::new(&heads.join(" › "), &mut b.table)
            })
            .collect();
        let screens = b.units.iter().map(|u| Screen::new(u, &b.table)).collect();
        Index {
            units: b.units,
            screens,
            paths,
            table: std::sync::Arc::new(b.table),
            matcher: SkimMatcherV2::default().ignore_case(),
            postings: Default::default(),
            mentions_memo: Default::default(),
            path_base: 0,
        }
    }

    /// Match one term in one field: a literal run, a scattered (skim)
    /// match, or a pinyin run, whichever ranks best; `^` and `$` anchor it
    /// at the field's start and end (trailing punctuation aside).
    fn match_field(
        &self,
        f: &Prepared,
        q: &Pattern,
        literal: bool,
        scattered: bool,
        pinyin: Option<&pinyin::Plan>,
    ) -> Option<FieldMatch> {
        let mut best: Option<FieldMatch> = None;
        let end = trimmed_end(&f.chars);
        let run_score = |start: usize| 1000 - start.min(200) as i64 - (f.chars.len() / 4).min(200) as i64;
        if literal {
            let start = match (q.prefix, q.suffix) {
                (false, false) => {
                    f.folded.find(q.text.as_str()).map(|at| f.folded.get(..at).map_or(0, |h| h.chars().count()))
                }
                (true, _) => f.chars.starts_with(&q.chars).then_some(0),
                (false, true) => f.chars.get(..end).filter(|h| h.ends_with(&q.chars)).map(|_| end - q.len),
            }
            .filter(|&st| !q.suffix || st + q.len == end);
            if let Some(start) = start {
                // A literal run: earlier and in a shorter field scores higher.
                best = Some(FieldMatch { score: run_score(start), indices: (start..start + q.len).collect(), tier: 3 });
            } else if scattered
                && q.scatters()
                && close_subsequence(&f.chars, &q.chars, 4 * q.len + 2)
                && let Some((score, idx)) = self.matcher.fuzzy_indices(&f.folded, &q.text)
                // A scattered match stays near its start (华…为, not 华 and 为 a
                // paragraph apart).
                && idx.last().zip(idx.first()).is_some_and(|(l, f)| l - f < 4 * q.len + 2)
            {
                let contiguous = idx.windows(2).all(|w| w[1] == w[0] + 1);
                best = Some(FieldMatch { score, indices: idx, tier: if contiguous { 2 } else { 0 } });
            }
        }
        if let Some(plan) = pinyin
            && f.han
        {
            let at = pinyin::Anchor { from: 0, start: q.prefix, end: q.suffix.then_some(end) };
            if let Some((r, reading)) = self.table.find_anchored(f.coded(), &q.letters, plan, at) {
                // A pinyin run is contiguous; score it like a literal run.
                let tier = if reading == pinyin::Reading::Primary { 2 } else { 1 };
                let score = run_score(r.start);
                if best.as_ref().is_none_or(|b| (b.tier, b.score) < (tier, score)) {
                    best = Some(FieldMatch { score, indices: r.collect(), tier });
                }
            }
        }
        best
    }

    /// The match of one term in a unit: in the title when that is a run
    /// (or as good as the text's), else in the text; its tier is the best
    /// of both, and the other field's run is marked too. `later` is set
    /// when only a scattered match could do.
    fn match_term(&self, i: usize, q: &Pattern, scattered: bool, later: &mut bool) -> Option<TermMatch> {
        let sc = &self.screens[i];
        let u = &self.units[i];
        let lit = [sc.own_title && sc.blooms[0].covers(&q.bloom), sc.blooms[1].covers(&q.bloom)];
        let py = [0, 1].map(|f| (f == 1 || sc.own_title) && q.pinyin && self.table.may_match(&sc.shapes[f], &q.plan));
        if !(lit[0] || lit[1] || py[0] || py[1]) {
            return None;
        }
        let field = |k: usize, p: &Prepared| {
            if lit[k] || py[k] { self.match_field(p, q, lit[k], scattered, py[k].then_some(&q.plan)) } else { None }
        };
        let t = field(0, &u.title_p);
        let x = field(1, &u.text_p);
        let pick = match (t, x) {
            (Some(t), Some(x)) if x.tier > t.tier && t.tier < 2 => {
                Some(TermMatch { field: Field::Text, tier: x.tier, m: x, other: None })
            }
            (Some(t), Some(x)) => Some(TermMatch {
                field: Field::Title,
                tier: t.tier.max(x.tier),
                other: (x.tier >= 2).then_some(x.indices),
                m: t,
            }),
            (Some(t), None) => Some(TermMatch { field: Field::Title, tier: t.tier, m: t, other: None }),
            (None, Some(x)) => Some(TermMatch { field: Field::Text, tier: x.tier, m: x, other: None }),
            (None, None) => None,
        };
        if pick.is_none() && !scattered && q.scatters() && (lit[0] || lit[1]) {
            *later = true;
        }
        pick
    }

    /// Whether a negated term is in a unit (its title, text or location):
    /// a literal match only, so that `!` never hides more than it says.
    fn excluded(&self, i: usize, not: &[Pattern]) -> bool {
        let sc = &self.screens[i];
        let u = &self.units[i];
        not.iter().any(|q| {
            let lit = |p: &Prepared| self.match_field(p, q, true, false, None).is_some();
            (sc.own_title && sc.blooms[0].covers(&q.bloom) && lit(&u.title_p))
                || (sc.blooms[1].covers(&q.bloom) && lit(&u.text_p))
                || self.paths.get(sc.node).is_some_and(|p| p.bloom.covers(&q.bloom) && lit(p))
        })
    }

    /// Build the per-character unit lists now, not on the first search (the
    /// app does it on a thread as it starts: tens of milliseconds, off the
    /// first keystroke).
    pub fn prepare(&self) {
        self.unit_lists();
    }

    /// Whether [`Index::prepare`] has run.
    pub fn is_prepared(&self) -> bool {
        self.postings.get().is_some()
    }

    fn unit_lists(&self) -> &postings::Postings {
        self.postings.get_or_init(|| {
            let u = &self.units;
            postings::Postings::build(
                &self.table,
                u.len(),
                self.paths.len(),
                |i| [&u[i].title_p, &u[i].text_p].map(|f| (&f.chars[..], &f.starts[..], &f.ids[..])),
                // Nodes as `paths` counts them: from `path_base` in a piece.
                |i| u[i].node().and_then(|n| n.checked_sub(self.path_base)),
            )
        })
    }

    /// The units a query could match, ascending; `None` for all of them.
    /// A group's candidates: the units holding every character of one of
    /// its terms, and the units of the places whose location it matches.
    /// A pinyin term (Latin letters) also takes the units where a match of
    /// it can begin (`pinyin::Table::openings`); one that a single
    /// character could match rules nothing out.
    fn candidates(&self, q: &Prepped) -> Option<Vec<u32>> {
        let p = self.unit_lists();
        let mut acc: Option<Vec<u32>> = None;
        'groups: for (g, terms) in q.groups.iter().enumerate() {
            let mut set: Vec<u32> = Vec::new();
            for t in terms {
                if t.pinyin {
                    let Some(ways) = &t.openings else {
                        continue 'groups;
                    };
                    set = postings::union(&set, &p.opening(ways));
                }
                let mut chars = t.chars.clone();
                chars.sort_unstable();
                chars.dedup();
                set = postings::union(&set, &p.holding(&chars));
            }
            let mut placed: Vec<u32> = Vec::new();
            for (node, bits) in q.paths.iter().enumerate() {
                if bits & (1 << g) != 0 {
                    placed.extend_from_slice(p.node(node));
                }
            }
            if !placed.is_empty() {
                placed.sort_unstable();
                placed.dedup();
                set = postings::union(&set, &placed);
            }
            acc = Some(match acc {
                None => set,
                Some(a) => postings::intersect(&a, &set),
            });
        }
        acc
    }

    /// Which term groups match each node's location path (a bit per group).
    fn path_matches(&self, groups: &[Vec<Pattern>]) -> Vec<u8> {
        if groups.len() < 2 {
            return Vec::new();
        }
        self.paths
            .iter()
            .map(|p| {
                groups.iter().enumerate().fold(0u8, |m, (g, terms)| {
                    let hit = terms.iter().any(|q| {
                        let lit = p.bloom.covers(&q.bloom);
                        let py = q.pinyin && p.han;
                        (lit || py) && self.match_field(p, q, lit, false, py.then_some(&q.plan)).is_some()
                    });
                    if hit { m | 1 << g } else { m }
                })
            })
            .collect()
    }

    /// Match units; with `scattered` false, only contiguous and pinyin runs
    /// are scored, and units that might match scattered are listed for later.
    fn search_units(&self, units: impl Iterator<Item = usize>, q: &Prepped, scattered: bool) -> (Vec<Hit>, Vec<usize>) {
        let mut hits = Vec::new();
        let mut later = Vec::new();
        'units: for i in units {
            let sc = &self.screens[i];
            if q.filter.is_some_and(|f| !f.admits(sc.kind)) || q.within.as_ref().is_some_and(|r| !r.contains(&sc.node))
            {
                continue;
            }
            let path = q.paths.get(sc.node.wrapping_sub(self.path_base)).copied().unwrap_or(0);
            let mut hit = Hit::marked(i, Field::Path, Vec::new());
            hit.title_covers = true;
            let mut could_later = false;
            for (g, terms) in q.groups.iter().enumerate() {
                let mut best: Option<TermMatch> = None;
                for t in terms {
                    if let Some(m) = self.match_term(i, t, scattered, &mut could_later)
                        && best.as_ref().is_none_or(|b| (b.tier, b.m.score) < (m.tier, m.m.score))
                    {
                        best = Some(m);
                    }
                }
                match best {
                    Some(TermMatch { field, m, tier, other }) => {
                        let (marks, rest) = if field == Field::Title {
                            (&mut hit.title_marks, &mut hit.text_marks)
                        } else {
                            (&mut hit.text_marks, &mut hit.title_marks)
                        };
                        marks.extend(m.indices.iter().copied());
                        rest.extend(other.into_iter().flatten());
                        hit.title_covers &= field == Field::Title;
                        if g == 0 {
                            hit.field = field;
                            hit.indices = m.indices;
                            hit.tier = tier;
                        } else {
                            hit.tier = hit.tier.min(tier);
                        }
                        hit.score += m.score;
                    }
                    None if path & (1 << g) != 0 => hit.in_path += 1,
                    None => {
                        if could_later {
                            later.push(i);
                        }
                        continue 'units;
                    }
                }
            }
            if self.excluded(i, &q.not) {
                continue;
            }
            for m in [&mut hit.title_marks, &mut hit.text_marks] {
                m.sort_unstable();
                m.dedup();
            }
            hit.contiguous = hit.tier > 0;
            let u = &self.units[i];
            hit.exact = q.groups.len() == 1
                && hit.field == Field::Title
                && q.groups[0].iter().any(|t| u.title_p.folded == t.text);
            hits.push(hit);
        }
        (hits, later)
    }

    /// Ranked hits for a query (see [`Index::find`]).
    pub fn search(&self, query: &Query, limit: usize) -> Vec<Hit> {
        self.find(query, limit, &[]).hits
    }

    /// What ranks a hit, before recency and reading order (see `find`).
    pub fn rank_key(&self, h: &Hit) -> RankKey {
        let name_rank = match self.units.get(h.unit).map(|u| u.kind) {
            Some(Kind::Company | Kind::Industry) => 0,
            Some(Kind::Section) if !h.title_marks.is_empty() => 1,
            _ => 2,
        };
        (
            std::cmp::Reverse(h.tier),
            h.in_path,
            !h.exact,
            name_rank,
            h.title_marks.is_empty() || h.field != Field::Title,
            std::cmp::Reverse(h.score),
        )
    }

    /// Ranked hits for a query: contiguous before scattered, own matches
    /// before location-only ones, exact titles first, then names (companies,
    /// industries) and headings, then title before text, then score; then
    /// the units in `recent` (most recent last) first; ties keep reading
    /// order. Units of one block that match only in their shared title (or
    /// location) are one result. A large index is searched on two threads.
    pub fn find(&self, query: &Query, limit: usize, recent: &[usize]) -> Results {
        self.find_in(query, limit, recent, Source::Lists, false).0
    }

    /// [`Index::find`] as a query is typed: when `query` can only narrow
    /// the query of `last` (see [`narrows`]), only the units `last` kept
    /// are searched, not the candidates of the whole index. The results are
    /// those of `find` (the same hits and count; `more` may be `false`
    /// where `find` would say `true`, when no unit could match scattered).
    /// `last` becomes this query's units, or `None` when there are more
    /// than [`MAX_KEPT`] of them.
    pub fn find_narrowing(
        &self,
        query: &Query,
        limit: usize,
        recent: &[usize],
        last: &mut Option<Arc<Matches>>,
    ) -> Results {
        let prev = last.take().filter(|m| m.of == self.units.len() && narrows(&m.query, query));
        let from = prev.as_deref().map_or(Source::Lists, |m| Source::Units(&m.units));
        let (r, kept) = self.find_in(query, limit, recent, from, true);
        *last = kept
            .filter(|k| k.len() <= MAX_KEPT)
            .map(|units| Arc::new(Matches { query: query.clone(), units, of: self.units.len() }));
        r
    }

    /// [`Index::find`] visiting every unit, as it did before the character
    /// lists: what the tests compare it with, and what `yanbao search` runs
    /// (for one query, a scan costs less than building the lists).
    pub fn find_scanning(&self, query: &Query, limit: usize, recent: &[usize]) -> Results {
        self.find_in(query, limit, recent, Source::All, false).0
    }

    /// Search the units of `from`; with `keep`, also return the units that
    /// match the query or might (a scattered match not yet scored), in order.
    fn find_in(
        &self,
        query: &Query,
        limit: usize,
        recent: &[usize],
        from: Source,
        keep: bool,
    ) -> (Results, Option<Vec<u32>>) {
        if query.is_empty() {
            return (Results::default(), None);
        }
        let groups: Vec<Vec<Pattern>> =
            query.groups.iter().map(|g| g.iter().map(|t| Pattern::new(t, &self.table)).collect()).collect();
        let not: Vec<Pattern> = query.not.iter().map(|t| Pattern::new(t, &self.table)).collect();
        let paths = self.path_matches(&groups);
        let q = Prepped { filter: query.filter, within: query.within.clone(), groups, not, paths };
        let owned;
        let units: &[u32] = match from {
            // Among the kept units, the candidates of the longer query, when
            // its lists rule some out.
            Source::Units(u) => match self.candidates(&q) {
                Some(c) => {
                    owned = postings::intersect(u, &c);
                    &owned
                }
                None => u,
            },
            Source::Lists | Source::All => {
                let listed = matches!(from, Source::Lists).then(|| self.candidates(&q)).flatten();
                owned = listed.unwrap_or_else(|| (0..self.units.len() as u32).collect());
                &owned
            }
        };
        let n = units.len();
        let each = |part: &[u32]| self.search_units(part.iter().map(|&u| u as usize), &q, false);
        let (mut hits, later) = if n > 16_384 {
            let (a, b) = units.split_at(n / 2);
            std::thread::scope(|s| {
                let other = s.spawn(|| each(b));
                let (mut hits, mut later) = each(a);
                let (h, l) = other.join().unwrap_or_default();
                hits.extend(h);
                later.extend(l);
                (hits, later)
            })
        } else {
            each(units)
        };
        // Every unit a query that narrows this one could match: the hits, and
        // those that might match scattered (whether scored below or not).
        let kept = keep.then(|| {
            let mut k: Vec<u32> = hits.iter().map(|h| h.unit as u32).chain(later.iter().map(|&u| u as u32)).collect();
            k.sort_unstable();
            k.dedup();
            k
        });
        // Scattered matches rank below every run, so they are scored only
        // when the runs do not fill the list.
        let more = hits.len() >= limit && !later.is_empty();
        if !more {
            hits.extend(self.search_units(later.into_iter(), &q, true).0);
        }
        let recency = |u: usize| recent.iter().rposition(|&r| r == u).map_or(0, |p| p + 1);
        let cmp = |a: &Hit, b: &Hit| {
            self.rank_key(a)
                .cmp(&self.rank_key(b))
                .then(recency(b.unit).cmp(&recency(a.unit)))
                .then(a.unit.cmp(&b.unit))
        };
        // One result per block for hits outside the text (a table's title).
        let mut best: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
        let mut keep = vec![true; hits.len()];
        for (k, h) in hits.iter().enumerate() {
            if !h.text_marks.is_empty() || !matches!(self.units[h.unit].kind, Kind::Table | Kind::Text) {
                continue;
            }
            match best.entry(self.units[h.unit].group) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(k);
                }
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let j = *e.get();
                    if cmp(h, &hits[j]).is_lt() {
                        keep[j] = false;
                        e.insert(k);
                    } else {
                        keep[k] = false;
                    }
                }
            }
        }
        let mut it = keep.into_iter();
        hits.retain(|_| it.next().unwrap_or(true));
        let matched = hits.len();
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit, cmp);
            hits.truncate(limit);
        }
        hits.sort_by(cmp);
        (Results { hits, matched, more }, kept)
    }
    /// Every place a company is mentioned: maps and cases that list it, and
    /// tables, figures and text that name it (by name, Latin name or alias).
    pub fn mentions(&self, lib: &Library, company: &str) -> Vec<usize> {
        let memo = |m: &mut std::collections::HashMap<String, Vec<usize>>| m.get(company).cloned();
        if let Some(v) = self.mentions_memo.lock().ok().as_deref_mut().and_then(memo) {
            return v;
        }
        let found = self.find_mentions(lib, company);
        if let Ok(mut m) = self.mentions_memo.lock() {
            m.insert(company.to_string(), found.clone());
        }
        found
    }

    fn find_mentions(&self, lib: &Library, company: &str) -> Vec<usize> {
        let Some(c) = lib.company(company) else {
            return Vec::new();
        };
        let mut names: Vec<String> = vec![c.name.clone()];
        names.extend(c.latin.iter().cloned());
        names.extend(c.aliases.iter().cloned());
        let folded = |n: &str| n.chars().map(fold).collect::<String>();
        let names: Vec<String> = names.iter().map(|n| folded(n)).filter(|n| n.chars().count() >= 2).collect();
        // Other companies whose names contain one of these (华为云 for 华为):
        // their occurrences are not mentions of this company.
        let longer: Vec<String> = lib
            .companies
            .iter()
            .filter(|o| o.id != c.id)
            .flat_map(|o| std::iter::once(&o.name).chain(o.aliases.iter()))
            .map(|n| folded(n))
            .filter(|n| names.iter().any(|m| n.len() > m.len() && n.contains(m.as_str())))
            .collect();
        let mentions = |hay: &str| {
            let mut hay = hay.to_string();
            for l in &longer {
                hay = hay.replace(l.as_str(), "\u{1}");
            }
            names.iter().any(|n| contains_word(&hay, n))
        };
        let mut out: Vec<usize> = self
            .units
            .iter()
            .enumerate()
            .filter(|(_, u)| matches!(u.target, Target::Place { .. }))
            .filter(|(_, u)| mentions(&u.text_p.folded) || mentions(&u.title_p.folded))
            .map(|(i, _)| i)
            .collect();
        // The company's own profile (a heading naming it) first, then maps,
        // cases and examples, tables and figures, then text; each in reading order.
        let rank = |i: usize| {
            let u = &self.units[i];
            match u.kind {
                Kind::Section if mentions(&u.title_p.folded) => 0,
                Kind::Group => 1,
                Kind::Case | Kind::Example => 2,
                Kind::Table | Kind::Figure | Kind::Metric => 3,
                _ => 4,
            }
        };
        out.sort_by_key(|&i| (rank(i), i));
        out
    }
}

/// `needle` in `hay`; a Latin needle must not be part of a longer Latin word.
fn contains_word(hay: &str, needle: &str) -> bool {
    if !needle.is_ascii() {
        return hay.contains(needle);
    }
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay.get(..i).and_then(|h| h.chars().next_back());
        let after = hay.get(i + needle.len()..).and_then(|h| h.chars().next());
        !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Whether the characters of `q` occur in `hay` in order, the last fewer
/// than `span` places after the first: a scattered match that is kept
/// needs it, so the fuzzy matcher is not run where it could only fail.
fn close_subsequence(hay: &[char], q: &[char], span: usize) -> bool {
    let Some((&first, rest)) = q.split_first() else {
        return true;
    };
    hay.iter().enumerate().filter(|(_, c)| **c == first).any(|(s, _)| {
        // The earliest end of a match that starts at s.
        let mut at = s;
        for qc in rest {
            match hay.get(at + 1..).and_then(|h| h.iter().take(span).position(|h| h == qc)) {
                Some(k) => at += 1 + k,
                None => return false,
            }
            if at - s >= span {
                return false;
            }
        }
        true
    })
}

/// Where a field's text ends for `suffix$`: trailing spaces and
/// punctuation do not count.
fn trimmed_end(chars: &[char]) -> usize {
    let skip = |c: &char| {
        c.is_whitespace()
            || matches!(c, '。' | '，' | '；' | '！' | '？' | '、' | '：' | '…' | '.' | ',' | ';' | '!' | '?' | ':')
    };
    chars.iter().rposition(|c| !skip(c)).map_or(0, |i| i + 1)
}

/// A term prepared for matching.
struct Pattern {
    text: String,
    chars: Vec<char>,
    len: usize,
    bloom: Bloom,
    /// The term as pinyin letters, if it can be pinyin.
    letters: Vec<u8>,
    pinyin: bool,
    plan: pinyin::Plan,
    /// How a pinyin match of it begins (`None`: in any way).
    openings: Option<Vec<pinyin::Opening>>,
    exact: bool,
    prefix: bool,
    suffix: bool,
}

impl Pattern {
    fn new(t: &Term, table: &pinyin::Table) -> Pattern {
        let q = t.text.as_str();
        let chars: Vec<char> = q.chars().collect();
        let letters: Vec<u8> = q.bytes().collect();
        let pinyin = q.bytes().all(|b| b.is_ascii_alphanumeric()) && q.bytes().any(|b| b.is_ascii_lowercase());
        Pattern {
            text: q.to_string(),
            len: chars.len(),
            bloom: chars.iter().fold(Bloom::default(), |b, &c| b.add(c)),
            chars,
            plan: table.plan(&letters),
            openings: if pinyin { table.openings(&letters) } else { None },
            letters,
            pinyin,
            exact: t.exact,
            prefix: t.prefix,
            suffix: t.suffix,
        }
    }

    /// Whether a scattered (fuzzy) match is allowed: not for `'exact`, `^` or `$`.
    fn scatters(&self) -> bool {
        !(self.exact || self.prefix || self.suffix)
    }
}

/// Which units a search visits.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// The candidates of the per-character unit lists.
    Lists,
    /// Every unit.
    All,
    /// These (ascending).
    Units(&'a [u32]),
}

/// The most units a [`Matches`] keeps (4 bytes each): past it, the next
/// key searches the whole index again.
pub const MAX_KEPT: usize = 1 << 20;

/// The units a query matched, or might match (see [`Index::find_narrowing`]):
/// a query that narrows it is searched among them only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matches {
    query: Query,
    /// Ascending.
    units: Vec<u32>,
    /// The number of units of the index searched.
    of: usize,
}

impl Matches {
    /// The query whose units these are.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// How many units are kept.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
}

/// Whether every unit that `new` matches is one that `old` matches or
/// might match scattered: the same filter, report and negations; the same
/// terms, but that the last term of `old` may be longer in `new` (with the
/// same `'` and `^`, and no `$` on either), and that terms may follow as
/// new AND groups. Not when `old` has one group and `new` more: a query of
/// several terms also matches them in units' locations, one term does not.
/// A longer term is a narrower one: its run holds the shorter's run, and a
/// unit where it matches scattered holds all the shorter's characters (so
/// it was kept as one that might match scattered).
pub fn narrows(old: &Query, new: &Query) -> bool {
    if old.filter != new.filter || old.report != new.report || old.within != new.within || old.not != new.not {
        return false;
    }
    let (o, n) = (&old.groups, &new.groups);
    if n.len() < o.len() || (o.len() == 1 && n.len() > 1) {
        return false;
    }
    let Some((last, same)) = o.split_last() else {
        return true;
    };
    if n.get(..same.len()) != Some(same) {
        return false;
    }
    let g = &n[same.len()];
    let (Some((lt, lsame)), Some((nt, nsame))) = (last.split_last(), g.split_last()) else {
        return false;
    };
    lsame == nsame
        && lt.exact == nt.exact
        && lt.prefix == nt.prefix
        && !lt.suffix
        && !nt.suffix
        && nt.text.starts_with(lt.text.as_str())
}

/// A query prepared for matching.
struct Prepped {
    filter: Option<Filter>,
    within: Option<Range<usize>>,
    groups: Vec<Vec<Pattern>>,
    not: Vec<Pattern>,
    /// Per node: a bit per group whose terms match its location path.
    paths: Vec<u8>,
}

/// "report › chapter › section" for a node.
/// The longest query, in characters, that the finder and find-in-page take.
/// It bounds the work of one keystroke or one paste, whatever a client sends:
/// a search costs at most the index times this.
pub const MAX_QUERY_CHARS: usize = 200;

/// Append typed or pasted text to a prompt, dropping control characters and
/// anything past [`MAX_QUERY_CHARS`]. Returns whether the input changed, so
/// that keys typed at the cap cost no search.
pub fn push_query(input: &mut String, text: &str) -> bool {
    let room = MAX_QUERY_CHARS.saturating_sub(input.chars().count());
    let before = input.len();
    input.extend(text.chars().filter(|c| !c.is_control()).take(room));
    input.len() != before
}

/// Whether a prompt's input is at [`MAX_QUERY_CHARS`] (the prompt says so).
pub fn query_full(input: &str) -> bool {
    input.chars().count() >= MAX_QUERY_CHARS
}

/// Where a unit lives, as shown in results.
pub fn unit_location(lib: &Library, u: &Unit) -> String {
    match &u.target {
        Target::Place { node, .. } => location(lib, *node),
        Target::Company(_) => "公司名录".to_string(),
        Target::Industry(_) => "行业".to_string(),
    }
}

/// The part of a unit a result row shows: text with the matched
/// characters (char indices into `text`) to highlight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub marks: Vec<usize>,
}

impl Index {
    /// What a hit shows in at most `max` columns: a window of the unit
    /// around the match, cuts marked with `…`. A table row shows its first
    /// cell and the cells that matched, each with its column name
    /// (`新加坡 · 颁布日期 2024-05-29`); a match in the title only shows the title.
    pub fn snippet(&self, hit: &Hit, max: usize) -> Snippet {
        let u = &self.units[hit.unit];
        // A title that every term matched shows itself (a heading, not the
        // industries it is tagged with; a name, not its aliases).
        let titled = !hit.title_marks.is_empty() && (hit.title_covers || u.kind == Kind::Section);
        let (chars, marks): (Vec<char>, Vec<usize>) = if !hit.text_marks.is_empty() && !titled {
            if u.cells.is_empty() {
                (u.text.chars().collect(), hit.text_marks.clone())
            } else {
                cells_view(u, &hit.text_marks)
            }
        } else if !hit.title_marks.is_empty() || u.own_title || u.text.is_empty() {
            (u.title.chars().collect(), hit.title_marks.clone())
        } else if !u.cells.is_empty() {
            cells_view(u, &[])
        } else {
            (u.text.chars().collect(), Vec::new())
        };
        window(&chars, &marks, max)
    }
}

/// A table row as its first cell, then every cell with a mark (or the
/// second cell), each with its column name; marks carried over.
fn cells_view(u: &Unit, marks: &[usize]) -> (Vec<char>, Vec<usize>) {
    let text: Vec<char> = u.text.chars().collect();
    let marked = |r: &Range<usize>| marks.iter().any(|m| r.contains(m));
    let mut shown: Vec<usize> =
        (1..u.cells.len()).filter(|&k| marked(&u.cells[k].value) || marked(&u.cells[k].column)).collect();
    if shown.is_empty() && u.cells.len() > 1 {
        shown.push(1); // the match is in the first cell: the next one for context
    }
    let mut out: Vec<char> = Vec::new();
    let mut out_marks = Vec::new();
    let mut copy = |r: Range<usize>, out: &mut Vec<char>| {
        for i in r {
            if let Some(&c) = text.get(i) {
                if marks.binary_search(&i).is_ok() {
                    out_marks.push(out.len());
                }
                out.push(c);
            }
        }
    };
    if let Some(first) = u.cells.first() {
        if marked(&first.column) {
            copy(first.column.clone(), &mut out);
            out.push(' ');
        }
        copy(first.value.clone(), &mut out);
    }
    for k in shown {
        let c = &u.cells[k];
        out.extend(" · ".chars());
        copy(c.column.clone(), &mut out);
        out.push(' ');
        copy(c.value.clone(), &mut out);
    }
    (out, out_marks)
}

/// A window of `chars` at most `max` columns wide that shows the first
/// mark with some context before it, `…` where it was cut; marks are
/// re-indexed into the window. A wide character is never cut in half.
pub fn window(chars: &[char], marks: &[usize], max: usize) -> Snippet {
    use crate::text::char_width;
    let clean = |c: char| if c.is_control() || c == '\n' { ' ' } else { c };
    let cw = |i: usize| char_width(clean(chars[i]));
    let total: usize = (0..chars.len()).map(cw).sum();
    let build = |a: usize, b: usize| {
        let mut text = String::new();
        let mut out = Vec::new();
        let lead = a > 0;
        if lead {
            text.push('…');
        }
        for (k, &c) in chars.iter().enumerate().take(b).skip(a) {
            if marks.binary_search(&k).is_ok() {
                out.push(k - a + usize::from(lead));
            }
            text.push(clean(c));
        }
        if b < chars.len() {
            text.push('…');
        }
        Snippet { text, marks: out }
    };
    if total <= max {
        return build(0, chars.len());
    }
    if max < 2 {
        return Snippet::default();
    }
    let first = marks.first().copied().unwrap_or(0).min(chars.len().saturating_sub(1));
    // Context before the match: up to a third of the room, at most 12 columns.
    let budget = (max / 3).min(12);
    let mut a = first;
    let mut ctx = 0;
    while a > 0 && ctx + cw(a - 1) <= budget {
        a -= 1;
        ctx += cw(a);
    }
    // Start at the beginning when the first match is well within reach.
    let reach: usize = (0..=first).map(cw).sum();
    if a > 0 && reach < max * 3 / 4 {
        a = 0;
    }
    // Fill to the right, keeping a column for each cut mark.
    let fill = |a: usize| {
        let room = max - usize::from(a > 0);
        let mut b = a;
        let mut used = 0;
        while b < chars.len() && used + cw(b) <= room {
            used += cw(b);
            b += 1;
        }
        if b < chars.len() {
            while b > a && used + 1 > room {
                b -= 1;
                used -= cw(b);
            }
        }
        (b, used)
    };
    let (mut b, mut used) = fill(a);
    // At the end with room to spare: show more before the match.
    while b == chars.len() && a > 0 {
        let room = max - usize::from(a > 1);
        if used + cw(a - 1) > room {
            break;
        }
        a -= 1;
        used += cw(a);
        if a == 0 {
            b = fill(0).0;
            break;
        }
    }
    build(a, b)
}

/// A short, readable location for a node: the nearest numbered section
/// above it (an industry chapter by its industry: `3.1 金融`), the parts in
/// between, and the node itself (`3.1 金融 › 参与者图谱`), in at most `max`
/// columns. Parts are shortened or left out before any is cut, and a
/// name is cut only at its end, with `…`.
pub fn short_location(lib: &Library, node: NodeId, max: usize) -> String {
    let path: Vec<NodeId> = lib.ancestry(node).into_iter().filter(|&n| lib.head_section(n).is_some()).collect();
    if path.is_empty() {
        return crate::text::truncate(&lib.node_title(node), max);
    }
    let numbered = |n: NodeId| lib.head_section(n).and_then(|s| s.number.as_ref()).is_some_and(|x| !x.is_empty());
    let anchor_at = path[..path.len() - 1].iter().rposition(|&n| numbered(n)).unwrap_or(0);
    // Each part as its forms, longest first; an empty form leaves it out.
    let mut parts: Vec<Vec<String>> = Vec::new();
    for (k, &n) in path.iter().enumerate().skip(anchor_at) {
        let s = lib.head_section(n).expect("a section");
        // "标杆案例——中关村科金…" is its part; "标杆案例" is a shorter form.
        let split = s.title.rsplit_once("——").or_else(|| s.title.rsplit_once('：'));
        let split = split.map(|(h, p)| (h.trim(), p.trim())).filter(|(h, p)| !h.is_empty() && !p.is_empty());
        let own = split.map_or(s.title.as_str(), |(_, p)| p);
        let num = s.number.clone().filter(|x| !x.is_empty());
        let industry = match s.industries.as_slice() {
            [one] => lib.industry(one).map(|i| i.name.clone()).filter(|name| s.title.contains(name.as_str())),
            _ => None,
        };
        let full = match (&num, &industry) {
            (Some(x), Some(i)) => format!("{x} {i}"),
            (Some(x), None) => format!("{x} {own}"),
            (None, _) => own.to_string(),
        };
        let forms = if k + 1 == path.len() {
            let mut f = vec![full];
            if let Some((head, _)) = split.filter(|(h, _)| k > anchor_at && !h.chars().any(|c| c.is_ascii_digit())) {
                f.push(head.to_string());
            }
            f
        } else if k == anchor_at {
            let mut f = vec![full];
            if industry.is_none()
                && let Some(x) = num
            {
                f.push(x);
            }
            f
        } else {
            vec![full, String::new()]
        };
        parts.push(forms);
    }
    let join = |choice: &[usize]| {
        parts.iter().zip(choice).map(|(f, &c)| f[c].as_str()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" › ")
    };
    let mut choice = vec![0; parts.len()];
    let w = |c: &[usize]| crate::text::width(&join(c));
    // Shorten the anchor, then leave out the parts in between, innermost last.
    if w(&choice) > max && parts[0].len() > 1 {
        choice[0] = parts[0].len() - 1;
    }
    for k in 1..parts.len().saturating_sub(1) {
        if w(&choice) > max {
            choice[k] = parts[k].len() - 1;
        }
    }
    if w(&choice) <= max {
        return join(&choice);
    }
    // The last part's shorter form.
    if let Some(last) = parts.last()
        && last.len() > 1
    {
        let mut c = choice.clone();
        if let Some(l) = c.last_mut() {
            *l = last.len() - 1;
        }
        if w(&c) <= max {
            return join(&c);
        }
    }
    // Still too wide: the parts above the last one, whole, if they fit.
    if parts.len() > 2 {
        let n = parts.len();
        let mut above: Vec<usize> = vec![0; n];
        above[0] = choice[0];
        above[n - 1] = usize::MAX;
        let join_above = |c: &[usize]| {
            parts[..n - 1]
                .iter()
                .zip(c)
                .map(|(f, &k)| f[k].as_str())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" › ")
        };
        for k in 1..n - 1 {
            if crate::text::width(&join_above(&above)) <= max {
                break;
            }
            if k < n - 2 {
                above[k] = parts[k].len() - 1;
            }
        }
        let s = join_above(&above);
        if crate::text::width(&s) <= max {
            return s;
        }
    }
    // Still too wide: cut the last part at its end, if some of it shows.
    let leaf_name = parts.last().map(|f| f[0].clone()).unwrap_or_default();
    if parts.len() > 1 {
        let head = join(&choice[..parts.len() - 1].iter().copied().chain([0]).collect::<Vec<_>>());
        let head = head.strip_suffix(leaf_name.as_str()).unwrap_or(&head).to_string();
        let room = max.saturating_sub(crate::text::width(&head));
        if room >= 5 {
            return format!("{head}{}", crate::text::truncate(&leaf_name, room));
        }
    }
    crate::text::truncate(&leaf_name, max)
}

/// [`short_location`] for a unit (registries are `公司名录` and `行业`).
pub fn unit_short_location(lib: &Library, u: &Unit, max: usize) -> String {
    match &u.target {
        Target::Place { node, .. } => short_location(lib, *node, max),
        Target::Company(_) => crate::text::truncate("公司名录", max),
        Target::Industry(_) => crate::text::truncate("行业", max),
    }
}

/// Pinyin for find-in-page (`/`): a Latin query (`yinhang`) read as pinyin
/// over a page's text, with the finder's rules (full readings, initials,
/// every reading of a heteronym). Find-in-page tries the typed text first and
/// uses this only when the text is not on the page, so Chinese input stays a
/// literal substring search.
pub struct PagePinyin {
    table: pinyin::Table,
    letters: Vec<u8>,
}

impl PagePinyin {
    /// `None` unless the query could be pinyin (Latin letters and digits,
    /// some lower case once folded), at most [`MAX_QUERY_CHARS`] long.
    pub fn new(query: &str) -> Option<PagePinyin> {
        let q: String = query.chars().map(fold).collect();
        let ok = !q.is_empty()
            && q.len() <= MAX_QUERY_CHARS
            && q.bytes().all(|b| b.is_ascii_alphanumeric())
            && q.bytes().any(|b| b.is_ascii_lowercase());
        ok.then(|| PagePinyin { table: pinyin::Table::default(), letters: q.into_bytes() })
    }

    /// Learn the readings of a page's characters (before [`PagePinyin::runs`]).
    pub fn learn(&mut self, chars: &[char]) {
        for &c in chars {
            self.table.id(c);
        }
    }

    /// Every run of `chars` (folded) that reads as the query, left to right.
    pub fn runs(&self, chars: &[char]) -> Vec<Range<usize>> {
        let ids: Vec<u16> = chars.iter().map(|&c| self.table.lookup(c)).collect();
        if ids.iter().all(|&i| i == pinyin::LITERAL) {
            return Vec::new();
        }
        let starts = self.table.starts_of(chars, &ids);
        let plan = self.table.plan(&self.letters);
        let coded = pinyin::Coded { chars, ids: &ids, starts: &starts };
        self.table.find_all(coded, &self.letters, &plan)
    }
}
