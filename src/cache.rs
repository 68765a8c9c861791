//! The cache of a library: its reports and registries as parsed and
//! validated, and the finder's index with its pinyin keys, in one file per
//! content folder under `$XDG_CACHE_HOME/yanbao/` (default `~/.cache/yanbao/`).
//!
//! A cache file is a header and a [postcard] payload:
//!
//! | bytes | what |
//! |---|---|
//! | 8 | magic `YANBAO\0\x01` |
//! | 16 | schema: this build's version and model sources, hashed by build.rs |
//! | 8 | payload length |
//! | 16 | XXH3-128 of the payload |
//! | … | postcard of the file keys, then of the library and the index |
//!
//! Each content file has a key: its path, size, mtime and XXH3-128 content
//! hash. A file whose size and mtime match its key, and whose mtime is older
//! than the listing the cache was made from (so it cannot have changed in the
//! same clock tick), is taken as unchanged; any other file is read and hashed,
//! and a different hash makes the cache stale. The bundled content is always
//! hashed (it is in the binary; that takes microseconds).
//!
//! A file that is missing, corrupt (bad magic, length or checksum, or a
//! payload that does not decode or does not hold together), stale, or from
//! another yanbao build is rebuilt from the YAML. Files are written to a
//! temporary file in the same folder and renamed over the old one, so a
//! reader sees the old file or the new one, never half of one, and two
//! processes building at once both succeed. A cache folder that cannot be
//! written leaves yanbao working without a cache. Only content without
//! problems is cached. At most [`MAX_FOLDERS`] folders are cached; the
//! least recently written go first.

use crate::content::{
    Company, ContentError, Files, Industry, Library, Report, bundled_files, list_dir, load, read_dir,
};
use crate::search::Index;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};
use xxhash_rust::xxh3::Xxh3;

const MAGIC: &[u8; 8] = b"YANBAO\0\x01";
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
    /// `None` when the content has problems (nothing is indexed then).
    pub index: Option<Index>,
    pub errors: Vec<ContentError>,
    pub status: Status,
}

/// The cache folder: `$XDG_CACHE_HOME/yanbao`, else `~/.cache/yanbao`.
pub fn default_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).filter(|p| p.is_absolute());
    let base =
        xdg.or_else(|| std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("yanbao"))
}

/// The cache file of a content folder (or of the bundled content).
pub fn file_for(cache_dir: &Path, content: Option<&Path>) -> PathBuf {
    match content {
        None => cache_dir.join("bundled.bin"),
        Some(d) => {
            let abs = std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf());
            let h = xxhash_rust::xxh3::xxh3_64(abs.as_os_str().as_encoded_bytes());
            cache_dir.join(format!("lib-{h:016x}.bin"))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FileKey {
    path: String,
    size: u64,
    mtime_ns: i128,
    hash: u128,
}

#[derive(Debug, Serialize, Deserialize)]
struct Keys {
    /// When the files were listed, in ns since the epoch.
    listed_ns: i128,
    files: Vec<FileKey>,
}

#[derive(Serialize)]
struct BodyRef<'a> {
    industries: &'a [Industry],
    companies: &'a [Company],
    reports: &'a [Report],
    index: &'a Index,
}

#[derive(Deserialize)]
struct Body {
    industries: Vec<Industry>,
    companies: Vec<Company>,
    reports: Vec<Report>,
    index: Index,
}

fn now_ns() -> i128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128)
}

fn hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// A content file as listed: relative path, where it is, size and mtime.
/// The bundled content has no files on disk: its text stands in.
enum Source<'a> {
    Dir(&'a Path, Vec<crate::content::Listed>),
    Bundled(Files),
}

