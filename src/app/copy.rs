//! Copy (`y`, `Y`) and the copy overlay: what is copied is decided here,
//! from the state alone; the runtime carries out the `Effect::Copy`.

use super::{Overlay, State};
use crate::action::{Action, Effect};
use crate::clipboard;
use crate::content::{Block, NodeId};
use crate::export;
use crate::search::Target;

/// The copy overlay: the copied text, shown plain for the terminal's own
/// selection (for terminals that ignore OSC 52).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyView {
    /// What was copied (`表格 18 行`).
    pub what: String,
    pub text: String,
    pub scroll: usize,
    /// The text wrapped to the screen's width (`width`), made by `update`
    /// when the overlay opens and on a resize, not on every frame.
    pub lines: Vec<String>,
    pub width: u16,
}

impl CopyView {
    pub fn new(what: String, text: String, width: u16) -> CopyView {
        let lines = copy_lines(&text, width);
        CopyView { what, text, scroll: 0, lines, width }
    }

    /// Wrap again for a new screen width, keeping the scroll in range.
    pub fn resize(&mut self, size: (u16, u16)) {
        if size.0 != self.width {
            self.lines = copy_lines(&self.text, size.0);
            self.width = size.0;
        }
        self.scroll = self.scroll.min(self.lines.len().saturating_sub(copy_rows(size)));
    }
}

/// The last copy, while nothing else has happened since: `y` again shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub what: String,
    pub text: String,
}

impl State {
    /// Copy actions, and every action while the copy overlay is on top.
    /// `None`: not ours.
    pub(super) fn update_copy(&mut self, action: &Action) -> Option<Vec<Effect>> {
        let fresh = self.copied.take();
        if let Some(Overlay::Copy(v)) = self.overlays.last_mut() {
            let rows = copy_rows(self.size);
            let max = v.lines.len().saturating_sub(rows);
            match action {
                Action::MoveDown => v.scroll = (v.scroll + 1).min(max),
                Action::MoveUp => v.scroll = v.scroll.saturating_sub(1),
                Action::PageDown => v.scroll = (v.scroll + rows).min(max),
                Action::PageUp => v.scroll = v.scroll.saturating_sub(rows),
                Action::HalfPageDown => v.scroll = (v.scroll + rows / 2).min(max),
                Action::HalfPageUp => v.scroll = v.scroll.saturating_sub(rows / 2),
                Action::Top => v.scroll = 0,
                Action::Bottom => v.scroll = max,
                Action::CloseOverlay | Action::Copy | Action::Back => {
                    self.overlays.pop();
                }
                Action::Quit => return Some(vec![Effect::Quit]),
                _ => {}
            }
            return Some(vec![]);
        }
        match action {
            Action::Copy => {
                if let Some(c) = fresh {
                    // `y` right after a copy: show what was copied.
                    self.overlays.push(Overlay::Copy(CopyView::new(c.what, c.text, self.size.0)));
                    return Some(vec![]);
                }
                let found = match self.overlays.last() {
                    Some(Overlay::Search(_)) => self.finder_unit(),
                    Some(Overlay::Chart(_)) => self.chart_unit(),
                    Some(Overlay::Table(_)) => self.table_unit(),
                    Some(_) => return None,
                    None => self.reader_unit(),
                };
                Some(match found {
                    Some((text, what)) => self.copy(text, what),
                    None => {
                        self.message = Some("这里没有可复制的内容".into());
                        vec![]
                    }
                })
            }
            Action::CopySection => {
                if !self.overlays.is_empty() {
                    return None;
                }
                let node = self.reader_node();
                let md = export::markdown_body(&self.lib, node);
                let what = format!("本节 Markdown {} 行", md.lines().count());
                let text = format!("{}\n\n{}\n", md.trim_end(), export::citation_in(&self.lib, node, self.citation));
                Some(self.copy(text, what))
            }
            _ => None,
        }
    }

    /// The effect of a copy, and its status line.
    fn copy(&mut self, text: String, what: String) -> Vec<Effect> {
        // Every copy (y, Y, Ctrl-y; OSC 52 or --copy-to, local or served)
        // passes here: no terminal or shell control sequence leaves in it.
        let text = crate::text::safe_out(&text).into_owned();
        let to = self.copy_to.clone();
        let (sent, cut) =
            if to.is_some() { (text.as_str(), false) } else { clipboard::bound(&text, clipboard::MAX_OSC52) };
        let sent = sent.to_string();
        let mut msg = format!("已复制 {what}");
        if cut {
            msg.push_str(&format!("（过长，只复制了前 {} KB）", clipboard::MAX_OSC52 / 1024));
        }
        if let Some(p) = &to {
            msg.push_str(&format!("，追加到 {}", p.display()));
        }
        msg.push_str(" · 再按 y 显示文本");
        self.message = Some(msg);
        self.copied = Some(Copied { what, text: sent.clone() });
        vec![Effect::Copy { text: sent, to }]
    }

    /// The section of the focused block (see `State::focused_node`).
    fn reader_node(&self) -> NodeId {
        self.focused_node()
    }

