//! The search index: every searchable unit of the library, matched with the
//! skim fuzzy algorithm and with pinyin. No terminal code lives here, so the
//! CLI (`yanbao search`) and the finder overlay share it.

pub mod pinyin;

use crate::content::{Block, Library, NodeId, Section};
use crate::doc::fmt_num;
use crate::text::fold;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use serde::{Deserialize, Serialize};
use std::fmt;

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

/// One searchable unit.
#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: Kind,
    /// The name or title: matches here rank above matches in `text`.
    pub title: String,
    /// The full unit: a table row with its headers, a metric with its unit, a sentence.
    pub text: String,
    pub target: Target,
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
}

impl Screen {
    fn new(u: &Unit, table: &pinyin::Table) -> Screen {
        let (t, x) = (&u.title_p, &u.text_p);
        Screen {
            kind: u.kind,
            blooms: [t.bloom, x.bloom],
            shapes: [table.shape(&t.chars, &t.ids), table.shape(&x.chars, &x.ids)],
        }
    }
}

impl Unit {
    pub fn new(kind: Kind, title: String, text: String, target: Target, table: &mut pinyin::Table) -> Unit {
        let title_p = Prepared::new(&title, table);
        let text_p = Prepared::new(&text, table);
        Unit { kind, title, text, target, title_p, text_p }
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
}

/// One ranked result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub unit: usize,
    pub field: Field,
    /// Char indices of the matched characters in the field.
    pub indices: Vec<usize>,
    pub score: i64,
    pub contiguous: bool,
    /// 2: one contiguous run (text, or pinyin in common readings);
    /// 1: a pinyin run that needs a less common reading; 0: scattered.
    pub tier: u8,
}

impl Hit {
    /// The matched characters when they are one run (for highlighting the place).
    pub fn matched(&self, u: &Unit) -> Option<String> {
        let s = match self.field {
            Field::Title => &u.title,
            Field::Text => &u.text,
        };
        let (a, b) = (*self.indices.first()?, *self.indices.last()?);
        (self.contiguous && b < s.chars().count()).then(|| s.chars().skip(a).take(b + 1 - a).collect())
    }
}

struct FieldMatch {
    score: i64,
    indices: Vec<usize>,
    tier: u8,
}

pub struct Index {
    pub units: Vec<Unit>,
    screens: Vec<Screen>,
    table: pinyin::Table,
    matcher: SkimMatcherV2,
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
            self.kind,
            &self.title,
            &self.text,
            &self.target,
            self.title_p.folded_if_other(&self.title),
            Ids(&self.title_p.ids),
            self.text_p.folded_if_other(&self.text),
            Ids(&self.text_p.ids),
        )
            .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Unit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        type Raw = (Kind, String, String, Target, Option<String>, IdsOwned, Option<String>, IdsOwned);
        let (kind, title, text, target, tf, IdsOwned(ti), xf, IdsOwned(xi)) = Raw::deserialize(d)?;
        let title_p =
            Prepared::from_cache(tf.unwrap_or_else(|| title.clone()), ti).map_err(serde::de::Error::custom)?;
        let text_p = Prepared::from_cache(xf.unwrap_or_else(|| text.clone()), xi).map_err(serde::de::Error::custom)?;
        Ok(Unit { kind, title, text, target, title_p, text_p })
    }
}

/// The index as the cache stores it: the units, each unit's two pinyin
/// shapes (costly to derive), and the reading table. The character sets are
/// derived on load, the matcher made anew.
#[derive(Serialize)]
struct IndexRef<'a> {
    units: &'a [Unit],
    shapes: Vec<[pinyin::Shape; 2]>,
    table: &'a pinyin::Table,
}

#[derive(Deserialize)]
struct IndexOwned {
    units: Vec<Unit>,
    shapes: Vec<[pinyin::Shape; 2]>,
    table: pinyin::Table,
}

