//! The glyphs of borders, bullets, arrows and bars: Unicode, or ASCII for
//! `--ascii` (and `--ambiwidth wide`).

/// Glyphs that differ between Unicode and `--ascii`.
pub(super) struct Glyphs {
    pub(super) h: &'static str,
    pub(super) v: &'static str,
    pub(super) cross: &'static str,
    pub(super) bullet: &'static str,
    pub(super) up: &'static str,
    pub(super) down: &'static str,
    pub(super) tl: &'static str,
    pub(super) tr: &'static str,
    pub(super) bl: &'static str,
    pub(super) br: &'static str,
    pub(super) full: char,
    pub(super) eighths: [&'static str; 8],
    /// Separators in running meta text ("出版方 · 日期", "— 来源").
    pub(super) dot: &'static str,
    pub(super) dash: &'static str,
}

pub(super) const UNICODE: Glyphs = Glyphs {
    h: "─",
    v: "│",
    cross: "┼",
    bullet: "•",
    up: "↑",
    down: "↓",
    tl: "┌",
    tr: "┐",
    bl: "└",
    br: "┘",
    full: '█',
    eighths: ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"],
    dot: "·",
    dash: "—",
};

pub(super) const ASCII: Glyphs = Glyphs {
    h: "-",
    v: "|",
    cross: "+",
    bullet: "-",
    up: "^",
    down: "v",
    tl: "+",
    tr: "+",
    bl: "+",
    br: "+",
    full: '#',
    eighths: ["", "", "", "", "#", "#", "#", "#"],
    dot: "-",
    dash: "-",
};

/// A bar of `value / max` of `cells` columns, at eighth-block resolution.
pub fn bar(value: f64, max: f64, cells: usize, ascii: bool) -> String {
    let g = if ascii { &ASCII } else { &UNICODE };
    if !(value > 0.0 && max > 0.0) || cells == 0 {
        return String::new();
    }
    let eighths = ((value / max).min(1.0) * cells as f64 * 8.0).round() as usize;
    let eighths = eighths.max(1);
    let mut s: String = std::iter::repeat_n(g.full, eighths / 8).collect();
    s.push_str(g.eighths[eighths % 8]);
    if s.is_empty() {
        s.push(g.full); // ascii: a tiny value still shows
    }
    s
}
