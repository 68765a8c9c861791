//! The first pass: source text → a flat list of blocks, each with its
//! source span (lines and page). Page markers (form feeds, pymupdf4llm's
//! `--- end of page=N ---`), running headers and footers, and MinerU's
//! `Chapter N.M` markers are read here; tab-separated and HTML tables are
//! cut out of the text before the Markdown parser (comrak) sees it.

use comrak::nodes::{AstNode, NodeValue};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Where a block comes from: its first and last source lines (1-based) and
/// the page of its first line, where the input has pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub first: usize,
    pub last: usize,
    pub page: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A heading: its Markdown level (none in plain text) and its text.
    Heading {
        level: Option<u8>,
        text: String,
    },
    Para(String),
    List(Vec<String>),
    /// A rectangular grid, the first row the header.
    Table(Vec<Vec<String>>),
    Image {
        alt: String,
        url: String,
    },
    /// MinerU's `Chapter 1.2`: the number of the heading that follows.
    NumberHint(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Blk {
    pub kind: Kind,
    pub span: Span,
}

/// The input after the line pass.
pub struct Parsed {
    pub blocks: Vec<Blk>,
    /// How many pages the input has (0: no page markers).
    pub pages: u32,
    /// Lines dropped as running headers, footers and page numbers: (line, text).
    pub dropped: Vec<(usize, String)>,
}

static PYMU_PAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*-{3,}\s*end of page\s*=\s*(\d+)\s*-{3,}\s*$").expect("regex"));
static CHAPTER_HINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*Chapter\s+(\d+(?:\.\d+)*)\s*$").expect("regex"));
static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[-—–]\s*)?(?:第\s*)?(\d{1,4})(?:\s*页)?(?:\s*[/／]\s*\d{1,4})?(?:\s*[-—–])?\s*$")
        .expect("regex")
});

/// Whether the text reads as Markdown (headings, pipe tables, pymupdf4llm
/// page markers, HTML tables) rather than pdftotext's plain lines.
pub fn looks_like_markdown(text: &str) -> bool {
    let mut marks = 0;
    for l in text.lines().take(5000) {
        let t = l.trim_start();
        if t.starts_with("# ") || t.starts_with("## ") || t.starts_with("### ") || t.starts_with("#### ") {
            marks += 1;
        } else if PYMU_PAGE.is_match(l) || t.starts_with("<table") || (t.starts_with('|') && t.ends_with('|')) {
            marks += 2;
        }
        if marks >= 3 {
            return true;
        }
    }
    false
}

/// The pages of each line (1-based) and the lines without their page
/// markers; `pages` is 0 when the text has none.
fn paginate(text: &str) -> (Vec<String>, Vec<u32>, u32) {
    let mut lines = Vec::new();
    let mut pages = Vec::new();
    let mut page = 1u32;
    let mut marked = false;
    let mut last_content_page = 0u32;
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(c) = PYMU_PAGE.captures(raw) {
            marked = true;
            // N counts from 0 and ends page N+1.
            let n: u32 = c[1].parse().unwrap_or(0);
            lines.push(String::new());
            pages.push(page);
            page = n.saturating_add(2).max(page);
            continue;
        }
        let mut text = raw;
        if raw.contains('\x0c') {
            marked = true;
            let feeds = raw.matches('\x0c').count() as u32;
            page = page.saturating_add(feeds);
            text = raw.rsplit('\x0c').next().unwrap_or("");
            // A form feed at the end of a line ends the page after it.
            if raw.ends_with('\x0c') && !text.is_empty() {
                page = page.saturating_sub(1);
            }
        }
        if !text.trim().is_empty() {
            last_content_page = page;
        }
        lines.push(text.to_string());
        pages.push(page);
    }
    (lines, pages, if marked { last_content_page } else { 0 })
}

