//! The figure list (图表目录): every chart, table, metric group and figure
//! caption of a report, numbered in reading order per chapter. One function
//! gives the numbers, and the list (`F`), the reader's block headings, the
//! `:图3-2` command and the citations all take them from it.
//!
//! - Charts (series) and figure captions (a block that stands for a picture
//!   whose values are not in the text) are 图; tables and metric groups
//!   (cards of figures, a table in all but layout) are 表.
//! - The number is `图 C-K`: C the chapter's place among the report's
//!   chapters (1-based; 0 for the blocks before the first chapter, the
//!   abstract), K the item's place among that chapter's 图 (or 表).
//! - A block whose title begins with a printed number (`图表12 …`,
//!   `表3-1：…`, as imported reports keep their captions) keeps that number
//!   instead; it still counts in its chapter, so the numbers of the others
//!   do not depend on which captions were printed.
//!
//! Pure: the same library gives the same numbers, run after run.

use super::{Block, Library, NodeId};
use regex::Regex;
use std::sync::LazyLock;

/// A printed caption's number at the start of a title: `图表12`, `图 3-2`,
/// `表一`, `Figure 4`. The importer takes captions by it too.
pub static CAPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:图表|图|表|附图|附表|Figure|Table|Exhibit)\s*[\d一二三四五六七八九十]+(?:[-.－]\d+)?\s*[:：、.．]?",
    )
    .expect("regex")
});

/// What a numbered item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FigKind {
    Chart,
    Table,
    Metrics,
    /// A figure caption: a picture the text does not hold the values of.
    Figure,
}

impl FigKind {
    /// The number's prefix: 图 for charts and figures, 表 for tables and metric groups.
    pub fn prefix(self) -> &'static str {
        match self {
            FigKind::Chart | FigKind::Figure => "图",
            FigKind::Table | FigKind::Metrics => "表",
        }
    }

    /// The kind in words, for the list.
    pub fn name(self) -> &'static str {
        match self {
            FigKind::Chart => "图表",
            FigKind::Table => "表格",
            FigKind::Metrics => "指标",
            FigKind::Figure => "配图",
        }
    }

    /// The kind of a block, if it is numbered.
    pub fn of(b: &Block) -> Option<FigKind> {
        match b {
            Block::Series(_) => Some(FigKind::Chart),
            Block::Table(_) => Some(FigKind::Table),
            Block::Metrics(_) => Some(FigKind::Metrics),
            // The bundled reports mark a picture whose values were not kept
            // as a block titled 图表（…）; the importer keeps an image as a
            // text `图：…`.
            Block::List(l) if l.title.as_deref().is_some_and(|t| t.starts_with("图表（")) => Some(FigKind::Figure),
            Block::Text(t)
                if t.title.as_deref().is_some_and(|t| t.starts_with("图表（")) || t.text.starts_with("图：") =>
            {
                Some(FigKind::Figure)
            }
            _ => None,
        }
    }
}

/// One numbered item of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered {
    pub report: usize,
    /// The section holding the block (the report's node for its abstract).
    pub node: NodeId,
    /// The block's index in that section's blocks (or the abstract's).
    pub block: usize,
    pub kind: FigKind,
    /// `图 3-2`, or the number the source printed (`图表12`).
    pub label: String,
    /// Whether `label` is the source's own (it is part of the block's title).
    pub printed: bool,
    /// Its place among the report's 图 (or 表), 1-based: `:图3`.
    pub ordinal: usize,
    /// The title, without a printed number; for a figure caption, what it
    /// shows; for a metric group the source leaves untitled, its first
    /// labels ([`untitled_metrics_title`]).
    pub title: String,
    /// `title` is not the block's own: it is made of the block's labels.
    pub title_from_labels: bool,
}

/// The metric labels a list names an untitled metric group by: at most this many.
pub const UNTITLED_LABELS: usize = 3;

/// The title an untitled metric group is listed under: its first labels
/// as the source prints them, joined by `、` (`…` where more follow).
/// Nothing is made up: every word is the source's.
pub fn untitled_metrics_title(m: &super::Metrics) -> String {
    let labels: Vec<&str> =
        m.items.iter().map(|i| i.label.trim()).filter(|l| !l.is_empty()).take(UNTITLED_LABELS + 1).collect();
    let mut t = labels.iter().take(UNTITLED_LABELS).copied().collect::<Vec<_>>().join("、");
    if labels.len() > UNTITLED_LABELS {
        t.push('…');
    }
    t
}

/// A printed number at the start of a title, and the rest of the title.
pub fn printed_label(title: &str) -> Option<(String, String)> {
    let m = CAPTION.find(title)?;
    let label = m.as_str().trim_end_matches([':', '：', '、', '.', '．']).trim().to_string();
    // A match ends on a character boundary; `get` keeps that unchecked.
    Some((label, title.get(m.end()..).unwrap_or("").trim().to_string()))
}

