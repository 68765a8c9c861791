//! `/` over the whole report: the matches of every section in reading
//! order, counted report-wide (`3/41`), with `n`/`N` crossing sections.
//!
//! The page shown is searched as laid out (`FindState`). The other
//! sections are counted in their text as the report's chapter pages draw
//! it (folded, one run per paragraph or cell), laid out once per report and
//! layout and held: a keystroke searches these texts and lays out nothing.
//! A section's own matches on its page are those below its heading and
//! above its first subsection's.

use super::view::reading_order;
use super::{FindState, Focus, State};
use crate::content::NodeId;
use crate::doc::Doc;
use crate::text::fold;

/// The report-wide counts of the find query.
#[derive(Debug, Clone, Default)]
pub struct ReportFind {
    /// The report whose texts are held, and each node's own text, folded,
    /// in reading order (the report's root first), as runs a match cannot
    /// cross (a paragraph, a cell, a label).
    texts_root: Option<(NodeId, crate::doc::LayoutOpts)>,
    texts: Vec<(NodeId, Vec<String>)>,
    /// What `base` was counted for: the report and the query.
    key: Option<(NodeId, String)>,
    /// Each node's own matches in its text, in reading order.
    base: Vec<(NodeId, usize)>,
    /// `base` with the nodes the page shows counted as the page shows them.
    counts: Vec<(NodeId, usize)>,
    total: usize,
}

impl ReportFind {
    /// The number of matches in the report (0 when not searching it).
    pub fn total(&self) -> usize {
        self.total
    }
}

/// The matches of `find` (on `doc`) that are `node`'s own, in page order.
fn own_matches<'a>(find: &'a FindState, doc: &'a Doc, node: NodeId) -> impl Iterator<Item = usize> + 'a {
    (0..find.matches.len()).filter(move |&i| doc.node_at(find.matches[i].line()) == Some(node))
}

/// The matches of the folded query `q` in each node's runs: literally, or,
/// when the report holds it nowhere literally, as pinyin (as the page does).
fn count_runs(texts: &[(NodeId, Vec<String>)], query: &str, q: &str) -> Vec<(NodeId, usize)> {
    let literal: Vec<(NodeId, usize)> =
        texts.iter().map(|(n, runs)| (*n, runs.iter().map(|r| r.matches(q).count()).sum())).collect();
    if literal.iter().any(|c| c.1 > 0) {
        return literal;
    }
    let Some(mut py) = crate::search::PagePinyin::new(query) else { return literal };
    let chars: Vec<Vec<Vec<char>>> =
        texts.iter().map(|(_, runs)| runs.iter().map(|r| r.chars().collect()).collect()).collect();
    chars.iter().flatten().for_each(|r| py.learn(r));
    texts.iter().zip(&chars).map(|((n, _), runs)| (*n, runs.iter().map(|r| py.runs(r).len()).sum())).collect()
}

impl State {
    /// The report the reader is in (its root), unless it shows an industry page.
    fn find_root(&self) -> Option<NodeId> {
        if self.reader.industry.is_some() {
            return None;
        }
        self.lib.ancestry(self.reader.node).first().copied()
    }

    /// Each node's own text as its pages draw it, folded, as runs (a
    /// paragraph, a cell): the report's root page and its chapters' pages
    /// (which show every section), laid out once per report and layout.
    fn own_texts(&mut self, root: NodeId, opts: crate::doc::LayoutOpts) -> Vec<(NodeId, Vec<String>)> {
        let pages: Vec<NodeId> = std::iter::once(root)
            .chain(self.lib.nodes.get(root).map(|n| n.children.clone()).unwrap_or_default())
            .collect();
        let mut by_node: std::collections::HashMap<NodeId, Vec<String>> = std::collections::HashMap::new();
        for p in pages {
            let doc = self.page_doc(crate::doc::Page::Node(p), opts);
            for run in super::find::page_runs(&doc) {
                let Some(n) = run.first().and_then(|c| doc.node_at(c.1)) else { continue };
                by_node.entry(n).or_default().push(run.iter().map(|c| c.0).collect());
            }
        }
        reading_order(&self.lib, root).into_iter().map(|n| (n, by_node.remove(&n).unwrap_or_default())).collect()
    }

