//! The marks list (`M`): each mark on two rows, its letter with the report
//! and breadcrumb of its place, then the line of text it was set on.

use super::status::fit_crumb;
use super::{clear_straddle, pane_block};
use crate::app::{FigList, Mark, NotesList, State, fig_row, figures_popup, marks_popup, notes_popup};
use crate::doc::Page;
use crate::text::{fit, truncate, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Clear, Widget};

/// Where a mark is: 《report》 › chapter › section, or 行业 › name.
pub fn mark_crumb(st: &State, m: &Mark) -> String {
    match m.page {
        Page::Industry(i) => {
            let name = st.lib.industries.get(i).map(|x| x.name.clone()).unwrap_or_default();
            format!("行业 › {name}")
        }
        Page::Node(_) => {
            let mut parts: Vec<String> = Vec::new();
            for (k, n) in st.lib.ancestry(m.node).into_iter().enumerate() {
                parts.push(if k == 0 {
                    // Several reports: its short name and year, as hits show it.
                    match st.lib.label_of(n) {
                        Some(label) => format!("《{label}》"),
                        None => format!("《{}》", truncate(&st.lib.node_title(n), 16)),
                    }
                } else {
                    st.lib.tree_title(n)
                });
            }
            parts.join(" › ")
        }
    }
}

/// The frame of a two-rows-an-entry list popup (marks, notes): cleared,
/// bordered and titled; its inner area and width, or nothing when there is
/// no room for a list.
fn list_frame(st: &State, popup: Option<Rect>, area: Rect, title: String, buf: &mut Buffer) -> Option<(Rect, usize)> {
    let popup = popup?;
    let popup = Rect::new(area.x + popup.x, area.y + popup.y, popup.width, popup.height).intersection(area);
    clear_straddle(buf, popup);
    Clear.render(popup, buf);
    let block = pane_block(st, title, true, popup.width);
    let inner = block.inner(popup);
    block.render(popup, buf);
    let w = inner.width as usize;
    (w >= 6).then_some((inner, w))
}

pub(super) fn render_marks(st: &State, selected: usize, offset: usize, area: Rect, buf: &mut Buffer) {
    let n = st.memory.marks.len();
    let title = format!("标记 {n} 个 · enter 跳转 · d 删除 · esc 关闭");
    let Some((inner, w)) = list_frame(st, marks_popup((area.width, area.height), n), area, title, buf) else { return };
    let rows = (inner.height / 2) as usize;
    for (row, (i, m)) in st.memory.marks.iter().enumerate().skip(offset).take(rows).enumerate() {
        let y = inner.y + 2 * row as u16;
        let sel = i == selected;
        let style = if sel { st.theme.selection() } else { Style::new() };
        let key = format!(" {} ", m.name);
        let crumb = fit_mark_crumb(&mark_crumb(st, m), w.saturating_sub(width(&key) + 1));
        buf.set_stringn(inner.x, y, fit(&format!("{key}{crumb}"), w), w, style);
        buf.set_stringn(inner.x, y, &key, w, style.patch(st.theme.accent()).add_modifier(Modifier::BOLD));
        let text = format!("   {}", m.text);
        let text_style = if sel { style } else { st.theme.dim() };
        buf.set_stringn(inner.x, y + 1, fit(&text, w), w, text_style);
    }
}

/// A mark's breadcrumb cut to `max` columns: the report (or 行业) stays
/// first, then the last parts that fit.
fn fit_mark_crumb(crumb: &str, max: usize) -> String {
    if width(crumb) <= max {
        return crumb.to_string();
    }
    match crumb.split_once(" › ") {
        Some((head, rest)) if width(head) + 3 + 8 <= max => {
            format!("{head} › {}", fit_crumb(rest, max - width(head) - 3))
        }
        _ => fit_crumb(crumb, max),
    }
}

