//! Content: the model, loading, validation and the outline of places.
//! No terminal code lives here.

mod files;
mod industry;
mod load;
mod locate;
mod memo;
mod mentions;
mod model;
mod names;
pub mod numbering;

pub use files::{
    Listed, MAX_FILE_BYTES, folder_prefix, list_dir, list_dirs, open_regular, read_dir, read_dirs, read_guarded,
    read_guarded_text,
};
pub use industry::{IndustryPlan, IndustryStats};
pub use load::{Files, MAX_SECTIONS_PER_FILE, load, load_roots, load_roots_with};
pub use locate::{LazyLocator, Locator, MAX_FLOW_DEPTH, duplicate_key, flow_too_deep, flow_too_deep_message};
pub use mentions::Mentions;
pub use model::*;
pub use names::{short_name, year_of};

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

/// The bundled reports, embedded at build time.
static BUNDLED: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/content");

/// The files of the bundled content.
pub fn bundled_files() -> Files {
    fn walk(dir: &include_dir::Dir<'static>, out: &mut Files) {
        for f in dir.files() {
            let p = f.path().to_string_lossy().replace('\\', "/");
            if p.ends_with(".yaml") || p.ends_with(".yml") {
                out.insert(p, String::from_utf8_lossy(f.contents()).into_owned());
            }
        }
        for d in dir.dirs() {
            walk(d, out);
        }
    }
    let mut out = Files::new();
    walk(&BUNDLED, &mut out);
    out
}

/// One problem in a content folder (see [`crate::located::Located`]).
pub type ContentError = crate::located::Located;

/// A place in the outline: a report, a chapter or a section.
pub type NodeId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Report,
    Chapter,
    Section,
}

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    pub report: usize,
    /// Indices from the report down: [chapter, section, subsection, ...].
    pub path: Vec<usize>,
    pub depth: usize,
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
}

/// Where a report's full content comes from when a library is loaded
/// lazily (from the cache): `None` if it cannot be had.
pub trait ReportSource: Send + Sync {
    fn load(&self, report: usize) -> Option<Report>;
}

/// Everything loaded: reports, registries and the outline of places.
///
/// A report has a head, always in memory: its metadata and its outline
/// (every section's id, number, title, page and industries, without the
/// blocks). Its full content is in memory from the start when the library
/// was parsed, or is loaded on first use ([`Library::report`],
/// [`Library::section`]) when it came from the cache; it then stays, shared
/// by every user of the library.
#[derive(Default)]
pub struct Library {
    heads: Vec<Report>,
    full: Vec<OnceLock<Report>>,
    source: Option<Box<dyn ReportSource>>,
    pub industries: Vec<Industry>,
    pub companies: Vec<Company>,
    /// Where the companies are named in a text (see [`Mentions`]).
    pub mentions: Mentions,
    pub nodes: Vec<Node>,
    company_ix: HashMap<String, usize>,
    industry_ix: HashMap<String, usize>,
    id_ix: OnceLock<HashMap<String, NodeId>>,
    /// Every report's short name, made on first use.
    names: OnceLock<Vec<(String, String)>>,
    /// Each report's rank by date, newest first, made on first use.
    date_rank: OnceLock<Vec<usize>>,
    /// Per industry of the registry: its page's plan and counts, made on first use.
    industry_memo: Vec<OnceLock<(IndustryPlan, IndustryStats)>>,
    /// Values other modules derive from the whole library, once (see `memo.rs`).
    memos: memo::Memos,
}

/// Counts printed by `yanbao check`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub reports: usize,
    pub chapters: usize,
    pub sections: usize,
    pub tables: usize,
    pub series: usize,
    pub metrics: usize,
    pub cases: usize,
    pub examples: usize,
    pub participant_groups: usize,
    pub companies: usize,
    pub industries: usize,
}

impl Counts {
    /// Counts of one report's chapters, sections and blocks (the registry
    /// counts stay zero).
    pub fn of_report(r: &Report) -> Counts {
        let mut c = Counts::default();
        c.add_report(r);
        c
    }

    fn add_report(&mut self, r: &Report) {
        self.add_blocks(&r.abstract_blocks);
        self.chapters += r.chapters.len();
        for ch in &r.chapters {
            self.add_blocks(&ch.blocks);
            ch.sections.iter().for_each(|x| self.add_section(x));
        }
    }

    fn add_section(&mut self, s: &Section) {
        self.sections += 1;
        self.add_blocks(&s.blocks);
        s.sections.iter().for_each(|x| self.add_section(x));
    }

