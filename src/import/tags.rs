//! Companies and industries of an imported report, from evidence in its
//! text only.
//!
//! - **Companies**: the mentions of the bundled registry's companies, found
//!   by the one matcher ([`crate::content::Mentions`]): a longer name wins,
//!   a Latin name is a whole word, and a company's `not_mentions` phrases
//!   (中国电信 in 中国电信业务收入) are no mention. Counted per company.
//! - **Industries**: a section is tagged with an industry when the
//!   industry is its subject: one of the industry's terms (its name or an
//!   alias) is in the section's title, or the terms occur at least
//!   [`MANY`] times in at least two of its blocks. One passing word tags
//!   nothing. A broker's own name and boilerplate (海通证券研究所,
//!   证券研究报告, 资料来源 lines) and the back matter (disclaimers) are
//!   not read: 证券 in them says who wrote the report, not what it is about.
//!   The terms that made each tag and their counts are recorded.

use crate::content::Mentions;
use crate::content::{Block, Company, Industry, Report, Section};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Occurrences in a section's own blocks that make an industry its subject.
pub const MANY: usize = 5;

/// term → occurrences.
pub type Terms = BTreeMap<String, usize>;

/// What the import found: company id → mentions; section id → industry
/// id → the terms that made the tag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    pub companies: BTreeMap<String, usize>,
    pub industries: BTreeMap<String, BTreeMap<String, Terms>>,
}

struct Registry {
    companies: Vec<Company>,
    mentions: Mentions,
    industries: Vec<Industry>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let files = crate::content::bundled_files();
    let companies: Vec<Company> =
        files.get("companies.yaml").and_then(|s| serde_yaml::from_str(s).ok()).unwrap_or_default();
    let industries: Vec<Industry> =
        files.get("industries.yaml").and_then(|s| serde_yaml::from_str(s).ok()).unwrap_or_default();
    Registry { mentions: Mentions::new(&companies), companies, industries }
});

/// A broker's name and the boilerplate every broker report prints.
static BOILERPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\p{Han}{0,6}证券(?:[\p{Han}与和]{0,8}?(?:研究所|研究院|研究中心|研究部|研究报告)|(?:股份)?有限(?:责任)?公司|分析师|投资咨询|业协会)|金融工程",
    )
    .expect("regex")
});
static SOURCE_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:资料来源|数据来源|来源|注|备注|Source)\s*[:：]").expect("regex"));

/// The texts of a section's own blocks, as read for tags (source lines
/// left out).
fn block_texts(s: &Section) -> Vec<String> {
    s.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Text(t) if !SOURCE_LINE.is_match(t.text.trim()) => Some(t.text.clone()),
            Block::List(l) => Some(l.items.join("\n")),
            Block::Table(t) => {
                let mut s = t.columns.join(" ");
                for r in &t.rows {
                    s.push('\n');
                    s.push_str(&r.iter().map(|c| c.0.as_str()).collect::<Vec<_>>().join(" "));
                }
                Some(s)
            }
            _ => None,
        })
        .collect()
}

/// Text with the publisher's name and broker boilerplate taken out.
fn without_boilerplate(t: &str, publisher: &str) -> String {
    let t = if publisher.chars().count() >= 2 { t.replace(publisher, " ") } else { t.to_string() };
    BOILERPLATE.replace_all(&t, " ").into_owned()
}

fn folded(s: &str) -> String {
    s.chars().map(crate::text::fold).collect()
}

/// Every industry's terms (its name and aliases of two characters or
/// more) in one automaton, leftmost-longest: a text is read once for all
/// of them (term by term, a 1 MB report took seconds), and a term inside a
/// longer one is counted once, as the longer.
struct TermIndex {
    automaton: Option<aho_corasick::AhoCorasick>,
    /// Per pattern: (industry index, term).
    terms: Vec<(usize, String)>,
}

