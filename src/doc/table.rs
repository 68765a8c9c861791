//! Tables: the grid, records mode, column widths and bars.

use super::{Builder, Piece, Role, Seg, bar, seg, trim_trailing};
use crate::content::Table;
use crate::fmt::cell_number;
use crate::text::{self, fit, truncate, width, wrap};
use std::collections::HashMap;

impl Builder<'_> {
    pub(super) fn table(&mut self, t: &Table) {
        self.doc.tables.push((self.doc.lines.len(), std::sync::Arc::new(t.clone())));
        let with_bars;
        let t = if self.table_bars {
            with_bars = table_with_bars(t, self.g.full == '#');
            &with_bars
        } else {
            t
        };
        // A table may use the room right of the text's left edge.
        let measure = std::mem::replace(&mut self.w, self.wide);
        self.table_at_width(t);
        self.w = measure;
    }

    fn table_at_width(&mut self, t: &Table) {
        let mut head = self.numbered(t.title.clone().unwrap_or_default());
        if let Some(u) = &t.unit {
            head.push_str(&format!("（单位：{u}）"));
        }
        if !head.is_empty() {
            self.wrapped(&head, Role::H3, 0);
        }
        let n = t.columns.len();
        if n == 0 {
            return;
        }
        let sep = 3; // " │ "
        let avail = self.w.saturating_sub(sep * (n - 1));
        let natural: Vec<usize> = (0..n)
            .map(|i| {
                let cells = t.rows.iter().filter_map(|r| r.get(i)).map(|c| width(&c.0));
                cells.chain([width(&t.columns[i])]).max().unwrap_or(1).clamp(1, 60)
            })
            .collect();
        // Each column keeps its widest short cell whole (加拿大, a date) and
        // otherwise its longest unbreakable run, up to 10 columns; a grid
        // that cannot give every column that much is shown as records.
        let mins: Vec<usize> = (0..n)
            .map(|i| {
                let cells = t.rows.iter().filter_map(|r| r.get(i)).map(|c| c.0.as_str());
                cells.chain([t.columns[i].as_str()]).map(|c| unbreakable(&text::sanitize(c))).max().unwrap_or(1)
            })
            .collect();
        if avail < mins.iter().sum::<usize>().max(n * 4) {
            return self.table_records(t);
        }
        let ws = column_widths_min(&natural, &mins, avail);
        let v = format!(" {} ", self.g.v);
        // Each row: its lines, and on each line every cell's (column, text,
        // text cut off behind a `…`) for find.
        type RowLine = (Vec<Seg>, Vec<Piece>);
        let row_lines = |b: &Self, cells: &[String], role: Role| -> Vec<RowLine> {
            let wrapped: Vec<(Vec<String>, String)> = cells
                .iter()
                .zip(&ws)
                .map(|(c, &w)| {
                    let c = text::sanitize(c).replace('\n', " ");
                    if !b.compact {
                        return (wrap(&c, w), String::new());
                    }
                    if width(&c) <= w {
                        return (vec![c], String::new());
                    }
                    let cut = truncate(&c, w);
                    let shown = cut.strip_suffix('…').unwrap_or(&cut).to_string();
                    let hidden: String = c.chars().skip(shown.chars().count()).collect();
                    (vec![shown + "…"], hidden)
                })
                .collect();
            let h = wrapped.iter().map(|l| l.0.len()).max().unwrap_or(1).max(1);
            (0..h)
                .map(|k| {
                    let mut segs = Vec::new();
                    let mut boxes = Vec::new();
                    let mut col = 0;
                    for (i, (lines, hidden)) in wrapped.iter().enumerate() {
                        if i > 0 {
                            segs.push(seg(&v, Role::Rule));
                            col += width(&v);
                        }
                        let cell = lines.get(k).map(String::as_str).unwrap_or("");
                        segs.push(seg(&fit(cell, ws[i]), role));
                        let last = k + 1 == lines.len();
                        let (text, cut) = match cell.strip_suffix('…') {
                            Some(t) if last && !hidden.is_empty() => (t.to_string(), hidden.clone()),
                            _ => (cell.to_string(), String::new()),
                        };
                        boxes.push((i, col, text, cut));
                        col += ws[i];
                    }
                    trim_trailing(&mut segs);
                    (segs, boxes)
                })
                .collect()
        };
        let rule = |b: &Self| -> Vec<Seg> {
            let parts: Vec<String> = ws.iter().map(|&w| b.g.h.repeat(w)).collect();
            let joint = format!("{}{}{}", b.g.h, b.g.cross, b.g.h);
            vec![seg(&parts.join(&joint), Role::Rule)]
        };
        let mut open = HashMap::new();
        let head_start = self.doc.lines.len();
        // The header is unit 1, the rule 2, row i 3 + i (see table_records).
        self.at.unit = 1;
        self.start_unit();
        for (k, (l, boxes)) in row_lines(self, &t.columns, Role::TableHead).into_iter().enumerate() {
            self.at.off = k as u32;
            self.push_boxed(l, &boxes, &mut open);
        }
        self.end_unit();
        self.push(rule(self), 0);
        let head = head_start..self.doc.lines.len();
        let rows: Vec<Vec<RowLine>> = t
            .rows
            .iter()
            .map(|r| row_lines(self, &r.iter().map(|c| c.0.clone()).collect::<Vec<_>>(), Role::Body))
            .collect();
        let tall = rows.iter().any(|r| r.len() > 1);
        let n_rows = rows.len();
        for (i, r) in rows.into_iter().enumerate() {
            let mut open = HashMap::new();
            self.at.unit = 3 + i as u32;
            self.start_unit();
            let h = r.len();
            for (k, (l, boxes)) in r.into_iter().enumerate() {
                self.at.off = k as u32;
                self.push_boxed(l, &boxes, &mut open);
            }
            // Tall rows are set apart by a blank rule, the end of the row.
            if tall && i + 1 < n_rows {
                self.at.off = h as u32;
                let faint: Vec<String> = ws.iter().map(|&w| " ".repeat(w)).collect();
                let mut segs = vec![seg(&faint.join(&v), Role::Rule)];
                trim_trailing(&mut segs);
                self.push(segs, 0);
            }
            self.end_unit();
        }
        self.doc.table_heads.push((head, self.doc.lines.len()));
        for note in &t.notes {
            self.wrapped(note, Role::Meta, 0);
        }
    }

    /// A table too wide for its columns: each row as "column：value" lines.
    fn table_records(&mut self, t: &Table) {
        // Row i is unit 3 + i, as in the grid, so the reading position
        // survives the switch between the two forms.
        let n = t.rows.len();
        for (i, row) in t.rows.iter().enumerate() {
            self.row_lock = Some((3 + i as u32, 0));
            for (c, cell) in t.columns.iter().zip(row) {
                self.hanging(vec![seg(&format!("{c}："), Role::TableHead)], &cell.0, Role::Body, 0);
            }
            if i + 1 < n {
                self.push(vec![seg(&self.g.h.repeat(self.w.min(8)), Role::Rule)], 0);
            }
            self.row_lock = None;
        }
        self.at.unit = 3 + n as u32;
        for note in &t.notes {
            self.wrapped(note, Role::Meta, 0);
        }
    }
}

