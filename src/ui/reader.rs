//! The reader pane: the page as styled lines, find matches highlighted.

use super::pane_block;
use crate::app::{FindState, Focus, State};
use crate::doc::{Doc, DocLine};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

pub(super) fn render_reader(st: &State, area: Rect, buf: &mut Buffer) {
    if area.width < 2 || area.height < 2 {
        return;
    }
    let focused = st.focus == Focus::Reader;
    let title = match st.reader.industry.and_then(|i| st.lib.industries.get(i)) {
        Some(ind) => format!("行业：{}", ind.name),
        None => st.lib.node_title(st.reader.node),
    };
    let block = pane_block(st, title, focused, area.width);
    block.render(area, buf);
    let text = Rect::new(area.x + 2, area.y + 1, area.width.saturating_sub(4), area.height.saturating_sub(2));
    if text.width == 0 || text.height == 0 {
        return;
    }
    draw_doc(st, &st.reader.doc, &st.reader.find, st.reader.scroll, text, buf);
    // Deep in a table, its header (and rule) stays on top, as less --header
    // does, when the view has room for a few body lines below it.
    let doc = &st.reader.doc;
    if let Some(head) = doc.sticky_head(st.reader.scroll)
        && head.len() + 3 <= text.height as usize
    {
        for (row, idx) in head.enumerate() {
            let y = text.y + row as u16;
            for x in text.x..text.x + text.width {
                buf[(x, y)].reset();
            }
            if let Some(line) = doc.lines.get(idx) {
                draw_line(st, line, text.x, y, text.width, buf);
            }
        }
    }
    draw_focus(st, text, buf);
    // After the focus: a note's mark is never hidden by it (drawn in the
    // focus's style on the focused block, so the focus still shows).
    draw_note_gutter(st, Rect::new(area.x + 1, text.y, 1, text.height), buf);
}

/// The focus mark: in the gutter left of the text, beside each line of
/// the focused block in view (the whole block, at least its first line).
fn draw_focus(st: &State, text: Rect, buf: &mut Buffer) {
    if text.x == 0 {
        return;
    }
    let Some(f) = st.focused_block() else { return };
    let x = text.x - 1;
    let scroll = st.reader.scroll;
    for line in f.lines.start.max(scroll)..f.lines.end.min(scroll + text.height as usize) {
        let y = text.y + (line - scroll) as u16;
        buf[(x, y)].set_symbol(st.theme.focus_glyph()).set_style(st.theme.focus_mark());
    }
}

/// The gutter marks of noted (✎) and highlighted (✦) blocks, in the column
/// left of the text.
fn draw_note_gutter(st: &State, col: Rect, buf: &mut Buffer) {
    if st.memory.notes.is_empty() || col.x == 0 {
        return;
    }
    let noted = st.noted_items();
    let doc = &st.reader.doc;
    for row in 0..col.height as usize {
        let idx = st.reader.scroll + row;
        if idx >= doc.lines.len() {
            break;
        }
        let Some(item) = doc.item_index_at(idx) else { continue };
        let mark = if noted.iter().any(|&(k, text)| k == item && text) {
            "✎"
        } else if noted.iter().any(|&(k, _)| k == item) {
            "✦"
        } else {
            continue;
        };
        let y = col.y + row as u16;
        let focused = buf[(col.x, y)].symbol() == st.theme.focus_glyph();
        let style = if focused { st.theme.focus_mark() } else { st.theme.accent() };
        buf.set_string(col.x, y, mark, style);
    }
}

/// Draw a laid-out page from `scroll` into `area`, with find highlights.
pub(super) fn draw_doc(st: &State, doc: &Doc, find: &FindState, scroll: usize, area: Rect, buf: &mut Buffer) {
    for row in 0..area.height as usize {
        let idx = scroll + row;
        let Some(line) = doc.lines.get(idx) else {
            break;
        };
        let y = area.y + row as u16;
        draw_line(st, line, area.x, y, area.width, buf);
        for (mi, m) in find.matches.iter().enumerate() {
            let style = if Some(mi) == find.current { st.theme.find_current() } else { st.theme.find_match() };
            for p in m.pieces.iter().filter(|p| p.line == idx) {
                for col in p.start..p.end.min(area.width as usize) {
                    buf[(area.x + col as u16, y)].set_style(style);
                }
            }
        }
    }
}

pub(super) fn draw_line(st: &State, line: &DocLine, x: u16, y: u16, max: u16, buf: &mut Buffer) {
    let mut cx = x;
    let end = x + max;
    for s in &line.segs {
        if cx >= end {
            break;
        }
        let room = (end - cx) as usize;
        let (nx, _) = buf.set_stringn(cx, y, &s.text, room, st.theme.role(s.role));
        cx = nx;
    }
}
