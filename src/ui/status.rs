//! The status line: breadcrumb, position, key hints, and the `/` prompt.

use crate::action::Action;
use crate::app::{App, State};
use crate::keymap::Context;
use crate::text::{truncate, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Clear, Widget};

pub(super) fn render_status(app: &App, area: Rect, buf: &mut Buffer) {
    let st = &app.state;
    buf.set_style(area, st.theme.status());
    let w = area.width as usize;
    // Right: position, find count, pending keys, hints.
    let mut right = Vec::new();
    let pending = app.pending_keys();
    if !pending.is_empty() {
        right.push(pending);
    }
    if let Some(p) = st.find_position() {
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
    // Key hints, as many as fit by priority, the breadcrumb keeping 26
    // columns; a message keeps all it needs (the hints give way).
    // A breadcrumb shorter than that keeps only its width.
    let crumb = breadcrumb(st);
    let keep = st.message.as_deref().map_or((width(&crumb) + 3).min(26), |m| (width(m) + 1).max(26));
    let mut room = w.saturating_sub(width(&right_s) + 2 + keep);
    // What `y` takes: the focused block (`y 复制：表格 中国人工智能相关政策`).
    // It gives way to the first key hints (`? 帮助  s 搜索  i 行业`).
    if let Some(take) = copy_hint(st, room.saturating_sub(FIRST_HINTS + 2)) {
        room = room.saturating_sub(width(&take) + 2);
        right_s = if right_s.is_empty() { take } else { format!("{take}  {right_s}") };
    }
    let hints = hints(st, room);
    if !hints.is_empty() {
        right_s = if right_s.is_empty() { hints } else { format!("{right_s}  {hints}") };
    }
    let left = match &st.message {
        Some(m) => m.clone(),
        None => crumb,
    };
    let rw = width(&right_s).min(w);
    let lw = w.saturating_sub(rw + 2);
    let left = if st.message.is_some() { left } else { fit_crumb(&left, lw.saturating_sub(1)) };
    // `--ascii`: the breadcrumb's `›` as `>` (one column either way).
    let ascii = |s: String| if st.theme.ascii { s.replace('›', ">") } else { s };
    let left = ascii(format!(" {}", truncate(&left, lw.saturating_sub(1))));
    buf.set_stringn(area.x, area.y, left, lw, st.theme.status());
    let rx = area.x + (w - rw) as u16;
    buf.set_stringn(rx, area.y, ascii(truncate(&right_s, rw)), rw, st.theme.status());
}

/// A breadcrumb cut to `max` columns from the middle: the industry tag (or
/// 行业) and the last parts stay ("[多行业] › … › 大模型潜力市场").
pub(super) fn fit_crumb(crumb: &str, max: usize) -> String {
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

/// `y 复制：表格 中国人工智能相关政策`, cut to at most 48 columns and to
/// `room`; none in an overlay, while the tree has the keys, or with less
/// than 12 columns of room.
fn copy_hint(st: &State, room: usize) -> Option<String> {
    if !st.overlays.is_empty() || st.focus != crate::app::Focus::Reader || room < 12 {
        return None;
    }
    let key = st.keymap.keys_for(Context::Global, &Action::Copy).into_iter().next()?;
    let label = crate::text::sanitize(&st.focus_label()?);
    // Short of room, the label keeps what is there to read: `y：图表 中国…`.
    let text = if room < 26 { format!("{key}：{label}") } else { format!("{key} 复制：{label}") };
    Some(truncate(&text, room.min(48)))
}

/// The width of the first key hints, `? 帮助  s 搜索  i 行业`, kept before
/// the `y` hint.
const FIRST_HINTS: usize = 22;

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

pub(super) fn render_find_prompt(st: &State, input: &str, cursor: usize, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let mut count = match st.find_position() {
        Some(p) if !input.is_empty() && st.reader.find.current_hidden() => format!("  {p} 已折叠(w 展开)"),
        Some(p) if !input.is_empty() => format!("  {p}"),
        _ => String::new(),
    };
    if crate::search::query_full(input) {
        count = format!("  上限{}字{count}", crate::search::MAX_QUERY_CHARS);
    }
    render_prompt(area, "/", input, cursor, (&count, st.theme.dim()), buf);
}

/// A one-line prompt: `prefix`, the text with its cursor (scrolled to keep
/// the cursor in view), and `count` dimmed at the right.
pub(super) fn render_prompt(
    area: Rect,
    prefix: &str,
    input: &str,
    cursor: usize,
    (count, count_style): (&str, Style),
    buf: &mut Buffer,
) {
    Clear.render(area, buf);
    let w = area.width as usize;
    let cw = width(count);
    // The prefix, the text and a cell for the cursor at the end.
    let room = w.saturating_sub(cw + width(prefix) + 1).max(1);
    let chars: Vec<char> = input.chars().collect();
    let cursor = cursor.min(chars.len());
    // Scroll the text so the cursor stays in view.
    let mut first = 0;
    while first < cursor
        && crate::text::width(&chars[first..=cursor.min(chars.len() - 1)].iter().collect::<String>()) > room
    {
        first += 1;
    }
    let (mut x, _) = buf.set_stringn(area.x, area.y, prefix, w, Style::new());
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
    // The count or hint only where it leaves the prefix and a cell for the
    // text whole: drawn over them, it cut a wide character of the prefix in
    // half on a narrow screen (the notes prompt at 24 columns).
    if cw > 0 && cw + width(prefix) < w {
        buf.set_stringn(area.x + (w - cw) as u16, area.y, count, cw, count_style);
    }
}

/// The longest end of `s` that fits in `max` columns, found in one pass
/// from the end (a prompt shows the end of a long query).
pub(super) fn tail(s: &str, max: usize) -> &str {
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
