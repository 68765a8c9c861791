//! The contents pane (目录).

use super::pane_block;
use crate::app::{Focus, Row, State};
use crate::content::NodeKind;
use crate::doc::Role;
use crate::text::{fit, truncate, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::Widget;

pub(super) fn render_nav(st: &State, area: Rect, buf: &mut Buffer) {
    if area.width < 2 || area.height < 2 {
        return;
    }
    let focused = st.focus == Focus::Nav;
    // A grouped tree says how in its title: "目录 · 按发布方".
    let title = match st.nav.groups().is_empty() {
        true => "目录".to_string(),
        false => format!("目录 · {}", st.nav.grouping().label()),
    };
    let block = pane_block(st, title, focused, area.width);
    let inner = block.inner(area);
    block.render(area, buf);
    // The same rows the mouse's hit test reads.
    let rows = st.nav.visible(&st.lib);
    let w = inner.width as usize;
    for (i, &row) in rows.iter().skip(st.nav.offset).take(inner.height as usize).enumerate() {
        let indent = "  ".repeat(st.nav.indent(&st.lib, row).min(8));
        let (has_children, expanded) = match row {
            Row::Group(g) => (true, st.nav.is_group_open(g)),
            Row::Node(n) => (!st.lib.nodes[n].children.is_empty(), st.nav.is_expanded(n)),
        };
        let marker = match (has_children, expanded, st.theme.ascii) {
            (false, _, _) => "  ",
            (true, true, false) => "▾ ",
            (true, false, false) => "▸ ",
            (true, true, true) => "- ",
            (true, false, true) => "+ ",
        };
        let room = w.saturating_sub(width(&indent) + width(marker));
        let (label, mut style) = match row {
            Row::Group(g) => {
                // The count stays when a long name is cut.
                let group = &st.nav.groups()[g];
                let count = format!(" ({})", group.reports.len());
                let name = truncate(&group.name, room.saturating_sub(width(&count)).max(1));
                (format!("{name}{count}"), st.theme.accent().add_modifier(Modifier::BOLD))
            }
            Row::Node(n) => (
                nav_label(st, n, room),
                match st.lib.nodes[n].kind {
                    NodeKind::Report => st.theme.role(Role::Title),
                    NodeKind::Chapter => Style::new().add_modifier(Modifier::BOLD),
                    NodeKind::Section if st.lib.head_section(n).is_some_and(|s| s.editorial) => st.theme.dim(),
                    NodeKind::Section => Style::new(),
                },
            ),
        };
        let line = fit(&format!("{indent}{marker}{label}"), w);
        if row == st.nav.selected {
            style = if focused { st.theme.selection() } else { style.add_modifier(Modifier::UNDERLINED) };
        } else if row == Row::Node(st.reader.node) && !focused {
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
    let Some(parent) = lib.nodes.get(n).and_then(|x| x.parent) else {
        // A report: its short name keeps the part that tells it from the
        // others ("AI赋能千…（第3辑）"), where its title would be cut.
        // A name that is only the title's start is no better than the title cut.
        let name = lib.nodes.get(n).filter(|_| lib.report_count() > 1).map(|x| lib.report_name(x.report));
        return match name {
            Some(name) if !title.starts_with(name.trim_end_matches('…')) => name.to_string(),
            _ => title,
        };
    };
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
