//! Keymaps are data: `context → key sequence → action(s)`.
//!
//! The defaults live in `keymaps/default.yaml` and are embedded in the binary.
//! A user file overlays them: a binding replaces the default on the same key
//! in the same context, and `null` removes it.

use crate::action::Action;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use serde_yaml::Value;
use std::fmt;

/// The largest keymap file read.
pub const MAX_KEYMAP_BYTES: u64 = 1 << 20;
/// The most bindings one keymap file may hold (the defaults hold about 200);
/// past it, the file is refused at the binding past the limit (K4).
pub const MAX_KEYMAP_BINDINGS: usize = 10_000;

pub const DEFAULT_KEYMAP: &str = include_str!("../keymaps/default.yaml");

/// Where a binding applies. Resolution goes overlay first, then pane, then
/// global. Named in keymap files in snake_case (derived).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::EnumIter, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Context {
    Global,
    Nav,
    Reader,
    Find,
    Help,
    Search,
    Company,
    Industries,
    Chart,
    Table,
    Copy,
    Marks,
    Notes,
    Figures,
    Command,
    Measures,
}

impl Context {
    /// Every context, in declaration order (the help lists them so).
    pub fn all() -> impl Iterator<Item = Context> {
        <Context as strum::IntoEnumIterator>::iter()
    }

    /// The name used in keymap files (`global`, `nav`, …).
    pub fn name(self) -> &'static str {
        self.into()
    }

    fn parse(s: &str) -> Option<Context> {
        Context::all().find(|c| c.name() == s)
    }
}

