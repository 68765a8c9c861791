//! One figure compared across reports (`=` in the reader, `yanbao
//! figures QUERY`): every chart point and metric of the library is a
//! [`Figure`] with a normalised key ([`measure_key`]) and a read unit
//! ([`units::parse_unit`]); a [`Comparison`] groups the figures of one
//! measure by unit, each value also on the group's one scale. Two
//! currencies are never put on one scale without a rate (stated by the
//! source or given by the user); rows kept apart say why. Growth (YoY and
//! CAGR) is computed from the rows of one chart and always marked as
//! computed (计算值), never as the source's.
//!
//! Pure: no I/O. The outputs (text, Markdown, CSV, JSON) are in `out`;
//! [`Comparison::tables`] are the tables they, and a spreadsheet writer,
//! take.

pub mod key;
mod out;
pub mod units;

pub use key::{measure_key, pinyin_of};
pub use out::{
    COLUMNS, COMPUTED, group_citation, pct, place, report_name, row_line, to_csv, to_json, to_markdown, to_sheets,
    to_text, value_with_unit,
};
pub use units::{Dim, Rates, Unit, parse_unit, parse_value, stated_rate};

use crate::content::{Block, Library, Metric};
use crate::notes::BlockRef;
use std::sync::Arc;

/// One value printed in a report: a chart's point or a metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The normalised key of its measure ([`measure_key`]).
    pub key: String,
    /// The measure as printed: the chart's title, the metric's label.
    pub measure: String,
    /// The period as printed (a point's label, `2028E`), or the year of a
    /// metric's label; empty when none is given.
    pub period: String,
    pub year: Option<u16>,
    /// An estimate (2028E, 预计).
    pub estimate: bool,
    pub value: f64,
    /// The value as printed, with its qualifier (超5,900).
    pub value_text: String,
    pub unit: Unit,
    /// A rate the source states beside the figure (in the chart's note).
    pub stated_rate: Option<(&'static str, f64)>,
    pub report: usize,
    pub at: BlockRef,
    /// The page of its section, where the report has pages.
    pub page: Option<u32>,
    /// A chart's point (the chart view can draw it).
    pub point: bool,
}

