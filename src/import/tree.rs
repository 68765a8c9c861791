//! The second pass: blocks → sections. Heading levels come from the
//! Markdown where they agree with the numbering, else from the numbering,
//! read with a stack of styles (第一章 › 一、 › （一） › 1. › （1） › ①);
//! unnumbered headings nest by their Markdown level below the last numbered
//! one. Captions become table titles, 资料来源 lines their notes.

use super::parse::{Blk, Kind, Span};
use super::table;
use crate::content::numbering::CAPTION;
use crate::content::{Block, Cell, List, Point, Section, Series, Table, Text, TocEntry};
use regex::Regex;
use std::sync::LazyLock;

const CN: &str = "一二三四五六七八九十百零〇两";

/// A numbering style; headings of one style are siblings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Style {
    Chapter,
    Part,
    Jie,
    CnDun,
    CnParen,
    Dotted(usize),
    Arabic,
    ArabicParen,
    Circled,
    Roman,
    Latin,
    TwoDigit,
}

type StyleOf = fn(&str, &str, &str) -> Option<Style>;

/// Not a heading number when right before it: units and dates ("3.5亿", "2024年").
fn unitish(rest: &str) -> bool {
    rest.starts_with(|c: char| c.is_ascii_digit() || "%％亿万千百元倍年月日个家只次.．,，x×-~～".contains(c))
}

static NUMBERING: LazyLock<Vec<(Regex, StyleOf)>> = LazyLock::new(|| {
    let r = |p: String| Regex::new(&p).expect("regex");
    vec![
        (r(format!(r"^(第[{CN}\d]+章)(\s*[:：、.．]?\s*)")), |_, _, _| Some(Style::Chapter)),
        (r(format!(r"^(第[{CN}\d]+部分)(\s*[:：、.．]?\s*)")), |_, _, _| Some(Style::Part)),
        (r(format!(r"^(第[{CN}\d]+节)(\s*[:：、.．]?\s*)")), |_, _, _| Some(Style::Jie)),
        (r(format!(r"^([{CN}]{{1,3}})(\s*[、.．]\s*)")), |_, _, _| Some(Style::CnDun)),
        (r(format!(r"^([（(][{CN}]{{1,3}}[）)])(\s*[、.．]?\s*)")), |_, _, _| Some(Style::CnParen)),
        (r(r"^(\d{1,2}(?:[.．]\d{1,2}){1,4})([.．、]?\s*)".into()), |n, sep, rest| {
            (!sep.is_empty() || !unitish(rest)).then(|| Style::Dotted(n.matches(['.', '．']).count() + 1))
        }),
        (r(r"^(\d{1,2})([.．、]\s*|\s+)".into()), |n, sep, rest| {
            let dot = sep.trim() != "";
            if unitish(rest) || (!dot && rest.starts_with(|c: char| c.is_ascii_digit())) {
                return None;
            }
            // "01 标题": two digits with a space; "1 标题" is not a heading number.
            match (n.len() == 2 && n.starts_with('0'), dot) {
                (true, _) => Some(Style::TwoDigit),
                (false, true) => Some(Style::Arabic),
                (false, false) => None,
            }
        }),
        (r(r"^([（(]\d{1,2}[）)])(\s*)".into()), |_, _, _| Some(Style::ArabicParen)),
        (r(r"^([①-⑳])(\s*)".into()), |_, _, _| Some(Style::Circled)),
        (r(r"^((?:I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)[.．、])(\s*)".into()), |_, _, _| Some(Style::Roman)),
        (r(r"^([A-H][.．、])(\s*)".into()), |_, _, rest| {
            (!rest.starts_with(|c: char| c.is_ascii_alphanumeric())).then_some(Style::Latin)
        }),
        (r(r"^(0\d)()$".into()), |_, _, _| Some(Style::TwoDigit)),
    ]
});

