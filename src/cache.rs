//! The cache of a library: its reports and registries as parsed and
//! validated, and the finder's index with its pinyin keys, in one file per
//! content folder (or list of folders) under `$XDG_CACHE_HOME/yanbao/`
//! (default `~/.cache/yanbao/`).
//!
//! A cache file is a header, a catalogue, and blobs, all [postcard]:
//!
//! | bytes | what |
//! |---|---|
//! | 8 | magic `YANBAO\0\x02` |
//! | 16 | schema: this build's version and model sources, hashed by build.rs |
//! | 8 | catalogue length |
//! | 16 | XXH3-128 of the catalogue |
//! | … | catalogue: the file keys, the registries, each report's head (its outline, no blocks), the index's reading table, and where each blob is (offset, length, XXH3-128) |
//! | … | blobs: the index in pieces (the registries, then one per report), the index's unit lists, then each report's full content |
//!
//! At start only the header and the catalogue are read and checked: the
//! tree, the registries and the titles need nothing else. A report's blob is
//! read (from the open file, by offset) and checked when the report is first
//! opened; the explorer reads the index's pieces on a thread of its own, and
//! `yanbao search` reads and searches one piece at a time. A blob that fails
//! its checksum is not used: the report is parsed from the YAML instead (an
//! index piece is left out), and the cache file is removed so that the next
//! start rebuilds it.
//!
//! The index's unit lists (which units hold each character, pinyin run and
//! node: the finder's candidates) are not decoded: the cache file is
//! memory-mapped and they are read in place (`search::postings`: a
//! directory, then sorted lists in delta + varint), each list as a query
//! needs it, every read bounds-checked. Their checksum is checked once,
//! when the index is joined, before their first use; lists that fail it
//! (or an index with a piece left out, whose units they would misnumber)
//! are built from the units instead, as for an index made from the YAML. The file is never written in place: a new one is
//! renamed over it, and the open file keeps the old one readable.
//!
//! Each content file has a key: its path, size, mtime and XXH3-128 content
//! hash. A file whose size and mtime match its key, and whose mtime is older
//! than the listing the cache was made from (so it cannot have changed in the
//! same clock tick), is taken as unchanged; any other file is read and hashed,
//! and a different hash makes the cache stale. The bundled content is always
//! hashed (it is in the binary; that takes microseconds).
//!
//! A file that is missing, corrupt (bad magic, length or checksum, or a
//! catalogue that does not decode or does not hold together), stale, or from
//! another yanbao build is rebuilt from the YAML. Files are written to a
//! temporary file in the same folder and renamed over the old one, so a
//! reader sees the old file or the new one, never half of one, and two
//! processes building at once both succeed. A cache folder that cannot be
//! written leaves yanbao working without a cache. Only content without
//! problems is cached. At most [`MAX_FOLDERS`] folders are cached; the
//! least recently written go first.

use crate::content::{
    Company, ContentError, Files, Industry, Library, Report, ReportSource, bundled_files, folder_prefix, list_dirs,
    load_roots_with, read_dirs,
};
use crate::search::pinyin::Table;
use crate::search::{Index, LazyIndex};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

const MAGIC: &[u8; 8] = b"YANBAO\0\x02";
const HEADER: usize = 8 + 16 + 8 + 16;
/// The most content folders cached at once.
pub const MAX_FOLDERS: usize = 16;
/// A file modified this close to (or after) the listing may have changed
/// within one mtime tick of it: its hash is checked.
const RACY_NS: i128 = 2_000_000_000;

fn schema() -> [u8; 16] {
    let mut s = [0u8; 16];
    let id = env!("YANBAO_CACHE_SCHEMA").as_bytes();
    for (d, b) in s.iter_mut().zip(id) {
        *d = *b;
    }
    s
}

/// How the cache served a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Not used: `--no-cache`, no cache folder, or content with problems.
    Off,
    /// Read from the cache.
    Hit,
    /// Built: there was no cache file.
    Built,
    /// Rebuilt, and why (corrupt, stale, another version).
    Rebuilt(String),
    /// Parsed, but the cache could not be written (read-only folder…).
    Unwritable(String),
}

