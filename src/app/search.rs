//! The finder overlay and the company page: state and layout. The matching
//! itself lives in `crate::search`.

use super::{FindState, Focus, Overlay, State};
use crate::action::{Action, Effect};
use crate::content::NodeId;
use crate::doc::Doc;
use crate::doc::{LayoutOpts, Page};
use crate::search::Hit;
use crate::search::history::QueryHistory;
use crate::search::{Query, Target};
use ratatui::layout::Rect;
use std::sync::Arc;

/// The selected result shown in its place, with the hit highlighted.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub doc: Arc<Doc>,
    pub scroll: usize,
    pub find: FindState,
}

/// The finder: the query, its ranked hits, the selection and its preview.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchState {
    pub input: String,
    pub hits: Vec<Hit>,
    /// How many results matched (the list holds at most 500).
    pub matched: usize,
    /// Scattered matches were not counted (the prompt shows `+`).
    pub more: bool,
    pub selected: usize,
    /// First visible row of the result list.
    pub offset: usize,
    pub preview: Option<Preview>,
    /// The history entry shown in the prompt (ctrl-p/ctrl-n), if any.
    pub history: Option<usize>,
    /// What was typed before stepping into the history (restored past its newest entry).
    pub draft: String,
    /// The units the last query matched: the next key, when it narrows
    /// that query, searches only these (`Index::find_narrowing`).
    pub matches: Option<Arc<crate::search::Matches>>,
}

/// What the finder remembers between openings (in memory only).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FinderMemory {
    /// The last finder as it was left (query, results, selection, scroll).
    pub last: Option<SearchState>,
    /// Units opened from the finder or a company page, most recent last:
    /// among equal results, the recent ones rank first.
    pub recent: Vec<usize>,
    /// Queries the finder was left with (see `QueryHistory`).
    pub history: QueryHistory,
    /// Opened results read from the state file (`unit<TAB>title`), taken
    /// into `recent` when the index is first searched (it may load late).
    pub kept: Vec<String>,
}

/// A unit's key in the state file: its index and its title, one line.
pub(super) fn recent_key(index: &crate::search::Index, unit: usize) -> Option<String> {
    let u = index.units.get(unit)?;
    Some(format!("{unit}\t{}", u.title.replace(['\n', '\r', '\t'], " ")))
}

/// How many opened units the finder remembers for ranking.
const RECENT: usize = 64;

impl FinderMemory {
    fn opened(&mut self, unit: usize) {
        self.recent.retain(|&u| u != unit);
        if self.recent.len() >= RECENT {
            self.recent.remove(0);
        }
        self.recent.push(unit);
    }
}

/// A company's page: its registry entry and every mention, each a jump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyState {
    pub id: String,
    /// Search units that mention the company, in reading order.
    pub mentions: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
}

/// Where the finder's parts go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchLayout {
    pub frame: Rect,
    pub input: Rect,
    pub list: Rect,
    /// The preview's text area (inside its border), if there is room.
    pub preview: Option<Rect>,
    pub preview_frame: Option<Rect>,
}

impl SearchLayout {
    /// The finder covers the screen above the status bar: results beside the
    /// preview when wide, above it when not.
    pub fn compute(width: u16, height: u16) -> Option<SearchLayout> {
        let h = height.saturating_sub(1);
        if width < 10 || h < 5 {
            return None;
        }
        let frame = Rect::new(0, 0, width, h);
        let inner = Rect::new(1, 1, width - 2, h - 2);
        let input = Rect::new(inner.x, inner.y, inner.width, 1);
        let body = Rect::new(inner.x, inner.y + 1, inner.width, inner.height.saturating_sub(1));
        let (list, pf) = if width >= 100 {
            let lw = body.width / 2;
            (
                Rect::new(body.x, body.y, lw, body.height),
                Some(Rect::new(body.x + lw, body.y, body.width - lw, body.height)),
            )
        } else if body.height >= 12 {
            let lh = body.height / 2;
            (
                Rect::new(body.x, body.y, body.width, lh),
                Some(Rect::new(body.x, body.y + lh, body.width, body.height - lh)),
            )
        } else {
            (body, None)
        };
        let preview = pf
            .map(|r| Rect::new(r.x + 2, r.y + 1, r.width.saturating_sub(4), r.height.saturating_sub(2)))
            .filter(|r| r.width >= 4 && r.height >= 1);
        Some(SearchLayout { frame, input, list, preview, preview_frame: pf.filter(|_| preview.is_some()) })
    }
}

