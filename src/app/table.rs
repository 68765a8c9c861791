//! The full-pane table view: Enter on a table in the reader opens it with
//! the first column frozen and the others scrolled sideways (csvlens,
//! visidata); rows scroll as in the reader.

use super::{ChartState, Overlay, SearchLayout, State};
use crate::action::{Action, Effect};
use crate::content::Table;
use crate::doc::{GridView, grid_view, last_first};
use ratatui::layout::Rect;
use std::sync::Arc;

/// The table view: the table, the first body line shown, and the first
/// column shown right of the frozen one (1-based column index into the table).
#[derive(Debug, Clone, PartialEq)]
pub struct TableState {
    pub table: Arc<Table>,
    pub scroll: usize,
    pub first: usize,
}

/// Where the table view draws for a screen of `size`: the text area inside
/// its frame (the finder's frame: the screen above the status line).
pub fn table_area(size: (u16, u16)) -> Option<Rect> {
    let l = SearchLayout::compute(size.0, size.1)?;
    let f = l.frame;
    let r = Rect::new(f.x + 2, f.y + 1, f.width.saturating_sub(4), f.height.saturating_sub(2));
    (r.width >= 1 && r.height >= 1).then_some(r)
}

impl TableState {
    /// The layout at the current horizontal scroll for a text area `width` wide.
    pub fn view(&self, width: usize, ascii: bool) -> GridView {
        grid_view(&self.table, width, self.first, ascii)
    }

    /// The body lines shown below the frozen header in a text area `height` high.
    pub fn body_height(view: &GridView, height: usize) -> usize {
        height.saturating_sub(view.head.len()).max(1)
    }
}

impl State {
    /// Enter in the reader: the focused chart or table (else the first one
    /// in view from the focus down, else the last one above it), full-pane.
    pub(super) fn open_figure(&mut self) {
        let focused = self.focused_block().map(|f| f.lines);
        let doc = &self.reader.doc;
        let top = focused.as_ref().map_or(self.focus_line(), |r| r.start);
        let h = (self.reader.scroll + self.reader_height()).saturating_sub(top).max(1);
        // (line, Some(chart index) | None for a table, table index)
        let mut all: Vec<(usize, Option<usize>, usize)> =
            doc.charts.iter().enumerate().map(|(i, c)| (c.0, Some(i), 0)).collect();
        all.extend(doc.tables.iter().enumerate().map(|(i, t)| (t.0, None, i)));
        all.sort_by_key(|x| x.0);
        let pick = all
            .iter()
            .find(|x| x.0 >= top && x.0 < top + h)
            .or_else(|| all.iter().rev().find(|x| x.0 < top))
            .or(all.first());
        match pick {
            None => self.message = Some("本页没有图表或表格".into()),
            Some(&(_, Some(index), _)) => {
                let charts = doc.charts.iter().map(|(_, s)| Arc::clone(s)).collect();
                let labels = doc
                    .charts
                    .iter()
                    .map(|&(line, _)| {
                        let node =
                            doc.item_index_at(line).and_then(|k| doc.items[k].node).or_else(|| doc.node_at(line));
                        node.and_then(|n| self.lib.label_of(n)).unwrap_or_default()
                    })
                    .collect();
                self.overlays.push(Overlay::Chart(ChartState { charts, index, compare: None, labels, scale: None }));
            }
            Some(&(_, None, i)) => {
                let table = Arc::clone(&doc.tables[i].1);
                self.overlays.push(Overlay::Table(TableState { table, scroll: 0, first: 1 }));
            }
        }
    }

    pub(super) fn update_table(&mut self, action: Action) -> Vec<Effect> {
        let ascii = self.theme.ascii;
        let area = table_area(self.size);
        let Some(Overlay::Table(t)) = self.overlays.last_mut() else { return vec![] };
        let (w, h) = area.map_or((1, 1), |r| (r.width as usize, r.height as usize));
        match action {
            Action::ColumnRight => t.first = (t.first + 1).min(last_first(&t.table, w, ascii)).max(1),
            Action::ColumnLeft => t.first = t.first.saturating_sub(1).max(1),
            Action::FirstColumn => t.first = 1,
            Action::LastColumn => t.first = last_first(&t.table, w, ascii),
            Action::CloseOverlay | Action::Back | Action::Confirm | Action::Open => {
                self.overlays.pop();
                return vec![];
            }
            Action::Quit => return vec![Effect::Quit],
            _ => {}
        }
        let view = t.view(w, ascii);
        let page = TableState::body_height(&view, h);
        let max = view.body.len().saturating_sub(page);
        t.scroll = match action {
            Action::MoveDown => t.scroll + 1,
            Action::MoveUp => t.scroll.saturating_sub(1),
            Action::PageDown => t.scroll + page,
            Action::PageUp => t.scroll.saturating_sub(page),
            Action::HalfPageDown => t.scroll + page.div_ceil(2),
            Action::HalfPageUp => t.scroll.saturating_sub(page.div_ceil(2)),
            Action::Top => 0,
            Action::Bottom => max,
            Action::Scroll(d) => t.scroll.saturating_add_signed(d as isize),
            _ => t.scroll,
        }
        .min(max);
        vec![]
    }
}
