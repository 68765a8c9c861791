//! Naming a report where its hits show: a short name that keeps the part
//! telling it apart from the other reports, plus its year.

use super::{Library, Report};

/// A title of at most this many characters is its own short name.
const WHOLE: usize = 14;
/// The start kept of a long title whose differing part comes late.
const HEAD: usize = 5;
/// The start kept of a long title that differs early.
const START: usize = 12;
/// The most characters kept of the differing part.
const TAIL: usize = 8;

/// Opening brackets and quotes: a differing part starts at one of these
/// when it is close before the first differing character.
const OPENERS: &[char] = &['（', '(', '《', '“', '「', '【', '[', '—', '·', ' '];

/// The short name of `title` among `others`: the title when it is short; a
/// long title whose start another title shares keeps its start and the part
/// that differs ("AI赋能千行…（第3辑）"); any other long title, its start.
pub fn short_name<'a>(title: &str, others: impl Iterator<Item = &'a str>) -> String {
    named(title, others, WHOLE, START, HEAD)
}

/// A shorter [`short_name`] for a narrow place: at most 6 characters of a
/// title's start ("AI赋能千行…"), and the differing part when it comes late
/// ("AI赋…（第3辑）").
pub fn compact_name<'a>(title: &str, others: impl Iterator<Item = &'a str>) -> String {
    named(title, others, 7, 6, 3)
}

fn named<'a>(
    title: &str,
    others: impl Iterator<Item = &'a str>,
    whole: usize,
    start_len: usize,
    head_len: usize,
) -> String {
    let c: Vec<char> = title.trim().chars().collect();
    if c.len() <= whole {
        return c.into_iter().collect();
    }
    let lcp = others.map(|o| o.trim().chars().zip(c.iter()).take_while(|(a, b)| a == *b).count()).max().unwrap_or(0);
    if lcp < START || lcp >= c.len() {
        let head: String = c[..start_len].iter().collect();
        return format!("{head}…");
    }
    let back = lcp.saturating_sub(4).max(head_len);
    let start = (back..lcp).find(|&k| OPENERS.contains(&c[k])).unwrap_or(lcp);
    let head: String = c[..head_len].iter().collect();
    let tail: String = c[start..].iter().take(TAIL).collect();
    let cut = if c.len() - start > TAIL { "…" } else { "" };
    format!("{head}…{tail}{cut}")
}

/// The year of a report's date ("2025-08-28" → "2025"), if it starts with one.
pub fn year_of(date: &str) -> Option<&str> {
    let y = date.trim().get(..4)?;
    y.chars().all(|c| c.is_ascii_digit()).then_some(y)
}

impl Library {
    /// Every report's short name ([`short_name`] among the others' titles), made once.
    pub fn report_names(&self) -> &[(String, String)] {
        self.names.get_or_init(|| {
            let heads: &[Report] = self.heads();
            let mut order: Vec<usize> = (0..heads.len()).collect();
            order.sort_by(|&a, &b| heads[a].title.cmp(&heads[b].title));
            let mut names = vec![(String::new(), String::new()); heads.len()];
            // Sorted, the title sharing the longest start is a neighbour.
            for (k, &i) in order.iter().enumerate() {
                let near = || {
                    [k.checked_sub(1), Some(k + 1)]
                        .into_iter()
                        .flatten()
                        .filter_map(|j| order.get(j))
                        .map(|&j| heads[j].title.as_str())
                };
                names[i] = (short_name(&heads[i].title, near()), compact_name(&heads[i].title, near()));
            }
            names
        })
    }

    /// A report's short name.
    pub fn report_name(&self, i: usize) -> &str {
        self.report_names().get(i).map_or("", |n| n.0.as_str())
    }

    /// A report's compact name (`compact_name`).
    pub fn compact_report_name(&self, i: usize) -> &str {
        self.report_names().get(i).map_or("", |n| n.1.as_str())
    }

    /// How a hit names its report: the short name and the year
    /// ("AI赋能千行…（第3辑） 2025"), in a library of more than one report;
    /// `None` in a library of one.
    pub fn report_label(&self, i: usize) -> Option<String> {
        if self.report_count() < 2 {
            return None;
        }
        Some(self.with_year(i, self.report_name(i)))
    }

    /// [`Library::report_label`] with the compact name, for narrow places.
    pub fn compact_label(&self, i: usize) -> Option<String> {
        if self.report_count() < 2 {
            return None;
        }
        Some(self.with_year(i, self.compact_report_name(i)))
    }

    /// [`Library::report_label`] with the name in title marks and the year
    /// after them (`《AI赋能千行百业白皮书》 2025`), never inside.
    pub fn titled_label(&self, i: usize) -> Option<String> {
        if self.report_count() < 2 {
            return None;
        }
        Some(self.with_year(i, &format!("《{}》", self.report_name(i))))
    }

    fn with_year(&self, i: usize, name: &str) -> String {
        match self.heads().get(i).and_then(|h| year_of(&h.date)) {
            Some(y) => format!("{name} {y}"),
            None => name.to_string(),
        }
    }

    /// Each report's place in date order, newest first (a report without a
    /// date last; equal dates keep the library's order): `order[i]` for report i.
    pub fn newest_first(&self) -> &[usize] {
        self.date_rank.get_or_init(|| {
            let heads = self.heads();
            let mut by: Vec<usize> = (0..heads.len()).collect();
            by.sort_by(|&a, &b| {
                let (da, db) = (heads[a].date.trim(), heads[b].date.trim());
                (da.is_empty(), std::cmp::Reverse(da)).cmp(&(db.is_empty(), std::cmp::Reverse(db))).then(a.cmp(&b))
            });
            let mut rank = vec![0; heads.len()];
            for (k, &i) in by.iter().enumerate() {
                rank[i] = k;
            }
            rank
        })
    }

    /// [`Library::report_label`] of a node's report.
    pub fn label_of(&self, n: super::NodeId) -> Option<String> {
        self.nodes.get(n).and_then(|x| self.report_label(x.report))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_keep_what_differs() {
        let a = "AI赋能千行百业白皮书（第3辑）";
        let b = "AI赋能千行百业白皮书（第4辑）";
        assert_eq!(short_name(a, [b].into_iter()), "AI赋能千…（第3辑）");
        assert_eq!(short_name("短标题", [b].into_iter()), "短标题");
        let long = "“十五五”时期我国通用人工智能产业发展趋势研究";
        assert_eq!(short_name(long, [a].into_iter()), "“十五五”时期我国通用人…");
        let l3 = "“十五五”时期我国通用人工智能产业发展趋势研究（第12辑）";
        let l4 = "“十五五”时期我国通用人工智能产业发展趋势研究（第1辑）";
        assert_eq!(short_name(l3, [l4].into_iter()), "“十五五”…（第12辑）");
        assert_eq!(short_name(l4, [l3].into_iter()), "“十五五”…（第1辑）");
        // The same title twice: its start.
        assert_eq!(short_name(long, [long].into_iter()), "“十五五”时期我国通用人…");
        assert_eq!(compact_name(a, [b].into_iter()), "AI赋…（第3辑）");
        assert_eq!(compact_name("AI赋能千行百业白皮书", [long].into_iter()), "AI赋能千行…");
        assert_eq!(year_of("2025-08-28"), Some("2025"));
        assert_eq!(year_of("未注明"), None);
        assert_eq!(year_of(""), None);
    }
}
