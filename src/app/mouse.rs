//! The mouse and the tree pane's size. Clicks and the wheel arrive as
//! actions carrying a cell (`Click`, `Wheel`); they are hit-tested against
//! the same pure layout functions the renderer draws with (`Panes`,
//! `SearchLayout`), computed from the size in the state, so that nothing of a
//! frame is kept to answer "what is under the pointer".

use super::{Focus, Overlay, SearchLayout, State, keep_visible, max_help_scroll};
use crate::action::{Action, Effect};
use crate::config::TREE_WIDTH_RANGE;
use ratatui::layout::Rect;

/// The tree pane: shown or hidden (`z`), and its width (`+`, `-`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreePane {
    pub shown: bool,
    /// Columns; `None`: 30% of the screen, from 24 to 40.
    pub width: Option<u16>,
}

impl Default for TreePane {
    fn default() -> Self {
        TreePane { shown: true, width: None }
    }
}

/// The fewest columns left to the reader beside the tree.
pub const READER_MIN: u16 = 30;
/// Below this many columns only the focused pane is shown.
pub const SIDE_BY_SIDE: u16 = 60;
/// How many columns `+` and `-` add or take.
const TREE_STEP: u16 = 4;
/// Lines the wheel scrolls per notch.
pub const WHEEL_LINES: i8 = 3;

impl TreePane {
    /// The tree's width beside the reader on a screen `width` columns wide
    /// (at least `SIDE_BY_SIDE`).
    pub fn columns(&self, width: u16) -> u16 {
        let w = self.width.unwrap_or((width / 10 * 3).clamp(24, 40));
        w.clamp(TREE_WIDTH_RANGE.0, TREE_WIDTH_RANGE.1).min(width.saturating_sub(READER_MIN))
    }
}

/// The industry switcher's popup on a screen `area` for `n` industries: the
/// popup, and its inner area (a header row, then one row per industry).
/// Shared by the renderer and the hit test.
pub fn switcher_layout(area: Rect, n: usize) -> Option<(Rect, Rect)> {
    let w = area.width.saturating_sub(4).min(64);
    let h = area.height.saturating_sub(2).min(n.min(u16::MAX as usize - 3) as u16 + 3);
    if w < 12 || h < 3 {
        return None;
    }
    let popup = super::centered(area, w, h);
    let inner = Rect::new(popup.x + 1, popup.y + 1, popup.width - 2, popup.height - 2);
    Some((popup, inner))
}

/// The first industry row shown, keeping `selected` in the `rows` shown.
pub fn switcher_offset(selected: usize, rows: usize) -> usize {
    selected.saturating_sub(rows.saturating_sub(1))
}

fn inside(r: Option<Rect>, x: u16, y: u16) -> bool {
    r.is_some_and(|r| x >= r.x && x < r.right() && y >= r.y && y < r.bottom())
}

impl State {
    /// `z`: hide the tree (the reader takes the screen) or show it again.
    pub(super) fn toggle_tree(&mut self) {
        self.tree.shown = !self.tree.shown;
        if self.tree.shown {
            self.message = Some("显示目录（z 隐藏，+/- 调宽度）".into());
        } else {
            self.focus = Focus::Reader;
            self.message = Some("隐藏目录（z 显示）".into());
        }
        self.relayout();
    }

    /// `+` / `-`: the tree wider or narrower, within bounds; it is shown if hidden.
    pub(super) fn resize_tree(&mut self, wider: bool) {
        let now = self.tree.columns(self.size.0.max(SIDE_BY_SIDE));
        let (lo, hi) = TREE_WIDTH_RANGE;
        let hi = hi.min(self.size.0.max(SIDE_BY_SIDE).saturating_sub(READER_MIN)).max(lo);
        let next = if wider { now.saturating_add(TREE_STEP) } else { now.saturating_sub(TREE_STEP) }.clamp(lo, hi);
        self.tree = super::TreePane { shown: true, width: Some(next) };
        self.message = Some(if next == now {
            format!("目录宽 {next} 列（{}）", if wider { "已最宽" } else { "已最窄" })
        } else {
            format!("目录宽 {next} 列")
        });
        self.relayout();
    }

