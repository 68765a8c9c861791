//! `=`: the measure of the focused chart or metric compared across the
//! library's reports (see `crate::figures`), as a list over the reader.
//! Enter opens a row's block; `c` draws the compared charts in the chart
//! view, all on one scale.

use super::{ChartState, Focus, Overlay, State, keep_visible, table_area};
use crate::action::{Action, Effect};
use crate::content::{Point, Series};
use crate::figures::{self, Comparison, Pick, Rates};
use std::sync::Arc;

/// The comparison list: what was compared, the selected row (counted over
/// every group's rows) and the first line shown.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuresView {
    pub cmp: Arc<Comparison>,
    /// The measure as the focused block prints it.
    pub measure: String,
    pub selected: usize,
    pub offset: usize,
}

/// One line of the list: a group's head, a row (two lines: the figure,
/// then its growth and source), or a note.
#[derive(Debug, Clone, PartialEq)]
pub enum MeasureLine {
    Head(usize),
    /// (group, row, flat row index); `second`: the row's second line.
    Row {
        group: usize,
        row: usize,
        flat: usize,
        second: bool,
    },
    Note(String),
    Blank,
}

/// The list's lines, in order.
pub fn measure_lines(cmp: &Comparison) -> Vec<MeasureLine> {
    let mut out = Vec::new();
    let mut flat = 0;
    for (g, grp) in cmp.groups.iter().enumerate() {
        if g > 0 {
            out.push(MeasureLine::Blank);
        }
        out.push(MeasureLine::Head(g));
        for r in 0..grp.rows.len() {
            out.push(MeasureLine::Row { group: g, row: r, flat, second: false });
            out.push(MeasureLine::Row { group: g, row: r, flat, second: true });
            flat += 1;
        }
    }
    if !cmp.apart.is_empty() || cmp.groups.iter().any(|g| g.rows.iter().any(|r| r.yoy.is_some() || r.cagr.is_some())) {
        out.push(MeasureLine::Blank);
    }
    out.extend(cmp.apart.iter().map(|a| MeasureLine::Note(format!("注：{a}"))));
    if cmp.groups.iter().any(|g| g.rows.iter().any(|r| r.yoy.is_some() || r.cagr.is_some())) {
        out.push(MeasureLine::Note(format!("注：{}", figures::COMPUTED)));
    }
    out
}

impl MeasuresView {
    /// The (group, row) of the selected row.
    pub fn selected_row(&self) -> Option<(usize, usize)> {
        let mut k = self.selected;
        for (g, grp) in self.cmp.groups.iter().enumerate() {
            if k < grp.rows.len() {
                return Some((g, k));
            }
            k -= grp.rows.len();
        }
        None
    }
}

impl State {
    /// `=` in the reader: compare the focused chart's or metric's measure.
    pub(super) fn compare_figure(&mut self) {
        let Some((at, block)) = self.focused_ref().and_then(|at| Some((at, self.block_of(at.node, at.index)?.clone())))
        else {
            self.message = Some("这里没有图表或指标：= 对比同一指标".into());
            return;
        };
        let report = self.lib.nodes.get(at.node).map_or(0, |n| n.report);
        let mut own = Vec::new();
        figures::block_figures(&block, report, at, None, &mut own);
        let Some(first) = own.first() else {
            self.message = Some("这里没有图表或指标：= 对比同一指标".into());
            return;
        };
        let measure = first.measure.clone();
        let mut keys: Vec<String> = Vec::new();
        for f in &own {
            if !keys.contains(&f.key) {
                keys.push(f.key.clone());
            }
        }
        // Extracted once per library, shared by every session: a second
        // `=` costs only the query.
        let all = figures::of_library(&self.lib);
        let cmp = figures::compare(&self.lib, &all, &Pick::Keys(keys), &Rates::default());
        // The focused block's own first row selected.
        let selected = cmp.groups.iter().flat_map(|g| &g.rows).position(|r| r.fig.at == at).unwrap_or(0);
        let reports: std::collections::BTreeSet<usize> =
            cmp.groups.iter().flat_map(|g| &g.rows).map(|r| r.fig.report).collect();
        if reports.len() < 2 {
            self.message = Some("其他报告中没有同一指标".into());
        }
        let mut v = MeasuresView { cmp: Arc::new(cmp), measure, selected, offset: 0 };
        let h = self.figures_height();
        keep_row_visible(&mut v, h);
        self.overlays.push(Overlay::Measures(v));
    }

    /// How many lines the list shows.
    fn figures_height(&self) -> usize {
        table_area(self.size).map_or(1, |r| r.height.saturating_sub(1).max(1) as usize)
    }