/// A label as typed or shown, for comparing: no spaces, `－` and `—` as `-`.
pub fn normalize_label(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).map(|c| if matches!(c, '－' | '—' | '–') { '-' } else { c }).collect()
}

/// The node of report `r` (the root of its outline).
pub fn report_node(lib: &Library, r: usize) -> Option<NodeId> {
    lib.nodes.iter().position(|n| n.report == r && n.parent.is_none())
}

/// Every numbered item of report `r`, in reading order.
pub fn number_report(lib: &Library, r: usize) -> Vec<Numbered> {
    let Some(root) = report_node(lib, r) else { return Vec::new() };
    let Some(rep) = lib.report(r) else { return Vec::new() };
    let mut out = Vec::new();
    let mut ordinals = [0usize; 2];
    let mut add = |out: &mut Vec<Numbered>, chapter: usize, counts: &mut [usize; 2], node: NodeId, blocks: &[Block]| {
        for (i, b) in blocks.iter().enumerate() {
            let Some(kind) = FigKind::of(b) else { continue };
            let k = usize::from(kind.prefix() == "表");
            counts[k] += 1;
            ordinals[k] += 1;
            let own = b.title().unwrap_or_default();
            let (label, printed, title) = match printed_label(own) {
                Some((label, rest)) => (label, true, rest),
                None => (format!("{} {chapter}-{}", kind.prefix(), counts[k]), false, own.to_string()),
            };
            let untitled = matches!(b, Block::Metrics(_)) && title.trim().is_empty();
            let title = match b {
                Block::List(l) if kind == FigKind::Figure => l.items.join("；"),
                Block::Text(t) if kind == FigKind::Figure && title.is_empty() => t.text.clone(),
                Block::Metrics(m) if untitled => untitled_metrics_title(m),
                _ => title,
            };
            let title_from_labels = untitled && !title.is_empty();
            out.push(Numbered {
                report: r,
                node,
                block: i,
                kind,
                label,
                printed,
                ordinal: ordinals[k],
                title,
                title_from_labels,
            });
        }
    };
    let mut counts = [0usize; 2];
    add(&mut out, 0, &mut counts, root, &rep.abstract_blocks);
    let chapters = lib.nodes.get(root).map(|n| n.children.clone()).unwrap_or_default();
    for (c, &ch) in chapters.iter().enumerate() {
        let mut counts = [0usize; 2];
        let mut stack = vec![ch];
        while let Some(n) = stack.pop() {
            if let Some(s) = lib.section(n) {
                add(&mut out, c + 1, &mut counts, n, &s.blocks);
            }
            if let Some(node) = lib.nodes.get(n) {
                stack.extend(node.children.iter().rev());
            }
        }
    }
    out
}

/// Every numbered item of the library, report by report.
pub fn number_library(lib: &Library) -> Vec<Numbered> {
    (0..lib.report_count()).flat_map(|r| number_report(lib, r)).collect()
}

/// The number of a block (its section or report node, its index), if it has one.
pub fn label_of(lib: &Library, node: NodeId, block: usize) -> Option<String> {
    let r = lib.nodes.get(node)?.report;
    number_report(lib, r).into_iter().find(|x| x.node == node && x.block == block).map(|x| x.label)
}

/// The item a typed number names in one report's list: the label itself
/// (`图3-2`, `图 3-2`, `图表12`; spaces ignored), else `图N` / `表N` as
/// the N-th 图 (表) of the report. A label matches before an ordinal, and
/// of two items with one printed number, the first. `Err` says in Chinese
/// what is wrong.
pub fn find_label<'a>(items: &'a [Numbered], typed: &str) -> Result<&'a Numbered, String> {
    let want = normalize_label(typed);
    // A printed number shared by two blocks (a table and the chart made
    // from it) names the first.
    if let Some(x) = items.iter().find(|x| normalize_label(&x.label) == want) {
        return Ok(x);
    }
    let ordinal = ["图", "表"].iter().find_map(|p| {
        let rest = want.strip_prefix(p)?;
        (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then(|| (*p, rest.parse::<usize>().ok()))
    });
    match ordinal {
        Some((p, Some(n))) => items.iter().find(|x| x.kind.prefix() == p && x.ordinal == n).ok_or_else(|| {
            format!("没有{p}{n}：本报告共 {} 个{p}", items.iter().filter(|x| x.kind.prefix() == p).count())
        }),
        _ => Err(format!("没有图表：{typed}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_labels() {
        assert_eq!(printed_label("图表12 市场规模"), Some(("图表12".into(), "市场规模".into())));
        assert_eq!(printed_label("表3-1：收入"), Some(("表3-1".into(), "收入".into())));
        assert_eq!(printed_label("图谱所列大模型"), None);
        assert_eq!(printed_label("中国市场规模"), None);
        assert_eq!(normalize_label(" 图 3－2 "), "图3-2");
    }
}