/// The notes list (`g n`): each note on two rows, the note (or 高亮) with
/// its date and breadcrumb, then the first line of the block it is on; the
/// filter (`/`) in the title.
pub(super) fn render_notes(st: &State, l: &NotesList, area: Rect, buf: &mut Buffer) {
    let n = l.shown.len();
    // The filter as typed, less the characters of no width (as the figure list's).
    let typed: String = l.filter.input.chars().filter(|&c| crate::text::char_width(c) > 0).collect();
    let title = if typed.is_empty() && !l.editing {
        format!("笔记 {n} 条 · enter 跳转 · e 修改 · d 删除 · u 撤销 · / 筛选 · esc 关闭")
    } else {
        let all = st.memory.notes.len();
        let cursor = if l.editing { "▏" } else { "" };
        format!("笔记 {n}/{all} 条 · 筛选：{typed}{cursor} · enter 跳转 · e 修改 · d 删除 · esc 清除筛选")
    };
    let Some((inner, w)) = list_frame(st, notes_popup((area.width, area.height), n), area, title, buf) else { return };
    if n == 0 {
        buf.set_stringn(inner.x, inner.y, fit(" （没有符合筛选的笔记）", w), w, st.theme.dim());
        return;
    }
    let rows = (inner.height / 2) as usize;
    for (row, (i, &k)) in l.shown.iter().enumerate().skip(l.offset).take(rows).enumerate() {
        let Some(note) = st.memory.notes.get(k) else { continue };
        let (head, first) = crate::app::note_row(&st.lib, note);
        let y = inner.y + 2 * row as u16;
        let style = if i == l.selected { st.theme.selection() } else { Style::new() };
        buf.set_stringn(inner.x, y, fit(&format!(" {head}"), w), w, style);
        let text_style = if i == l.selected { style } else { st.theme.dim() };
        buf.set_stringn(inner.x, y + 1, fit(&first, w), w, text_style);
    }
}

/// The figure list (`F`): each item on two rows, its number and title,
/// then its kind and place (the report named when the list spans the library).
pub(super) fn render_figures(st: &State, l: &FigList, area: Rect, buf: &mut Buffer) {
    let n = l.shown.len();
    let scope = if l.library { "全库" } else { "本报告" };
    // The filter as typed, less the characters of no width (U+FEFF, U+200D,
    // controls): in a title they were drawn over half of a wide character.
    let shown: String = l.filter.input.chars().filter(|&c| crate::text::char_width(c) > 0).collect();
    let filter = if shown.is_empty() { String::new() } else { format!(" · 筛选：{shown}") };
    let title = format!("图表目录（{scope}）{n} 项{filter} · enter 打开 · c 对照 · / 筛选 · L 范围 · esc 关闭");
    let Some((inner, w)) = list_frame(st, figures_popup((area.width, area.height), n), area, title, buf) else {
        return;
    };
    if n == 0 {
        buf.set_stringn(inner.x, inner.y, fit(" （没有符合筛选的图表）", w), w, st.theme.dim());
        return;
    }
    let rows = (inner.height / 2) as usize;
    for (row, (i, &k)) in l.shown.iter().enumerate().skip(l.offset).take(rows).enumerate() {
        let Some(x) = l.all.get(k) else { continue };
        let y = inner.y + 2 * row as u16;
        let sel = i == l.selected;
        let style = if sel { st.theme.selection() } else { Style::new() };
        let (head, place) = fig_row(&st.lib, x, l.library);
        let pick = if l.pick == Some(k) { "◆" } else { " " };
        buf.set_stringn(inner.x, y, fit(&format!("{pick}{head}"), w), w, style);
        let label = format!("{pick}{}", x.label);
        buf.set_stringn(inner.x, y, &label, w, style.patch(st.theme.accent()).add_modifier(Modifier::BOLD));
        let text_style = if sel { style } else { st.theme.dim() };
        buf.set_stringn(inner.x, y + 1, fit(&format!("   {place}"), w), w, text_style);
    }
}
