//! Document layout: a place in the outline, laid out as styled lines for a
//! given width. Pure and terminal-free; the renderer maps roles to styles.
//! Chinese text is wrapped here (never by the renderer), so punctuation rules
//! and display widths hold on every line.

use crate::content::{Block, Case, Example, Library, Metric, NodeId, Section, Series, Table};
use crate::text::{self, fit, truncate, width, wrap};
use std::sync::Arc;

/// What a piece of text is; the theme decides how it looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Body,
    Title,
    H1,
    H2,
    H3,
    Meta,
    Number,
    Label,
    Rule,
    TableHead,
    Value,
    Up,
    Down,
    Bar,
    EstimateBar,
    Bullet,
    CaseTitle,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    pub text: String,
    pub role: Role,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocLine {
    pub segs: Vec<Seg>,
    /// Lines of one wrapped paragraph share a non-zero id, so that find can
    /// match across a line break. Zero: the line stands alone.
    pub para: u32,
}

impl DocLine {
    pub fn text(&self) -> String {
        self.segs.iter().map(|s| s.text.as_str()).collect()
    }
}

/// Layout settings that change the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LayoutOpts {
    pub width: u16,
    pub ascii: bool,
    pub compact_tables: bool,
    /// Draw a small bar beside each value of a numeric table column.
    pub table_bars: bool,
}

/// What a reader page shows: a place in the outline, or an industry page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    Node(NodeId),
    Industry(usize),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Doc {
    pub lines: Vec<DocLine>,
    /// (line, node): where each section's heading starts.
    pub anchors: Vec<(usize, NodeId)>,
    /// (line, series): where each chart starts, for the chart view.
    pub charts: Vec<(usize, Arc<Series>)>,
}

impl Doc {
    /// The section whose heading is the last one at or above `line`.
    pub fn node_at(&self, line: usize) -> Option<NodeId> {
        let i = self.anchors.partition_point(|a| a.0 <= line);
        self.anchors.get(i.checked_sub(1)?).map(|a| a.1)
    }

    /// The heading line of a node, if the document holds it.
    pub fn line_of(&self, node: NodeId) -> Option<usize> {
        self.anchors.iter().find(|a| a.1 == node).map(|a| a.0)
    }
}