    fn add_blocks(&mut self, bs: &[Block]) {
        for b in bs {
            match b {
                Block::Table(_) => self.tables += 1,
                Block::Series(_) => self.series += 1,
                Block::Metrics(_) => self.metrics += 1,
                Block::Case(_) => self.cases += 1,
                Block::Example(_) => self.examples += 1,
                Block::Participants(p) => self.participant_groups += p.groups.len(),
                _ => {}
            }
        }
    }
}

impl fmt::Debug for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loaded = self.full.iter().filter(|c| c.get().is_some()).count();
        write!(f, "Library({} reports, {loaded} loaded, {} nodes)", self.heads.len(), self.nodes.len())
    }
}

/// A report's head: the report without its blocks.
pub fn head_of(r: &Report) -> Report {
    fn strip(s: &Section) -> Section {
        Section {
            id: s.id.clone(),
            number: s.number.clone(),
            title: s.title.clone(),
            page: s.page,
            industries: s.industries.clone(),
            editorial: s.editorial,
            blocks: Vec::new(),
            block_pages: Vec::new(),
            sections: s.sections.iter().map(strip).collect(),
        }
    }
    Report {
        id: r.id.clone(),
        title: r.title.clone(),
        publisher: r.publisher.clone(),
        date: r.date.clone(),
        source: r.source.clone(),
        toc: r.toc.clone(),
        abstract_blocks: Vec::new(),
        abstract_pages: Vec::new(),
        chapters: r.chapters.iter().map(strip).collect(),
        dir: r.dir.clone(),
        chapter_files: r.chapter_files.clone(),
    }
}

/// Whether a report has the outline of a head (the same sections, nested alike).
fn same_outline(head: &Report, r: &Report) -> bool {
    fn same(a: &[Section], b: &[Section]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.id == y.id && same(&x.sections, &y.sections))
    }
    head.id == r.id && same(&head.chapters, &r.chapters)
}

impl Library {
    /// A library with every report's full content in memory.
    pub fn new(reports: Vec<Report>, industries: Vec<Industry>, companies: Vec<Company>) -> Self {
        let heads = reports.iter().map(head_of).collect();
        let full = reports.into_iter().map(OnceLock::from).collect();
        Library::assemble(heads, full, None, industries, companies)
    }

    /// A library of report heads whose full content `source` loads on first use.
    pub fn lazy(
        heads: Vec<Report>,
        industries: Vec<Industry>,
        companies: Vec<Company>,
        source: Box<dyn ReportSource>,
    ) -> Self {
        let full = heads.iter().map(|_| OnceLock::new()).collect();
        Library::assemble(heads, full, Some(source), industries, companies)
    }

    fn assemble(
        heads: Vec<Report>,
        full: Vec<OnceLock<Report>>,
        source: Option<Box<dyn ReportSource>>,
        industries: Vec<Industry>,
        companies: Vec<Company>,
    ) -> Self {
        let mut lib = Library {
            company_ix: companies.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect(),
            industry_ix: industries.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect(),
            industry_memo: industries.iter().map(|_| OnceLock::new()).collect(),
            mentions: Mentions::new(&companies),
            heads,
            full,
            source,
            industries,
            companies,
            ..Default::default()
        };
        lib.build_outline();
        lib
    }

    /// How many reports there are.
    pub fn report_count(&self) -> usize {
        self.heads.len()
    }

    /// The reports' heads (no blocks), in order.
    pub fn heads(&self) -> &[Report] {
        &self.heads
    }

    /// A report with its full content, loaded on first use. A report that
    /// cannot be loaded (its cache entry went bad) shows its head.
    pub fn report(&self, i: usize) -> Option<&Report> {
        let cell = self.full.get(i)?;
        let head = self.heads.get(i)?;
        Some(cell.get_or_init(|| {
            self.source
                .as_ref()
                .and_then(|s| s.load(i))
                .filter(|r| same_outline(head, r))
                .unwrap_or_else(|| head.clone())
        }))
    }

    /// Whether a report's full content is in memory.
    pub fn is_loaded(&self, i: usize) -> bool {
        self.full.get(i).is_some_and(|c| c.get().is_some())
    }

    /// Every report with its full content (loads them all).
    pub fn reports(&self) -> impl Iterator<Item = &Report> {
        (0..self.heads.len()).filter_map(|i| self.report(i))
    }

