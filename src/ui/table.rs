//! The full-pane table view (Enter on a table): the header and the first
//! column frozen, the other columns scrolled sideways.

use super::open_frame;
use super::reader::draw_line;
use crate::app::{State, TableState, table_area};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub(super) fn render_table(st: &State, t: &TableState, area: Rect, buf: &mut Buffer) {
    let size = (area.width, area.height);
    let inner = table_area(size).map(|r| Rect::new(area.x + r.x, area.y + r.y, r.width, r.height));
    let (w, h) = inner.map_or((1, 1), |r| (r.width as usize, r.height as usize));
    let view = t.view(w, st.theme.ascii);
    let page = TableState::body_height(&view, h);
    let scroll = t.scroll.min(view.body.len().saturating_sub(page));
    // Rows in view (1-based), as the reader's position reads.
    let rows = view.row_starts.len();
    let top_row = view.row_starts.iter().filter(|&&s| s <= scroll).count().max(1).min(rows);
    let bottom_row = view.row_starts.iter().filter(|&&s| s < scroll + page).count().min(rows);
    let mut title = format!("表格 {}", t.table.title.clone().unwrap_or_default());
    if rows > 0 {
        title.push_str(&format!(" · 行 {top_row}-{bottom_row}/{rows}"));
    }
    if view.shown.start > 1 || view.shown.end < view.columns {
        let (a, b) = (view.shown.start + 1, view.shown.end);
        let cols = if a >= b { format!("{b}") } else { format!("{a}-{b}") };
        title.push_str(&format!(" · 列 {cols}/{} · h/l 左右", view.columns));
    }
    title.push_str(" · esc 返回");
    let Some(_) = open_frame(st, title, area, buf) else { return };
    let Some(inner) = inner else { return };
    let head = view.head.len().min(inner.height as usize);
    for (row, line) in view.head.iter().take(head).enumerate() {
        draw_line(st, line, inner.x, inner.y + row as u16, inner.width, buf);
    }
    for (row, line) in view.body.iter().skip(scroll).take(inner.height as usize - head).enumerate() {
        draw_line(st, line, inner.x, inner.y + (head + row) as u16, inner.width, buf);
    }
}
