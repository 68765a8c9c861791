//! Map a YAML path such as `sections[2].blocks[0].rows[3]` to its line and
//! column in the source text, so that every content error can name a place.

use std::cell::OnceCell;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser};

/// Paths deeper than this are not recorded: an error below falls back to
/// the deepest recorded ancestor. Real content nests a few levels.
const MAX_DEPTH: usize = 64;
/// A mapping key longer than this is not recorded (nor is anything below it).
const MAX_KEY: usize = 256;
/// The most path bytes one locator keeps, whatever the file's shape.
const MAX_BYTES: usize = 8 << 20;
/// The most events read: the locator's time is bounded even for a file the
/// YAML parser takes forever to reject.
const MAX_EVENTS: usize = 4_000_000;

/// Positions (1-based line, 1-based column) of nodes, keyed by YAML path.
///
/// Built by walking the parser's events in a loop (yaml-rust2's recursive
/// `load` overflows the stack on deep nesting), keeping only path segments on
/// the stack, so memory is bounded by the caps above (a 40 KB file of nested
/// `- - - …` took 1.27 GB when every frame held its full path).
#[derive(Debug, Default)]
pub struct Locator {
    spots: HashMap<String, (usize, usize)>,
}

enum Frame {
    /// `key`: the key whose value comes next; `None` for the key slot.
    Map {
        key: Option<String>,
    },
    Seq {
        index: usize,
    },
}

/// An open mapping or sequence: its own path segment (`.key` or `[3]`),
/// whether its path is recorded (not too deep, no over-long key above it),
/// and where its children are.
struct Open {
    seg: String,
    ok: bool,
    frame: Frame,
}

#[derive(Default)]
struct Collector {
    stack: Vec<Open>,
    spots: HashMap<String, (usize, usize)>,
    bytes: usize,
}

impl Collector {
    /// The path of a child with segment `last`, if it can be recorded.
    fn path_with(&self, last: &str) -> Option<String> {
        if self.stack.len() >= MAX_DEPTH || last.len() > MAX_KEY + 2 || self.stack.iter().any(|o| !o.ok) {
            return None;
        }
        let mut p: String = self.stack.iter().map(|o| o.seg.as_str()).collect();
        p.push_str(last);
        Some(p.strip_prefix('.').map(str::to_string).unwrap_or(p))
    }

    /// The next child's segment, advancing the parent: `[3]` or `.key`.
    fn next_segment(&mut self) -> Option<String> {
        match self.stack.last_mut().map(|o| &mut o.frame) {
            None => Some(String::new()),
            Some(Frame::Seq { index }) => {
                let seg = format!("[{index}]");
                *index += 1;
                Some(seg)
            }
            Some(Frame::Map { key }) => key.take().map(|k| format!(".{k}")),
        }
    }

    fn record(&mut self, path: Option<String>, at: (usize, usize)) -> bool {
        let Some(p) = path else { return false };
        if self.bytes + p.len() > MAX_BYTES {
            return false;
        }
        self.bytes += p.len() + 16;
        self.spots.entry(p).or_insert(at);
        true
    }

    fn is_key_slot(&self) -> bool {
        matches!(self.stack.last(), Some(Open { frame: Frame::Map { key: None }, .. }))
    }