/// A loaded library with its index.
pub struct Opened {
    pub lib: Library,
    /// `None` when the content has problems (nothing is indexed then). From
    /// the cache, it is read on first use (see [`LazyIndex`]).
    pub index: Option<LazyIndex>,
    /// From the cache: the index's pieces, to read one at a time.
    pub pieces: Option<Arc<Pieces>>,
    pub errors: Vec<ContentError>,
    pub status: Status,
}

/// The cache folder: `$XDG_CACHE_HOME/yanbao`, else `~/.cache/yanbao`.
pub fn default_dir() -> Option<PathBuf> {
    crate::paths::dir(crate::paths::Base::Cache)
}

/// The cache file of a content folder (or of the bundled content).
pub fn file_for(cache_dir: &Path, content: Option<&Path>) -> PathBuf {
    file_for_dirs(cache_dir, &content.map(|d| vec![d.to_path_buf()]).unwrap_or_default())
}

/// The cache file of a library of folders (none: the bundled content).
pub fn file_for_dirs(cache_dir: &Path, dirs: &[PathBuf]) -> PathBuf {
    if dirs.is_empty() {
        return cache_dir.join("bundled.bin");
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for (k, d) in dirs.iter().enumerate() {
        let abs = std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf());
        if k > 0 {
            h.update(b"\0");
        }
        h.update(abs.as_os_str().as_encoded_bytes());
    }
    cache_dir.join(format!("lib-{:016x}.bin", h.digest()))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileKey {
    path: String,
    size: u64,
    mtime_ns: i128,
    ctime_ns: i128,
    ino: u64,
    hash: u128,
}

#[derive(Debug, Serialize, Deserialize)]
struct Keys {
    /// When the files were listed, in ns since the epoch.
    listed_ns: i128,
    /// The content folders, canonical: a cache file copied or swapped from
    /// another library is not taken for this one's.
    roots: Vec<String>,
    files: Vec<FileKey>,
}

/// A stretch of the data part of a cache file: where, how long, its XXH3-128.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Blob {
    offset: u64,
    len: u64,
    sum: u128,
}

/// A piece of the index: its blob, and the nodes whose paths it holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PieceEntry {
    blob: Blob,
    units: u64,
    nodes: (u64, u64),
}

#[derive(Serialize)]
struct CatalogueRef<'a> {
    industries: &'a [Industry],
    companies: &'a [Company],
    heads: &'a [Report],
    table: &'a Table,
    pieces: Vec<PieceEntry>,
    reports: Vec<Blob>,
    postings: Option<Blob>,
}

#[derive(Deserialize)]
struct Catalogue {
    industries: Vec<Industry>,
    companies: Vec<Company>,
    heads: Vec<Report>,
    table: Table,
    pieces: Vec<PieceEntry>,
    reports: Vec<Blob>,
    /// The index's per-character unit lists (`Index::encode_postings`),
    /// read in place from the mapped file.
    postings: Option<Blob>,
}

fn now_ns() -> i128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128)
}

fn hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// A content file as listed: relative path, where it is, size and mtime.
/// The bundled content has no files on disk: its text stands in.
enum Source {
    Dir(Vec<crate::content::Listed>),
    Bundled(Files),
    /// The bundled content with the library folder of imported reports
    /// (its files named with the folder's prefix, as the loader names them).
    BundledWith(Files, Vec<crate::content::Listed>),
}

/// The name the bundled content has in the roots of a cache key: a library
/// read with the bundled reports is not the folder read alone.
const BUNDLED_ROOT: &str = "(bundled)";

/// Load a library through the cache in `cache_dir` (`None`: no cache).
/// Errors are those of [`Library::load_from`]: an unreadable folder.
pub fn open(content: Option<&Path>, cache_dir: Option<&Path>) -> Result<Opened, String> {
    open_dirs(&content.map(|d| vec![d.to_path_buf()]).unwrap_or_default(), cache_dir)
}