/// Lines repeated at the top or bottom of many pages, and page numbers
/// there: blanked, and listed.
fn drop_running(lines: &mut [String], pages: &[u32], npages: u32, dropped: &mut Vec<(usize, String)>) {
    if npages < 3 {
        return;
    }
    // Per page: its first and last two non-empty lines.
    let mut edges: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    let mut by_page: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, l) in lines.iter().enumerate() {
        if !l.trim().is_empty() {
            by_page.entry(pages[i]).or_default().push(i);
        }
    }
    for (p, ix) in &by_page {
        let mut e: Vec<usize> = ix.iter().take(2).copied().collect();
        e.extend(ix.iter().rev().take(2).copied());
        e.sort_unstable();
        e.dedup();
        edges.insert(*p, e);
    }
    // Digits masked (a page number in a header varies), except in a
    // Markdown heading: "## 1.2 …" atop each page is a new section each time.
    let key = |s: &str| -> String {
        let heading = s.trim_start().starts_with('#');
        s.trim()
            .chars()
            .map(|c| if c.is_ascii_digit() && !heading { '#' } else { c })
            .filter(|c| !c.is_whitespace())
            .collect()
    };
    let mut counts: BTreeMap<String, std::collections::BTreeSet<u32>> = BTreeMap::new();
    for (p, e) in &edges {
        for &i in e {
            let k = key(&lines[i]);
            if k.chars().count() <= 80 {
                counts.entry(k).or_default().insert(*p);
            }
        }
    }
    let need = (npages as usize * 3 / 10).max(3);
    for (p, e) in &edges {
        for &i in e {
            let t = lines[i].trim().to_string();
            // A sentence is text, however often it repeats.
            let sentence = t.ends_with(['。', '！', '？', '；']);
            let repeated = !sentence && counts.get(&key(&t)).is_some_and(|s| s.len() >= need);
            let page_no = PAGE_NUMBER.captures(&t).and_then(|c| c[1].parse::<u32>().ok()).is_some_and(|n| {
                let p = *p as i64;
                (n as i64 - p).abs() <= 6
            });
            if repeated || page_no {
                dropped.push((i + 1, t));
                lines[i].clear();
            }
        }
    }
    dropped.sort();
}

