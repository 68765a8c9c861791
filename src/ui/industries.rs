//! The industry picker overlay (`i`).

use super::{clear_straddle, frame_block};
use crate::action::Action;
use crate::app::State;
use crate::keymap::Context;
use crate::text::{fit, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Clear, Widget};

pub(super) fn render_industries(st: &State, selected: usize, area: Rect, buf: &mut Buffer) {
    let Some((popup, inner)) = crate::app::switcher_layout(area, st.lib.industries.len()) else { return };
    clear_straddle(buf, popup);
    Clear.render(popup, buf);
    frame_block(st, "行业 · 数字与字母键 / enter".into(), popup.width).render(popup, buf);
    // The name takes the room the four counts leave (the key: 3 columns,
    // the counts: 4 × 6), so no name is cut while there is room.
    let name_w = (inner.width as usize).saturating_sub(3 + 4 * 6).max(4);
    let head = fit(&format!("   {}  章节  案例  示例  图表", fit("行业", name_w)), inner.width as usize);
    buf.set_stringn(inner.x, inner.y, head, inner.width as usize, st.theme.dim());
    let rows = inner.height.saturating_sub(1) as usize;
    let offset = crate::app::switcher_offset(selected, rows);
    for (row, (i, ind)) in st.lib.industries.iter().enumerate().skip(offset).take(rows).enumerate() {
        let stats = st.lib.industry_stats(&ind.id);
        // The key that opens it (1-9, 0, `)`, then letters by default; the live keymap's).
        let key = u8::try_from(i + 1)
            .ok()
            .and_then(|k| st.keymap.keys_for(Context::Industries, &Action::GotoIndustry(k)).into_iter().next())
            .filter(|k| width(k) == 1)
            .map_or_else(|| "  ".to_string(), |k| format!("{k} "));
        let name = match &ind.english {
            Some(en) => format!("{} {en}", ind.name),
            None => ind.name.clone(),
        };
        let line = format!(
            " {key}{} {:>4}  {:>4}  {:>4}  {:>4}",
            fit(&name, name_w),
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
