//! The reading memory kept between runs, on disk: the last place read, the
//! position in each page (an LRU), the marks, notes and highlights, the
//! finder's and find prompt's query histories, in one SQLite database
//! (`$XDG_STATE_HOME/yanbao/state.db`, see [`db`]), each content under its
//! own scope (`bundled`, `content-<hash>` for a `--content` folder,
//! `serve/<key fingerprint>` for a served key).
//!
//! Saves write only the rows that changed, so two instances never lose each
//! other's marks or notes. The JSON file of the versions before is migrated
//! once (and kept as `*.migrated`). Nothing here is fatal: problems are
//! reported once and reading goes on in memory.
//!
//! The app's side (what a place is, marks, the jump list) is
//! `crate::app::Memory`; this module only stores and loads [`Saved`].

pub mod db;

pub use db::{Location, Opened, Store};

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The version of the file format; a file of another version is set aside.
pub const VERSION: u32 = 1;
/// At most this many page positions are kept (helix's session state caps its
/// LRU at 1,000); the least recently read go first.
pub const MAX_POSITIONS: usize = 1000;
/// The largest state file read: far above what the bounds above allow
/// (about 100 KB), far below what would hurt.
pub const MAX_STATE_BYTES: u64 = 4 << 20;
/// Marks are named a-z and A-Z.
pub const MAX_MARKS: usize = 52;
/// A mark keeps at most this many characters of the line it was set on.
pub const MARK_TEXT: usize = 80;
/// The find prompt keeps this many queries.
pub const MAX_FIND_HISTORY: usize = 50;
/// A note keeps at most this many characters of the block it quotes.
pub const NOTE_QUOTE: usize = 2000;
/// A note's text is at most this many characters.
pub const NOTE_TEXT: usize = 2000;

/// A place in a page, independent of the layout. `page` is `n:<section or
/// report id>` or `i:<industry id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedPlace {
    pub page: String,
    pub item: u32,
    pub unit: u32,
    pub off: u32,
}

/// A mark: its letter, its place, the section at the place (for the
/// breadcrumb) and the line of text it was set on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedMark {
    pub name: char,
    pub place: SavedPlace,
    #[serde(default)]
    pub node: String,
    #[serde(default)]
    pub text: String,
}

/// A note (or, with an empty text, a highlight) on a block: its report,
/// the block's id and content hash (to find it again), the section it is
/// in, the block's text quoted (kept when the block is gone), the note's
/// text and its dates (seconds since the epoch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedNote {
    /// Unique across instances: the creating process, time and counter.
    pub uid: String,
    pub report: String,
    pub block: String,
    pub hash: String,
    pub node: String,
    pub quote: String,
    pub text: String,
    pub created: i64,
    pub updated: i64,
}

/// Everything kept for one content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saved {
    pub version: u32,
    /// Where the reader was when it last saved.
    #[serde(default)]
    pub last: Option<SavedPlace>,
    /// The position in each page read, least recently read first.
    #[serde(default)]
    pub positions: Vec<SavedPlace>,
    #[serde(default)]
    pub marks: Vec<SavedMark>,
    /// How the tree groups the reports of a large library (`publisher`,
    /// `year`, `none`); absent for a library too small to group. An unknown
    /// name is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouping: Option<String>,
    /// The finder's queries, oldest first.
    #[serde(default)]
    pub finder_history: Vec<String>,
    /// The find prompt's queries, oldest first.
    #[serde(default)]
    pub find_history: Vec<String>,
    /// Notes and highlights, oldest first.
    #[serde(default)]
    pub notes: Vec<SavedNote>,
    /// The finder as it was last left, for `S`: its query and the row selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finder_last: Option<(String, usize)>,
    /// Results opened from the finder or a company page (frecency), most
    /// recent last, each `unit<TAB>title` (the title checks the unit is
    /// still the same one when the content changed).
    #[serde(default)]
    pub finder_recent: Vec<String>,
    /// The `:` command line's commands, oldest first.
    #[serde(default)]
    pub command_history: Vec<String>,
}

/// How many opened results are kept for the finder's ranking.
pub const MAX_FINDER_RECENT: usize = 64;
/// How many `:` commands are kept.
pub const MAX_COMMAND_HISTORY: usize = 50;

impl Default for Saved {
    fn default() -> Saved {
        Saved {
            version: VERSION,
            last: None,
            positions: Vec::new(),
            marks: Vec::new(),
            grouping: None,
            finder_history: Vec::new(),
            find_history: Vec::new(),
            notes: Vec::new(),
            finder_last: None,
            finder_recent: Vec::new(),
            command_history: Vec::new(),
        }
    }
}

