//! The reader's layout: where the panes go, the page laid out for the
//! reader's width (cached), and scrolling.

use super::{Focus, SIDE_BY_SIDE, State, TreePane};
use crate::action::Action;
use crate::content::NodeId;
use crate::doc::{Doc, LayoutOpts, Page, Pages};
use ratatui::layout::Rect;
use std::sync::Arc;

/// Where the panes go for a given terminal size. Shared by `update` (which
/// needs the reader's size to lay out and scroll) and `render`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    pub nav: Option<Rect>,
    pub reader: Option<Rect>,
    pub status: Option<Rect>,
}

impl Panes {
    pub fn compute(width: u16, height: u16, focus: Focus, tree: TreePane) -> Panes {
        let area = Rect::new(0, 0, width, height);
        if width == 0 || height == 0 {
            return Panes { nav: None, reader: None, status: None };
        }
        let status = Rect::new(0, height - 1, width, 1);
        let body = Rect::new(0, 0, width, height - 1);
        if body.height < 3 {
            return Panes { nav: None, reader: None, status: Some(status) };
        }
        let _ = area;
        if !tree.shown {
            // The tree hidden (`z`): the reader takes the screen.
            Panes { nav: None, reader: Some(body), status: Some(status) }
        } else if width >= SIDE_BY_SIDE {
            let nav_w = tree.columns(width);
            let nav = Rect::new(0, 0, nav_w, body.height);
            let reader = Rect::new(nav_w, 0, width - nav_w, body.height);
            Panes { nav: Some(nav), reader: Some(reader), status: Some(status) }
        } else {
            // Narrow: only the focused pane is shown.
            match focus {
                Focus::Nav => Panes { nav: Some(body), reader: None, status: Some(status) },
                Focus::Reader => Panes { nav: None, reader: Some(body), status: Some(status) },
            }
        }
    }

    /// The reader's text area: inside the border, one column of padding each side.
    pub fn reader_text(&self) -> Option<Rect> {
        self.reader.map(|r| Rect::new(r.x + 2, r.y + 1, r.width.saturating_sub(4), r.height.saturating_sub(2)))
    }

    /// The tree's list area inside its border.
    pub fn nav_list(&self) -> Option<Rect> {
        self.nav.map(|r| Rect::new(r.x + 1, r.y + 1, r.width.saturating_sub(2), r.height.saturating_sub(2)))
    }
}

impl State {
    pub fn panes(&self) -> Panes {
        Panes::compute(self.size.0, self.size.1, self.focus, self.tree)
    }

    /// Show or hide the tree and set its width (from the config), laying the
    /// reader out again for the width it gets.
    pub fn set_tree(&mut self, tree: TreePane) {
        self.tree = tree;
        if !tree.shown {
            self.focus = Focus::Reader;
        }
        self.relayout();
    }

    /// A page laid out (from the shared page cache, by page and layout settings).
    pub(crate) fn page_doc(&mut self, page: Page, opts: LayoutOpts) -> Arc<Doc> {
        self.pages.get(&self.lib, page, opts)
    }

    /// The cache of laid-out pages this session uses.
    pub fn pages(&self) -> &Arc<Pages> {
        &self.pages
    }

    /// What the reader shows.
    pub fn page(&self) -> Page {
        match self.reader.industry {
            Some(i) => Page::Industry(i),
            None => Page::Node(self.reader.node),
        }
    }

    /// The width pages are laid out for (the reader's text area).
    pub fn layout_width(&self) -> usize {
        self.layout_opts().width as usize
    }

    pub(crate) fn layout_opts(&self) -> LayoutOpts {
        // Lay out for the reader at its wide-screen size even when the narrow
        // layout hides it, so that switching panes keeps the scroll position.
        let text = Panes::compute(self.size.0, self.size.1, Focus::Reader, self.tree).reader_text();
        LayoutOpts {
            width: text.map(|r| r.width).unwrap_or(1).max(1),
            ascii: self.theme.ascii,
            compact_tables: self.compact_tables,
            table_bars: self.table_bars,
            measure: self.options.width,
            ambiwide: self.options.ambiwidth == crate::options::AmbiWidth::Wide,
        }
    }

    pub fn reader_height(&self) -> usize {
        Panes::compute(self.size.0, self.size.1, Focus::Reader, self.tree)
            .reader_text()
            .map(|r| r.height as usize)
            .unwrap_or(0)
    }

    pub fn nav_height(&self) -> usize {
        // As if shown: the tree keeps its selection in view while hidden.
        let tree = TreePane { shown: true, ..self.tree };
        Panes::compute(self.size.0, self.size.1, Focus::Nav, tree).nav_list().map(|r| r.height as usize).unwrap_or(0)
    }

    pub(super) fn max_scroll(&self) -> usize {
        self.reader.doc.lines.len().saturating_sub(self.reader_height().max(1))
    }

    /// Lay out the current page for the current size (cached), keeping the
    /// line at the top of the reader: the same place in the text, not just
    /// the same section.
    pub(super) fn relayout(&mut self) {
        let opts = self.layout_opts();
        let doc = self.page_doc(self.page(), opts);
        if !Arc::ptr_eq(&doc, &self.reader.doc) {
            let anchor = self.reader.anchor.or_else(|| self.reader.doc.lines.get(self.reader.scroll).map(|l| l.at));
            let focus = self.reader.doc.lines.get(self.focus_line()).map(|l| l.at);
            let had_lines = !self.reader.doc.lines.is_empty();
            self.reader.doc = doc;
            if let (Some(at), true) = (anchor, had_lines) {
                self.reader.scroll = self.reader.doc.line_at(at);
                self.reader.anchor = Some(at);
            }
            // The focus stays on its block's line (and in view).
            if let (Some(at), true) = (focus, had_lines) {
                self.reader.focus_line = self.reader.doc.line_at(at);
            }
        }
        self.reader.find.recompute(&self.reader.doc);
        self.reader.scroll = self.reader.scroll.min(self.max_scroll());
        self.keep_focus_in_view();
        self.fix_nav();
    }

