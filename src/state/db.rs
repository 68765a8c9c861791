//! The reading memory in SQLite: one database, `$XDG_STATE_HOME/yanbao/state.db`
//! (WAL mode, a busy timeout), shared by every content and every served key,
//! each kept under its own `scope` (`bundled`, `content-<hash>`,
//! `serve/<fingerprint>`).
//!
//! Two instances (or many SSH sessions) never overwrite each other: a save
//! writes only the rows that changed since this store last read or wrote
//! them (per-row upserts and deletes, in one transaction), never the whole
//! state. What another instance wrote meanwhile is kept.
//!
//! A database that is not one (or fails its quick check) is renamed
//! `state.db.corrupt` and reported; one that is locked past the busy
//! timeout, read-only, or in a folder that cannot be made, is reported and
//! reading goes on in memory. The JSON state file of the versions before
//! (`bundled.json`, `content-<hash>.json`, `serve/<fingerprint>.json`) is
//! read once into its scope and renamed `*.migrated`.

use super::{Saved, SavedMark, SavedNote, SavedPlace};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a write waits for another instance's transaction.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The schema's version (`PRAGMA user_version`).
const SCHEMA: i64 = 1;

const CREATE: &str = "
CREATE TABLE IF NOT EXISTS last (scope TEXT PRIMARY KEY, page TEXT NOT NULL, item INTEGER NOT NULL,
  unit INTEGER NOT NULL, off INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS positions (scope TEXT NOT NULL, page TEXT NOT NULL, item INTEGER NOT NULL,
  unit INTEGER NOT NULL, off INTEGER NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (scope, page));
CREATE TABLE IF NOT EXISTS marks (scope TEXT NOT NULL, name TEXT NOT NULL, page TEXT NOT NULL,
  item INTEGER NOT NULL, unit INTEGER NOT NULL, off INTEGER NOT NULL, node TEXT NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY (scope, name));
CREATE TABLE IF NOT EXISTS settings (scope TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (scope, key));
CREATE TABLE IF NOT EXISTS history (scope TEXT NOT NULL, kind TEXT NOT NULL, query TEXT NOT NULL,
  used INTEGER NOT NULL, PRIMARY KEY (scope, kind, query));
CREATE TABLE IF NOT EXISTS notes (scope TEXT NOT NULL, uid TEXT NOT NULL, report TEXT NOT NULL,
  block TEXT NOT NULL, hash TEXT NOT NULL, node TEXT NOT NULL, quote TEXT NOT NULL, text TEXT NOT NULL,
  created INTEGER NOT NULL, updated INTEGER NOT NULL, PRIMARY KEY (scope, uid));
CREATE TABLE IF NOT EXISTS migrated (scope TEXT PRIMARY KEY, file TEXT NOT NULL, at INTEGER NOT NULL);
";

/// Where one content's (or one key's) memory is kept: the database, the
/// scope of its rows in it, and the JSON file of the versions before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub db: PathBuf,
    pub scope: String,
    pub legacy: PathBuf,
}

/// What opening the database found.
#[derive(Debug)]
pub struct Opened {
    pub store: Store,
    /// The state read, if there was any.
    pub saved: Option<Saved>,
    /// A problem to show once in the status line (in Chinese).
    pub message: Option<String>,
}

/// One scope of the database, and what this store last read or wrote of it
/// (the base the next save is compared with).
#[derive(Debug)]
pub struct Store {
    conn: Option<Connection>,
    loc: Location,
    base: Saved,
    /// A failed write was reported: later ones are silent.
    reported: bool,
}

fn shown(p: &Path) -> String {
    p.display().to_string()
}

/// `<file><suffix>`.
fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn code(e: &rusqlite::Error) -> Option<ErrorCode> {
    e.sqlite_error_code()
}

fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(code(e), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(code(e), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

fn is_readonly(e: &rusqlite::Error) -> bool {
    matches!(code(e), Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied))
}

/// Why a database could not be used.
enum OpenError {
    Corrupt(String),
    Busy,
    ReadOnly,
    Other(String),
}

/// A SQLite error in Chinese, for the app's messages (SQLite's own text is
/// English): what failed, and SQLite's error code.
fn sqlite_zh(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(f, _) if is_corrupt(e) => {
            format!("不是完整的数据库文件，错误码 {}", f.extended_code)
        }
        rusqlite::Error::SqliteFailure(f, _) => format!("数据库出错，错误码 {}", f.extended_code),
        _ => "数据库出错".to_string(),
    }
}

fn classify(e: rusqlite::Error) -> OpenError {
    let m = sqlite_zh(&e);
    if is_corrupt(&e) {
        OpenError::Corrupt(m)
    } else if is_busy(&e) {
        OpenError::Busy
    } else if is_readonly(&e) {
        OpenError::ReadOnly
    } else {
        OpenError::Other(m)
    }
}

/// Open (creating) the database for writing: WAL, busy timeout, schema,
/// and a quick check that it is whole.
fn open_rw(db: &Path) -> Result<Connection, OpenError> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(classify)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(classify)?;
    if conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
        return Err(OpenError::ReadOnly);
    }
    // WAL: readers never wait for the writer, and a writer's commit is one append.
    let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(classify)?;
    // In WAL mode NORMAL syncs at checkpoints, not on every commit: a
    // commit survives the process ending or crashing; only a power cut may
    // roll back the last ones (the database itself stays whole).
    conn.execute_batch("PRAGMA synchronous = NORMAL").map_err(classify)?;
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(classify)?;
    if check != "ok" {
        return Err(OpenError::Corrupt(format!("完整性检查未通过：{check}")));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(classify)?;
    if version > SCHEMA {
        return Err(OpenError::Corrupt(format!("版本 {version} 不认识")));
    }
    conn.execute_batch(CREATE).map_err(classify)?;
    if version < SCHEMA {
        conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA}")).map_err(classify)?;
    }
    Ok(conn)
}

/// Open a database that cannot be written, to read what it holds.
fn open_ro(db: &Path) -> Option<Connection> {
    let conn =
        Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX).ok()?;
    let _ = conn.busy_timeout(BUSY_TIMEOUT);
    Some(conn)
}

/// Microseconds since the epoch: the order of use of positions and queries
/// across instances.
fn now_micros() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_micros() as i64)
}

/// Seconds since the epoch (note dates).
pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn place_row(r: &rusqlite::Row, at: usize) -> rusqlite::Result<SavedPlace> {
    Ok(SavedPlace { page: r.get(at)?, item: r.get(at + 1)?, unit: r.get(at + 2)?, off: r.get(at + 3)? })
}

