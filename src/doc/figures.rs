//! Figures: series (bar charts) and metric cards.

use super::{Builder, Role, Seg, seg};
use crate::content::{Metric, Series};
use crate::text::{self, width, wrap};
use std::collections::HashMap;
use std::sync::Arc;

impl Builder<'_> {
    pub(super) fn series(&mut self, s: &Series) {
        self.doc.charts.push((self.doc.lines.len(), Arc::new(s.clone())));
        let mut head = self.numbered(s.title.clone().unwrap_or_default());
        if let Some(u) = &s.unit {
            head.push_str(&format!("（单位：{u}）"));
        }
        if !head.is_empty() {
            self.wrapped(&head, Role::H3, 0);
        }
        for segs in super::bars::rows(s, self.w, self.g.full == '#', None) {
            self.push(segs, 0);
        }
        if s.points.iter().any(|p| p.is_estimate()) {
            let full = self.g.full.to_string();
            self.push(
                vec![
                    seg(&full, Role::Bar),
                    seg(" 实际值  ", Role::Meta),
                    seg(&full, Role::EstimateBar),
                    seg(" 预测值（E）", Role::Meta),
                ],
                0,
            );
        }
        if let Some(n) = &s.note {
            self.wrapped(n, Role::Meta, 0);
        }
    }

    /// A metric's direction arrow ("↑ ") and its value with the unit.
    fn metric_value(&self, m: &Metric) -> (Option<Seg>, String) {
        let arrow = match m.direction {
            Some(crate::content::Direction::Up) => Some(seg(&format!("{} ", self.g.up), Role::Up)),
            Some(crate::content::Direction::Down) => Some(seg(&format!("{} ", self.g.down), Role::Down)),
            None => None,
        };
        let mut v = text::sanitize(&m.value);
        if let Some(u) = &m.unit {
            v.push_str(&text::sanitize(u));
        }
        (arrow, v)
    }

    /// Metric cards in rows; each card: the value, then the label wrapped
    /// below. A value is never cut: cards are not narrowed below the widest
    /// value, and a value wider than the pane wraps like the label.
    pub(super) fn metrics(&mut self, items: &[Metric]) {
        if items.is_empty() {
            return;
        }
        let value_w = |m: &Metric| {
            let (a, v) = self.metric_value(m);
            a.map_or(0, |a| width(&a.text)) + width(&v)
        };
        let widest_value = items.iter().map(value_w).max().unwrap_or(0);
        let need = items.iter().map(|m| value_w(m).max(width(&m.label).min(22))).max().unwrap_or(8);
        let mut inner = need.clamp(8, 24).max(widest_value).min(self.w.saturating_sub(4));
        // Narrow the cards a little when that fits one more on each row,
        // never below the widest value.
        let fit_narrow = ((self.w + 1) / (14 + 5)).min(items.len()).max(1);
        if items.len() > 1 && fit_narrow > (self.w + 1) / (inner + 5) {
            inner = inner.min(((self.w + 1) / fit_narrow).saturating_sub(5).max(widest_value));
        }
        if inner < 4 {
            // Too narrow for cards: one line per metric.
            for m in items {
                let (arrow, v) = self.metric_value(m);
                self.hanging(arrow.into_iter().collect(), &v, Role::Value, 0);
                self.wrapped(&m.label, Role::Body, 0);
            }
            return;
        }
        let card_w = inner + 4;
        let per_row = ((self.w + 1) / (card_w + 1)).max(1);
        // A card line: its segments, the part (0 value, 1 label, 2 note), the
        // column of its text in the card and the text.
        type CardLine = (Vec<Seg>, usize, usize, String);
        for (r, row) in items.chunks(per_row).enumerate() {
            let cards: Vec<Vec<CardLine>> = row
                .iter()
                .map(|m| {
                    let (arrow, v) = self.metric_value(m);
                    let aw = arrow.as_ref().map_or(0, |a| width(&a.text));
                    let mut lines: Vec<CardLine> = Vec::new();
                    for (k, l) in wrap(&v, inner.saturating_sub(aw).max(1)).into_iter().enumerate() {
                        let lead = match (&arrow, k) {
                            (Some(a), 0) => a.clone(),
                            _ => seg(&" ".repeat(aw), Role::Body),
                        };
                        lines.push((vec![lead, seg(&l, Role::Value)], 0, aw, l));
                    }
                    for l in wrap(&text::sanitize(&m.label), inner) {
                        lines.push((vec![seg(&l, Role::Body)], 1, 0, l));
                    }
                    if let Some(n) = &m.note {
                        for l in wrap(&text::sanitize(n), inner) {
                            lines.push((vec![seg(&l, Role::Meta)], 2, 0, l));
                        }
                    }
                    lines
                })
                .collect();
            let h = cards.iter().map(|c| c.len()).max().unwrap_or(1);
            let edge = |l: &str, r: &str| format!("{l}{}{r}", self.g.h.repeat(inner + 2));
            let mut top = Vec::new();
            let mut bottom = Vec::new();
            for i in 0..cards.len() {
                if i > 0 {
                    top.push(seg(" ", Role::Body));
                    bottom.push(seg(" ", Role::Body));
                }
                top.push(seg(&edge(self.g.tl, self.g.tr), Role::Rule));
                bottom.push(seg(&edge(self.g.bl, self.g.br), Role::Rule));
            }
            self.start_unit();
            self.push(top, 0);
            let mut open = HashMap::new();
            for k in 0..h {
                self.at.off = k as u32 + 1;
                let mut segs = Vec::new();
                let mut boxes = Vec::new();
                for (i, c) in cards.iter().enumerate() {
                    if i > 0 {
                        segs.push(seg(" ", Role::Body));
                    }
                    segs.push(seg(&format!("{} ", self.g.v), Role::Rule));
                    match c.get(k) {
                        Some((content, part, at, text)) => {
                            let cw: usize = content.iter().map(|s| width(&s.text)).sum();
                            segs.extend(content.iter().cloned());
                            segs.push(seg(&" ".repeat(inner.saturating_sub(cw)), Role::Body));
                            let key = ((r * per_row) + i) * 3 + part;
                            boxes.push((key, i * (card_w + 1) + 2 + at, text.clone(), String::new()));
                        }
                        None => segs.push(seg(&" ".repeat(inner), Role::Body)),
                    }
                    segs.push(seg(&format!(" {}", self.g.v), Role::Rule));
                }
                self.push_boxed(segs, &boxes, &mut open);
            }
            self.at.off = h as u32 + 1;
            self.push(bottom, 0);
            self.end_unit();
        }
    }
}
