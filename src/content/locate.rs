//! Map a YAML path such as `sections[2].blocks[0].rows[3]` to its line and
//! column in the source text, so that every content error can name a place.

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Positions (1-based line, 1-based column) of every node, keyed by YAML path.
#[derive(Debug, Default)]
pub struct Locator {
    spots: HashMap<String, (usize, usize)>,
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct Collector {
    stack: Vec<Frame>,
    spots: HashMap<String, (usize, usize)>,
    in_doc: bool,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_string() } else { format!("{parent}.{key}") }
}

impl Collector {
    /// The path of the node that starts now, and advance the parent.
    fn next_path(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, index }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                Some(p)
            }
            Some(Frame::Map { path, key }) => key.take().map(|k| join(path, &k)),
        }
    }

    /// A scalar in key position of a mapping is a key, not a node.
    fn is_key_slot(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }
}

impl MarkedEventReceiver for Collector {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let at = (mark.line(), mark.col() + 1);
        match ev {
            Event::DocumentStart => self.in_doc = true,
            Event::Scalar(s, ..) => {
                if self.is_key_slot() {
                    if let Some(Frame::Map { path, key }) = self.stack.last_mut() {
                        let p = join(path, &s);
                        self.spots.entry(p).or_insert(at);
                        *key = Some(s);
                    }
                } else if let Some(p) = self.next_path() {
                    self.spots.entry(p).or_insert(at);
                }
            }
            Event::Alias(_) => {
                self.next_path();
            }
            Event::SequenceStart(..) => {
                let p = self.next_path().unwrap_or_default();
                self.spots.entry(p.clone()).or_insert(at);
                self.stack.push(Frame::Seq { path: p, index: 0 });
            }
            Event::MappingStart(..) => {
                let p = self.next_path().unwrap_or_default();
                self.spots.entry(p.clone()).or_insert(at);
                self.stack.push(Frame::Map { path: p, key: None });
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
        let _ = parser.load(&mut c, false);
        let _ = c.in_doc;
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
}
