//! Document layout: a place in the outline, laid out as styled lines for a
//! given width. Pure and terminal-free; the renderer maps roles to styles.
//! Chinese text is wrapped here (never by the renderer), so punctuation rules
//! and display widths hold on every line.
//!
//! This file holds the line model and the builder's core (sections, prose,
//! headings); `table`, `figures` (series, metric cards), `items` (lists,
//! cases, examples) and `industry` (the industry page) add the rest.

use crate::content::{Block, Library, NodeId, Point, Section, Series, Table, numbering};
use crate::text::{self, truncate, width};
use std::collections::HashMap;
use std::sync::Arc;

pub mod bars;
mod figures;
mod glyphs;
mod grid;
mod industry;
mod items;
mod pages;
mod table;

pub use glyphs::bar;
use glyphs::{ASCII, Glyphs, UNICODE};
pub use grid::{GridView, MAX_COL, grid_view, last_first, natural_widths};
pub use industry::build_industry;
pub use pages::{MAX_PAGE_BYTES, MAX_PAGES, Pages};
pub use table::{column_widths, column_widths_min};

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
    /// Text lines are at most this wide, centred in `width`; tables start
    /// at the text's left edge and may use the rest. 0: no cap.
    pub measure: u16,
    /// East Asian Ambiguous characters (“ ” … —) count two columns
    /// (`--ambiwidth wide`, or an SSH client's `YANBAO_AMBIWIDTH=wide`).
    pub ambiwide: bool,
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
    /// (line, table): where each table starts, for the full-pane table view.
    pub tables: Vec<(usize, Arc<Table>)>,
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
    /// An estimate of the memory the page holds, in bytes: its lines (each
    /// segment's text), boxes, items and anchors, and the tables and charts
    /// it keeps for their full views. What bounds the page cache.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let seg = |s: &Seg| size_of::<Seg>() + s.text.capacity();
        let line = |l: &DocLine| size_of::<DocLine>() + l.segs.iter().map(seg).sum::<usize>();
        let text = |s: &String| size_of::<String>() + s.capacity();
        let table = |t: &Table| {
            size_of::<Table>()
                + t.columns.iter().chain(&t.notes).map(text).sum::<usize>()
                + t.rows.iter().flatten().map(|c| text(&c.0)).sum::<usize>()
        };
        let series = |s: &Series| {
            size_of::<Series>() + s.points.iter().map(|p| size_of::<Point>() + p.label.len()).sum::<usize>()
        };
        size_of::<Doc>()
            + self.lines.iter().map(line).sum::<usize>()
            + self
                .boxes
                .iter()
                .map(|b| {
                    size_of::<BoxText>()
                        + b.hidden.capacity()
                        + b.pieces.iter().map(|p| size_of::<BoxPiece>() + p.text.capacity()).sum::<usize>()
                })
                .sum::<usize>()
            + self.anchors.len() * size_of::<(usize, NodeId)>()
            + self.items.len() * size_of::<DocItem>()
            + self.table_heads.len() * size_of::<(std::ops::Range<usize>, usize)>()
            + self.charts.iter().map(|(_, s)| size_of::<(usize, Arc<Series>)>() + series(s)).sum::<usize>()
            + self.tables.iter().map(|(_, t)| size_of::<(usize, Arc<Table>)>() + table(t)).sum::<usize>()
    }

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

/// Lay out a page.
/// A block title that is a note, not a heading: a bare figure word and a
/// remark in brackets (`图表（原图数值未随文本保留）`, where the source
/// says a figure's values were not kept with its text).
pub fn is_note_title(t: &str) -> bool {
    let t = t.trim();
    ["图表（", "图（", "图片（"].iter().any(|p| t.starts_with(p)) && t.ends_with('）')
}

pub fn build_page(lib: &Library, page: Page, opts: LayoutOpts) -> Doc {
    crate::text::with_ambiwide(opts.ambiwide, || match page {
        Page::Node(n) => build(lib, n, opts),
        Page::Industry(i) => build_industry(lib, i, opts),
    })
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
    /// The width lines are laid out for: the measure, or wider in a table.
    w: usize,
    /// Columns of blank before every line: centres the measure in the pane.
    margin: usize,
    /// The width right of the margin, for tables.
    wide: usize,
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
    /// On an industry page: participant maps (blocks, and the parts that
    /// hold one) are set aside into `deferred`, to follow the figures,
    /// cases and examples of every section.
    maps_last: bool,
    /// (section, block, depth): what `maps_last` set aside, in reading
    /// order; a whole part when the block is `None`.
    deferred: Vec<(NodeId, Option<usize>, usize)>,
    /// Per report: the figure list's numbers of its blocks, by (node,
    /// block), made when a page first shows one of its blocks.
    numbers: HashMap<usize, HashMap<(NodeId, usize), String>>,
    /// The number of the block being laid out, for its title line.
    label: Option<String>,
}

