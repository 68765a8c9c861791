//! The industry picker overlay (`i`).

use super::{clear_straddle, frame_block};
use crate::app::State;
use crate::text::fit;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Clear, Widget};

pub(super) fn render_industries(st: &State, selected: usize, area: Rect, buf: &mut Buffer) {
    let Some((popup, inner)) = crate::app::switcher_layout(area, st.lib.industries.len()) else { return };
    clear_straddle(buf, popup);
    Clear.render(popup, buf);
    frame_block(st, "行业 industries · 1-9 / enter".into(), popup.width).render(popup, buf);
    let head = fit("   行业             章节  案例  示例  图表", inner.width as usize);
    buf.set_stringn(inner.x, inner.y, head, inner.width as usize, st.theme.dim());
    let rows = inner.height.saturating_sub(1) as usize;
    let offset = crate::app::switcher_offset(selected, rows);
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
