//! Where the registry's companies are named in a text: the one matcher
//! behind a company's page, the `K` list and the finder's mention counts
//! (and whatever else needs a company's mentions, such as imported reports).
//!
//! A company is named by its name, its Latin name or an alias. A name inside
//! a longer registered name (华为 in 华为云) names only the longer one's
//! company; a Latin name must be a whole word; names of one character are
//! not looked for; and an occurrence inside one of the company's
//! `not_mentions` phrases (中国电信 in 中国电信业务收入) is not its mention.

use super::model::Company;
use crate::text::fold;
use std::ops::Range;

/// The registry's names, folded and ready to match.
#[derive(Debug, Clone, Default)]
pub struct Mentions {
    /// (folded name, company index), longest first.
    names: Vec<(String, usize)>,
    /// All of `names` in one automaton (pattern i is `names[i]`): a text is
    /// read once, not once per name (an imported report of 1 MB against
    /// the registry's names took seconds in a debug build).
    automaton: Option<aho_corasick::AhoCorasick>,
    /// Per company index: its own folded names, and the folded phrases in
    /// which they are not its mentions.
    own: Vec<(Vec<String>, Vec<String>)>,
}

fn folded(s: &str) -> String {
    s.chars().map(fold).collect()
}

impl Mentions {
    pub fn new(companies: &[Company]) -> Mentions {
        let mut names = Vec::new();
        let mut own = Vec::new();
        for (k, c) in companies.iter().enumerate() {
            let mine: Vec<String> = std::iter::once(&c.name)
                .chain(c.latin.iter())
                .chain(c.aliases.iter())
                .map(|n| folded(n))
                .filter(|n| n.chars().count() >= 2)
                .collect();
            names.extend(mine.iter().map(|n| (n.clone(), k)));
            own.push((mine, c.not_mentions.iter().map(|n| folded(n)).collect()));
        }
        // Longest first (stable: registry order among equals).
        names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        let automaton = aho_corasick::AhoCorasick::new(names.iter().map(|(n, _)| n.as_str())).ok();
        Mentions { names, automaton, own }
    }

    /// The mentions in `hay` (text already folded with [`fold`]): each a
    /// byte range of `hay` and the index of its company, in text order.
    /// Mentions never overlap: the longer name wins.
    pub fn find(&self, hay: &str) -> Vec<(Range<usize>, usize)> {
        let mut found: Vec<(Range<usize>, usize)> = Vec::new();
        if let Some(ac) = &self.automaton {
            // Every occurrence of every name, taken as the loop below takes
            // them: longest name first, then in text order.
            let mut hits: Vec<(usize, Range<usize>)> =
                ac.find_overlapping_iter(hay).map(|m| (m.pattern().as_usize(), m.start()..m.end())).collect();
            hits.sort_by_key(|(p, r)| (*p, r.start));
            // The mentions taken, by start: they never overlap, so the one
            // starting last before a hit's end is the only one it can touch.
            let mut taken: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
            for (p, r) in hits {
                let Some((_, k)) = self.names.get(p) else { continue };
                let overlaps = taken.range(..r.end).next_back().is_some_and(|(_, &end)| end > r.start);
                if overlaps || !self.is_mention(hay, &r, *k) {
                    continue;
                }
                taken.insert(r.start, r.end);
                found.push((r, *k));
            }
            found.sort_by_key(|(r, _)| r.start);
            return found;
        }
        for (n, k) in &self.names {
            for (i, _) in hay.match_indices(n.as_str()) {
                let r = i..i + n.len();
                if !self.is_mention(hay, &r, *k) || found.iter().any(|(f, _)| f.start < r.end && r.start < f.end) {
                    continue;
                }
                found.push((r, *k));
            }
        }
        found.sort_by_key(|(r, _)| r.start);
        found
    }

