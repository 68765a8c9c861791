//! Taking things out: citations, and a place of the outline as Markdown,
//! JSON or CSV (`yanbao export`), and single blocks as plain text (the
//! explorer's `y`). Pure and terminal-free, like `content`.

use crate::content::{Block, Case, Example, Library, Metric, NodeId, Report, Section, Series, Table};
use serde::Serialize;
use std::fmt::Write as _;

/// Where a citation points: the report's facts and the place inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cite {
    pub title: String,
    pub publisher: String,
    pub date: String,
    /// The place below the report, chapter first (tree titles, with numbers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub place: Vec<String>,
    /// The page the content gives for the place itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// The content gives no page for the place; this is the page its
    /// nearest ancestor with one starts on (the place is on it or after it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_page: Option<u32>,
}

impl Cite {
    /// `——《书名》，出版方，日期，章 › 节，p.47`: the page only where the content
    /// has one; `p.47起` where only an enclosing section's first page is known.
    pub fn line(&self) -> String {
        let mut s = format!("——《{}》，{}，{}", self.title, self.publisher, self.date);
        if !self.place.is_empty() {
            s.push('，');
            s.push_str(&self.place.join(" › "));
        }
        if let Some(p) = self.page {
            let _ = write!(s, "，p.{p}");
        } else if let Some(p) = self.from_page {
            let _ = write!(s, "，p.{p}起");
        }
        s
    }
}

/// The citation of a place (a report, chapter or section node).
pub fn cite(lib: &Library, node: NodeId) -> Option<Cite> {
    let r = lib.report_of(node)?;
    let below: Vec<NodeId> = lib.ancestry(node).into_iter().filter(|&n| lib.section(n).is_some()).collect();
    let place = below.iter().map(|&n| lib.tree_title(n)).collect();
    let page = lib.section(node).and_then(|s| s.page);
    let from_page =
        if page.is_some() { None } else { below.iter().rev().find_map(|&n| lib.section(n).and_then(|s| s.page)) };
    Some(Cite { title: r.title.clone(), publisher: r.publisher.clone(), date: r.date.clone(), place, page, from_page })
}

/// The citation line of a place; empty for a node that is not in the library.
pub fn citation(lib: &Library, node: NodeId) -> String {
    cite(lib, node).map(|c| c.line()).unwrap_or_default()
}

// ---------------------------------------------------------------- targets

/// A target that names no place, with the closest names there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTarget {
    pub target: String,
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for UnknownTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no report, chapter or section `{}`", self.target)?;
        if !self.suggestions.is_empty() {
            write!(f, "; did you mean {}?", self.suggestions.join(", "))?;
        }
        Ok(())
    }
}

/// Every name `resolve` takes: report ids, chapter and section ids, and
/// `REPORT:NUMBER` for each numbered chapter or section.
pub fn target_names(lib: &Library) -> Vec<String> {
    let mut out = Vec::new();
    for n in 0..lib.nodes.len() {
        match lib.section(n) {
            None => {
                if let Some(r) = lib.report_of(n) {
                    out.push(r.id.clone());
                }
            }
            Some(s) => {
                out.push(s.id.clone());
                if let (Some(num), Some(r)) = (s.number.as_deref().filter(|x| !x.is_empty()), lib.report_of(n)) {
                    out.push(format!("{}:{num}", r.id));
                }
            }
        }
    }
    out
}

/// The place a target names: a report id (`fs`), a chapter or section id
/// (`fs-3-1`), or a number within a report (`fs:3.1`, `ccid:三`).
pub fn resolve(lib: &Library, target: &str) -> Result<NodeId, UnknownTarget> {
    let t = target.trim();
    if let Some(n) = lib.node_by_id(t) {
        return Ok(n);
    }
    if let Some((rep, num)) = t.split_once(':') {
        let found = (0..lib.nodes.len()).find(|&n| {
            lib.report_of(n).is_some_and(|r| r.id == rep.trim())
                && lib.section(n).and_then(|s| s.number.as_deref()).is_some_and(|x| x == num.trim())
        });
        if let Some(n) = found {
            return Ok(n);
        }
    }
    Err(UnknownTarget { target: target.to_string(), suggestions: closest(&target_names(lib), t, 3) })
}