impl Serialize for Index {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let shapes = self.screens.iter().map(|sc| sc.shapes).collect();
        IndexRef { units: &self.units, shapes, table: &self.table }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Index {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let IndexOwned { mut units, shapes, table } = IndexOwned::deserialize(d)?;
        let bad = |m: &str| serde::de::Error::custom(m);
        if shapes.len() != units.len() || !table.is_consistent() {
            return Err(bad("the index's parts do not match"));
        }
        for u in &mut units {
            for p in [&mut u.title_p, &mut u.text_p] {
                if !table.has_ids(&p.ids) {
                    return Err(bad("a reading id outside the table"));
                }
                p.starts = p.chars.iter().zip(&p.ids).map(|(&c, &id)| table.starts(c, id)).collect();
            }
        }
        let screens = units
            .iter()
            .zip(shapes)
            .map(|(u, shapes)| Screen { kind: u.kind, blooms: [u.title_p.bloom, u.text_p.bloom], shapes })
            .collect();
        Ok(Index { units, screens, table, matcher: SkimMatcherV2::default().ignore_case() })
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
            && self.table.is_consistent()
            && self.units.iter().all(|u| {
                u.node().is_none_or(|n| n < lib.nodes.len())
                    && u.title_p.fits(&self.table)
                    && u.text_p.fits(&self.table)
            })
    }
}

/// A parsed query: an optional kind filter and the folded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub filter: Option<Filter>,
    pub text: String,
}

impl Query {
    pub fn parse(q: &str) -> Query {
        let folded: String = q.chars().map(fold).collect();
        let trimmed = folded.trim_start();
        if let Some((pre, rest)) = trimmed.split_once(':')
            && let Some(f) = Filter::parse(pre)
        {
            return Query { filter: Some(f), text: rest.trim().to_string() };
        }
        Query { filter: None, text: folded.trim().to_string() }
    }
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
}