/// What a cache build tells as it goes: the step (`parse`, `index`,
/// `write`) and how far it is (done, in all). Called only when the cache is
/// built, never when it serves.
pub type Progress<'a> = &'a (dyn Fn(Step, usize, usize) + Sync);

/// A step of a cache build (see [`Progress`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Parse,
    Index,
    Write,
}

/// [`open`] for several folders read as one library (none: the bundled content).
pub fn open_dirs(dirs: &[PathBuf], cache_dir: Option<&Path>) -> Result<Opened, String> {
    open_dirs_with(dirs, cache_dir, &|_, _, _| {})
}

/// [`open_dirs`], telling `progress` how a cache build goes.
pub fn open_dirs_with(dirs: &[PathBuf], cache_dir: Option<&Path>, progress: Progress) -> Result<Opened, String> {
    let Some(cache_dir) = cache_dir else {
        return parse(dirs, Status::Off);
    };
    let listed_ns = now_ns();
    let source = if dirs.is_empty() {
        Source::Bundled(bundled_files())
    } else {
        match list_dirs(dirs) {
            Some(l) => Source::Dir(l),
            // Something the loader will report (an unreadable or odd file).
            None => return parse(dirs, Status::Off),
        }
    };
    let file = file_for_dirs(cache_dir, dirs);
    let roots = canonical_roots(dirs);
    let keys = Keys { listed_ns, roots, files: Vec::new() };
    open_source(cache_dir, &file, source, keys, dirs, progress, || {
        let (files, read_errors) = match dirs.is_empty() {
            false => read_dirs(dirs)?,
            true => (bundled_files(), Vec::new()),
        };
        let prefixes: Vec<String> = (0..dirs.len().max(1)).map(|k| folder_prefix(dirs, k)).collect();
        let (lib, mut errors) = load_roots_with(&files, &prefixes, &|d, n| progress(Step::Parse, d, n));
        errors.splice(0..0, read_errors);
        Ok((lib, errors, files))
    })
}

/// The bundled reports with the library folder of imported reports, as
/// one library (what `yanbao` opens when the folder holds a report),
/// through a cache file of its own: a start reads only the catalogue, and
/// a report added to or removed from the folder is seen at the next start.
pub fn open_library(dir: &Path, cache_dir: Option<&Path>) -> Result<Opened, String> {
    open_library_with(dir, cache_dir, &|_, _, _| {})
}

/// [`open_library`], telling `progress` how a cache build goes.
pub fn open_library_with(dir: &Path, cache_dir: Option<&Path>, progress: Progress) -> Result<Opened, String> {
    let Some(cache_dir) = cache_dir else {
        let (lib, errors) = Library::load_bundled_with(dir)?;
        let index = errors.is_empty().then(|| LazyIndex::ready(Index::build(&lib)));
        return Ok(Opened { lib, index, pieces: None, errors, status: Status::Off });
    };
    let listed_ns = now_ns();
    let prefix = library_prefix(dir);
    let Some(listed) = crate::content::list_dir(dir) else {
        let (lib, errors) = Library::load_bundled_with(dir)?;
        let index = errors.is_empty().then(|| LazyIndex::ready(Index::build(&lib)));
        return Ok(Opened { lib, index, pieces: None, errors, status: Status::Off });
    };
    let listed = listed
        .into_iter()
        .map(|mut l| {
            l.rel = format!("{prefix}{}", l.rel);
            l
        })
        .collect();
    let source = Source::BundledWith(bundled_files(), listed);
    let file = file_for_library(cache_dir, dir);
    let mut roots = vec![BUNDLED_ROOT.to_string()];
    roots.extend(canonical_roots(&[dir.to_path_buf()]));
    let keys = Keys { listed_ns, roots, files: Vec::new() };
    open_source(cache_dir, &file, source, keys, &[dir.to_path_buf()], progress, || {
        let (more, read_errors) = crate::content::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut files = bundled_files();
        files.extend(more.into_iter().map(|(name, text)| (format!("{prefix}{name}"), text)));
        let (lib, mut errors) =
            load_roots_with(&files, &[String::new(), prefix.clone()], &|d, n| progress(Step::Parse, d, n));
        errors.splice(
            0..0,
            read_errors.into_iter().map(|mut e| {
                e.file = format!("{prefix}{}", e.file);
                e
            }),
        );
        Ok((lib, errors, files))
    })
}