/// Load a library through the cache in `cache_dir` (`None`: no cache).
/// Errors are those of [`Library::load_from`]: an unreadable folder.
pub fn open(content: Option<&Path>, cache_dir: Option<&Path>) -> Result<Opened, String> {
    let Some(cache_dir) = cache_dir else {
        return parse(content, Status::Off);
    };
    let listed_ns = now_ns();
    let source = match content {
        Some(d) => match list_dir(d) {
            Some(l) => Source::Dir(d, l),
            // Something the loader will report (an unreadable or odd file).
            None => return parse(content, Status::Off),
        },
        None => Source::Bundled(bundled_files()),
    };
    let file = file_for(cache_dir, content);
    let why = match read(&file, &source) {
        Ok(Some(opened)) => return Ok(opened),
        Ok(None) => None,
        Err(why) => Some(why),
    };
    let (files, read_errors) = match &source {
        Source::Dir(d, _) => read_dir(d).map_err(|e| format!("{}: {e}", d.display()))?,
        Source::Bundled(f) => (f.clone(), Vec::new()),
    };
    let (lib, mut errors) = load(&files);
    errors.splice(0..0, read_errors);
    if !errors.is_empty() {
        return Ok(Opened { lib, index: None, errors, status: Status::Off });
    }
    let index = Index::build(&lib);
    let keys = Keys { listed_ns, files: keys_of(&source, &files) };
    let status = match write(cache_dir, &file, &keys, &lib, &index) {
        Err(e) => Status::Unwritable(e),
        Ok(()) => match why {
            None => Status::Built,
            Some(w) => Status::Rebuilt(w),
        },
    };
    Ok(Opened { lib, index: Some(index), errors, status })
}

/// Parse without the cache.
fn parse(content: Option<&Path>, status: Status) -> Result<Opened, String> {
    let (lib, errors) = Library::load_from(content)?;
    let index = errors.is_empty().then(|| Index::build(&lib));
    Ok(Opened { lib, index, errors, status })
}

/// The keys of the files as read: the listing's size and mtime, the hash of
/// the text that was parsed (so a file changed between the listing and the
/// read is hashed as parsed, and seen as changed at the next start).
fn keys_of(source: &Source, files: &Files) -> Vec<FileKey> {
    match source {
        Source::Bundled(_) => files
            .iter()
            .map(|(p, t)| FileKey { path: p.clone(), size: t.len() as u64, mtime_ns: 0, hash: hash(t.as_bytes()) })
            .collect(),
        Source::Dir(_, listed) => listed
            .iter()
            .map(|l| FileKey {
                path: l.rel.clone(),
                size: l.size,
                mtime_ns: l.mtime_ns,
                hash: files.get(&l.rel).map_or(0, |t| hash(t.as_bytes())),
            })
            .collect(),
    }
}

/// Whether the files are those of the keys; `Err` says which is not.
fn fresh(keys: &Keys, source: &Source) -> Result<(), String> {
    match source {
        Source::Bundled(files) => {
            let same = keys.files.len() == files.len()
                && keys
                    .files
                    .iter()
                    .zip(files)
                    .all(|(k, (p, t))| k.path == *p && k.size == t.len() as u64 && k.hash == hash(t.as_bytes()));
            if same { Ok(()) } else { Err("the bundled content changed".into()) }
        }
        Source::Dir(_, listed) => {
            if keys.files.len() != listed.len() || keys.files.iter().zip(listed).any(|(k, l)| k.path != l.rel) {
                return Err("files were added or removed".into());
            }
            for (k, l) in keys.files.iter().zip(listed) {
                let same_stat = k.size == l.size && k.mtime_ns == l.mtime_ns;
                if same_stat && l.mtime_ns < keys.listed_ns - RACY_NS {
                    continue;
                }
                let changed = k.size != l.size || std::fs::read(&l.path).map_or(true, |b| hash(&b) != k.hash);
                if changed {
                    return Err(format!("{} changed", l.rel));
                }
            }
            Ok(())
        }
    }
}

