//! pdftotext's plain text, before its paragraphs are read: the layout
//! evidence that Markdown would have marked up.
//!
//! - **Tables set with spaces** (`pdftotext -layout`): runs of lines whose
//!   columns line up on gaps of two spaces or more become grids; every
//!   character of the lines is kept in some cell.
//! - **Headings the table of contents names**: a line that is exactly the
//!   title of an entry of a dotted table of contents (`前言 ……… 4`), after
//!   that table, is a heading, whether or not it is numbered.
//! - **A number on its own line** (`1.`, `3.1.1.`, `第一章`) above a short
//!   line that reads as a title is one heading with it.

use super::tree::numbering;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// A line of a dotted table of contents: a title, leaders, a page.
static DOTTED_TOC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?\S)\s*(?:\.{4,}|…{2,}|·{4,}|\.{2,}\s*(?:\.\s*){3,})\s*(\d{1,3})\s*$").expect("regex")
});

/// The text of a line without its whitespace, to compare lines with entries.
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The entries of the dotted tables of contents, in order, and where
/// they are: a line that is exactly an entry's title, after them, is a
/// heading. Entries are taken in order (a few may be skipped): a title
/// repeated later as a table's label is not a heading again.
pub struct TocTitles {
    /// (squeezed title, squeezed title without its number, the heading).
    entries: Vec<(String, String, String)>,
    /// The first and last lines of the entries.
    pub first_line: usize,
    last_line: usize,
    next: usize,
}

/// How many entries a matched line may skip over.
const TOC_SKIP: usize = 4;

impl TocTitles {
    pub fn of(lines: &[String]) -> TocTitles {
        let mut entries = Vec::new();
        let (mut first_line, mut last_line) = (usize::MAX, 0);
        for (i, l) in lines.iter().enumerate() {
            let Some(c) = DOTTED_TOC.captures(l.trim()) else { continue };
            let head = c.get(1).map_or("", |m| m.as_str()).trim();
            // A list of figures or tables names captions, not headings.
            if head.is_empty() || crate::content::numbering::CAPTION.is_match(head) {
                continue;
            }
            first_line = first_line.min(i);
            last_line = i;
            let full = head.to_string();
            let rest = match numbering(&full) {
                Some((_, _, rest)) if rest.chars().count() >= 2 => squeeze(&rest),
                _ => squeeze(&full),
            };
            entries.push((squeeze(&full), rest, full));
        }
        // No table of contents: nothing is before it.
        let first_line = if entries.is_empty() { 0 } else { first_line };
        TocTitles { entries, first_line, last_line, next: 0 }
    }

    /// The heading a line is, when it is exactly an entry's title (with or
    /// without its number; words, not only figures) and comes after the
    /// table of contents.
    fn heading(&mut self, i: usize, line: &str) -> Option<String> {
        if self.entries.is_empty() || i <= self.last_line {
            return None;
        }
        let t = line.trim();
        if t.is_empty()
            || t.chars().count() > 60
            || DOTTED_TOC.is_match(t)
            || t.chars().filter(|c| c.is_alphabetic()).count() < 2
        {
            return None;
        }
        let sq = squeeze(t);
        let rest = numbering(t).map(|(_, _, r)| squeeze(&r)).filter(|r| r.chars().count() >= 2);
        let end = self.entries.len().min(self.next + TOC_SKIP);
        let k = (self.next..end).find(|&k| {
            let (full, bare, _) = &self.entries[k];
            *full == sq || *bare == sq || rest.as_ref().is_some_and(|r| r == bare)
        })?;
        self.next = k + 1;
        Some(self.entries[k].2.clone())
    }
}

/// Whether a line reads as a title: short, words, no sentence punctuation,
/// no number of its own.
fn title_like(t: &str, measure: usize) -> bool {
    let n = t.chars().count();
    n >= 2
        && n * 10 <= measure * 8
        && n <= 40
        && !t.ends_with(['。', '；', '！', '？', '，', ';', '!', '?', ',', '、', '：', ':'])
        && !t.starts_with(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation())
        && numbering(t).is_none()
        && t.chars().filter(char::is_ascii_digit).count() * 3 < n
        && !crate::content::numbering::CAPTION.is_match(t)
        && !["资料来源", "数据来源", "来源", "注："].iter().any(|p| t.starts_with(p))
}

