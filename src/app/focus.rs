//! The reader's focus: one block of the page that every reader action
//! means (the breadcrumb, `]`/`[`, `y`/`Y`, `m`, `K`, Enter's chart and
//! table views). It is kept as a line of the page, the focus line:
//!
//! - a jump (find, the finder, a mark, the jump list, a part of an industry
//!   page) puts the line it lands on at the reading line, a third of the
//!   way down the view, and focuses it;
//! - scrolling moves the focus line with the text, so it keeps its row on
//!   screen; where the page cannot scroll further (its top or its end),
//!   the focus line moves instead, so every line can be focused;
//! - a page opened fresh focuses its first line of text in view.
//!
//! The focused block is the page item (`Doc::items`) the focus line is in.

use super::State;
use crate::content::{Block, NodeId};
use crate::doc::{Doc, DocItem};
use crate::export;

/// The focused block of the reader: the item of the page, its lines and,
/// for a block (not a heading), the block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Focused {
    /// Its index in `Doc::items`.
    pub item: usize,
    /// Its lines on the page, blank lines after it left out.
    pub lines: std::ops::Range<usize>,
    /// The section (or report) it belongs to; `None` for a heading of the
    /// page's own (目录, 图表与指标).
    pub node: Option<NodeId>,
    /// The block's index in its section's blocks (a report's: in its
    /// abstract); `None` for a heading.
    pub block: Option<usize>,
}

/// The lines of item `k` of `doc`, without the blank lines that end it.
pub fn item_lines(doc: &Doc, k: usize) -> std::ops::Range<usize> {
    let Some(it) = doc.items.get(k) else { return 0..0 };
    let mut end = doc.items.get(k + 1).map_or(doc.lines.len(), |n| n.line).min(doc.lines.len());
    while end > it.line + 1 && doc.lines[end - 1].text().trim().is_empty() {
        end -= 1;
    }
    it.line..end.max(it.line + 1).min(doc.lines.len().max(it.line + 1))
}

/// The first line with text at or below `line` (within a few lines), else `line`.
fn text_line(doc: &Doc, line: usize) -> usize {
    (line..doc.lines.len().min(line + 20)).find(|&i| !doc.lines[i].text().trim().is_empty()).unwrap_or(line)
}

/// The first line of a text with its Markdown marks left out (`- **示例**：…`).
fn plain_start(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or_default().replace("**", "");
    line.trim_start_matches(['-', '*', '#', '>', '•', ' ']).trim().to_string()
}

impl State {
    /// The row of the view a jump puts its line on: a third of the way down.
    pub fn reading_row(&self) -> usize {
        self.reader_height() / 3
    }

    /// The focus line, when it is in view; else (the view was moved by
    /// something that does not move the focus) the top line of the view.
    pub fn focus_line(&self) -> usize {
        let (f, top) = (self.reader.focus_line, self.reader.scroll);
        if f >= top && f < top + self.reader_height().max(1) { f } else { top }
    }

    /// Land on `line`: it is focused and shown at the reading line (as
    /// near as the page's ends allow).
    pub(super) fn land(&mut self, line: usize) {
        let last = self.reader.doc.lines.len().saturating_sub(1);
        let line = line.min(last);
        self.scroll_to(line.saturating_sub(self.reading_row()));
        self.reader.focus_line = line;
    }

    /// Scroll by `delta` lines with the focus keeping its row; at the top
    /// or the end of the page, the focus moves by what is left.
    pub(super) fn scroll_focus(&mut self, delta: isize) {
        let before = self.reader.scroll as isize;
        let focus = self.focus_line() as isize;
        let s = before + delta;
        self.scroll_to(s.max(0) as usize);
        let moved = self.reader.scroll as isize - before;
        let rest = delta - moved;
        let f = focus + moved + rest;
        self.reader.focus_line = f.max(0) as usize;
        self.keep_focus_in_view();
    }