    /// Bring the report-wide counts up to date with the query and the page
    /// (cheap when neither changed: the page's own matches are recounted).
    pub(super) fn refresh_report_find(&mut self) {
        let query = self.reader.find.query.clone();
        let Some(root) = self.find_root().filter(|_| !query.is_empty()) else {
            let (root, texts) = (self.report_find.texts_root, std::mem::take(&mut self.report_find.texts));
            self.report_find = ReportFind { texts_root: root, texts, ..ReportFind::default() };
            return;
        };
        let opts = self.layout_opts();
        if self.report_find.texts_root != Some((root, opts)) {
            self.report_find.texts = self.own_texts(root, opts);
            self.report_find.texts_root = Some((root, opts));
            self.report_find.key = None;
        }
        let key = Some((root, query.clone()));
        if self.report_find.key != key {
            let q: String = query.chars().map(fold).collect();
            self.report_find.base = count_runs(&self.report_find.texts, &query, &q);
            self.report_find.key = key;
        }
        let (doc, find) = (&self.reader.doc, &self.reader.find);
        let counts: Vec<(NodeId, usize)> = self
            .report_find
            .base
            .iter()
            .map(|&(n, c)| if self.page_shows(n) { (n, own_matches(find, doc, n).count()) } else { (n, c) })
            .collect();
        self.report_find.total = counts.iter().map(|c| c.1).sum();
        self.report_find.counts = counts;
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
        let (doc, find) = (&self.reader.doc, &self.reader.find);
        let Some(c) = find.current.filter(|&c| c < find.matches.len()) else {
            return Some(format!("-/{total}"));
        };
        let Some(owner) = doc.node_at(find.matches[c].line()) else { return find.position() };
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
        // Another section: the nearest in reading order that has a match.
        // Its text said so; should its page not (a count in the text that
        // the page draws otherwise), the one after it.
        let counts = self.report_find.counts.clone();
        let len = counts.len();
        let Some(i0) = counts.iter().position(|x| x.0 == self.reader.node) else { return };
        let i1 = (i0 + 1..len).find(|&j| !self.page_shows(counts[j].0)).unwrap_or(len);
        let ahead: Vec<usize> =
            if forward { (i1..len).chain(0..i1).collect() } else { (0..i0).rev().chain((i0..len).rev()).collect() };
        for j in ahead.into_iter().filter(|&j| counts[j].1 > 0) {
            let target = counts[j].0;
            if !self.page_shows(target) {
                self.jump_to(target);
                self.focus = Focus::Reader;
            }
            let (doc, find) = (&self.reader.doc, &self.reader.find);
            let pick =
                if forward { own_matches(find, doc, target).next() } else { own_matches(find, doc, target).last() };
            let Some(i) = pick else { continue };
            self.refresh_report_find();
            self.land_match(i);
            let wrapped = if forward { j < i1 } else { j >= i0 };
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
            return;
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
            self.message = Some(self.not_found_message());
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

    /// `s`: the finder; with the find query when `/` found it nowhere in
    /// the report (or on an industry page), as the status offered.
    pub(super) fn open_finder(&mut self) -> Vec<crate::action::Effect> {
        let q = self.reader.find.query.clone();
        let none = if self.report_wide() { self.report_find.total == 0 } else { self.reader.find.matches.is_empty() };
        if q.is_empty() || !none {
            self.overlays.push(super::Overlay::Search(super::SearchState::default()));
            return vec![];
        }
        self.overlays.push(super::Overlay::Search(super::SearchState { input: q, ..Default::default() }));
        self.search_changed()
    }
}
