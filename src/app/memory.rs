//! Reading memory inside the app: the position in each page read (an LRU),
//! marks (`m a`, `' a`, `' '`, the `M` list) and the jump list (ctrl-o back,
//! ctrl-t forward). Pure state: what is kept on disk is made by
//! [`State::saved`] and read back by [`State::restore`]; the runtime does
//! the writing (`crate::state`).

use super::{CompanyState, Focus, Overlay, State, keep_visible};
use crate::action::Action;
use crate::content::{Library, NodeId};
use crate::doc::{Page, Pos};
use crate::state::{MARK_TEXT, MAX_MARKS, MAX_POSITIONS, Saved, SavedMark, SavedPlace};
use ratatui::layout::Rect;

/// The jump list keeps at most this many places.
pub const MAX_JUMPS: usize = 100;

/// A place to come back to: a page, the position at the top of the reader
/// there, and the company page that was open over it, if any (its id and
/// selected row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub page: Page,
    pub pos: Pos,
    pub company: Option<(String, usize)>,
    /// The focus line's row in the view (coming back focuses the same
    /// block); `None`: `pos` is the focused line, shown at the reading line.
    pub row: Option<usize>,
}

/// A mark: a letter, a place, the section at the place (for the
/// breadcrumb) and the line of text it was set on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub name: char,
    pub page: Page,
    pub pos: Pos,
    pub node: NodeId,
    pub text: String,
}

/// A key after `m` or `'` is awaited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkOp {
    Set,
    Jump,
}

#[derive(Debug, Clone, Default)]
pub struct Memory {
    /// The position in each page read, least recently read first.
    positions: Vec<(Page, Pos)>,
    /// Marks, a-z then A-Z.
    pub marks: Vec<Mark>,
    /// Places jumped from, oldest first; `jump_ix` is where ctrl-o and
    /// ctrl-t stand (`jumps.len()`: at the present).
    pub jumps: Vec<Place>,
    pub jump_ix: usize,
    /// Where the last jump came from (`' '` goes there).
    pub last_from: Option<Place>,
    /// `m` or `'` was typed: the next key names the mark.
    pub pending: Option<MarkOp>,
    /// Where the reader was when the tree started to move it: a walk
    /// through the tree ending in the reader is one jump.
    tree_from: Option<Place>,
    /// Notes and highlights (see `crate::app::notes`), oldest first.
    pub notes: Vec<crate::state::SavedNote>,
    /// Bumped when marks or notes change (the runtime saves then).
    pub revision: u64,
}

impl Memory {
    /// The remembered position in a page.
    pub fn position(&self, page: Page) -> Option<Pos> {
        self.positions.iter().rev().find(|(p, _)| *p == page).map(|(_, pos)| *pos)
    }

    /// Remember a page's position, as the most recently read.
    pub fn remember(&mut self, page: Page, pos: Pos) {
        self.positions.retain(|(p, _)| *p != page);
        if self.positions.len() >= MAX_POSITIONS {
            self.positions.remove(0);
        }
        self.positions.push((page, pos));
    }

    /// How many page positions are kept.
    pub fn positions_len(&self) -> usize {
        self.positions.len()
    }

    pub fn mark(&self, name: char) -> Option<&Mark> {
        self.marks.iter().find(|m| m.name == name)
    }

    fn put_mark(&mut self, mark: Mark) {
        self.marks.retain(|m| m.name != mark.name);
        self.marks.push(mark);
        self.marks.sort_by_key(|m| (m.name.is_ascii_uppercase(), m.name));
        self.marks.truncate(MAX_MARKS);
        self.revision += 1;
    }

    /// Delete the i-th mark of the list.
    pub fn delete_mark(&mut self, i: usize) -> Option<Mark> {
        (i < self.marks.len()).then(|| {
            self.revision += 1;
            self.marks.remove(i)
        })
    }
}