    /// Every action while the comparison list is on top.
    pub(super) fn update_measures(&mut self, action: Action) -> Vec<Effect> {
        let h = self.figures_height();
        let Some(Overlay::Measures(v)) = self.overlays.last_mut() else { return vec![] };
        let n = v.cmp.row_count();
        let page = (h / 2).max(1);
        v.selected = match action {
            // A row is two lines: a page is half the list's height.
            a if super::list::is_move(&a) => super::list::step(&a, v.selected, n, page),
            Action::Confirm | Action::Open => {
                let at = v.selected_row().and_then(|(g, r)| v.cmp.groups.get(g)?.rows.get(r)).map(|r| r.fig.at);
                if let Some(at) = at {
                    self.overlays.clear();
                    self.open_block(at);
                }
                return vec![];
            }
            Action::Compare => {
                let chart = compared_charts(&self.lib, v);
                match chart {
                    Some(c) => self.overlays.push(Overlay::Chart(c)),
                    None => self.message = Some("没有可画的数值".into()),
                }
                return vec![];
            }
            Action::CloseOverlay | Action::Back => {
                self.overlays.pop();
                return vec![];
            }
            Action::Quit => return vec![Effect::Quit],
            _ => return vec![],
        }
        .min(n.saturating_sub(1));
        keep_row_visible(v, h);
        vec![]
    }

    /// Show a block and focus it at the reading line.
    pub fn open_block(&mut self, at: crate::notes::BlockRef) {
        self.jump_to(at.node);
        self.focus = Focus::Reader;
        let doc = Arc::clone(&self.reader.doc);
        if let Some(item) = doc.items.iter().find(|i| i.node == Some(at.node) && i.block == Some(at.index)) {
            self.land(item.line);
        }
    }
}

/// Scroll the list so the selected row's two lines are in view.
fn keep_row_visible(v: &mut MeasuresView, height: usize) {
    let lines = measure_lines(&v.cmp);
    let Some(line) =
        lines.iter().position(|l| matches!(l, MeasureLine::Row { flat, second: false, .. } if *flat == v.selected))
    else {
        return;
    };
    // The group's head too, when it fits.
    let head = if line > 0 && matches!(lines[line - 1], MeasureLine::Head(_)) { line - 1 } else { line };
    let mut off = v.offset;
    keep_visible(line + 1, &mut off, height);
    keep_visible(head, &mut off, height);
    if line + 1 >= off + height.max(1) {
        keep_visible(line + 1, &mut off, height);
    }
    v.offset = off.min(lines.len().saturating_sub(1));
}

/// The chart view of the selected row's group: one chart per report's
/// block, every value in the group's unit, all on one scale; the selected
/// row's chart first shown.
fn compared_charts(lib: &crate::content::Library, v: &MeasuresView) -> Option<ChartState> {
    let (g, r) = v.selected_row()?;
    let grp = v.cmp.groups.get(g)?;
    let sel_at = grp.rows.get(r)?.fig.at;
    let mut blocks: Vec<crate::notes::BlockRef> = Vec::new();
    for row in &grp.rows {
        if !blocks.contains(&row.fig.at) {
            blocks.push(row.fig.at);
        }
    }
    let mut charts = Vec::new();
    let mut labels = Vec::new();
    for at in &blocks {
        let mut rows: Vec<&figures::Row> = grp.rows.iter().filter(|x| x.fig.at == *at).collect();
        rows.sort_by_key(|x| x.fig.year);
        let converted = rows.iter().any(|x| x.fig.unit.text != grp.unit || x.rate_note.is_some());
        let Some(first) = rows.first() else { continue };
        let mut title = first.fig.measure.clone();
        if converted {
            title.push_str(&format!("（换算为{}，计算值）", grp.unit));
        }
        let points = rows
            .iter()
            .map(|x| Point {
                label: if x.fig.period.is_empty() { "—".into() } else { x.fig.period.clone() },
                value: x.norm,
                estimate: x.fig.estimate,
            })
            .collect();
        charts.push(Arc::new(Series {
            title: Some(title),
            industries: Vec::new(),
            unit: (!grp.unit.is_empty()).then(|| grp.unit.clone()),
            points,
            note: rows.iter().find_map(|x| x.rate_note.as_ref().map(|n| format!("按{n}换算"))),
        }));
        labels.push(figures::report_name(lib, first.fig.report));
    }
    let index = blocks.iter().position(|b| *b == sel_at).unwrap_or(0);
    let max = grp.rows.iter().map(|x| x.norm).fold(0.0_f64, f64::max);
    (!charts.is_empty()).then(|| ChartState { charts, index, compare: None, labels, scale: (max > 0.0).then_some(max) })
}