    /// Load several folders as one library, or the bundled content when
    /// `dirs` is empty.
    pub fn load_dirs(dirs: &[std::path::PathBuf]) -> Result<(Library, Vec<ContentError>), String> {
        if dirs.len() <= 1 {
            return Library::load_from(dirs.first().map(|d| d.as_path()));
        }
        let (files, read_errors) = read_dirs(dirs)?;
        let roots: Vec<String> = (0..dirs.len()).map(|k| folder_prefix(dirs, k)).collect();
        let (lib, mut errors) = load_roots(&files, &roots);
        errors.splice(0..0, read_errors);
        Ok((lib, errors))
    }

    /// Load the bundled content and a library folder (imported reports) as one library.
    pub fn load_bundled_with(dir: &Path) -> Result<(Library, Vec<ContentError>), String> {
        let (more, read_errors) = read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let prefix = format!("{}/", dir.display().to_string().trim_end_matches('/'));
        let mut files = bundled_files();
        files.extend(more.into_iter().map(|(name, text)| (format!("{prefix}{name}"), text)));
        let (lib, mut errors) = load_roots(&files, &[String::new(), prefix.clone()]);
        errors.splice(
            0..0,
            read_errors.into_iter().map(|mut e| {
                e.file = format!("{prefix}{}", e.file);
                e
            }),
        );
        Ok((lib, errors))
    }

    /// Load a folder, or the bundled content when `dir` is `None`.
    pub fn load_from(dir: Option<&Path>) -> Result<(Library, Vec<ContentError>), String> {
        let (files, read_errors) = match dir {
            Some(d) => read_dir(d).map_err(|e| format!("{}: {e}", d.display()))?,
            None => (bundled_files(), Vec::new()),
        };
        let (lib, mut errors) = load(&files);
        errors.splice(0..0, read_errors);
        Ok((lib, errors))
    }

    fn build_outline(&mut self) {
        fn add(nodes: &mut Vec<Node>, s: &Section, report: usize, path: Vec<usize>, parent: NodeId) {
            let id = nodes.len();
            let depth = path.len();
            nodes.push(Node {
                kind: if depth == 1 { NodeKind::Chapter } else { NodeKind::Section },
                report,
                path,
                depth,
                parent: Some(parent),
                children: Vec::with_capacity(s.sections.len()),
            });
            nodes[parent].children.push(id);
            for (i, sub) in s.sections.iter().enumerate() {
                let mut p = Vec::with_capacity(depth + 1);
                p.extend_from_slice(&nodes[id].path);
                p.push(i);
                add(nodes, sub, report, p, id);
            }
        }
        let mut nodes = Vec::new();
        for (r, rep) in self.heads.iter().enumerate() {
            let id = nodes.len();
            nodes.push(Node {
                kind: NodeKind::Report,
                report: r,
                path: vec![],
                depth: 0,
                parent: None,
                children: Vec::with_capacity(rep.chapters.len()),
            });
            for (c, ch) in rep.chapters.iter().enumerate() {
                add(&mut nodes, ch, r, vec![c], id);
            }
        }
        self.nodes = nodes;
    }

    /// Report and section ids to nodes, made on first use (the first id
    /// wins, as the loader reports the others).
    fn ids(&self) -> &HashMap<String, NodeId> {
        self.id_ix.get_or_init(|| {
            let mut ids = HashMap::with_capacity(self.nodes.len());
            for n in 0..self.nodes.len() {
                let id = match self.head_section(n) {
                    Some(s) => &s.id,
                    None => match self.report_head_of(n) {
                        Some(r) => &r.id,
                        None => continue,
                    },
                };
                ids.entry(id.clone()).or_insert(n);
            }
            ids
        })
    }

    pub fn company(&self, id: &str) -> Option<&Company> {
        self.company_ix.get(id).map(|&i| &self.companies[i])
    }

    /// A company's index in [`Library::companies`].
    pub fn company_index(&self, id: &str) -> Option<usize> {
        self.company_ix.get(id).copied()
    }

    /// The first place `text` (not folded) names company `id`: its range
    /// in characters, as the shared matcher ([`Mentions`]) finds it.
    pub fn first_mention(&self, id: &str, text: &str) -> Option<std::ops::Range<usize>> {
        let k = self.company_index(id)?;
        let hay: String = text.chars().map(crate::text::fold).collect();
        let (r, _) = self.mentions.find(&hay).into_iter().find(|(_, c)| *c == k)?;
        // Folding keeps one character for one, so character counts match.
        let at = |b: usize| hay.get(..b).map_or(0, |h| h.chars().count());
        Some(at(r.start)..at(r.end))
    }