/// Glyphs that differ between Unicode and `--ascii`.
struct Glyphs {
    h: &'static str,
    v: &'static str,
    cross: &'static str,
    bullet: &'static str,
    up: &'static str,
    down: &'static str,
    tl: &'static str,
    tr: &'static str,
    bl: &'static str,
    br: &'static str,
    full: char,
    eighths: [&'static str; 8],
}

const UNICODE: Glyphs = Glyphs {
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
};

const ASCII: Glyphs = Glyphs {
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

/// Lay out a page.
pub fn build_page(lib: &Library, page: Page, opts: LayoutOpts) -> Doc {
    match page {
        Page::Node(n) => build(lib, n, opts),
        Page::Industry(i) => build_industry(lib, i, opts),
    }
}

/// The page of an industry: its figures charted together, then every
/// section about it in both reports, in their usual parts.
pub fn build_industry(lib: &Library, industry: usize, opts: LayoutOpts) -> Doc {
    let mut b = Builder::new(lib, opts);
    let Some(ind) = lib.industries.get(industry) else { return b.doc };
    let st = lib.industry_stats(&ind.id);
    // A section about several industries (2.3) contributes only what names
    // this one: its sub-sections tagged with it alone or titled with it.
    let names: Vec<&str> = std::iter::once(ind.name.as_str()).chain(ind.aliases.iter().map(String::as_str)).collect();
    let names_it = |t: &str| names.iter().any(|n| t.contains(n));
    let mut roots = Vec::new();
    for r in lib.industry_roots(&ind.id) {
        let Some(s) = lib.section(r) else { continue };
        if s.industries.len() == 1 {
            roots.push(r);
            continue;
        }
        for &c in &lib.nodes[r].children {
            if let Some(cs) = lib.section(c)
                && ((cs.industries.len() == 1 && cs.industries[0] == ind.id) || names_it(&cs.title))
            {
                roots.push(c);
            }
        }
    }
    b.wrapped(&format!("行业：{} {}", ind.name, ind.english.clone().unwrap_or_default()), Role::Title, 0);
    b.wrapped(
        &format!("{} 个章节 · {} 个案例 · {} 个示例 · {} 个图表与指标", st.sections, st.cases, st.examples, st.figures),
        Role::Meta,
        0,
    );
    if !ind.aliases.is_empty() {
        b.wrapped(&format!("别名：{}", ind.aliases.join("、")), Role::Meta, 0);
    }
    // The figures first, together: each chart keeps its own scale. A figure
    // tagged with industries of its own is shown for those only.
    let mut figures: Vec<(NodeId, &Block)> = Vec::new();
    fn collect<'a>(lib: &'a Library, n: NodeId, out: &mut Vec<(NodeId, &'a Block)>) {
        if let Some(s) = lib.section(n) {
            out.extend(s.blocks.iter().filter(|b| matches!(b, Block::Series(_) | Block::Metrics(_))).map(|b| (n, b)));
            for &c in &lib.nodes[n].children {
                collect(lib, c, out);
            }
        }
    }
    for &r in &roots {
        let mut all = Vec::new();
        collect(lib, r, &mut all);
        figures.extend(all.into_iter().filter(|(_, b)| b.is_about(&ind.id, true)));
    }
    // And the figures about it in sections about several industries (the
    // LLM market sizes in 2.3), picked by their tags, else by their titles.
    for r in lib.industry_roots(&ind.id) {
        if lib.section(r).is_some_and(|s| s.industries.len() > 1) {
            let mut all = Vec::new();
            collect(lib, r, &mut all);
            all.retain(|(n, _)| !roots.iter().any(|&root| lib.ancestry(*n).contains(&root)));
            figures.extend(all.into_iter().filter(|(_, b)| {
                let own = b.industries();
                if own.is_empty() { b.title().is_some_and(&names_it) } else { own.contains(&ind.id.as_str()) }
            }));
        }
    }
    if !figures.is_empty() {
        b.heading("图表与指标", Role::H1);
        let mut last = None;
        for (n, blk) in figures {
            if last != Some(n) {
                b.blank();
                b.wrapped(&format!("— {}", crate::search::location(lib, n)), Role::Meta, 0);
                last = Some(n);
            }
            b.blank();
            b.block(blk);
        }
    }
    for &r in &roots {
        if let Some(s) = lib.section(r) {
            b.blank();
            b.wrapped(&lib.report_of(r).map(|x| x.title.clone()).unwrap_or_default(), Role::Meta, 0);
            b.section(s, r, 1);
        }
    }
    b.finish()
}

/// Lay out the page of a node.
pub fn build(lib: &Library, node: NodeId, opts: LayoutOpts) -> Doc {
    let mut b = Builder::new(lib, opts);
    match lib.section(node) {
        Some(s) => b.section(s, node, 0),
        None => {
            if let Some(r) = lib.report_of(node) {
                b.anchor(node);
                b.wrapped(&r.title, Role::Title, 0);
                b.wrapped(&format!("{} · {}", r.publisher, r.date), Role::Meta, 0);
                b.blank();
                b.blocks(&r.abstract_blocks);
                if !r.toc.is_empty() {
                    b.heading("目录", Role::H2);
                    for t in &r.toc {
                        let head = match &t.number {
                            Some(n) => format!("{n} {}", t.title),
                            None => t.title.clone(),
                        };
                        let indent = if t.number.as_deref().is_some_and(|n| n.contains('.')) { 2 } else { 0 };
                        b.leader(&head, &t.page.map(|p| p.to_string()).unwrap_or_default(), indent);
                    }
                    b.blank();
                }
                b.wrapped(&format!("来源：{}", r.source), Role::Meta, 0);
            }
        }
    }
    b.finish()
}

struct Builder<'a> {
    lib: &'a Library,
    w: usize,
    g: &'static Glyphs,
    compact: bool,
    table_bars: bool,
    doc: Doc,
    para: u32,
}

impl<'a> Builder<'a> {
    fn new(lib: &'a Library, opts: LayoutOpts) -> Builder<'a> {
        Builder {
            lib,
            w: (opts.width as usize).max(1),
            g: if opts.ascii { &ASCII } else { &UNICODE },
            compact: opts.compact_tables,
            table_bars: opts.table_bars,
            doc: Doc::default(),
            para: 0,
        }
    }

    fn finish(mut self) -> Doc {
        while self.doc.lines.last().is_some_and(|l| l.segs.iter().all(|s| s.text.trim().is_empty())) {
            self.doc.lines.pop();
        }
        self.doc
    }

    /// Add a line, cut to the width: at tiny widths a prefix, an indent or
    /// a card border can be wider than the line. A single character wider
    /// than the line (a wide character at width 1) is kept.
    fn push(&mut self, mut segs: Vec<Seg>, para: u32) {
        let total: usize = segs.iter().map(|s| width(&s.text)).sum();
        if total > self.w && segs.iter().map(|s| s.text.trim().chars().count()).sum::<usize>() > 1 {
            let mut room = self.w;
            let mut out = Vec::new();
            for s in segs {
                if room == 0 {
                    break;
                }
                let mut kept = String::new();
                for c in s.text.chars() {
                    let cw = text::char_width(c);
                    if cw > room {
                        room = 0;
                        break;
                    }
                    kept.push(c);
                    room -= cw;
                }
                out.push(Seg { text: kept, role: s.role });
            }
            segs = out;
        }
        self.doc.lines.push(DocLine { segs, para });
    }

    fn blank(&mut self) {
        if self.doc.lines.last().is_some_and(|l| !l.segs.is_empty()) {
            self.push(vec![], 0);
        }
    }

    fn anchor(&mut self, node: NodeId) {
        self.doc.anchors.push((self.doc.lines.len(), node));
    }

    /// A wrapped paragraph with a first-line prefix and a hanging indent.
    fn hanging(&mut self, prefix: Vec<Seg>, text: &str, role: Role, indent: usize) {
        let text = text::sanitize(text);
        let pw: usize = prefix.iter().map(|s| width(&s.text)).sum();
        let avail = self.w.saturating_sub(indent.max(pw)).max(1);
        self.para += 1;
        let para = self.para;
        let mut first = true;
        for l in wrap(&text, avail) {
            let mut segs = Vec::new();
            if first {
                segs.extend(prefix.iter().cloned());
                let pad = indent.saturating_sub(pw);
                if pad > 0 {
                    segs.push(seg(&" ".repeat(pad), Role::Body));
                }
            } else if indent.max(pw) > 0 {
                segs.push(seg(&" ".repeat(indent.max(pw).min(self.w.saturating_sub(1))), Role::Body));
            }
            first = false;
            segs.push(seg(&l, role));
            self.push(segs, para);
        }
    }

    fn wrapped(&mut self, text: &str, role: Role, indent: usize) {
        let prefix = if indent > 0 { vec![seg(&" ".repeat(indent), Role::Body)] } else { vec![] };
        self.hanging(prefix, text, role, indent);
    }

    fn heading(&mut self, text: &str, role: Role) {
        self.blank();
        self.wrapped(text, role, 0);
    }

    /// "title ········ page"
    fn leader(&mut self, left: &str, right: &str, indent: usize) {
        let rw = width(right);
        let room = self.w.saturating_sub(indent + rw + 1);
        let l = truncate(left, room);
        let dots = self.w.saturating_sub(indent + width(&l) + rw + 2);
        let mut segs = vec![seg(&" ".repeat(indent), Role::Body), seg(&l, Role::Body)];
        if dots > 0 {
            segs.push(seg(&format!(" {}", ".".repeat(dots)), Role::Rule));
        }
        segs.push(seg(&format!(" {right}"), Role::Meta));
        self.push(segs, 0);
    }

    fn section(&mut self, s: &Section, node: NodeId, depth: usize) {
        self.blank();
        self.anchor(node);
        let role = match depth {
            0 => Role::Title,
            1 => Role::H1,
            2 => Role::H2,
            _ => Role::H3,
        };
        let mut head = s.heading();
        if let Some(p) = s.page {
            head.push_str(&format!("  p.{p}"));
        }
        if s.editorial {
            // A heading the transcriber supplied: quieter, and said so.
            self.hanging(vec![], &format!("{head}（编者所加标题，原文无）"), Role::Meta, 0);
        } else {
            self.wrapped(&head, role, 0);
        }
        if depth == 0 {
            let inds: Vec<&str> =
                s.industries.iter().filter_map(|i| self.lib.industry(i)).map(|i| i.name.as_str()).collect();
            if !inds.is_empty() {
                self.wrapped(&format!("行业：{}", inds.join("、")), Role::Meta, 0);
            }
            let rule = self.g.h.repeat(self.w.min(width(&s.heading()) + 2).max(1));
            self.push(vec![seg(&rule, Role::Rule)], 0);
        }
        self.blocks(&s.blocks);
        let children = self.lib.nodes.get(node).map(|n| n.children.clone()).unwrap_or_default();
        for (sub, child) in s.sections.iter().zip(children) {
            self.section(sub, child, depth + 1);
        }
    }

    fn blocks(&mut self, blocks: &[Block]) {
        let mut prev: Option<&Block> = None;
        for b in blocks {
            // A run of examples stays together, one or two lines each.
            if !matches!((prev, b), (Some(Block::Example(_)), Block::Example(_))) {
                self.blank();
            }
            self.block(b);
            prev = Some(b);
        }
    }

    fn block_title(&mut self, t: &Option<String>) {
        if let Some(t) = t {
            self.wrapped(t, Role::H3, 0);
        }
    }

    fn block(&mut self, b: &Block) {
        match b {
            Block::Text(t) => {
                self.block_title(&t.title);
                for p in t.text.split('\n').filter(|p| !p.trim().is_empty()) {
                    self.wrapped(p.trim(), Role::Body, 0);
                }
            }
            Block::Insights(b) => {
                self.block_title(&b.title);
                for (i, it) in b.items.iter().enumerate() {
                    let num = format!("{:02} ", i + 1);
                    self.hanging(vec![seg(&num, Role::Number)], &it.headline, Role::Label, 3);
                    if let Some(n) = &it.note {
                        self.wrapped(n, Role::Body, 3);
                    }
                }
            }
            Block::List(l) => {
                self.block_title(&l.title);
                self.bullets(&l.items, 0);
            }
            Block::Table(t) => self.table(t),
            Block::Series(s) => self.series(s),
            Block::Metrics(m) => {
                self.block_title(&m.title);
                self.metrics(&m.items);
            }
            Block::Participants(p) => {
                self.block_title(&p.title);
                for g in &p.groups {
                    let names: Vec<String> = g.companies.iter().map(|c| self.company_name(c)).collect();
                    self.hanging(
                        vec![seg(&format!("{} ", self.g.bullet), Role::Bullet)],
                        &format!("{}（{}）", g.name, names.len()),
                        Role::Label,
                        2,
                    );
                    self.name_flow(&names, 4);
                }
            }
            Block::Case(c) => self.case(c),
            Block::Example(e) => self.example(e),
        }
    }

    fn company_name(&self, id: &str) -> String {
        match self.lib.company(id) {
            Some(c) => match &c.latin {
                Some(l) if !l.is_empty() && l != &c.name => format!("{} {l}", c.name),
                _ => c.name.clone(),
            },
            None => id.to_string(),
        }
    }

    fn bullets(&mut self, items: &[String], indent: usize) {
        for it in items {
            let prefix = vec![seg(&" ".repeat(indent), Role::Body), seg(&format!("{} ", self.g.bullet), Role::Bullet)];
            self.hanging(prefix, it, Role::Body, indent + 2);
        }
    }

    /// Names laid out in rows, two spaces apart, never split across lines.
    fn name_flow(&mut self, names: &[String], indent: usize) {
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

    fn table(&mut self, t: &Table) {
        let with_bars;
        let t = if self.table_bars {
            with_bars = table_with_bars(t, self.g.full == '#');
            &with_bars
        } else {
            t
        };
        let mut head = t.title.clone().unwrap_or_default();
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
        let min_col = 4;
        if avail < n * min_col {
            return self.table_records(t);
        }
        let ws = column_widths(&natural, avail, min_col);
        let v = format!(" {} ", self.g.v);
        let row_lines = |b: &Self, cells: &[String], role: Role| -> Vec<Vec<Seg>> {
            let wrapped: Vec<Vec<String>> = cells
                .iter()
                .zip(&ws)
                .map(|(c, &w)| {
                    let c = text::sanitize(c).replace('\n', " ");
                    if b.compact { vec![truncate(&c, w)] } else { wrap(&c, w) }
                })
                .collect();
            let h = wrapped.iter().map(|l| l.len()).max().unwrap_or(1).max(1);
            (0..h)
                .map(|k| {
                    let mut segs = Vec::new();
                    for (i, lines) in wrapped.iter().enumerate() {
                        if i > 0 {
                            segs.push(seg(&v, Role::Rule));
                        }
                        let cell = lines.get(k).map(String::as_str).unwrap_or("");
                        segs.push(seg(&fit(cell, ws[i]), role));
                    }
                    trim_trailing(&mut segs);
                    segs
                })
                .collect()
        };
        let rule = |b: &Self| -> Vec<Seg> {
            let parts: Vec<String> = ws.iter().map(|&w| b.g.h.repeat(w)).collect();
            let joint = format!("{}{}{}", b.g.h, b.g.cross, b.g.h);
            vec![seg(&parts.join(&joint), Role::Rule)]
        };
        for l in row_lines(self, &t.columns, Role::TableHead) {
            self.push(l, 0);
        }
        self.push(rule(self), 0);
        let rows: Vec<Vec<Vec<Seg>>> = t
            .rows
            .iter()
            .map(|r| row_lines(self, &r.iter().map(|c| c.0.clone()).collect::<Vec<_>>(), Role::Body))
            .collect();
        let tall = rows.iter().any(|r| r.len() > 1);
        for (i, r) in rows.into_iter().enumerate() {
            if tall && i > 0 {
                let faint: Vec<String> = ws.iter().map(|&w| " ".repeat(w)).collect();
                let mut segs = vec![seg(&faint.join(&v), Role::Rule)];
                trim_trailing(&mut segs);
                self.push(segs, 0);
            }
            for l in r {
                self.push(l, 0);
            }
        }
        for note in &t.notes {
            self.wrapped(note, Role::Meta, 0);
        }
    }

    /// A table too wide for its columns: each row as "column：value" lines.
    fn table_records(&mut self, t: &Table) {
        for (i, row) in t.rows.iter().enumerate() {
            if i > 0 {
                self.push(vec![seg(&self.g.h.repeat(self.w.min(8)), Role::Rule)], 0);
            }
            for (c, cell) in t.columns.iter().zip(row) {
                self.hanging(vec![seg(&format!("{c}："), Role::TableHead)], &cell.0, Role::Body, 0);
            }
        }
        for note in &t.notes {
            self.wrapped(note, Role::Meta, 0);
        }
    }

    fn series(&mut self, s: &Series) {
        self.doc.charts.push((self.doc.lines.len(), Arc::new(s.clone())));
        let mut head = s.title.clone().unwrap_or_default();
        if let Some(u) = &s.unit {
            head.push_str(&format!("（单位：{u}）"));
        }
        if !head.is_empty() {
            self.wrapped(&head, Role::H3, 0);
        }
        let unit = s.unit.clone().unwrap_or_default();
        let label_w = s.points.iter().map(|p| width(&p.label)).max().unwrap_or(0).min(self.w / 3).max(1);
        let values: Vec<String> = s.points.iter().map(|p| format!("{}{unit}", fmt_num(p.value))).collect();
        let value_w = values.iter().map(|v| width(v)).max().unwrap_or(0);
        let bar_w = self.w.saturating_sub(label_w + value_w + 3);
        let max = s.points.iter().map(|p| p.value).fold(0.0_f64, f64::max);
        for (p, v) in s.points.iter().zip(&values) {
            let cells = if bar_w >= 4 { bar(p.value, max, bar_w, self.g.full == '#') } else { String::new() };
            let role = if p.is_estimate() { Role::EstimateBar } else { Role::Bar };
            let mut segs = vec![seg(&fit(&p.label, label_w), Role::Label), seg(" ", Role::Body)];
            if !cells.is_empty() {
                segs.push(seg(&cells, role));
                segs.push(seg(" ", Role::Body));
            }
            segs.push(seg(v, Role::Value));
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

    fn metric_value(&self, m: &Metric) -> Vec<Seg> {
        let mut v = Vec::new();
        match m.direction {
            Some(crate::content::Direction::Up) => v.push(seg(&format!("{} ", self.g.up), Role::Up)),
            Some(crate::content::Direction::Down) => v.push(seg(&format!("{} ", self.g.down), Role::Down)),
            None => {}
        }
        v.push(seg(&text::sanitize(&m.value), Role::Value));
        if let Some(u) = &m.unit {
            v.push(seg(&text::sanitize(u), Role::Value));
        }
        v
    }

    /// Metric cards in rows; each card: value, then the label wrapped below.
    fn metrics(&mut self, items: &[Metric]) {
        if items.is_empty() {
            return;
        }
        let need = items
            .iter()
            .map(|m| {
                let vw: usize = self.metric_value(m).iter().map(|s| width(&s.text)).sum();
                vw.max(width(&m.label).min(22))
            })
            .max()
            .unwrap_or(8);
        let mut inner = need.clamp(8, 24).min(self.w.saturating_sub(4));
        // Narrow the cards a little when that fits one more on each row.
        let fit_narrow = ((self.w + 1) / (14 + 5)).min(items.len()).max(1);
        if items.len() > 1 && fit_narrow > (self.w + 1) / (inner + 5) {
            inner = inner.min(((self.w + 1) / fit_narrow).saturating_sub(5));
        }
        if inner < 4 {
            // Too narrow for cards: one line per metric.
            for m in items {
                let mut segs = self.metric_value(m);
                segs.push(seg(" ", Role::Body));
                self.push(segs, 0);
                self.wrapped(&m.label, Role::Body, 0);
            }
            return;
        }
        let card_w = inner + 4;
        let per_row = ((self.w + 1) / (card_w + 1)).max(1);
        for row in items.chunks(per_row) {
            let cards: Vec<Vec<Vec<Seg>>> = row
                .iter()
                .map(|m| {
                    let mut lines = vec![self.metric_value(m)];
                    for l in wrap(&text::sanitize(&m.label), inner) {
                        lines.push(vec![seg(&l, Role::Body)]);
                    }
                    if let Some(n) = &m.note {
                        for l in wrap(&text::sanitize(n), inner) {
                            lines.push(vec![seg(&l, Role::Meta)]);
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
            self.push(top, 0);
            for k in 0..h {
                let mut segs = Vec::new();
                for (i, c) in cards.iter().enumerate() {
                    if i > 0 {
                        segs.push(seg(" ", Role::Body));
                    }
                    segs.push(seg(&format!("{} ", self.g.v), Role::Rule));
                    let content = c.get(k).cloned().unwrap_or_default();
                    let cw: usize = content.iter().map(|s| width(&s.text)).sum();
                    if cw > inner {
                        let joined: String = content.iter().map(|s| s.text.as_str()).collect();
                        segs.push(seg(&fit(&joined, inner), content.first().map(|s| s.role).unwrap_or(Role::Body)));
                    } else {
                        segs.extend(content);
                        segs.push(seg(&" ".repeat(inner - cw), Role::Body));
                    }
                    segs.push(seg(&format!(" {}", self.g.v), Role::Rule));
                }
                self.push(segs, 0);
            }
            self.push(bottom, 0);
        }
    }

    fn case(&mut self, c: &Case) {
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
        if !meta.is_empty() {
            self.wrapped(&meta.join("  "), Role::Meta, 2);
        }
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
            let (w, start) = (self.w, self.doc.lines.len());
            self.w = w.saturating_sub(2).max(1);
            self.metrics(&c.results);
            self.w = w;
            for l in &mut self.doc.lines[start..] {
                l.segs.insert(0, seg("  ", Role::Body));
            }
        }
    }

    /// A one-line example: who did what, and its results on one more line,
    /// indented under the paragraph it illustrates.
    fn example(&mut self, e: &Example) {
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

/// Column widths that fit `avail`: every column keeps up to `min_col` (or its
/// natural width if smaller), and the rest of the room goes to the columns
/// in proportion to how much more they need.
pub fn column_widths(natural: &[usize], avail: usize, min_col: usize) -> Vec<usize> {
    let total: usize = natural.iter().sum();
    if total <= avail {
        return natural.to_vec();
    }
    let base: Vec<usize> = natural.iter().map(|&n| n.min(min_col)).collect();
    let room = avail.saturating_sub(base.iter().sum());
    let want: Vec<usize> = natural.iter().zip(&base).map(|(n, b)| n - b).collect();
    let want_total: usize = want.iter().sum::<usize>().max(1);
    let mut ws: Vec<usize> = base.iter().zip(&want).map(|(b, w)| b + w * room / want_total).collect();
    // Hand out what rounding left over, to the neediest columns first.
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

fn seg(t: &str, role: Role) -> Seg {
    Seg { text: t.to_string(), role }
}

fn trim_trailing(segs: &mut Vec<Seg>) {
    while let Some(last) = segs.last_mut() {
        let t = last.text.trim_end().to_string();
        if t.is_empty() {
            segs.pop();
        } else {
            last.text = t;
            break;
        }
    }
}

/// The value of a table cell that is a number with at most a short unit
/// ("24.5亿元" → 24.5, "1,520" → 1520, "17.5%" → 17.5); not dates such as
/// 2024.05, 2023-10-30 or 2024年5月.
pub fn cell_number(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', "");
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, rest) = t.split_at(end);
    let date = num.len() >= 6
        && num.as_bytes()[4] == b'.'
        && num.get(..4).is_some_and(|h| h.chars().all(|c| c.is_ascii_digit()));
    let unit_ok = rest.chars().count() <= 4
        && !rest.chars().any(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '年' | '月' | '日' | '(' | '（'));
    if num.is_empty() || date || !unit_ok {
        return None;
    }
    num.parse().ok()
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

/// A number as the sources print it: no trailing zeros, thousands kept plain.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}
