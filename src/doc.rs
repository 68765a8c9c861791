//! Document layout: a place in the outline, laid out as styled lines for a
//! given width. Pure and terminal-free; the renderer maps roles to styles.
//! Chinese text is wrapped here (never by the renderer), so punctuation rules
//! and display widths hold on every line.

use crate::content::{Block, Case, Example, Library, Metric, NodeId, Section, Series, Table};
use crate::text::{self, fit, truncate, width, wrap};
use std::collections::HashMap;
use std::sync::Arc;

/// A box's text on one line: (box key, column, text, text cut off behind a `…`).
type Piece = (usize, usize, String, String);

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
    /// The line is a row of boxes (table cells, metric cards) side by side:
    /// find reads its text box by box, from `Doc::boxes`, not line by line.
    pub boxed: bool,
    /// Where the line's text comes from, the same at any width: the
    /// reading position is kept through a resize by this.
    pub at: Pos,
}

/// A place in a page that does not depend on the layout: the item (a
/// heading or a block, counted in page order), the unit inside it (a
/// paragraph, a table row, a row of cards, a single line) and the offset in
/// the unit (the first character of a paragraph's line, or a row's line).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    pub item: u32,
    pub unit: u32,
    pub off: u32,
}

/// The text of one box (a table cell, a card's value or label) as laid
/// out over several lines: each piece is one line's part of it, at a column.
/// `hidden` is the text cut off behind a `…` (compact tables), drawn at the
/// column after the last piece.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoxText {
    pub pieces: Vec<BoxPiece>,
    pub hidden: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxPiece {
    pub line: usize,
    pub col: usize,
    pub text: String,
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
    /// The boxes of the boxed lines, in reading order.
    pub boxes: Vec<BoxText>,
    /// (header lines and rule, end of the body) of each table drawn as a
    /// grid: the header stays on top while the body scrolls under it.
    pub table_heads: Vec<(std::ops::Range<usize>, usize)>,
    /// Each heading and block of the page, in reading order, with its
    /// first line: what `y` copies.
    pub items: Vec<DocItem>,
}

/// A heading or a block of a page, and where it comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocItem {
    /// Its first line.
    pub line: usize,
    /// The section (or report) it belongs to; `None` for a heading of the
    /// page's own (目录, 图表与指标).
    pub node: Option<NodeId>,
    /// The block's index in its section's blocks (a report's: in its
    /// abstract); `None` for a heading.
    pub block: Option<usize>,
}

impl Doc {
    /// The section whose heading is the last one at or above `line`.
    pub fn node_at(&self, line: usize) -> Option<NodeId> {
        let i = self.anchors.partition_point(|a| a.0 <= line);
        self.anchors.get(i.checked_sub(1)?).map(|a| a.1)
    }

    /// The line that shows a place: the line of its unit holding its offset;
    /// else the first line of the unit or item after it (the unit changed
    /// form, e.g. a table shown as records); else the last line.
    pub fn line_at(&self, at: Pos) -> usize {
        let same_unit = |l: &DocLine| l.at.item == at.item && l.at.unit == at.unit;
        if let Some(i) = self.lines.iter().rposition(|l| same_unit(l) && l.at.off <= at.off) {
            return i;
        }
        self.lines.iter().position(|l| l.at >= at).unwrap_or(self.lines.len().saturating_sub(1))
    }

    /// The header of the table whose body is at `line` (below its header)
    /// and goes on for the header's height, if any: the header stays in
    /// view over it.
    pub fn sticky_head(&self, line: usize) -> Option<std::ops::Range<usize>> {
        // Only over body rows: never over what follows the table.
        self.table_heads.iter().find(|(h, end)| h.end <= line && line + h.len() < *end).map(|(h, _)| h.clone())
    }