    pub fn industry(&self, id: &str) -> Option<&Industry> {
        self.industry_ix.get(id).map(|&i| &self.industries[i])
    }

    /// The node of a report or section id.
    pub fn node_by_id(&self, id: &str) -> Option<NodeId> {
        self.ids().get(id).copied()
    }

    /// The section (or chapter) a node stands for, with its blocks (its
    /// report is loaded if it was not); `None` for a report node.
    pub fn section(&self, n: NodeId) -> Option<&Section> {
        let node = self.nodes.get(n)?;
        section_at(self.report(node.report)?, &node.path)
    }

    /// The section a node stands for, without its blocks: never loads anything.
    pub fn head_section(&self, n: NodeId) -> Option<&Section> {
        let node = self.nodes.get(n)?;
        section_at(self.heads.get(node.report)?, &node.path)
    }

    /// The report of a node, with its full content (loaded if it was not).
    pub fn report_of(&self, n: NodeId) -> Option<&Report> {
        self.nodes.get(n).and_then(|node| self.report(node.report))
    }

    /// The head of a node's report (no blocks).
    pub fn report_head_of(&self, n: NodeId) -> Option<&Report> {
        self.nodes.get(n).and_then(|node| self.heads.get(node.report))
    }

    /// The short title shown in the tree and the breadcrumb.
    pub fn node_title(&self, n: NodeId) -> String {
        match self.head_section(n) {
            Some(s) => s.heading(),
            None => self.report_head_of(n).map(|r| r.title.clone()).unwrap_or_default(),
        }
    }

    /// The title for the tree: a section titled "`<parent title>——<part>`"
    /// shows only the part, and so does a section whose siblings share its
    /// head (six parts "人工智能基础层发展现状——…" show their parts), so that
    /// sibling rows stay tellable apart.
    pub fn tree_title(&self, n: NodeId) -> String {
        self.short_title(n, true)
    }

    /// `tree_title`, with `siblings`: also strip a head the siblings share
    /// (up to "——" or "：").
    pub fn short_title(&self, n: NodeId, siblings: bool) -> String {
        let full = self.node_title(n);
        let Some(s) = self.head_section(n) else {
            return full;
        };
        let with_number = |t: &str| match &s.number {
            Some(num) if !num.is_empty() => format!("{num} {t}"),
            _ => t.to_string(),
        };
        let parent_id = self.nodes.get(n).and_then(|x| x.parent);
        let parent = parent_id.and_then(|p| self.head_section(p));
        if let Some((head, part)) = s.title.split_once("——")
            && !part.trim().is_empty()
            && parent.is_some_and(|p| p.title.contains(head.trim()) || head.contains(p.title.trim()))
        {
            return with_number(part.trim());
        }
        if !siblings {
            return full;
        }
        let others: Vec<&Section> = parent_id
            .and_then(|p| self.nodes.get(p))
            .map(|p| p.children.iter().filter(|&&c| c != n).filter_map(|&c| self.head_section(c)).collect())
            .unwrap_or_default();
        for sep in ["——", "："] {
            if let Some((head, part)) = s.title.split_once(sep)
                && head.trim().chars().count() >= 2
                && !part.trim().is_empty()
                && others.iter().any(|o| o.title.split_once(sep).is_some_and(|(h, _)| h.trim() == head.trim()))
            {
                return with_number(part.trim());
            }
        }
        full
    }

    /// The node and its ancestors, from the report down.
    pub fn ancestry(&self, n: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut cur = Some(n);
        while let Some(c) = cur {
            if c >= self.nodes.len() {
                break;
            }
            out.push(c);
            cur = self.nodes[c].parent;
        }
        out.reverse();
        out
    }

    /// Counts over the whole library.
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            reports: self.heads.len(),
            companies: self.companies.len(),
            industries: self.industries.len(),
            ..Default::default()
        };
        for r in self.reports() {
            c.add_report(r);
        }
        c
    }
}

/// The section at a path of indices in a report.
fn section_at<'a>(rep: &'a Report, path: &[usize]) -> Option<&'a Section> {
    let (first, rest) = path.split_first()?;
    let mut s = rep.chapters.get(*first)?;
    for &i in rest {
        s = s.sections.get(i)?;
    }
    Some(s)
}