/// A year as a whole label: `2024`, `2028E`, `2024年`, `2028年E`.
pub fn year_of(label: &str) -> Option<(u16, bool)> {
    let t = label.trim();
    let (t, e) = match t.strip_suffix('E').or_else(|| t.strip_suffix('e')) {
        Some(r) => (r, true),
        None => (t, false),
    };
    let t = t.strip_suffix('年').unwrap_or(t);
    let y: u16 = (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()?;
    (1900..=2100).contains(&y).then_some((y, e))
}

/// The one year a text names (`2024年全球…`, `…，2024`), with whether it is
/// marked as an estimate (`2028E`); `None` for none or several (`2020-2030E`).
pub fn year_in(text: &str) -> Option<(u16, bool)> {
    let chars: Vec<char> = text.chars().collect();
    let mut found: Option<(u16, bool)> = None;
    let mut i = 0;
    while i + 4 <= chars.len() {
        let run = chars[i..i + 4].iter().all(|c| c.is_ascii_digit());
        let alone = (i == 0 || !chars[i - 1].is_ascii_digit()) && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        if run && alone {
            let y: u16 = chars[i..i + 4].iter().collect::<String>().parse().unwrap_or(0);
            if (1900..=2100).contains(&y) {
                let e = chars.get(i + 4) == Some(&'E') || chars.get(i + 5) == Some(&'E') && chars[i + 4] == '年';
                if found.is_some_and(|f| f.0 != y) {
                    return None;
                }
                found = Some((y, e));
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    found
}

/// Words that make a metric an estimate.
fn says_estimate(s: &str) -> bool {
    ["预计", "预测", "预期", "估计"].iter().any(|w| s.contains(w))
}

/// Every figure of the library, in reading order (loads every report).
pub fn figures(lib: &Library) -> Vec<Figure> {
    let mut out = Vec::new();
    for node in 0..lib.nodes.len() {
        let Some(blocks) = crate::notes::blocks_of(lib, node) else { continue };
        let report = lib.nodes[node].report;
        let page = lib.section(node).and_then(|s| s.page);
        for (index, b) in blocks.iter().enumerate() {
            let at = BlockRef { node, index };
            block_figures(b, report, at, page, &mut out);
        }
    }
    out
}

/// Every figure of the library, extracted once per library and shared by
/// everyone holding it (each `=`, every SSH session): the first call
/// extracts ([`figures`]), later calls cost nothing.
pub fn of_library(lib: &Library) -> Arc<Vec<Figure>> {
    Arc::clone(&lib.memo(|l| LibraryFigures(Arc::new(figures(l)))).0)
}

/// Whether [`of_library`] has extracted this library's figures already.
pub fn extracted(lib: &Library) -> bool {
    lib.memo_made::<LibraryFigures>().is_some()
}

/// The memo's type: the figures of a whole library.
struct LibraryFigures(Arc<Vec<Figure>>);

/// The figures of one block.
pub fn block_figures(b: &Block, report: usize, at: BlockRef, page: Option<u32>, out: &mut Vec<Figure>) {
    let base = |key: String, measure: String, unit: Unit| Figure {
        key,
        measure,
        period: String::new(),
        year: None,
        estimate: false,
        value: 0.0,
        value_text: String::new(),
        unit,
        stated_rate: None,
        report,
        at,
        page,
        point: false,
    };
    match b {
        Block::Series(s) => {
            let title = s.title.clone().unwrap_or_default();
            let unit = parse_unit(s.unit.as_deref().unwrap_or(""));
            let rate = s.note.as_deref().and_then(stated_rate);
            let timed = !s.points.is_empty() && s.points.iter().all(|p| year_of(&p.label).is_some());
            let title_year = year_in(&title);
            for p in &s.points {
                if !p.value.is_finite() {
                    continue;
                }
                let (key, measure, year) = if timed {
                    (measure_key(&title), title.clone(), year_of(&p.label))
                } else {
                    let m = if title.is_empty() { p.label.clone() } else { format!("{title} · {}", p.label) };
                    (format!("{}·{}", measure_key(&title), measure_key(&p.label)), m, title_year)
                };
                if key.trim_matches('·').is_empty() {
                    continue;
                }
                let mut f = base(key, measure, unit.clone());
                f.period =
                    if timed { p.label.trim().to_string() } else { year.map(|y| y.0.to_string()).unwrap_or_default() };
                f.year = year.map(|y| y.0);
                f.estimate = p.is_estimate() || year.is_some_and(|y| y.1);
                f.value = p.value;
                f.value_text = crate::fmt::fmt_num(p.value);
                f.stated_rate = rate;
                f.point = true;
                out.push(f);
            }
        }
        Block::Metrics(m) => {
            for item in &m.items {
                metric_figure(item, m.title.as_deref(), &base, out);
            }
        }
        Block::Case(c) => c.results.iter().for_each(|item| metric_figure(item, Some(&c.title), &base, out)),
        Block::Example(e) => e.results.iter().for_each(|item| metric_figure(item, e.title.as_deref(), &base, out)),
        _ => {}
    }
}

fn metric_figure(
    item: &Metric,
    title: Option<&str>,
    base: &dyn Fn(String, String, Unit) -> Figure,
    out: &mut Vec<Figure>,
) {
    let Some((value, inner_unit, _qualified)) = parse_value(&item.value) else { return };
    let unit_text = match (&item.unit, inner_unit.is_empty()) {
        (Some(u), true) => u.clone(),
        (None, _) => inner_unit,
        // A unit both in the value and beside it: not one reading.
        (Some(_), false) => return,
    };
    let key = measure_key(&item.label);
    if key.is_empty() {
        return;
    }
    let year = year_in(&item.label).or_else(|| title.and_then(year_in));
    let mut f = base(key, item.label.clone(), parse_unit(&unit_text));
    f.year = year.map(|y| y.0);
    f.period = f.year.map(|y| y.to_string()).unwrap_or_default();
    f.estimate =
        year.is_some_and(|y| y.1) || says_estimate(&item.label) || item.note.as_deref().is_some_and(says_estimate);
    if f.estimate && !f.period.is_empty() {
        f.period.push('E');
    }
    f.value = value;
    f.value_text = item.value.trim().to_string();
    f.stated_rate = item.note.as_deref().and_then(stated_rate);
    out.push(f);
}

/// What to compare: the measures of a block (`=`), or a query (`yanbao figures`).
#[derive(Debug, Clone, PartialEq)]
pub enum Pick {
    /// These keys exactly.
    Keys(Vec<String>),
    /// Keys holding the query's key, or its pinyin (in full or initials).
    Query(String),
}

impl Pick {
    /// Which figures' keys it takes, decided once per distinct key.
    fn matcher(&self) -> Box<dyn Fn(&str) -> bool + '_> {
        match self {
            Pick::Keys(keys) => Box::new(move |k: &str| keys.iter().any(|x| x == k)),
            Pick::Query(q) => {
                let qk = measure_key(q);
                let latin = !qk.is_empty() && qk.bytes().all(|b| b.is_ascii_alphanumeric());
                Box::new(move |k: &str| {
                    if qk.is_empty() {
                        return false;
                    }
                    if k.contains(qk.as_str()) {
                        return true;
                    }
                    if latin {
                        let (full, initials) = pinyin_of(k);
                        return full.contains(qk.as_str()) || initials.contains(qk.as_str());
                    }
                    false
                })
            }
        }
    }
}

/// A figure in a comparison: also on its group's scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub fig: Figure,
    /// The value in the group's unit.
    pub norm: f64,
    /// How it was converted when its currency differs: `1美元=7.2元（用户给定）`.
    pub rate_note: Option<String>,
    /// Computed (计算值): the change from the same chart's previous year.
    pub yoy: Option<f64>,
    /// Computed (计算值): the yearly growth from the same chart's first
    /// year to this one, with that first period.
    pub cagr: Option<(String, f64)>,
}

/// The rows of one measure in one unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: String,
    /// The measure as the first row prints it.
    pub measure: String,
    pub dim: Dim,
    /// The unit the rows are put on (the one most of them print).
    pub unit: String,
    pub rows: Vec<Row>,
}

/// Everything found for a pick.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comparison {
    pub groups: Vec<Group>,
    /// Why rows of one measure are kept apart (one line each).
    pub apart: Vec<String>,
}

