//! The search index: every searchable unit of the library, matched with the
//! skim fuzzy algorithm and with pinyin. No terminal code lives here, so the
//! CLI (`yanbao search`) and the finder overlay share it.

pub mod pinyin;

use crate::content::{Block, Library, NodeId, Section};
use crate::doc::fmt_num;
use crate::text::fold;
use fuzzy_matcher::FuzzyMatcher;
use fuzzy_matcher::skim::SkimMatcherV2;
use std::fmt;

/// What a unit is; shown as a Chinese label in results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Company,
    Group,
    Case,
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
    Tables,
    Figures,
    Industries,
    Sections,
}

impl Filter {
    pub const ALL: [(&'static str, &'static str, Filter); 6] = [
        ("co", "companies (公司, 图谱)", Filter::Companies),
        ("case", "cases (案例)", Filter::Cases),
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
            Filter::Tables => k == Kind::Table,
            Filter::Figures => matches!(k, Kind::Figure | Kind::Metric),
            Filter::Industries => k == Kind::Industry,
            Filter::Sections => matches!(k, Kind::Section | Kind::Text),
        }
    }
}

/// Where a result leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A place in a report; `probe` is text that finds the unit's line there.
    Place {
        node: NodeId,
        probe: String,
    },
    Company(String),
    Industry(String),
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
    title_chars: Vec<char>,
    text_chars: Vec<char>,
    title_folded: String,
    text_folded: String,
    mask: u32,
}

impl Unit {
    pub fn new(kind: Kind, title: String, text: String, target: Target) -> Unit {
        let title_chars: Vec<char> = title.chars().collect();
        let text_chars: Vec<char> = text.chars().collect();
        let title_folded = title_chars.iter().map(|&c| fold(c)).collect();
        let text_folded = text_chars.iter().map(|&c| fold(c)).collect();
        let mask = pinyin::letter_mask(&title_chars) | pinyin::letter_mask(&text_chars);
        Unit { kind, title, text, target, title_chars, text_chars, title_folded, text_folded, mask }
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
        let chars = match self.field {
            Field::Title => &u.title_chars,
            Field::Text => &u.text_chars,
        };
        let (a, b) = (*self.indices.first()?, *self.indices.last()?);
        self.contiguous.then(|| chars.get(a..=b).map(|s| s.iter().collect()))?
    }
}

struct FieldMatch {
    score: i64,
    indices: Vec<usize>,
    tier: u8,
}

pub struct Index {
    pub units: Vec<Unit>,
    matcher: SkimMatcherV2,
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Index({} units)", self.units.len())
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
}

impl Builder<'_> {
    fn place(&mut self, kind: Kind, title: String, text: String, node: NodeId, probe: String) {
        self.units.push(Unit::new(kind, title, text, Target::Place { node, probe }));
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
        let mut b = Builder { lib, units: Vec::new() };
        for i in &lib.industries {
            let text = std::iter::once(i.english.clone().unwrap_or_default())
                .chain(i.aliases.iter().cloned())
                .collect::<Vec<_>>()
                .join("  ");
            b.units.push(Unit::new(Kind::Industry, i.name.clone(), text, Target::Industry(i.id.clone())));
        }
        for c in &lib.companies {
            let mut parts: Vec<String> = c.latin.iter().cloned().collect();
            parts.extend(c.aliases.iter().cloned());
            parts.extend(c.kind.iter().cloned());
            b.units.push(Unit::new(Kind::Company, c.name.clone(), parts.join("  "), Target::Company(c.id.clone())));
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
        Index { units: b.units, matcher: SkimMatcherV2::default().ignore_case() }
    }

    /// Match one field: the skim fuzzy match, or a pinyin run, whichever is better.
    fn match_field(&self, chars: &[char], folded: &str, q: &str, qb: &[u8], pinyin_ok: bool) -> Option<FieldMatch> {
        let mut best: Option<FieldMatch> = None;
        if subsequence(folded, q)
            && let Some((score, idx)) = self.matcher.fuzzy_indices(folded, q)
        {
            let contiguous = idx.windows(2).all(|w| w[1] == w[0] + 1);
            best = Some(FieldMatch { score, indices: idx, tier: if contiguous { 2 } else { 0 } });
        }
        if pinyin_ok
            && chars.iter().any(|c| !c.is_ascii())
            && let Some((r, reading)) = pinyin::find(chars, qb)
        {
            // A pinyin run is contiguous; score it like a strong skim match.
            let score = 16 * qb.len() as i64 + 8 * r.len() as i64 + if r.start == 0 { 16 } else { 0 };
            let tier = if reading == pinyin::Reading::Primary { 2 } else { 1 };
            if best.as_ref().is_none_or(|b| (b.tier, b.score) < (tier, score)) {
                best = Some(FieldMatch { score, indices: r.collect(), tier });
            }
        }
        best
    }

    /// Ranked hits for a query: contiguous before scattered, then title
    /// before text, exact titles first, then score; ties keep reading order.
    pub fn search(&self, query: &Query, limit: usize) -> Vec<Hit> {
        let q = query.text.as_str();
        if q.is_empty() {
            return Vec::new();
        }
        let qb: Vec<u8> = q.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        let pinyin_ok =
            q.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ') && q.bytes().any(|b| b.is_ascii_lowercase());
        let qmask = pinyin::query_mask(&qb);
        let mut hits: Vec<(Hit, bool)> = Vec::new();
        for (i, u) in self.units.iter().enumerate() {
            if query.filter.is_some_and(|f| !f.admits(u.kind)) {
                continue;
            }
            let py = pinyin_ok && u.mask & qmask == qmask;
            let t = self.match_field(&u.title_chars, &u.title_folded, q, &qb, py);
            let x = self.match_field(&u.text_chars, &u.text_folded, q, &qb, py);
            let pick = match (t, x) {
                (Some(t), Some(x)) if x.tier > t.tier => Some((Field::Text, x)),
                (Some(t), _) => Some((Field::Title, t)),
                (None, Some(x)) => Some((Field::Text, x)),
                (None, None) => None,
            };
            if let Some((field, m)) = pick {
                let exact = field == Field::Title && u.title_folded == q;
                let contiguous = m.tier > 0;
                let hit = Hit { unit: i, field, indices: m.indices, score: m.score, contiguous, tier: m.tier };
                hits.push((hit, exact));
            }
        }
        hits.sort_by(|(a, ea), (b, eb)| {
            b.tier
                .cmp(&a.tier)
                .then(eb.cmp(ea))
                .then((b.field == Field::Title).cmp(&(a.field == Field::Title)))
                .then(b.score.cmp(&a.score))
                .then(a.unit.cmp(&b.unit))
        });
        hits.truncate(limit);
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
            .filter(|(_, u)| mentions(&u.text_folded) || mentions(&u.title_folded))
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
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// Whether the characters of `q` (ignoring spaces) occur in `hay` in order.
fn subsequence(hay: &str, q: &str) -> bool {
    let mut it = hay.chars();
    q.chars().filter(|c| !c.is_whitespace()).all(|qc| it.any(|h| h == qc))
}

/// "report › chapter › section" for a node.
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