/// How the loader names the library folder's files: `DIR/` before each.
fn library_prefix(dir: &Path) -> String {
    format!("{}/", dir.display().to_string().trim_end_matches('/'))
}

/// The cache file of the bundled content read with a library folder.
pub fn file_for_library(cache_dir: &Path, dir: &Path) -> PathBuf {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(BUNDLED_ROOT.as_bytes());
    h.update(b"\0");
    let abs = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    h.update(abs.as_os_str().as_encoded_bytes());
    cache_dir.join(format!("lib-{:016x}.bin", h.digest()))
}

/// What parsing gives when the cache cannot serve: the library, its
/// problems, and the files as read (hashed for the keys).
type Parsed = (Library, Vec<ContentError>, Files);

/// Serve `source` from `file`, or parse it with `parse_all` and write the
/// cache for the next start.
fn open_source(
    cache_dir: &Path,
    file: &Path,
    source: Source,
    // The keys' listing time and roots (the files are keyed as parsed).
    mut keys: Keys,
    dirs: &[PathBuf],
    progress: Progress,
    parse_all: impl FnOnce() -> Result<Parsed, String>,
) -> Result<Opened, String> {
    let why = match read(file, &source, dirs, &keys.roots) {
        Ok(Some(opened)) => return Ok(opened),
        Ok(None) => None,
        Err(why) => Some(why),
    };
    let (lib, errors, files) = parse_all()?;
    if !errors.is_empty() {
        return Ok(Opened { lib, index: None, pieces: None, errors, status: Status::Off });
    }
    let index = Index::build_with(&lib, &|d, n| progress(Step::Index, d, n));
    keys.files = keys_of(&source, &files);
    progress(Step::Write, 0, 1);
    let status = match write(cache_dir, file, &keys, &lib, &index) {
        Err(e) => Status::Unwritable(e),
        Ok(()) => match why {
            None => Status::Built,
            Some(w) => Status::Rebuilt(w),
        },
    };
    Ok(Opened { lib, index: Some(LazyIndex::ready(index)), pieces: None, errors, status })
}

/// The content folders as canonical paths, the key of a cache file's
/// library (none for the bundled content).
fn canonical_roots(dirs: &[PathBuf]) -> Vec<String> {
    dirs.iter()
        .map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf()).to_string_lossy().into_owned())
        .collect()
}

/// Parse without the cache.
fn parse(dirs: &[PathBuf], status: Status) -> Result<Opened, String> {
    let (lib, errors) = Library::load_dirs(dirs)?;
    let index = errors.is_empty().then(|| LazyIndex::ready(Index::build(&lib)));
    Ok(Opened { lib, index, pieces: None, errors, status })
}

/// The keys of the files as read: the listing's size and mtime, the hash of
/// the text that was parsed (so a file changed between the listing and the
/// read is hashed as parsed, and seen as changed at the next start).
fn keys_of(source: &Source, files: &Files) -> Vec<FileKey> {
    let bundled = |b: &Files| {
        b.iter()
            .map(|(p, t)| FileKey {
                path: p.clone(),
                size: t.len() as u64,
                mtime_ns: 0,
                ctime_ns: 0,
                ino: 0,
                hash: hash(t.as_bytes()),
            })
            .collect::<Vec<_>>()
    };
    let listed = |listed: &[crate::content::Listed]| {
        listed
            .iter()
            .map(|l| FileKey {
                path: l.rel.clone(),
                size: l.size,
                mtime_ns: l.mtime_ns,
                ctime_ns: l.ctime_ns,
                ino: l.ino,
                hash: files.get(&l.rel).map_or(0, |t| hash(t.as_bytes())),
            })
            .collect::<Vec<_>>()
    };
    match source {
        Source::Bundled(_) => bundled(files),
        Source::Dir(l) => listed(l),
        Source::BundledWith(b, l) => {
            let mut keys = bundled(b);
            keys.extend(listed(l));
            keys
        }
    }
}

