//! The figure list (`F`, 图表目录) and the `:` command line.
//!
//! The list shows every numbered item ([`crate::content::numbering`]) of the
//! report read, or of the whole library (`L`), with its number, title and
//! place. Enter lands on the block; `c` on two charts compares them in the
//! chart view; `/` filters. The command line goes to a section (`:3.1`), a
//! point of the page (`:50%`), a line (`:120`), a figure or table (`:图3-2`,
//! `:表1-1`, `:图3` for the report's 3rd 图) or quits (`:q`).

use super::{ChartState, Focus, Overlay, Prompt, State, keep_visible, marks_popup, marks_rows};
use crate::action::{Action, Effect};
use crate::content::numbering::{self, FigKind, Numbered};
use crate::content::{Block, NodeId};
use ratatui::layout::Rect;
use std::sync::Arc;

/// Commands kept in the command line's history (in memory, this session).
pub const COMMAND_HISTORY: usize = 50;

/// The figure list: its scope and items, the filter, the selection and
/// the chart picked for a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct FigList {
    /// The whole library (else the report read).
    pub library: bool,
    /// The report read when the list was opened.
    pub report: usize,
    pub all: Vec<Numbered>,
    /// The items the filter keeps (indices into `all`), in order.
    pub shown: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    pub filter: Prompt,
    /// The filter is being typed (keys edit it).
    pub editing: bool,
    /// The chart picked with `c` (an index into `all`), to compare with the next.
    pub pick: Option<usize>,
}

/// The `:` prompt: its text, and the history entry shown (↑/↓), if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    pub prompt: Prompt,
    pub history: Option<usize>,
}

/// The figure popup on a screen of `size` (as the marks list: two rows an item).
pub fn figures_popup(size: (u16, u16), items: usize) -> Option<Rect> {
    marks_popup(size, items.max(1))
}

impl FigList {
    fn refilter(&mut self, lib: &crate::content::Library) {
        let want = self.filter.input.trim().to_lowercase();
        self.shown = (0..self.all.len())
            .filter(|&i| {
                want.is_empty() || {
                    let (head, place) = fig_row(lib, &self.all[i], self.library);
                    head.to_lowercase().contains(&want)
                        || place.to_lowercase().contains(&want)
                        || numbering::normalize_label(&self.all[i].label).contains(&numbering::normalize_label(&want))
                }
            })
            .collect();
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    /// The item selected, if any.
    pub fn current(&self) -> Option<&Numbered> {
        self.shown.get(self.selected).and_then(|&i| self.all.get(i))
    }
}

/// A row of the list: (number and title, place). The place names the
/// report when the list spans a library of several.
pub fn fig_row(lib: &crate::content::Library, x: &Numbered, library: bool) -> (String, String) {
    let head = if x.title.is_empty() { x.label.clone() } else { format!("{}  {}", x.label, x.title) };
    let mut parts: Vec<String> = lib.ancestry(x.node).into_iter().skip(1).map(|n| lib.tree_title(n)).collect();
    if parts.is_empty() {
        parts.push("摘要".into());
    }
    let mut place = parts.join(" › ");
    if library && let Some(label) = lib.label_of(x.node) {
        place = format!("《{label}》 › {place}");
    }
    // A title made of the labels of an untitled metric group says so.
    let kind =
        if x.title_from_labels { format!("{}（原无标题）", x.kind.name()) } else { x.kind.name().to_string() };
    (head, format!("{kind} · {place}"))
}

impl State {
    /// The report the reader is in (the focused block's).
    fn report_here(&self) -> usize {
        self.lib.nodes.get(self.focused_node()).map_or(0, |n| n.report)
    }

    /// The numbered items of the report read.
    pub fn figures_here(&self) -> Vec<Numbered> {
        numbering::number_report(&self.lib, self.report_here())
    }