    fn on_event(&mut self, ev: Event, at: (usize, usize)) {
        match ev {
            Event::Scalar(s, ..) if self.is_key_slot() => {
                let seg = format!(".{s}");
                let path = self.path_with(&seg);
                self.record(path, at);
                if let Some(Open { frame: Frame::Map { key }, .. }) = self.stack.last_mut() {
                    // An over-long key is kept out of every path below it.
                    *key = Some(if s.len() <= MAX_KEY { s } else { String::from("\u{0}") });
                }
            }
            Event::Scalar(..) | Event::Alias(_) => {
                if let Some(seg) = self.next_segment() {
                    let path = self.path_with(&seg);
                    self.record(path, at);
                }
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                let seg = self.next_segment().unwrap_or_default();
                let path = self.path_with(&seg);
                let ok = self.record(path, at) && !seg.contains('\u{0}');
                let frame = match ev {
                    Event::SequenceStart(..) => Frame::Seq { index: 0 },
                    _ => Frame::Map { key: None },
                };
                let seg = if ok { seg } else { String::new() };
                self.stack.push(Open { seg, ok, frame });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

impl Locator {
    /// Build the path index of a YAML text. Malformed YAML yields what was
    /// read before the error.
    pub fn new(text: &str) -> Self {
        let mut c = Collector::default();
        let mut parser = Parser::new_from_str(text);
        for _ in 0..MAX_EVENTS {
            match parser.next_token() {
                Ok((Event::StreamEnd, _)) | Err(_) => break,
                Ok((ev, mark)) => c.on_event(ev, (mark.line(), mark.col() + 1)),
            }
        }
        Locator { spots: c.spots }
    }

    /// The position of a path, or of its nearest ancestor that has one.
    pub fn find(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path.to_string();
        loop {
            if let Some(&at) = self.spots.get(&p) {
                return Some(at);
            }
            if p.is_empty() {
                return None;
            }
            let cut = p.rfind(['.', '[']).unwrap_or(0);
            p.truncate(cut);
        }
    }
}

/// A locator built on first use: the text is walked again only when there is
/// an error to place.
#[derive(Debug)]
pub struct LazyLocator<'t> {
    text: &'t str,
    cell: OnceCell<Locator>,
}

impl<'t> LazyLocator<'t> {
    pub fn new(text: &'t str) -> Self {
        LazyLocator { text, cell: OnceCell::new() }
    }

    pub fn find(&self, path: &str) -> Option<(usize, usize)> {
        self.cell.get_or_init(|| Locator::new(self.text)).find(path)
    }
}

/// The second of two equal keys in one mapping: its name and place. serde_yaml
/// rejects such a file at the start of the mapping; this names the line to fix.
pub fn duplicate_key(text: &str) -> Option<(String, (usize, usize))> {
    // Per open collection: for a mapping, its keys so far and whether the
    // next node is a key.
    let mut stack: Vec<Option<(Vec<String>, bool)>> = Vec::new();
    let mut parser = Parser::new_from_str(text);
    for _ in 0..MAX_EVENTS {
        let (ev, mark) = parser.next_token().ok()?;
        let at = (mark.line(), mark.col() + 1);
        let key_slot = matches!(stack.last(), Some(Some((_, true))));
        let node =
            matches!(ev, Event::Scalar(..) | Event::Alias(_) | Event::MappingStart(..) | Event::SequenceStart(..));
        if node && let Some(Some((keys, expect_key))) = stack.last_mut() {
            if key_slot && let Event::Scalar(s, ..) = &ev {
                if keys.contains(s) {
                    return Some((s.clone(), at));
                }
                if keys.len() < 10_000 {
                    keys.push(s.clone());
                }
            }
            *expect_key = !key_slot;
        }
        match ev {
            Event::StreamEnd => return None,
            Event::MappingStart(..) => stack.push(Some((Vec::new(), true))),
            Event::SequenceStart(..) => stack.push(None),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
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
    fn finds_nested_paths() {
        let text = "id: a\nsections:\n  - id: b\n    blocks:\n      - kind: text\n        text: hi\n";
        let l = Locator::new(text);
        let line = |p: &str| l.find(p).map(|a| a.0);
        assert_eq!(l.find("id"), Some((1, 1)));
        assert_eq!(line("sections[0].blocks[0]"), Some(5));
        assert_eq!(l.find("sections[0].blocks[0].text"), Some((6, 9)));
        // An unknown tail falls back to the nearest known ancestor.
        assert_eq!(line("sections[0].blocks[0].rows[3]"), Some(5));
    }

    #[test]
    fn finds_the_second_of_two_keys() {
        assert_eq!(duplicate_key("a: 1\nb: {x: 1, y: 2}\na: 2\n"), Some(("a".into(), (3, 1))));
        assert_eq!(duplicate_key("a:\n  x: 1\n  y: [1, 1]\n  x: 3\n"), Some(("x".into(), (4, 3))));
        assert_eq!(duplicate_key("a: 1\nb:\n  a: 2\n"), None);
    }
}

/// The deepest flow nesting (`[` and `{`) a YAML file may have. libyaml's
/// scanner takes time quadratic in it before any recursion limit applies
/// (100 KB of `[` took 53 s); content, keymaps and configs need 2 or 3.
pub const MAX_FLOW_DEPTH: usize = 64;

/// A cheap linear pre-scan run before the YAML parser: the line and column
/// (1-based) where flow collections nest deeper than [`MAX_FLOW_DEPTH`].
/// Quoted scalars and comments are skipped; a `[` or `{` counts where a
/// flow collection can start (at the start of a value or inside one), not
/// inside a plain scalar (`text: a[b`).
pub fn flow_too_deep(text: &str) -> Option<(usize, usize)> {
    #[derive(PartialEq)]
    enum In {
        Plain,
        Single,
        Double,
    }
    let mut state = In::Plain;
    let mut depth = 0usize;
    let (mut line, mut col) = (1usize, 0usize);
    // Whether a token can start here: the line's start, after an indicator
    // and a space (`: `, `- `, `? `), or after `[`, `{`, `,`.
    let mut at_start = true;
    let mut prev = '\n';
    let mut escaped = false;
    let mut comment = false;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
            col = 0;
            comment = false;
            prev = '\n';
            if state == In::Plain {
                at_start = true;
            }
            continue;
        }
        col += 1;
        if comment {
            continue;
        }
        match state {
            In::Double => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    state = In::Plain;
                    at_start = false;
                }
            }
            In::Single => {
                if c == '\'' {
                    state = In::Plain;
                    at_start = false;
                }
            }
            In::Plain => match c {
                ' ' | '\t' => {
                    if matches!(prev, ':' | '-' | '?' | ',' | '[' | '{' | '\n') {
                        at_start = true;
                    }
                }
                '#' if matches!(prev, ' ' | '\t' | '\n') => comment = true,
                '[' | '{' if at_start || depth > 0 => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some((line, col));
                    }
                    at_start = true;
                }
                ']' | '}' if depth > 0 => {
                    depth -= 1;
                    at_start = false;
                }
                ',' if depth > 0 => at_start = true,
                '"' if at_start => state = In::Double,
                '\'' if at_start => state = In::Single,
                _ => at_start = false,
            },
        }
        prev = c;
    }
    None
}