/// The marks popup on a screen of `size`: centred, above the status bar;
/// `None` when the screen is too small for it.
pub fn marks_popup(size: (u16, u16), marks: usize) -> Option<Rect> {
    let (w, h) = size;
    let pw = w.saturating_sub(4).min(90);
    let ph = h.saturating_sub(3).min(26).min(marks.min(12) as u16 * 2 + 2);
    if pw < 12 || ph < 4 {
        return None;
    }
    Some(Rect::new((w - pw) / 2, (h.saturating_sub(1) - ph) / 2, pw, ph))
}

/// How many marks the popup shows at once (two rows each).
pub fn marks_rows(size: (u16, u16), marks: usize) -> usize {
    marks_popup(size, marks).map_or(1, |r| (r.height.saturating_sub(2) / 2).max(1) as usize)
}

/// The id a page is kept under: `n:<report or section id>`, `i:<industry id>`.
pub fn page_key(lib: &Library, page: Page) -> Option<String> {
    match page {
        Page::Node(n) => node_key(lib, n).map(|k| format!("n:{k}")),
        Page::Industry(i) => lib.industries.get(i).map(|x| format!("i:{}", x.id)),
    }
}

fn node_key(lib: &Library, n: NodeId) -> Option<String> {
    match lib.section(n) {
        Some(s) => Some(s.id.clone()),
        None => lib.report_of(n).map(|r| r.id.clone()),
    }
}

/// The page a key names in this content, if it is still there.
pub fn page_from_key(lib: &Library, key: &str) -> Option<Page> {
    if let Some(id) = key.strip_prefix("n:") {
        return lib.node_by_id(id).map(Page::Node);
    }
    let id = key.strip_prefix("i:")?;
    lib.industries.iter().position(|x| x.id == id).map(Page::Industry)
}

fn saved_place(lib: &Library, page: Page, pos: Pos) -> Option<SavedPlace> {
    Some(SavedPlace { page: page_key(lib, page)?, item: pos.item, unit: pos.unit, off: pos.off })
}

fn place_from(lib: &Library, p: &SavedPlace) -> Option<(Page, Pos)> {
    Some((page_from_key(lib, &p.page)?, Pos { item: p.item, unit: p.unit, off: p.off }))
}

impl State {
    /// Where the reader is: the page, the place at the top of the view (the
    /// one a resize keeps), and the company page open over it.
    pub fn place(&self) -> Place {
        let pos = self
            .reader
            .anchor
            .or_else(|| self.reader.doc.lines.get(self.reader.scroll).map(|l| l.at))
            .unwrap_or_default();
        let company = self.overlays.iter().rev().find_map(|o| match o {
            Overlay::Company(c) => Some((c.id.clone(), c.selected)),
            _ => None,
        });
        let row = self.focus_line().saturating_sub(self.reader.scroll);
        Place { page: self.page(), pos, company, row: Some(row) }
    }

    /// Remember the position in the page shown, before leaving it.
    pub(super) fn remember_here(&mut self) {
        if self.reader.doc.lines.is_empty() {
            return;
        }
        let p = self.place();
        self.memory.remember(p.page, p.pos);
    }

    /// The line of the current page that shows `pos`.
    fn scroll_to_pos(&mut self, pos: Pos, row: Option<usize>) {
        let line = self.reader.doc.line_at(pos);
        let Some(row) = row else {
            self.land(line);
            return;
        };
        self.reader.scroll = line.min(self.max_scroll());
        self.reader.focus_line = self.reader.scroll.saturating_add(row);
        self.keep_focus_in_view();
    }

    /// Show a place: its page, at its position, with its company page over it.
    pub fn go_to(&mut self, place: &Place) {
        match place.page {
            Page::Node(n) if n < self.lib.nodes.len() => {
                self.overlays.clear();
                self.jump_to(n);
            }
            Page::Industry(i) if i < self.lib.industries.len() => {
                self.overlays.clear();
                if self.reader.industry != Some(i) {
                    self.show_industry(i, None);
                }
                self.reader.industry_ctx = None;
            }
            _ => return,
        }
        self.focus = Focus::Reader;
        self.scroll_to_pos(place.pos, place.row);
        if let Some((id, selected)) = &place.company
            && self.lib.company(id).is_some()
        {
            let mentions = self.index.mentions(&self.lib, id);
            let selected = (*selected).min(mentions.len().saturating_sub(1));
            let mut offset = 0;
            keep_visible(selected, &mut offset, self.list_height());
            self.overlays.push(Overlay::Company(CompanyState { id: id.clone(), mentions, selected, offset }));
        }
    }