    /// A click (left button) at a cell, or the wheel turned over one.
    pub(super) fn pointer(&mut self, action: Action) -> Vec<Effect> {
        let (x, y, lines) = match action {
            Action::Click(x, y) => (x, y, None),
            Action::Wheel(x, y, n) => (x, y, Some(n)),
            _ => return vec![],
        };
        if self.size.0 < crate::layout::MIN_SIZE.0 || self.size.1 < crate::layout::MIN_SIZE.1 {
            return vec![]; // nothing is drawn to click on
        }
        match self.overlays.last() {
            None => {}
            Some(Overlay::Search(_)) => return self.pointer_finder(x, y, lines),
            Some(Overlay::Figures(_)) => return self.pointer_figures(x, y, lines),
            Some(Overlay::Help { .. }) => {
                if let Some(n) = lines {
                    let max = max_help_scroll(&self.keymap, self.size);
                    if let Some(Overlay::Help { scroll }) = self.overlays.last_mut() {
                        *scroll = scroll.saturating_add_signed(n as isize).min(max);
                    }
                }
                return vec![];
            }
            Some(Overlay::Industries { selected }) if lines.is_none() => {
                // A click selects an industry; a click on the selected one opens it.
                let selected = *selected;
                let n = self.lib.industries.len();
                let Some((_, inner)) = switcher_layout(Rect::new(0, 0, self.size.0, self.size.1), n) else {
                    return vec![];
                };
                let rows = inner.height.saturating_sub(1) as usize;
                let list = Rect::new(inner.x, inner.y + 1, inner.width, rows as u16);
                if !inside(Some(list), x, y) {
                    return vec![];
                }
                let i = switcher_offset(selected, rows) + (y - list.y) as usize;
                if i == selected {
                    return self.apply(Action::Confirm);
                }
                if let (Some(Overlay::Industries { selected }), true) = (self.overlays.last_mut(), i < n) {
                    *selected = i;
                }
                return vec![];
            }
            Some(Overlay::Company(_)) | Some(Overlay::Industries { .. }) => {
                // The wheel moves the selection, one row a notch.
                return match lines {
                    Some(n) if n > 0 => self.apply(Action::MoveDown),
                    Some(n) if n < 0 => self.apply(Action::MoveUp),
                    _ => vec![],
                };
            }
            // The find prompt and the chart view take no clicks.
            Some(_) => return vec![],
        }
        let panes = self.panes();
        if inside(panes.nav, x, y) {
            match lines {
                Some(n) => {
                    // The tree's view scrolls; the selection stays.
                    let rows = self.nav.visible(&self.lib).len();
                    let h = panes.nav_list().map_or(1, |r| r.height.max(1) as usize);
                    let max = rows.saturating_sub(h);
                    self.nav.offset = self.nav.offset.saturating_add_signed(n as isize).min(max);
                }
                None => {
                    self.focus = Focus::Nav;
                    let list = panes.nav_list();
                    if let Some(l) = list.filter(|_| inside(list, x, y)) {
                        let row = self.nav.offset + (y - l.y) as usize;
                        if let Some(&hit) = self.nav.visible(&self.lib).get(row) {
                            if hit == self.nav.selected {
                                // A second click on the selected row opens it, as Enter does.
                                return self.apply(Action::Open);
                            }
                            self.nav.selected = hit;
                            if let Some(node) = hit.node() {
                                self.show(node);
                            }
                        }
                    }
                    // Keep the clicked row where it is: the offset stays.
                    let h = self.nav_height();
                    let (sel, mut offset) = (self.nav.selected_row(&self.lib), self.nav.offset);
                    keep_visible(sel, &mut offset, h);
                    self.nav.offset = offset;
                }
            }
        } else if inside(panes.reader, x, y) {
            match lines {
                Some(n) => self.scroll_focus(n as isize),
                None => {
                    self.focus = Focus::Reader;
                    // A click on a line of text focuses its block.
                    if let Some(t) = panes.reader_text()
                        && y >= t.y
                        && y < t.y + t.height
                    {
                        self.reader.focus_line = self.reader.scroll + (y - t.y) as usize;
                        self.keep_focus_in_view();
                    }
                }
            }
        }
        vec![]
    }

    /// The finder: a click selects a result, a click on the selected one
    /// opens it (so a double click opens); the wheel moves the selection
    /// over the list and scrolls the preview over the preview.
    fn pointer_finder(&mut self, x: u16, y: u16, lines: Option<i8>) -> Vec<Effect> {
        let Some(l) = SearchLayout::compute(self.size.0, self.size.1) else { return vec![] };
        if inside(Some(l.list), x, y) {
            let Some(Overlay::Search(s)) = self.overlays.last_mut() else { return vec![] };
            let n = s.hits.len();
            let target = match lines {
                Some(d) => s.selected.saturating_add_signed(d.signum() as isize),
                None => s.offset + (y - l.list.y) as usize,
            };
            if target >= n {
                return vec![];
            }
            if lines.is_none() && target == s.selected {
                return self.apply(Action::Confirm);
            }
            s.selected = target;
            keep_visible(s.selected, &mut s.offset, l.list.height as usize);
            self.refresh_preview();
        } else if let (Some(n), true) = (lines, inside(l.preview_frame, x, y)) {
            let height = l.preview.map_or(1, |r| r.height as usize);
            if let Some(Overlay::Search(s)) = self.overlays.last_mut()
                && let Some(p) = &mut s.preview
            {
                let max = p.doc.lines.len().saturating_sub(height);
                p.scroll = p.scroll.saturating_add_signed(n as isize).min(max);
            }
        }
        vec![]
    }
}
