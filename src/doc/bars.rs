//! A chart's bar rows, shared by the reader and the chart view (issue 22):
//! a label too long for the label column is shown whole on its own lines
//! above its bar; negative values draw to the left of a zero axis; a time
//! series with missing years shows an empty slot for each (`2022 ─ 无数据`).

use super::{Role, Seg};
use crate::content::{Point, Series};
use crate::text::{fit, width, wrap};

fn seg(t: &str, role: Role) -> Seg {
    Seg { text: t.to_string(), role }
}

/// The year of a year label (`2023`, `2028E`, `2023年`), 1900-2100.
pub fn label_year(label: &str) -> Option<u32> {
    let t = label.trim();
    let t = t.strip_suffix('E').unwrap_or(t);
    let t = t.strip_suffix('年').unwrap_or(t);
    let y: u32 = (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()?;
    (1900..=2100).contains(&y).then_some(y)
}

/// Whether a series is a true time series: every label a year (1900-2100),
/// with an optional `E` (estimate) or `年`, in increasing order. Labels that
/// merely start with digits (`96110劝阻…`, `2025年1-5月`) are not.
pub fn is_time_series(s: &Series) -> bool {
    let years: Option<Vec<u32>> = s.points.iter().map(|p| label_year(&p.label)).collect();
    years.is_some_and(|y| y.len() >= 2 && y.windows(2).all(|w| w[0] < w[1]))
}

/// More missing years than this in one gap are one slot (`2010–2019`).
const GAP_SLOTS: u32 = 1;

/// The series' slots in order: each point, and for a time series an empty
/// slot (its label, no point) for each year missing between two points.
pub fn slots(s: &Series) -> Vec<(String, Option<&Point>)> {
    let mut out: Vec<(String, Option<&Point>)> = Vec::new();
    let time = is_time_series(s);
    for (i, p) in s.points.iter().enumerate() {
        if time && i > 0 {
            let prev = &s.points[i - 1];
            let (a, b) = (label_year(&prev.label).unwrap_or(0), label_year(&p.label).unwrap_or(0));
            let suffix = if prev.label.trim_end().ends_with('年') { "年" } else { "" };
            if b > a + 1 + GAP_SLOTS {
                out.push((format!("{}–{}{suffix}", a + 1, b - 1), None));
            } else {
                out.extend((a + 1..b).map(|y| (format!("{y}{suffix}"), None)));
            }
        }
        out.push((p.label.clone(), Some(p)));
    }
    out
}

/// The text of a missing year's slot.
pub fn gap_text(ascii: bool) -> &'static str {
    if ascii { "- 无数据" } else { "─ 无数据" }
}