    /// Whether an action, in the state it arrives in, is a jump: the place
    /// left goes on the jump list.
    pub(super) fn is_jump(&self, action: &Action) -> bool {
        match self.overlays.last() {
            // Enter in a filter being typed keeps it: no jump.
            Some(Overlay::Notes(l)) if l.editing => false,
            Some(
                Overlay::Search(_)
                | Overlay::Company(_)
                | Overlay::Marks { .. }
                | Overlay::Notes(_)
                | Overlay::Figures(_)
                | Overlay::Command(_),
            ) => {
                matches!(action, Action::Confirm | Action::Open)
            }
            Some(Overlay::Industries { .. }) => {
                matches!(action, Action::Confirm | Action::Open | Action::GotoIndustry(_))
            }
            Some(_) => false,
            None => matches!(
                action,
                Action::Top
                    | Action::Bottom
                    | Action::GotoIndustry(_)
                    | Action::NextIndustry
                    | Action::PrevIndustry
                    | Action::MarkJump(_)
            ),
        }
    }

    /// Put the place left by a jump on the jump list. A jump made after
    /// going back drops the places ahead, as in a browser.
    pub(super) fn record_jump(&mut self, from: Place) {
        let m = &mut self.memory;
        m.jumps.truncate(m.jump_ix);
        // A walk through the tree before this jump is a place of its own.
        let walk = m.tree_from.take().filter(|t| t.page != from.page);
        for p in walk.into_iter().chain(std::iter::once(from.clone())) {
            if m.jumps.last() != Some(&p) {
                m.jumps.push(p);
            }
        }
        while m.jumps.len() > MAX_JUMPS {
            m.jumps.remove(0);
        }
        m.jump_ix = m.jumps.len();
        m.last_from = Some(from);
    }

    /// Called after every action with the place before it: records jumps,
    /// including a walk through the tree that ends in the reader.
    pub(super) fn after_action(&mut self, jump: bool, focus_before: Focus, before: Place) {
        let now = self.place();
        if jump {
            if now != before {
                self.record_jump(before);
            }
            return;
        }
        if focus_before == Focus::Nav && self.focus == Focus::Nav && now.page != before.page {
            if self.memory.tree_from.is_none() {
                self.memory.tree_from = Some(before);
            }
        } else if self.focus == Focus::Reader
            && let Some(from) = self.memory.tree_from.take()
            && from.page != now.page
        {
            self.record_jump(from);
        }
    }

    /// ctrl-o: back to the place the last jump left.
    pub(super) fn jump_back(&mut self) {
        // A walk through the tree not yet ended in the reader counts too.
        if let Some(from) = self.memory.tree_from.take()
            && from.page != self.page()
        {
            self.record_jump(from);
        }
        if self.memory.jump_ix == 0 || self.memory.jumps.is_empty() {
            self.message = Some("已在跳转记录的最早处".into());
            return;
        }
        let here = self.place();
        let m = &mut self.memory;
        m.jump_ix = m.jump_ix.min(m.jumps.len());
        if m.jump_ix == m.jumps.len() {
            m.jumps.push(here.clone());
            if m.jumps.len() > MAX_JUMPS + 1 {
                m.jumps.remove(0);
                m.jump_ix -= 1;
            }
        } else {
            m.jumps[m.jump_ix] = here.clone();
        }
        m.jump_ix -= 1;
        m.last_from = Some(here);
        m.tree_from = None;
        let to = m.jumps[m.jump_ix].clone();
        self.go_to(&to);
    }

    /// ctrl-t: forward again, after ctrl-o.
    pub(super) fn jump_forward(&mut self) {
        if self.memory.jump_ix + 1 >= self.memory.jumps.len() {
            self.message = Some("已在跳转记录的最新处".into());
            return;
        }
        let here = self.place();
        let m = &mut self.memory;
        m.jumps[m.jump_ix] = here.clone();
        m.jump_ix += 1;
        m.last_from = Some(here);
        m.tree_from = None;
        let to = m.jumps[m.jump_ix].clone();
        self.go_to(&to);
    }

