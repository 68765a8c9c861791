//! The XDG base folders, with one rule for all of them: an absolute
//! `$XDG_*_HOME` (a relative one is ignored, as the spec says), else the
//! default under a non-empty `$HOME`, else none. Each caller decides what
//! none means: the cache, the state and the user files are then done without;
//! the server's host key is an error (it must never land in the current folder).

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Which base folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// `$XDG_CONFIG_HOME`, `~/.config`: config.yaml, keymap.yaml.
    Config,
    /// `$XDG_STATE_HOME`, `~/.local/state`: reading memory.
    State,
    /// `$XDG_CACHE_HOME`, `~/.cache`: the content cache.
    Cache,
    /// `$XDG_DATA_HOME`, `~/.local/share`: the server's host key.
    Data,
}

impl Base {
    fn var(self) -> &'static str {
        match self {
            Base::Config => "XDG_CONFIG_HOME",
            Base::State => "XDG_STATE_HOME",
            Base::Cache => "XDG_CACHE_HOME",
            Base::Data => "XDG_DATA_HOME",
        }
    }

    fn under_home(self) -> &'static [&'static str] {
        match self {
            Base::Config => &[".config"],
            Base::State => &[".local", "state"],
            Base::Cache => &[".cache"],
            Base::Data => &[".local", "share"],
        }
    }
}

/// yanbao's folder in a base folder (`$XDG_CACHE_HOME/yanbao`, …), from the
/// process environment.
pub fn dir(base: Base) -> Option<PathBuf> {
    dir_from(base, |k| std::env::var_os(k))
}

/// `dir`, with the environment given (for tests).
pub fn dir_from(base: Base, env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let xdg = env(base.var()).map(PathBuf::from).filter(|p| p.is_absolute());
    let root = xdg.or_else(|| {
        let home = env("HOME").filter(|h| !h.is_empty())?;
        Some(base.under_home().iter().fold(PathBuf::from(home), |p, s| p.join(s)))
    })?;
    Some(root.join("yanbao"))
}

/// `$HOME`, when set and not empty.
pub fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Write `parts`, one after the other, to `file` atomically: to a temporary
/// file in the same folder (created if missing), then renamed over it, so a
/// reader never sees half a file and two writers at once both succeed (the
/// last rename wins). `durable`: the data reach the disk before the rename
/// (fsync), so a crash leaves the old file or the new, never an empty one.
pub fn write_atomic(file: &Path, parts: &[&[u8]], durable: bool) -> std::io::Result<()> {
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // Unique per process and per write: two instances (or two sessions of
    // one server) never share a temporary file.
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(".{name}.{}.{n}.{nanos}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        for p in parts {
            f.write_all(p)?;
        }
        if durable {
            f.sync_all()?;
        }
        drop(f);
        std::fs::rename(&tmp, file)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| OsString::from(v))
    }

    #[test]
    fn xdg_when_absolute_else_home_else_none() {
        let e = [("XDG_DATA_HOME", "/x/data"), ("HOME", "/home/u")];
        assert_eq!(dir_from(Base::Data, env(&e)), Some(PathBuf::from("/x/data/yanbao")));
        assert_eq!(dir_from(Base::Cache, env(&e)), Some(PathBuf::from("/home/u/.cache/yanbao")));
        assert_eq!(dir_from(Base::State, env(&e)), Some(PathBuf::from("/home/u/.local/state/yanbao")));
        let rel = [("XDG_CONFIG_HOME", "rel/cfg"), ("HOME", "/home/u")];
        assert_eq!(dir_from(Base::Config, env(&rel)), Some(PathBuf::from("/home/u/.config/yanbao")));
        // Neither: none, never the current folder.
        assert_eq!(dir_from(Base::Data, env(&[])), None);
        assert_eq!(dir_from(Base::Data, env(&[("HOME", ""), ("XDG_DATA_HOME", "share")])), None);
    }

    #[test]
    fn write_atomic_replaces_the_file_and_leaves_no_temporary() {
        let dir = std::env::temp_dir().join(format!("yanbao-atomic-{}", std::process::id()));
        let file = dir.join("sub").join("f.bin");
        write_atomic(&file, &[b"ab", b"cd"], false).expect("first write");
        write_atomic(&file, &[b"xyz"], true).expect("second write");
        assert_eq!(std::fs::read(&file).expect("read"), b"xyz");
        let names: Vec<_> =
            std::fs::read_dir(dir.join("sub")).expect("list").flatten().map(|e| e.file_name()).collect();
        assert_eq!(names.len(), 1, "{names:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
