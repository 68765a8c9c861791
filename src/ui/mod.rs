//! Rendering: a pure function of the app's state into a ratatui buffer.

mod chart;
mod company;
mod copy;
mod finder;
mod help;
mod industries;
mod links;
mod marks;
mod measures;
mod reader;
mod status;
mod table;
mod tree;

use crate::app::{App, Overlay, SearchLayout, State};
use crate::text::{truncate, width};
use chart::render_chart;
use company::render_company;
use finder::render_search;
use help::render_help;
use industries::render_industries;
pub use marks::mark_crumb;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::symbols::border;
use ratatui::widgets::{Block, Borders, Clear, Widget};
use reader::render_reader;
pub use status::breadcrumb;
use status::{render_find_prompt, render_prompt, render_status};
use table::render_table;
use tree::render_nav;

const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

pub use crate::layout::MIN_SIZE;

/// Draw the whole screen.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let wide = app.state.options.ambiwidth == crate::options::AmbiWidth::Wide;
    crate::text::with_ambiwide(wide, || render_with(app, area, buf));
}

fn render_with(app: &App, area: Rect, buf: &mut Buffer) {
    let st = &app.state;
    if area.width == 0 || area.height == 0 {
        return;
    }
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        // Too small for any pane: one line saying so, not a mangled layout.
        let text = truncate(&format!("窗口太小（至少 {}x{}）", MIN_SIZE.0, MIN_SIZE.1), area.width as usize);
        let x = area.x + (area.width.saturating_sub(width(&text) as u16)) / 2;
        buf.set_stringn(x, area.y + area.height / 2, &text, area.width as usize, st.theme.dim());
        return;
    }
    let panes = crate::app::Panes::compute(area.width, area.height, st.focus, st.tree);
    let shift = |r: Rect| Rect::new(area.x + r.x, area.y + r.y, r.width, r.height).intersection(area);
    if let Some(r) = panes.nav {
        render_nav(st, shift(r), buf);
    }
    if let Some(r) = panes.reader {
        render_reader(st, shift(r), buf);
    }
    if let Some(r) = panes.status {
        render_status(app, shift(r), buf);
    }
    for o in &st.overlays {
        match o {
            Overlay::Help { scroll } => render_help(st, *scroll, area, buf),
            Overlay::Find { input, cursor, .. } => {
                if let Some(r) = panes.status {
                    render_find_prompt(st, input, *cursor, shift(r), buf);
                }
            }
            Overlay::Search(s) => render_search(st, s, area, buf),
            Overlay::Industries { selected } => render_industries(st, *selected, area, buf),
            Overlay::Chart(c) => render_chart(st, c, area, buf),
            Overlay::Table(t) => render_table(st, t, area, buf),
            Overlay::Company(c) => render_company(st, c, area, buf),
            Overlay::Links(l) => links::render_links(st, l, area, buf),
            Overlay::Copy(v) => copy::render_copy(st, v, area, buf),
            Overlay::Marks { selected, offset } => marks::render_marks(st, *selected, *offset, area, buf),
            Overlay::Notes(l) => marks::render_notes(st, l, area, buf),
            Overlay::Figures(l) => {
                marks::render_figures(st, l, area, buf);
                if let (true, Some(r)) = (l.editing, panes.status) {
                    let hint = ("enter 确定 · esc 清除", st.theme.dim());
                    render_prompt(shift(r), "筛选：", &l.filter.input, l.filter.cursor, hint, buf);
                }
            }
            Overlay::Command(c) => {
                if let Some(r) = panes.status {
                    let hint = ("tab 补全 · enter 执行", st.theme.dim());
                    render_prompt(shift(r), ":", &c.prompt.input, c.prompt.cursor, hint, buf);
                }
            }
            Overlay::Measures(v) => measures::render_measures(st, v, area, buf),
            Overlay::NotePrompt(p) => {
                if let Some(r) = panes.status {
                    let hint = ("enter 保存 · esc 取消", st.theme.dim());
                    render_prompt(shift(r), "笔记：", &p.input, p.cursor, hint, buf);
                }
            }
        }
    }
    if st.theme.ascii {
        asciify(buf, area);
    }
    if crate::text::ambiwide() {
        ambi_reflow(buf, area);
    }
}