    /// `m` + letter: a mark at the place at the top of the reader.
    pub(super) fn set_mark(&mut self, name: char) {
        if !name.is_ascii_alphabetic() {
            self.message = Some(format!("标记名须是字母 a-z、A-Z：{name}"));
            return;
        }
        if self.reader.doc.lines.is_empty() {
            self.message = Some("这里没有可标记的位置".into());
            return;
        }
        // The focused block: its first line is the place.
        let doc = &self.reader.doc;
        let line = self.focused_block().map_or(self.focus_line(), |f| f.lines.start);
        let line = line.min(doc.lines.len().saturating_sub(1));
        let pos = doc.lines[line].at;
        // The line at the place, or the first line with text below it.
        let text = doc.lines.iter().skip(line).take(20).map(|l| l.text()).find(|t| !t.trim().is_empty());
        let text = text.unwrap_or_default();
        // A table, chart or cards: their kind and title (`表格 …`), never a
        // fragment of their cells.
        let boxed = self.focused_content().is_some_and(|(_, b)| {
            use crate::content::Block;
            matches!(b, Block::Table(_) | Block::Series(_) | Block::Metrics(_))
        });
        let text = match self.focus_label() {
            Some(l) if boxed || doc.lines.get(line).is_some_and(|l| l.boxed) => l,
            _ => text,
        };
        let text: String = text.trim().chars().take(MARK_TEXT).collect();
        let node = self.focused_node();
        let replaced = self.memory.mark(name).is_some();
        self.memory.put_mark(Mark { name, page: self.page(), pos, node, text });
        self.message =
            Some(if replaced { format!("标记 {name} 已移到这里") } else { format!("已设标记 {name}") });
    }

    /// `'` + letter: go to a mark; `' '` (or `` ` ` ``): back where the
    /// last jump came from.
    pub(super) fn goto_mark(&mut self, name: char) {
        let to = if name == '\'' || name == '`' {
            match self.memory.last_from.clone() {
                Some(p) => p,
                None => {
                    self.message = Some("还没有跳转过".into());
                    return;
                }
            }
        } else {
            match self.memory.mark(name) {
                Some(m) => Place { page: m.page, pos: m.pos, company: None, row: None },
                None => {
                    self.message = Some(if name.is_ascii_alphabetic() {
                        format!("没有标记 {name}（按 m {name} 设置）")
                    } else {
                        format!("标记名须是字母 a-z、A-Z：{name}")
                    });
                    return;
                }
            }
        };
        self.go_to(&to);
    }

    /// The marks overlay (`M`).
    pub(super) fn update_marks(&mut self, action: Action) -> Vec<crate::action::Effect> {
        let h = marks_rows(self.size, self.memory.marks.len());
        let Some(Overlay::Marks { selected, .. }) = self.overlays.last() else {
            return vec![];
        };
        let (selected, n) = (*selected, self.memory.marks.len());
        let sel = match action {
            a if super::list::is_move(&a) => super::list::step(&a, selected, n, h),
            Action::DeleteMark => {
                if let Some(m) = self.memory.delete_mark(selected) {
                    self.message = Some(format!("已删除标记 {}", m.name));
                }
                selected
            }
            Action::Confirm | Action::Open => {
                if let Some(m) = self.memory.marks.get(selected) {
                    let to = Place { page: m.page, pos: m.pos, company: None, row: None };
                    self.go_to(&to);
                }
                return vec![];
            }
            Action::CloseOverlay | Action::Marks => {
                self.overlays.pop();
                return vec![];
            }
            Action::Quit => return vec![crate::action::Effect::Quit],
            _ => return vec![],
        };
        let n = self.memory.marks.len();
        if n == 0 {
            // The last mark went: the list closes.
            self.overlays.pop();
        } else if let Some(Overlay::Marks { selected, offset }) = self.overlays.last_mut() {
            *selected = sel.min(n - 1);
            keep_visible(*selected, offset, h);
        }
        vec![]
    }