/// Read a cache file: `Ok(None)` if there is none, `Err(why)` if it cannot
/// be used.
fn read(file: &Path, source: &Source) -> Result<Option<Opened>, String> {
    use std::io::Read;
    let mut f = match std::fs::File::open(file) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("unreadable ({e})")),
    };
    let corrupt = || "corrupt".to_string();
    let mut head = [0u8; HEADER];
    f.read_exact(&mut head).map_err(|_| corrupt())?;
    if head.get(..8) != Some(MAGIC.as_slice()) {
        return Err(corrupt());
    }
    if head.get(8..24) != Some(schema().as_slice()) {
        return Err("made by another yanbao version".into());
    }
    let len = head.get(24..32).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes).ok_or_else(corrupt)?;
    let sum = head.get(32..48).and_then(|b| b.try_into().ok()).map(u128::from_le_bytes).ok_or_else(corrupt)?;
    let size = f.metadata().map_err(|_| corrupt())?.len();
    if size.checked_sub(HEADER as u64) != Some(len) {
        return Err(corrupt());
    }
    // The payload is decoded as it is read, hashed on the way, so that the
    // file is never in memory beside what it decodes to; nothing decoded is
    // used unless the checksum then matches.
    let hashing = Hashing { r: f, sum: Xxh3::new() };
    let stream = Stream { r: std::io::BufReader::with_capacity(1 << 16, hashing), left: len, scratch: Vec::new() };
    let mut de = postcard::Deserializer::from_flavor(stream);
    let keys = Keys::deserialize(&mut de).map_err(|_| corrupt())?;
    fresh(&keys, source).map_err(|w| format!("stale: {w}"))?;
    let body = Body::deserialize(&mut de).map_err(|_| corrupt())?;
    let mut stream = de.finalize().map_err(|_| corrupt())?;
    // Whatever is left unread goes through the hash too.
    std::io::copy(&mut stream.r, &mut std::io::sink()).map_err(|_| corrupt())?;
    if stream.left != 0 || stream.r.into_inner().sum.digest128() != sum {
        return Err(corrupt());
    }
    let lib = Library::new(body.reports, body.industries, body.companies);
    if !body.index.fits(&lib) {
        return Err(corrupt());
    }
    Ok(Some(Opened { lib, index: Some(body.index), errors: Vec::new(), status: Status::Hit }))
}

/// A reader that hashes what passes through it.
struct Hashing<R> {
    r: R,
    sum: Xxh3,
}

impl<R: std::io::Read> std::io::Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.r.read(buf)?;
        self.sum.update(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

/// A postcard source that reads a payload of known length. Only owned data
/// is decoded (strings and byte buffers are copied out of a scratch buffer),
/// so nothing borrows from the file.
struct Stream<R> {
    r: R,
    /// Payload bytes not yet read: no length prefix can reach past them.
    left: u64,
    scratch: Vec<u8>,
}

impl<'de, R: std::io::Read + 'de> postcard::de_flavors::Flavor<'de> for Stream<R> {
    type Remainder = Self;
    type Source = ();

    fn pop(&mut self) -> postcard::Result<u8> {
        let mut b = [0u8];
        if self.left == 0 {
            return Err(postcard::Error::DeserializeUnexpectedEnd);
        }
        self.r.read_exact(&mut b).map_err(|_| postcard::Error::DeserializeUnexpectedEnd)?;
        self.left -= 1;
        Ok(b[0])
    }

    fn try_take_n(&mut self, _ct: usize) -> postcard::Result<&'de [u8]> {
        // Borrowed data cannot come from a file being read.
        Err(postcard::Error::DeserializeBadEncoding)
    }

    fn try_take_n_temp<'a>(&'a mut self, ct: usize) -> postcard::Result<&'a [u8]>
    where
        'de: 'a,
    {
        if ct as u64 > self.left {
            return Err(postcard::Error::DeserializeUnexpectedEnd);
        }
        self.scratch.resize(ct, 0);
        self.r.read_exact(&mut self.scratch).map_err(|_| postcard::Error::DeserializeUnexpectedEnd)?;
        self.left -= ct as u64;
        Ok(&self.scratch)
    }

    fn finalize(self) -> postcard::Result<Self> {
        Ok(self)
    }
}

/// Write a cache file atomically: a temporary file in the same folder,
/// renamed over the old one.
fn write(cache_dir: &Path, file: &Path, keys: &Keys, lib: &Library, index: &Index) -> Result<(), String> {
    let body = BodyRef { industries: &lib.industries, companies: &lib.companies, reports: &lib.reports, index };
    let mut payload = postcard::to_stdvec(keys).map_err(|e| e.to_string())?;
    postcard::to_io(&body, &mut payload).map_err(|e| e.to_string())?;
    let mut head = Vec::with_capacity(HEADER);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&schema());
    head.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    head.extend_from_slice(&hash(&payload).to_le_bytes());
    std::fs::create_dir_all(cache_dir).map_err(|e| format!("{}: {e}", cache_dir.display()))?;
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("cache");
    let tmp = cache_dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), now_ns()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&head).and_then(|()| f.write_all(&payload)))
        .and_then(|()| std::fs::rename(&tmp, file));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("{}: {e}", cache_dir.display()));
    }
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
