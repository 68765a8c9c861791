//! `/` over the whole report: the matches of every section in reading
//! order, counted report-wide (`3/41`), with `n`/`N` crossing sections.
//!
//! The page shown is searched as laid out (`FindState`). The other
//! sections are counted lazily: each section's own text (its heading and
//! blocks, folded) is held once per report, and only a section whose text
//! holds the query is laid out (through the page cache) to count its
//! matches exactly as its page shows them. A section's own matches are
//! those below its heading and above its first subsection's.

use super::{FindState, Focus, State};
use crate::content::NodeId;
use crate::doc::{Doc, LayoutOpts, Page};
use crate::text::fold;

/// The report-wide counts of the find query.
#[derive(Debug, Clone, Default)]
pub struct ReportFind {
    /// The report whose texts are held, and each node's own text, folded,
    /// in reading order (the report's root first).
    texts_root: Option<NodeId>,
    texts: Vec<(NodeId, String)>,
    /// What `base` was counted for: the report, the query, the layout.
    key: Option<(NodeId, String, LayoutOpts)>,
    /// Each node's own matches on its own page, in reading order.
    base: Vec<(NodeId, usize)>,
    /// `base` with the nodes the reader shows counted on its page.
    counts: Vec<(NodeId, usize)>,
    total: usize,
}

impl ReportFind {
    /// The number of matches in the report (0 when not searching it).
    pub fn total(&self) -> usize {
        self.total
    }
}

/// The nodes of a report in reading order (parents first).
fn reading_order(lib: &crate::content::Library, root: NodeId) -> Vec<NodeId> {
    let mut order = Vec::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        order.push(n);
        if let Some(x) = lib.nodes.get(n) {
            stack.extend(x.children.iter().rev());
        }
    }
    order
}

/// The matches of `find` (on `doc`) that are `node`'s own, in page order.
fn own_matches<'a>(find: &'a FindState, doc: &'a Doc, node: NodeId) -> impl Iterator<Item = usize> + 'a {
    (0..find.matches.len()).filter(move |&i| doc.node_at(find.matches[i].line()) == Some(node))
}

impl State {
    /// The report the reader is in (its root), unless it shows an industry page.
    fn find_root(&self) -> Option<NodeId> {
        if self.reader.industry.is_some() {
            return None;
        }
        self.lib.ancestry(self.reader.node).first().copied()
    }

    /// Each node's own text, folded: its heading and its blocks (what the
    /// layout draws of them, and every string they hold).
    fn own_texts(&self, root: NodeId) -> Vec<(NodeId, String)> {
        reading_order(&self.lib, root)
            .into_iter()
            .map(|n| {
                let mut t = String::new();
                if let Some(s) = self.lib.section(n) {
                    t.push_str(&s.heading());
                    t.push('\n');
                    for b in &s.blocks {
                        t.push_str(&crate::export::block_plain(&self.lib, b).0);
                        t.push_str(&format!("{b:?}\n"));
                    }
                }
                let folded: String = t.replace("**", "").chars().map(fold).collect();
                (n, folded)
            })
            .collect()
    }

    /// Bring the report-wide counts up to date with the query, the page and
    /// the layout (cheap when nothing changed).
    pub(super) fn refresh_report_find(&mut self) {
        let query = self.reader.find.query.clone();
        let Some(root) = self.find_root().filter(|_| !query.is_empty()) else {
            let texts = (self.report_find.texts_root, std::mem::take(&mut self.report_find.texts));
            self.report_find = ReportFind { texts_root: texts.0, texts: texts.1, ..ReportFind::default() };
            return;
        };
        let opts = self.layout_opts();
        if self.report_find.texts_root != Some(root) {
            self.report_find.texts = self.own_texts(root);
            self.report_find.texts_root = Some(root);
        }
        let key = Some((root, query.clone(), opts));
        if self.report_find.key != key {
            let q: String = query.chars().map(fold).collect();
            let todo: Vec<(NodeId, bool)> =
                self.report_find.texts.iter().map(|(n, t)| (*n, *n == root || t.contains(&q))).collect();
            let mut base = Vec::with_capacity(todo.len());
            for (n, maybe) in todo {
                let count = if maybe {
                    let doc = self.page_doc(Page::Node(n), opts);
                    let mut f = FindState::default();
                    f.set_query(&query, &doc);
                    own_matches(&f, &doc, n).count()
                } else {
                    0
                };
                base.push((n, count));
            }
            self.report_find.base = base;
            self.report_find.key = key;
        }
        // The nodes the page shows: counted as the page shows them.
        let (doc, find) = (&self.reader.doc, &self.reader.find);
        let counts: Vec<(NodeId, usize)> = self
            .report_find
            .base
            .iter()
            .map(|&(n, c)| if self.shows(n) { (n, own_matches(find, doc, n).count()) } else { (n, c) })
            .collect();
        self.report_find.total = counts.iter().map(|c| c.1).sum();
        self.report_find.counts = counts;
    }

    /// Whether the reader's page shows node `n` (it is the page's section
    /// or one of its subsections).
    fn shows(&self, n: NodeId) -> bool {
        self.reader.industry.is_none() && self.lib.ancestry(n).contains(&self.reader.node)
    }

