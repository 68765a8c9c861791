//! The finder overlay (`s`): prompt, results and preview.

use super::reader::draw_doc;
use super::status::tail;
use super::{ASCII_BORDER, draw_marked, open_frame, shifted};
use crate::app::{SearchState, State};
use crate::doc::Role;
use crate::search::{Kind, Target, Unit};
use crate::text::{truncate, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::symbols::border;
use ratatui::widgets::{Block, Borders, Widget};

pub(super) fn render_search(st: &State, s: &SearchState, area: Rect, buf: &mut Buffer) {
    let Some((l, _)) = open_frame(st, "搜索".into(), area, buf) else { return };
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
            "输入以搜索企业、案例、表格、图表、行业与正文。",
            "拼音无需中文输入法：zgckj → 中关村科金，yinhang → 银行。",
            "词语：华为 制造 两词皆须出现，顺序不限（也匹配结果上方的章节标题）；a | b 任一；'精确（不模糊）；^开头；结尾$；!排除。",
            "筛选：co: 企业  case: 案例  ex: 示例  tb: 表格  fig: 图表  ind: 行业  sec: 正文；rep: 报告  pub: 发布机构  year: 年份",
            "↑/↓、ctrl-n/ctrl-p 移动，enter 打开，esc 返回；alt-p/alt-n、ctrl-r（或此处 ↑）调出查询记录；S 恢复上次搜索。",
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
        buf.set_stringn(list.x, list.y + 1, "无匹配结果", list.width as usize, st.theme.dim());
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
pub(super) fn draw_hit(
    st: &State,
    u: &Unit,
    hit: &crate::search::Hit,
    x: u16,
    y: u16,
    w: usize,
    base: Style,
    buf: &mut Buffer,
) {
    let label = format!("{} ", u.kind.label());
    let lw = width(&label).min(w);
    buf.set_stringn(x, y, &label, lw, base.patch(st.theme.accent()));
    let avail = w.saturating_sub(lw);
    // A library of several reports names the report: more room for that,
    // up to half the row, so that its year and number show (issue 22).
    let share = if st.lib.report_count() > 1 {
        (avail * 2 / 5).max(crate::search::unit_label_need(&st.lib, u).min(avail / 2))
    } else {
        avail / 3
    };
    let loc = crate::search::unit_short_location(&st.lib, u, share);
    let loc_w = width(&loc);
    let text_w = avail.saturating_sub(if loc_w > 0 { loc_w + 2 } else { 0 });
    let mark = st.theme.find_match();
    let mut used = 0;
    // A match in the text of something named by its title: the title first, short.
    let titled = !hit.title_marks.is_empty() && (hit.title_covers || u.kind == Kind::Section);
    let in_text = !hit.text_marks.is_empty() && !titled;
    let named = in_text && u.own_title && !matches!(u.kind, Kind::Text | Kind::Table);
    // A table's title matched: the rows of one table differ by their cells.
    let row = titled && !u.cells.is_empty() && text_w >= 24;
    if (named || row) && text_w >= 24 {
        let title: Vec<char> = u.title.chars().collect();
        let t = crate::search::window(&title, &hit.title_marks, (text_w / 3).min(width(&u.title)));
        let tc: Vec<char> = t.text.chars().collect();
        let tw = draw_marked(buf, x + lw as u16, y, text_w, &tc, 0, &t.marks, base.add_modifier(Modifier::BOLD), mark);
        used = tw + 1;
    }
    // A match in the title alone: the rest of the unit after it, dimmed;
    // a metric's value keeps its room, the label gives way.
    let rest = u.text.strip_prefix(u.title.as_str()).unwrap_or(&u.text).trim_start().replace('\n', " ");
    let rest = (!in_text && u.cells.is_empty() && !rest.is_empty()).then(|| format!("  {rest}"));
    let keep = match &rest {
        Some(r) if u.kind == Kind::Metric => width(r).min(text_w / 2),
        _ => 0,
    };
    let snip = if row {
        st.index.row_snippet(hit, text_w.saturating_sub(used))
    } else {
        st.index.snippet(hit, text_w.saturating_sub(used + keep))
    };
    let chars: Vec<char> = snip.text.chars().collect();
    let style = if in_text || row { base } else { base.add_modifier(Modifier::BOLD) };
    used +=
        draw_marked(buf, x + (lw + used) as u16, y, text_w.saturating_sub(used), &chars, 0, &snip.marks, style, mark);
    if let Some(rest) = rest.filter(|_| used + 6 < text_w) {
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