/// The bar rows of `s` at `w` columns: label, bar, value; long labels on
/// lines of their own above. `scale`: the largest value a full bar stands
/// for (a shared scale), else the series' own.
pub fn rows(s: &Series, w: usize, ascii: bool, scale: Option<f64>) -> Vec<Vec<Seg>> {
    let w = w.max(1);
    let unit = s.unit.clone().unwrap_or_default();
    let slots = slots(s);
    let values: Vec<String> = slots
        .iter()
        .map(|(_, p)| p.map(|p| format!("{}{unit}", crate::fmt::fmt_num(p.value))).unwrap_or_default())
        .collect();
    let value_w = values.iter().map(|v| width(v)).max().unwrap_or(0);
    // The label column: as wide as the longest label that fits a third of
    // the width; longer labels go above their bar, whole.
    let cap = (w / 3).max(1);
    let label_w = slots.iter().map(|(l, _)| width(l)).filter(|&lw| lw <= cap).max().unwrap_or(0);
    let lead = if label_w > 0 { label_w + 1 } else { 0 };
    let bar_w = w.saturating_sub(lead + value_w + 1);
    let bars = bar_w >= 4;
    let lo = s.points.iter().map(|p| p.value).fold(0.0_f64, f64::min);
    let hi = scale.unwrap_or_else(|| s.points.iter().map(|p| p.value).fold(0.0_f64, f64::max)).max(0.0);
    // With a negative value: a zero axis, the negative side on its left.
    let neg_w = if bars && lo < 0.0 {
        let share = -lo / (hi - lo);
        (((bar_w - 1) as f64 * share).round() as usize).clamp(1, bar_w - 1)
    } else {
        0
    };
    let pos_w = if neg_w > 0 { bar_w - 1 - neg_w } else { bar_w };
    let (full, axis) = if ascii { ('#', "|") } else { ('█', "│") };
    let mut out = Vec::new();
    for ((label, p), v) in slots.iter().zip(&values) {
        if width(label) > label_w {
            for l in wrap(label, w) {
                out.push(vec![seg(&l, Role::Label)]);
            }
        }
        let mut segs = Vec::new();
        if label_w > 0 {
            let shown = if width(label) > label_w { "" } else { label.as_str() };
            segs.push(seg(&fit(shown, label_w), Role::Label));
            segs.push(seg(" ", Role::Body));
        }
        let Some(p) = p else {
            // A missing year: an empty slot that says so.
            if neg_w > 0 {
                segs.push(seg(&" ".repeat(neg_w), Role::Body));
                segs.push(seg(axis, Role::Rule));
            }
            segs.push(seg(gap_text(ascii), Role::Meta));
            out.push(segs);
            continue;
        };
        let role = if p.is_estimate() { Role::EstimateBar } else { Role::Bar };
        if bars && neg_w > 0 {
            if p.value < 0.0 {
                let cells = ((p.value / lo) * neg_w as f64).round().clamp(1.0, neg_w as f64) as usize;
                segs.push(seg(&" ".repeat(neg_w - cells), Role::Body));
                segs.push(seg(&full.to_string().repeat(cells), role));
                segs.push(seg(axis, Role::Rule));
            } else {
                segs.push(seg(&" ".repeat(neg_w), Role::Body));
                segs.push(seg(axis, Role::Rule));
                let b = super::bar(p.value, hi, pos_w, ascii);
                if !b.is_empty() {
                    segs.push(seg(&b, role));
                }
            }
            segs.push(seg(" ", Role::Body));
        } else if bars {
            let b = super::bar(p.value, hi, bar_w, ascii);
            if !b.is_empty() {
                segs.push(seg(&b, role));
                segs.push(seg(" ", Role::Body));
            }
        }
        segs.push(seg(v, Role::Value));
        out.push(segs);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(&str, f64)]) -> Series {
        Series {
            title: None,
            industries: vec![],
            unit: Some("%".into()),
            points: points.iter().map(|(l, v)| Point { label: l.to_string(), value: *v, estimate: false }).collect(),
            note: None,
        }
    }

    fn text(row: &[Seg]) -> String {
        row.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn a_negative_value_draws_left_of_the_axis() {
        let s = series(&[("W1", 2.0), ("W2", -1.0)]);
        let r = rows(&s, 40, false, None);
        let (pos, neg) = (text(&r[0]), text(&r[1]));
        let sides = |t: &str| t.split_once('│').map(|(l, r)| (l.to_string(), r.to_string())).expect("an axis");
        let ((pl, pr), (nl, nr)) = (sides(&pos), sides(&neg));
        assert_eq!(width(&pl), width(&nl), "one axis: {pos:?} {neg:?}");
        assert!(nl.contains('█') && !nr.contains('█'), "{neg:?}");
        assert!(pr.contains('█') && !pl.contains('█'), "{pos:?}");
        assert!(neg.ends_with("-1%"), "{neg:?}");
        let ascii = text(&rows(&s, 40, true, None)[1]);
        assert!(ascii.contains("#|"), "{ascii:?}");
    }

    #[test]
    fn missing_years_are_empty_slots() {
        let s = series(&[("2020", 1.0), ("2023", 2.0), ("2040E", 3.0)]);
        let labels: Vec<String> = slots(&s).into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["2020", "2021–2022", "2023", "2024–2039", "2040E"]);
        let r = rows(&s, 40, false, None);
        assert!(text(&r[1]).starts_with("2021") && text(&r[1]).contains("─ 无数据"), "{:?}", text(&r[1]));
        // Not a time series: no slots.
        assert_eq!(slots(&series(&[("甲", 1.0), ("乙", 2.0)])).len(), 2);
    }

    #[test]
    fn a_long_label_is_whole_above_its_bar() {
        let long = "大模型（通用/垂类大模型接入、基于大模型的智能产品等）";
        let s = series(&[(long, 55.0), ("其他", 10.0)]);
        for w in [20, 40, 80] {
            let r = rows(&s, w, false, None);
            let all: String = r.iter().map(|x| text(x)).collect();
            assert!(all.contains(long), "{w}: {r:?}");
            assert!(r.iter().all(|x| width(&text(x)) <= w), "{w}: {r:?}");
        }
    }
}