impl Saved {
    /// Apply the bounds: the most recent `MAX_POSITIONS` positions (one per
    /// page), `MAX_MARKS` marks with letter names (one per name), texts cut.
    pub fn bounded(mut self) -> Saved {
        let mut seen = std::collections::HashSet::new();
        let mut kept: Vec<SavedPlace> = Vec::new();
        for p in self.positions.into_iter().rev() {
            if kept.len() < MAX_POSITIONS && seen.insert(p.page.clone()) {
                kept.push(p);
            }
        }
        kept.reverse();
        self.positions = kept;
        let mut names = std::collections::HashSet::new();
        self.marks.retain(|m| m.name.is_ascii_alphabetic() && names.insert(m.name));
        self.marks.truncate(MAX_MARKS);
        for m in &mut self.marks {
            cut(&mut m.text, MARK_TEXT);
        }
        let hist = crate::search::history::HISTORY_MAX;
        if self.finder_history.len() > hist {
            self.finder_history.drain(..self.finder_history.len() - hist);
        }
        if self.find_history.len() > MAX_FIND_HISTORY {
            self.find_history.drain(..self.find_history.len() - MAX_FIND_HISTORY);
        }
        for n in &mut self.notes {
            cut(&mut n.quote, NOTE_QUOTE);
            cut(&mut n.text, NOTE_TEXT);
        }
        for (list, max) in
            [(&mut self.finder_recent, MAX_FINDER_RECENT), (&mut self.command_history, MAX_COMMAND_HISTORY)]
        {
            if list.len() > max {
                list.drain(..list.len() - max);
            }
        }
        if let Some((q, _)) = &mut self.finder_last {
            cut(q, crate::search::MAX_QUERY_CHARS);
        }
        self
    }
}

/// Keep at most `max` characters of `s`.
fn cut(s: &mut String, max: usize) {
    if let Some((i, _)) = s.char_indices().nth(max) {
        s.truncate(i);
    }
}

/// `$XDG_STATE_HOME/yanbao` (an absolute XDG_STATE_HOME only, as the spec
/// says), else `~/.local/state/yanbao`.
pub fn default_dir() -> Option<PathBuf> {
    crate::paths::dir(crate::paths::Base::State)
}

/// The JSON state file of the versions before, of a content folder (or of
/// the bundled content): keyed by the folder's canonical path, so another
/// `--content` has its own. Read once, to migrate it.
pub fn file_for(state_dir: &Path, content: Option<&Path>) -> PathBuf {
    match content {
        None => state_dir.join("bundled.json"),
        Some(d) => {
            let abs = std::fs::canonicalize(d).unwrap_or_else(|_| d.to_path_buf());
            let h = xxhash_rust::xxh3::xxh3_64(abs.as_os_str().as_encoded_bytes());
            state_dir.join(format!("content-{h:016x}.json"))
        }
    }
}

/// The JSON state file of the versions before, of a served session's public key, by its fingerprint
/// (`SHA256:…`, base64): `serve/<fingerprint>.json`, with the base64
/// characters a file name cannot hold (`/`) or that read badly (`+`, `:`)
/// replaced as in base64url.
pub fn file_for_key(state_dir: &Path, fingerprint: &str) -> PathBuf {
    let name: String = fingerprint
        .chars()
        .map(|c| match c {
            '/' => '_',
            '+' => '-',
            ':' => '-',
            c if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '=' => c,
            _ => '_',
        })
        .take(128)
        .collect();
    state_dir.join("serve").join(format!("{name}.json"))
}

/// The database in a state folder.
pub fn db_file(state_dir: &Path) -> PathBuf {
    state_dir.join("state.db")
}

/// The scope of a file name of the versions before (`bundled.json` is
/// `bundled`; `serve/<fp>.json` is `serve/<fp>`).
fn scope_of(state_dir: &Path, legacy: &Path) -> String {
    let rel = legacy.strip_prefix(state_dir).unwrap_or(legacy);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_suffix(".json").unwrap_or(&s).to_string()
}

/// Where a content's memory is kept (see [`file_for`]).
pub fn location_for(state_dir: &Path, content: Option<&Path>) -> Location {
    let legacy = file_for(state_dir, content);
    Location { db: db_file(state_dir), scope: scope_of(state_dir, &legacy), legacy }
}