static LEAD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[\s■□◼◾▌▍▎▶►◆◇●•※#]+").expect("regex"));
static SOURCE_NOTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:资料来源|数据来源|来源|注|备注|Source)\s*[:：]").expect("regex"));
static CONTINUED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"接上页|续表|（续）|\(续\)|续上表").expect("regex"));
static BACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:免责声明|分析师声明|分析师承诺|重要声明|法律声明|特别声明|一般声明|重要提示|评级说明|投资评级说明|投资评级定义|股票投资评级|行业投资评级|证券分析师承诺|分析师介绍|信息披露|Disclaimer)").expect("regex")
});
static TOC_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?\S)\s*(?:\.{2,}|…+|-{3,}|·{3,}|\s{2,}|\t)[\s.…·\-]*(\d{1,3})\s*$").expect("regex")
});

/// Whether a title is that of the back matter (disclaimers, ratings).
pub fn is_back(title: &str) -> bool {
    BACK.is_match(&clean_heading(title))
}

/// A heading's numbering: (style, the number as printed, the rest).
pub fn numbering(text: &str) -> Option<(Style, String, String)> {
    for (re, style) in NUMBERING.iter() {
        if let Some(c) = re.captures(text) {
            let n = c.get(1).map_or("", |m| m.as_str());
            let sep = c.get(2).map_or("", |m| m.as_str());
            let end = c.get(0).map_or(0, |m| m.end());
            let rest = text.get(end..).unwrap_or("").trim();
            if let Some(s) = style(n, sep, rest) {
                return Some((s, n.to_string(), rest.to_string()));
            }
            return None;
        }
    }
    None
}

pub fn clean_heading(t: &str) -> String {
    let t = super::parse::strip_tags(t);
    let t = LEAD.replace(&t, "");
    t.trim().trim_end_matches(['：', ':']).trim().to_string()
}

fn ends_sentence(t: &str) -> bool {
    t.trim_end().ends_with(['。', '；', '！', '？', '，', ';', '!', '?', ',', '、'])
}

/// Whether a line of plain text may be a heading: short, numbered or a
/// known head, no sentence-final punctuation.
pub fn heading_candidate(line: &str) -> bool {
    let t = clean_heading(line);
    let n = t.chars().count();
    if n == 0 || n > 40 || ends_sentence(&t) || CAPTION.is_match(&t) || SOURCE_NOTE.is_match(&t) {
        return false;
    }
    match numbering(&t) {
        Some((_, _, rest)) => {
            let r = rest.chars().count();
            // The rest has words, not figures.
            r >= 2 && rest.chars().filter(|c| c.is_ascii_digit()).count() * 3 < r
        }
        None => {
            BACK.is_match(&t) || matches!(t.as_str(), "目录" | "目 录" | "内容目录" | "摘要" | "投资要点" | "核心观点")
        }
    }
}

/// The result of the second pass.
#[derive(Default)]
pub struct Tree {
    pub toc: Vec<TocEntry>,
    pub front: Vec<Block>,
    /// The page each of `front` starts on (where the source marks pages).
    pub front_pages: Vec<Option<u32>>,
    pub chapters: Vec<Section>,
    /// Per section (depth-first, as ids are given): its source lines.
    pub warnings: Vec<(usize, String)>,
    pub lines_of: Vec<(usize, usize)>,
    /// Per section, in the order of `lines_of`: each block's source span.
    pub block_spans_of: Vec<Vec<Span>>,
    /// The source span of each block of `front`.
    pub front_spans: Vec<Span>,
    /// The span of the source block being read (the blocks pushed take it).
    at: Span,
    /// The span of the caption waiting for its table or image.
    caption_at: Option<Span>,
}

struct Open {
    style: Option<Style>,
    /// Markdown level of an unnumbered heading.
    md: Option<u8>,
    section: Section,
    /// The source span of each of `section.blocks`.
    spans: Vec<Span>,
    first: usize,
    last: usize,
}