/// The `k` names closest to `t` by edit distance (ties: shorter first, then
/// in order), ignoring case.
fn closest(names: &[String], t: &str, k: usize) -> Vec<String> {
    let t = t.to_lowercase();
    let mut scored: Vec<(usize, usize, usize, &String)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (strsim::levenshtein(&n.to_lowercase(), &t), n.chars().count(), i, n))
        .collect();
    scored.sort();
    let mut out: Vec<String> = Vec::new();
    for (_, _, _, n) in scored {
        if !out.contains(n) {
            out.push(n.clone());
        }
        if out.len() == k {
            break;
        }
    }
    out
}

// ---------------------------------------------------------------- Markdown

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
/// the place with everything under it.
pub fn markdown(lib: &Library, node: NodeId) -> String {
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
        let front = Front { cite: &c, id, citation: c.line() };
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

struct Md<'a> {
    lib: &'a Library,
    out: String,
}

/// A line of text for Markdown: no line breaks inside it.
fn one_line(s: &str) -> String {
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

    fn case_fields(&mut self, c: &Case) {
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

// ---------------------------------------------------------------- plain text (copy)

/// One block as plain text for the clipboard, and what it is for the status
/// line (`表格 18 行`): a table as TSV, a chart's values as
/// `label<TAB>value unit`, metrics as `label<TAB>value`.
pub fn block_plain(lib: &Library, b: &Block) -> (String, String) {
    let tsv = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let mut out = String::new();
    let what = match b {
        Block::Text(t) => {
            if let Some(h) = &t.title {
                let _ = writeln!(out, "{}", one_line(h));
            }
            let _ = writeln!(out, "{}", t.text.trim());
            format!("段落 {} 字", t.text.trim().chars().count())
        }
        Block::Table(t) => {
            if let Some(h) = &t.title {
                let _ = writeln!(out, "{}", one_line(h));
            }
            if let Some(u) = &t.unit {
                let _ = writeln!(out, "单位：{}", one_line(u));
            }
            let _ = writeln!(out, "{}", t.columns.iter().map(|c| tsv(c)).collect::<Vec<_>>().join("\t"));
            for row in &t.rows {
                let _ = writeln!(out, "{}", row.iter().map(|c| tsv(&c.0)).collect::<Vec<_>>().join("\t"));
            }
            for n in &t.notes {
                let _ = writeln!(out, "{}", one_line(n));
            }
            format!("表格 {} 行", t.rows.len())
        }
        Block::Series(s) => {
            if let Some(h) = &s.title {
                let _ = writeln!(out, "{}", one_line(h));
            }
            let unit = s.unit.as_deref().unwrap_or("");
            for p in &s.points {
                let v = crate::fmt::fmt_num(p.value);
                let _ = writeln!(out, "{}\t{}", tsv(&point_label(p)), format!("{v} {unit}").trim_end());
            }
            if s.points.iter().any(|p| p.is_estimate()) {
                let _ = writeln!(out, "E：预测值");
            }
            if let Some(n) = &s.note {
                let _ = writeln!(out, "{}", one_line(n));
            }
            format!("图表 {} 个数值", s.points.len())
        }
        Block::Metrics(m) => {
            if let Some(h) = &m.title {
                let _ = writeln!(out, "{}", one_line(h));
            }
            for it in &m.items {
                let _ = write!(out, "{}\t{}", tsv(&it.label), metric_value(it));
                if let Some(n) = &it.note {
                    let _ = write!(out, "（{}）", one_line(n));
                }
                out.push('\n');
            }
            format!("指标卡 {} 项", m.items.len())
        }
        Block::Case(c) => {
            let _ = writeln!(out, "案例：{}", one_line(&c.title));
            let mut md = Md { lib, out: String::new() };
            md.case_fields(c);
            out.push_str(md.out.trim_end());
            out.push('\n');
            format!("案例 {}", one_line(&c.title))
        }
        _ => {
            // Lists, insights, maps, examples: their Markdown reads as text.
            out = block_markdown(lib, b, 4);
            block_label(b).to_string()
        }
    };
    (out, what)
}

// ---------------------------------------------------------------- JSON and CSV

/// The content model of a place, with its citation.
pub fn json(lib: &Library, node: NodeId) -> serde_json::Value {
    let citation = citation(lib, node);
    let c = cite(lib, node);
    match lib.section(node) {
        Some(s) => serde_json::json!({
            "citation": citation,
            "cite": c,
            "report": lib.report_of(node).map(|r| &r.id),
            "section": s,
        }),
        None => serde_json::json!({
            "citation": citation,
            "cite": c,
            "report": lib.report_of(node),
        }),
    }
}

/// The tables of a place and everything under it, in reading order, with
/// the id of the section (or report) each is in.
pub fn tables(lib: &Library, node: NodeId) -> Vec<(String, &Table)> {
    fn walk<'a>(s: &'a Section, out: &mut Vec<(String, &'a Table)>) {
        for b in &s.blocks {
            if let Block::Table(t) = b {
                out.push((s.id.clone(), t));
            }
        }
        s.sections.iter().for_each(|x| walk(x, out));
    }
    let mut out = Vec::new();
    match lib.section(node) {
        Some(s) => walk(s, &mut out),
        None => {
            if let Some(r) = lib.report_of(node) {
                for b in &r.abstract_blocks {
                    if let Block::Table(t) = b {
                        out.push((r.id.clone(), t));
                    }
                }
                r.chapters.iter().for_each(|x| walk(x, &mut out));
            }
        }
    }
    out
}

/// A table as CSV (RFC 4180): the header row, then the rows; fields with a
/// comma, a quote or a line break are quoted.
pub fn csv(t: &Table) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>| cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(",") + "\n";
    out.push_str(&line(t.columns.clone()));
    for row in &t.rows {
        out.push_str(&line(row.iter().map(|c| c.0.clone()).collect()));
    }
    out
}

/// A file name from a section id and a table title: characters that file
/// systems or shells mind become `_`, at most 80 characters, `.csv` added.
/// `n` (1-based) numbers an untitled table.
pub fn csv_file_name(section: &str, title: Option<&str>, n: usize) -> String {
    let title = title.map(one_line).filter(|t| !t.is_empty()).unwrap_or_else(|| format!("table{n}"));
    let raw = format!("{section}_{title}");
    let mut name: String = raw
        .chars()
        .map(|c| if c.is_control() || c.is_whitespace() || "/\\:*?\"<>|'`$&;#%{}[]!".contains(c) { '_' } else { c })
        .take(80)
        .collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let name = name.trim_matches(|c| c == '_' || c == '.').to_string();
    let name = if name.is_empty() { format!("table{n}") } else { name };
    format!("{name}.csv")
}

/// The CSV files of a place: (file name, text), names made unique.
pub fn csv_files(lib: &Library, node: NodeId) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (i, (sec, t)) in tables(lib, node).into_iter().enumerate() {
        let mut name = csv_file_name(&sec, t.title.as_deref(), i + 1);
        let stem = name.trim_end_matches(".csv").to_string();
        let mut k = 2;
        while out.iter().any(|(n, _)| *n == name) {
            name = format!("{stem}-{k}.csv");
            k += 1;
        }
        out.push((name, csv(t)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_tame() {
        assert_eq!(csv_file_name("fs-3-1", Some("市场/规模: 2024 | E"), 1), "fs-3-1_市场_规模_2024_E.csv");
        assert_eq!(csv_file_name("fs-3-1", None, 4), "fs-3-1_table4.csv");
        assert_eq!(csv_file_name("..", Some("../../etc"), 1), "etc.csv");
        let long = "长".repeat(200);
        assert_eq!(csv_file_name("x", Some(&long), 1).chars().count(), 84);
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let t = Table {
            title: None,
            industries: vec![],
            unit: None,
            columns: vec!["a,b".into(), "c".into()],
            rows: vec![vec![crate::content::Cell("say \"hi\"".into()), crate::content::Cell("x\ny".into())]],
            notes: vec![],
        };
        assert_eq!(csv(&t), "\"a,b\",c\n\"say \"\"hi\"\"\",\"x\ny\"\n");
    }

    #[test]
    fn cells_escape_pipes() {
        assert_eq!(md_cell("a|b\\c\nd"), "a\\|b\\\\c<br>d");
    }
}