    /// Moving the focus to a hidden tree shows it: no key leaves the
    /// focus on a pane that is not drawn.
    pub(super) fn show_tree_if_focused(&mut self) {
        if self.focus == Focus::Nav && !self.tree.shown {
            self.tree.shown = true;
            self.relayout();
        }
    }

    /// Keep the tree's selected row in view.
    pub(super) fn fix_nav(&mut self) {
        let h = self.nav_height();
        self.nav.ensure_visible(&self.lib, h);
    }

    /// Show a node in the reader, remembering where we were on the old page.
    pub fn show(&mut self, node: NodeId) {
        if node == self.reader.node && self.reader.industry.is_none() && !self.reader.doc.lines.is_empty() {
            return;
        }
        self.remember_here();
        self.reader.industry = None;
        self.reader.industry_ctx = None;
        self.reader.industry_part = None;
        self.reader.node = node;
        self.reader.scroll = 0;
        self.reader.anchor = None;
        self.reader.doc = Arc::new(Doc::default());
        self.relayout();
        self.reader.scroll = match self.memory.position(Page::Node(node)) {
            Some(pos) => self.reader.doc.line_at(pos).min(self.max_scroll()),
            None => 0,
        };
        self.focus_top();
    }

    pub(super) fn scroll_to(&mut self, line: usize) {
        self.reader.scroll = line.min(self.max_scroll());
        self.keep_focus_in_view();
    }

    pub(super) fn movement(&mut self, action: Action) {
        match self.focus {
            Focus::Nav => {
                let page = self.nav_height().max(1) as isize;
                let delta = match action {
                    Action::MoveDown => 1,
                    Action::MoveUp => -1,
                    Action::PageDown => page,
                    Action::PageUp => -page,
                    Action::HalfPageDown => (page / 2).max(1),
                    Action::HalfPageUp => -(page / 2).max(1),
                    Action::Top => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                self.nav.move_by(&self.lib, delta);
                self.fix_nav();
                // A group's row has no page: the reader stays.
                if let Some(sel) = self.nav.selected_node() {
                    self.show(sel);
                }
            }
            Focus::Reader => {
                // Reading straight through: paging on at a section's end
                // goes on into the next one; paging back at its top, into
                // the end of the one before.
                let down = matches!(action, Action::PageDown | Action::HalfPageDown);
                let up = matches!(action, Action::PageUp | Action::HalfPageUp);
                if self.reader.industry.is_none() && !self.reader.doc.lines.is_empty() {
                    if down && self.reader.scroll >= self.max_scroll() {
                        self.step_section(true, false);
                        return;
                    }
                    if up && self.reader.scroll == 0 {
                        self.step_section(false, true);
                        return;
                    }
                }
                let page = self.reader_height().saturating_sub(1).max(1) as isize;
                let half = (self.reader_height() as isize / 2).max(1);
                match action {
                    Action::MoveDown => self.scroll_focus(1),
                    Action::MoveUp => self.scroll_focus(-1),
                    Action::PageDown => self.scroll_focus(page),
                    Action::PageUp => self.scroll_focus(-page),
                    Action::HalfPageDown => self.scroll_focus(half),
                    Action::HalfPageUp => self.scroll_focus(-half),
                    Action::Top => {
                        self.scroll_to(0);
                        self.focus_top();
                    }
                    _ => {
                        self.scroll_to(usize::MAX);
                        self.focus_last();
                    }
                }
            }
        }
    }

    /// The section the reader's focus is in (for the breadcrumb and `]`/`[`).
    pub fn reader_top_node(&self) -> NodeId {
        self.focused_node()
    }

    /// `}` / `{`: the next or previous section in reading order (the next
    /// one after everything the page shows; going back, the one just
    /// before), from its top, or with `at_end` its end.
    pub(super) fn step_section(&mut self, forward: bool, at_end: bool) {
        if self.reader.industry.is_some() {
            self.message = Some("行业页没有上下节：按 ] / [ 换行业".into());
            return;
        }
        let node = self.reader.node;
        let Some(&root) = self.lib.ancestry(node).first() else { return };
        // The report's nodes in reading order.
        let mut order = Vec::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            order.push(n);
            if let Some(x) = self.lib.nodes.get(n) {
                stack.extend(x.children.iter().rev());
            }
        }
        let Some(i) = order.iter().position(|&n| n == node) else { return };
        let target = if forward {
            order[i + 1..].iter().copied().find(|&n| !self.lib.ancestry(n).contains(&node))
        } else {
            i.checked_sub(1).map(|j| order[j])
        };
        let Some(target) = target else {
            self.message = Some(if forward { "已是本报告最后一节" } else { "已是本报告开头" }.into());
            return;
        };
        self.jump_to(target);
        self.focus = Focus::Reader;
        if at_end {
            self.scroll_to(usize::MAX);
            self.focus_last();
        } else {
            self.scroll_to(0);
            self.focus_top();
        }
    }

    /// Jump to a node: select it in the tree and show it.
    pub fn jump_to(&mut self, node: NodeId) {
        if node >= self.lib.nodes.len() {
            return;
        }
        self.nav.reveal(&self.lib, node);
        self.fix_nav();
        self.show(node);
    }
}
