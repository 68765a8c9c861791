//! Rendering: a pure function of the app's state into a ratatui buffer.

use crate::action::Action;
use crate::app::{App, CompanyState, FindState, Focus, Overlay, SearchLayout, SearchState, State};
use crate::content::NodeKind;
use crate::doc::{Doc, DocLine, Role};
use crate::keymap::{Context, seq_to_string};
use crate::search::{Field, Target, Unit};
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
            Overlay::Find { input, .. } => {
                if let Some(r) = panes.status {
                    render_find_prompt(st, input, shift(r), buf);
                }
            }
            Overlay::Search(s) => render_search(st, s, area, buf),
            Overlay::Industries { selected } => render_industries(st, *selected, area, buf),
            Overlay::Chart(c) => render_chart(st, c, area, buf),
            Overlay::Company(c) => render_company(st, c, area, buf),
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
    for (i, &n) in rows.iter().skip(st.nav.offset).take(inner.height as usize).enumerate() {
        let node = &st.lib.nodes[n];
        let indent = "  ".repeat(node.depth.min(8));
        let marker = match (node.children.is_empty(), st.nav.is_expanded(n), st.theme.ascii) {
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
            style = if focused { st.theme.selection() } else { style.add_modifier(Modifier::UNDERLINED) };
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
}

/// Draw a laid-out page from `scroll` into `area`, with find highlights.
fn draw_doc(st: &State, doc: &Doc, find: &FindState, scroll: usize, area: Rect, buf: &mut Buffer) {
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
        let pct = if total <= h { 100 } else { (st.reader.scroll + h).min(total) * 100 / total };
        right.push(format!("{}/{} {pct}%", (st.reader.scroll + 1).min(total), total));
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
    buf.set_stringn(area.x, area.y, format!(" {}", truncate(&left, lw.saturating_sub(1))), lw, st.theme.status());
    let rx = area.x + (w - rw) as u16;
    buf.set_stringn(rx, area.y, truncate(&right_s, rw), rw, st.theme.status());
}

/// report › chapter › section of the line at the top of the reader.
pub fn breadcrumb(st: &State) -> String {
    let node = st.reader_top_node();
    let industry = st.current_industry().and_then(|i| st.lib.industries.get(i)).map(|i| i.name.clone());
    let mut parts: Vec<String> = match (st.reader.industry, industry) {
        // An industry page: 行业 › 金融 › the part at the top.
        (Some(_), Some(name)) => {
            let mut v = vec!["行业".to_string(), name];
            if st.reader.doc.node_at(st.reader.scroll).is_some() {
                v.push(st.lib.tree_title(node));
            }
            v
        }
        (_, industry) => {
            let mut v: Vec<String> = st.lib.ancestry(node).into_iter().map(|n| st.lib.tree_title(n)).collect();
            if let Some(name) = industry {
                v.insert(0, format!("[{name}]"));
            }
            v
        }
    };
    let n = parts.len();
    for (i, p) in parts.iter_mut().enumerate() {
        if i + 1 < n {
            *p = truncate(p, if i == 0 { 10 } else { 14 });
        }
    }
    parts.join(" › ")
}

/// Key hints from the live keymap.
fn hints(st: &State) -> String {
    let want = [(Action::Help, "help"), (Action::Find, "find"), (Action::FocusNext, "pane"), (Action::Quit, "quit")];
    want.iter()
        .filter_map(|(a, label)| st.keymap.keys_for(Context::Global, a).first().map(|k| format!("{k} {label}")))
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
    let shown = tail(input, room.saturating_sub(1));
    let (x, _) = buf.set_stringn(area.x, area.y, format!("/{shown}"), w, Style::new());
    if x < area.x + area.width {
        buf[(x, area.y)].set_style(Style::new().add_modifier(Modifier::REVERSED));
    }
    if cw > 0 && cw < w {
        buf.set_stringn(area.x + (w - cw) as u16, area.y, &count, cw, st.theme.dim());
    }
}

/// The longest end of `s` that fits in `max` columns, found in one pass
/// from the end (a prompt shows the end of a long query).
fn tail(s: &str, max: usize) -> &str {
    let mut used = 0;
    let mut start = s.len();
    for (i, c) in s.char_indices().rev() {
        used += crate::text::char_width(c);
        if used > max {
            break;
        }
        start = i;
    }
    s.get(start..).unwrap_or_default()
}

/// The help overlay, generated from the live keymap.
pub fn help_lines(st: &State) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ctx in Context::ALL {
        let mut rows: Vec<(String, String)> = Vec::new();
        for b in st.keymap.bindings(ctx) {
            let desc =
                b.desc.clone().unwrap_or_else(|| b.actions.iter().map(|a| a.describe()).collect::<Vec<_>>().join(", "));
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
            Context::Search => "Finder (s, ctrl-p): filters co: case: tb: fig: ind: sec:",
            Context::Company => "Company page",
            Context::Industries => "Industry switcher",
            Context::Chart => "Chart view",
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
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    clear_straddle(buf, popup);
    Clear.render(popup, buf);
    let rows = h.saturating_sub(2) as usize;
    let title = if lines.len() > rows {
        let top = scroll.min(lines.len() - rows) + 1;
        format!("帮助 help {top}-{}/{} · j/k scroll · esc", (top + rows - 1).min(lines.len()), lines.len())
    } else {
        "帮助 help · esc to close".to_string()
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

fn render_search(st: &State, s: &SearchState, area: Rect, buf: &mut Buffer) {
    let Some((l, _)) = open_frame(st, "搜索 search".into(), area, buf) else { return };
    // The prompt line.
    let input = shifted(l.input, area);
    let count = if s.input.trim().is_empty() { String::new() } else { format!("{} hits", s.hits.len()) };
    let cw = width(&count);
    let room = (input.width as usize).saturating_sub(cw + 4);
    let shown = tail(&s.input, room);
    let (x, _) = buf.set_stringn(input.x, input.y, format!("› {shown}"), input.width as usize, st.theme.accent());
    if x < input.right() {
        buf[(x, input.y)].set_style(Style::new().add_modifier(Modifier::REVERSED));
    }
    if cw > 0 && cw + 2 < input.width as usize {
        buf.set_stringn(input.right() - cw as u16, input.y, &count, cw, st.theme.dim());
    }
    let list = shifted(l.list, area);
    if s.input.trim().is_empty() {
        let help = [
            "Type to search companies, cases, tables, figures, industries and text.",
            "Pinyin works without a Chinese input method: zgckj → 中关村科金, yinhang → 银行.",
            "Filters: co: companies  case: cases  tb: tables  fig: figures  ind: industries  sec: text",
            "↑/↓ or ctrl-n/ctrl-p move, enter opens, esc returns.",
        ];
        let mut y = list.y + 1;
        for h in help {
            for line in crate::text::wrap(h, list.width as usize) {
                if y < list.bottom() {
                    buf.set_stringn(list.x, y, &line, list.width as usize, st.theme.dim());
                    y += 1;
                }
            }
        }
    } else if s.hits.is_empty() {
        buf.set_stringn(list.x, list.y + 1, "no matches", list.width as usize, st.theme.dim());
    }
    for (row, (i, hit)) in s.hits.iter().enumerate().skip(s.offset).take(list.height as usize).enumerate() {
        let y = list.y + row as u16;
        let u = &st.index.units[hit.unit];
        let selected = i == s.selected;
        let base = if selected { st.theme.selection() } else { Style::new() };
        if selected {
            buf.set_style(Rect::new(list.x, y, list.width, 1), base);
        }
        draw_hit(st, u, hit, list.x, y, list.width as usize, base, buf);
    }
    if let (Some(pf), Some(pa)) = (l.preview_frame, l.preview) {
        let (pf, pa) = (shifted(pf, area), shifted(pa, area));
        let hit = s.hits.get(s.selected);
        let title = hit.map(|h| crate::search::unit_location(&st.lib, &st.index.units[h.unit])).unwrap_or_default();
        let block = Block::new()
            .borders(if pf.y == l.list.y + area.y { Borders::TOP | Borders::LEFT } else { Borders::TOP })
            .border_set(if st.theme.ascii { ASCII_BORDER } else { border::PLAIN })
            .border_style(st.theme.dim())
            .title(format!(" {} ", truncate(&title, pf.width.saturating_sub(4) as usize)));
        block.render(pf, buf);
        match (&s.preview, hit) {
            (Some(p), _) => draw_doc(st, &p.doc, &p.find, p.scroll, pa, buf),
            (None, Some(h)) => draw_registry(st, &st.index.units[h.unit], pa, buf),
            _ => {}
        }
    }
}

/// One result row: kind, the matched text with the matched characters
/// highlighted, and the location, dimmed, on the right.
#[allow(clippy::too_many_arguments)]
fn draw_hit(st: &State, u: &Unit, hit: &crate::search::Hit, x: u16, y: u16, w: usize, base: Style, buf: &mut Buffer) {
    let label = format!("{} ", u.kind.label());
    let lw = width(&label).min(w);
    buf.set_stringn(x, y, &label, lw, base.patch(st.theme.accent()));
    let loc = short_location(st, u);
    let loc_w = (w / 3).min(width(&loc));
    let text_w = w.saturating_sub(lw + loc_w + 2);
    let mark = st.theme.find_match();
    let title: Vec<char> = u.title.chars().collect();
    let mut used = match hit.field {
        Field::Title => {
            draw_marked(buf, x + lw as u16, y, text_w, &title, 0, &hit.indices, base.add_modifier(Modifier::BOLD), mark)
        }
        Field::Text => {
            let tw = draw_marked(
                buf,
                x + lw as u16,
                y,
                text_w.min(width(&u.title)).min(text_w / 3),
                &title,
                0,
                &[],
                base.add_modifier(Modifier::BOLD),
                mark,
            );
            let chars: Vec<char> = u.text.chars().collect();
            let first = hit.indices.first().copied().unwrap_or(0);
            let start = first.saturating_sub(8);
            let mut used = tw;
            let lead = if start > 0 { " …" } else { " " };
            if used + 2 < text_w {
                buf.set_stringn(x + (lw + used) as u16, y, lead, 2, base);
                used += width(lead);
            }
            used + draw_marked(
                buf,
                x + (lw + used) as u16,
                y,
                text_w.saturating_sub(used),
                &chars,
                start,
                &hit.indices,
                base,
                mark,
            )
        }
    };
    if hit.field == Field::Title && !u.text.is_empty() && used + 4 < text_w {
        let rest = format!("  {}", u.text);
        let room = text_w - used;
        buf.set_stringn(x + (lw + used) as u16, y, truncate(&rest, room), room, base.patch(st.theme.dim()));
        used = text_w;
    }
    let _ = used;
    if loc_w > 0 {
        let lx = x + (w - loc_w) as u16;
        buf.set_stringn(lx, y, truncate_left(&loc, loc_w), loc_w, base.patch(st.theme.dim()));
    }
}

/// The preview of a company or an industry: its registry entry.
fn draw_registry(st: &State, u: &Unit, area: Rect, buf: &mut Buffer) {
    let mut lines: Vec<(String, Style)> = Vec::new();
    match &u.target {
        Target::Company(id) => {
            if let Some(c) = st.lib.company(id) {
                lines.push((c.name.clone(), st.theme.role(Role::Title)));
                if let Some(l) = &c.latin {
                    lines.push((l.clone(), Style::new()));
                }
                if !c.aliases.is_empty() {
                    lines.push((format!("别名：{}", c.aliases.join("、")), Style::new()));
                }
                if let Some(k) = &c.kind {
                    lines.push((format!("类型：{k}"), Style::new()));
                }
                let n = st.index.mentions(&st.lib, id).len();
                lines.push((String::new(), Style::new()));
                lines.push((format!("提及 {n} 处 · enter 查看"), st.theme.dim()));
            }
        }
        Target::Industry(id) => {
            if let Some(i) = st.lib.industry(id) {
                lines.push((
                    format!("{} {}", i.name, i.english.clone().unwrap_or_default()),
                    st.theme.role(Role::Title),
                ));
                if !i.aliases.is_empty() {
                    lines.push((format!("别名：{}", i.aliases.join("、")), Style::new()));
                }
            }
        }
        Target::Place { .. } => {}
    }
    let mut y = area.y;
    for (t, style) in lines {
        for l in crate::text::wrap(&t, area.width as usize) {
            if y >= area.bottom() {
                return;
            }
            buf.set_stringn(area.x, y, &l, area.width as usize, style);
            y += 1;
        }
    }
}

fn render_company(st: &State, c: &CompanyState, area: Rect, buf: &mut Buffer) {
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
    let names: Vec<&str> = std::iter::once(co.name.as_str())
        .chain(co.latin.as_deref())
        .chain(co.aliases.iter().map(String::as_str))
        .collect();
    for (row, (i, &unit)) in c.mentions.iter().enumerate().skip(c.offset).take(list.height as usize).enumerate() {
        let y = list.y + row as u16;
        let u = &st.index.units[unit];
        let selected = i == c.selected;
        let base = if selected { st.theme.selection() } else { Style::new() };
        if selected {
            buf.set_style(Rect::new(list.x, y, list.width, 1), base);
        }
        // Highlight the company's name in the mention.
        let field = if names.iter().any(|n| u.title.contains(n)) { Field::Title } else { Field::Text };
        let hay = if field == Field::Title { &u.title } else { &u.text };
        let indices = names
            .iter()
            .find_map(|n| hay.find(n).map(|b| (hay.get(..b).map_or(0, |h| h.chars().count()), n.chars().count())))
            .map(|(s, n)| (s..s + n).collect())
            .unwrap_or_default();
        let hit = crate::search::Hit { unit, field, indices, score: 0, contiguous: true, tier: 2 };
        draw_hit(st, u, &hit, list.x, y, list.width as usize, base, buf);
    }
}

/// The last two steps of a unit's location ("3.1 AI在金融… › 标杆案例").
fn short_location(st: &State, u: &Unit) -> String {
    match u.node() {
        Some(n) => {
            let path = st.lib.ancestry(n);
            let tail = &path[path.len().saturating_sub(2)..];
            tail.iter().map(|&n| st.lib.tree_title(n)).collect::<Vec<_>>().join(" › ")
        }
        None => crate::search::unit_location(&st.lib, u),
    }
}

/// Keep the end of `s` within `max` columns, with `…` in front when cut.
fn truncate_left(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mut out: Vec<char> = Vec::new();
    let mut w = 1;
    for c in s.chars().rev() {
        let cw = crate::text::char_width(c);
        if w + cw > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out.into_iter().rev().collect()
}

fn render_industries(st: &State, selected: usize, area: Rect, buf: &mut Buffer) {
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
    let head = fit("   行业             章节  案例  图表", inner.width as usize);
    buf.set_stringn(inner.x, inner.y, head, inner.width as usize, st.theme.dim());
    let rows = inner.height.saturating_sub(1) as usize;
    let offset = selected.saturating_sub(rows.saturating_sub(1));
    for (row, (i, ind)) in st.lib.industries.iter().enumerate().skip(offset).take(rows).enumerate() {
        let stats = st.lib.industry_stats(&ind.id);
        let key = if i < 9 { format!("{} ", i + 1) } else { "  ".into() };
        let name = format!("{} {}", ind.name, ind.english.clone().unwrap_or_default());
        let line = format!(" {key}{} {:>4}  {:>4}  {:>4}", fit(&name, 16), stats.sections, stats.cases, stats.figures);
        let style = if i == selected { st.theme.selection() } else { Style::new() };
        let y = inner.y + 1 + row as u16;
        buf.set_stringn(inner.x, y, fit(&line, inner.width as usize), inner.width as usize, style);
    }
}

/// Whether a series reads as a time series (labels are years, 2028E included).
fn is_time_series(s: &crate::content::Series) -> bool {
    s.points.len() >= 2
        && s.points.iter().all(|p| {
            let t = p.label.trim().trim_end_matches('E');
            t.chars().take(4).filter(char::is_ascii_digit).count() == 4
        })
}

fn render_chart(st: &State, c: &crate::app::ChartState, area: Rect, buf: &mut Buffer) {
    let title = format!("图表 {}/{} · j/k 切换 · c 对比 · esc 返回", c.index + 1, c.charts.len());
    let Some((_, frame)) = open_frame(st, title, area, buf) else { return };
    let inner = Rect::new(frame.x + 2, frame.y + 1, frame.width.saturating_sub(4), frame.height.saturating_sub(2));
    let Some(main) = c.charts.get(c.index) else { return };
    match c.compare.and_then(|i| c.charts.get(i)) {
        Some(other) if inner.width >= 40 => {
            let half = inner.width / 2;
            draw_chart(st, main, Rect::new(inner.x, inner.y, half - 1, inner.height), buf);
            draw_chart(st, other, Rect::new(inner.x + half + 1, inner.y, inner.width - half - 1, inner.height), buf);
        }
        _ => draw_chart(st, main, inner, buf),
    }
}

/// One chart: its title, a bar per point with the exact value and unit, and
/// for a time series a vertical bar chart below when there is room.
fn draw_chart(st: &State, s: &crate::content::Series, area: Rect, buf: &mut Buffer) {
    use ratatui::widgets::{Bar, BarChart, BarGroup};
    if area.width < 4 || area.height < 2 {
        return;
    }
    let w = area.width as usize;
    let unit = s.unit.clone().unwrap_or_default();
    let mut y = area.y;
    let mut title = s.title.clone().unwrap_or_default();
    if !unit.is_empty() {
        title.push_str(&format!("（单位：{unit}）"));
    }
    for line in crate::text::wrap(&title, w).into_iter().take(2) {
        buf.set_stringn(area.x, y, &line, w, st.theme.role(Role::H3));
        y += 1;
    }
    let max = s.points.iter().map(|p| p.value).fold(0.0_f64, f64::max);
    let label_w = s.points.iter().map(|p| width(&p.label)).max().unwrap_or(1).min(w / 3).max(1);
    let values: Vec<String> = s.points.iter().map(|p| format!("{}{unit}", crate::doc::fmt_num(p.value))).collect();
    let value_w = values.iter().map(|v| width(v)).max().unwrap_or(0);
    let bar_w = w.saturating_sub(label_w + value_w + 3);
    for (p, v) in s.points.iter().zip(&values) {
        if y >= area.bottom() {
            return;
        }
        let role = if p.is_estimate() { Role::EstimateBar } else { Role::Bar };
        buf.set_stringn(area.x, y, fit(&p.label, label_w), label_w, st.theme.role(Role::Label));
        let b = crate::doc::bar(p.value, max, bar_w, st.theme.ascii);
        buf.set_stringn(area.x + label_w as u16 + 1, y, &b, bar_w, st.theme.role(role));
        let vx = area.x + (label_w + 2 + width(&b)) as u16;
        // Too narrow for the value: cut it with an ellipsis, never a digit
        // or the unit silently, and never past the area.
        let room = value_w.min(area.right().saturating_sub(vx) as usize);
        buf.set_stringn(vx, y, truncate(v, room), room, st.theme.role(Role::Value));
        y += 1;
    }
    if s.points.iter().any(|p| p.is_estimate()) && y < area.bottom() {
        let legend = if st.theme.ascii { "E = 预测值" } else { "E = 预测值（另色）" };
        buf.set_stringn(area.x, y, legend, w, st.theme.dim());
        y += 1;
    }
    if let Some(n) = &s.note {
        for line in crate::text::wrap(n, w).into_iter().take(2) {
            if y < area.bottom() {
                buf.set_stringn(area.x, y, &line, w, st.theme.dim());
                y += 1;
            }
        }
    }
    // The vertical chart, for a time series with room to spare.
    let room = area.bottom().saturating_sub(y + 1);
    if is_time_series(s) && room >= 6 {
        let decimals = s
            .points
            .iter()
            .map(|p| crate::doc::fmt_num(p.value).split('.').nth(1).map_or(0, str::len))
            .max()
            .unwrap_or(0)
            .min(3);
        let scale = 10f64.powi(decimals as i32);
        let bars: Vec<Bar> = s
            .points
            .iter()
            .zip(&values)
            .map(|(p, v)| {
                let role = if p.is_estimate() { Role::EstimateBar } else { Role::Bar };
                Bar::default()
                    .value((p.value.max(0.0) * scale).round() as u64)
                    .label(p.label.clone())
                    .text_value(v.clone())
                    .style(st.theme.role(role))
            })
            .collect();
        let bar_width = (area.width as usize / s.points.len().max(1)).saturating_sub(1).clamp(3, 12) as u16;
        let chart = BarChart::default().data(BarGroup::default().bars(&bars)).bar_width(bar_width).bar_gap(1);
        chart.render(Rect::new(area.x, y + 1, area.width, room), buf);
    }
}