impl Comparison {
    pub fn row_count(&self) -> usize {
        self.groups.iter().map(|g| g.rows.len()).sum()
    }
}

/// Compare the figures `pick` takes, with `rates` given by the user.
/// `figs` comes from [`figures`]; the library names the reports.
pub fn compare(lib: &Library, figs: &[Figure], pick: &Pick, rates: &Rates) -> Comparison {
    let m = pick.matcher();
    let mut decided: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    let mut keys: Vec<&str> = Vec::new();
    let mut by_key: std::collections::HashMap<&str, Vec<&Figure>> = std::collections::HashMap::new();
    for f in figs {
        let take = *decided.entry(f.key.as_str()).or_insert_with(|| m(&f.key));
        if take {
            let e = by_key.entry(f.key.as_str()).or_default();
            if e.is_empty() {
                keys.push(&f.key);
            }
            e.push(f);
        }
    }
    let mut cmp = Comparison::default();
    for key in keys {
        let figs = by_key.remove(key).unwrap_or_default();
        let has_cny = figs.iter().any(|f| f.unit.dim == Dim::Money("CNY"));
        // Each figure's dimension after a known rate, with its factor and note.
        let placed: Vec<(&Figure, Dim, f64, Option<String>)> = figs
            .iter()
            .map(|f| match f.unit.dim {
                Dim::Money(c) if c != "CNY" && has_cny => {
                    let name = units::currency_name(c);
                    match (f.stated_rate.filter(|r| r.0 == c), rates.0.get(c)) {
                        (Some((_, r)), _) => (
                            *f,
                            Dim::Money("CNY"),
                            f.unit.factor * r,
                            Some(format!("1{name}={}元（报告所述）", crate::fmt::fmt_num(r))),
                        ),
                        (None, Some(&r)) => (
                            *f,
                            Dim::Money("CNY"),
                            f.unit.factor * r,
                            Some(format!("1{name}={}元（用户给定）", crate::fmt::fmt_num(r))),
                        ),
                        (None, None) => (*f, f.unit.dim.clone(), f.unit.factor, None),
                    }
                }
                _ => (*f, f.unit.dim.clone(), f.unit.factor, None),
            })
            .collect();
        let mut dims: Vec<Dim> = Vec::new();
        for p in &placed {
            if !dims.contains(&p.1) {
                dims.push(p.1.clone());
            }
        }
        let mut groups = Vec::new();
        for dim in &dims {
            let mine: Vec<&(&Figure, Dim, f64, Option<String>)> = placed.iter().filter(|p| &p.1 == dim).collect();
            let unit = common_unit(mine.iter().filter(|p| p.3.is_none()).map(|p| &p.0.unit.text))
                .or_else(|| common_unit(mine.iter().map(|p| &p.0.unit.text)))
                .unwrap_or_default();
            let target = parse_unit(&unit).factor;
            let mut rows: Vec<Row> = Vec::new();
            for (f, _, factor, note) in mine {
                let norm = f.value * factor / target;
                // One row per report, period and value: a figure printed in
                // a chart and again in a card of the same report once.
                if rows.iter().any(|r| {
                    r.fig.report == f.report
                        && r.fig.period == f.period
                        && (r.norm - norm).abs() <= 1e-9 * norm.abs().max(1.0)
                }) {
                    continue;
                }
                rows.push(Row { fig: (*f).clone(), norm, rate_note: note.clone(), yoy: None, cagr: None });
            }
            growth(&mut rows);
            sort_rows(lib, &mut rows);
            let measure = rows.first().map(|r| r.fig.measure.clone()).unwrap_or_default();
            groups.push(Group { key: key.to_string(), measure, dim: dim.clone(), unit, rows });
        }
        if groups.len() > 1 {
            cmp.apart.push(apart_reason(&groups, rates));
        }
        cmp.groups.extend(groups);
    }
    cmp
}

