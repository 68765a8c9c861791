//! Rendering: a pure function of the app's state into a ratatui buffer.

use crate::action::Action;
use crate::app::{App, Focus, Overlay, State};
use crate::content::NodeKind;
use crate::doc::{DocLine, Role};
use crate::keymap::{Context, seq_to_string};
use crate::text::{fit, truncate, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::symbols::border;
use ratatui::widgets::{Block, Borders, Clear, Widget};

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

/// Draw the whole screen.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let st = &app.state;
    if area.width == 0 || area.height == 0 {
        return;
    }
    let panes = crate::app::Panes::compute(area.width, area.height, st.focus);
    let shift =
        |r: Rect| Rect::new(area.x + r.x, area.y + r.y, r.width, r.height).intersection(area);
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
            Overlay::Find { input, .. } => {
                if let Some(r) = panes.status {
                    render_find_prompt(st, input, shift(r), buf);
                }
            }
        }
    }
}

fn pane_block<'a>(st: &State, title: String, focused: bool, max: u16) -> Block<'a> {
    let set = if st.theme.ascii {
        ASCII_BORDER
    } else {
        border::PLAIN
    };
    let title = truncate(&title, max.saturating_sub(4) as usize);
    Block::new()
        .borders(Borders::ALL)
        .border_set(set)
        .border_style(st.theme.border(focused))
        .title(format!(" {title} "))
        .title_style(if focused {
            st.theme.accent().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        })
}

fn render_nav(st: &State, area: Rect, buf: &mut Buffer) {
    if area.width < 2 || area.height < 2 {
        return;
    }
    let focused = st.focus == Focus::Nav;
    let block = pane_block(st, "目录".into(), focused, area.width);
    let inner = block.inner(area);
    block.render(area, buf);
    let rows = st.nav.visible(&st.lib);
    let w = inner.width as usize;
    for (i, &n) in rows
        .iter()
        .skip(st.nav.offset)
        .take(inner.height as usize)
        .enumerate()
    {
        let node = &st.lib.nodes[n];
        let indent = "  ".repeat(node.depth.min(8));
        let marker = match (
            node.children.is_empty(),
            st.nav.is_expanded(n),
            st.theme.ascii,
        ) {
            (true, _, _) => "  ",
            (false, true, false) => "▾ ",
            (false, false, false) => "▸ ",
            (false, true, true) => "- ",
            (false, false, true) => "+ ",
        };
        let line = fit(&format!("{indent}{marker}{}", st.lib.tree_title(n)), w);
        let mut style = match node.kind {
            NodeKind::Report => st.theme.role(Role::Title),
            NodeKind::Chapter => Style::new().add_modifier(Modifier::BOLD),
            NodeKind::Section => Style::new(),
        };
        if n == st.nav.selected {
            style = if focused {
                st.theme.selection()
            } else {
                style.add_modifier(Modifier::UNDERLINED)
            };
        } else if n == st.reader.node && !focused {
            style = style.add_modifier(Modifier::BOLD);
        }
        buf.set_stringn(inner.x, inner.y + i as u16, &line, w, style);
    }
}