/// Build the sections.
pub fn build(blocks: Vec<Blk>) -> Tree {
    let mut tree = Tree::default();
    let blocks = merge_number_only(blocks);
    let n = blocks.len();
    // Back matter starts at the first disclaimer head in the last 40 % of the blocks.
    let back_from = blocks
        .iter()
        .enumerate()
        .skip(n * 6 / 10)
        .find(|(_, b)| match &b.kind {
            Kind::Heading { text, .. } => BACK.is_match(&clean_heading(text)),
            Kind::Para(t) => t.chars().count() <= 30 && BACK.is_match(&clean_heading(&joined(t))),
            _ => false,
        })
        .map_or(n, |(i, _)| i);
    let mut stack: Vec<Open> = Vec::new();
    let mut hint: Option<String> = None;
    let mut in_toc = false;
    let mut caption: Option<String> = None;
    let mut i = 0;
    while i < n {
        let b = &blocks[i];
        let sp = b.span;
        tree.at = sp;
        if i == back_from {
            close_all(&mut stack, &mut tree);
            let title = match &b.kind {
                Kind::Heading { text, .. } | Kind::Para(text) => clean_heading(text),
                _ => String::new(),
            };
            stack.push(Open {
                style: None,
                md: None,
                section: Section { title, page: sp.page, ..Default::default() },
                spans: Vec::new(),
                first: sp.first,
                last: sp.last,
            });
            i += 1;
            continue;
        }
        if let Some(top) = stack.last_mut() {
            top.last = top.last.max(sp.last);
        }
        match &b.kind {
            Kind::NumberHint(num) => hint = Some(num.clone()),
            Kind::Heading { level, text } if i < back_from => {
                let t = clean_heading(text);
                if t.is_empty() {
                    i += 1;
                    continue;
                }
                if matches!(t.as_str(), "目录" | "目 录" | "内容目录" | "CONTENTS" | "Contents" | "目次") {
                    in_toc = true;
                    i += 1;
                    continue;
                }
                in_toc = false;
                // A caption, a source line or a sentence set as a heading is text.
                if CAPTION.is_match(&t) || SOURCE_NOTE.is_match(&t) || t.chars().count() > 80 {
                    add_para(&mut stack, &mut tree, &mut caption, &blocks, i, &t);
                    i += 1;
                    continue;
                }
                // "（接上页）": the table that follows continues the last one.
                if CONTINUED.is_match(&t)
                    && let Some(Kind::Table(next)) = blocks.get(i + 1).map(|b| &b.kind)
                    && join_table(&mut stack, &mut tree, next)
                {
                    tree.warnings.push((sp.first, format!("table continued on page {}: joined", sp.page.unwrap_or(0))));
                    i += 2;
                    continue;
                }
                let (style, number, title) = match (hint.take(), numbering(&t)) {
                    (Some(h), None) => (Some(Style::Dotted(h.matches('.').count() + 1)), Some(h), t.clone()),
                    (_, Some((s, num, rest))) if !rest.is_empty() => (Some(s), Some(num), rest),
                    // A number alone ("01" over a block of text): a heading of its style.
                    (_, Some((s, _, _))) => (Some(s), None, t.clone()),
                    _ => (None, None, t.clone()),
                };
                let top = toc_top_style(&tree.toc);
                open_heading(&mut stack, &mut tree, style, top, *level, number, title, sp);
            }
            Kind::Heading { text, .. } => {
                add_para(&mut stack, &mut tree, &mut caption, &blocks, i, &clean_heading(text))
            }
            // A table of contents: its lines, while they read as entries;
            // the first block that does not ends it.
            Kind::Para(_) | Kind::Table(_) | Kind::List(_) if in_toc && toc_block(&mut tree.toc, &b.kind) => {}
            Kind::Para(t) => {
                in_toc = false;
                let t = joined(t);
                add_para(&mut stack, &mut tree, &mut caption, &blocks, i, &t);
            }
            Kind::List(items) => {
                in_toc = false;
                flush_caption(&mut stack, &mut tree, &mut caption);
                push_block(
                    &mut stack,
                    &mut tree,
                    Block::List(List {
                        title: None,
                        industries: vec![],
                        items: items.iter().map(|x| joined(x)).collect(),
                    }),
                );
            }
            Kind::Image { alt, url } => {
                let title = take_caption(&mut tree, &mut caption)
                    .or_else(|| (!alt.trim().is_empty()).then(|| alt.trim().to_string()));
                let text = format!("图：{}", if url.is_empty() { alt.as_str() } else { url.as_str() });
                push_block(&mut stack, &mut tree, Block::Text(Text { title, industries: vec![], text }));
            }
            Kind::Table(rows) => {
                in_toc = false;
                // A table right after a table with the same columns, across a page: one table.
                let prev_page = i.checked_sub(1).and_then(|k| blocks.get(k)).map(|p| p.span.page);
                let follows_table = i > 0 && matches!(blocks[i - 1].kind, Kind::Table(_));
                if caption.is_none()
                    && follows_table
                    && prev_page != Some(sp.page)
                    && join_table(&mut stack, &mut tree, rows)
                {
                    tree.warnings.push((sp.first, "table broken across a page: joined".into()));
                    i += 1;
                    continue;
                }
                let title = take_caption(&mut tree, &mut caption);
                let mut notes = Vec::new();
                let mut k = i + 1;
                while let Some(Kind::Para(p)) = blocks.get(k).map(|b| &b.kind) {
                    if SOURCE_NOTE.is_match(p) && p.chars().count() <= 300 {
                        notes.push(joined(p));
                        k += 1;
                    } else {
                        break;
                    }
                }
                // The table's span takes its notes.
                if let Some(last) = k.checked_sub(1).and_then(|k| blocks.get(k)) {
                    tree.at.last = tree.at.last.max(last.span.last);
                }
                let header = rows[0].clone();
                let body: Vec<Vec<Cell>> =
                    rows[1..].iter().map(|r| r.iter().map(|c| Cell(c.clone())).collect()).collect();
                let columns = header
                    .iter()
                    .enumerate()
                    .map(|(c, h)| if h.is_empty() && c > 0 { String::new() } else { h.clone() })
                    .collect();
                let series = table::series_of(title.as_deref(), rows);
                push_block(
                    &mut stack,
                    &mut tree,
                    Block::Table(Table {
                        title: title.clone(),
                        industries: vec![],
                        unit: None,
                        columns,
                        rows: body,
                        notes: notes.clone(),
                    }),
                );
                for s in series {
                    let st = match &title {
                        Some(t) if !s.title.is_empty() => format!("{t}：{}", s.title),
                        Some(t) => t.clone(),
                        None if !s.title.is_empty() => s.title.clone(),
                        None => "表中数据".into(),
                    };
                    push_block(
                        &mut stack,
                        &mut tree,
                        Block::Series(Series {
                            title: Some(st),
                            industries: vec![],
                            unit: Some(s.unit),
                            points: s
                                .points
                                .into_iter()
                                .map(|(label, value)| Point { label, value, estimate: false })
                                .collect(),
                            note: notes.first().cloned(),
                        }),
                    );
                }
                i = k;
                continue;
            }
        }
        i += 1;
    }
    flush_caption(&mut stack, &mut tree, &mut caption);
    close_all(&mut stack, &mut tree);
    tree
}