    /// Whether `/` searches the whole report now (not an industry page).
    fn report_wide(&self) -> bool {
        let q = &self.reader.find.query;
        !q.is_empty() && self.report_find.key.as_ref().is_some_and(|k| k.1 == *q)
    }

    /// "3/41" for the status bar: the current match among the report's.
    pub fn find_position(&self) -> Option<String> {
        if !self.report_wide() {
            return self.reader.find.position();
        }
        let total = self.report_find.total;
        let Some(c) = self.reader.find.current.filter(|&c| c < self.reader.find.matches.len()) else {
            return Some(format!("-/{total}"));
        };
        let (doc, find) = (&self.reader.doc, &self.reader.find);
        let owner = doc.node_at(find.matches[c].line());
        let Some(owner) = owner else { return find.position() };
        let before: usize = self.report_find.counts.iter().take_while(|x| x.0 != owner).map(|x| x.1).sum();
        let k = own_matches(find, doc, owner).take_while(|&i| i < c).count();
        Some(format!("{}/{total}", before + k + 1))
    }

    /// `n` / `N` over the report: the next match on the page, else the
    /// first one in the next section that has one (opened, the match at
    /// the reading line), wrapping at the report's ends.
    pub(super) fn find_step_report(&mut self, forward: bool) {
        self.refresh_report_find();
        if !self.report_wide() {
            self.find_step_page(forward);
            return;
        }
        if self.report_find.total == 0 {
            self.message = Some(self.not_found_message());
            return;
        }
        let find = &self.reader.find;
        let n = find.matches.len();
        let focus = self.focus_line();
        let on_page = match (find.current.filter(|&c| c < n), forward) {
            (Some(c), true) => (c + 1 < n).then_some(c + 1),
            (Some(c), false) => c.checked_sub(1),
            (None, true) => find.matches.iter().position(|m| m.line() >= focus),
            (None, false) => find.matches.iter().rposition(|m| m.line() < focus),
        };
        if let Some(i) = on_page {
            self.land_match(i);
            return;
        }
        // Another section: the nearest in reading order with a match.
        let counts = &self.report_find.counts;
        let len = counts.len();
        let Some(i0) = counts.iter().position(|x| x.0 == self.reader.node) else { return };
        let i1 = (i0 + 1..len).find(|&j| !self.shows(counts[j].0)).unwrap_or(len);
        let ahead: Vec<usize> =
            if forward { (i1..len).chain(0..i1).collect() } else { (0..i0).rev().chain((i0..len).rev()).collect() };
        let Some(j) = ahead.into_iter().find(|&j| counts[j].1 > 0) else { return };
        let wrapped = if forward { j < i1 } else { j >= i0 };
        let target = counts[j].0;
        if !self.shows(target) {
            self.jump_to(target);
            self.focus = Focus::Reader;
        }
        let (doc, find) = (&self.reader.doc, &self.reader.find);
        let pick = if forward { own_matches(find, doc, target).next() } else { own_matches(find, doc, target).last() };
        if let Some(i) = pick {
            self.land_match(i);
        }
        if wrapped {
            self.message = Some(
                if forward {
                    "已到报告末尾，从开头继续查找"
                } else {
                    "已到报告开头，从末尾继续查找"
                }
                .into(),
            );
        }
    }

    /// Make page match `i` current and land on it.
    fn land_match(&mut self, i: usize) {
        let Some(line) = self.reader.find.matches.get(i).map(|m| m.line()) else { return };
        self.reader.find.current = Some(i);
        self.land(line);
        if self.reader.find.current_hidden() {
            self.message = Some("这一处在截断的单元格里：按 w 展开表格".into());
        }
    }

    /// `n` / `N` on a page alone (an industry page): cycling its matches.
    fn find_step_page(&mut self, forward: bool) {
        if let Some(line) = self.reader.find.step(forward) {
            self.land(line);
            if self.reader.find.current_hidden() {
                self.message = Some("这一处在截断的单元格里：按 w 展开表格".into());
            }
        } else {
            self.message = Some(format!("未找到：{}", self.reader.find.query));
        }
    }

    /// The query is not in this report (or page): say whether other
    /// reports hold it, and offer the finder.
    pub(super) fn not_found_message(&self) -> String {
        let query = &self.reader.find.query;
        let here = if self.report_wide() { "本报告" } else { "本页" };
        if !self.index.is_ready() {
            return format!("{here}未找到：{query}（按 s 在全部报告中查找）");
        }
        let q: Vec<char> = query.chars().map(fold).collect();
        let qs: String = q.iter().collect();
        let this = self.find_root().and_then(|r| self.lib.nodes.get(r)).map(|n| n.report);
        let mut reports: Vec<usize> = Vec::new();
        for u in &self.index.get().units {
            let Some(r) = u.node().and_then(|n| self.lib.nodes.get(n)).map(|n| n.report) else { continue };
            if Some(r) == this || reports.contains(&r) {
                continue;
            }
            let hit = |s: &str| s.chars().map(fold).collect::<String>().contains(&qs);
            if hit(&u.text) || hit(&u.title) {
                reports.push(r);
            }
        }
        if reports.is_empty() {
            format!("未找到：{query}")
        } else {
            format!("{here}未找到：{query}；另有 {} 份报告提到（按 s 在全部报告中查找）", reports.len())
        }
    }
}