/// The unit most of these print (the first of equals).
fn common_unit<'a>(units: impl Iterator<Item = &'a String>) -> Option<String> {
    let mut counts: Vec<(&String, usize)> = Vec::new();
    for u in units {
        match counts.iter_mut().find(|c| c.0 == u) {
            Some(c) => c.1 += 1,
            None => counts.push((u, 1)),
        }
    }
    let max = counts.iter().map(|c| c.1).max()?;
    counts.into_iter().find(|c| c.1 == max).map(|c| c.0.clone())
}

/// YoY and CAGR of each chart's rows (one block, two or more years):
/// computed on the values as printed, in the chart's own unit.
fn growth(rows: &mut [Row]) {
    let mut idx: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].fig.year.is_some()).collect();
    idx.sort_by_key(|&i| (rows[i].fig.at.node, rows[i].fig.at.index, rows[i].fig.year));
    let charts: Vec<Vec<usize>> =
        idx.chunk_by(|&a, &b| rows[a].fig.at == rows[b].fig.at).map(<[usize]>::to_vec).collect();
    for w in &charts {
        let Some(&first) = w.first() else { continue };
        let (fy, fv, fp) = (rows[first].fig.year.unwrap_or(0), rows[first].norm, rows[first].fig.period.clone());
        for k in 1..w.len() {
            let (prev, cur) = (w[k - 1], w[k]);
            let (py, pv) = (rows[prev].fig.year.unwrap_or(0), rows[prev].norm);
            let (cy, cv) = (rows[cur].fig.year.unwrap_or(0), rows[cur].norm);
            if cy == py + 1 && pv > 0.0 {
                rows[cur].yoy = Some(cv / pv - 1.0);
            }
            if cy > fy && fv > 0.0 && cv > 0.0 {
                rows[cur].cagr = Some((fp.clone(), (cv / fv).powf(1.0 / f64::from(cy - fy)) - 1.0));
            }
        }
    }
}

/// By year (none last), then newest report first, then reading order.
fn sort_rows(lib: &Library, rows: &mut [Row]) {
    let rank = |r: &Row| lib.heads().get(r.fig.report).map(|h| std::cmp::Reverse(h.date.clone()));
    rows.sort_by(|a, b| {
        (a.fig.year.is_none(), a.fig.year, rank(a), a.fig.report, a.fig.at.node, a.fig.at.index).cmp(&(
            b.fig.year.is_none(),
            b.fig.year,
            rank(b),
            b.fig.report,
            b.fig.at.node,
            b.fig.at.index,
        ))
    });
}

/// Why the groups of one measure are kept apart.
fn apart_reason(groups: &[Group], rates: &Rates) -> String {
    let units: Vec<String> =
        groups.iter().map(|g| if g.unit.is_empty() { "无单位".into() } else { g.unit.clone() }).collect();
    let measure = &groups[0].measure;
    let list = units.join(" / ");
    let money: Vec<&str> =
        groups.iter().filter_map(|g| if let Dim::Money(c) = g.dim { Some(c) } else { None }).collect();
    if money.len() > 1 {
        let foreign: Vec<&str> = money.iter().copied().filter(|c| *c != "CNY" && !rates.0.contains_key(c)).collect();
        let hint = foreign.iter().map(|c| format!("--rate {c}=…")).collect::<Vec<_>>().join(" ");
        return format!("{measure}：{list} 分开列出：币种不同，报告未给出汇率，不换算（可用 {hint} 给定）");
    }
    let dims: Vec<&Dim> = groups.iter().map(|g| &g.dim).collect();
    if dims.contains(&&Dim::Percent) && dims.contains(&&Dim::Points) {
        return format!("{measure}：{list} 分开列出：% 是比例，pct（百分点）是比例之差");
    }
    format!("{measure}：{list} 分开列出：单位不同，不能换算")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_as_labels_and_in_text() {
        assert_eq!(year_of("2028E"), Some((2028, true)));
        assert_eq!(year_of("2024年"), Some((2024, false)));
        assert_eq!(year_of("2024H1"), None);
        assert_eq!(year_of("96110"), None);
        assert_eq!(year_in("2024年中国AI大模型市场规模"), Some((2024, false)));
        assert_eq!(year_in("全球人工智能投融资情况，2024"), Some((2024, false)));
        assert_eq!(year_in("中国金融大模型市场规模，2023-2028E"), None);
        assert_eq!(year_in("2030E市场规模"), Some((2030, true)));
        assert_eq!(year_in("96110劝阻"), None);
    }
}
