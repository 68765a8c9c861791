//! Industries: the switcher, industry pages, moving between industries
//! while keeping the same part, and the chart view.

use super::{Focus, Overlay, State};
use crate::action::{Action, Effect};
use crate::content::NodeId;
use crate::doc::Doc;
use std::sync::Arc;

/// The name of a part, for matching parts across industries: the tree
/// title up to any "——" (标杆案例——中关村科金… is the part 标杆案例).
fn part_key(st: &State, n: NodeId) -> String {
    let t = st
        .lib
        .head_section(n)
        .map(|s| st.lib.short_title(n, false).replace(&format!("{} ", s.number.clone().unwrap_or_default()), ""))
        .unwrap_or_default();
    t.split("——").next().unwrap_or(&t).trim().to_string()
}

/// The outermost section at or above `n` about industry `id`.
fn industry_root(st: &State, n: NodeId, id: &str) -> Option<NodeId> {
    st.lib
        .ancestry(n)
        .into_iter()
        .find(|&a| st.lib.head_section(a).is_some_and(|s| s.industries.iter().any(|i| i == id)))
}

/// The name of the part a line of a page is in: the part of the section
/// heading at or above it, below the industry's own section.
fn part_at(st: &State, doc: &Doc, line: usize, id: &str) -> Option<String> {
    let node = doc.node_at(line)?;
    let root = industry_root(st, node, id)?;
    let below = st.lib.ancestry(node).into_iter().skip_while(|&a| a != root).nth(1)?;
    Some(part_key(st, below))
}

impl State {
    /// Show an industry's page, at the part named `part` if it has one.
    pub fn show_industry(&mut self, industry: usize, part: Option<&str>) {
        if industry >= self.lib.industries.len() {
            return;
        }
        self.remember_here();
        self.reader.industry = Some(industry);
        self.reader.scroll = 0;
        self.reader.anchor = None;
        self.reader.doc = Arc::new(Doc::default());
        self.relayout();
        self.focus_top();
        if let Some(part) = part {
            let doc = Arc::clone(&self.reader.doc);
            let id = self.lib.industries[industry].id.clone();
            let in_part = |n: NodeId| {
                industry_root(self, n, &id)
                    .and_then(|r| self.lib.ancestry(n).into_iter().skip_while(|&a| a != r).nth(1))
                    .is_some_and(|b| b == n && part_key(self, n) == part)
            };
            if let Some(&(line, _)) = doc.anchors.iter().find(|(_, n)| in_part(*n)) {
                self.land(line);
            }
        }
        self.focus = Focus::Reader;
    }

    /// The industry the reader is in: its page, or the section at the top.
    pub fn current_industry(&self) -> Option<usize> {
        if let Some(i) = self.reader.industry {
            return Some(i);
        }
        let top = self.reader_top_node();
        // The industry moved to last, while the reader is still in a section about it.
        if let Some(i) = self.reader.industry_ctx {
            let id = &self.lib.industries.get(i)?.id;
            let about = |a: NodeId| self.lib.head_section(a).is_some_and(|s| s.industries.contains(id));
            if self.lib.ancestry(top).into_iter().any(about) {
                return Some(i);
            }
        }
        let (id, _) = self.lib.industry_of(top)?;
        self.lib.industries.iter().position(|i| i.id == id)
    }

