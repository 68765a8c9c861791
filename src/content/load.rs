//! Loading and validating a content folder. Every problem in the folder is
//! reported in one run, each with file, line, column and YAML path.

use super::locate::LazyLocator;
use super::model::*;
use super::{ContentError, Library};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_yaml::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

/// The most text in one title or paragraph, in bytes of UTF-8.
pub const MAX_BLOCK_TEXT: usize = 64 * 1024;

/// The most sections one content file may hold, at every depth (a chapter
/// of the bundled reports holds a few dozen). Past it, the file's error
/// names the line of the first section over the limit, and the sections
/// after it are left out: 200,000 sections took 562 MB (issue 26, C7).
pub const MAX_SECTIONS_PER_FILE: usize = 10_000;

fn too_many_sections_message() -> String {
    format!("more than {MAX_SECTIONS_PER_FILE} sections in one file (split it into chapters)")
}

/// The content files of a folder: relative path (with `/`) → text.
pub type Files = BTreeMap<String, String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    id: String,
    title: String,
    publisher: String,
    #[serde(deserialize_with = "text")]
    date: String,
    source: String,
    chapters: Vec<String>,
    #[serde(default)]
    toc: Vec<TocEntry>,
    #[serde(default, rename = "abstract")]
    abstract_blocks: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: String,
    #[serde(default, deserialize_with = "opt_text")]
    number: Option<String>,
    title: String,
    #[serde(default)]
    page: Option<u32>,
    #[serde(default)]
    industries: Vec<String>,
    #[serde(default)]
    editorial: bool,
    #[serde(default)]
    blocks: Vec<Value>,
    #[serde(default)]
    sections: Vec<RawSection>,
}

fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Cell::deserialize(d).map(|c| c.0)
}

fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<Cell>::deserialize(d).map(|c| c.map(|c| c.0))
}

/// What the whole load collects: the problems, the ids seen, the registries.
#[derive(Default)]
struct Loader {
    errors: Vec<ContentError>,
    /// namespace:id → (kind, file) of its first use
    seen: HashMap<String, (String, String)>,
    companies: HashSet<String>,
    industries: HashSet<String>,
}

/// One file being read: its text's locator, and the loader that collects.
struct FileCtx<'a> {
    name: &'a str,
    locator: LazyLocator<'a>,
    ld: &'a mut Loader,
    /// Sections of this file seen so far.
    sections: usize,
}

