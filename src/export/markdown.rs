//! A place of the outline, or one block, as Markdown.

use super::{Cite, cite};
use crate::content::{Block, Case, Example, Library, Metric, NodeId, Report, Section, Series, Table};
use serde::Serialize;
use std::fmt::Write as _;

/// What a block is called in status lines and labels.
pub fn block_label(b: &Block) -> &'static str {
    match b {
        Block::Text(_) => "段落",
        Block::Insights(_) => "洞察",
        Block::Table(_) => "表格",
        Block::Series(_) => "图表",
        Block::Metrics(_) => "指标",
        Block::Participants(_) => "参与者图谱",
        Block::Case(_) => "案例",
        Block::Example(_) => "示例",
        Block::List(_) => "列表",
    }
}

/// A place as a Markdown document: the citation as YAML front matter, then
/// the place with everything under it. The `citation` line is in `style`.
pub fn markdown(lib: &Library, node: NodeId, style: super::CitationStyle) -> String {
    let mut out = String::new();
    if let Some(c) = cite(lib, node) {
        #[derive(Serialize)]
        struct Front<'a> {
            #[serde(flatten)]
            cite: &'a Cite,
            #[serde(skip_serializing_if = "Option::is_none")]
            id: Option<&'a str>,
            citation: String,
        }
        let id = lib.section(node).map(|s| s.id.as_str()).or_else(|| lib.report_of(node).map(|r| r.id.as_str()));
        let front = Front { cite: &c, id, citation: c.styled(style) };
        out.push_str("---\n");
        out.push_str(&serde_yaml::to_string(&front).unwrap_or_default());
        out.push_str("---\n\n");
    }
    out.push_str(&markdown_body(lib, node));
    out
}

/// A place as Markdown without front matter (the explorer's `Y`).
pub fn markdown_body(lib: &Library, node: NodeId) -> String {
    let mut md = Md { lib, out: String::new() };
    match lib.section(node) {
        Some(s) => md.section(s, 1),
        None => {
            if let Some(r) = lib.report_of(node) {
                md.report(r);
            }
        }
    }
    let mut out = md.out;
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// One block as Markdown.
pub fn block_markdown(lib: &Library, b: &Block, level: usize) -> String {
    let mut md = Md { lib, out: String::new() };
    md.block(b, level);
    md.out.trim_end().to_string() + "\n"
}

pub(super) struct Md<'a> {
    pub(super) lib: &'a Library,
    pub(super) out: String,
}

/// A line of text for Markdown: no line breaks inside it.
pub(super) fn one_line(s: &str) -> String {
    s.split(['\n', '\r']).map(str::trim).filter(|x| !x.is_empty()).collect::<Vec<_>>().join(" ")
}

/// A pipe-table cell: `|` escaped, line breaks as `<br>`.
pub fn md_cell(s: &str) -> String {
    let s = s.replace('\\', "\\\\").replace('|', "\\|");
    s.split(['\n', '\r']).filter(|x| !x.is_empty()).collect::<Vec<_>>().join("<br>")
}

fn pipe_row(cells: impl IntoIterator<Item = String>) -> String {
    let mut s = String::from("|");
    for c in cells {
        s.push(' ');
        s.push_str(&c);
        s.push_str(" |");
    }
    s
}

/// A chart point's label with its estimate mark: `2028E`, `金融（E）`.
pub fn point_label(p: &crate::content::Point) -> String {
    let l = p.label.trim_end();
    if !p.is_estimate() || l.ends_with('E') {
        l.to_string()
    } else if l.ends_with(|c: char| c.is_ascii_digit()) {
        format!("{l}E")
    } else {
        format!("{l}（E）")
    }
}

/// A metric's value with its unit and direction: `99.7% ↑`.
pub fn metric_value(m: &Metric) -> String {
    let mut v = m.value.trim().to_string();
    if let Some(u) = &m.unit {
        v.push_str(u);
    }
    match m.direction {
        Some(crate::content::Direction::Up) => v.push_str(" ↑"),
        Some(crate::content::Direction::Down) => v.push_str(" ↓"),
        None => {}
    }
    v
}

fn metric_line(m: &Metric) -> String {
    let mut s = format!("{}：{}", one_line(&m.label), metric_value(m));
    if let Some(n) = &m.note {
        let _ = write!(s, "（{}）", one_line(n));
    }
    s
}