/// `--ambiwidth wide`: the terminal draws an ambiguous character (“ ” …)
/// two columns wide, and the layout counted it so, but ratatui gave it one
/// cell. Give it two (the second skipped, as for a wide character) and pay
/// for the column with a blank further on, the first one that is followed
/// by a blank or a border (the room the layout left), or with a `-` of a
/// border line, so no line overflows and borders stay in place. With neither
/// the line is cut at the end.
fn ambi_reflow(buf: &mut Buffer, area: Rect) {
    use ratatui::buffer::{Cell, CellDiffOption};
    use std::num::NonZeroU16;
    let ambiguous = |c: &Cell| {
        let mut chars = c.symbol().chars();
        chars.next().is_some_and(crate::text::is_ambiguous) && chars.next().is_none()
    };
    for y in area.top()..area.bottom() {
        let row: Vec<Cell> = (area.left()..area.right()).map(|x| buf[(x, y)].clone()).collect();
        if !row.iter().any(ambiguous) {
            continue;
        }
        let blank = |c: &Cell| c.symbol() == " ";
        let edge = |c: &Cell| matches!(c.symbol(), " " | "|" | "+" | "-");
        let mut out: Vec<Cell> = Vec::with_capacity(row.len() + 4);
        let mut debt = 0usize;
        // Columns still covered by the last wide character pushed.
        let mut covered = 0usize;
        for (i, c) in row.iter().enumerate() {
            if covered > 0 {
                covered -= 1;
                out.push(c.clone());
                continue;
            }
            let dash_run = c.symbol() == "-" && row.get(i + 1).is_some_and(|n| n.symbol() == "-");
            if debt > 0 && (blank(c) && row.get(i + 1).is_none_or(edge) || dash_run) {
                debt -= 1;
                continue;
            }
            let mut c = c.clone();
            if ambiguous(&c) {
                c.set_diff_option(CellDiffOption::ForcedWidth(NonZeroU16::MIN.saturating_add(1)));
                let mut cont = c.clone();
                cont.set_symbol(" ");
                cont.set_diff_option(CellDiffOption::None);
                out.push(c);
                out.push(cont);
                debt += 1;
            } else {
                covered = width(c.symbol()).saturating_sub(1);
                out.push(c);
            }
        }
        let w = row.len();
        if out.len() > w {
            out.truncate(w);
            // Never leave half of a wide character at the cut.
            if let Some(last) = out.last_mut()
                && (ambiguous(last) || width(last.symbol()) > 1)
            {
                last.set_symbol(" ");
                last.set_diff_option(CellDiffOption::None);
            }
        }
        for (k, c) in out.into_iter().enumerate() {
            buf[(area.left() + k as u16, y)] = c;
        }
    }
}

/// `--ascii`: the East-Asian Ambiguous punctuation left on screen (the `…`
/// of every cut, `·` and `—` in titles and text, stray box drawing) drawn
/// as ASCII of the same width, for terminals that draw those wide.
fn asciify(buf: &mut Buffer, area: Rect) {
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            let to = match cell.symbol() {
                "…" => "~",
                "·" | "—" | "–" | "─" => "-",
                "│" => "|",
                "┌" | "┐" | "└" | "┘" | "┼" => "+",
                _ => continue,
            };
            cell.set_symbol(to);
        }
    }
}

fn pane_block<'a>(st: &State, title: String, focused: bool, max: u16) -> Block<'a> {
    let set = if st.theme.ascii { ASCII_BORDER } else { border::PLAIN };
    let title = truncate(&title, max.saturating_sub(4) as usize);
    Block::new()
        .borders(Borders::ALL)
        .border_set(set)
        .border_style(st.theme.border(focused))
        .title(format!(" {title} "))
        .title_style(if focused { st.theme.accent().add_modifier(Modifier::BOLD) } else { Style::new() })
}

/// Before drawing a popup over `area`, blank any wide character that
/// straddles its left or right edge, so no half character is left behind.
pub fn clear_straddle(buf: &mut Buffer, area: Rect) {
    let bounds = buf.area;
    for y in area.top()..area.bottom().min(bounds.bottom()) {
        if area.x > bounds.x {
            let c = &mut buf[(area.x - 1, y)];
            if width(c.symbol()) > 1 {
                c.set_symbol(" ");
            }
        }
        // A wide character starting on the popup's last column leaves its
        // trailing half just outside; blank it too.
        let right = area.right();
        if right > area.x && right < bounds.right() && width(buf[(right - 1, y)].symbol()) > 1 {
            buf[(right, y)].set_symbol(" ");
        }
    }
}

/// Draw `chars` from `start`, highlighting the char indices in `marks`
/// (sorted); stops before a character that would not fit.
#[allow(clippy::too_many_arguments)]
fn draw_marked(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    max: usize,
    chars: &[char],
    start: usize,
    marks: &[usize],
    base: Style,
    mark: Style,
) -> usize {
    let mut used = 0;
    for (i, &c) in chars.iter().enumerate().skip(start) {
        let c = if c.is_control() { ' ' } else { c };
        let w = crate::text::char_width(c);
        if used + w > max {
            break;
        }
        let style = if marks.binary_search(&i).is_ok() { base.patch(mark) } else { base };
        buf.set_stringn(x + used as u16, y, c.to_string(), w, style);
        used += w;
    }
    used
}

fn frame_block<'a>(st: &State, title: String, width: u16) -> Block<'a> {
    pane_block(st, title, true, width)
}

fn shifted(r: Rect, area: Rect) -> Rect {
    Rect::new(area.x + r.x, area.y + r.y, r.width, r.height).intersection(area)
}

/// Open a full-screen overlay (finder, company page, chart view): clear its
/// frame, wide characters on its edges included, and draw its border.
fn open_frame(st: &State, title: String, area: Rect, buf: &mut Buffer) -> Option<(SearchLayout, Rect)> {
    let l = SearchLayout::compute(area.width, area.height)?;
    let frame = shifted(l.frame, area);
    clear_straddle(buf, frame);
    Clear.render(frame, buf);
    frame_block(st, title, frame.width).render(frame, buf);
    Some((l, frame))
}