impl Builder<'_> {
    fn place(&mut self, kind: Kind, title: String, text: String, node: NodeId, probe: String) {
        self.units.push(Unit::new(kind, title, text, Target::Place { node, probe }, &mut self.table));
    }

    fn company_names(&self, ids: &[String]) -> String {
        ids.iter().map(|i| self.lib.company(i).map(|c| c.name.as_str()).unwrap_or(i)).collect::<Vec<_>>().join("、")
    }

    fn blocks(&mut self, blocks: &[Block], node: NodeId, section_title: &str) {
        for b in blocks {
            match b {
                Block::Text(t) => {
                    let title = t.title.clone().unwrap_or_else(|| section_title.to_string());
                    for s in sentences(&t.text) {
                        let probe = probe_of(&s);
                        self.place(Kind::Text, title.clone(), s, node, probe);
                    }
                }
                Block::Insights(x) => {
                    for it in &x.items {
                        let text = format!("{} {}", it.headline, it.note.clone().unwrap_or_default());
                        self.place(Kind::Section, it.headline.clone(), text, node, probe_of(&it.headline));
                    }
                }
                Block::List(l) => {
                    let title = l.title.clone().unwrap_or_else(|| section_title.to_string());
                    for it in &l.items {
                        self.place(Kind::Text, title.clone(), it.clone(), node, probe_of(it));
                    }
                }
                Block::Table(t) => {
                    let title = t.title.clone().unwrap_or_else(|| section_title.to_string());
                    for row in &t.rows {
                        let text = t
                            .columns
                            .iter()
                            .zip(row)
                            .map(|(c, v)| format!("{c}：{}", v.0))
                            .collect::<Vec<_>>()
                            .join("  ");
                        let probe = row.first().map(|c| probe_of(&c.0)).unwrap_or_default();
                        self.place(Kind::Table, title.clone(), text, node, probe);
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
                    self.place(Kind::Figure, title.clone(), text, node, probe_of(&title));
                }
                Block::Metrics(m) => {
                    for it in &m.items {
                        let text = format!("{} {}{}", it.label, it.value, it.unit.clone().unwrap_or_default());
                        self.place(Kind::Metric, it.label.clone(), text, node, probe_of(&it.label));
                    }
                }
                Block::Participants(p) => {
                    for g in &p.groups {
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
        let mut b = Builder { lib, units: Vec::new(), table: pinyin::Table::default() };
        for i in &lib.industries {
            let text = std::iter::once(i.english.clone().unwrap_or_default())
                .chain(i.aliases.iter().cloned())
                .collect::<Vec<_>>()
                .join("  ");
            let target = Target::Industry(i.id.clone());
            b.units.push(Unit::new(Kind::Industry, i.name.clone(), text, target, &mut b.table));
        }
        for c in &lib.companies {
            let mut parts: Vec<String> = c.latin.iter().cloned().collect();
            parts.extend(c.aliases.iter().cloned());
            parts.extend(c.kind.iter().cloned());
            let target = Target::Company(c.id.clone());
            b.units.push(Unit::new(Kind::Company, c.name.clone(), parts.join("  "), target, &mut b.table));
        }
        for (n, node) in lib.nodes.iter().enumerate() {
            if node.parent.is_none() {
                let r = &lib.reports[node.report];
                b.place(Kind::Section, r.title.clone(), format!("{} {}", r.publisher, r.date), n, probe_of(&r.title));
                b.blocks(&r.abstract_blocks, n, &r.title);
                for &ch in &node.children {
                    if let Some(s) = lib.section(ch) {
                        b.section(s, ch);
                    }
                }
            }
        }
        let screens = b.units.iter().map(|u| Screen::new(u, &b.table)).collect();
        Index { units: b.units, screens, table: b.table, matcher: SkimMatcherV2::default().ignore_case() }
    }

    /// Match one field: a literal run, a scattered (skim) match, or a pinyin
    /// run, whichever ranks best.
    fn match_field(
        &self,
        f: &Prepared,
        q: &Pattern,
        literal: bool,
        scattered: bool,
        pinyin: Option<&pinyin::Plan>,
    ) -> Option<FieldMatch> {
        let mut best: Option<FieldMatch> = None;
        if literal {
            if let Some(at) = f.folded.find(q.text.as_str()) {
                // A literal run: earlier and in a shorter field scores higher.
                let start = f.folded.get(..at).map_or(0, |h| h.chars().count());
                let score = 1000 - start.min(200) as i64 - (f.chars.len() / 4).min(200) as i64;
                best = Some(FieldMatch { score, indices: (start..start + q.len).collect(), tier: 2 });
            } else if scattered
                && subsequence(&f.chars, &q.chars)
                && let Some((score, idx)) = self.matcher.fuzzy_indices(&f.folded, &q.text)
            {
                let contiguous = idx.windows(2).all(|w| w[1] == w[0] + 1);
                best = Some(FieldMatch { score, indices: idx, tier: if contiguous { 2 } else { 0 } });
            }
        }
        if let Some(plan) = pinyin
            && f.han
            && let Some((r, reading)) = self.table.find(f.coded(), &q.letters, plan)
        {
            // A pinyin run is contiguous; score it like a strong skim match.
            let score = 1000 - r.start.min(200) as i64 - (f.chars.len() / 4).min(200) as i64;
            let tier = if reading == pinyin::Reading::Primary { 2 } else { 1 };
            if best.as_ref().is_none_or(|b| (b.tier, b.score) < (tier, score)) {
                best = Some(FieldMatch { score, indices: r.collect(), tier });
            }
        }
        best
    }

    /// Match units; with `scattered` false, only contiguous and pinyin runs
    /// are scored, and units that might match scattered are listed for later.
    fn search_units(
        &self,
        units: impl Iterator<Item = usize>,
        query: &Query,
        q: &Pattern,
        scattered: bool,
    ) -> (Vec<(Hit, bool)>, Vec<usize>) {
        let mut hits = Vec::new();
        let mut later = Vec::new();
        let plan = self.table.plan(&q.letters);
        for i in units {
            let sc = &self.screens[i];
            if query.filter.is_some_and(|f| !f.admits(sc.kind)) {
                continue;
            }
            let lit = [sc.blooms[0].covers(&q.bloom), sc.blooms[1].covers(&q.bloom)];
            let py = [0, 1].map(|f| q.pinyin && self.table.may_match(&sc.shapes[f], &plan));
            if !(lit[0] || lit[1] || py[0] || py[1]) {
                continue;
            }
            let u = &self.units[i];
            let t = self.match_field(&u.title_p, q, lit[0], scattered, py[0].then_some(&plan));
            let x = self.match_field(&u.text_p, q, lit[1], scattered, py[1].then_some(&plan));
            let pick = match (t, x) {
                (Some(t), Some(x)) if x.tier > t.tier => Some((Field::Text, x)),
                (Some(t), _) => Some((Field::Title, t)),
                (None, Some(x)) => Some((Field::Text, x)),
                (None, None) => None,
            };
            match pick {
                Some((field, m)) => {
                    let exact = field == Field::Title && u.title_p.folded == q.text;
                    let contiguous = m.tier > 0;
                    let hit = Hit { unit: i, field, indices: m.indices, score: m.score, contiguous, tier: m.tier };
                    hits.push((hit, exact));
                }
                None if !scattered && (lit[0] || lit[1]) => later.push(i),
                None => {}
            }
        }
        (hits, later)
    }

    /// Ranked hits for a query: contiguous before scattered, exact titles
    /// first, then title before text, then score; ties keep reading order.
    /// A large index is searched on two threads.
    pub fn search(&self, query: &Query, limit: usize) -> Vec<Hit> {
        let Some(q) = Pattern::new(&query.text) else { return Vec::new() };
        let n = self.units.len();
        let (mut hits, later) = if n > 16_384 {
            let mid = n / 2;
            std::thread::scope(|s| {
                let other = s.spawn(|| self.search_units(mid..n, query, &q, false));
                let (mut hits, mut later) = self.search_units(0..mid, query, &q, false);
                let (h, l) = other.join().unwrap_or_default();
                hits.extend(h);
                later.extend(l);
                (hits, later)
            })
        } else {
            self.search_units(0..n, query, &q, false)
        };
        // Scattered matches rank below every run, so they are scored only
        // when the runs do not fill the list.
        if hits.len() < limit {
            hits.extend(self.search_units(later.into_iter(), query, &q, true).0);
        }
        let key = |h: &(Hit, bool)| (std::cmp::Reverse(h.0.tier), !h.1, h.0.field != Field::Title);
        let cmp = |a: &(Hit, bool), b: &(Hit, bool)| {
            key(a).cmp(&key(b)).then(b.0.score.cmp(&a.0.score)).then(a.0.unit.cmp(&b.0.unit))
        };
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit, cmp);
            hits.truncate(limit);
        }
        hits.sort_by(cmp);
        hits.into_iter().map(|(h, _)| h).collect()
    }

    /// Every place a company is mentioned: maps and cases that list it, and
    /// tables, figures and text that name it (by name, Latin name or alias).
    pub fn mentions(&self, lib: &Library, company: &str) -> Vec<usize> {
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
        self.units
            .iter()
            .enumerate()
            .filter(|(_, u)| matches!(u.target, Target::Place { .. }))
            .filter(|(_, u)| mentions(&u.text_p.folded) || mentions(&u.title_p.folded))
            .map(|(i, _)| i)
            .collect()
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

/// Whether the characters of `q` occur in `hay` in order.
fn subsequence(hay: &[char], q: &[char]) -> bool {
    let mut it = hay.iter();
    q.iter().all(|qc| it.any(|h| h == qc))
}

/// A query prepared for matching.
struct Pattern {
    text: String,
    chars: Vec<char>,
    len: usize,
    bloom: Bloom,
    /// The query as pinyin letters (spaces dropped), if it can be pinyin.
    letters: Vec<u8>,
    pinyin: bool,
}

impl Pattern {
    fn new(q: &str) -> Option<Pattern> {
        if q.is_empty() {
            return None;
        }
        let chars: Vec<char> = q.chars().collect();
        let letters: Vec<u8> = q.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        let pinyin =
            q.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ') && q.bytes().any(|b| b.is_ascii_lowercase());
        Some(Pattern {
            text: q.to_string(),
            len: chars.len(),
            bloom: chars.iter().fold(Bloom::default(), |b, &c| b.add(c)),
            chars,
            letters,
            pinyin,
        })
    }
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

pub fn location(lib: &Library, node: NodeId) -> String {
    lib.ancestry(node).into_iter().map(|n| lib.tree_title(n)).collect::<Vec<_>>().join(" › ")
}

/// Where a unit lives, as shown in results.
pub fn unit_location(lib: &Library, u: &Unit) -> String {
    match &u.target {
        Target::Place { node, .. } => location(lib, *node),
        Target::Company(_) => "公司名录".to_string(),
        Target::Industry(_) => "行业".to_string(),
    }
}
