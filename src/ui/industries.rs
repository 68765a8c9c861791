//! The industry picker overlay (`i`).

use super::{clear_straddle, frame_block};
use crate::app::State;
use crate::text::fit;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Clear, Widget};

pub(super) fn render_industries(st: &State, selected: usize, area: Rect, buf: &mut Buffer) {
    let n = st.lib.industries.len();
    let w = area.width.saturating_sub(4).min(64);
    let h = area.height.saturating_sub(2).min(n as u16 + 3);
    if w < 12 || h < 3 {
        return;
    }
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    clear_straddle(buf, popup);
    Clear.render(popup, buf);
    frame_block(st, "行业 industries · 1-9 / enter".into(), w).render(popup, buf);
    let inner = Rect::new(popup.x + 1, popup.y + 1, popup.width - 2, popup.height - 2);
    let head = fit("   行业             章节  案例  示例  图表", inner.width as usize);
    buf.set_stringn(inner.x, inner.y, head, inner.width as usize, st.theme.dim());
    let rows = inner.height.saturating_sub(1) as usize;
    let offset = selected.saturating_sub(rows.saturating_sub(1));
    for (row, (i, ind)) in st.lib.industries.iter().enumerate().skip(offset).take(rows).enumerate() {
        let stats = st.lib.industry_stats(&ind.id);
        let key = if i < 9 { format!("{} ", i + 1) } else { "  ".into() };
        let name = format!("{} {}", ind.name, ind.english.clone().unwrap_or_default());
        let line = format!(
            " {key}{} {:>4}  {:>4}  {:>4}  {:>4}",
            fit(&name, 16),
            stats.sections,
            stats.cases,
            stats.examples,
            stats.figures
        );
        let style = if i == selected { st.theme.selection() } else { Style::new() };
        let y = inner.y + 1 + row as u16;
        buf.set_stringn(inner.x, y, fit(&line, inner.width as usize), inner.width as usize, style);
    }
}