/// Everything kept under a scope.
fn load(conn: &Connection, scope: &str) -> rusqlite::Result<Saved> {
    let last = conn
        .query_row("SELECT page, item, unit, off FROM last WHERE scope = ?1", [scope], |r| place_row(r, 0))
        .optional()?;
    let mut s = Saved { last, ..Saved::default() };
    let mut q = conn.prepare("SELECT page, item, unit, off FROM positions WHERE scope = ?1 ORDER BY used, page")?;
    s.positions = q.query_map([scope], |r| place_row(r, 0))?.collect::<rusqlite::Result<_>>()?;
    let mut q =
        conn.prepare("SELECT name, page, item, unit, off, node, text FROM marks WHERE scope = ?1 ORDER BY name")?;
    s.marks = q
        .query_map([scope], |r| {
            let name: String = r.get(0)?;
            Ok(SavedMark {
                name: name.chars().next().unwrap_or(' '),
                place: place_row(r, 1)?,
                node: r.get(5)?,
                text: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // In the app's order: a-z, then A-Z.
    s.marks.sort_by_key(|m| (m.name.is_ascii_uppercase(), m.name));
    s.grouping = conn
        .query_row("SELECT value FROM settings WHERE scope = ?1 AND key = 'grouping'", [scope], |r| r.get(0))
        .optional()?;
    // The finder left (`S`): `selected<TAB>query`; its opened results, one a line.
    let setting = |key: &str| -> rusqlite::Result<Option<String>> {
        conn.query_row("SELECT value FROM settings WHERE scope = ?1 AND key = ?2", [scope, key], |r| r.get(0))
            .optional()
    };
    s.finder_last = setting("finder_last")?.and_then(|v| {
        let (sel, q) = v.split_once('\t')?;
        Some((q.to_string(), sel.parse().ok()?))
    });
    s.finder_recent = setting("finder_recent")?.map(|v| v.lines().map(str::to_string).collect()).unwrap_or_default();
    for (kind, out) in
        [("finder", &mut s.finder_history), ("find", &mut s.find_history), ("command", &mut s.command_history)]
    {
        let mut q = conn.prepare("SELECT query FROM history WHERE scope = ?1 AND kind = ?2 ORDER BY used, query")?;
        *out = q.query_map([scope, kind], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    }
    let mut q = conn.prepare(
        "SELECT uid, report, block, hash, node, quote, text, created, updated FROM notes WHERE scope = ?1
         ORDER BY created, uid",
    )?;
    s.notes = q
        .query_map([scope], |r| {
            Ok(SavedNote {
                uid: r.get(0)?,
                report: r.get(1)?,
                block: r.get(2)?,
                hash: r.get(3)?,
                node: r.get(4)?,
                quote: r.get(5)?,
                text: r.get(6)?,
                created: r.get(7)?,
                updated: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(s.bounded())
}

/// Write what changed from `base` to `new` under `scope`, in one transaction.
fn write_diff(conn: &mut Connection, scope: &str, base: &Saved, new: &Saved) -> rusqlite::Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    write_rows(&tx, scope, base, new)?;
    tx.commit()
}

/// The statements of [`write_diff`], inside a transaction.
fn write_rows(tx: &Connection, scope: &str, base: &Saved, new: &Saved) -> rusqlite::Result<()> {
    if new.last != base.last
        && let Some(p) = &new.last
    {
        tx.execute(
            "INSERT INTO last (scope, page, item, unit, off) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (scope) DO UPDATE SET page = excluded.page, item = excluded.item, unit = excluded.unit,
             off = excluded.off",
            params![scope, p.page, p.item, p.unit, p.off],
        )?;
    }
    // Positions: those read since (the part of the LRU order that differs
    // from the base's, and any whose place changed), stamped in order.
    let old: HashMap<&str, &SavedPlace> = base.positions.iter().map(|p| (p.page.as_str(), p)).collect();
    let old_order =
        base.positions.iter().map(|p| p.page.as_str()).filter(|p| new.positions.iter().any(|q| q.page == *p));
    let same = new.positions.iter().zip(old_order).take_while(|(n, o)| n.page == *o).count();
    let stamp = now_micros();
    let changed = new.positions.iter().enumerate().filter(|(i, p)| *i >= same || old.get(p.page.as_str()) != Some(p));
    let mut wrote_positions = false;
    for (i, p) in changed {
        tx.execute(
            "INSERT INTO positions (scope, page, item, unit, off, used) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (scope, page) DO UPDATE SET item = excluded.item, unit = excluded.unit,
             off = excluded.off, used = excluded.used",
            params![scope, p.page, p.item, p.unit, p.off, stamp + i as i64],
        )?;
        wrote_positions = true;
    }
    if wrote_positions {
        tx.execute(
            "DELETE FROM positions WHERE scope = ?1 AND page NOT IN
             (SELECT page FROM positions WHERE scope = ?1 ORDER BY used DESC LIMIT ?2)",
            params![scope, super::MAX_POSITIONS as i64],
        )?;
    }
    // Marks: delete those this store had and let go (only if unchanged
    // since: a mark set again by another instance stays), upsert the rest.
    for m in &base.marks {
        if !new.marks.iter().any(|n| n.name == m.name) {
            tx.execute(
                "DELETE FROM marks WHERE scope = ?1 AND name = ?2 AND page = ?3 AND item = ?4 AND unit = ?5 AND off = ?6",
                params![scope, m.name.to_string(), m.place.page, m.place.item, m.place.unit, m.place.off],
            )?;
        }
    }
    for m in &new.marks {
        if base.marks.iter().any(|b| b == m) {
            continue;
        }
        tx.execute(
            "INSERT INTO marks (scope, name, page, item, unit, off, node, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (scope, name) DO UPDATE SET page = excluded.page, item = excluded.item,
             unit = excluded.unit, off = excluded.off, node = excluded.node, text = excluded.text",
            params![scope, m.name.to_string(), m.place.page, m.place.item, m.place.unit, m.place.off, m.node, m.text],
        )?;
    }
    if new.grouping != base.grouping {
        match &new.grouping {
            Some(g) => tx.execute(
                "INSERT INTO settings (scope, key, value) VALUES (?1, 'grouping', ?2)
                 ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value",
                params![scope, g],
            )?,
            None => tx.execute("DELETE FROM settings WHERE scope = ?1 AND key = 'grouping'", [scope])?,
        };
    }
    let settings = [
        (
            "finder_last",
            new.finder_last != base.finder_last,
            new.finder_last.as_ref().map(|(q, i)| format!("{i}\t{q}")),
        ),
        (
            "finder_recent",
            new.finder_recent != base.finder_recent,
            (!new.finder_recent.is_empty()).then(|| new.finder_recent.join("\n")),
        ),
    ];
    for (key, changed, value) in settings {
        if !changed {
            continue;
        }
        match value {
            Some(v) => tx.execute(
                "INSERT INTO settings (scope, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value",
                params![scope, key, v],
            )?,
            None => tx.execute("DELETE FROM settings WHERE scope = ?1 AND key = ?2", [scope, key])?,
        };
    }
    for (kind, old, new, max) in [
        ("finder", &base.finder_history, &new.finder_history, crate::search::history::HISTORY_MAX),
        ("find", &base.find_history, &new.find_history, super::MAX_FIND_HISTORY),
        ("command", &base.command_history, &new.command_history, super::MAX_COMMAND_HISTORY),
    ] {
        if old == new {
            continue;
        }
        // The queries newer than the newest both lists share, in order.
        let kept = new.iter().rposition(|q| old.last() == Some(q)).map_or(0, |i| i + 1);
        let fresh = if kept > 0 && old.iter().all(|q| new.contains(q)) { &new[kept..] } else { &new[..] };
        for (i, q) in fresh.iter().enumerate() {
            tx.execute(
                "INSERT INTO history (scope, kind, query, used) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (scope, kind, query) DO UPDATE SET used = excluded.used",
                params![scope, kind, q, stamp + i as i64],
            )?;
        }
        tx.execute(
            "DELETE FROM history WHERE scope = ?1 AND kind = ?2 AND query NOT IN
             (SELECT query FROM history WHERE scope = ?1 AND kind = ?2 ORDER BY used DESC LIMIT ?3)",
            params![scope, kind, max as i64],
        )?;
    }
    // Notes: by their uid (maps: a save with thousands of notes kept
    // compares each once, not each with each).
    let base_notes: HashMap<&str, &SavedNote> = base.notes.iter().map(|n| (n.uid.as_str(), n)).collect();
    let new_uids: std::collections::HashSet<&str> = new.notes.iter().map(|n| n.uid.as_str()).collect();
    for n in &base.notes {
        if !new_uids.contains(n.uid.as_str()) {
            tx.execute("DELETE FROM notes WHERE scope = ?1 AND uid = ?2", params![scope, n.uid])?;
        }
    }
    for n in &new.notes {
        if base_notes.get(n.uid.as_str()) == Some(&n) {
            continue;
        }
        tx.execute(
            "INSERT INTO notes (scope, uid, report, block, hash, node, quote, text, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (scope, uid) DO UPDATE SET report = excluded.report, block = excluded.block,
             hash = excluded.hash, node = excluded.node, quote = excluded.quote, text = excluded.text,
             updated = excluded.updated",
            params![scope, n.uid, n.report, n.block, n.hash, n.node, n.quote, n.text, n.created, n.updated],
        )?;
    }
    Ok(())
}

/// Read the JSON state file of the versions before into the scope, once:
/// the file is then renamed `*.migrated`. Returns a message for a file that
/// could not be read (set aside as `*.corrupt`, as before).
fn migrate(conn: &mut Connection, loc: &Location) -> Option<String> {
    if !loc.legacy.exists() {
        return None;
    }
    let (legacy, message) = super::read_json(&loc.legacy);
    let Some(legacy) = legacy else { return message };
    let done = (|| -> rusqlite::Result<bool> {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let already: Option<i64> =
            tx.query_row("SELECT at FROM migrated WHERE scope = ?1", [&loc.scope], |r| r.get(0)).optional()?;
        if already.is_some() {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO migrated (scope, file, at) VALUES (?1, ?2, ?3)",
            params![loc.scope, shown(&loc.legacy), now_secs()],
        )?;
        // Rows another instance wrote already win (the file is older).
        let current = load(&tx, &loc.scope)?;
        let mut merged = legacy.clone();
        merged.marks.retain(|m| !current.marks.iter().any(|c| c.name == m.name));
        if current.last.is_some() {
            merged.last = None;
        }
        if current.grouping.is_some() {
            merged.grouping = None;
        }
        write_rows(&tx, &loc.scope, &Saved::default(), &merged)?;
        tx.commit()?;
        Ok(true)
    })();
    match done {
        Ok(true) => {
            let _ = std::fs::rename(&loc.legacy, with_suffix(&loc.legacy, ".migrated"));
            None
        }
        Ok(false) => None,
        Err(e) => Some(format!("旧阅读记录无法迁入数据库（{e}）：{}", shown(&loc.legacy))),
    }
}

impl Store {
    /// Open a scope of the database: create it if missing, migrate the old
    /// JSON file once, read what the scope holds. Never fails: problems
    /// become a message, and the store then keeps the state in memory only.
    pub fn open(loc: Location) -> Opened {
        let memory_only = |loc: Location, saved: Option<Saved>, message: String| Opened {
            store: Store { conn: None, loc, base: saved.clone().unwrap_or_default(), reported: true },
            saved,
            message: Some(message),
        };
        let dir = loc.db.parent().unwrap_or(Path::new("."));
        if let Err(e) = std::fs::create_dir_all(dir) {
            // Still read the old file, if there is one.
            let (saved, _) = super::read_json(&loc.legacy);
            let m = format!("阅读位置无法保存，本次只在内存中记住（{}）：{}", crate::fmt::io_error_zh(&e), shown(dir));
            return memory_only(loc, saved, m);
        }
        // A FIFO or a device in the database's place would be waited on or
        // read without end: only a regular file (or none yet) is opened.
        if let Ok(meta) = std::fs::metadata(&loc.db)
            && !meta.is_file()
        {
            let (saved, _) = super::read_json(&loc.legacy);
            let m = format!("阅读记录数据库不是普通文件，本次只在内存中记住：{}", shown(&loc.db));
            return memory_only(loc, saved, m);
        }
        let mut set_aside = None;
        // Setting up WAL on a new database can be refused (busy) without the
        // busy handler being asked while another instance creates it: try
        // again within the busy timeout.
        let start = std::time::Instant::now();
        let mut first = open_rw(&loc.db);
        while matches!(first, Err(OpenError::Busy)) && start.elapsed() < BUSY_TIMEOUT {
            std::thread::sleep(Duration::from_millis(20));
            first = open_rw(&loc.db);
        }
        let conn = match first {
            Ok(c) => c,
            Err(OpenError::Corrupt(why)) => {
                let aside = with_suffix(&loc.db, ".corrupt");
                let moved = std::fs::rename(&loc.db, &aside).is_ok();
                for ext in ["-wal", "-shm"] {
                    let side = with_suffix(&loc.db, ext);
                    if side.exists() {
                        let _ = std::fs::rename(&side, with_suffix(&aside, ext));
                    }
                }
                if !moved {
                    let m = format!("阅读记录数据库已损坏（{why}），无法移开，本次不保存：{}", shown(&loc.db));
                    return memory_only(loc, None, m);
                }
                set_aside =
                    Some(format!("阅读记录数据库已损坏（{why}），已另存为 .corrupt，从头开始：{}", shown(&loc.db)));
                match open_rw(&loc.db) {
                    Ok(c) => c,
                    Err(_) => {
                        let m = format!("阅读记录数据库无法新建，本次只在内存中记住：{}", shown(&loc.db));
                        return memory_only(loc, None, m);
                    }
                }
            }
            Err(OpenError::Busy) => {
                let saved = open_ro(&loc.db).and_then(|c| load(&c, &loc.scope).ok());
                let m = format!("阅读记录数据库被占用，本次只在内存中记住：{}", shown(&loc.db));
                return memory_only(loc, saved, m);
            }
            Err(OpenError::ReadOnly) => {
                let saved = open_ro(&loc.db).and_then(|c| load(&c, &loc.scope).ok());
                let m = format!("阅读记录数据库只读，本次只在内存中记住：{}", shown(&loc.db));
                return memory_only(loc, saved, m);
            }
            Err(OpenError::Other(e)) => {
                let m = format!("阅读记录数据库无法打开（{e}），本次只在内存中记住：{}", shown(&loc.db));
                return memory_only(loc, None, m);
            }
        };
        let mut conn = conn;
        let migrated = migrate(&mut conn, &loc);
        let message = set_aside.or(migrated);
        match load(&conn, &loc.scope) {
            Ok(saved) => {
                let found = saved != Saved::default();
                Opened {
                    store: Store { conn: Some(conn), loc, base: saved.clone(), reported: false },
                    saved: found.then_some(saved),
                    message,
                }
            }
            Err(e) => {
                let m = format!("阅读记录数据库无法读取（{}），本次只在内存中记住：{}", sqlite_zh(&e), shown(&loc.db));
                memory_only(loc, None, m)
            }
        }
    }

    /// How long a write waits for another instance's (default [`BUSY_TIMEOUT`]).
    pub fn set_busy_timeout(&mut self, wait: Duration) {
        if let Some(c) = &self.conn {
            let _ = c.busy_timeout(wait);
        }
    }

    /// Where this store keeps its rows.
    pub fn location(&self) -> &Location {
        &self.loc
    }

    /// Whether saves reach the database (false: memory only).
    pub fn is_persistent(&self) -> bool {
        self.conn.is_some()
    }

    /// Write the rows that changed since the last read or write. `Ok(true)`
    /// when something was written; an error message (Chinese) only for the
    /// first failure, `Ok(false)` for later ones. A failed write is tried
    /// again by the next save.
    pub fn save(&mut self, saved: &Saved) -> Result<bool, String> {
        let saved = saved.clone().bounded();
        if saved == self.base {
            return Ok(false);
        }
        let Some(conn) = self.conn.as_mut() else { return Ok(false) };
        match write_diff(conn, &self.loc.scope, &self.base, &saved) {
            Ok(()) => {
                self.base = saved;
                Ok(true)
            }
            Err(e) => {
                if std::mem::replace(&mut self.reported, true) {
                    Ok(false)
                } else {
                    let why = if is_busy(&e) {
                        "数据库被占用".to_string()
                    } else if is_readonly(&e) {
                        "数据库只读".to_string()
                    } else {
                        sqlite_zh(&e)
                    };
                    Err(format!("阅读位置无法保存，本次只在内存中记住（{why}）：{}", shown(&self.loc.db)))
                }
            }
        }
    }

    /// Everything the scope holds now, as other instances left it too.
    pub fn reload(&self) -> Option<Saved> {
        load(self.conn.as_ref()?, &self.loc.scope).ok()
    }
}

/// Every scope's notes in a database, read only (for `yanbao notes`).
pub fn read_notes(db: &Path, scope: &str) -> Result<Vec<SavedNote>, String> {
    if !db.exists() {
        return Ok(Vec::new());
    }
    let conn = open_ro(db).ok_or_else(|| format!("无法打开 {}", shown(db)))?;
    load(&conn, scope).map(|s| s.notes).map_err(|e| format!("{}: {e}", shown(db)))
}