/// "第一章" then "人工智能行业综述", "01" then a title: one heading.
fn merge_number_only(blocks: Vec<Blk>) -> Vec<Blk> {
    let mut out: Vec<Blk> = Vec::with_capacity(blocks.len());
    let mut it = blocks.into_iter().peekable();
    while let Some(b) = it.next() {
        if let Kind::Heading { level, text } = &b.kind {
            let t = clean_heading(text);
            let number_only = numbering(&t).is_some_and(|(_, _, rest)| rest.chars().all(|c| !c.is_alphanumeric()))
                || CHAPTER_WORD.is_match(&t);
            if number_only
                && let Some(Blk { kind: Kind::Heading { text: next, .. }, span }) = it.peek()
                && numbering(&clean_heading(next)).is_none()
            {
                let num = numbering(&t).map(|(_, n, _)| n).unwrap_or(t.clone());
                let merged = format!("{num} {}", clean_heading(next));
                let sp = Span { first: b.span.first, last: span.last, page: b.span.page };
                it.next();
                out.push(Blk { kind: Kind::Heading { level: *level, text: merged }, span: sp });
                continue;
            }
        }
        out.push(b);
    }
    out
}

static CHAPTER_WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:PART|Part|CHAPTER)\s*\d+$").expect("regex"));

