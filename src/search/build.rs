//! Building the index: units from a library, and the per-character unit lists.

use super::*;

/// Sentences of a text: split after 。！？； and line breaks.
pub(super) fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c == '\n' {
            if !cur.trim().is_empty() {
                out.push(cur.trim().to_string());
            }
            cur.clear();
            continue;
        }
        cur.push(c);
        if matches!(c, '。' | '！' | '？' | '；') {
            out.push(cur.trim().to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

pub(super) fn probe_of(s: &str) -> String {
    s.chars().take(10).collect()
}

pub(super) struct Builder<'a> {
    pub(super) lib: &'a Library,
    pub(super) units: Vec<Unit>,
    pub(super) table: pinyin::Table,
    pub(super) group: u32,
}

impl Builder<'_> {
    pub(super) fn place(&mut self, kind: Kind, title: String, text: String, node: NodeId, probe: String) -> &mut Unit {
        let mut u = Unit::new(kind, title, text, Target::Place { node, probe }, &mut self.table);
        u.group = self.group;
        self.units.push(u);
        self.units.last_mut().expect("just pushed")
    }

    /// Units added after this belong to a new group.
    pub(super) fn next_group(&mut self) {
        self.group += 1;
    }

    pub(super) fn company_names(&self, ids: &[String]) -> String {
        ids.iter().map(|i| self.lib.company(i).map(|c| c.name.as_str()).unwrap_or(i)).collect::<Vec<_>>().join("、")
    }

    pub(super) fn blocks(&mut self, blocks: &[Block], node: NodeId, section_title: &str) {
        for b in blocks {
            self.next_group();
            match b {
                Block::Text(t) => {
                    let own = t.title.is_some();
                    let title = t.title.clone().unwrap_or_else(|| section_title.to_string());
                    for s in sentences(&t.text) {
                        let probe = probe_of(&s);
                        self.place(Kind::Text, title.clone(), s, node, probe).own_title = own;
                    }
                }
                Block::Insights(x) => {
                    for it in &x.items {
                        self.next_group();
                        let text = format!("{} {}", it.headline, it.note.clone().unwrap_or_default());
                        self.place(Kind::Section, it.headline.clone(), text, node, probe_of(&it.headline));
                    }
                }
                Block::List(l) => {
                    let own = l.title.is_some();
                    let title = l.title.clone().unwrap_or_else(|| section_title.to_string());
                    for it in &l.items {
                        self.place(Kind::Text, title.clone(), it.clone(), node, probe_of(it)).own_title = own;
                    }
                }
                Block::Table(t) => {
                    let title = t.title.clone().unwrap_or_else(|| section_title.to_string());
                    for row in &t.rows {
                        let mut text = String::new();
                        let mut cells = Vec::new();
                        let mut at = 0;
                        for (c, v) in t.columns.iter().zip(row) {
                            if !text.is_empty() {
                                text.push_str("  ");
                                at += 2;
                            }
                            let (cn, vn) = (c.chars().count(), v.0.chars().count());
                            cells.push(CellSpan { column: at..at + cn, value: at + cn + 1..at + cn + 1 + vn });
                            text.push_str(c);
                            text.push('：');
                            text.push_str(&v.0);
                            at += cn + 1 + vn;
                        }
                        let probe = row.first().map(|c| probe_of(&c.0)).unwrap_or_default();
                        let u = self.place(Kind::Table, title.clone(), text, node, probe);
                        u.cells = cells;
                        u.own_title = t.title.is_some();
                    }
                }
                Block::Series(s) => {
                    let unit = s.unit.clone().unwrap_or_default();
                    let title = s.title.clone().unwrap_or_else(|| section_title.to_string());
                    let text = s
                        .points
                        .iter()
                        .map(|p| format!("{} {}{unit}", p.label, fmt_num(p.value)))
                        .collect::<Vec<_>>()
                        .join("  ");
                    self.place(Kind::Figure, title.clone(), text, node, probe_of(&title)).own_title = s.title.is_some();
                }
                Block::Metrics(m) => {
                    for it in &m.items {
                        self.next_group();
                        let text = format!("{} {}{}", it.label, it.value, it.unit.clone().unwrap_or_default());
                        self.place(Kind::Metric, it.label.clone(), text, node, probe_of(&it.label));
                    }
                }
                Block::Participants(p) => {
                    for g in &p.groups {
                        self.next_group();
                        let text = self.company_names(&g.companies);
                        self.place(Kind::Group, g.name.clone(), text, node, probe_of(&g.name));
                    }
                }
                Block::Case(c) => {
                    let mut parts = vec![self.company_names(&c.companies), c.locations.join("、")];
                    parts.extend(c.background.clone());
                    parts.extend(c.pain_points.iter().cloned());
                    parts.extend(c.solution.iter().cloned());
                    parts.extend(
                        c.results
                            .iter()
                            .map(|m| format!("{} {}{}", m.label, m.value, m.unit.clone().unwrap_or_default())),
                    );
                    let text = parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("  ");
                    self.place(Kind::Case, c.title.clone(), text, node, probe_of(&c.title));
                }
                Block::Example(e) => {
                    // The title: the example's own, else who (or where) it is
                    // about; the text does not repeat what the title says.
                    let names = self.company_names(&e.companies);
                    let places = e.locations.join("、");
                    let (title, mut parts) = match &e.title {
                        Some(t) => (t.clone(), vec![names, places]),
                        None if !names.is_empty() => (names, vec![places]),
                        None if !places.is_empty() => (places, vec![]),
                        None => (e.label(), vec![]),
                    };
                    parts.push(e.text.clone());
                    parts.extend(
                        e.results
                            .iter()
                            .map(|m| format!("{} {}{}", m.label, m.value, m.unit.clone().unwrap_or_default())),
                    );
                    let text = parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join("  ");
                    self.place(Kind::Example, title, text, node, probe_of(&e.text));
                }
            }
        }
    }

    pub(super) fn section(&mut self, s: &Section, node: NodeId) {
        let inds: Vec<&str> =
            s.industries.iter().filter_map(|i| self.lib.industry(i)).map(|i| i.name.as_str()).collect();
        self.next_group();
        self.place(Kind::Section, s.heading(), inds.join("、"), node, probe_of(&s.heading()));
        self.blocks(&s.blocks, node, &s.title);
        let children = self.lib.nodes[node].children.clone();
        for (sub, child) in s.sections.iter().zip(children) {
            self.section(sub, child);
        }
    }
}

