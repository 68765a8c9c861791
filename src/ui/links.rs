//! The `K` list: the companies named in the lines in view, a small popup
//! over the reader (state in `crate::app::LinksState`).

use crate::app::{LinksState, State, links_rows};
use crate::text::{fit, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Clear, Widget};

pub(super) fn render_links(st: &State, l: &LinksState, area: Rect, buf: &mut Buffer) {
    let rows: Vec<String> = l
        .companies
        .iter()
        .filter_map(|id| st.lib.company(id))
        .map(|c| match &c.latin {
            Some(lat) if *lat != c.name => format!(" {} {lat}", c.name),
            _ => format!(" {}", c.name),
        })
        .collect();
    let title = format!("本屏公司 {} · enter 打开", rows.len());
    let want = rows.iter().map(|r| width(r) + 1).chain([width(&title) + 2]).max().unwrap_or(0) as u16 + 2;
    let w = want.min(area.width.saturating_sub(4)).min(60);
    let shown = links_rows(area.height).min(rows.len());
    let h = (shown as u16 + 2).min(area.height.saturating_sub(2));
    if w < 8 || h < 3 {
        return;
    }
    let popup = crate::app::centered(area, w, h);
    super::clear_straddle(buf, popup);
    Clear.render(popup, buf);
    super::frame_block(st, title, w).render(popup, buf);
    let inner = Rect::new(popup.x + 1, popup.y + 1, popup.width - 2, popup.height - 2);
    for (row, (i, r)) in rows.iter().enumerate().skip(l.offset).take(inner.height as usize).enumerate() {
        let style = if i == l.selected { st.theme.selection() } else { Style::new() };
        let y = inner.y + row as u16;
        buf.set_stringn(inner.x, y, fit(r, inner.width as usize), inner.width as usize, style);
    }
}