    /// `F`: the figure list of the report read, the focused block selected
    /// when it is one.
    pub(super) fn open_figures(&mut self) {
        let report = self.report_here();
        let all = numbering::number_report(&self.lib, report);
        if all.is_empty() {
            self.message = Some("本报告没有图表".into());
            return;
        }
        // The focused block when it is numbered, else the first item of the
        // section read, else the first.
        let at = self.focused_ref();
        let here = self.focused_node();
        let selected = at
            .and_then(|a| all.iter().position(|x| x.node == a.node && x.block == a.index))
            .or_else(|| all.iter().position(|x| self.lib.ancestry(x.node).contains(&here)))
            .unwrap_or(0);
        let mut l = FigList {
            library: false,
            report,
            all,
            shown: vec![],
            selected,
            offset: 0,
            filter: Prompt::default(),
            editing: false,
            pick: None,
        };
        l.refilter(&self.lib);
        l.selected = selected;
        keep_visible(l.selected, &mut l.offset, marks_rows(self.size, l.shown.len()));
        self.overlays.push(Overlay::Figures(l));
    }

    /// Every action while the figure list is on top.
    pub(super) fn update_figures(&mut self, action: Action) -> Vec<Effect> {
        let lib = Arc::clone(&self.lib);
        let size = self.size;
        let Some(Overlay::Figures(l)) = self.overlays.last_mut() else { return vec![] };
        if l.editing {
            super::list::edit_filter(&mut l.filter, &mut l.editing, action);
            l.refilter(&lib);
            l.offset = 0;
            keep_visible(l.selected, &mut l.offset, marks_rows(size, l.shown.len()));
            return vec![];
        }
        let n = l.shown.len();
        let h = marks_rows(size, n);
        let sel = match action {
            a if super::list::is_move(&a) => super::list::step(&a, l.selected, n, h),
            Action::Find => {
                l.editing = true;
                return vec![];
            }
            Action::ToggleScope => {
                l.library = !l.library;
                l.all =
                    if l.library { numbering::number_library(&lib) } else { numbering::number_report(&lib, l.report) };
                l.pick = None;
                l.selected = 0;
                l.offset = 0;
                l.refilter(&lib);
                let scope = if l.library { "全库" } else { "本报告" };
                self.message = Some(format!("图表目录：{scope}（{} 项）", l.all.len()));
                return vec![];
            }
            Action::Compare => return self.compare_pick(),
            Action::Confirm | Action::Open => {
                if let Some(x) = l.current().cloned() {
                    self.overlays.clear();
                    self.land_on_block(x.node, x.block);
                }
                return vec![];
            }
            Action::CloseOverlay | Action::Figures => {
                self.overlays.pop();
                return vec![];
            }
            Action::Quit => return vec![Effect::Quit],
            _ => return vec![],
        };
        l.selected = sel.min(n.saturating_sub(1));
        keep_visible(l.selected, &mut l.offset, h);
        vec![]
    }

    /// `c` in the figure list: pick a chart; on a second chart, compare the two.
    fn compare_pick(&mut self) -> Vec<Effect> {
        let Some(Overlay::Figures(l)) = self.overlays.last_mut() else { return vec![] };
        let Some(&cur) = l.shown.get(l.selected) else { return vec![] };
        let x = &l.all[cur];
        if x.kind != FigKind::Chart {
            self.message = Some(format!("只能对照图表：{} 是{}", x.label, x.kind.name()));
            return vec![];
        }
        match l.pick {
            Some(p) if p != cur => {
                let pair = [l.all[p].clone(), x.clone()];
                l.pick = None;
                let mut charts = Vec::new();
                let mut labels = Vec::new();
                for it in &pair {
                    if let Some(Block::Series(s)) = self.block_of(it.node, it.block) {
                        charts.push(Arc::new(s.clone()));
                        labels.push(self.lib.label_of(it.node).unwrap_or_default());
                    }
                }
                if charts.len() == 2 {
                    self.message = Some(format!("对照：{} 与 {}", pair[0].label, pair[1].label));
                    self.overlays.push(Overlay::Chart(ChartState {
                        charts,
                        index: 0,
                        compare: Some(1),
                        labels,
                        scale: None,
                    }));
                }
            }
            Some(_) => {
                l.pick = None;
                self.message = Some("已取消对照".into());
            }
            None => {
                l.pick = Some(cur);
                let label = x.label.clone();
                self.message = Some(format!("已选 {label}：再选一个图表按 c 对照"));
            }
        }
        vec![]
    }