impl FileCtx<'_> {
    fn error(&mut self, path: &str, message: impl fmt::Display) {
        let at = self.locator.find(path);
        self.ld.errors.push(ContentError {
            file: self.name.to_string(),
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            path: path.to_string(),
            message: message.to_string(),
        });
    }

    /// Parse the file as YAML, then as `T`, reporting the first structural error.
    fn parse<T: DeserializeOwned>(&mut self, text: &str) -> Option<T> {
        if let Some((line, column)) = super::locate::flow_too_deep(text) {
            self.ld.errors.push(ContentError {
                file: self.name.to_string(),
                line: Some(line),
                column: Some(column),
                path: String::new(),
                message: super::locate::flow_too_deep_message(),
            });
            return None;
        }
        // A chapter file is its own first section: its children may be one fewer.
        if let Some((line, column)) = super::locate::too_many_sections(text, MAX_SECTIONS_PER_FILE - 1) {
            self.ld.errors.push(ContentError {
                file: self.name.to_string(),
                line: Some(line),
                column: Some(column),
                path: String::new(),
                message: too_many_sections_message(),
            });
            return None;
        }
        let value: Value = match serde_yaml::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                self.ld.errors.push(ContentError::malformed(self.name, &e));
                return None;
            }
        };
        self.convert(value, "")
    }

    fn convert<T: DeserializeOwned>(&mut self, value: Value, base: &str) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(t) => Some(t),
            Err(e) => {
                let inner = e.path().to_string();
                let path = match (base.is_empty(), inner == ".") {
                    (_, true) => base.to_string(),
                    (true, false) => inner,
                    (false, false) if inner.starts_with('[') => format!("{base}{inner}"),
                    (false, false) => format!("{base}.{inner}"),
                };
                let msg = friendly(&e.into_inner().to_string());
                self.error(&path, msg);
                None
            }
        }
    }

    /// Convert the blocks of the list at `list` (a YAML path such as
    /// `sections[0].blocks`), checking each; a broken block is reported and left out.
    /// The blocks with the page each starts on (a block's own `page:`,
    /// any kind); the pages are empty where no block gives one.
    fn blocks(&mut self, raw: Vec<Value>, list: &str) -> (Vec<Block>, Vec<Option<u32>>) {
        let (blocks, pages): (Vec<Block>, Vec<Option<u32>>) =
            raw.into_iter().enumerate().filter_map(|(i, v)| self.block(v, &format!("{list}[{i}]"))).unzip();
        let pages = if pages.iter().any(Option::is_some) { pages } else { Vec::new() };
        (blocks, pages)
    }

    fn block(&mut self, v: Value, path: &str) -> Option<(Block, Option<u32>)> {
        let expected = BlockKind::all().map(BlockKind::name).collect::<Vec<_>>().join(", ");
        let Value::Mapping(mut m) = v else {
            self.error(path, format!("a block is a mapping with a `kind` ({expected})"));
            return None;
        };
        let page = match m.remove("page") {
            None => None,
            Some(p) => match p.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|&n| n > 0) {
                Some(n) => Some(n),
                None => {
                    self.error(&format!("{path}.page"), "page must be a whole number from 1");
                    return None;
                }
            },
        };
        let kind = match m.remove("kind") {
            Some(Value::String(k)) => k,
            Some(_) => {
                self.error(&format!("{path}.kind"), format!("block kind must be one of {expected}"));
                return None;
            }
            None => {
                self.error(path, format!("block has no `kind` (one of {expected})"));
                return None;
            }
        };
        let v = Value::Mapping(m);
        let Some(k) = BlockKind::from_name(&kind) else {
            self.error(&format!("{path}.kind"), format!("unknown block kind {kind:?} (expected one of {expected})"));
            return None;
        };
        let b = match k {
            BlockKind::Text => Block::Text(self.convert(v, path)?),
            BlockKind::Insights => Block::Insights(self.convert(v, path)?),
            BlockKind::Table => Block::Table(self.convert(v, path)?),
            BlockKind::Series => Block::Series(self.convert(v, path)?),
            BlockKind::Metrics => Block::Metrics(self.convert(v, path)?),
            BlockKind::Participants => Block::Participants(self.convert(v, path)?),
            BlockKind::Case => Block::Case(self.convert(v, path)?),
            BlockKind::Example => Block::Example(self.convert(v, path)?),
            BlockKind::List => Block::List(self.convert(v, path)?),
        };
        self.check_block(&b, path);
        Some((b, page))
    }

    fn id(&mut self, path: &str, id: &str, kind: &str) {
        if id.trim().is_empty() {
            self.error(path, format!("empty {kind} id"));
            return;
        }
        // Companies and industries have their own namespaces; reports,
        // sections and cases share one, since all of them are places.
        let space = match kind {
            "company" | "industry" => kind,
            _ => "place",
        };
        let key = format!("{space}:{id}");
        if let Some((k, f)) = self.ld.seen.get(&key) {
            let msg = format!("duplicate id {id:?} (already used by a {k} in {f})");
            self.error(path, msg);
        } else {
            self.ld.seen.insert(key, (kind.to_string(), self.name.to_string()));
        }
    }

    fn title(&mut self, path: &str, title: &str) {
        if title.trim().is_empty() {
            self.error(path, "empty title");
        }
        self.bounded(path, title);
    }

    /// A title or paragraph over [`MAX_BLOCK_TEXT`] bytes is an error at its
    /// line: laying out one huge paragraph froze the explorer (issue 26, N6).
    fn bounded(&mut self, path: &str, text: &str) {
        if text.len() > MAX_BLOCK_TEXT {
            let msg = format!(
                "{} KB of text in one piece: more than the {} KB limit (split it into paragraphs)",
                text.len() / 1024,
                MAX_BLOCK_TEXT / 1024
            );
            self.error(path, msg);
        }
    }

    /// Each of a company's `not_mentions` phrases contains one of its names
    /// (otherwise it excludes nothing), once.
    fn not_mentions(&mut self, path: &str, c: &Company) {
        let fold = |s: &str| s.chars().map(crate::text::fold).collect::<String>();
        let names: Vec<String> = std::iter::once(&c.name)
            .chain(c.latin.iter())
            .chain(c.aliases.iter())
            .map(|n| fold(n))
            .filter(|n| n.chars().count() >= 2)
            .collect();
        for (j, p) in c.not_mentions.iter().enumerate() {
            let at = format!("{path}[{j}]");
            if !names.iter().any(|n| fold(p).contains(n.as_str())) {
                self.error(&at, format!("{p:?} contains none of the company's names, so it excludes nothing"));
            } else if c.not_mentions[..j].contains(p) {
                self.error(&at, format!("{p:?} is listed twice"));
            }
        }
    }

    fn industry_ref(&mut self, path: &str, id: &str) {
        if !self.ld.industries.contains(id) {
            self.error(path, format!("unknown industry id {id:?}"));
        }
    }

    fn company_refs(&mut self, path: &str, ids: &[String]) {
        for (i, c) in ids.iter().enumerate() {
            if !self.ld.companies.contains(c) {
                self.error(&format!("{path}[{i}]"), format!("unknown company id {c:?}"));
            }
        }
    }

    fn check_block(&mut self, b: &Block, p: &str) {
        if let Some(t) = b.title() {
            self.title(&format!("{p}.title"), t);
        }
        match b {
            Block::Table(t) => {
                let n = t.columns.len();
                if n == 0 {
                    self.error(&format!("{p}.columns"), "a table needs at least one column");
                }
                for (r, row) in t.rows.iter().enumerate() {
                    if row.len() != n {
                        let msg = format!("table row has {} cells but the table has {n} columns", row.len());
                        self.error(&format!("{p}.rows[{r}]"), msg);
                    }
                }
            }
            Block::Series(s) => {
                for (j, pt) in s.points.iter().enumerate() {
                    if !pt.value.is_finite() {
                        self.error(&format!("{p}.points[{j}].value"), "series value is not a finite number");
                    }
                }
            }
            Block::Participants(x) => {
                for (g, group) in x.groups.iter().enumerate() {
                    self.company_refs(&format!("{p}.groups[{g}].companies"), &group.companies);
                }
                if x.note.as_deref().is_some_and(|n| n.trim().is_empty()) {
                    self.error(&format!("{p}.note"), "empty note (leave it out instead)");
                }
            }
            Block::Case(c) => {
                self.id(&format!("{p}.id"), &c.id, "case");
                self.company_refs(&format!("{p}.companies"), &c.companies);
                if let Some(ind) = &c.industry {
                    self.industry_ref(&format!("{p}.industry"), ind);
                }
            }
            Block::Text(t) => self.bounded(&format!("{p}.text"), &t.text),
            Block::Example(e) => {
                self.bounded(&format!("{p}.text"), &e.text);
                if let Some(id) = &e.id {
                    self.id(&format!("{p}.id"), id, "example");
                }
                self.company_refs(&format!("{p}.companies"), &e.companies);
                if e.text.trim().is_empty() {
                    self.error(&format!("{p}.text"), "an example needs a text (what was done)");
                }
            }
            _ => {}
        }
        let own = match b {
            Block::Case(c) => &c.industries,
            Block::Example(e) => &e.industries,
            Block::Text(x) => &x.industries,
            Block::Insights(x) => &x.industries,
            Block::Metrics(x) => &x.industries,
            Block::Participants(x) => &x.industries,
            Block::List(x) => &x.industries,
            Block::Table(x) => &x.industries,
            Block::Series(x) => &x.industries,
        };
        for (i, ind) in own.iter().enumerate() {
            self.industry_ref(&format!("{p}.industries[{i}]"), ind);
        }
    }

    fn section(&mut self, raw: RawSection, base: &str) -> Option<Section> {
        self.sections += 1;
        if self.sections > MAX_SECTIONS_PER_FILE {
            if self.sections == MAX_SECTIONS_PER_FILE + 1 {
                let msg = too_many_sections_message();
                self.error(&format!("{base}id"), msg);
            }
            return None;
        }
        self.id(&format!("{base}id"), &raw.id, "section");
        self.title(&format!("{base}title"), &raw.title);
        for (i, ind) in raw.industries.iter().enumerate() {
            self.industry_ref(&format!("{base}industries[{i}]"), ind);
        }
        let (blocks, block_pages) = self.blocks(raw.blocks, &format!("{base}blocks"));
        let sections = raw
            .sections
            .into_iter()
            .enumerate()
            .filter_map(|(i, s)| self.section(s, &format!("{base}sections[{i}].")))
            .collect();
        Some(Section {
            id: raw.id,
            number: raw.number,
            title: raw.title,
            page: raw.page,
            industries: raw.industries,
            editorial: raw.editorial,
            blocks,
            block_pages,
            sections,
        })
    }
}