impl<'a> Builder<'a> {
    fn new(lib: &'a Library, opts: LayoutOpts) -> Builder<'a> {
        let full = (opts.width as usize).max(1);
        let measure = match opts.measure as usize {
            0 => full,
            m => m.min(full),
        };
        let margin = (full - measure) / 2;
        Builder {
            lib,
            w: measure,
            margin,
            wide: full - margin,
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
            maps_last: false,
            deferred: Vec::new(),
            numbers: HashMap::new(),
            label: None,
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
        if self.margin > 0 && !segs.is_empty() {
            segs.insert(0, seg(&" ".repeat(self.margin), Role::Body));
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
                b.pieces.push(BoxPiece { line, col: *col + self.margin, text: text.clone() });
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
        // A line's offset is the characters before it, counted on from the
        // line before: counting from the start for every line made a long
        // paragraph quadratic (issue 26, N6).
        let (mut counted, mut chars) = (0, 0);
        for r in text::wrap_ranges(&text, avail) {
            chars += text.get(counted..r.start).map_or(0, |t| t.chars().count());
            counted = r.start.max(counted);
            self.at.off = chars as u32;
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
        let children = self.lib.nodes.get(node).map(|n| n.children.clone()).unwrap_or_default();
        if self.maps_last {
            let is_map = |b: &Block| matches!(b, Block::Participants(_));
            self.block_run(s.blocks.iter().enumerate().filter(|(_, b)| !is_map(b)).map(|(i, b)| (node, i, b)));
            let maps = s.blocks.iter().enumerate().filter(|(_, b)| is_map(b));
            self.deferred.extend(maps.map(|(i, _)| (node, Some(i), depth)));
            for (sub, child) in s.sections.iter().zip(children) {
                if sub.blocks.iter().any(is_map) {
                    self.deferred.push((child, None, depth + 1));
                } else {
                    self.section(sub, child, depth + 1);
                }
            }
        } else {
            self.blocks(node, &s.blocks);
            for (sub, child) in s.sections.iter().zip(children) {
                self.section(sub, child, depth + 1);
            }
        }
    }

    /// What `maps_last` set aside, in reading order: each map part whole,
    /// each map block under its section's path.
    fn deferred_maps(&mut self) {
        self.maps_last = false;
        for (node, block, depth) in std::mem::take(&mut self.deferred) {
            let Some(s) = self.lib.section(node) else { continue };
            match block {
                None => self.section(s, node, depth),
                Some(i) => {
                    self.blank();
                    self.anchor(node);
                    let path = crate::fmt::section_path(self.lib, node);
                    self.wrapped(&format!("{} {path}", self.g.dash), Role::Meta, 0);
                    self.block_run(s.blocks.get(i).map(|b| (node, i, b)).into_iter());
                }
            }
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
        if t.as_deref().is_some_and(is_note_title) {
            let t = self.numbered(t.clone().unwrap_or_default());
            self.wrapped(&t, Role::Meta, 0);
            return;
        }
        let t = self.numbered(t.clone().unwrap_or_default());
        if !t.is_empty() {
            self.wrapped(&t, Role::H3, 0);
        }
    }

    /// The number (图 3-2) the figure list gives the block at `src`, unless
    /// the source printed it in the title.
    fn number_of(&mut self, src: (Option<NodeId>, Option<usize>)) -> Option<String> {
        let (Some(node), Some(i)) = src else { return None };
        let r = self.lib.nodes.get(node)?.report;
        let lib = self.lib;
        let map = self.numbers.entry(r).or_insert_with(|| {
            numbering::number_report(lib, r)
                .into_iter()
                .filter(|x| !x.printed)
                .map(|x| ((x.node, x.block), x.label))
                .collect()
        });
        map.get(&(node, i)).cloned()
    }

    /// A block's title with its number before it (the number alone for an
    /// untitled block).
    fn numbered(&mut self, title: String) -> String {
        match self.label.take() {
            Some(l) if title.is_empty() => l,
            Some(l) => format!("{l} {title}"),
            None => title,
        }
    }

    fn block(&mut self, b: &Block) {
        self.label = if numbering::FigKind::of(b).is_some() { self.number_of(self.src) } else { None };
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
            Block::List(l) if l.title.as_deref().is_some_and(is_note_title) => {
                // `图表（原图数值未随文本保留）`: the source's note that a
                // figure's values were not kept, drawn as a note, not a heading.
                let t = self.numbered(l.title.clone().unwrap_or_default());
                self.wrapped(&t, Role::Meta, 0);
                for it in &l.items {
                    let prefix = vec![seg(&format!("{} ", self.g.bullet), Role::Meta)];
                    self.hanging(prefix, it, Role::Meta, 2);
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
                if let Some(n) = &p.note {
                    self.wrapped(n, Role::Meta, 0);
                }
            }
            Block::Case(c) => self.case(c),
            Block::Example(e) => self.example(e),
        }
    }
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
