//! Loading and validating a content folder. Every problem in the folder is
//! reported in one run, each with file, line, column and YAML path.

use super::locate::Locator;
use super::model::*;
use super::{ContentError, Library};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_yaml::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::Path;

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

/// One file being read: its text's locator and the errors found in it.
struct FileCtx<'a> {
    name: &'a str,
    locator: Locator,
    errors: &'a mut Vec<ContentError>,
}

impl FileCtx<'_> {
    fn error(&mut self, path: &str, message: impl fmt::Display) {
        let at = self.locator.find(path);
        self.errors.push(ContentError {
            file: self.name.to_string(),
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            path: path.to_string(),
            message: message.to_string(),
        });
    }

    /// Parse the file as YAML, then as `T`, reporting the first structural error.
    fn parse<T: DeserializeOwned>(&mut self, text: &str) -> Option<T> {
        let value: Value = match serde_yaml::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                let loc = e.location();
                let msg = e.to_string();
                // serde_yaml appends " at line L column C"; the position has its own fields.
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                self.errors.push(ContentError {
                    file: self.name.to_string(),
                    line: loc.as_ref().map(|l| l.line()),
                    column: loc.as_ref().map(|l| l.column()),
                    path: String::new(),
                    message: format!("malformed YAML: {msg}"),
                });
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

    /// Convert the blocks of the list at `list` (a YAML path such as `sections[0].blocks`).
    fn blocks(&mut self, raw: Vec<Value>, list: &str) -> Vec<Block> {
        raw.into_iter()
            .enumerate()
            .filter_map(|(i, v)| self.convert(v, &format!("{list}[{i}]")))
            .collect()
    }

    fn section(&mut self, raw: RawSection, base: &str) -> Section {
        let blocks = self.blocks(raw.blocks, &format!("{base}blocks"));
        let sections = raw
            .sections
            .into_iter()
            .enumerate()
            .map(|(i, s)| self.section(s, &format!("{base}sections[{i}].")))
            .collect();
        Section {
            id: raw.id,
            number: raw.number,
            title: raw.title,
            page: raw.page,
            industries: raw.industries,
            blocks,
            sections,
        }
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

/// Read every `.yaml`/`.yml` file below `dir`.
pub fn read_dir(dir: &Path) -> std::io::Result<Files> {
    fn walk(root: &Path, dir: &Path, out: &mut Files) -> std::io::Result<()> {
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out)?;
            } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
                let rel = p.strip_prefix(root).unwrap_or(&p);
                let rel = rel.to_string_lossy().replace('\\', "/");
                let bytes = std::fs::read(&p)?;
                out.insert(rel, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        Ok(())
    }
    let mut out = Files::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

/// Build and validate a library from its files. Returns the library (with
/// whatever could be read) and every problem found.
pub fn load(files: &Files) -> (Library, Vec<ContentError>) {
    let mut errors = Vec::new();
    let mut industries: Vec<Industry> = Vec::new();
    let mut companies: Vec<Company> = Vec::new();
    let mut reports = Vec::new();

    for (name, registry) in [("industries.yaml", 0), ("companies.yaml", 1)] {
        match files.get(name) {
            None => errors.push(ContentError::file_only(name, "missing registry file")),
            Some(text) => {
                let mut cx = FileCtx { name, locator: Locator::new(text), errors: &mut errors };
                if registry == 0 {
                    industries = cx.parse::<Option<Vec<_>>>(text).flatten().unwrap_or_default();
                } else {
                    companies = cx.parse::<Option<Vec<_>>>(text).flatten().unwrap_or_default();
                }
            }
        }
    }

    let mut used: HashSet<&str> = ["industries.yaml", "companies.yaml"].into();
    for (name, text) in files {
        let Some(dir) = name.strip_suffix("report.yaml") else { continue };
        if !(dir.is_empty() || dir.ends_with('/')) {
            continue;
        }
        used.insert(name);
        let mut cx = FileCtx { name, locator: Locator::new(text), errors: &mut errors };
        let Some(raw) = cx.parse::<RawReport>(text) else { continue };
        let abstract_blocks = cx.blocks(raw.abstract_blocks, "abstract");
        let mut chapters = Vec::new();
        let mut chapter_files = Vec::new();
        for (i, stem) in raw.chapters.iter().enumerate() {
            let file = ["yaml", "yml"]
                .iter()
                .map(|ext| format!("{dir}{stem}.{ext}"))
                .find(|f| files.contains_key(f));
            let Some(file) = file else {
                cx.error(&format!("chapters[{i}]"), format!("chapter file {dir}{stem}.yaml not found"));
                continue;
            };
            let (fname, ftext) = files.get_key_value(&file).expect("just found");
            used.insert(fname);
            let mut fx = FileCtx { name: fname, locator: Locator::new(ftext), errors: cx.errors };
            if let Some(rs) = fx.parse::<RawSection>(ftext) {
                chapters.push(fx.section(rs, ""));
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
            chapters,
            dir: dir.to_string(),
            chapter_files,
        });
    }
    for name in files.keys() {
        if !used.contains(name.as_str()) {
            errors.push(ContentError::file_only(
                name,
                "file is not a registry, a report.yaml, or a chapter listed in a report.yaml",
            ));
        }
    }
    if reports.is_empty() && errors.is_empty() {
        errors.push(ContentError::file_only("", "no report.yaml found"));
    }

    let lib = Library::new(reports, industries, companies);
    validate(&lib, files, &mut errors);
    (lib, errors)
}

/// Cross-file checks: ids, references, titles, table shapes.
fn validate(lib: &Library, files: &Files, errors: &mut Vec<ContentError>) {
    let locators: HashMap<&str, Locator> = HashMap::new();
    let mut v = Validator { files, locators, errors, seen: HashMap::new(), lib };
    for (i, ind) in lib.industries.iter().enumerate() {
        v.id("industries.yaml", &format!("[{i}].id"), &ind.id, "industry");
        if ind.name.trim().is_empty() {
            v.err("industries.yaml", &format!("[{i}].name"), "empty name");
        }
    }
    for (i, c) in lib.companies.iter().enumerate() {
        v.id("companies.yaml", &format!("[{i}].id"), &c.id, "company");
        if c.name.trim().is_empty() {
            v.err("companies.yaml", &format!("[{i}].name"), "empty name");
        }
    }
    for r in &lib.reports {
        let rfile = format!("{}report.yaml", r.dir);
        v.id(&rfile, "id", &r.id, "report");
        if r.title.trim().is_empty() {
            v.err(&rfile, "title", "empty title");
        }
        v.blocks(&rfile, "abstract", &r.abstract_blocks);
        for (c, file) in r.chapters.iter().zip(&r.chapter_files) {
            v.section(file, "", c);
        }
    }
}

struct Validator<'a> {
    files: &'a Files,
    locators: HashMap<&'a str, Locator>,
    errors: &'a mut Vec<ContentError>,
    /// id → (kind, file) of its first use
    seen: HashMap<String, (String, String)>,
    lib: &'a Library,
}

impl<'a> Validator<'a> {
    fn err(&mut self, file: &str, path: &str, msg: impl fmt::Display) {
        let at = match self.files.get_key_value(file) {
            Some((k, text)) => self
                .locators
                .entry(k.as_str())
                .or_insert_with(|| Locator::new(text))
                .find(path),
            None => None,
        };
        self.errors.push(ContentError {
            file: file.to_string(),
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            path: path.to_string(),
            message: msg.to_string(),
        });
    }

    fn id(&mut self, file: &str, path: &str, id: &str, kind: &str) {
        if id.trim().is_empty() {
            self.err(file, path, format!("empty {kind} id"));
            return;
        }
        // Companies and industries have their own namespaces; reports, sections
        // and cases share one, since all of them are places to jump to.
        let space = match kind {
            "company" | "industry" => kind,
            _ => "place",
        };
        let key = format!("{space}:{id}");
        if let Some((k, f)) = self.seen.get(&key) {
            let msg = format!("duplicate id {id:?} (already used by a {k} in {f})");
            self.err(file, path, msg);
        } else {
            self.seen.insert(key, (kind.to_string(), file.to_string()));
        }
    }

    fn section(&mut self, file: &str, base: &str, s: &Section) {
        self.id(file, &format!("{base}id"), &s.id, "section");
        if s.title.trim().is_empty() {
            self.err(file, &format!("{base}title"), "empty title");
        }
        for (i, ind) in s.industries.iter().enumerate() {
            if self.lib.industry(ind).is_none() {
                self.err(file, &format!("{base}industries[{i}]"), format!("unknown industry id {ind:?}"));
            }
        }
        self.blocks(file, &format!("{base}blocks"), &s.blocks);
        for (i, sub) in s.sections.iter().enumerate() {
            self.section(file, &format!("{base}sections[{i}]."), sub);
        }
    }

    fn company_refs(&mut self, file: &str, path: &str, ids: &[String]) {
        for (i, c) in ids.iter().enumerate() {
            if self.lib.company(c).is_none() {
                self.err(file, &format!("{path}[{i}]"), format!("unknown company id {c:?}"));
            }
        }
    }

    fn blocks(&mut self, file: &str, base: &str, blocks: &[Block]) {
        for (i, b) in blocks.iter().enumerate() {
            let p = format!("{base}[{i}]");
            if matches!(b.title(), Some(t) if t.trim().is_empty()) {
                self.err(file, &format!("{p}.title"), "empty title");
            }
            match b {
                Block::Table(t) => {
                    let n = t.columns.len();
                    if n == 0 {
                        self.err(file, &format!("{p}.columns"), "a table needs at least one column");
                    }
                    for (r, row) in t.rows.iter().enumerate() {
                        if row.len() != n {
                            let msg = format!("table row has {} cells but the table has {n} columns", row.len());
                            self.err(file, &format!("{p}.rows[{r}]"), msg);
                        }
                    }
                }
                Block::Series(s) => {
                    for (j, pt) in s.points.iter().enumerate() {
                        if !pt.value.is_finite() {
                            self.err(file, &format!("{p}.points[{j}].value"), "series value is not a finite number");
                        }
                    }
                }
                Block::Participants { groups, .. } => {
                    for (g, group) in groups.iter().enumerate() {
                        self.company_refs(file, &format!("{p}.groups[{g}].companies"), &group.companies);
                    }
                }
                Block::Case(c) => {
                    self.id(file, &format!("{p}.id"), &c.id, "case");
                    self.company_refs(file, &format!("{p}.companies"), &c.companies);
                    if let Some(ind) = &c.industry {
                        if self.lib.industry(ind).is_none() {
                            self.err(file, &format!("{p}.industry"), format!("unknown industry id {ind:?}"));
                        }
                    }
                }
                _ => {}
            }
        }
    }
}