/// Keep `selected` within `height` rows starting at `offset`.
pub fn keep_visible(selected: usize, offset: &mut usize, height: usize) {
    let h = height.max(1);
    if selected < *offset {
        *offset = selected;
    } else if selected >= *offset + h {
        *offset = selected + 1 - h;
    }
}

/// The line of a page where `probe` is first found; shorter probes are
/// tried when a long one is broken by layout (a wrapped table cell).
pub fn locate(doc: &Doc, probe: &str) -> usize {
    let chars: Vec<char> = probe.chars().collect();
    for n in [10, 6, 3, 1] {
        if chars.len() < n && n != 1 {
            continue;
        }
        let p: String = chars.iter().take(n).collect();
        let mut f = FindState::default();
        f.set_query(&p, doc);
        if let Some(line) = f.first_from(0) {
            return line;
        }
    }
    0
}

/// A hit on a table's title alone (no cell matched): the table's place and
/// the start of its title, where the reader and the preview show it from.
fn table_title_hit(u: &crate::search::Unit, hit: &Hit) -> Option<(NodeId, String)> {
    match u.target {
        Target::Place { node, .. } if u.kind == crate::search::Kind::Table && hit.text_marks.is_empty() => {
            Some((node, u.title.chars().take(10).collect()))
        }
        _ => None,
    }
}

impl State {
    /// A page laid out at a given width (cached like the reader's pages).
    pub(super) fn doc_for(&mut self, node: NodeId, width: u16) -> Arc<Doc> {
        let opts = LayoutOpts { width: width.max(1), ..self.layout_opts() };
        self.page_doc(Page::Node(node), opts)
    }

    fn search_mut(&mut self) -> Option<&mut SearchState> {
        match self.overlays.last_mut() {
            Some(Overlay::Search(s)) => Some(s),
            _ => None,
        }
    }

    pub(super) fn list_height(&self) -> usize {
        SearchLayout::compute(self.size.0, self.size.1).map(|l| l.list.height as usize).unwrap_or(1)
    }

    /// The opened results kept from the last run, now that the index is
    /// read: those whose unit still has the same title.
    fn take_kept_recent(&mut self) {
        if self.finder.kept.is_empty() {
            return;
        }
        let kept = std::mem::take(&mut self.finder.kept);
        let mut recent: Vec<usize> = kept
            .iter()
            .filter_map(|k| {
                let (i, _) = k.split_once('\t')?;
                let i: usize = i.parse().ok()?;
                (recent_key(&self.index, i).as_deref() == Some(k.as_str())).then_some(i)
            })
            .collect();
        recent.retain(|u| !self.finder.recent.contains(u));
        recent.append(&mut self.finder.recent);
        let over = recent.len().saturating_sub(RECENT);
        self.finder.recent = recent.split_off(over);
    }

    fn run_search(&mut self) {
        self.take_kept_recent();
        let index = Arc::clone(&self.index);
        let recent = std::mem::take(&mut self.finder.recent);
        let (r, matches) = match self.overlays.last() {
            Some(Overlay::Search(s)) => {
                let mut matches = s.matches.clone();
                let q = Query::parse_for(&s.input, &self.lib);
                (index.find_narrowing(&q, 500, &recent, &mut matches), matches)
            }
            _ => Default::default(),
        };
        self.finder.recent = recent;
        let Some(s) = self.search_mut() else { return };
        (s.hits, s.matched, s.more, s.matches) = (r.hits, r.matched, r.more, matches);
        s.selected = 0;
        s.offset = 0;
        self.refresh_preview();
    }