/// Make serde's messages read as a content author expects.
fn friendly(msg: &str) -> String {
    if let Some(rest) = msg.strip_prefix("unknown variant ") {
        return format!("unknown block kind {rest}");
    }
    if msg.contains("expected f64") {
        return format!("series value is not a number: {msg}");
    }
    msg.to_string()
}

/// Build and validate a library from its files. Returns the library (with
/// whatever could be read) and every problem found.
pub fn load(files: &Files) -> (Library, Vec<ContentError>) {
    load_roots(files, &[String::new()])
}

/// [`load`] for a library of several folders, whose files are named with
/// the prefixes `roots` (see `folder_prefix`). Each folder may have its
/// own registries: their entries are merged in folder order, and an id
/// already given by an earlier folder is taken from there (folders made
/// from one another share their registries). A registry is missing only
/// when no folder has it.
pub fn load_roots(files: &Files, roots: &[String]) -> (Library, Vec<ContentError>) {
    load_roots_with(files, roots, &|_, _| {})
}

/// [`load_roots`], telling `progress` (reports parsed, reports in all) as
/// each report is parsed: a first start of a large library shows how far it is.
pub fn load_roots_with(
    files: &Files,
    roots: &[String],
    progress: &(dyn Fn(usize, usize) + Sync),
) -> (Library, Vec<ContentError>) {
    // A library without a registry of its own (a folder of imported
    // reports) uses the bundled one.
    let missing: Vec<&str> = ["industries.yaml", "companies.yaml"]
        .into_iter()
        .filter(|reg| !roots.iter().any(|r| files.contains_key(&format!("{r}{reg}"))))
        .collect();
    if !missing.is_empty() {
        let bundled = super::bundled_files();
        let base = "(bundled)/".to_string();
        let mut merged = files.clone();
        for reg in missing {
            if let Some(text) = bundled.get(reg) {
                merged.insert(format!("{base}{reg}"), text.clone());
            }
        }
        let mut more = roots.to_vec();
        more.push(base);
        if merged.len() > files.len() {
            return load_roots_with(&merged, &more, progress);
        }
    }
    let mut ld = Loader::default();
    let mut industries: Vec<Industry> = Vec::new();
    let mut companies: Vec<Company> = Vec::new();
    let mut reports = Vec::new();
    let names = |reg: &str| roots.iter().map(|r| format!("{r}{reg}")).collect::<Vec<String>>();
    let (industry_files, company_files) = (names("industries.yaml"), names("companies.yaml"));
    for name in &industry_files {
        let Some(text) = files.get(name) else { continue };
        let mut cx = FileCtx { name, locator: LazyLocator::new(text), ld: &mut ld, sections: 0 };
        let more = cx.parse::<Option<Vec<Industry>>>(text).flatten().unwrap_or_default();
        for (i, x) in more.into_iter().enumerate() {
            if industries.iter().any(|o| o.id == x.id) && name != &industry_files[0] {
                continue;
            }
            cx.id(&format!("[{i}].id"), &x.id, "industry");
            cx.title(&format!("[{i}].name"), &x.name);
            industries.push(x);
        }
    }
    for name in &company_files {
        let Some(text) = files.get(name) else { continue };
        let mut cx = FileCtx { name, locator: LazyLocator::new(text), ld: &mut ld, sections: 0 };
        let more = cx.parse::<Option<Vec<Company>>>(text).flatten().unwrap_or_default();
        for (i, x) in more.into_iter().enumerate() {
            if companies.iter().any(|o| o.id == x.id) && name != &company_files[0] {
                continue;
            }
            cx.id(&format!("[{i}].id"), &x.id, "company");
            cx.title(&format!("[{i}].name"), &x.name);
            cx.not_mentions(&format!("[{i}].not_mentions"), &x);
            companies.push(x);
        }
    }
    for (reg, list) in [("industries.yaml", &industry_files), ("companies.yaml", &company_files)] {
        if !list.iter().any(|n| files.contains_key(n)) {
            ld.errors.push(ContentError::file_only(reg, "missing registry file"));
        }
    }
    ld.industries = industries.iter().map(|x| x.id.clone()).collect();
    ld.companies = companies.iter().map(|x| x.id.clone()).collect();

    let mut used: HashSet<&str> = industry_files.iter().chain(&company_files).map(String::as_str).collect();
    let is_report = |name: &str| name.strip_suffix("report.yaml").is_some_and(|d| d.is_empty() || d.ends_with('/'));
    let total = files.keys().filter(|n| is_report(n)).count();
    let mut parsed = 0;
    for (name, text) in files {
        let Some(dir) = name.strip_suffix("report.yaml") else {
            continue;
        };
        if !(dir.is_empty() || dir.ends_with('/')) {
            continue;
        }
        used.insert(name);
        parsed += 1;
        progress(parsed, total);
        let mut cx = FileCtx { name, locator: LazyLocator::new(text), ld: &mut ld, sections: 0 };
        let Some(raw) = cx.parse::<RawReport>(text) else {
            continue;
        };
        cx.id("id", &raw.id, "report");
        cx.title("title", &raw.title);
        let (abstract_blocks, abstract_pages) = cx.blocks(raw.abstract_blocks, "abstract");
        let mut chapters = Vec::new();
        let mut chapter_files = Vec::new();
        for (i, stem) in raw.chapters.iter().enumerate() {
            let file = ["yaml", "yml"].iter().map(|ext| format!("{dir}{stem}.{ext}")).find(|f| files.contains_key(f));
            let Some(file) = file else {
                cx.error(&format!("chapters[{i}]"), format!("chapter file {dir}{stem}.yaml not found"));
                continue;
            };
            let (fname, ftext) = files.get_key_value(&file).expect("just found");
            used.insert(fname);
            let mut fx = FileCtx { name: fname, locator: LazyLocator::new(ftext), ld: cx.ld, sections: 0 };
            // A chapter is its file's first section: never over the limit.
            if let Some(rs) = fx.parse::<RawSection>(ftext)
                && let Some(chapter) = fx.section(rs, "")
            {
                chapters.push(chapter);
                chapter_files.push(fname.clone());
            }
        }
        reports.push(Report {
            id: raw.id,
            title: raw.title,
            publisher: raw.publisher,
            date: raw.date,
            source: raw.source,
            toc: raw.toc,
            abstract_blocks,
            abstract_pages,
            chapters,
            dir: dir.to_string(),
            chapter_files,
        });
    }
    for name in files.keys() {
        if !used.contains(name.as_str()) {
            ld.errors.push(ContentError::file_only(
                name,
                "file is not a registry, a report.yaml, or a chapter listed in a report.yaml",
            ));
        }
    }
    if reports.is_empty() && ld.errors.is_empty() {
        ld.errors.push(ContentError::file_only(
            "REPORT/report.yaml",
            "no report found: each report is a folder with a report.yaml",
        ));
    }
    // Newest report first.
    reports.sort_by(|a, b| b.date.cmp(&a.date));
    (Library::new(reports, industries, companies), ld.errors)
}