impl Index {
    /// Index every searchable unit, registries first, then the reports in reading order.
    pub fn build(lib: &Library) -> Index {
        Index::build_with(lib, &|_, _| {})
    }

    /// [`Index::build`], telling `progress` (reports indexed, reports in all).
    pub fn build_with(lib: &Library, progress: &(dyn Fn(usize, usize) + Sync)) -> Index {
        let total = lib.nodes.iter().filter(|n| n.parent.is_none()).count();
        let mut done = 0;
        let mut b = Builder { lib, units: Vec::new(), table: pinyin::Table::default(), group: 0 };
        for i in &lib.industries {
            let text = std::iter::once(i.english.clone().unwrap_or_default())
                .chain(i.aliases.iter().cloned())
                .collect::<Vec<_>>()
                .join("  ");
            let target = Target::Industry(i.id.clone());
            b.next_group();
            let mut u = Unit::new(Kind::Industry, i.name.clone(), text, target, &mut b.table);
            u.group = b.group;
            b.units.push(u);
        }
        for c in &lib.companies {
            let mut parts: Vec<String> = c.latin.iter().cloned().collect();
            parts.extend(c.aliases.iter().cloned());
            parts.extend(c.kind.iter().cloned());
            let target = Target::Company(c.id.clone());
            b.next_group();
            let mut u = Unit::new(Kind::Company, c.name.clone(), parts.join("  "), target, &mut b.table);
            u.group = b.group;
            b.units.push(u);
        }
        for (n, node) in lib.nodes.iter().enumerate() {
            if node.parent.is_none()
                && let Some(r) = lib.report(node.report)
            {
                done += 1;
                progress(done, total);
                b.next_group();
                b.place(Kind::Section, r.title.clone(), format!("{} {}", r.publisher, r.date), n, probe_of(&r.title));
                b.blocks(&r.abstract_blocks, n, &r.title);
                for &ch in &node.children {
                    if let Some(s) = lib.section(ch) {
                        b.section(s, ch);
                    }
                }
            }
        }
        // A node's path: the headings from its chapter down to it.
        let paths = (0..lib.nodes.len())
            .map(|n| {
                let heads: Vec<String> =
                    lib.ancestry(n).into_iter().filter_map(|a| lib.head_section(a)).map(|s| s.heading()).collect();
                Prepared::new(&heads.join(" › "), &mut b.table)
            })
            .collect();
        let screens = b.units.iter().map(|u| Screen::new(u, &b.table)).collect();
        Index::from_parts(b.units, screens, paths, std::sync::Arc::new(b.table), 0)
    }