/// Whether the files are those of the keys; `Err` says which is not.
fn fresh(keys: &Keys, source: &Source, roots: &[String]) -> Result<(), String> {
    if keys.roots != roots {
        return Err("made for another content folder".into());
    }
    match source {
        Source::Bundled(files) => fresh_bundled(&keys.files, files),
        Source::Dir(listed) => fresh_listed(&keys.files, listed, keys.listed_ns),
        Source::BundledWith(files, listed) => {
            let (b, l) = keys.files.split_at(files.len().min(keys.files.len()));
            fresh_bundled(b, files)?;
            fresh_listed(l, listed, keys.listed_ns)
        }
    }
}

/// Whether the bundled content is the one the keys were made of.
fn fresh_bundled(keys: &[FileKey], files: &Files) -> Result<(), String> {
    let same = keys.len() == files.len()
        && keys
            .iter()
            .zip(files)
            .all(|(k, (p, t))| k.path == *p && k.size == t.len() as u64 && k.hash == hash(t.as_bytes()));
    if same { Ok(()) } else { Err("the bundled content changed".into()) }
}

/// Whether the listed files are those of the keys (see the module doc for
/// when a file is hashed).
fn fresh_listed(keys: &[FileKey], listed: &[crate::content::Listed], listed_ns: i128) -> Result<(), String> {
    if keys.len() != listed.len() || keys.iter().zip(listed).any(|(k, l)| k.path != l.rel) {
        return Err("files were added or removed".into());
    }
    for (k, l) in keys.iter().zip(listed) {
        let same_stat = k.size == l.size && k.mtime_ns == l.mtime_ns && k.ctime_ns == l.ctime_ns && k.ino == l.ino;
        if same_stat && l.mtime_ns < listed_ns - RACY_NS {
            continue;
        }
        let changed = k.size != l.size
            || crate::content::read_guarded(&l.path, crate::content::MAX_FILE_BYTES)
                .map_or(true, |b| hash(&b) != k.hash);
        if changed {
            return Err(format!("{} changed", l.rel));
        }
    }
    Ok(())
}

/// The data part of an open cache file. It is read by offset from the open
/// file, so a cache file renamed over it meanwhile changes nothing here.
struct Data {
    file: std::fs::File,
    /// Where the data part starts in the file, and its length.
    start: u64,
    len: u64,
    /// The cache file's path: removed when a blob is found corrupt, so that
    /// the next start rebuilds it.
    path: PathBuf,
    damaged: std::sync::atomic::AtomicBool,
}