/// A pre-scan run before a content file is parsed into a tree: the line
/// and column (1-based) of the first section past `max`, counting the items
/// of every sequence that is the value of a `sections` key. serde_yaml
/// builds the whole tree before the loader can count, so the cap alone did
/// not bound the parse: 16 MiB of sections (600,000) took 886 MB and 8.7 s
/// before it was refused (C7). The event walk keeps only a stack.
///
/// Most files cannot hold that many sequence items at all: a block item
/// starts with `-`, flow items are split by `,`, so a text with at most
/// `max` of `-`, `,` and `[` together is passed without parsing.
pub fn too_many_sections(text: &str, max: usize) -> Option<(usize, usize)> {
    let marks = text.bytes().filter(|b| matches!(b, b'-' | b',' | b'[')).count();
    if marks <= max {
        return None;
    }
    // Per open collection: a mapping (its last key is `sections`) or a
    // sequence (whether it is a `sections` value).
    enum Open {
        Map { key_slot: bool, sections: bool },
        Seq { sections: bool },
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut count = 0usize;
    let mut parser = Parser::new_from_str(text);
    for _ in 0..MAX_EVENTS.saturating_mul(8) {
        let Ok((ev, mark)) = parser.next_token() else { return None };
        let node =
            matches!(ev, Event::Scalar(..) | Event::Alias(_) | Event::MappingStart(..) | Event::SequenceStart(..));
        // What this node is the value of: `sections` in a mapping, or an
        // item of a `sections` sequence.
        let (item, value_of_sections) = match stack.last_mut() {
            Some(Open::Seq { sections }) if node => (*sections, false),
            Some(Open::Map { key_slot, sections }) if node => {
                let was_key = *key_slot;
                *key_slot = !*key_slot;
                if was_key {
                    *sections = matches!(&ev, Event::Scalar(k, ..) if k == "sections");
                    (false, false)
                } else {
                    (false, *sections)
                }
            }
            _ => (false, false),
        };
        if item {
            count += 1;
            if count > max {
                return Some((mark.line(), mark.col() + 1));
            }
        }
        match ev {
            Event::StreamEnd => return None,
            Event::MappingStart(..) => stack.push(Open::Map { key_slot: true, sections: false }),
            Event::SequenceStart(..) => stack.push(Open::Seq { sections: value_of_sections }),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
            }
            _ => {}
        }
    }
    None
}

/// The message of [`flow_too_deep`].
pub fn flow_too_deep_message() -> String {
    format!("flow collections ([ or {{) nested more than {MAX_FLOW_DEPTH} deep: not parsed")
}

#[cfg(test)]
mod flow_tests {
    use super::*;

    #[test]
    fn flow_depth_is_counted_where_flow_can_start() {
        assert_eq!(flow_too_deep(&format!("a: {}", "[".repeat(100_000))), Some((1, 3 + MAX_FLOW_DEPTH + 1)));
        assert_eq!(flow_too_deep(&format!("- {}1{}", "[".repeat(64), "]".repeat(64))), None);
        assert_eq!(flow_too_deep(&format!("- {}1{}", "{a: ".repeat(65), "}".repeat(65))).map(|p| p.0), Some(1));
        // Not in plain or quoted scalars, nor in comments.
        let text = format!("a: b{0}\nc: \"{0}\"\nd: '{0}'\n# {0}\ne: [x, \"]\", y]\n", "[".repeat(200));
        assert_eq!(flow_too_deep(&text), None);
        assert_eq!(flow_too_deep(&format!("x: 1\ny:\n  - {}", "[".repeat(65))), Some((3, 4 + 65)));
    }

    #[test]
    fn sections_past_the_cap_are_found_before_parsing() {
        let block = |n: usize| {
            let items: String = (0..n).map(|i| format!("  - id: s{i}\n    title: x\n")).collect();
            format!("id: c\ntitle: t\nsections:\n{items}")
        };
        // Items 0..=4 are lines 4, 6, 8, …: the sixth (index 5) is on line 14.
        assert_eq!(too_many_sections(&block(6), 5).map(|p| p.0), Some(14));
        assert_eq!(too_many_sections(&block(5), 5), None);
        // Nested sections count too, and flow style.
        let nested = "sections:\n  - id: a\n    sections: [{id: b}, {id: c}]\n  - id: d\n";
        assert_eq!(too_many_sections(nested, 3).map(|p| p.0), Some(4));
        assert_eq!(too_many_sections(nested, 4), None);
        // Items of other sequences are not sections.
        let other = "sections: []\nblocks:\n  - a\n  - b\n  - c\n  - d\n";
        assert_eq!(too_many_sections(other, 2), None);
        // A `sections` key inside a section's mapping value is still a key.
        assert_eq!(too_many_sections("a: {sections: [1, 2, 3]}\n", 2).map(|p| p.0), Some(1));
    }
}