    /// `]` and `[`: the next or previous industry, keeping the part.
    fn step_industry(&mut self, forward: bool) {
        let n = self.lib.industries.len();
        let Some(cur) = self.current_industry() else {
            self.message = Some("不在行业章节中：按 i 选择行业".into());
            return;
        };
        let next = if forward { (cur + 1) % n } else { (cur + n - 1) % n };
        let cur_id = self.lib.industries[cur].id.clone();
        // The part to keep: where the reader is, or the part wanted before an
        // industry without it was passed through.
        let wanted = self.reader.industry_part.take();
        if self.reader.industry.is_some() {
            let part = part_at(self, &self.reader.doc, self.focus_line(), &cur_id).or(wanted);
            self.show_industry(next, part.as_deref());
            self.reader.industry_part = part;
            return;
        }
        // In a report: go to the same part of the next industry's section there.
        let top = self.reader_top_node();
        // The outermost section about the current industry, above the top line.
        let Some(root) = industry_root(self, top, &cur_id) else { return };
        let report = self.lib.nodes[root].report;
        let depth = self.lib.nodes[root].depth;
        let id = self.lib.industries[next].id.clone();
        // Prefer a section about that industry alone (3.2 政务) to one about many (2.3).
        let target_root = self
            .lib
            .industry_roots(&id)
            .into_iter()
            .filter(|&r| self.lib.nodes[r].report == report && self.lib.nodes[r].depth == depth)
            .min_by_key(|&r| self.lib.head_section(r).map_or(usize::MAX, |s| s.industries.len()));
        let mut chain: Vec<String> =
            self.lib.ancestry(top).into_iter().skip_while(|&a| a != root).skip(1).map(|a| part_key(self, a)).collect();
        if chain.is_empty() {
            chain.extend(wanted);
        }
        let Some(target_root) = target_root else {
            // That industry has no section here: show its page instead.
            let part = chain.first().cloned();
            self.show_industry(next, part.as_deref());
            self.reader.industry_part = part;
            return;
        };
        // Follow the same chain of part titles below the industry's section.
        let mut at: NodeId = target_root;
        for part in &chain {
            match self.lib.nodes[at].children.iter().find(|&&c| part_key(self, c) == *part) {
                Some(&c) => at = c,
                None => break,
            }
        }
        self.jump_to(at);
        self.reader.industry_ctx = Some(next);
        self.reader.industry_part = chain.first().cloned();
        self.focus = Focus::Reader;
    }

    pub(super) fn update_industry_keys(&mut self, action: &Action) -> bool {
        match action {
            Action::NextIndustry => self.step_industry(true),
            Action::PrevIndustry => self.step_industry(false),
            Action::Industries => {
                let selected = self.current_industry().unwrap_or(0);
                self.overlays.push(Overlay::Industries { selected });
            }
            Action::GotoIndustry(k) => {
                let i = (*k as usize).saturating_sub(1);
                if i < self.lib.industries.len() {
                    self.overlays.retain(|o| !matches!(o, Overlay::Industries { .. }));
                    self.show_industry(i, None);
                }
            }
            Action::ToggleTableBars => {
                self.table_bars = !self.table_bars;
                self.relayout();
                self.message = Some(if self.table_bars { "表格数值条：开" } else { "表格数值条：关" }.into());
            }
            _ => return false,
        }
        true
    }

    pub(super) fn update_switcher(&mut self, action: Action) -> Vec<Effect> {
        let n = self.lib.industries.len();
        let Some(Overlay::Industries { selected }) = self.overlays.last_mut() else { return vec![] };
        match action {
            Action::MoveDown => *selected = (*selected + 1).min(n.saturating_sub(1)),
            Action::MoveUp => *selected = selected.saturating_sub(1),
            Action::Top => *selected = 0,
            Action::Bottom => *selected = n.saturating_sub(1),
            Action::Confirm | Action::Open => {
                let i = *selected;
                self.overlays.pop();
                self.show_industry(i, None);
            }
            Action::GotoIndustry(_) => {
                self.update_industry_keys(&action);
            }
            Action::CloseOverlay | Action::Industries => {
                self.overlays.pop();
            }
            Action::Quit => return vec![Effect::Quit],
            _ => {}
        }
        vec![]
    }

    pub(super) fn update_chart(&mut self, action: Action) -> Vec<Effect> {
        let Some(Overlay::Chart(c)) = self.overlays.last_mut() else { return vec![] };
        let n = c.charts.len();
        match action {
            Action::MoveDown | Action::PageDown => c.index = (c.index + 1) % n,
            Action::MoveUp | Action::PageUp => c.index = (c.index + n - 1) % n,
            Action::Compare => {
                // Cycle the second chart through the page's other charts, then off.
                let mut next = c.compare.map(|x| x + 1).unwrap_or(c.index + 1) % n;
                if next == c.index {
                    next = (next + 1) % n;
                }
                c.compare = match c.compare {
                    Some(x) if (x + 1) % n == c.index || next <= x && n > 1 && next == (c.index + 1) % n => None,
                    _ if n < 2 => None,
                    _ => Some(next),
                };
            }
            Action::CloseOverlay | Action::Back => {
                self.overlays.pop();
            }
            Action::Quit => return vec![Effect::Quit],
            _ => {}
        }
        vec![]
    }
}
