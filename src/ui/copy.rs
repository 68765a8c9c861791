//! The copy overlay: the text last copied, drawn plain over the panes (no
//! border beside the text), so that the terminal's own selection takes it
//! as it is, for terminals that ignore OSC 52.

use crate::app::{CopyView, State, copy_rows};
use crate::doc::Role;
use crate::text::fit;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Widget};

pub(super) fn render_copy(st: &State, v: &CopyView, area: Rect, buf: &mut Buffer) {
    // Everything but the status line.
    let body = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
    if body.width == 0 || body.height == 0 {
        return;
    }
    Clear.render(body, buf);
    let lines = &v.lines;
    let rows = copy_rows((area.width, area.height));
    let scroll = v.scroll.min(lines.len().saturating_sub(rows));
    let range = if lines.len() > rows {
        format!(" {}-{}/{} 行", scroll + 1, (scroll + rows).min(lines.len()), lines.len())
    } else {
        String::new()
    };
    let title = format!("已复制：{}{range} · 可用终端的选择复制 · j/k 滚动 · esc 关闭", v.what);
    let w = body.width as usize;
    buf.set_stringn(body.x, body.y, fit(&title, w), w, st.theme.role(Role::H2));
    for (i, line) in lines.iter().skip(scroll).take(rows).enumerate() {
        let y = body.y + 1 + i as u16;
        if y >= body.bottom() {
            break;
        }
        buf.set_stringn(body.x, y, line, w, st.theme.role(Role::Body));
    }
}
