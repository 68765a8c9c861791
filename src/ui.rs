//! Rendering: a pure function of the app's state into a ratatui buffer.

use crate::action::Action;
use crate::app::{App, CompanyState, FindState, Focus, Overlay, SearchLayout, SearchState, State};
use crate::content::NodeKind;
use crate::doc::{Doc, DocLine, Role};
use crate::keymap::Context;
use crate::search::{Field, Kind, Target, Unit};
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

/// Below this size (columns, rows) the screen shows only 「窗口太小」.
pub const MIN_SIZE: (u16, u16) = (24, 8);

/// Draw the whole screen.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
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
            Overlay::Find { input, cursor, .. } => {
                if let Some(r) = panes.status {
                    render_find_prompt(st, input, *cursor, shift(r), buf);
                }
            }
            Overlay::Search(s) => render_search(st, s, area, buf),
            Overlay::Industries { selected } => render_industries(st, *selected, area, buf),
            Overlay::Chart(c) => render_chart(st, c, area, buf),
            Overlay::Company(c) => render_company(st, c, area, buf),
        }
    }
    if st.theme.ascii {
        asciify(buf, area);
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
        let room = w.saturating_sub(width(&indent) + width(marker));
        let line = fit(&format!("{indent}{marker}{}", nav_label(st, n, room)), w);
        let mut style = match node.kind {
            NodeKind::Report => st.theme.role(Role::Title),
            NodeKind::Chapter => Style::new().add_modifier(Modifier::BOLD),
            NodeKind::Section if st.lib.head_section(n).is_some_and(|s| s.editorial) => st.theme.dim(),
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

/// A tree row's title. When it is cut and a sibling's would read the same,
/// the start all the siblings share is left out ("…财富助手" and "…得助智能
/// 陪练" rather than "中关村科金…" twice).
fn nav_label(st: &State, n: crate::content::NodeId, room: usize) -> String {
    let title = st.lib.tree_title(n);
    if width(&title) <= room {
        return title;
    }
    let lib = &st.lib;
    let Some(parent) = lib.nodes.get(n).and_then(|x| x.parent) else { return title };
    let siblings = &lib.nodes[parent].children;
    // The titles without their numbers, which differ anyway.
    let bare = |c: crate::content::NodeId| {
        let t = lib.tree_title(c);
        match lib.head_section(c).and_then(|s| s.number.clone()).filter(|x| !x.is_empty()) {
            Some(num) => (format!("{num} "), t.strip_prefix(&format!("{num} ")).unwrap_or(&t).to_string()),
            None => (String::new(), t),
        }
    };
    let collides = siblings.iter().any(|&c| c != n && truncate(&lib.tree_title(c), room) == truncate(&title, room));
    if !collides {
        return title;
    }
    let all: Vec<Vec<char>> = siblings.iter().map(|&c| bare(c).1.chars().collect()).collect();
    let common = all.iter().skip(1).fold(all.first().map_or(0, Vec::len), |k, t| {
        k.min(t.len()).min(all[0].iter().zip(t).take_while(|(a, b)| a == b).count())
    });
    let (num, rest) = bare(n);
    if common < 2 || common >= rest.chars().count() {
        return title;
    }
    format!("{num}…{}", rest.chars().skip(common).collect::<String>())
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
        let hidden = if st.reader.find.current_hidden() { " 已折叠(w 展开)" } else { "" };
        right.push(format!("[{}] {p}{hidden}", st.reader.find.query));
    }
    let total = st.reader.doc.lines.len();
    let h = st.reader_height();
    if total > 0 {
        // As less shows it: the lines in view, the total, and how far the
        // bottom of the view is.
        let top = (st.reader.scroll + 1).min(total);
        let bottom = (st.reader.scroll + h).min(total).max(top);
        right.push(format!("{top}-{bottom}/{total} {}%", bottom * 100 / total));
    }
    let mut right_s = right.join("  ");
    // Key hints, as many as fit by priority, the breadcrumb keeping 26 columns.
    let room = w.saturating_sub(width(&right_s) + 2 + 26);
    let hints = hints(st, room);
    if !hints.is_empty() {
        right_s = if right_s.is_empty() { hints } else { format!("{right_s}  {hints}") };
    }
    let left = match &st.message {
        Some(m) => m.clone(),
        None => breadcrumb(st),
    };
    let rw = width(&right_s).min(w);
    let lw = w.saturating_sub(rw + 2);
    let left = if st.message.is_some() { left } else { fit_crumb(&left, lw.saturating_sub(1)) };
    buf.set_stringn(area.x, area.y, format!(" {}", truncate(&left, lw.saturating_sub(1))), lw, st.theme.status());
    let rx = area.x + (w - rw) as u16;
    buf.set_stringn(rx, area.y, truncate(&right_s, rw), rw, st.theme.status());
}

/// A breadcrumb cut to `max` columns from the middle: the industry tag (or
/// 行业) and the last parts stay ("[多行业] › … › 大模型潜力市场").
fn fit_crumb(crumb: &str, max: usize) -> String {
    if width(crumb) <= max {
        return crumb.to_string();
    }
    let parts: Vec<&str> = crumb.split(" › ").collect();
    let head = parts.first().filter(|p| p.starts_with('[') || **p == "行业").copied();
    let mut kept: Vec<&str> = Vec::new();
    let base = head.map_or(0, |h| width(h) + 3) + 4; // "… › "
    for p in parts.iter().skip(head.map_or(0, |_| 1)).rev() {
        let used: usize = kept.iter().map(|k| width(k) + 3).sum();
        if base + used + width(p) > max {
            break;
        }
        kept.insert(0, p);
    }
    let last = parts.last().copied().unwrap_or_default();
    if kept.is_empty() {
        return match head {
            Some(h) if max >= base + 4 => format!("{h} › … › {}", truncate(last, max - base)),
            _ => truncate(last, max),
        };
    }
    let mut out: Vec<&str> = head.into_iter().collect();
    if kept.len() + head.map_or(0, |_| 1) < parts.len() {
        out.push("…");
    }
    out.extend(kept);
    out.join(" › ")
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
            match industry {
                Some(name) => v.insert(0, format!("[{name}]")),
                // A section about several industries names none of them.
                None if st.lib.about_several(node) => v.insert(0, "[多行业]".to_string()),
                None => {}
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

/// Key hints from the live keymap, highest priority first, shown in their
/// usual order: `? 帮助  / 查找  s 搜索  i 行业  q 退出`, trimmed to `room`.
fn hints(st: &State, room: usize) -> String {
    // (priority, action, label) in display order; 0 is kept longest.
    let want = [
        (0, Action::Help, "帮助"),
        (3, Action::Find, "查找"),
        (1, Action::Search, "搜索"),
        (2, Action::Industries, "行业"),
        (4, Action::Quit, "退出"),
    ];
    let mut items: Vec<(usize, String)> = want
        .iter()
        .filter_map(|(p, a, label)| {
            st.keymap.keys_for(Context::Global, a).first().map(|k| (*p, format!("{k} {label}")))
        })
        .collect();
    let join = |v: &[(usize, String)]| v.iter().map(|x| x.1.as_str()).collect::<Vec<_>>().join("  ");
    while !items.is_empty() && width(&join(&items)) > room {
        let worst = items.iter().enumerate().max_by_key(|(_, x)| x.0).map(|(i, _)| i).unwrap_or(0);
        items.remove(worst);
    }
    join(&items)
}

fn render_find_prompt(st: &State, input: &str, cursor: usize, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let mut count = match st.reader.find.position() {
        Some(p) if !input.is_empty() && st.reader.find.current_hidden() => format!("  {p} 已折叠(w 展开)"),
        Some(p) if !input.is_empty() => format!("  {p}"),
        _ => String::new(),
    };
    if crate::search::query_full(input) {
        count = format!("  上限{}字{count}", crate::search::MAX_QUERY_CHARS);
    }
    let w = area.width as usize;
    let cw = width(&count);
    // "/", the text and a cell for the cursor at the end.
    let room = w.saturating_sub(cw + 2).max(1);
    let chars: Vec<char> = input.chars().collect();
    let cursor = cursor.min(chars.len());
    // Scroll the text so the cursor stays in view.
    let mut first = 0;
    while first < cursor
        && crate::text::width(&chars[first..=cursor.min(chars.len() - 1)].iter().collect::<String>()) > room
    {
        first += 1;
    }
    let (mut x, _) = buf.set_stringn(area.x, area.y, "/", w, Style::new());
    let end = area.x + area.width;
    for (i, &c) in chars.iter().enumerate().skip(first) {
        let cwid = crate::text::char_width(c).max(1) as u16;
        if x + cwid > end.saturating_sub(cw as u16) {
            break;
        }
        let style = if i == cursor { Style::new().add_modifier(Modifier::REVERSED) } else { Style::new() };
        buf.set_stringn(x, area.y, c.to_string(), cwid as usize, style);
        x += cwid;
    }
    if cursor == chars.len() && x < end {
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

fn render_help(st: &State, scroll: usize, area: Rect, buf: &mut Buffer) {
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
    // fzf's counter: results / searchable units ("+" when scattered matches were not counted).
    let mut count = if s.input.trim().is_empty() {
        String::new()
    } else {
        format!("{}{}/{}", s.matched, if s.more { "+" } else { "" }, st.index.units.len())
    };
    if crate::search::query_full(&s.input) {
        count = format!("上限{}字 · {count}", crate::search::MAX_QUERY_CHARS);
    }
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
            "Terms: 华为 制造 matches both, in any order (also in the section headings above a result); a | b either; 'exact no fuzzy; ^start; end$; !not.",
            "Filters: co: companies  case: cases  ex: examples  tb: tables  fig: figures  ind: industries  sec: text",
            "↑/↓ or ctrl-n/ctrl-p move, enter opens, esc returns; S reopens the last search as you left it.",
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
        let room = pf.width.saturating_sub(4) as usize;
        let title =
            hit.map(|h| crate::search::unit_short_location(&st.lib, &st.index.units[h.unit], room)).unwrap_or_default();
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

/// One result row: kind, a window of the matched text around the match
/// with the matched characters highlighted, and a short location, dimmed,
/// on the right.
#[allow(clippy::too_many_arguments)]
fn draw_hit(st: &State, u: &Unit, hit: &crate::search::Hit, x: u16, y: u16, w: usize, base: Style, buf: &mut Buffer) {
    let label = format!("{} ", u.kind.label());
    let lw = width(&label).min(w);
    buf.set_stringn(x, y, &label, lw, base.patch(st.theme.accent()));
    let avail = w.saturating_sub(lw);
    let loc = crate::search::unit_short_location(&st.lib, u, avail / 3);
    let loc_w = width(&loc);
    let text_w = avail.saturating_sub(if loc_w > 0 { loc_w + 2 } else { 0 });
    let mark = st.theme.find_match();
    let mut used = 0;
    // A match in the text of something named by its title: the title first, short.
    let titled = !hit.title_marks.is_empty() && (hit.title_covers || u.kind == Kind::Section);
    let in_text = !hit.text_marks.is_empty() && !titled;
    let named = in_text && u.own_title && !matches!(u.kind, Kind::Text | Kind::Table);
    if named && text_w >= 24 {
        let title: Vec<char> = u.title.chars().collect();
        let t = crate::search::window(&title, &hit.title_marks, (text_w / 3).min(width(&u.title)));
        let tc: Vec<char> = t.text.chars().collect();
        let tw = draw_marked(buf, x + lw as u16, y, text_w, &tc, 0, &t.marks, base.add_modifier(Modifier::BOLD), mark);
        used = tw + 1;
    }
    let snip = st.index.snippet(hit, text_w.saturating_sub(used));
    let chars: Vec<char> = snip.text.chars().collect();
    let style = if in_text { base } else { base.add_modifier(Modifier::BOLD) };
    used +=
        draw_marked(buf, x + (lw + used) as u16, y, text_w.saturating_sub(used), &chars, 0, &snip.marks, style, mark);
    // A match in the title alone: the rest of the unit after it, dimmed.
    if !in_text && u.cells.is_empty() && !u.text.is_empty() && used + 6 < text_w {
        let rest = format!("  {}", u.text.replace('\n', " "));
        let room = text_w - used;
        buf.set_stringn(x + (lw + used) as u16, y, truncate(&rest, room), room, base.patch(st.theme.dim()));
    }
    if loc_w > 0 {
        let lx = x + (w - loc_w) as u16;
        buf.set_stringn(lx, y, &loc, loc_w, base.patch(st.theme.dim()));
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
        let hit = crate::search::Hit::marked(unit, field, indices);
        draw_hit(st, u, &hit, list.x, y, list.width as usize, base, buf);
    }
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
    let head = fit("   行业             章节  案例  示例  图表", inner.width as usize);
    buf.set_stringn(inner.x, inner.y, head, inner.width as usize, st.theme.dim());
    let rows = inner.height.saturating_sub(1) as usize;
    let offset = selected.saturating_sub(rows.saturating_sub(1));
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