    /// Build the per-character unit lists now, not on the first search (the
    /// app does it on a thread as it starts: tens of milliseconds, off the
    /// first keystroke).
    pub fn prepare(&self) {
        self.unit_lists();
    }

    /// Whether [`Index::prepare`] has run.
    pub fn is_prepared(&self) -> bool {
        self.postings.get().is_some()
    }

    pub(super) fn unit_lists(&self) -> &postings::Postings {
        self.postings.get_or_init(|| {
            let u = &self.units;
            postings::Postings::Built(postings::Built::build(
                &self.table,
                u.len(),
                self.paths.len(),
                |i| [&u[i].title_p, &u[i].text_p].map(|f| (&f.chars[..], &f.starts[..], &f.ids[..])),
                // Nodes as `paths` counts them: from `path_base` in a piece.
                |i| u[i].node().and_then(|n| n.checked_sub(self.path_base)),
            ))
        })
    }

    /// The per-character unit lists in their cache form (built if need be;
    /// see `postings::Built::encode`).
    pub fn encode_postings(&self) -> Vec<u8> {
        match self.unit_lists() {
            postings::Postings::Built(b) => b.encode(self.units.len()),
            postings::Postings::Mapped(_) => {
                let u = &self.units;
                postings::Built::build(
                    &self.table,
                    u.len(),
                    self.paths.len(),
                    |i| [&u[i].title_p, &u[i].text_p].map(|f| (&f.chars[..], &f.starts[..], &f.ids[..])),
                    |i| u[i].node().and_then(|n| n.checked_sub(self.path_base)),
                )
                .encode(u.len())
            }
        }
    }

    /// Use the unit lists in `bytes[range]` (in the form of
    /// [`Index::encode_postings`], their checksum already checked) instead
    /// of building them. False, and nothing changed, if they do not fit
    /// this index or the lists are already there.
    pub fn attach_postings(&self, bytes: postings::Shared, range: std::ops::Range<usize>) -> bool {
        if self.path_base != 0 || self.postings.get().is_some() {
            return false;
        }
        match postings::Mapped::new(bytes, range, self.units.len()) {
            Some(m) => self.postings.set(postings::Postings::Mapped(m)).is_ok(),
            None => false,
        }
    }

    /// Whether the unit lists are read from a mapped cache file.
    pub fn postings_mapped(&self) -> bool {
        matches!(self.postings.get(), Some(postings::Postings::Mapped(_)))
    }
}

/// The block of its place a unit was cut from (a table row's table, a
/// chart, a metric's card, a sentence's paragraph): the blocks of the
/// unit's place are cut again, one at a time, and the first whose units
/// hold this one (same kind, title and text) is it. `None` for a unit of
/// no block (a heading, a company, an industry).
pub fn unit_block(lib: &Library, unit: &Unit) -> Option<(NodeId, usize)> {
    let Target::Place { node, .. } = &unit.target else { return None };
    let node = *node;
    let (blocks, title) = match lib.section(node) {
        Some(s) => (&s.blocks, s.title.clone()),
        None => {
            let r = lib.report_of(node)?;
            (&r.abstract_blocks, r.title.clone())
        }
    };
    let mut b = Builder { lib, units: Vec::new(), table: pinyin::Table::default(), group: 0 };
    blocks
        .iter()
        .position(|block| {
            b.units.clear();
            b.blocks(std::slice::from_ref(block), node, &title);
            b.units.iter().any(|u| u.kind == unit.kind && u.title == unit.title && u.text == unit.text)
        })
        .map(|i| (node, i))
}