/// Where a served key's memory is kept (see [`file_for_key`]).
pub fn location_for_key(state_dir: &Path, fingerprint: &str) -> Location {
    let legacy = file_for_key(state_dir, fingerprint);
    Location { db: db_file(state_dir), scope: scope_of(state_dir, &legacy), legacy }
}

/// Read a JSON state file of the versions before. A missing file is
/// nothing; an unreadable one is reported; a corrupt one, or one of another
/// version, is renamed to `<file>.corrupt` and reported.
pub fn read_json(file: &Path) -> (Option<Saved>, Option<String>) {
    let shown = file.display().to_string();
    let text = match crate::content::read_guarded(file, MAX_STATE_BYTES) {
        Ok(b) => b,
        Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {
            return (None, None);
        }
        Err(e) => return (None, Some(format!("无法读取阅读记录（{}）：{shown}", crate::fmt::io_error_zh(&e)))),
    };
    let problem = match serde_json::from_slice::<Saved>(&text) {
        Ok(s) if s.version == VERSION => return (Some(s.bounded()), None),
        Ok(s) => format!("版本 {} 不认识", s.version),
        Err(e) if e.line() > 0 => format!("第 {} 行有误（{}）", e.line(), crate::fmt::json_error_zh(&e)),
        Err(e) => format!("有误（{}）", crate::fmt::json_error_zh(&e)),
    };
    let aside = set_aside_name(file);
    // What happened first, the full path last: a narrow status line cuts the end.
    let message = if std::fs::rename(file, &aside).is_ok() {
        format!("阅读记录{problem}，已另存为 .corrupt，从头开始：{shown}")
    } else {
        format!("阅读记录{problem}，无法移开：{shown}")
    };
    (None, Some(message))
}

/// `<file>.corrupt`.
fn set_aside_name(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(".corrupt");
    PathBuf::from(s)
}

/// Writes are at most this often while reading; quitting always writes.
pub const SAVE_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// A store with the throttle the runtime applies: `want` marks the state
/// changed, `due` says whether it is time to write.
#[derive(Debug)]
pub struct Saver {
    pub store: Store,
    wanted: bool,
    last: Option<std::time::Instant>,
}

impl Saver {
    pub fn new(store: Store) -> Saver {
        Saver { store, wanted: false, last: None }
    }

    pub fn want(&mut self) {
        self.wanted = true;
    }

    /// A write is wanted and the last one was long enough ago (or `force`).
    pub fn due(&self, now: std::time::Instant, force: bool) -> bool {
        force || self.wanted && self.last.is_none_or(|t| now.duration_since(t) >= SAVE_EVERY)
    }

    /// Write (if changed); the message of a first failure.
    pub fn save(&mut self, saved: &Saved, now: std::time::Instant) -> Option<String> {
        self.wanted = false;
        self.last = Some(now);
        self.store.save(saved).err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(page: &str) -> SavedPlace {
        SavedPlace { page: page.into(), item: 1, unit: 2, off: 3 }
    }

    #[test]
    fn bounds_keep_the_most_recent_positions_and_letter_marks() {
        let mut s = Saved::default();
        for i in 0..(MAX_POSITIONS + 50) {
            s.positions.push(place(&format!("n:{i}")));
        }
        s.positions.push(place("n:0"));
        let mark = |c: char| SavedMark { name: c, place: place("n:1"), node: String::new(), text: "字".repeat(200) };
        s.marks = vec![mark('a'), mark('a'), mark('1'), mark('Z')];
        let b = s.bounded();
        assert_eq!(b.positions.len(), MAX_POSITIONS);
        assert_eq!(b.positions.last().unwrap().page, "n:0");
        // n:0 read again is the newest; of the rest, the oldest went:
        // n:1..=n:50 (1,050 pages and one kept twice, 1,000 kept).
        assert!(!b.positions.iter().any(|p| p.page == "n:50"));
        assert!(b.positions.iter().any(|p| p.page == "n:51"));
        assert_eq!(b.positions.iter().filter(|p| p.page == "n:0").count(), 1);
        assert_eq!(b.marks.iter().map(|m| m.name).collect::<String>(), "aZ");
        assert_eq!(b.marks[0].text.chars().count(), MARK_TEXT);
    }

    #[test]
    fn key_file_names_are_plain() {
        assert_eq!(location_for_key(Path::new("/s"), "SHA256:ab+c/d=").scope, "serve/SHA256-ab-c_d=");
        let f = file_for_key(Path::new("/s"), "SHA256:ab+c/d=");
        assert_eq!(f, Path::new("/s/serve/SHA256-ab-c_d=.json"));
    }
}