/// Parse a whole text. `markdown`: through comrak; else as pdftotext's plain lines.
pub fn parse(text: &str, markdown: bool) -> Parsed {
    let (mut lines, pages, npages) = paginate(text);
    let mut dropped = Vec::new();
    drop_running(&mut lines, &pages, npages, &mut dropped);
    let page_of =
        |line: usize| -> Option<u32> { (npages > 0).then(|| pages.get(line.saturating_sub(1)).copied().unwrap_or(1)) };
    let span = |first: usize, last: usize| Span { first, last, page: page_of(first) };
    let mut blocks: Vec<Blk> = Vec::new();
    // Cut out what the Markdown parser should not see: tab tables, HTML
    // tables, chapter markers. Their lines are blanked, so that line numbers
    // stay those of the source.
    let mut i = 0;
    // A run of lines with cells that is no table: not read again.
    let mut no_table_until = 0;
    while i < lines.len() {
        let l = &lines[i];
        if let Some(c) = CHAPTER_HINT.captures(l) {
            blocks.push(Blk { kind: Kind::NumberHint(c[1].to_string()), span: span(i + 1, i + 1) });
            lines[i].clear();
            i += 1;
            continue;
        }
        if l.to_ascii_lowercase().contains("<table") {
            let mut j = i;
            let mut end = None;
            while j < lines.len() && j < i + 2000 {
                if lines[j].to_ascii_lowercase().contains("</table>") {
                    end = Some(j);
                    break;
                }
                j += 1;
            }
            // Unclosed: up to the first blank line.
            let end = end.unwrap_or_else(|| {
                (i..lines.len())
                    .find(|&k| lines[k].trim().is_empty())
                    .map(|k| k.saturating_sub(1).max(i))
                    .unwrap_or(lines.len() - 1)
            });
            let html = lines[i..=end].join("\n");
            let (before, rest) = split_at_ci(&html, "<table");
            if !before.trim().is_empty() {
                blocks.push(Blk { kind: Kind::Para(strip_tags(before)), span: span(i + 1, i + 1) });
            }
            for t in super::table::html_tables(rest) {
                blocks.push(Blk { kind: Kind::Table(t), span: span(i + 1, end + 1) });
            }
            let after = rest.to_ascii_lowercase().rfind("</table>").and_then(|k| rest.get(k + 8..)).unwrap_or("");
            if !strip_tags(after).trim().is_empty() {
                blocks.push(Blk { kind: Kind::Para(strip_tags(after)), span: span(end + 1, end + 1) });
            }
            for l in &mut lines[i..=end] {
                l.clear();
            }
            i = end + 1;
            continue;
        }
        // pdftotext -layout: a table set with spaces.
        if !markdown
            && i >= no_table_until
            && let Some((j, grid)) = super::plain::spaced_table(&lines, i)
        {
            match grid {
                Some(grid) => {
                    blocks.push(Blk { kind: Kind::Table(super::table::rectangular(grid)), span: span(i + 1, j) });
                    for l in &mut lines[i..j] {
                        l.clear();
                    }
                    i = j;
                    continue;
                }
                None => no_table_until = j,
            }
        }
        if l.contains('\t') && !l.trim().is_empty() {
            let mut j = i;
            while j < lines.len() && lines[j].contains('\t') && !lines[j].trim().is_empty() {
                j += 1;
            }
            if j - i >= 2 {
                let rows: Vec<Vec<String>> = lines[i..j]
                    .iter()
                    .map(|l| l.split('\t').map(|c| strip_tags(c).trim().to_string()).collect())
                    .collect();
                blocks.push(Blk { kind: Kind::Table(super::table::rectangular(rows)), span: span(i + 1, j) });
                for l in &mut lines[i..j] {
                    l.clear();
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
    if markdown {
        markdown_blocks(&lines.join("\n"), &span, &mut blocks);
    } else {
        let measure = body_measure(&lines);
        let toc_start = super::plain::toc_start(&lines);
        let heads = super::plain::mark_headings(&mut lines, measure);
        plain_blocks(&lines, &heads, measure, toc_start, &span, &mut blocks);
    }
    // Reading order: by first line (stable for blocks of one line).
    blocks.sort_by_key(|b| b.span.first);
    Parsed { blocks, pages: npages, dropped }
}

/// `(before, from)`: the text split at the first `needle`, ignoring ASCII case.
fn split_at_ci<'a>(s: &'a str, needle: &str) -> (&'a str, &'a str) {
    match s.to_ascii_lowercase().find(needle) {
        // The lowercase copy has the same byte offsets (ASCII only changes).
        Some(k) if s.is_char_boundary(k) => s.split_at(k),
        _ => ("", s),
    }
}

/// A tag starts with a letter (or `/`, `!`): `<-10.00%` and `< 3` are text.
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"</?[A-Za-z!][^<>]{0,200}>").expect("regex"));

/// Text without HTML tags (`<b>`, `<br>`) and entities it most often has.
pub fn strip_tags(s: &str) -> String {
    let t = TAG.replace_all(s, |c: &regex::Captures| {
        let tag = c[0].to_ascii_lowercase();
        if tag.starts_with("<br") || tag.starts_with("</p") || tag.starts_with("</li") { " " } else { "" }
    });
    t.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").trim().to_string()
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x2E80..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

/// Join wrapped lines: no space between Chinese characters, one between words.
pub fn join_wrapped(a: &mut String, b: &str) {
    let b = b.trim();
    if b.is_empty() {
        return;
    }
    let a_end = a.trim_end().chars().last();
    let b_start = b.chars().next();
    let trimmed = a.trim_end().len();
    a.truncate(trimmed);
    match (a_end, b_start) {
        (None, _) => {}
        (Some(x), Some(y)) if is_cjk(x) || is_cjk(y) => {}
        _ => a.push(' '),
    }
    a.push_str(b);
}

fn markdown_blocks(text: &str, span: &dyn Fn(usize, usize) -> Span, out: &mut Vec<Blk>) {
    let arena = comrak::Arena::new();
    let mut opts = comrak::Options::default();
    opts.extension.table = true;
    opts.extension.footnotes = true;
    // No strikethrough: GFM reads one tilde as one, and `10~15%，…20~30%`
    // (a range, in every report) lost its tildes and joined its numbers.
    let text = star_between_digits(text);
    let root = comrak::parse_document(&arena, &text, &opts);
    let src: Vec<&str> = text.split('\n').collect();
    for node in root.children() {
        block_of(node, &src, span, out);
    }
}

/// `6*4*2` is a product, not emphasis: a `*` between two digits is escaped.
fn star_between_digits(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    let hit =
        |k: usize| b[k] == b'*' && k > 0 && b[k - 1].is_ascii_digit() && b.get(k + 1).is_some_and(u8::is_ascii_digit);
    if !(0..b.len()).any(hit) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (k, c) in text.char_indices() {
        if hit(k) {
            out.push('\\');
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

fn block_of<'a>(node: &'a AstNode<'a>, src: &[&str], span: &dyn Fn(usize, usize) -> Span, out: &mut Vec<Blk>) {
    let (value, pos) = {
        let d = node.data();
        (d.value.clone(), d.sourcepos)
    };
    let sp = span(pos.start.line, pos.end.line.max(pos.start.line));
    let mut push = |kind: Kind| out.push(Blk { kind, span: sp });
    match value {
        NodeValue::Heading(h) => {
            let t = inline_text(node, &mut Vec::new());
            if !t.trim().is_empty() {
                push(Kind::Heading { level: Some(h.level), text: t.trim().to_string() });
            }
        }
        NodeValue::Paragraph => {
            let mut images = Vec::new();
            let t = inline_text(node, &mut images);
            if !t.trim().is_empty() {
                push(Kind::Para(t.trim().to_string()));
            }
            for (alt, url) in images {
                push(Kind::Image { alt, url });
            }
        }
        NodeValue::List(list) => {
            // An ordered list's numbers are printed text: kept, as printed.
            // An ordered list's numbers are printed text: kept, as printed
            // ("01." stays "01.").
            let marker = |k: usize, item: &'a AstNode<'a>| -> String {
                if list.list_type != comrak::nodes::ListType::Ordered {
                    return String::new();
                }
                let p = item.data().sourcepos.start;
                let printed = src
                    .get(p.line.saturating_sub(1))
                    .and_then(|l| l.get(p.column.saturating_sub(1)..))
                    .map(|t| t.trim_start())
                    .and_then(|t| {
                        let n = t.bytes().take_while(u8::is_ascii_digit).count();
                        let delim = t.get(n..).is_some_and(|r| r.starts_with(['.', ')']));
                        (n > 0 && delim).then(|| t.get(..=n).map(str::to_string)).flatten()
                    });
                let d = if list.delimiter == comrak::nodes::ListDelimType::Paren { ')' } else { '.' };
                printed.unwrap_or_else(|| format!("{}{d}", list.start.saturating_add(k)))
            };
            let items: Vec<String> = node
                .children()
                .enumerate()
                .map(|(k, item)| {
                    let mut s = String::new();
                    for c in item.children() {
                        let t = match &c.data().value {
                            NodeValue::List(_) => {
                                c.children().map(|x| inline_text(x, &mut Vec::new())).collect::<Vec<_>>().join("；")
                            }
                            _ => String::new(),
                        };
                        let t = if t.is_empty() { inline_text(c, &mut Vec::new()) } else { t };
                        join_wrapped(&mut s, &t);
                    }
                    let m = marker(k, item);
                    if m.is_empty() || s.trim().is_empty() { s } else { format!("{m} {s}") }
                })
                .filter(|s| !s.trim().is_empty())
                .collect();
            if !items.is_empty() {
                push(Kind::List(items));
            }
        }
        NodeValue::Table(_) => {
            let rows: Vec<Vec<String>> = node
                .children()
                .map(|row| row.children().map(|cell| inline_text(cell, &mut Vec::new()).trim().to_string()).collect())
                .collect();
            if !rows.is_empty() {
                push(Kind::Table(super::table::rectangular(rows)));
            }
        }
        NodeValue::HtmlBlock(h) => {
            let t = strip_tags(&h.literal);
            if !t.is_empty() {
                push(Kind::Para(t));
            }
        }
        NodeValue::CodeBlock(c) => {
            let mut s = String::new();
            for l in c.literal.lines() {
                join_wrapped(&mut s, l);
            }
            if !s.is_empty() {
                push(Kind::Para(s));
            }
        }
        NodeValue::FootnoteDefinition(f) => {
            let body: Vec<String> = node.children().map(|c| inline_text(c, &mut Vec::new())).collect();
            push(Kind::Para(format!("[^{}]: {}", f.name, body.join(" "))));
        }
        NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) | NodeValue::Document => {
            for c in node.children() {
                block_of(c, src, span, out);
            }
        }
        _ => {}
    }
}

/// The plain text of a node's inlines (emphasis dropped), its images apart.
fn inline_text<'a>(node: &'a AstNode<'a>, images: &mut Vec<(String, String)>) -> String {
    let mut s = String::new();
    for c in node.children() {
        let v = c.data().value.clone();
        match v {
            NodeValue::Text(t) => s.push_str(&t),
            NodeValue::Code(c) => s.push_str(&c.literal),
            NodeValue::Math(m) => {
                let d = if m.display_math { "$$" } else { "$" };
                s.push_str(&format!("{d}{}{d}", m.literal));
            }
            // Kept as a line break: the second pass joins the lines (or
            // reads them one by one, in a table of contents).
            NodeValue::SoftBreak => s.push('\n'),
            NodeValue::LineBreak => s.push(' '),
            NodeValue::HtmlInline(h) => {
                let l = h.to_ascii_lowercase();
                if l.starts_with("<br") {
                    s.push(' ');
                }
            }
            NodeValue::FootnoteReference(f) => s.push_str(&format!("[^{}]", f.name)),
            NodeValue::Image(link) => {
                let alt = inline_text(c, &mut Vec::new());
                images.push((alt, link.url.clone()));
            }
            NodeValue::Paragraph | NodeValue::TableCell => {
                let t = inline_text(c, images);
                join_wrapped(&mut s, &t);
            }
            _ => s.push_str(&inline_text(c, images)),
        }
    }
    s
}

static BULLET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[•●◆◇■□▪▫◼◾►▶➢✓✔√\u{f06c}\u{f0a7}\u{f0d8}\u{f0b7}\u{f075}]|[-*]\s)\s*").expect("regex")
});

