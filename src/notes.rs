//! Notes and highlights on blocks: what identifies a block (its id, made of
//! its section's id and its index there, and a hash of its text), finding a
//! note's block again in a library that changed (by id, then by content
//! hash; neither: the note is orphaned and keeps its quoted text), and the
//! export of `yanbao notes` (Markdown, JSON, CSV), grouped by report.

use crate::content::{Block, Library, NodeId};
use crate::export;
use crate::state::SavedNote;
use std::fmt::Write;

/// The block a note is made on: its section (or report) node and its index
/// among that node's blocks (a report's abstract blocks for a report node).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRef {
    pub node: NodeId,
    pub index: usize,
}

/// The blocks of a node: a section's, or a report's abstract.
pub fn blocks_of(lib: &Library, node: NodeId) -> Option<&[Block]> {
    match lib.section(node) {
        Some(s) => Some(&s.blocks),
        None => lib.report_of(node).map(|r| r.abstract_blocks.as_slice()),
    }
}

/// The id of a node (a section's or a report's).
fn node_id(lib: &Library, node: NodeId) -> Option<String> {
    match lib.head_section(node) {
        Some(s) => Some(s.id.clone()),
        None => lib.report_head_of(node).map(|r| r.id.clone()),
    }
}

/// A block's text as copied (`y`), the text a note quotes and hashes.
pub fn block_text(lib: &Library, b: &Block) -> String {
    export::block_plain(lib, b).0.trim().to_string()
}

/// The hash of a block's text (hex), to find it again where it moved.
pub fn text_hash(text: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// A new note (an empty `text`: a highlight) on a block, made now by this
/// process. `None` when the block is not in the library.
pub fn new_note(lib: &Library, at: BlockRef, text: &str, now: i64, seq: u64) -> Option<SavedNote> {
    let b = blocks_of(lib, at.node)?.get(at.index)?;
    let quote = block_text(lib, b);
    let nid = node_id(lib, at.node)?;
    let report = lib.report_head_of(at.node)?.id.clone();
    Some(SavedNote {
        uid: format!("{now:x}-{:x}-{seq:x}", std::process::id()),
        report,
        block: format!("{nid}#{}", at.index),
        hash: text_hash(&quote),
        node: nid,
        quote,
        text: text.trim().to_string(),
        created: now,
        updated: now,
    })
}

/// Where a note's block is now: by its id when the text there is the same,
/// else by its text's hash anywhere in its report (then the library);
/// `None`: orphaned (its block is gone or changed).
pub fn locate(lib: &Library, note: &SavedNote) -> Option<BlockRef> {
    let same = |node: NodeId, index: usize| {
        blocks_of(lib, node).and_then(|bs| bs.get(index)).is_some_and(|b| text_hash(&block_text(lib, b)) == note.hash)
    };
    if let Some((nid, ix)) = note.block.rsplit_once('#')
        && let (Some(node), Ok(index)) = (lib.node_by_id(nid), ix.parse::<usize>())
        && same(node, index)
    {
        return Some(BlockRef { node, index });
    }
    // Moved: the same text elsewhere, in the same report first.
    let in_report = |n: NodeId| lib.report_head_of(n).is_some_and(|r| r.id == note.report);
    let nodes: Vec<NodeId> = (0..lib.nodes.len()).filter(|&n| in_report(n)).chain(0..lib.nodes.len()).collect();
    for node in nodes {
        let Some(bs) = blocks_of(lib, node) else { continue };
        for index in 0..bs.len() {
            if same(node, index) {
                return Some(BlockRef { node, index });
            }
        }
    }
    None
}

/// Export formats of `yanbao notes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Md,
    Json,
    Csv,
}

/// One note as exported: where it is now (or orphaned), its breadcrumb and
/// citation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exported {
    pub report: String,
    pub report_title: String,
    pub breadcrumb: String,
    pub citation: String,
    pub kind: &'static str,
    pub text: String,
    pub quote: String,
    pub created: String,
    pub orphaned: bool,
}