static TERMS: LazyLock<TermIndex> = LazyLock::new(|| {
    let mut terms = Vec::new();
    for (k, ind) in REGISTRY.industries.iter().enumerate() {
        for t in std::iter::once(&ind.name).chain(ind.aliases.iter()) {
            if t.chars().count() >= 2 {
                terms.push((k, t.clone()));
            }
        }
    }
    let automaton = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(terms.iter().map(|(_, t)| t.as_str()))
        .ok();
    TermIndex { automaton, terms }
});

/// Occurrences of each industry's terms in a text (index: the industry's).
fn count_terms(text: &str) -> Vec<Terms> {
    let idx = &*TERMS;
    let mut out = vec![Terms::new(); REGISTRY.industries.len()];
    if let Some(ac) = &idx.automaton {
        for m in ac.find_iter(text) {
            if let Some((k, t)) = idx.terms.get(m.pattern().as_usize())
                && let Some(o) = out.get_mut(*k)
            {
                *o.entry(t.clone()).or_default() += 1;
            }
        }
    }
    out
}

/// Tag the report's sections (not its back matter, the last chapter when
/// `back` is true) and count its companies.
pub fn tag(report: &mut Report, back: bool) -> Evidence {
    let reg = &*REGISTRY;
    let mut ev = Evidence::default();
    let publisher = report.publisher.clone();
    let n = report.chapters.len();
    let mut all_text: Vec<String> = vec![report.title.clone()];
    for b in &report.abstract_blocks {
        if let Block::Text(t) = b {
            all_text.push(t.text.clone());
        }
        if let Block::List(l) = b {
            all_text.extend(l.items.iter().cloned());
        }
    }
    fn walk(s: &mut Section, reg: &Registry, publisher: &str, ev: &mut Evidence, all_text: &mut Vec<String>) {
        let own = block_texts(s);
        all_text.push(s.title.clone());
        all_text.extend(own.iter().cloned());
        let title = count_terms(&without_boilerplate(&s.title, publisher));
        let bodies: Vec<Vec<Terms>> = own.iter().map(|t| count_terms(&without_boilerplate(t, publisher))).collect();
        for (k, ind) in reg.industries.iter().enumerate() {
            let in_title = title.get(k).cloned().unwrap_or_default();
            let per_block: Vec<Terms> = bodies.iter().map(|b| b.get(k).cloned().unwrap_or_default()).collect();
            let blocks_with = per_block.iter().filter(|t| !t.is_empty()).count();
            let total: usize = per_block.iter().flat_map(|t| t.values()).sum();
            if in_title.is_empty() && !(total >= MANY && blocks_with >= 2) {
                continue;
            }
            let mut terms = in_title;
            for t in per_block {
                for (k, v) in t {
                    *terms.entry(k).or_default() += v;
                }
            }
            s.industries.push(ind.id.clone());
            ev.industries.entry(s.id.clone()).or_default().insert(ind.id.clone(), terms);
        }
        for c in &mut s.sections {
            walk(c, reg, publisher, ev, all_text);
        }
    }
    for (k, ch) in report.chapters.iter_mut().enumerate() {
        if back && k + 1 == n {
            continue;
        }
        walk(ch, reg, &publisher, &mut ev, &mut all_text);
    }
    for t in &all_text {
        for (_, k) in reg.mentions.find(&folded(t)) {
            if let Some(c) = reg.companies.get(k) {
                *ev.companies.entry(c.id.clone()).or_default() += 1;
            }
        }
    }
    ev
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registries_load() {
        assert!(!REGISTRY.companies.is_empty());
        assert!(!REGISTRY.industries.is_empty());
    }

    #[test]
    fn a_broker_name_is_boilerplate() {
        let t = without_boilerplate("资料来源：Wind，海通证券研究所；证券市场的流动性", "海通证券");
        assert!(!t.contains("海通"));
        let t = without_boilerplate("兴业证券经济与金融研究院；证券市场", "");
        assert!(!t.contains("金融"), "{t}");
        assert!(t.contains("证券市场"));
        assert!(t.contains("证券市场"));
    }
}