    /// The focus at the first line with text in view (a page opened, `g`).
    pub(super) fn focus_top(&mut self) {
        self.reader.focus_line = text_line(&self.reader.doc, self.reader.scroll);
        self.keep_focus_in_view();
    }

    /// The focus on the last block of the page (`G`).
    pub(super) fn focus_last(&mut self) {
        let doc = &self.reader.doc;
        let last =
            doc.items.len().checked_sub(1).map_or(doc.lines.len().saturating_sub(1), |k| item_lines(doc, k).start);
        self.reader.focus_line = last;
        self.keep_focus_in_view();
    }

    /// The focus line is kept on a line of the page and in view.
    pub(super) fn keep_focus_in_view(&mut self) {
        let n = self.reader.doc.lines.len();
        if n == 0 {
            self.reader.focus_line = 0;
            return;
        }
        let h = self.reader_height().max(1);
        let top = self.reader.scroll.min(n - 1);
        let bottom = (self.reader.scroll + h).min(n) - 1;
        self.reader.focus_line = self.reader.focus_line.clamp(top, bottom.max(top));
    }

    /// The focused block: the page item the focus line is in. On a heading
    /// followed by its own block, or above the page's first item (a
    /// report's title), it is that heading or first item.
    pub fn focused_block(&self) -> Option<Focused> {
        let doc = &self.reader.doc;
        let line = text_line(doc, self.focus_line());
        let k = doc.item_index_at(line).or((!doc.items.is_empty()).then_some(0))?;
        let DocItem { node, block, .. } = *doc.items.get(k)?;
        Some(Focused { item: k, lines: item_lines(doc, k), node, block })
    }

    /// The section the focus is in: the focused block's, else the section
    /// of the heading above the focus line, else (on a page of one
    /// section) that section. On an industry page with nothing above the
    /// focus, the first section the page shows (never the tree's selection).
    pub fn focused_node(&self) -> NodeId {
        let doc = &self.reader.doc;
        let line = text_line(doc, self.focus_line());
        if let Some(n) = self.focused_block().and_then(|f| f.node).or_else(|| doc.node_at(line)) {
            return n;
        }
        if self.reader.industry.is_some()
            && let Some(n) = doc.items.iter().find_map(|i| i.node).or_else(|| doc.anchors.first().map(|a| a.1))
        {
            return n;
        }
        self.reader.node
    }

    /// The content block focused, with its section: a heading focused
    /// means the block right after it, when it is the heading's own.
    pub(super) fn focused_content(&self) -> Option<(NodeId, &Block)> {
        let at = self.focused_ref()?;
        Some((at.node, self.block_of(at.node, at.index)?))
    }

    /// Where the focused content block is (its section and index there):
    /// what `y` copies and what `a`/`A` put a note or highlight on.
    pub(super) fn focused_ref(&self) -> Option<crate::notes::BlockRef> {
        let f = self.focused_block()?;
        let doc = &self.reader.doc;
        let (node, index) = match (f.node, f.block, doc.items.get(f.item + 1)) {
            (Some(n), Some(b), _) => (n, b),
            (head, None, Some(&DocItem { node: Some(n), block: Some(b), .. })) if head.is_none_or(|h| h == n) => (n, b),
            _ => return None,
        };
        self.block_of(node, index)?;
        Some(crate::notes::BlockRef { node, index })
    }

    /// What `y` takes now, for the status line: `表格 中国人工智能相关政策`.
    pub fn focus_label(&self) -> Option<String> {
        if let Some((_, b)) = self.focused_content() {
            let (text, what) = export::block_plain(&self.lib, b);
            let kind = what.split(' ').next().unwrap_or_default().to_string();
            let name = match (b.title(), b) {
                (Some(t), _) if !t.trim().is_empty() => t.trim().to_string(),
                (_, Block::Example(e)) => plain_start(&e.text),
                _ => plain_start(&text),
            };
            return Some(format!("{kind} {name}"));
        }
        let f = self.focused_block()?;
        f.node.map(|n| format!("标题 {}", self.lib.tree_title(n)))
    }
}