/// The entries of a block of a table of contents; false (and nothing
/// taken) when fewer than half of its lines read as entries. A line that
/// is no entry is the start of the next one (a title wrapped over two
/// lines), or, at the end, an entry without a page: no line is lost.
fn toc_block(toc: &mut Vec<TocEntry>, kind: &Kind) -> bool {
    let lines: Vec<String> = match kind {
        Kind::Para(t) => t.split('\n').map(str::to_string).collect(),
        Kind::Table(rows) => rows.iter().map(|r| r.join("\t")).collect(),
        // An ordered list's item takes the entry lines below it (lazy
        // continuation): its lines, one by one.
        Kind::List(items) => items.iter().flat_map(|i| i.split('\n')).map(str::to_string).collect(),
        _ => return false,
    };
    let lines: Vec<&str> = lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect();
    let entries = lines.iter().filter(|l| toc_line(l).is_some()).count();
    if entries == 0 || entries * 2 < lines.len() {
        return false;
    }
    let mut pending = String::new();
    for l in lines {
        if let Some(e) = toc_line(l) {
            if pending.is_empty() {
                toc.push(e);
            } else {
                super::parse::join_wrapped(&mut pending, l);
                toc.push(toc_line(&pending).unwrap_or(e));
                pending.clear();
            }
        } else {
            super::parse::join_wrapped(&mut pending, l);
        }
    }
    if !pending.is_empty() {
        let head = clean_heading(&pending);
        let (number, title) = match numbering(&head) {
            Some((_, n, rest)) if !rest.is_empty() => (Some(n), rest),
            _ => (None, head),
        };
        toc.push(TocEntry { number, title, page: None });
    }
    true
}

/// A line of a table of contents: a title, leaders, a page. A figure's
/// entry ("图 1 … 6", in a list of figures) is an entry too.
fn toc_line(line: &str) -> Option<TocEntry> {
    let l = super::parse::strip_tags(line);
    let c = TOC_LINE.captures(l.trim())?;
    let head = clean_heading(c.get(1).map_or("", |m| m.as_str()));
    let head = head.trim_end_matches(['-', '.', '…', '·', ' ', '\t']).trim().to_string();
    if head.is_empty() {
        return None;
    }
    let page = c.get(2).and_then(|m| m.as_str().parse().ok());
    let (number, title) = match numbering(&head) {
        Some((_, n, rest)) if !rest.is_empty() && !CAPTION.is_match(&head) => (Some(n), rest),
        _ => (None, head),
    };
    Some(TocEntry { number, title, page })
}

/// The numbering style of the table of contents' first numbered entry:
/// the style of the chapters.
fn toc_top_style(toc: &[TocEntry]) -> Option<Style> {
    let e = toc.iter().find(|e| e.number.is_some())?;
    let n = e.number.as_deref()?;
    ["、", " ", ". "].iter().find_map(|sep| numbering(&format!("{n}{sep}{}", e.title)).map(|(s, _, _)| s))
}

