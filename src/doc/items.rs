//! Lists, name flows, cases and examples.

use super::{Builder, Role, seg};
use crate::content::{Case, Example};
use crate::text::{self, truncate, width};

impl Builder<'_> {
    pub(super) fn company_name(&self, id: &str) -> String {
        match self.lib.company(id) {
            Some(c) => match &c.latin {
                Some(l) if !l.is_empty() && l != &c.name => format!("{} {l}", c.name),
                _ => c.name.clone(),
            },
            None => id.to_string(),
        }
    }

    pub(super) fn bullets(&mut self, items: &[String], indent: usize) {
        for it in items {
            let prefix = vec![seg(&" ".repeat(indent), Role::Body), seg(&format!("{} ", self.g.bullet), Role::Bullet)];
            self.hanging(prefix, it, Role::Body, indent + 2);
        }
    }

    /// Names laid out in rows, two spaces apart, never split across lines.
    pub(super) fn name_flow(&mut self, names: &[String], indent: usize) {
        let avail = self.w.saturating_sub(indent).max(1);
        let mut line = String::new();
        let flush = |b: &mut Self, line: &mut String| {
            if !line.is_empty() {
                b.push(vec![seg(&" ".repeat(indent), Role::Body), seg(line, Role::Body)], 0);
                line.clear();
            }
        };
        for n in names {
            let n = truncate(&text::sanitize(n), avail);
            let extra = if line.is_empty() { width(&n) } else { width(&n) + 2 };
            if width(&line) + extra > avail {
                flush(self, &mut line);
            }
            if !line.is_empty() {
                line.push_str("  ");
            }
            line.push_str(&n);
        }
        flush(self, &mut line);
    }

    /// Label/value pairs (`企业：…`) two spaces apart, a line broken
    /// between pairs, never inside one; a pair wider than a line wraps on
    /// lines of its own.
    fn pairs(&mut self, pairs: &[String], role: Role, indent: usize) {
        let avail = self.w.saturating_sub(indent).max(1);
        let mut line = String::new();
        for p in pairs {
            let extra = if line.is_empty() { width(p) } else { width(p) + 2 };
            if !line.is_empty() && width(&line) + extra > avail {
                self.wrapped(&std::mem::take(&mut line), role, indent);
            }
            if width(p) > avail {
                self.wrapped(p, role, indent);
                continue;
            }
            if !line.is_empty() {
                line.push_str("  ");
            }
            line.push_str(p);
        }
        if !line.is_empty() {
            self.wrapped(&line, role, indent);
        }
    }

    pub(super) fn case(&mut self, c: &Case) {
        let bar = format!("{} ", self.g.v);
        self.hanging(vec![seg(&bar, Role::CaseTitle), seg("案例 ", Role::Meta)], &c.title, Role::CaseTitle, 2);
        let mut meta = Vec::new();
        if !c.companies.is_empty() {
            let names: Vec<String> = c.companies.iter().map(|x| self.company_name(x)).collect();
            meta.push(format!("企业：{}", names.join("、")));
        }
        if let Some(i) = c.industry.as_deref().and_then(|i| self.lib.industry(i)) {
            meta.push(format!("行业：{}", i.name));
        }
        if !c.locations.is_empty() {
            meta.push(format!("地点：{}", c.locations.join("、")));
        }
        self.pairs(&meta, Role::Meta, 2);
        if let Some(bg) = &c.background {
            self.sub_label("背景");
            self.wrapped(bg, Role::Body, 2);
        }
        if !c.pain_points.is_empty() {
            self.sub_label("痛点");
            self.bullets(&c.pain_points, 2);
        }
        if !c.solution.is_empty() {
            self.sub_label("方案");
            self.bullets(&c.solution, 2);
        }
        if !c.results.is_empty() {
            self.sub_label("成效");
            // The cards sit under the case's other parts, two columns in.
            let (w, start, first_box) = (self.w, self.doc.lines.len(), self.doc.boxes.len());
            self.w = w.saturating_sub(2).max(1);
            self.metrics(&c.results);
            self.w = w;
            for l in &mut self.doc.lines[start..] {
                l.segs.insert(0, seg("  ", Role::Body));
            }
            for p in self.doc.boxes[first_box..].iter_mut().flat_map(|b| &mut b.pieces) {
                p.col += 2;
            }
        }
    }

    /// A one-line example: who did what, and its results on one more line,
    /// indented under the paragraph it illustrates.
    pub(super) fn example(&mut self, e: &Example) {
        let mut who: Vec<String> = e.companies.iter().map(|x| self.company_name(x)).collect();
        if who.is_empty() {
            who.extend(e.title.clone());
        }
        let mut head = who.join("、");
        match (head.is_empty(), e.locations.is_empty()) {
            (_, true) => {}
            (true, false) => head = e.locations.join("、"),
            (false, false) => head.push_str(&format!("（{}）", e.locations.join("、"))),
        }
        let body = if head.is_empty() { e.text.clone() } else { format!("{head}：{}", e.text) };
        let prefix =
            vec![seg("  ", Role::Body), seg(&format!("{} ", self.g.bullet), Role::Bullet), seg("示例 ", Role::Meta)];
        self.hanging(prefix, &body, Role::Body, 4);
        if !e.results.is_empty() {
            let parts: Vec<String> = e
                .results
                .iter()
                .map(|m| {
                    let arrow = match m.direction {
                        Some(crate::content::Direction::Up) => self.g.up,
                        Some(crate::content::Direction::Down) => self.g.down,
                        None => "",
                    };
                    format!("{} {arrow}{}{}", m.label, m.value, m.unit.clone().unwrap_or_default())
                })
                .collect();
            self.hanging(vec![seg("    ", Role::Body), seg("成效 ", Role::Label)], &parts.join("；"), Role::Value, 9);
        }
    }

    fn sub_label(&mut self, t: &str) {
        self.push(vec![seg("  ", Role::Body), seg(t, Role::Label)], 0);
    }
}
