//! The help overlay: its lines, generated from the live keymap, and its
//! size, shared by `update` (to clamp the scroll) and the renderer.

use crate::keymap::{Context, Keymap, seq_to_string};
use ratatui::layout::Rect;

/// (keys, what they do); a row with no keys is a context's title.
pub fn help_lines(keymap: &Keymap) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ctx in Context::ALL {
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
            Context::Copy => "已复制的文本（可用终端自己的选择复制）",
        };
        out.push((String::new(), title.to_string()));
        out.extend(rows);
    }
    out
}

/// The help popup for a screen of `area` and `n` lines of help, and the
/// number of lines it shows; `None` when the screen is too small for it.
pub fn help_popup(area: Rect, n: usize) -> Option<(Rect, usize)> {
    let w = area.width.saturating_sub(4).min(70);
    let h = area.height.saturating_sub(2).min(n.min(u16::MAX as usize - 2) as u16 + 2);
    if w < 6 || h < 3 {
        return None;
    }
    let popup = Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h);
    Some((popup, h.saturating_sub(2) as usize))
}

/// The largest scroll that still fills the help popup.
pub fn max_help_scroll(keymap: &Keymap, size: (u16, u16)) -> usize {
    let n = help_lines(keymap).len();
    let rows = help_popup(Rect::new(0, 0, size.0, size.1), n).map_or(1, |p| p.1.max(1));
    n.saturating_sub(rows)
}
