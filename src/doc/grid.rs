//! The full-pane table view (Enter on a table): one column per table column
//! at its natural width (at most [`MAX_COL`] columns, wrapped below that), the
//! first column frozen on the left, the others scrolled sideways a whole
//! column at a time, as csvlens and visidata do. Pure layout; the app keeps
//! the scroll and the renderer draws the lines.

use super::{DocLine, Role, Seg, trim_trailing};
use crate::content::Table;
use crate::text::{self, fit, width, wrap};
use std::ops::Range;

/// The widest a column is drawn; longer cells wrap.
pub const MAX_COL: usize = 40;

/// The narrowest a scrolled column is drawn beside others (it wraps).
const MIN_SHARE: usize = 12;

/// A table laid out for the full-pane view at one horizontal scroll.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GridView {
    /// The header row and the rule under it: they stay on top.
    pub head: Vec<DocLine>,
    /// The rows, each a few lines, with a blank rule between tall rows.
    pub body: Vec<DocLine>,
    /// The first body line of each row.
    pub row_starts: Vec<usize>,
    /// The scrolled columns shown beside the frozen first one.
    pub shown: Range<usize>,
    pub columns: usize,
}

fn cell_text(s: &str) -> String {
    text::sanitize(s).replace('\n', " ")
}

/// Each column's natural width: its widest cell or header, at most [`MAX_COL`].
pub fn natural_widths(t: &Table) -> Vec<usize> {
    (0..t.columns.len())
        .map(|i| {
            let cells = t.rows.iter().filter_map(|r| r.get(i)).map(|c| width(&cell_text(&c.0)));
            cells.chain([width(&cell_text(&t.columns[i]))]).max().unwrap_or(1).clamp(1, MAX_COL)
        })
        .collect()
}

/// The smallest first scrolled column that still shows the last column
/// (`$` / End); 1 for a table of one or two columns.
pub fn last_first(t: &Table, avail: usize, ascii: bool) -> usize {
    let n = t.columns.len();
    (1..n).find(|&c| grid_view(t, avail, c, ascii).shown.end >= n).unwrap_or(1)
}

/// Lay out `t` in `avail` columns with the scrolled columns starting at
/// `first` (clamped to 1..columns).
pub fn grid_view(t: &Table, avail: usize, first: usize, ascii: bool) -> GridView {
    let n = t.columns.len();
    let mut out = GridView { columns: n, ..GridView::default() };
    if n == 0 || avail == 0 {
        return out;
    }
    let (v, h, cross) = if ascii { ("|", "-", "+") } else { ("│", "─", "┼") };
    let sep = 3; // " │ "
    let natural = natural_widths(t);
    // The frozen column: whole when it is narrow, else a third of the room.
    let w0 = if n == 1 { natural[0].min(avail) } else { natural[0].min((avail / 3).max(6)).min(avail) };
    let mut cols = vec![(0usize, w0.max(1))];
    let first = first.clamp(1, n.max(2) - 1);
    let mut used = w0;
    if n > 1 {
        for (c, &w) in natural.iter().enumerate().skip(first) {
            let room = avail.saturating_sub(used + sep);
            if room == 0 {
                break;
            }
            // A column that does not fit whole still shows, wrapped, when
            // it gets a readable share of the room (csvlens cuts it instead).
            if w > room && c > first && room < w.min(MIN_SHARE) {
                break;
            }
            let w = w.min(room);
            cols.push((c, w));
            used += sep + w;
        }
        out.shown = first..first + cols.len() - 1;
    }
    let joint = format!(" {v} ");
    let row_lines = |cells: &[String], role: Role| -> Vec<DocLine> {
        let wrapped: Vec<Vec<String>> =
            cols.iter().map(|&(c, w)| wrap(&cell_text(cells.get(c).map_or("", String::as_str)), w)).collect();
        let tall = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        (0..tall)
            .map(|k| {
                let mut segs = Vec::new();
                for (i, (&(_, w), lines)) in cols.iter().zip(&wrapped).enumerate() {
                    if i > 0 {
                        segs.push(Seg { text: joint.clone(), role: Role::Rule });
                    }
                    let role = if i == 0 && role == Role::Body { Role::Label } else { role };
                    segs.push(Seg { text: fit(lines.get(k).map_or("", String::as_str), w), role });
                }
                trim_trailing(&mut segs);
                DocLine { segs, ..DocLine::default() }
            })
            .collect()
    };
    out.head = row_lines(&t.columns, Role::TableHead);
    let rule: Vec<String> = cols.iter().map(|&(_, w)| h.repeat(w)).collect();
    out.head.push(DocLine {
        segs: vec![Seg { text: rule.join(&format!("{h}{cross}{h}")), role: Role::Rule }],
        ..DocLine::default()
    });
    let rows: Vec<Vec<DocLine>> =
        t.rows.iter().map(|r| row_lines(&r.iter().map(|c| c.0.clone()).collect::<Vec<_>>(), Role::Body)).collect();
    let tall = rows.iter().any(|r| r.len() > 1);
    let count = rows.len();
    for (i, r) in rows.into_iter().enumerate() {
        out.row_starts.push(out.body.len());
        out.body.extend(r);
        if tall && i + 1 < count {
            let blank: Vec<String> = cols.iter().map(|&(_, w)| " ".repeat(w)).collect();
            let mut segs = vec![Seg { text: blank.join(&joint), role: Role::Rule }];
            trim_trailing(&mut segs);
            out.body.push(DocLine { segs, ..DocLine::default() });
        }
    }
    out
}