/// The width a cell needs unbroken: the whole cell when it is at most 10
/// columns wide, else its longest run between line-break opportunities (a
/// date, a Latin word), at most 10.
fn unbreakable(cell: &str) -> usize {
    let w = width(cell.trim());
    if w <= 10 {
        return w.max(1);
    }
    let mut longest = 1;
    let mut prev = 0;
    for (at, _) in unicode_linebreak::linebreaks(cell) {
        longest = longest.max(cell.get(prev..at).map_or(0, |t| width(t.trim())));
        prev = at;
    }
    longest.min(10)
}

/// Column widths that fit `avail` (at least the sum of `mins`): every column
/// gets its minimum, and the rest of the room goes to the columns in
/// proportion to how much more they need.
pub fn column_widths_min(natural: &[usize], mins: &[usize], avail: usize) -> Vec<usize> {
    let total: usize = natural.iter().sum();
    if total <= avail {
        return natural.to_vec();
    }
    let base: Vec<usize> = natural.iter().zip(mins).map(|(&n, &m)| n.min(m)).collect();
    let room = avail.saturating_sub(base.iter().sum());
    let want: Vec<usize> = natural.iter().zip(&base).map(|(n, b)| n - b).collect();
    let want_total: usize = want.iter().sum::<usize>().max(1);
    let mut ws: Vec<usize> = base.iter().zip(&want).map(|(b, w)| b + w * room / want_total).collect();
    let mut left = avail.saturating_sub(ws.iter().sum());
    while left > 0 {
        let Some((i, _)) =
            ws.iter().enumerate().filter(|(i, w)| **w < natural[*i]).max_by_key(|(i, w)| natural[*i] - **w)
        else {
            break;
        };
        ws[i] += 1;
        left -= 1;
    }
    ws
}

/// Column widths that fit `avail`: every column keeps up to `min_col` (or its
/// natural width if smaller), and the rest of the room goes to the columns
/// in proportion to how much more they need.
pub fn column_widths(natural: &[usize], avail: usize, min_col: usize) -> Vec<usize> {
    column_widths_min(natural, &vec![min_col; natural.len()], avail)
}

/// A copy of a table where each numeric column (every filled cell leads with
/// a number, at least two of them, not a year) gets a bar after its value,
/// scaled to the column's largest value.
fn table_with_bars(t: &Table, ascii: bool) -> Table {
    let mut out = t.clone();
    for c in 0..t.columns.len() {
        let cells: Vec<&str> = t.rows.iter().filter_map(|r| r.get(c)).map(|x| x.0.as_str()).collect();
        let filled: Vec<&str> = cells.iter().copied().filter(|x| !x.trim().is_empty()).collect();
        let nums: Vec<f64> = filled.iter().filter_map(|x| cell_number(x)).collect();
        let years = filled.iter().all(|x| x.trim().len() == 4 || x.trim().ends_with('E'));
        if filled.len() < 2 || nums.len() != filled.len() || years {
            continue;
        }
        let max = nums.iter().copied().fold(0.0, f64::max);
        for row in &mut out.rows {
            if let Some(cell) = row.get_mut(c)
                && let Some(v) = cell_number(&cell.0)
            {
                cell.0 = format!("{} {}", cell.0, bar(v, max, 8, ascii));
            }
        }
    }
    out
}