fn render_reader(st: &State, area: Rect, buf: &mut Buffer) {
    if area.width < 2 || area.height < 2 {
        return;
    }
    let focused = st.focus == Focus::Reader;
    let block = pane_block(st, st.lib.node_title(st.reader.node), focused, area.width);
    block.render(area, buf);
    let text = Rect::new(
        area.x + 2,
        area.y + 1,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    if text.width == 0 || text.height == 0 {
        return;
    }
    let doc = &st.reader.doc;
    let find = &st.reader.find;
    for row in 0..text.height as usize {
        let idx = st.reader.scroll + row;
        let Some(line) = doc.lines.get(idx) else {
            break;
        };
        let y = text.y + row as u16;
        draw_line(st, line, text.x, y, text.width, buf);
        for (mi, m) in find.matches.iter().enumerate() {
            let style = if Some(mi) == find.current {
                st.theme.find_current()
            } else {
                st.theme.find_match()
            };
            for p in m.pieces.iter().filter(|p| p.line == idx) {
                for col in p.start..p.end.min(text.width as usize) {
                    buf[(text.x + col as u16, y)].set_style(style);
                }
            }
        }
    }
}

fn draw_line(st: &State, line: &DocLine, x: u16, y: u16, max: u16, buf: &mut Buffer) {
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

fn render_status(app: &App, area: Rect, buf: &mut Buffer) {
    let st = &app.state;
    buf.set_style(area, st.theme.status());
    let w = area.width as usize;
    // Right: position, find count, pending keys, hints.
    let mut right = Vec::new();
    let pending = app.pending_keys();
    if !pending.is_empty() {
        right.push(pending);
    }
    if let Some(p) = st.reader.find.position() {
        right.push(format!("[{}] {p}", st.reader.find.query));
    }
    let total = st.reader.doc.lines.len();
    let h = st.reader_height();
    if total > 0 {
        let pct = if total <= h {
            100
        } else {
            (st.reader.scroll + h).min(total) * 100 / total
        };
        right.push(format!(
            "{}/{} {pct}%",
            (st.reader.scroll + 1).min(total),
            total
        ));
    }
    let hints = hints(st);
    let mut right_s = right.join("  ");
    if w >= width(&right_s) + width(&hints) + 50 {
        right_s = format!("{right_s}  {hints}");
    }
    let left = match &st.message {
        Some(m) => m.clone(),
        None => breadcrumb(st),
    };
    let rw = width(&right_s).min(w);
    let lw = w.saturating_sub(rw + 2);
    buf.set_stringn(
        area.x,
        area.y,
        format!(" {}", truncate(&left, lw.saturating_sub(1))),
        lw,
        st.theme.status(),
    );
    let rx = area.x + (w - rw) as u16;
    buf.set_stringn(rx, area.y, truncate(&right_s, rw), rw, st.theme.status());
}

/// report › chapter › section of the line at the top of the reader.
pub fn breadcrumb(st: &State) -> String {
    let node = st.reader_top_node();
    let parts: Vec<String> = st
        .lib
        .ancestry(node)
        .into_iter()
        .map(|n| st.lib.tree_title(n))
        .collect();
    let n = parts.len();
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i + 1 < n {
                truncate(p, if i == 0 { 10 } else { 14 })
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" › ")
}

/// Key hints from the live keymap.
fn hints(st: &State) -> String {
    let want = [
        (Action::Help, "help"),
        (Action::Find, "find"),
        (Action::FocusNext, "pane"),
        (Action::Quit, "quit"),
    ];
    want.iter()
        .filter_map(|(a, label)| {
            st.keymap
                .keys_for(Context::Global, a)
                .first()
                .map(|k| format!("{k} {label}"))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn render_find_prompt(st: &State, input: &str, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let count = match st.reader.find.position() {
        Some(p) if !input.is_empty() => format!("  {p}"),
        _ => String::new(),
    };
    let w = area.width as usize;
    let cw = width(&count);
    let room = w.saturating_sub(cw + 2);
    // Show the end of a long query.
    let mut shown: String = input.to_string();
    while width(&shown) > room.saturating_sub(1) && !shown.is_empty() {
        shown.remove(0);
    }
    let (x, _) = buf.set_stringn(area.x, area.y, format!("/{shown}"), w, Style::new());
    if x < area.x + area.width {
        buf[(x, area.y)].set_style(Style::new().add_modifier(Modifier::REVERSED));
    }
    if cw > 0 && cw < w {
        buf.set_stringn(area.x + (w - cw) as u16, area.y, &count, cw, st.theme.dim());
    }
}

/// The help overlay, generated from the live keymap.
pub fn help_lines(st: &State) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ctx in Context::ALL {
        let mut rows: Vec<(String, String)> = Vec::new();
        for b in st.keymap.bindings(ctx) {
            let desc = b.desc.clone().unwrap_or_else(|| {
                b.actions
                    .iter()
                    .map(|a| a.describe())
                    .collect::<Vec<_>>()
                    .join(", ")
            });
            let keys = seq_to_string(&b.keys);
            match rows.iter_mut().find(|r| r.1 == desc) {
                Some(r) => r.0 = format!("{}, {keys}", r.0),
                None => rows.push((keys, desc)),
            }
        }
        if rows.is_empty() {
            continue;
        }
        let title = match ctx {
            Context::Global => "Everywhere",
            Context::Nav => "Tree",
            Context::Reader => "Reader",
            Context::Find => "Find prompt",
            Context::Help => "This help",
        };
        out.push((String::new(), title.to_string()));
        out.extend(rows);
    }
    out
}

fn render_help(st: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
    let lines = help_lines(st);
    let w = area.width.saturating_sub(4).min(70);
    let h = area.height.saturating_sub(2).min(lines.len() as u16 + 2);
    if w < 6 || h < 3 {
        return;
    }
    let popup = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    clear_straddle(buf, popup);
    Clear.render(popup, buf);
    let block = pane_block(st, "帮助 help  (esc to close)".into(), true, w);
    let inner = block.inner(popup);
    block.render(popup, buf);
    let key_w = lines
        .iter()
        .map(|l| width(&l.0))
        .max()
        .unwrap_or(0)
        .min(inner.width as usize / 2);
    let max_scroll = lines.len().saturating_sub(inner.height as usize);
    for (i, (k, d)) in lines
        .iter()
        .skip(scroll.min(max_scroll))
        .take(inner.height as usize)
        .enumerate()
    {
        let y = inner.y + i as u16;
        if k.is_empty() {
            buf.set_stringn(inner.x, y, d, inner.width as usize, st.theme.role(Role::H2));
        } else {
            let text = format!(" {}  {d}", fit(k, key_w));
            buf.set_stringn(
                inner.x,
                y,
                fit(&text, inner.width as usize),
                inner.width as usize,
                Style::new(),
            );
            buf.set_stringn(inner.x + 1, y, fit(k, key_w), key_w, st.theme.accent());
        }
    }
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