/// The measure of body text: the median length of the longer lines.
fn body_measure(lines: &[String]) -> usize {
    let mut lens: Vec<usize> = lines.iter().map(|l| l.trim().chars().count()).filter(|&n| n >= 10).collect();
    lens.sort_unstable();
    lens.get(lens.len() / 2).copied().unwrap_or(40).max(20)
}

/// pdftotext's lines: paragraphs are runs of lines between blank lines; a
/// run's first line may be a heading (decided in the second pass), a
/// bullet starts a list item. `heads`: lines known to be headings (the
/// table of contents names them).
fn plain_blocks(
    lines: &[String],
    heads: &std::collections::BTreeSet<usize>,
    measure: usize,
    toc_start: usize,
    span: &dyn Fn(usize, usize) -> Span,
    out: &mut Vec<Blk>,
) {
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim().is_empty() {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < lines.len() && !lines[j].trim().is_empty() {
            j += 1;
        }
        // Lines i..j: one run. A line is a heading when it is a heading
        // candidate, shorter than the body's measure, and starts the run or
        // follows the end of a sentence or another heading.
        let mut items: Vec<String> = Vec::new();
        let mut para = String::new();
        let mut para_start = i;
        let mut item_start = i;
        let mut after_break = true;
        let flush =
            |para: &mut String, items: &mut Vec<String>, ps: usize, is: usize, end: usize, out: &mut Vec<Blk>| {
                if !para.is_empty() {
                    out.push(Blk { kind: Kind::Para(std::mem::take(para)), span: span(ps + 1, end) });
                }
                items.retain(|x| !x.trim().is_empty());
                if !items.is_empty() {
                    out.push(Blk { kind: Kind::List(std::mem::take(items)), span: span(is + 1, end) });
                }
            };
        for (line_no, l) in lines.iter().enumerate().take(j).skip(i) {
            let t = l.trim();
            if heads.contains(&line_no)
                || (after_break
                    && t.chars().count() * 10 <= measure * 8
                    && super::tree::heading_candidate(t)
                    // Before a table of contents, numbered lines are the
                    // summary's list, not chapters.
                    && (line_no < toc_start).then(|| super::tree::numbering(&super::tree::clean_heading(t))).flatten().is_none())
            {
                flush(&mut para, &mut items, para_start, item_start, line_no, out);
                out.push(Blk {
                    kind: Kind::Heading { level: None, text: t.to_string() },
                    span: span(line_no + 1, line_no + 1),
                });
                after_break = true;
                continue;
            }
            after_break = t.ends_with(['。', '！', '？', '：', ':', '；']);
            if let Some(m) = BULLET.find(l) {
                if !para.is_empty() {
                    flush(&mut para, &mut Vec::new(), para_start, item_start, line_no, out);
                }
                if items.is_empty() {
                    item_start = line_no;
                }
                items.push(l.get(m.end()..).unwrap_or("").trim().to_string());
            } else if let Some(last) = items.last_mut() {
                join_wrapped(last, l);
            } else {
                if para.is_empty() {
                    para_start = line_no;
                }
                join_wrapped(&mut para, l);
            }
        }
        flush(&mut para, &mut items, para_start, item_start, j, out);
        i = j;
    }
}