    /// The focused block (or, on a heading, the block after it), as plain
    /// text with the citation.
    fn reader_unit(&self) -> Option<(String, String)> {
        if let Some(at) = self.focused_ref()
            && let Some(b) = self.block_of(at.node, at.index)
        {
            let (text, what) = export::block_plain(&self.lib, b);
            let cite = export::block_citation(&self.lib, at.node, at.index, self.citation);
            return Some((format!("{}\n{cite}\n", text.trim_end()), what));
        }
        // A heading with no block of its own: its title.
        let n = self.focused_block()?.node?;
        let title = self.lib.node_title(n);
        Some((format!("{title}\n{}\n", export::citation_in(&self.lib, n, self.citation)), "标题".into()))
    }

    pub(super) fn block_of(&self, node: NodeId, i: usize) -> Option<&Block> {
        match self.lib.section(node) {
            Some(s) => s.blocks.get(i),
            None => self.lib.report_of(node).and_then(|r| r.abstract_blocks.get(i)),
        }
    }

    /// The finder's selected result: the block it was found in (a table
    /// row's table, a chart, a metric's card, a sentence's paragraph), as
    /// `y` on that block in the reader copies it, with the block's own
    /// citation (its figure-list number and page); a hit in no block (a
    /// heading) as its text with its place's citation.
    fn finder_unit(&self) -> Option<(String, String)> {
        let Some(Overlay::Search(s)) = self.overlays.last() else { return None };
        let hit = s.hits.get(s.selected)?;
        let u = self.index.units.get(hit.unit)?;
        if let Some((node, i)) = crate::search::unit_block(&self.lib, u)
            && let Some(b) = self.block_of(node, i)
        {
            let (text, what) = export::block_plain(&self.lib, b);
            let cite = export::block_citation(&self.lib, node, i, self.citation);
            return Some((format!("{}\n{cite}\n", text.trim_end()), format!("搜索结果（{what}）")));
        }
        let mut text = String::new();
        if u.own_title && !u.title.is_empty() && !u.text.contains(u.title.as_str()) {
            text.push_str(&u.title);
            text.push('\n');
        }
        text.push_str(u.text.trim_end());
        text.push('\n');
        if let Target::Place { node, .. } = &u.target {
            text.push_str(&export::citation_in(&self.lib, *node, self.citation));
            text.push('\n');
        }
        Some((text, format!("搜索结果（{}）", u.kind.label())))
    }

    /// The table shown in the table view: as TSV, with the citation.
    fn table_unit(&self) -> Option<(String, String)> {
        let Some(Overlay::Table(t)) = self.overlays.last() else { return None };
        let line = self.reader.doc.tables.iter().find(|(_, x)| std::sync::Arc::ptr_eq(x, &t.table)).map(|(l, _)| *l);
        let (text, what) = export::block_plain(&self.lib, &Block::Table((*t.table).clone()));
        Some((format!("{}\n{}\n", text.trim_end(), self.view_citation(line)), what))
    }

    /// The chart shown in the chart view: its values, with the citation.
    fn chart_unit(&self) -> Option<(String, String)> {
        let Some(Overlay::Chart(c)) = self.overlays.last() else { return None };
        let series = c.charts.get(c.index)?;
        let line = self.reader.doc.charts.iter().find(|(_, s)| std::sync::Arc::ptr_eq(s, series)).map(|(l, _)| *l);
        let (text, what) = export::block_plain(&self.lib, &Block::Series((**series).clone()));
        Some((format!("{}\n{}\n", text.trim_end(), self.view_citation(line)), what))
    }

    /// The citation of the block drawn at `line` of the reader's page (the
    /// table or chart a view shows): the block's own where the page knows
    /// which block it is, else its section's, else the reader's place.
    fn view_citation(&self, line: Option<usize>) -> String {
        let doc = &self.reader.doc;
        let item = line.and_then(|l| doc.item_index_at(l)).and_then(|k| doc.items.get(k));
        match (item.and_then(|i| i.node), item.and_then(|i| i.block)) {
            (Some(n), Some(b)) => export::block_citation(&self.lib, n, b, self.citation),
            (Some(n), None) => export::citation_in(&self.lib, n, self.citation),
            _ => {
                let n = line.and_then(|l| doc.node_at(l)).unwrap_or(self.reader.node);
                export::citation_in(&self.lib, n, self.citation)
            }
        }
    }
}

/// How many lines of text the copy overlay shows on a screen of `size`
/// (its title and the status line take two rows).
pub fn copy_rows(size: (u16, u16)) -> usize {
    (size.1 as usize).saturating_sub(2).max(1)
}

/// The copy overlay's lines for a screen `width` wide: the text wrapped to
/// it, tabs as two spaces (a cell holds no tab).
pub fn copy_lines(text: &str, width: u16) -> Vec<String> {
    let w = (width as usize).max(1);
    let mut out = Vec::new();
    for line in text.lines() {
        let line = crate::text::sanitize(&line.replace('\t', "  "));
        if line.is_empty() {
            out.push(String::new());
            continue;
        }
        out.extend(crate::text::wrap(&line, w));
    }
    out
}