impl Data {
    /// A corrupt blob was found: the cache file is removed (once), so that
    /// the next start rebuilds it.
    fn corrupt(&self) {
        if !self.damaged.swap(true, std::sync::atomic::Ordering::Relaxed) {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// A blob's bytes, checked against its checksum.
    fn read(&self, b: &Blob) -> Result<Vec<u8>, String> {
        use std::os::unix::fs::FileExt;
        let ok = b.offset.checked_add(b.len).is_some_and(|end| end <= self.len);
        let mut buf = vec![0u8; if ok { b.len as usize } else { 0 }];
        let read = ok && self.file.read_exact_at(&mut buf, self.start + b.offset).is_ok();
        if read && hash(&buf) == b.sum {
            return Ok(buf);
        }
        self.corrupt();
        Err("corrupt".into())
    }
}

/// What a cache file holds beside the library: the index's pieces, read on
/// demand. `yanbao search` reads them one at a time.
pub struct Pieces {
    data: Arc<Data>,
    /// Where the index's unit lists are in the file.
    lists_at: Option<std::ops::Range<usize>>,
    table: Arc<Table>,
    pieces: Vec<PieceEntry>,
}

impl Pieces {
    pub fn len(&self) -> usize {
        self.pieces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }

    /// The number of the first unit of piece `k` in the whole index.
    pub fn unit_base(&self, k: usize) -> usize {
        self.pieces.iter().take(k).map(|p| p.units as usize).sum()
    }

    /// Piece `k` as an index of its own (units numbered from 0).
    pub fn get(&self, k: usize) -> Result<Index, String> {
        let p = self.pieces.get(k).ok_or("no such piece")?;
        let bytes = self.data.read(&p.blob)?;
        let ix = Index::decode_piece(&bytes, &self.table)?;
        if ix.units.len() as u64 != p.units {
            return Err("corrupt".into());
        }
        Ok(ix)
    }

    /// The whole index. A piece that cannot be read is left out (its
    /// units are not found; the cache file is rebuilt at the next start).
    pub fn join(&self) -> Index {
        let parts = (0..self.pieces.len())
            .map(|k| {
                self.get(k).unwrap_or_else(|_| {
                    let (a, b) = self.pieces[k].nodes;
                    Index::empty_piece(self.table.clone(), a as usize, b as usize)
                })
            })
            .collect();
        Index::join(self.table.clone(), parts).unwrap_or_else(|_| Index::empty_piece(self.table.clone(), 0, 0))
    }

    /// Where the index's unit lists are in the cache file (for tests that
    /// damage them).
    #[doc(hidden)]
    pub fn lists_at(&self) -> Option<std::ops::Range<usize>> {
        self.lists_at.clone()
    }

    /// Whether a corrupt blob was found (the cache file is then removed).
    pub fn damaged(&self) -> bool {
        self.data.damaged.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The full reports of a cached library, read when first opened; from the
/// YAML if the cache's copy is corrupt.
struct CachedReports {
    data: Arc<Data>,
    reports: Vec<Blob>,
    dirs: Vec<PathBuf>,
    /// The library is the bundled content with `dirs[0]` (see [`open_library`]).
    with_bundled: bool,
    parsed: std::sync::OnceLock<Option<Library>>,
}

impl ReportSource for CachedReports {
    fn load(&self, i: usize) -> Option<Report> {
        let from_cache = self
            .reports
            .get(i)
            .and_then(|b| self.data.read(b).ok())
            .and_then(|bytes| postcard::from_bytes::<Report>(&bytes).ok());
        if from_cache.is_some() {
            return from_cache;
        }
        let parsed = self.parsed.get_or_init(|| {
            let loaded = match (self.with_bundled, self.dirs.first()) {
                (true, Some(dir)) => Library::load_bundled_with(dir),
                _ => Library::load_dirs(&self.dirs),
            };
            loaded.ok().filter(|(_, e)| e.is_empty()).map(|(l, _)| l)
        });
        parsed.as_ref().and_then(|l| l.report(i)).cloned()
    }
}

/// The largest catalogue a cache file of `source` may claim.
fn max_catalogue(source: &Source) -> u64 {
    let content: u64 = match source {
        Source::Dir(listed) => listed.iter().map(|l| l.size).sum(),
        Source::Bundled(files) => files.values().map(|t| t.len() as u64).sum(),
        Source::BundledWith(files, listed) => {
            files.values().map(|t| t.len() as u64).sum::<u64>() + listed.iter().map(|l| l.size).sum::<u64>()
        }
    };
    content.saturating_mul(16).saturating_add(16 << 20)
}

/// Read a cache file: `Ok(None)` if there is none, `Err(why)` if it cannot
/// be used. Only the header and the catalogue (the keys, the registries,
/// the reports' heads and the reading table) are read and checked here; a
/// report's blob and the index's pieces are read and checked when used.
fn read(file: &Path, source: &Source, dirs: &[PathBuf], roots: &[String]) -> Result<Option<Opened>, String> {
    use std::io::Read;
    let mut f = match crate::content::open_regular(file) {
        Ok((f, _)) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("unreadable ({e})")),
    };
    let corrupt = || "corrupt".to_string();
    let mut head = [0u8; HEADER];
    f.read_exact(&mut head).map_err(|_| corrupt())?;
    if head.get(..7) != MAGIC.get(..7) {
        return Err(corrupt());
    }
    if head.get(7..8) != MAGIC.get(7..8) || head.get(8..24) != Some(schema().as_slice()) {
        return Err("made by another yanbao version".into());
    }
    let len = head.get(24..32).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes).ok_or_else(corrupt)?;
    let sum = head.get(32..48).and_then(|b| b.try_into().ok()).map(u128::from_le_bytes).ok_or_else(corrupt)?;
    let size = f.metadata().map_err(|_| corrupt())?.len();
    let data_len = size.checked_sub(HEADER as u64).and_then(|r| r.checked_sub(len)).ok_or_else(corrupt)?;
    // The claimed length is checked against the file's size (above) and
    // against the content's before anything is allocated: a sparse file
    // claiming 8 GiB is refused, not read (issue 26, N10). The catalogue
    // holds the content's outline, far less than 16 times its text.
    if len > max_catalogue(source) {
        return Err(corrupt());
    }
    let mut cat = Vec::new();
    (&mut f).take(len).read_to_end(&mut cat).map_err(|_| corrupt())?;
    if cat.len() as u64 != len {
        return Err(corrupt());
    }
    if hash(&cat) != sum {
        return Err(corrupt());
    }
    let (keys, rest): (Keys, &[u8]) = postcard::take_from_bytes(&cat).map_err(|_| corrupt())?;
    fresh(&keys, source, roots).map_err(|w| format!("stale: {w}"))?;
    let c: Catalogue = postcard::from_bytes(rest).map_err(|_| corrupt())?;
    if !c.table.is_consistent() || c.reports.len() != c.heads.len() {
        return Err(corrupt());
    }
    let in_data = |b: &Blob| b.offset.checked_add(b.len).is_some_and(|e| e <= data_len);
    if !c.reports.iter().chain(c.pieces.iter().map(|p| &p.blob)).chain(c.postings.as_ref()).all(in_data) {
        return Err(corrupt());
    }
    // The unit lists are read in place from the mapped file; a file that
    // cannot be mapped has them built on the first search instead.
    let lists = c.postings.as_ref().and_then(|b| {
        let start = usize::try_from(HEADER as u64 + len + b.offset).ok()?;
        let range = start..start.checked_add(usize::try_from(b.len).ok()?)?;
        Some((map(&f)?, range, b.sum))
    });
    let data = Arc::new(Data {
        file: f,
        start: HEADER as u64 + len,
        len: data_len,
        path: file.to_path_buf(),
        damaged: Default::default(),
    });
    let reports = CachedReports {
        data: Arc::clone(&data),
        reports: c.reports,
        dirs: dirs.to_vec(),
        with_bundled: matches!(source, Source::BundledWith(..)),
        parsed: Default::default(),
    };
    let lib = Library::lazy(c.heads, c.industries, c.companies, Box::new(reports));
    // The pieces' nodes follow one another and cover the outline.
    let mut next = 0u64;
    for p in &c.pieces {
        if p.nodes.0 != next || p.nodes.1 < p.nodes.0 {
            return Err(corrupt());
        }
        next = p.nodes.1;
    }
    if next != lib.nodes.len() as u64 {
        return Err(corrupt());
    }
    let pieces = Arc::new(Pieces {
        data,
        lists_at: lists.as_ref().map(|l| l.1.clone()),
        table: Arc::new(c.table),
        pieces: c.pieces,
    });
    let p = Arc::clone(&pieces);
    let index = LazyIndex::new(move || {
        let ix = p.join();
        // The lists number the units of the whole index: not used when a
        // piece was left out. Their checksum is checked once, here, before
        // their first use; lists that fail it are built instead.
        if let Some((map, range, sum)) = lists.as_ref().filter(|_| !p.damaged()) {
            let whole = map.get(range.clone()).is_some_and(|b| hash(b) == *sum);
            if !whole || !ix.attach_postings(Arc::clone(map) as crate::search::Shared, range.clone()) {
                p.data.corrupt();
            }
        }
        ix
    });
    Ok(Some(Opened { lib, index: Some(index), pieces: Some(pieces), errors: Vec::new(), status: Status::Hit }))
}

/// The open cache file, mapped read-only.
fn map(f: &std::fs::File) -> Option<Arc<memmap2::Mmap>> {
    // SAFETY: a cache file is never changed in place: a new one is written
    // beside it and renamed over it, so the mapped file's bytes do not
    // change while mapped. Every read of the mapping is bounds-checked.
    #[allow(unsafe_code)]
    let m = unsafe { memmap2::Mmap::map(f) };
    m.ok().map(Arc::new)
}

/// [`read`] for the fuzz target `cache`: a cache file checked as one for
/// an empty list of content folders (so that a catalogue with no file keys
/// is fresh and the fuzzer reaches the catalogue and the blobs).
#[doc(hidden)]
pub fn read_unkeyed(file: &Path) -> Result<Option<Opened>, String> {
    read(file, &Source::Dir(Vec::new()), &[], &[])
}

/// The header of a cache file whose catalogue is `catalogue`: magic,
/// this build's schema, the catalogue's length and checksum (for the fuzz
/// target `cache`, to get past the checksum).
#[doc(hidden)]
pub fn header_for(catalogue: &[u8]) -> Vec<u8> {
    let mut head = Vec::with_capacity(HEADER);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&schema());
    head.extend_from_slice(&(catalogue.len() as u64).to_le_bytes());
    head.extend_from_slice(&hash(catalogue).to_le_bytes());
    head
}

/// Write a cache file atomically: a temporary file in the same folder,
/// renamed over the old one.
fn write(cache_dir: &Path, file: &Path, keys: &Keys, lib: &Library, index: &Index) -> Result<(), String> {
    let mut data: Vec<u8> = Vec::new();
    let blob = |bytes: Vec<u8>, data: &mut Vec<u8>| {
        let b = Blob { offset: data.len() as u64, len: bytes.len() as u64, sum: hash(&bytes) };
        data.extend_from_slice(&bytes);
        b
    };
    let mut pieces = Vec::new();
    for (units, nodes) in index.pieces(lib) {
        let bytes = index.encode_piece(units.clone(), nodes.clone())?;
        let b = blob(bytes, &mut data);
        pieces.push(PieceEntry { blob: b, units: units.len() as u64, nodes: (nodes.start as u64, nodes.end as u64) });
    }
    let mut reports = Vec::new();
    for r in lib.reports() {
        let bytes = postcard::to_stdvec(r).map_err(|e| e.to_string())?;
        reports.push(blob(bytes, &mut data));
    }
    let lists = index.encode_postings();
    let postings = Some(blob(lists, &mut data));
    let cat = CatalogueRef {
        industries: &lib.industries,
        companies: &lib.companies,
        heads: lib.heads(),
        table: index.table(),
        pieces,
        reports,
        postings,
    };
    let mut payload = postcard::to_stdvec(keys).map_err(|e| e.to_string())?;
    postcard::to_io(&cat, &mut payload).map_err(|e| e.to_string())?;
    let head = header_for(&payload);
    // Not durable: a cache lost in a crash is rebuilt at the next start.
    crate::paths::write_atomic(file, &[&head, &payload, &data], false)
        .map_err(|e| format!("{}: {e}", cache_dir.display()))?;
    prune(cache_dir);
    Ok(())
}

/// Keep at most [`MAX_FOLDERS`] folder caches: remove the least recently written.
fn prune(cache_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(cache_dir) else { return };
    let mut libs: Vec<(SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with("lib-") && n.ends_with(".bin")))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if libs.len() > MAX_FOLDERS {
        libs.sort();
        for (_, p) in libs.iter().take(libs.len() - MAX_FOLDERS) {
            let _ = std::fs::remove_file(p);
        }
    }
}
