//! The help overlay: its lines, generated from the live keymap, and its
//! size, shared by `update` (to clamp the scroll) and the renderer.

use crate::keymap::{Context, Keymap, seq_to_string};
use ratatui::layout::Rect;

/// (keys, what they do); a row with no keys is a context's title.
pub fn help_lines(keymap: &Keymap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ctx in Context::all() {
        let mut rows: Vec<(String, String)> = Vec::new();
        for b in keymap.bindings(ctx) {
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
            Context::Global => "全局",
            Context::Nav => "目录",
            Context::Reader => "阅读",
            Context::Find => "查找输入框（/）",
            Context::Help => "本帮助",
            Context::Search => "全文搜索（s、ctrl-p；S 恢复上次）：筛选 co: case: ex: tb: fig: ind: sec:",
            Context::Company => "公司页",
            Context::Industries => "行业切换",
            Context::Chart => "图表视图",
            Context::Table => "表格视图（首列固定）",
            Context::Copy => "已复制的文本（可用终端自己的选择复制）",
            Context::Marks => "标记列表（M）",
            Context::Notes => "笔记列表（g n）",
            Context::Figures => "图表目录（F）：图 章-序 为图表与配图，表 章-序 为表格与指标组",
            Context::Command => {
                "命令行（:）：:3.1 章节 · :50% 本页位置 · :图3-2 / :表1-1 / :图3 图表 · :行号 · :q 退出"
            }
        };
        out.push((String::new(), title.to_string()));
        out.extend(rows.into_iter().map(|(k, d)| (digit_runs(&k), d)));
    }
    out
}

/// Keys "1, 2, 3, …, 9, 0, )" as "1-9, 0, )": a run of three or more
/// consecutive digit keys is shown as its ends.
fn digit_runs(keys: &str) -> String {
    let parts: Vec<&str> = keys.split(", ").collect();
    let digit = |p: &str| (p.len() == 1).then(|| p.bytes().next().filter(u8::is_ascii_digit)).flatten();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let mut j = i;
        while let (Some(a), Some(b)) = (digit(parts[j]), parts.get(j + 1).and_then(|p| digit(p))) {
            if b != a + 1 {
                break;
            }
            j += 1;
        }
        if j >= i + 2 {
            out.push(format!("{}-{}", parts[i], parts[j]));
        } else {
            out.extend(parts[i..=j].iter().map(|p| p.to_string()));
        }
        i = j + 1;
    }
    out.join(", ")
}

/// The help popup for a screen of `area` and `n` lines of help, and the
/// number of lines it shows; `None` when the screen is too small for it.
pub fn help_popup(area: Rect, n: usize) -> Option<(Rect, usize)> {
    let w = area.width.saturating_sub(4).min(70);
    let h = area.height.saturating_sub(2).min(n.min(u16::MAX as usize - 2) as u16 + 2);
    if w < 6 || h < 3 {
        return None;
    }
    let popup = super::centered(area, w, h);
    Some((popup, h.saturating_sub(2) as usize))
}

/// The largest scroll that still fills the help popup.
pub fn max_help_scroll(keymap: &Keymap, size: (u16, u16)) -> usize {
    let n = help_lines(keymap).len();
    let rows = help_popup(Rect::new(0, 0, size.0, size.1), n).map_or(1, |p| p.1.max(1));
    n.saturating_sub(rows)
}

impl super::State {
    /// The help overlay scrolls with the movement keys.
    pub(super) fn update_help(&mut self, action: crate::action::Action) -> Vec<crate::action::Effect> {
        use crate::action::{Action, Effect};
        let help_max = max_help_scroll(&self.keymap, self.size);
        let page = (self.size.1 as usize).saturating_sub(5).max(1);
        let Some(super::Overlay::Help { scroll }) = self.overlays.last_mut() else { return vec![] };
        match action {
            Action::MoveDown => *scroll = (*scroll + 1).min(help_max),
            Action::MoveUp => *scroll = scroll.saturating_sub(1),
            Action::PageDown => *scroll = (*scroll + page).min(help_max),
            Action::PageUp => *scroll = scroll.saturating_sub(page),
            Action::HalfPageDown => *scroll = (*scroll + page / 2).min(help_max),
            Action::HalfPageUp => *scroll = scroll.saturating_sub(page / 2),
            Action::Top => *scroll = 0,
            Action::Bottom => *scroll = help_max,
            Action::CloseOverlay | Action::Help => {
                self.overlays.pop();
            }
            Action::Quit => return vec![Effect::Quit],
            _ => {}
        }
        vec![]
    }
}

#[cfg(test)]
mod tests {
    use super::digit_runs;

    #[test]
    fn digit_runs_shorten_only_runs_of_three() {
        assert_eq!(digit_runs("1, 2, 3, 4, 5, 6, 7, 8, 9, 0, )"), "1-9, 0, )");
        assert_eq!(digit_runs("1, 2"), "1, 2");
        assert_eq!(digit_runs("g g, home"), "g g, home");
        assert_eq!(digit_runs("3, 4, 5, x, 7"), "3-5, x, 7");
        assert_eq!(digit_runs(""), "");
    }
}