    /// The index in `items` of the item that `line` is in (the last one
    /// starting at or above it).
    pub fn item_index_at(&self, line: usize) -> Option<usize> {
        self.items.partition_point(|it| it.line <= line).checked_sub(1)
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
    /// Separators in running meta text ("出版方 · 日期", "— 来源").
    dot: &'static str,
    dash: &'static str,
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
    dot: "·",
    dash: "—",
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

/// Lay out a page.
pub fn build_page(lib: &Library, page: Page, opts: LayoutOpts) -> Doc {
    match page {
        Page::Node(n) => build(lib, n, opts),
        Page::Industry(i) => build_industry(lib, i, opts),
    }
}

/// The page of an industry: its own figures first (market size, then
/// penetration, then the other figures tagged with it), then the sections
/// about it alone in their parts (the F&S industry chapter, the CCID AI+
/// section), then the blocks about it from other sections, then the sections
/// about several industries that name it. No figure is shown twice.
pub fn build_industry(lib: &Library, industry: usize, opts: LayoutOpts) -> Doc {
    let mut b = Builder::new(lib, opts);
    let Some(ind) = lib.industries.get(industry) else { return b.doc };
    let id = ind.id.as_str();
    let plan = lib.industry_plan(id);
    let st = lib.industry_stats(id);
    b.wrapped(&format!("行业：{} {}", ind.name, ind.english.clone().unwrap_or_default()), Role::Title, 0);
    b.wrapped(
        &format!(
            "{} 个章节 {} {} 个案例 {} {} 个示例 {} {} 个图表与指标",
            st.sections, b.g.dot, st.cases, b.g.dot, st.examples, b.g.dot, st.figures
        ),
        Role::Meta,
        0,
    );
    if !ind.aliases.is_empty() {
        b.wrapped(&format!("别名：{}", ind.aliases.join("、")), Role::Meta, 0);
    }
    let block_at = |n: NodeId, i: usize| lib.section(n).and_then(|s| s.blocks.get(i));
    // The lead: the figures tagged with the industry in other sections, and
    // the market size and penetration figures of its own sections.
    let mut lead: Vec<(u8, NodeId, usize, &Block)> = Vec::new();
    for &(n, i) in &plan.blocks {
        if let Some(blk) = block_at(n, i).filter(|x| is_figure(x)) {
            lead.push((figure_rank(blk), n, i, blk));
        }
    }
    fn own_figures<'a>(lib: &'a Library, n: NodeId, id: &str, out: &mut Vec<(u8, NodeId, usize, &'a Block)>) {
        if let Some(s) = lib.section(n) {
            for (i, blk) in s.blocks.iter().enumerate() {
                if is_figure(blk) && blk.is_about(id, true) && figure_rank(blk) < 2 {
                    out.push((figure_rank(blk), n, i, blk));
                }
            }
            for &c in &lib.nodes[n].children {
                own_figures(lib, c, id, out);
            }
        }
    }
    for &r in &plan.sections {
        own_figures(lib, r, id, &mut lead);
    }
    lead.sort_by_key(|&(rank, n, i, _)| (rank, n, i));
    if !lead.is_empty() {
        b.heading("图表与指标", Role::H1);
        let mut last = None;
        for &(_, n, i, blk) in &lead {
            if last != Some(n) {
                b.blank();
                b.wrapped(&format!("{} {}", b.g.dash, short_location(lib, n)), Role::Meta, 0);
                last = Some(n);
            }
            b.blank();
            b.src = (Some(n), Some(i));
            b.block(blk);
            b.shown.push(blk as *const Block as usize);
        }
    }
    for &r in &plan.sections {
        if let Some(s) = lib.section(r) {
            b.blank();
            b.wrapped(&lib.report_of(r).map(|x| x.title.clone()).unwrap_or_default(), Role::Meta, 0);
            b.section(s, r, 1);
        }
    }
    let rest: Vec<(NodeId, usize, &Block)> = plan
        .blocks
        .iter()
        .filter_map(|&(n, i)| block_at(n, i).map(|blk| (n, i, blk)))
        .filter(|(_, _, blk)| !b.shown.contains(&(*blk as *const Block as usize)))
        .collect();
    if !rest.is_empty() {
        b.heading("其他章节中的相关内容", Role::H1);
        let mut i = 0;
        while i < rest.len() {
            let n = rest[i].0;
            let run: Vec<(NodeId, usize, &Block)> = rest[i..].iter().take_while(|x| x.0 == n).copied().collect();
            i += run.len();
            b.blank();
            b.anchor(n);
            b.wrapped(&format!("{} {}", b.g.dash, short_location(lib, n)), Role::Meta, 0);
            b.block_run(run.into_iter());
        }
    }
    if !plan.see_also.is_empty() {
        b.heading("另见：涉及多个行业的章节", Role::H1);
        for &n in &plan.see_also {
            let inds: Vec<&str> = lib
                .section(n)
                .map(|s| s.industries.iter().filter_map(|i| lib.industry(i)).map(|i| i.name.as_str()).collect())
                .unwrap_or_default();
            let prefix = vec![seg(&format!("{} ", b.g.bullet), Role::Bullet)];
            b.hanging(prefix, &format!("{}（{}）", short_location(lib, n), inds.join("、")), Role::Meta, 2);
        }
    }
    b.finish()
}

/// Where a section is, short: "2.3 人工智能行业应用层分析 › 大模型潜力市场"
/// (no report; no chapter when a numbered section follows).
fn short_location(lib: &Library, n: NodeId) -> String {
    let mut path: Vec<NodeId> = lib.ancestry(n).into_iter().filter(|&a| lib.section(a).is_some()).collect();
    if path.len() >= 3 {
        path.remove(0);
    }
    path.iter().map(|&a| lib.tree_title(a)).collect::<Vec<_>>().join(" › ")
}

fn is_figure(b: &Block) -> bool {
    matches!(b, Block::Series(_) | Block::Metrics(_))
}

/// How a figure leads an industry page: market size first, then
/// penetration, then the rest.
fn figure_rank(b: &Block) -> u8 {
    let mut text = b.title().unwrap_or_default().to_string();
    if let Block::Metrics(m) = b {
        m.items.iter().for_each(|x| text.push_str(&x.label));
    }
    if text.contains("市场规模") {
        0
    } else if text.contains("渗透") {
        1
    } else {
        2
    }
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
                b.wrapped(&format!("{} {} {}", r.publisher, b.g.dot, r.date), Role::Meta, 0);
                b.blank();
                b.blocks(node, &r.abstract_blocks);
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
    /// Where the next line comes from; `in_unit`: lines go on in one unit.
    at: Pos,
    in_unit: bool,
    /// Blocks already shown on the page (by address): shown again as a
    /// one-line reference.
    shown: Vec<usize>,
    /// (unit, next offset): lines pushed go to this unit, numbered in turn
    /// (a table row shown as records).
    row_lock: Option<(u32, u32)>,
    /// Where the next item comes from (see `DocItem`).
    src: (Option<NodeId>, Option<usize>),
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
            at: Pos::default(),
            in_unit: false,
            shown: Vec::new(),
            row_lock: None,
            src: (None, None),
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
        let at = match &mut self.row_lock {
            Some((unit, off)) => {
                *off += 1;
                Pos { item: self.at.item, unit: *unit, off: *off - 1 }
            }
            None => self.at,
        };
        self.doc.lines.push(DocLine { segs, para, boxed: false, at });
        if !self.in_unit && self.row_lock.is_none() {
            self.at.unit += 1;
        }
    }

    /// The next heading or block starts a new item.
    fn next_item(&mut self) {
        self.at = Pos { item: self.at.item + 1, unit: 0, off: 0 };
        let (node, block) = std::mem::take(&mut self.src);
        self.doc.items.push(DocItem { line: self.doc.lines.len(), node, block });
    }

    /// Lines pushed until `end_unit` form one unit; `off` numbers them.
    fn start_unit(&mut self) {
        self.in_unit = true;
        self.at.off = 0;
    }

    fn end_unit(&mut self) {
        self.in_unit = false;
        self.at.unit += 1;
        self.at.off = 0;
    }

    /// Add a row of boxes side by side: `boxes` holds, for each box with
    /// text on this line, (its key, column, text, text cut off behind a `…`).
    /// Pieces of one box on consecutive rows are joined through `open`,
    /// which maps a box's key to its entry in `Doc::boxes`.
    fn push_boxed(&mut self, segs: Vec<Seg>, boxes: &[Piece], open: &mut HashMap<usize, usize>) {
        let line = self.doc.lines.len();
        self.push(segs, 0);
        if let Some(l) = self.doc.lines.last_mut() {
            l.boxed = true;
        }
        for (key, col, text, hidden) in boxes {
            // A box laid out past the line's end (tiny widths) is not shown.
            if *col >= self.w || text.is_empty() && hidden.is_empty() {
                continue;
            }
            let i = *open.entry(*key).or_insert_with(|| {
                self.doc.boxes.push(BoxText::default());
                self.doc.boxes.len() - 1
            });
            let b = &mut self.doc.boxes[i];
            if !text.is_empty() {
                b.pieces.push(BoxPiece { line, col: *col, text: text.clone() });
            }
            b.hidden.push_str(hidden);
        }
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
        self.start_unit();
        for r in text::wrap_ranges(&text, avail) {
            self.at.off = text.get(..r.start).map_or(0, |t| t.chars().count()) as u32;
            let l = text.get(r).unwrap_or_default();
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
            segs.push(seg(l, role));
            self.push(segs, para);
        }
        self.end_unit();
    }

    fn wrapped(&mut self, text: &str, role: Role, indent: usize) {
        let prefix = if indent > 0 { vec![seg(&" ".repeat(indent), Role::Body)] } else { vec![] };
        self.hanging(prefix, text, role, indent);
    }

    fn heading(&mut self, text: &str, role: Role) {
        self.blank();
        self.next_item();
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
        self.src = (Some(node), None);
        self.next_item();
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
        self.blocks(node, &s.blocks);
        let children = self.lib.nodes.get(node).map(|n| n.children.clone()).unwrap_or_default();
        for (sub, child) in s.sections.iter().zip(children) {
            self.section(sub, child, depth + 1);
        }
    }

    fn blocks(&mut self, node: NodeId, blocks: &[Block]) {
        self.block_run(blocks.iter().enumerate().map(|(i, b)| (node, i, b)));
    }

    /// Blocks with their places (section or report, index).
    fn block_run<'b>(&mut self, blocks: impl Iterator<Item = (NodeId, usize, &'b Block)>) {
        let mut prev: Option<&Block> = None;
        for (node, i, b) in blocks {
            // A run of examples stays together, one or two lines each.
            if !matches!((prev, b), (Some(Block::Example(_)), Block::Example(_))) {
                self.blank();
            }
            self.src = (Some(node), Some(i));
            if self.shown.contains(&(b as *const Block as usize)) {
                self.next_item();
                let t = b.title().unwrap_or("图表");
                self.wrapped(&format!("（{t}：见本页开头）"), Role::Meta, 0);
            } else {
                self.block(b);
            }
            prev = Some(b);
        }
    }

    fn block_title(&mut self, t: &Option<String>) {
        if let Some(t) = t {
            self.wrapped(t, Role::H3, 0);
        }
    }

    fn block(&mut self, b: &Block) {
        self.next_item();
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
    fn metrics(&mut self, items: &[Metric]) {
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