/// A date (UTC) of seconds since the epoch: `2026-12-07`.
pub fn date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The breadcrumb of a node: its report's title down to it.
pub fn breadcrumb(lib: &Library, node: NodeId) -> String {
    lib.ancestry(node).into_iter().map(|n| lib.node_title(n)).collect::<Vec<_>>().join(" › ")
}

/// The notes as exported, grouped by report (in the library's order, then
/// reports no longer there), oldest first within a report; only `report`'s
/// with a filter.
/// Citations are in `style`; a note's is its block's (with the block's
/// own page where the content gives it).
pub fn exported(
    lib: &Library,
    notes: &[SavedNote],
    report: Option<&str>,
    style: export::CitationStyle,
) -> Vec<Exported> {
    let rank = |id: &str| lib.heads().iter().position(|r| r.id == id).unwrap_or(usize::MAX);
    let mut sorted: Vec<&SavedNote> = notes.iter().filter(|n| report.is_none_or(|r| n.report == r)).collect();
    sorted.sort_by(|a, b| {
        (rank(&a.report), &a.report, a.created, &a.uid).cmp(&(rank(&b.report), &b.report, b.created, &b.uid))
    });
    sorted
        .into_iter()
        .map(|n| {
            let at = locate(lib, n);
            let report_title =
                lib.heads().iter().find(|r| r.id == n.report).map(|r| r.title.clone()).unwrap_or_default();
            let (breadcrumb, citation) = match at {
                Some(b) => (breadcrumb(lib, b.node), export::block_citation(lib, b.node, b.index, style)),
                None => (
                    lib.node_by_id(&n.node).map(|x| breadcrumb(lib, x)).unwrap_or_else(|| n.node.clone()),
                    lib.node_by_id(&n.node).map(|x| export::citation_in(lib, x, style)).unwrap_or_default(),
                ),
            };
            Exported {
                report: n.report.clone(),
                report_title,
                breadcrumb,
                citation,
                kind: if n.text.is_empty() { "highlight" } else { "note" },
                text: n.text.clone(),
                quote: n.quote.clone(),
                created: date(n.created),
                orphaned: at.is_none(),
            }
        })
        .collect()
}

/// `yanbao notes`: the notes in a format.
pub fn render(
    lib: &Library,
    notes: &[SavedNote],
    report: Option<&str>,
    format: Format,
    style: export::CitationStyle,
) -> String {
    let rows = exported(lib, notes, report, style);
    match format {
        Format::Json => serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n",
        Format::Csv => {
            let mut out = String::from("report,breadcrumb,kind,date,text,quote,citation,orphaned\n");
            for r in &rows {
                let cells = [
                    r.report.as_str(),
                    &r.breadcrumb,
                    r.kind,
                    &r.created,
                    &r.text,
                    &r.quote,
                    &r.citation,
                    if r.orphaned { "yes" } else { "no" },
                ];
                out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
                out.push('\n');
            }
            out
        }
        Format::Md => {
            let mut out = String::from("# 笔记\n");
            let mut last: Option<&str> = None;
            for r in &rows {
                if last != Some(r.report.as_str()) {
                    let title = if r.report_title.is_empty() { r.report.as_str() } else { r.report_title.as_str() };
                    let _ = write!(out, "\n## {title}\n");
                    last = Some(r.report.as_str());
                }
                let what = if r.text.is_empty() { "（高亮）".to_string() } else { r.text.clone() };
                let _ = write!(out, "\n### {what}\n\n{} · {}", r.breadcrumb, r.created);
                if r.orphaned {
                    out.push_str(" · 原文已不在（孤立笔记）");
                }
                out.push_str("\n\n");
                for line in r.quote.lines() {
                    let _ = writeln!(out, "> {line}");
                }
                if !r.citation.is_empty() {
                    let _ = write!(out, "\n{}\n", r.citation);
                }
            }
            out
        }
    }
}

/// A CSV cell (RFC 4180): quoted when it holds a comma, quote or line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(1_796_601_600), "2026-12-07");
        assert_eq!(date(951_782_400), "2000-02-29");
    }

    #[test]
    fn csv_cells_are_quoted_when_needed() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("说\"好\""), "\"说\"\"好\"\"\"");
        assert_eq!(csv_cell("平常"), "平常");
    }
}
