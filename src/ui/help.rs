//! The help overlay.

use super::{clear_straddle, pane_block};
use crate::app::State;
use crate::doc::Role;
use crate::text::{fit, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::{Clear, Widget};

pub(super) fn render_help(st: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let lines = crate::app::help_lines(&st.keymap);
    let Some((popup, rows)) = crate::app::help_popup(area, lines.len()) else { return };
    let w = popup.width;
    clear_straddle(buf, popup);
    Clear.render(popup, buf);
    let title = if lines.len() > rows {
        let top = scroll.min(lines.len() - rows) + 1;
        format!("帮助 {top}-{}/{} · j/k 滚动 · esc 关闭", (top + rows - 1).min(lines.len()), lines.len())
    } else {
        "帮助 · esc 关闭".to_string()
    };
    let block = pane_block(st, title, true, w);
    let inner = block.inner(popup);
    block.render(popup, buf);
    let key_w = lines.iter().map(|l| width(&l.0)).max().unwrap_or(0).min(inner.width as usize / 2);
    let max_scroll = lines.len().saturating_sub(inner.height as usize);
    for (i, (k, d)) in lines.iter().skip(scroll.min(max_scroll)).take(inner.height as usize).enumerate() {
        let y = inner.y + i as u16;
        if k.is_empty() {
            buf.set_stringn(inner.x, y, d, inner.width as usize, st.theme.role(Role::H2));
        } else {
            let text = format!(" {}  {d}", fit(k, key_w));
            buf.set_stringn(inner.x, y, fit(&text, inner.width as usize), inner.width as usize, Style::new());
            buf.set_stringn(inner.x + 1, y, fit(k, key_w), key_w, st.theme.accent());
        }
    }
}