impl Md<'_> {
    fn para(&mut self, s: &str) {
        let s = s.trim();
        if !s.is_empty() {
            self.out.push_str(s);
            self.out.push_str("\n\n");
        }
    }

    fn heading(&mut self, level: usize, text: &str, id: Option<&str>) {
        let hashes = "#".repeat(level.clamp(1, 6));
        let _ = write!(self.out, "{hashes} {}", one_line(text));
        if let Some(id) = id {
            let _ = write!(self.out, " {{#{id}}}");
        }
        self.out.push_str("\n\n");
    }

    fn company(&self, id: &str) -> String {
        self.lib.company(id).map(|c| c.name.clone()).unwrap_or_else(|| id.to_string())
    }

    fn companies(&self, ids: &[String]) -> String {
        ids.iter().map(|c| self.company(c)).collect::<Vec<_>>().join("、")
    }

    fn industries(&self, ids: &[String]) -> String {
        ids.iter()
            .map(|i| self.lib.industry(i).map(|x| x.name.clone()).unwrap_or_else(|| i.clone()))
            .collect::<Vec<_>>()
            .join("、")
    }

    fn report(&mut self, r: &Report) {
        self.heading(1, &r.title, Some(&r.id));
        self.para(&format!("{} · {}", r.publisher, r.date));
        for b in &r.abstract_blocks {
            self.block(b, 2);
        }
        if !r.toc.is_empty() {
            self.heading(2, "目录", None);
            for t in &r.toc {
                let mut line = match &t.number {
                    Some(n) => format!("{n} {}", one_line(&t.title)),
                    None => one_line(&t.title),
                };
                if let Some(p) = t.page {
                    let _ = write!(line, " …… 第 {p} 页");
                }
                let indent = if t.number.as_deref().is_some_and(|n| n.contains('.')) { "  " } else { "" };
                let _ = writeln!(self.out, "{indent}- {line}");
            }
            self.out.push('\n');
        }
        self.para(&format!("来源：{}", one_line(&r.source)));
        for ch in &r.chapters {
            self.section(ch, 2);
        }
    }

    fn section(&mut self, s: &Section, level: usize) {
        let mut head = s.heading();
        // Not "p.47": a figure after a dot is no figure to check-figures.
        if let Some(p) = s.page {
            let _ = write!(head, "（第 {p} 页）");
        }
        if s.editorial {
            head.push_str("（编者所加标题，原文无）");
        }
        self.heading(level, &head, Some(&s.id));
        for b in &s.blocks {
            self.block(b, level + 1);
        }
        for sub in &s.sections {
            self.section(sub, level + 1);
        }
    }

    fn title(&mut self, t: Option<&str>, unit: Option<&str>) {
        let mut head = t.map(one_line).unwrap_or_default();
        if let Some(u) = unit {
            let _ = write!(head, "（单位：{}）", one_line(u));
        }
        if !head.is_empty() {
            self.para(&format!("**{head}**"));
        }
    }

    fn block(&mut self, b: &Block, level: usize) {
        match b {
            Block::Text(t) => {
                self.title(t.title.as_deref(), None);
                self.para(&t.text);
            }
            Block::Insights(x) => {
                self.title(x.title.as_deref(), None);
                for (i, it) in x.items.iter().enumerate() {
                    let _ = write!(self.out, "{}. **{}**", i + 1, one_line(&it.headline));
                    if let Some(n) = &it.note {
                        let _ = write!(self.out, "：{}", one_line(n));
                    }
                    self.out.push('\n');
                }
                self.out.push('\n');
            }
            Block::Table(t) => self.table(t),
            Block::Series(s) => self.series(s),
            Block::Metrics(m) => {
                self.title(m.title.as_deref(), None);
                for it in &m.items {
                    let _ = writeln!(self.out, "- {}", metric_line(it));
                }
                self.out.push('\n');
            }
            Block::Participants(p) => {
                self.title(p.title.as_deref(), None);
                for g in &p.groups {
                    let _ = writeln!(self.out, "- {}：{}", one_line(&g.name), self.companies(&g.companies));
                }
                self.out.push('\n');
                if let Some(n) = &p.note {
                    self.para(&format!("> {}", one_line(n)));
                }
            }
            Block::Case(c) => self.case(c, level),
            Block::Example(e) => self.example(e),
            Block::List(l) => {
                self.title(l.title.as_deref(), None);
                for it in &l.items {
                    let _ = writeln!(self.out, "- {}", one_line(it));
                }
                self.out.push('\n');
            }
        }
    }

    fn table(&mut self, t: &Table) {
        self.title(t.title.as_deref(), t.unit.as_deref());
        let n = t.columns.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
        let head = (0..n).map(|i| t.columns.get(i).map(|c| md_cell(c)).unwrap_or_default());
        self.out.push_str(&pipe_row(head));
        self.out.push('\n');
        self.out.push_str(&pipe_row((0..n).map(|_| "---".to_string())));
        self.out.push('\n');
        for row in &t.rows {
            self.out.push_str(&pipe_row((0..n).map(|i| row.get(i).map(|c| md_cell(&c.0)).unwrap_or_default())));
            self.out.push('\n');
        }
        self.out.push('\n');
        for note in &t.notes {
            self.para(&format!("> {}", one_line(note)));
        }
    }

    fn series(&mut self, s: &Series) {
        self.title(s.title.as_deref(), s.unit.as_deref());
        let value_head = match &s.unit {
            Some(u) => format!("数值（{}）", md_cell(u)),
            None => "数值".to_string(),
        };
        self.out.push_str(&pipe_row(["项目".to_string(), value_head]));
        self.out.push_str("\n| --- | ---: |\n");
        for p in &s.points {
            let v = crate::fmt::fmt_num(p.value);
            self.out.push_str(&pipe_row([md_cell(&point_label(p)), v]));
            self.out.push('\n');
        }
        self.out.push('\n');
        if s.points.iter().any(|p| p.is_estimate()) {
            self.para("E：预测值");
        }
        if let Some(n) = &s.note {
            self.para(&format!("> {}", one_line(n)));
        }
    }

    fn case(&mut self, c: &Case, level: usize) {
        self.heading(level, &format!("案例：{}", c.title), Some(&c.id));
        self.case_fields(c);
    }

    pub(super) fn case_fields(&mut self, c: &Case) {
        if !c.companies.is_empty() {
            let _ = writeln!(self.out, "- 企业：{}", self.companies(&c.companies));
        }
        let inds: Vec<String> =
            c.industry.iter().chain(c.industries.iter().filter(|i| Some(*i) != c.industry.as_ref())).cloned().collect();
        if !inds.is_empty() {
            let _ = writeln!(self.out, "- 行业：{}", self.industries(&inds));
        }
        if !c.locations.is_empty() {
            let _ = writeln!(self.out, "- 地点：{}", c.locations.join("、"));
        }
        if let Some(b) = &c.background {
            let _ = writeln!(self.out, "- 背景：{}", one_line(b));
        }
        for (name, items) in [("痛点", &c.pain_points), ("方案", &c.solution)] {
            if !items.is_empty() {
                let _ = writeln!(self.out, "- {name}：");
                for it in items {
                    let _ = writeln!(self.out, "  - {}", one_line(it));
                }
            }
        }
        if !c.results.is_empty() {
            let _ = writeln!(self.out, "- 成效：");
            for m in &c.results {
                let _ = writeln!(self.out, "  - {}", metric_line(m));
            }
        }
        self.out.push('\n');
    }

    fn example(&mut self, e: &Example) {
        let mut head = String::from("示例");
        if let Some(t) = &e.title {
            let _ = write!(head, "：{}", one_line(t));
        }
        let mut s = format!("- **{head}**");
        if !e.companies.is_empty() {
            let _ = write!(s, "（{}", self.companies(&e.companies));
            if !e.locations.is_empty() {
                let _ = write!(s, "，{}", e.locations.join("、"));
            }
            s.push('）');
        } else if !e.locations.is_empty() {
            let _ = write!(s, "（{}）", e.locations.join("、"));
        }
        let _ = write!(s, "：{}", one_line(&e.text));
        if let Some(id) = &e.id {
            let _ = write!(s, " <!-- {id} -->");
        }
        self.out.push_str(&s);
        self.out.push('\n');
        for m in &e.results {
            let _ = writeln!(self.out, "  - {}", metric_line(m));
        }
        self.out.push('\n');
    }
}
