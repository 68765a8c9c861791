//! Reading content folders: the `.yaml` files below a folder (or several),
//! each with its problems (unreadable, too large, not UTF-8).

use super::ContentError;
use super::load::Files;
use std::collections::HashSet;
use std::path::Path;

/// The largest content file read (the bundled chapters are under 300 KB).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// What a visit of one content file found wrong: (line, column, message).
type FileFault = (Option<usize>, Option<usize>, String);

/// Walk the `.yaml`/`.yml` files below `dir` in sorted order, following
/// symbolic links and reading a folder reached twice once; `visit` gets each
/// file's path and its path relative to `dir` (with `/`). Returns the
/// problems, each naming a file or folder.
fn walk(
    dir: &Path,
    visit: &mut dyn FnMut(&Path, String) -> Result<(), FileFault>,
) -> std::io::Result<Vec<ContentError>> {
    struct Walk<'a> {
        root: &'a Path,
        errors: Vec<ContentError>,
        seen: HashSet<std::path::PathBuf>,
    }
    impl Walk<'_> {
        fn rel(&self, p: &Path) -> String {
            p.strip_prefix(self.root).unwrap_or(p).to_string_lossy().replace('\\', "/")
        }
        fn fail(&mut self, p: &Path, line: Option<usize>, column: Option<usize>, message: String) {
            let file = self.rel(p);
            self.errors.push(ContentError { file, line, column, path: String::new(), message });
        }
        fn dir(
            &mut self,
            dir: &Path,
            visit: &mut dyn FnMut(&Path, String) -> Result<(), FileFault>,
        ) -> std::io::Result<()> {
            if let Ok(real) = std::fs::canonicalize(dir)
                && !self.seen.insert(real)
            {
                self.fail(dir, None, None, "folder already read (a symbolic link loop?): skipped".into());
                return Ok(());
            }
            let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let p = e.path();
                if p.is_dir() {
                    if let Err(err) = self.dir(&p, visit) {
                        self.fail(&p, None, None, format!("cannot read folder: {err}"));
                    }
                } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
                    let rel = self.rel(&p);
                    if let Err((line, column, message)) = visit(&p, rel) {
                        self.fail(&p, line, column, message);
                    }
                }
            }
            Ok(())
        }
    }
    let mut w = Walk { root: dir, errors: Vec::new(), seen: HashSet::new() };
    w.dir(dir, visit)?;
    Ok(w.errors)
}

/// Read every `.yaml`/`.yml` file below `dir`, with the problems of files
/// that could not be read, each naming the file.
///
/// Only regular files are read (a FIFO would block forever, a link to
/// /dev/zero would never end), each up to `MAX_FILE_BYTES`. A file that is
/// not UTF-8 is an error at its line and column, not text with U+FFFD in it.
/// A folder reached twice through symbolic links is read once.
pub fn read_dir(dir: &Path) -> std::io::Result<(Files, Vec<ContentError>)> {
    let mut out = Files::new();
    let errors = walk(dir, &mut |p, rel| {
        out.insert(rel, read_file(p)?);
        Ok(())
    })?;
    Ok((out, errors))
}

/// The prefix of a folder's files in a library of several folders: none
/// for one folder (files are named as in the folder: `fs/report.yaml`), its
/// path for several (`/data/a/fs/report.yaml`), so that names stay apart.
pub fn folder_prefix(dirs: &[std::path::PathBuf], k: usize) -> String {
    match dirs.get(k) {
        Some(d) if dirs.len() > 1 => format!("{}/", d.display().to_string().trim_end_matches('/')),
        _ => String::new(),
    }
}

/// [`read_dir`] over several folders read as one library (see `folder_prefix`).
pub fn read_dirs(dirs: &[std::path::PathBuf]) -> Result<(Files, Vec<ContentError>), String> {
    let mut files = Files::new();
    let mut errors = Vec::new();
    for (k, d) in dirs.iter().enumerate() {
        let (f, e) = read_dir(d).map_err(|e| format!("{}: {e}", d.display()))?;
        let pre = folder_prefix(dirs, k);
        files.extend(f.into_iter().map(|(name, text)| (format!("{pre}{name}"), text)));
        errors.extend(e.into_iter().map(|mut e| {
            e.file = format!("{pre}{}", e.file);
            e
        }));
    }
    Ok((files, errors))
}