#[allow(clippy::too_many_arguments)]
fn open_heading(
    stack: &mut Vec<Open>,
    tree: &mut Tree,
    style: Option<Style>,
    top: Option<Style>,
    md: Option<u8>,
    number: Option<String>,
    title: String,
    sp: Span,
) {
    match &style {
        Some(s) => {
            // Back to the level of this style, if open; else one below the last numbered.
            let at = stack.iter().rposition(|o| o.style.as_ref() == Some(s));
            let keep = match at {
                Some(k) => k,
                // The style of the table of contents' chapters: a chapter,
                // whatever numbered lines came before it (（1）… in a summary).
                None if top.as_ref() == Some(s) => 0,
                None => {
                    // Dotted(n) sits below Dotted(n-1) or its Arabic parent.
                    let parent = match s {
                        Style::Dotted(d) => stack.iter().rposition(|o| match &o.style {
                            Some(Style::Dotted(e)) => e < d,
                            Some(Style::Arabic) | Some(Style::Chapter) | Some(Style::Part) | Some(Style::CnDun) => true,
                            _ => false,
                        }),
                        _ => stack.iter().rposition(|o| o.style.is_some()),
                    };
                    parent.map_or(0, |p| p + 1)
                }
            };
            close_to(stack, tree, keep);
            // A sub-number without its parent (1.2 right after 第一章 1.1 is fine;
            // 1.1.1 with no 1.1): add the parent, marked editorial.
            if let (Style::Dotted(d), Some(num)) = (s, &number)
                && *d >= 3
                && !stack.iter().any(|o| o.style == Some(Style::Dotted(d - 1)))
                && let Some((parent, _)) = num.rsplit_once(['.', '．'])
            {
                stack.push(Open {
                    style: Some(Style::Dotted(d - 1)),
                    md: None,
                    section: Section {
                        number: Some(parent.to_string()),
                        title: parent.to_string(),
                        page: sp.page,
                        editorial: true,
                        ..Default::default()
                    },
                    spans: Vec::new(),
                    first: sp.first,
                    last: sp.last,
                });
                tree.warnings
                    .push((sp.first, format!("heading {num} has no parent {parent}: added one, marked editorial")));
            }
        }
        None => {
            // Below the last numbered heading, nested by Markdown level.
            let base = stack.iter().rposition(|o| o.style.is_some()).map_or(0, |p| p + 1);
            let lvl = md.unwrap_or(6);
            let keep = (base..stack.len()).find(|&k| stack[k].md.is_some_and(|m| m >= lvl)).unwrap_or(stack.len());
            close_to(stack, tree, keep);
        }
    }
    stack.push(Open {
        style,
        // Plain text's unnumbered headings are siblings (level 6).
        md: if number.is_none() { Some(md.unwrap_or(6)) } else { None },
        section: Section { number, title, page: sp.page, ..Default::default() },
        spans: Vec::new(),
        first: sp.first,
        last: sp.last,
    });
}

fn close_to(stack: &mut Vec<Open>, tree: &mut Tree, keep: usize) {
    while stack.len() > keep {
        close_one(stack, tree);
    }
}

fn close_all(stack: &mut Vec<Open>, tree: &mut Tree) {
    close_to(stack, tree, 0);
}

fn close_one(stack: &mut Vec<Open>, tree: &mut Tree) {
    let Some(o) = stack.pop() else { return };
    tree.lines_of.push((o.first, o.last));
    tree.block_spans_of.push(o.spans);
    match stack.last_mut() {
        Some(parent) => {
            parent.last = parent.last.max(o.last);
            parent.section.sections.push(o.section);
        }
        None => tree.chapters.push(o.section),
    }
}

/// A block into the open section (or the front matter), with the span of
/// the source block being read.
fn push_block(stack: &mut [Open], tree: &mut Tree, b: Block) {
    let at = tree.at;
    match stack.last_mut() {
        Some(o) => {
            o.section.blocks.push(b);
            o.section.block_pages.push(at.page);
            o.spans.push(at);
        }
        None => {
            tree.front.push(b);
            tree.front_pages.push(at.page);
            tree.front_spans.push(at);
        }
    }
}

/// The waiting caption, as the title of the block being read: that block's
/// span then starts at the caption.
fn take_caption(tree: &mut Tree, caption: &mut Option<String>) -> Option<String> {
    let c = caption.take()?;
    if let Some(cs) = tree.caption_at.take() {
        tree.at = Span { first: cs.first.min(tree.at.first), last: tree.at.last, page: cs.page };
    }
    Some(c)
}