/// A number alone on its line, as a heading number: `1.`, `3.1.1.`,
/// `第一章`, `一、`; or `2.1` without a final mark, when it cannot be a
/// decimal (`1.52`, `1.05`, `1.20` are figures).
fn number_alone(t: &str) -> Option<String> {
    let (_, num, rest) = numbering(t)?;
    if !rest.is_empty() {
        return None;
    }
    // (1), （一）, ①: an equation's or a list's number as often as a heading's.
    if num.starts_with(['(', '（'])
        || !num.chars().next().is_some_and(|c| c.is_ascii_digit() || "第一二三四五六七八九十".contains(c))
    {
        return None;
    }
    let marked = t.trim().len() > num.len() || !num.chars().all(|c| c.is_ascii_digit() || c == '.');
    if marked {
        return Some(t.trim().to_string());
    }
    let parts: Vec<&str> = num.split('.').collect();
    let small = |p: &&str| {
        !p.starts_with('0') && p.parse::<u32>().is_ok_and(|n| n < 10 || ((1..=20).contains(&n) && n % 10 != 0))
    };
    (parts.len() >= 2 && parts[1..].iter().all(small)).then(|| num.clone())
}

/// The lines of pdftotext's text made ready for its paragraphs: numbers
/// alone joined to their titles, and the lines the table of contents names.
/// Returns the lines (1-based numbers unchanged: a joined title's line is
/// blanked) and the indices of the lines that are headings.
pub fn mark_headings(lines: &mut [String], measure: usize) -> BTreeSet<usize> {
    let mut toc = TocTitles::of(lines);
    let mut repeats: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for l in lines.iter() {
        let t = l.trim();
        if !t.is_empty() && t.chars().count() <= 40 {
            *repeats.entry(t.to_string()).or_default() += 1;
        }
    }
    let mut heads = BTreeSet::new();
    let mut i = 0;
    let nonempty_after =
        |lines: &[String], i: usize| (i + 1..lines.len().min(i + 4)).find(|&k| !lines[k].trim().is_empty());
    while i < lines.len() {
        let t = lines[i].trim().to_string();
        if let Some(num) = number_alone(&t) {
            // The next non-empty line, within two blank lines.
            if let Some(k) = nonempty_after(lines, i) {
                let title = lines[k].trim().to_string();
                // Running text follows the title (not a list of numbers, a
                // slide's bullets); the title is no running footer.
                let after_list = i > 0 && number_alone(lines[i - 1].trim()).is_some();
                let running = repeats.get(title.as_str()).copied().unwrap_or(0) >= 3;
                let body_follows = !after_list
                    && !running
                    && nonempty_after(lines, k).is_some_and(|b| {
                        let b = lines[b].trim();
                        b.chars().count() * 2 >= measure && b.chars().any(|c| c.is_alphabetic())
                    });
                let words = title.chars().any(super::parse::is_cjk);
                if body_follows && words && (title_like(&title, measure) || toc.heading(k, &title).is_some()) {
                    lines[i] = format!("{num} {title}");
                    lines[k].clear();
                    heads.insert(i);
                    i = k + 1;
                    continue;
                }
            }
        }
        if let Some(h) = toc.heading(i, &t) {
            // The entry's number, printed in the table of contents, when the
            // line has none.
            if numbering(&t).is_none() && numbering(&h).is_some() {
                lines[i] = h;
            }
            heads.insert(i);
        }
        i += 1;
    }
    heads
}

/// The first line of the dotted table of contents (none: 0):
/// numbered lines before it are the cover's and the summary's lists.
pub fn toc_start(lines: &[String]) -> usize {
    TocTitles::of(lines).first_line
}

// ------------------------------------------------------------ space tables

/// Cells of a line: its text cut at runs of two spaces or more.
fn cells(l: &str) -> usize {
    let t = l.trim();
    if t.is_empty() {
        return 0;
    }
    let mut n = 1;
    let mut spaces = 0;
    for c in t.chars() {
        if c == ' ' || c == '\u{3000}' {
            spaces += 1;
        } else {
            if spaces >= 2 {
                n += 1;
            }
            spaces = 0;
        }
    }
    n
}

fn width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(1).max(1)
}