    /// Lay out the selected hit's place for the preview, scrolled to the hit.
    pub(super) fn refresh_preview(&mut self) {
        let Some(Overlay::Search(s)) = self.overlays.last() else {
            return;
        };
        let layout = SearchLayout::compute(self.size.0, self.size.1);
        let hit = s.hits.get(s.selected).cloned();
        let preview = match (hit, layout.and_then(|l| l.preview)) {
            (Some(hit), Some(area)) => {
                let unit = &self.index.units[hit.unit];
                match &unit.target {
                    Target::Place { node, probe } => {
                        // A table's title: the preview starts at the title, as Enter opens it.
                        let title = table_title_hit(unit, &hit);
                        let (node, probe) = (*node, title.as_ref().map_or_else(|| probe.clone(), |t| t.1.clone()));
                        let needle = hit.matched(unit).unwrap_or_else(|| probe.clone());
                        let doc = self.doc_for(node, area.width);
                        let line = locate(&doc, &probe);
                        let mut find = FindState::default();
                        find.set_query(&needle, &doc);
                        let scroll = match title {
                            Some(_) => line,
                            None => find.first_from(line).unwrap_or(line).saturating_sub(2),
                        };
                        let max = doc.lines.len().saturating_sub(area.height as usize);
                        Some(Preview { scroll: scroll.min(max), doc, find })
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(s) = self.search_mut() {
            s.preview = preview;
        }
    }

    pub(super) fn update_search(&mut self, action: Action) -> Vec<Effect> {
        let h = self.list_height();
        let Some(Overlay::Search(s)) = self.overlays.last_mut() else {
            return vec![];
        };
        let n = s.hits.len();
        if matches!(action, Action::Insert(_) | Action::InsertText(_) | Action::DeleteChar | Action::ClearInput) {
            // An edited entry is a new query.
            s.history = None;
        }
        // ↑ in an empty prompt (nothing to select) recalls the last query.
        let action =
            if action == Action::MoveUp && s.input.is_empty() && n == 0 { Action::HistoryPrev } else { action };
        let moved = match action {
            Action::HistoryPrev | Action::HistoryNext => {
                let Some(to) = self.finder.history.step(s.history, action == Action::HistoryPrev) else {
                    return vec![];
                };
                if s.history.is_none() {
                    s.draft = s.input.clone();
                }
                s.history = to;
                s.input = match to {
                    Some(i) => self.finder.history.get(i).unwrap_or_default().to_string(),
                    None => std::mem::take(&mut s.draft),
                };
                return self.search_changed();
            }
            Action::Insert(c) => {
                let changed = crate::search::push_query(&mut s.input, c.encode_utf8(&mut [0; 4]));
                return if changed { self.search_changed() } else { vec![] };
            }
            Action::InsertText(t) => {
                // A paste is one search, however long it is.
                let changed = crate::search::push_query(&mut s.input, &t);
                return if changed { self.search_changed() } else { vec![] };
            }
            Action::DeleteChar => {
                let changed = s.input.pop().is_some();
                return if changed { self.search_changed() } else { vec![] };
            }
            Action::ClearInput => {
                let changed = !s.input.is_empty();
                s.input.clear();
                return if changed { self.search_changed() } else { vec![] };
            }
            Action::MoveDown => Some(s.selected + 1),
            Action::MoveUp => Some(s.selected.saturating_sub(1)),
            Action::PageDown => Some(s.selected + h),
            Action::PageUp => Some(s.selected.saturating_sub(h)),
            Action::Top => Some(0),
            Action::Bottom => Some(n.saturating_sub(1)),
            Action::Confirm | Action::Open => {
                let hit = s.hits.get(s.selected).cloned();
                self.finder.last = Some(s.clone());
                if let Some(hit) = hit {
                    self.finder.history.push(&s.input);
                    self.finder.opened(hit.unit);
                    self.open_hit(&hit);
                }
                return vec![];
            }
            Action::CloseOverlay => {
                // A query that found something is remembered, as one that opened a result.
                if n > 0 {
                    self.finder.history.push(&s.input);
                }
                self.finder.last = Some(s.clone());
                self.overlays.pop();
                return vec![];
            }
            Action::Quit => return vec![Effect::Quit],
            _ => None,
        };
        if let Some(sel) = moved {
            s.selected = sel.min(n.saturating_sub(1));
            keep_visible(s.selected, &mut s.offset, h);
            self.refresh_preview();
        }
        vec![]
    }

    pub(super) fn search_changed(&mut self) -> Vec<Effect> {
        self.run_search();
        vec![]
    }

    /// `S`: the finder as it was last left, or a new one.
    pub(super) fn resume_search(&mut self) {
        let mut s = self.finder.last.clone().unwrap_or_default();
        s.history = None;
        // Read from the state file: the query is run again and its row selected.
        let rerun = s.hits.is_empty() && !s.input.trim().is_empty();
        let selected = s.selected;
        self.overlays.push(Overlay::Search(s));
        if rerun {
            self.run_search();
            let h = self.list_height();
            if let Some(s) = self.search_mut() {
                s.selected = selected.min(s.hits.len().saturating_sub(1));
                keep_visible(s.selected, &mut s.offset, h);
            }
        }
        self.refresh_preview();
    }

    /// Open a finder result. A hit in a table's title (not a row) opens
    /// the table with its title at the top of the reader.
    fn open_hit(&mut self, hit: &Hit) {
        let u = &self.index.units[hit.unit];
        let needle = hit.matched(u);
        if let Some((node, title)) = table_title_hit(u, hit) {
            self.open_place(node, &title, needle, true);
            return;
        }
        self.open_unit(hit.unit, needle);
    }

    /// Show a place in the reader at the line `probe` finds, `needle`
    /// highlighted: that line at the top, or a third of the way down.
    fn open_place(&mut self, node: NodeId, probe: &str, needle: Option<String>, at_top: bool) {
        self.overlays.clear();
        self.focus = Focus::Reader;
        self.jump_to(node);
        let needle = needle.unwrap_or_else(|| probe.to_string());
        let line = locate(&self.reader.doc, probe);
        self.reader.find.set_query(&needle, &self.reader.doc);
        let at = self.reader.find.first_from(line).unwrap_or(line);
        if at_top {
            // A table's title: the table from its first line, focused.
            self.scroll_to(line);
            self.reader.focus_line = line;
            self.keep_focus_in_view();
        } else {
            self.land(at);
        }
    }

    /// Go to a search unit: a place (scrolled to it, the hit highlighted), a
    /// company's page, or an industry's page.
    pub(super) fn open_unit(&mut self, unit: usize, needle: Option<String>) {
        let target = self.index.units[unit].target.clone();
        match target {
            Target::Place { node, probe } => self.open_place(node, &probe, needle, false),
            Target::Company(id) => {
                let mentions = self.index.mentions(&self.lib, &id);
                self.overlays.push(Overlay::Company(CompanyState { id, mentions, selected: 0, offset: 0 }));
            }
            Target::Industry(id) => {
                // The industry's page, as the switcher opens it (B5).
                if let Some(i) = self.lib.industries.iter().position(|x| x.id == id) {
                    self.overlays.clear();
                    self.show_industry(i, None);
                }
            }
        }
    }

    pub(super) fn update_company(&mut self, action: Action) -> Vec<Effect> {
        let h = self.list_height();
        let Some(Overlay::Company(c)) = self.overlays.last_mut() else {
            return vec![];
        };
        let n = c.mentions.len();
        let sel = match action {
            a if super::list::is_move(&a) => super::list::step(&a, c.selected, n, h),
            Action::Confirm | Action::Open => {
                if let Some(&unit) = c.mentions.get(c.selected) {
                    self.finder.opened(unit);
                    let needle = self.company_needle(unit);
                    self.open_unit(unit, needle);
                }
                return vec![];
            }
            Action::CloseOverlay | Action::Back => {
                self.overlays.pop();
                return vec![];
            }
            Action::Quit => return vec![Effect::Quit],
            _ => return vec![],
        };
        c.selected = sel.min(n.saturating_sub(1));
        keep_visible(c.selected, &mut c.offset, h);
        vec![]
    }

    /// The company's name (or whichever alias the unit uses) to highlight.
    fn company_needle(&self, unit: usize) -> Option<String> {
        let Some(Overlay::Company(c)) = self.overlays.last() else {
            return None;
        };
        let u = &self.index.units[unit];
        [&u.text, &u.title].into_iter().find_map(|t| {
            let r = self.lib.first_mention(&c.id, t)?;
            Some(t.chars().skip(r.start).take(r.len()).collect())
        })
    }
}