    /// What is kept on disk: the place now, the positions (this page's
    /// included) and the marks.
    pub fn saved(&self) -> Saved {
        let lib = &self.lib;
        let here = (!self.reader.doc.lines.is_empty()).then(|| self.place());
        let mut positions: Vec<SavedPlace> = self
            .memory
            .positions
            .iter()
            .filter(|(p, _)| here.as_ref().is_none_or(|h| h.page != *p))
            .filter_map(|(p, pos)| saved_place(lib, *p, *pos))
            .collect();
        let last = here.as_ref().and_then(|h| saved_place(lib, h.page, h.pos));
        positions.extend(last.clone());
        let marks = self
            .memory
            .marks
            .iter()
            .filter_map(|m| {
                Some(SavedMark {
                    name: m.name,
                    place: saved_place(lib, m.page, m.pos)?,
                    node: node_key(lib, m.node).unwrap_or_default(),
                    text: m.text.clone(),
                })
            })
            .collect();
        let grouping = self.nav.groupable().then(|| self.nav.grouping().name().to_string());
        Saved {
            last,
            positions,
            marks,
            grouping,
            finder_history: self.finder.history.entries().to_vec(),
            find_history: self.find_history.clone(),
            notes: self.memory.notes.clone(),
            finder_last: self
                .finder
                .last
                .as_ref()
                .filter(|s| !s.input.trim().is_empty())
                .map(|s| (s.input.clone(), s.selected)),
            finder_recent: self.recent_keys(),
            command_history: self.command_history.clone(),
            ..Saved::default()
        }
        .bounded()
    }

    /// The finder's opened results as kept in the state file: those read
    /// from it and not yet taken (the index not read yet), then this run's.
    fn recent_keys(&self) -> Vec<String> {
        let mut keys = self.finder.kept.clone();
        if !self.finder.recent.is_empty() && self.index.is_ready() {
            for &u in &self.finder.recent {
                if let Some(k) = super::search::recent_key(&self.index, u) {
                    keys.retain(|x| *x != k);
                    keys.push(k);
                }
            }
        }
        keys
    }

    /// Take back what was kept: positions and marks, and with `resume` the
    /// last place (not a jump). Places no longer in the content are dropped.
    pub fn restore(&mut self, saved: &Saved, resume: bool) {
        let lib = std::sync::Arc::clone(&self.lib);
        for p in &saved.positions {
            if let Some((page, pos)) = place_from(&lib, p) {
                self.memory.remember(page, pos);
            }
        }
        for m in &saved.marks {
            if let Some((page, pos)) = place_from(&lib, &m.place)
                && m.name.is_ascii_alphabetic()
            {
                let node = lib.node_by_id(&m.node).unwrap_or(match page {
                    Page::Node(n) => n,
                    Page::Industry(_) => 0,
                });
                self.memory.put_mark(Mark { name: m.name, page, pos, node, text: m.text.clone() });
            }
        }
        self.memory.notes = saved.notes.clone();
        self.finder.history = crate::search::history::QueryHistory::from_entries(saved.finder_history.iter().cloned());
        self.find_history = saved.find_history.clone();
        self.command_history = saved.command_history.clone();
        self.finder.kept = saved.finder_recent.clone();
        self.finder.recent.clear();
        if let Some((q, selected)) = &saved.finder_last {
            self.finder.last = Some(super::SearchState { input: q.clone(), selected: *selected, ..Default::default() });
        }
        self.memory.revision = 0;
        if let Some(g) = saved.grouping.as_deref().and_then(super::Grouping::from_name)
            && self.nav.groupable()
        {
            self.set_grouping(g);
        }
        if resume && let Some((page, pos)) = saved.last.as_ref().and_then(|p| place_from(&lib, p)) {
            // Only the group of the report resumed is open.
            if matches!(page, Page::Node(_)) {
                self.nav.close_groups(&lib);
            }
            self.go_to(&Place { page, pos, company: None, row: Some(0) });
            // Kept through the first resize, as after `w`.
            self.reader.anchor = Some(pos);
        }
    }
}