/// [`list_dir`] over several folders (see `folder_prefix`).
pub fn list_dirs(dirs: &[std::path::PathBuf]) -> Option<Vec<Listed>> {
    let mut out = Vec::new();
    for (k, d) in dirs.iter().enumerate() {
        let pre = folder_prefix(dirs, k);
        out.extend(list_dir(d)?.into_iter().map(|mut l| {
            l.rel = format!("{pre}{}", l.rel);
            l
        }));
    }
    Some(out)
}

/// A content file as listed, not read: for the cache's keys.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The path relative to the folder, as a key of [`Files`].
    pub rel: String,
    pub path: std::path::PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch.
    pub mtime_ns: i128,
    /// Status-change time in nanoseconds and inode number: any write or
    /// rename changes one of them, even when the mtime is put back.
    pub ctime_ns: i128,
    pub ino: u64,
}

/// The files [`read_dir`] would read, with their sizes and mtimes, without
/// reading them; `None` if any would be a problem (a file that is not
/// regular or too large, a folder that cannot be read, a link loop): the
/// loader reports those.
pub fn list_dir(dir: &Path) -> Option<Vec<Listed>> {
    let mut out = Vec::new();
    let errors = walk(dir, &mut |p, rel| {
        let fault = |m: &str| (None, None, m.to_string());
        let meta = std::fs::metadata(p).map_err(|e| fault(&e.to_string()))?;
        if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
            return Err(fault("not cacheable"));
        }
        let mtime = meta.modified().map_err(|e| fault(&e.to_string()))?;
        let mtime_ns = match mtime.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        };
        use std::os::unix::fs::MetadataExt;
        let ctime_ns = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
        out.push(Listed { rel, path: p.to_path_buf(), size: meta.len(), mtime_ns, ctime_ns, ino: meta.ino() });
        Ok(())
    })
    .ok()?;
    errors.is_empty().then_some(out)
}

/// Open `p` to read it, if it is a regular file. The open is non-blocking,
/// so that a FIFO returns at once (for a regular file O_NONBLOCK changes
/// nothing); a FIFO, device or socket (a link to /dev/zero) is an error.
pub fn open_regular(p: &Path) -> std::io::Result<(std::fs::File, std::fs::Metadata)> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(p)?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, device or socket): not read",
        ));
    }
    Ok((f, meta))
}

/// The guarded reader of every file yanbao reads (content, keymap, config,
/// reading memory, authorized keys): a regular file only ([`open_regular`]),
/// of at most `max` bytes, read no further than that.
pub fn read_guarded(p: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let (f, meta) = open_regular(p)?;
    let too_large = |n: u64| {
        let limit = if max >= 1 << 20 { format!("{} MiB", max >> 20) } else { format!("{} KiB", max >> 10) };
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{n} bytes: larger than the {limit} limit"))
    };
    if meta.len() > max {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::new();
    f.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// [`read_guarded`] as UTF-8 text.
pub fn read_guarded_text(p: &Path, max: u64) -> std::io::Result<String> {
    String::from_utf8(read_guarded(p, max)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not valid UTF-8 ({e})")))
}

/// One content file as text, or (line, column, why not).
fn read_file(p: &Path) -> Result<String, (Option<usize>, Option<usize>, String)> {
    let bytes = read_guarded(p, MAX_FILE_BYTES).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => (None, None, e.to_string()),
        _ => (None, None, format!("cannot read: {e}")),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let good = e.utf8_error().valid_up_to();
        let before = bytes.get(..good).unwrap_or_default();
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(before.get(line_start..).unwrap_or_default()).chars().count() + 1;
        (Some(line), Some(column), "not valid UTF-8".to_string())
    })
}