    /// Whether company `k` (its index in the registry) is named in `hay`
    /// (folded text).
    pub fn names(&self, hay: &str, k: usize) -> bool {
        let Some((mine, _)) = self.own.get(k) else {
            return false;
        };
        // Most texts hold none of the company's names: no need to match all.
        mine.iter().any(|n| hay.contains(n.as_str())) && self.find(hay).iter().any(|(_, c)| *c == k)
    }

    /// The folded names of company `k`.
    pub fn names_of(&self, k: usize) -> &[String] {
        self.own.get(k).map_or(&[], |(mine, _)| mine.as_slice())
    }

    /// Whether the occurrence `r` of one of company `k`'s names may be its
    /// mention: a Latin name is a whole word, and no phrase of its
    /// `not_mentions` covers it.
    fn is_mention(&self, hay: &str, r: &Range<usize>, k: usize) -> bool {
        let Some(name) = hay.get(r.clone()) else {
            return false;
        };
        if name.is_ascii() {
            let before = hay.get(..r.start).and_then(|h| h.chars().next_back());
            let after = hay.get(r.end..).and_then(|h| h.chars().next());
            let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
            if word(before) || word(after) {
                return false;
            }
            // A number's digits are no name: 360 in "287,360" or "3.360".
            let before2 = hay.get(..r.start).and_then(|h| h.chars().rev().nth(1));
            let after2 = hay.get(r.end..).and_then(|h| h.chars().nth(1));
            let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
            let sep = |c: Option<char>| matches!(c, Some(',' | '.'));
            if (name.starts_with(|c: char| c.is_ascii_digit()) && sep(before) && digit(before2))
                || (name.ends_with(|c: char| c.is_ascii_digit()) && sep(after) && digit(after2))
            {
                return false;
            }
        }
        let not = self.own.get(k).map_or(&[][..], |(_, not)| not.as_slice());
        !not.iter().any(|p| hay.match_indices(p.as_str()).any(|(j, _)| j <= r.start && r.end <= j + p.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(id: &str, name: &str, latin: Option<&str>, aliases: &[&str], not: &[&str]) -> Company {
        Company {
            id: id.into(),
            name: name.into(),
            latin: latin.map(Into::into),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            kind: None,
            not_mentions: not.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn named(m: &Mentions, hay: &str) -> Vec<usize> {
        m.find(&folded(hay)).into_iter().map(|(_, k)| k).collect()
    }

    #[test]
    fn longer_names_win_latin_names_are_words_and_not_phrases_are_skipped() {
        let m = Mentions::new(&[
            company("hw", "华为", Some("Huawei"), &[], &[]),
            company("hwc", "华为云", None, &[], &[]),
            company("ct", "中国电信", None, &[], &["中国电信业务"]),
            company("x", "浪潮", None, &[], &["开源浪潮"]),
        ]);
        assert_eq!(named(&m, "华为云与华为"), [1, 0]);
        assert_eq!(named(&m, "HUAWEI 发布"), [0]);
        assert!(named(&m, "Huaweis").is_empty());
        // A number's digits are not a name of digits.
        let n = Mentions::new(&[company("360", "360智脑", None, &["360"], &[])]);
        assert!(named(&n, "约 287,360 份合约").is_empty());
        assert!(named(&n, "360.5 万").is_empty());
        assert_eq!(named(&n, "360 发布"), [0]);
        // N-1: the national telecom revenue is not China Telecom's.
        assert!(named(&m, "2024年中国电信业务收入累计完成1.74万亿元").is_empty());
        assert_eq!(named(&m, "中国电信发布星辰大模型"), [2]);
        assert_eq!(named(&m, "中国电信业务收入增长，中国电信发布"), [2]);
        // N-3: a wave is not Inspur.
        assert!(named(&m, "在全球大模型开源浪潮中").is_empty());
        assert!(m.names(&folded("浪潮信息"), 3));
        assert!(!m.names(&folded("开源浪潮"), 3));
    }
}
