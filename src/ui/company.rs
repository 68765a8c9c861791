//! The company page overlay.

use super::finder::draw_hit;
use super::open_frame;
use crate::app::{CompanyState, State};
use crate::search::Field;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

pub(super) fn render_company(st: &State, c: &CompanyState, area: Rect, buf: &mut Buffer) {
    let Some(co) = st.lib.company(&c.id) else {
        return;
    };
    let head = match &co.latin {
        Some(lat) => format!("公司 {} {lat}", co.name),
        None => format!("公司 {}", co.name),
    };
    let Some((_, frame)) = open_frame(st, head, area, buf) else { return };
    let inner = Rect::new(frame.x + 1, frame.y + 1, frame.width.saturating_sub(2), frame.height.saturating_sub(2));
    let mut info = Vec::new();
    if !co.aliases.is_empty() {
        info.push(format!("别名：{}", co.aliases.join("、")));
    }
    if let Some(k) = &co.kind {
        info.push(format!("类型：{k}"));
    }
    info.push(format!("在两份报告中提及 {} 处（enter 跳转，esc 返回）", c.mentions.len()));
    let mut y = inner.y;
    for t in info {
        for line in crate::text::wrap(&t, inner.width as usize).into_iter().take(2) {
            if y < inner.bottom() {
                buf.set_stringn(inner.x, y, &line, inner.width as usize, st.theme.dim());
                y += 1;
            }
        }
    }
    let list = Rect::new(inner.x, y + 1, inner.width, inner.bottom().saturating_sub(y + 1));
    for (row, (i, &unit)) in c.mentions.iter().enumerate().skip(c.offset).take(list.height as usize).enumerate() {
        let y = list.y + row as u16;
        let u = &st.index.units[unit];
        let selected = i == c.selected;
        let base = if selected { st.theme.selection() } else { Style::new() };
        if selected {
            buf.set_style(Rect::new(list.x, y, list.width, 1), base);
        }
        // Highlight the company's name in the mention.
        let (field, at) = match st.lib.first_mention(&co.id, &u.title) {
            Some(r) => (Field::Title, Some(r)),
            None => (Field::Text, st.lib.first_mention(&co.id, &u.text)),
        };
        let indices = at.map(|r| r.collect()).unwrap_or_default();
        let hit = crate::search::Hit::marked(unit, field, indices);
        draw_hit(st, u, &hit, list.x, y, list.width as usize, base, buf);
    }
}