/// A caption no table or image took: text, at its own span.
fn flush_caption(stack: &mut [Open], tree: &mut Tree, caption: &mut Option<String>) {
    if let Some(c) = caption.take() {
        let reading = tree.at;
        tree.at = tree.caption_at.take().unwrap_or(reading);
        push_block(stack, tree, Block::Text(Text { title: None, industries: vec![], text: c }));
        tree.at = reading;
    }
}

/// A paragraph: a caption waits for its table or image (the next block);
/// anything else is text.
fn add_para(stack: &mut [Open], tree: &mut Tree, caption: &mut Option<String>, blocks: &[Blk], i: usize, t: &str) {
    flush_caption(stack, tree, caption);
    let next_is_figure = blocks.get(i + 1).is_some_and(|b| matches!(b.kind, Kind::Table(_) | Kind::Image { .. }));
    if CAPTION.is_match(t) && t.chars().count() <= 100 && next_is_figure {
        *caption = Some(t.to_string());
        tree.caption_at = Some(tree.at);
        return;
    }
    push_block(stack, tree, Block::Text(Text { title: None, industries: vec![], text: t.to_string() }));
}

/// A paragraph's lines joined as running text.
pub fn joined(t: &str) -> String {
    let mut s = String::new();
    for l in t.split('\n') {
        super::parse::join_wrapped(&mut s, l);
    }
    s
}

/// Append rows to the last table of the open section when the columns match.
fn join_table(stack: &mut [Open], tree: &mut Tree, rows: &[Vec<String>]) -> bool {
    let blocks = match stack.last_mut() {
        Some(o) => &mut o.section.blocks,
        None => &mut tree.front,
    };
    // The last table, past any series made from it.
    let Some(Block::Table(t)) = blocks.iter_mut().rev().find(|b| !matches!(b, Block::Series(_))) else {
        return false;
    };
    if t.columns.len() != rows.first().map_or(0, Vec::len) {
        return false;
    }
    let skip = usize::from(rows.first().is_some_and(|r| *r == t.columns));
    t.rows.extend(rows[skip..].iter().map(|r| r.iter().map(|c| Cell(c.clone())).collect()));
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_styles() {
        let s = numbering;
        assert_eq!(s("第一章 总论"), Some((Style::Chapter, "第一章".into(), "总论".into())));
        assert_eq!(s("第二部分：市场"), Some((Style::Part, "第二部分".into(), "市场".into())));
        assert_eq!(s("一、行业概况"), Some((Style::CnDun, "一".into(), "行业概况".into())));
        assert_eq!(s("（一）政策"), Some((Style::CnParen, "（一）".into(), "政策".into())));
        assert_eq!(s("1. 引言"), Some((Style::Arabic, "1".into(), "引言".into())));
        assert_eq!(s("1.1 市场规模"), Some((Style::Dotted(2), "1.1".into(), "市场规模".into())));
        assert_eq!(s("1.1.1 细分"), Some((Style::Dotted(3), "1.1.1".into(), "细分".into())));
        assert_eq!(s("（1）样本"), Some((Style::ArabicParen, "（1）".into(), "样本".into())));
        assert_eq!(s("①数据"), Some((Style::Circled, "①".into(), "数据".into())));
        assert_eq!(s("II. Method"), Some((Style::Roman, "II.".into(), "Method".into())));
        assert_eq!(s("A. 附录"), Some((Style::Latin, "A.".into(), "附录".into())));
        assert_eq!(s("2024年市场"), None);
        assert_eq!(s("3.5亿元"), None);
    }

    #[test]
    fn candidates() {
        assert!(heading_candidate("一、行业概况"));
        assert!(heading_candidate("2.1 高频因子构建"));
        assert!(!heading_candidate("1. 我们认为市场将继续上涨。"));
        assert!(!heading_candidate("图表1 市场规模"));
        assert!(!heading_candidate("2020 2021 2022"));
    }
}