    /// Land on a block (its section's page, the block focused at the reading line).
    pub(super) fn land_on_block(&mut self, node: NodeId, block: usize) {
        self.jump_to(node);
        self.focus = Focus::Reader;
        let doc = Arc::clone(&self.reader.doc);
        if let Some(item) = doc.items.iter().find(|i| i.node == Some(node) && i.block == Some(block)) {
            self.land(item.line);
        }
    }

    /// `:`: the command line.
    pub(super) fn open_command(&mut self) {
        self.overlays.push(Overlay::Command(CommandLine::default()));
    }

    /// Every action while the command line is on top.
    pub(super) fn update_command(&mut self, action: Action) -> Vec<Effect> {
        let Some(Overlay::Command(c)) = self.overlays.last_mut() else { return vec![] };
        match action {
            Action::Insert(ch) => {
                c.prompt.insert(ch.encode_utf8(&mut [0; 4]));
                c.history = None;
            }
            Action::InsertText(t) => {
                c.prompt.insert(&t);
                c.history = None;
            }
            Action::HistoryPrev | Action::HistoryNext => {
                let n = self.command_history.len();
                if n == 0 {
                    return vec![];
                }
                let next = match (action, c.history) {
                    (Action::HistoryPrev, None) => Some(n - 1),
                    (Action::HistoryPrev, Some(i)) => Some(i.saturating_sub(1)),
                    (_, Some(i)) if i + 1 < n => Some(i + 1),
                    _ => None,
                };
                c.history = next;
                c.prompt = Prompt::new(next.and_then(|i| self.command_history.get(i)).map_or("", String::as_str));
            }
            Action::Complete => {
                let typed = c.prompt.input.clone();
                let (done, msg) = self.complete_command(&typed);
                if let Some(Overlay::Command(c)) = self.overlays.last_mut() {
                    c.prompt = Prompt::new(&done);
                }
                self.message = msg;
            }
            Action::Confirm | Action::Open => {
                let cmd = c.prompt.input.trim().to_string();
                self.overlays.pop();
                if !cmd.is_empty() {
                    self.command_history.retain(|h| *h != cmd);
                    self.command_history.push(cmd.clone());
                    if self.command_history.len() > COMMAND_HISTORY {
                        self.command_history.remove(0);
                    }
                }
                return self.run_command(&cmd);
            }
            Action::CloseOverlay => {
                self.overlays.pop();
            }
            a => {
                c.prompt.edit(&a);
                c.history = None;
            }
        }
        vec![]
    }

    /// The section numbers of the report read, with their nodes, in reading order.
    fn section_numbers(&self) -> Vec<(String, NodeId)> {
        let r = self.report_here();
        (0..self.lib.nodes.len())
            .filter(|&n| self.lib.nodes[n].report == r)
            .filter_map(|n| {
                let num = self.lib.head_section(n)?.number.clone()?;
                let num = num.trim().trim_end_matches(['.', '．', '、']).to_string();
                (!num.is_empty()).then_some((num, n))
            })
            .collect()
    }