/// One key press, normalised: a character carries its own case, so SHIFT is
/// dropped from character keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    pub fn from_event(ev: &KeyEvent) -> Key {
        Key::new(ev.code, ev.modifiers)
    }

    /// Parse `j`, `G`, `?`, `ctrl-d`, `alt-x`, `enter`, `pgdn`, `f1`, `space`, ….
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let stripped = ["ctrl-", "c-"]
                .iter()
                .find(|p| lower.starts_with(*p) && rest.len() > p.len())
                .map(|p| (KeyModifiers::CONTROL, p.len()))
                .or_else(|| {
                    ["alt-", "m-", "a-"]
                        .iter()
                        .find(|p| lower.starts_with(*p) && rest.len() > p.len())
                        .map(|p| (KeyModifiers::ALT, p.len()))
                })
                .or_else(|| {
                    ["shift-", "s-"]
                        .iter()
                        .find(|p| lower.starts_with(*p) && rest.len() > p.len())
                        .map(|p| (KeyModifiers::SHIFT, p.len()))
                });
            match stripped {
                Some((m, n)) => {
                    mods |= m;
                    rest = rest.get(n..).unwrap_or_default();
                }
                None => break,
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "ret" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" | "spc" => KeyCode::Char(' '),
                "backspace" | "bs" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                f if f.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()).is_some_and(|n| (1..=24).contains(&n)) => {
                    KeyCode::F(f.strip_prefix('f').and_then(|n| n.parse().ok()).unwrap_or(1))
                }
                _ => return Err(format!("cannot parse key {s:?}")),
            },
        };
        Ok(Key::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            write!(f, "ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            write!(f, "alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            write!(f, "shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => write!(f, "space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => write!(f, "enter"),
            KeyCode::Esc => write!(f, "esc"),
            KeyCode::Tab => write!(f, "tab"),
            KeyCode::BackTab => write!(f, "shift-tab"),
            KeyCode::Backspace => write!(f, "backspace"),
            KeyCode::Delete => write!(f, "del"),
            KeyCode::Insert => write!(f, "ins"),
            KeyCode::Up => write!(f, "up"),
            KeyCode::Down => write!(f, "down"),
            KeyCode::Left => write!(f, "left"),
            KeyCode::Right => write!(f, "right"),
            KeyCode::PageUp => write!(f, "pgup"),
            KeyCode::PageDown => write!(f, "pgdn"),
            KeyCode::Home => write!(f, "home"),
            KeyCode::End => write!(f, "end"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A sequence of keys, such as `g g`.
pub type KeySeq = Vec<Key>;

pub fn seq_to_string(seq: &[Key]) -> String {
    seq.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub keys: KeySeq,
    pub actions: Vec<Action>,
    pub desc: Option<String>,
}

/// The live keymap: the defaults with the user's file laid over them.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    bindings: Vec<(Context, Binding)>,
}

/// A problem in a keymap file (see [`crate::located::Located`]).
pub type KeymapError = crate::located::Located;

#[derive(Deserialize)]
#[serde(untagged)]
enum RawActions {
    One(Action),
    Many(Vec<Action>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    #[serde(alias = "actions")]
    action: RawActions,
    #[serde(default)]
    desc: Option<String>,
}

/// One parsed entry of a file: `None` actions remove a binding.
type Entry = (Context, KeySeq, Option<(Vec<Action>, Option<String>)>);

fn parse_file(name: &str, text: &str) -> Result<Vec<Entry>, Vec<KeymapError>> {
    if let Some((line, column)) = crate::content::flow_too_deep(text) {
        return Err(vec![KeymapError::at(name, Some(line), Some(column), crate::content::flow_too_deep_message())]);
    }
    let locator = crate::content::LazyLocator::new(text);
    let mut errors = Vec::new();
    let err = |errors: &mut Vec<KeymapError>, path: &str, message: String| {
        let at = locator.find(path);
        errors.push(KeymapError::at(name, at.map(|a| a.0), at.map(|a| a.1), message));
    };
    let root: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            if let Some(dup) = duplicate_key(text) {
                return Err(vec![KeymapError::at(
                    name,
                    Some(dup.at.0),
                    Some(dup.at.1),
                    format!(
                        "key {} is bound twice in context {}: {} and {}",
                        dup.key, dup.context, dup.first, dup.second
                    ),
                )]);
            }
            return Err(vec![KeymapError::malformed(name, &e)]);
        }
    };
    let mut out: Vec<Entry> = Vec::new();
    let root = match root {
        Value::Null => return Ok(out),
        Value::Mapping(m) => m,
        _ => {
            err(&mut errors, "", "a keymap is a mapping of contexts (global, nav, reader, find, help)".into());
            return Err(errors);
        }
    };
    for (ctx_v, body) in root {
        let ctx_name = yaml_key(&ctx_v);
        let Some(ctx) = Context::parse(&ctx_name) else {
            let names: Vec<_> = Context::all().map(Context::name).collect();
            err(&mut errors, &ctx_name, format!("unknown context {ctx_name:?} (expected one of {})", names.join(", ")));
            continue;
        };
        let body = match body {
            Value::Mapping(m) => m,
            Value::Null => continue,
            _ => {
                err(&mut errors, &ctx_name, format!("context {ctx_name} must map keys to actions"));
                continue;
            }
        };
        // The first entry of each key sequence in this context (a map: a
        // keymap of 60k bindings took 23 s with a scan per binding, K4).
        let mut firsts: std::collections::HashMap<KeySeq, usize> = std::collections::HashMap::new();
        for (key_v, val) in body {
            let key_s = yaml_key(&key_v);
            let path = format!("{ctx_name}.{key_s}");
            if out.len() >= MAX_KEYMAP_BINDINGS {
                let msg = format!("more than {MAX_KEYMAP_BINDINGS} bindings in one keymap file");
                err(&mut errors, &path, msg);
                return Err(errors);
            }
            let seq: Result<KeySeq, String> = key_s.split_whitespace().map(Key::parse).collect();
            let seq = match seq {
                Ok(s) if !s.is_empty() => s,
                Ok(_) => {
                    err(&mut errors, &path, "empty key".into());
                    continue;
                }
                Err(e) => {
                    err(&mut errors, &path, e);
                    continue;
                }
            };
            let binding = if val.is_null() {
                None
            } else {
                let raw: Result<RawBinding, _> = match &val {
                    Value::Mapping(_) => serde_yaml::from_value(val.clone()),
                    _ => {
                        serde_yaml::from_value::<RawActions>(val.clone()).map(|a| RawBinding { action: a, desc: None })
                    }
                };
                match raw {
                    Ok(b) => {
                        let acts = match b.action {
                            RawActions::One(a) => vec![a],
                            RawActions::Many(v) => v,
                        };
                        Some((acts, b.desc))
                    }
                    Err(e) => {
                        let m = e.to_string();
                        let m = m.replace("unknown variant", "unknown action");
                        let m = if m.starts_with("data did not match any variant") {
                            format!("unknown action {}", serde_yaml::to_string(&val).unwrap_or_default().trim())
                        } else {
                            m
                        };
                        err(&mut errors, &path, m);
                        continue;
                    }
                }
            };
            if let Some(prev) = firsts.get(&seq).and_then(|&i| out.get(i)) {
                let what = |b: &Option<(Vec<Action>, Option<String>)>| match b {
                    Some((a, _)) => a.iter().map(|x| x.name()).collect::<Vec<_>>().join(", "),
                    None => "null".into(),
                };
                err(
                    &mut errors,
                    &path,
                    format!(
                        "key {} is bound twice in context {ctx_name}: {} and {}",
                        seq_to_string(&seq),
                        what(&prev.2),
                        what(&binding)
                    ),
                );
                continue;
            }
            firsts.insert(seq.clone(), out.len());
            out.push((ctx, seq, binding));
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

fn yaml_key(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => "null".into(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

impl Keymap {
    /// The embedded defaults.
    pub fn defaults() -> Keymap {
        let mut k = Keymap::default();
        k.overlay("keymaps/default.yaml", DEFAULT_KEYMAP).expect("the default keymap is valid");
        k
    }

    /// Lay a keymap file over this one.
    pub fn overlay(&mut self, name: &str, text: &str) -> Result<(), Vec<KeymapError>> {
        let entries = parse_file(name, text)?;
        // A file binds each key sequence of a context once: the bindings it
        // replaces go in one pass, then its own are added in file order.
        let replaced: std::collections::HashSet<(Context, &KeySeq)> = entries.iter().map(|(c, s, _)| (*c, s)).collect();
        self.bindings.retain(|(c, b)| !replaced.contains(&(*c, &b.keys)));
        drop(replaced);
        for (ctx, seq, binding) in entries {
            if let Some((actions, desc)) = binding {
                self.bindings.push((ctx, Binding { keys: seq, actions, desc }));
            }
        }
        Ok(())
    }

    /// The bindings of one context, in file order.
    pub fn bindings(&self, ctx: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |(c, _)| *c == ctx).map(|(_, b)| b)
    }

    /// The keys bound to exactly this action in a context, e.g. for hints.
    pub fn keys_for(&self, ctx: Context, action: &Action) -> Vec<String> {
        self.bindings(ctx)
            .filter(|b| b.actions.len() == 1 && &b.actions[0] == action)
            .map(|b| seq_to_string(&b.keys))
            .collect()
    }
}

/// What a key press resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    Actions(Vec<Action>),
    /// The keys so far start a longer sequence (`g` of `g g`).
    Pending,
    Unbound,
}

/// Pending multi-key sequences live here, not in the app.
#[derive(Debug, Clone, Default)]
pub struct Resolver {
    pending: Vec<Key>,
}

impl Resolver {
    pub fn pending(&self) -> &[Key] {
        &self.pending
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// Feed one key, looking through `contexts` in order (overlay, pane, global).
    pub fn feed(&mut self, km: &Keymap, contexts: &[Context], key: Key) -> Resolved {
        self.pending.push(key);
        if let Some(r) = self.lookup(km, contexts) {
            return r;
        }
        if self.pending.len() > 1 {
            // The sequence broke: start again from this key alone.
            self.pending = vec![key];
            if let Some(r) = self.lookup(km, contexts) {
                return r;
            }
        }
        self.pending.clear();
        Resolved::Unbound
    }

    fn lookup(&mut self, km: &Keymap, contexts: &[Context]) -> Option<Resolved> {
        for &ctx in contexts {
            let mut prefix = false;
            for b in km.bindings(ctx) {
                if b.keys == self.pending {
                    self.pending.clear();
                    return Some(Resolved::Actions(b.actions.clone()));
                }
                if b.keys.len() > self.pending.len() && b.keys.starts_with(&self.pending) {
                    prefix = true;
                }
            }
            if prefix {
                return Some(Resolved::Pending);
            }
        }
        None
    }
}

/// A key written twice in one context of a keymap file: serde_yaml rejects
/// the file at the first entry, with its own wording; this finds the second
/// entry, so the error names the line to fix.
struct Duplicate {
    context: String,
    key: String,
    first: String,
    second: String,
    at: (usize, usize),
}

fn duplicate_key(text: &str) -> Option<Duplicate> {
    use yaml_rust2::parser::{Event, Parser};
    struct Open {
        map: bool,
        expect_key: bool,
    }
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut context = String::new();
    // Keys of the current context with their actions, and the key awaiting its value.
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut pending: Option<(String, (usize, usize))> = None;
    for _ in 0..1_000_000 {
        let (ev, mark) = parser.next_token().ok()?;
        let at = (mark.line(), mark.col() + 1);
        let starts_node =
            matches!(ev, Event::Scalar(..) | Event::Alias(_) | Event::MappingStart(..) | Event::SequenceStart(..));
        let is_key = starts_node && stack.last().is_some_and(|o| o.map && o.expect_key);
        if starts_node {
            let depth = stack.len();
            if is_key {
                let name = match &ev {
                    Event::Scalar(s, ..) => s.clone(),
                    _ => String::new(),
                };
                if depth == 1 {
                    context = name;
                    seen.clear();
                } else if depth == 2 {
                    pending = Some((name, at));
                }
                if let Some(o) = stack.last_mut() {
                    o.expect_key = false;
                }
            } else if depth == 2
                && let Some((key, key_at)) = pending.take()
            {
                let action = match &ev {
                    Event::Scalar(v, ..) => v.clone(),
                    _ => "…".to_string(),
                };
                if let Some(first) = seen.get(&key) {
                    let first = first.clone();
                    return Some(Duplicate { context, key, first, second: action, at: key_at });
                }
                seen.insert(key, action);
            }
        }
        match ev {
            Event::StreamEnd => return None,
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let map = matches!(ev, Event::MappingStart(..));
                stack.push(Open { map, expect_key: map });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                if let Some(o) = stack.last_mut() {
                    o.expect_key = o.map;
                }
            }
            Event::Scalar(..) | Event::Alias(_) => {
                if let Some(o) = stack.last_mut()
                    && o.map
                    && !is_key
                {
                    o.expect_key = true;
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_key_names() {
        assert_eq!(Key::parse("ctrl-d").unwrap(), Key::new(KeyCode::Char('d'), KeyModifiers::CONTROL));
        assert_eq!(Key::parse("G").unwrap(), Key::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
        assert_eq!(Key::parse("pgdn").unwrap().code, KeyCode::PageDown);
        assert_eq!(Key::parse("f5").unwrap().code, KeyCode::F(5));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("f99").is_err());
    }
}