/// The grid of a run of lines, cut at the columns blank in every line
/// (runs of two or more), positions counted in characters or, for text
/// laid out by display width, in columns.
fn grid(run: &[&str], wide: bool) -> Option<Vec<Vec<String>>> {
    let rows: Vec<Vec<(usize, char)>> = run
        .iter()
        .map(|l| {
            let mut at = 0;
            l.trim_end()
                .chars()
                .map(|c| {
                    let p = at;
                    at += if wide { width(c) } else { 1 };
                    (p, c)
                })
                .collect()
        })
        .collect();
    let end = rows.iter().filter_map(|r| r.last().map(|(p, c)| p + if wide { width(*c) } else { 1 })).max()?;
    let mut used = vec![false; end];
    for r in &rows {
        for &(p, c) in r {
            if !c.is_whitespace() {
                let w = if wide { width(c) } else { 1 };
                for u in used.iter_mut().skip(p).take(w) {
                    *u = true;
                }
            }
        }
    }
    // Columns: runs of used positions, joined over gaps of one.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut c = 0;
    while c < end {
        if !used[c] {
            c += 1;
            continue;
        }
        let start = c;
        let mut e = c;
        loop {
            while e < end && used[e] {
                e += 1;
            }
            let mut g = e;
            while g < end && !used[g] {
                g += 1;
            }
            if g < end && g - e < 2 {
                e = g;
                continue;
            }
            break;
        }
        spans.push((start, e));
        c = e;
    }
    if spans.len() < 2 {
        return None;
    }
    let out: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            spans
                .iter()
                .map(|&(s, e)| r.iter().filter(|(p, _)| *p >= s && *p < e).map(|(_, c)| *c).collect::<String>())
                .map(|s| s.trim().to_string())
                .collect()
        })
        .collect();
    Some(out)
}

/// Whether a grid reads as a table: a header and rows, figures in the
/// columns after the first (or three columns or more), short cells. Two
/// columns of running text (a page set in two columns) are not a table.
fn table_like(g: &[Vec<String>]) -> bool {
    let cols = g.first().map_or(0, Vec::len);
    if g.len() < 2 || cols < 2 {
        return false;
    }
    if g.iter().flatten().any(|c| c.chars().count() > 40) {
        return false;
    }
    let body: Vec<&String> = g[1..].iter().flat_map(|r| r.iter().skip(1)).filter(|c| !c.is_empty()).collect();
    let figures = body.iter().filter(|c| c.chars().any(|ch| ch.is_ascii_digit())).count();
    // Every body row has a cell past the first.
    let filled = g[1..].iter().all(|r| r.iter().skip(1).any(|c| !c.is_empty()));
    filled && (figures * 2 >= body.len().max(1)) && (cols >= 3 || figures * 4 >= body.len() * 3)
}

/// A table set with spaces starting at line `i`: the line after its run
/// of lines with cells, and its grid when the run reads as a table. (A run
/// that is no table is not read again from its second line: the caller
/// skips to its end, and the import stays linear.)
pub fn spaced_table(lines: &[String], i: usize) -> Option<(usize, Option<Vec<Vec<String>>>)> {
    if cells(lines.get(i)?) < 2 {
        return None;
    }
    let mut j = i;
    while j < lines.len() {
        let n = cells(&lines[j]);
        // A row label alone between rows ("盈利能力") belongs to the table.
        let inner_label = n == 1 && j > i && lines.get(j + 1).is_some_and(|l| cells(l) >= 2);
        if n >= 2 || inner_label {
            j += 1;
        } else {
            break;
        }
    }
    if j - i < 2 {
        return Some((j, None));
    }
    let run: Vec<&str> = lines[i..j].iter().map(String::as_str).collect();
    // Counted in characters or in display columns: the count under which
    // the columns line up gives more of them.
    let cols = |g: &Option<Vec<Vec<String>>>| g.as_ref().and_then(|g| g.first()).map_or(0, Vec::len);
    let (chars, wide) = (grid(&run, false).filter(|g| table_like(g)), grid(&run, true).filter(|g| table_like(g)));
    Some((j, if cols(&wide) > cols(&chars) { wide } else { chars }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ls(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn a_space_table_keeps_every_cell() {
        let l = ls(
            "              2021A     2022A     2023E\n营业收入        120.5     135.2     150.3\n净利润           12.1      13.0       —\n",
        );
        let (end, g) = spaced_table(&l, 0).expect("a run");
        let g = g.expect("a table");
        assert_eq!(end, 3);
        assert_eq!(g[0], ["", "2021A", "2022A", "2023E"]);
        assert_eq!(g[1], ["营业收入", "120.5", "135.2", "150.3"]);
        assert_eq!(g[2], ["净利润", "12.1", "13.0", "—"]);
    }

    #[test]
    fn two_columns_of_prose_are_no_table() {
        let l = ls(
            "我们认为行业将继续增长      海外市场的需求也在恢复之中\n政策的推进带来新的机会      龙头公司的份额有望提升\n",
        );
        assert_eq!(spaced_table(&l, 0), Some((2, None)));
    }
}