    /// Carry out a command typed after `:`. An error says what was wrong.
    pub fn run_command(&mut self, cmd: &str) -> Vec<Effect> {
        let cmd = cmd.trim().trim_start_matches([':', '：']).trim();
        if cmd.is_empty() {
            return vec![];
        }
        if matches!(cmd, "q" | "q!" | "qa" | "quit" | "wq") {
            return vec![Effect::Quit];
        }
        let lines = self.reader.doc.lines.len();
        if let Some(p) = cmd.strip_suffix(['%', '％']) {
            match p.trim().parse::<u64>() {
                Ok(p) if p <= 100 => {
                    self.focus = Focus::Reader;
                    let last = lines.saturating_sub(1) as u64;
                    self.land((last * p / 100) as usize);
                    self.message = Some(format!("本页 {p}%"));
                }
                Ok(_) => self.message = Some(format!("百分比超出范围：{cmd}（0%–100%）")),
                Err(_) => self.message = Some(format!("未知命令：{cmd}")),
            }
            return vec![];
        }
        if cmd.bytes().all(|b| b.is_ascii_digit()) {
            // A line of the page, 1-based; past the end: the last (as in vim).
            let n = cmd.parse::<usize>().unwrap_or(usize::MAX).max(1);
            self.focus = Focus::Reader;
            self.land(n.min(lines.max(1)) - 1);
            return vec![];
        }
        if cmd.contains('.') && cmd.chars().all(|c| c.is_ascii_digit() || c == '.') {
            let want = cmd.trim_end_matches('.');
            match self.section_numbers().into_iter().find(|(n, _)| n == want) {
                Some((_, node)) => {
                    self.jump_to(node);
                    self.focus = Focus::Reader;
                    if let Some(l) = self.reader.doc.line_of(node) {
                        self.land(l);
                    }
                }
                None => self.message = Some(format!("没有章节：{cmd}")),
            }
            return vec![];
        }
        if ["图", "表", "附图", "附表", "Figure", "Table", "Exhibit"].iter().any(|p| cmd.starts_with(p)) {
            let items = self.figures_here();
            match numbering::find_label(&items, cmd) {
                Ok(x) => {
                    let (node, block, label) = (x.node, x.block, x.label.clone());
                    self.land_on_block(node, block);
                    self.message = Some(label);
                }
                Err(e) => self.message = Some(e),
            }
            return vec![];
        }
        self.message = Some(format!("未知命令：{cmd}（可用 :3.1 :50% :图3-2 :表1-1 :行号 :q）"));
        vec![]
    }

    /// Tab in the command line: what the text typed completes to (the
    /// longest common start of the commands, section numbers and figure
    /// numbers it begins), and a message listing the choices when several remain.
    fn complete_command(&self, typed: &str) -> (String, Option<String>) {
        let mut all: Vec<String> = vec!["q".into()];
        all.extend(self.section_numbers().into_iter().map(|(n, _)| n));
        all.extend(self.figures_here().iter().map(|x| numbering::normalize_label(&x.label)));
        let t = typed.trim();
        let hits: Vec<&String> = all.iter().filter(|c| c.starts_with(t)).collect();
        match hits.as_slice() {
            [] => (typed.to_string(), Some(format!("没有可补全的：{t}"))),
            [one] => (one.to_string(), None),
            many => {
                let mut common: Vec<char> = many[0].chars().collect();
                for h in &many[1..] {
                    let k = common.iter().zip(h.chars()).take_while(|(a, b)| **a == *b).count();
                    common.truncate(k);
                }
                let shown: Vec<&str> = many.iter().take(8).map(|s| s.as_str()).collect();
                let more = if many.len() > 8 { format!(" …（共 {}）", many.len()) } else { String::new() };
                (common.into_iter().collect(), Some(format!("可选：{}{more}", shown.join(" "))))
            }
        }
    }

    /// A click or the wheel over the figure list: a click selects an item,
    /// a click on the selected one opens it; the wheel moves the selection.
    pub(super) fn pointer_figures(&mut self, x: u16, y: u16, lines: Option<i8>) -> Vec<Effect> {
        let size = self.size;
        let Some(Overlay::Figures(l)) = self.overlays.last_mut() else { return vec![] };
        if let Some(d) = lines {
            return self.update_figures(if d > 0 { Action::MoveDown } else { Action::MoveUp });
        }
        let Some(p) = figures_popup(size, l.shown.len()) else { return vec![] };
        let inner = Rect::new(p.x + 1, p.y + 1, p.width.saturating_sub(2), p.height.saturating_sub(2));
        if x < inner.x || x >= inner.right() || y < inner.y || y >= inner.bottom() {
            return vec![];
        }
        let i = l.offset + ((y - inner.y) / 2) as usize;
        if i >= l.shown.len() {
            return vec![];
        }
        if i == l.selected {
            return self.update_figures(Action::Confirm);
        }
        l.selected = i;
        vec![]
    }
}
