//! Find in page: every match in the laid-out page, across line breaks of a
//! wrapped paragraph, case-insensitive, with full-width letters folded.

use crate::doc::Doc;
use crate::text::{char_width, fold};

/// One highlighted run on one line, in display columns of the line's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub line: usize,
    pub start: usize,
    pub end: usize,
}

/// One match; a match that crosses a line break has a piece per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub pieces: Vec<Piece>,
    /// Part of the match is in text cut off behind a `…` (compact tables).
    pub hidden: bool,
}

impl Match {
    pub fn line(&self) -> usize {
        self.pieces.first().map(|p| p.line).unwrap_or(0)
    }
}

/// A character to match: (folded char, line, start column, end column,
/// hidden behind a `…`).
pub(super) type Spot = (char, usize, usize, usize, bool);

fn push_chars(out: &mut Vec<Spot>, text: &str, line: usize, mut col: usize) {
    for c in text.chars() {
        let w = char_width(c);
        out.push((fold(c), line, col, col + w, false));
        col += w;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindState {
    pub query: String,
    pub matches: Vec<Match>,
    pub current: Option<usize>,
}

impl FindState {
    pub fn set_query(&mut self, query: &str, doc: &Doc) {
        self.query = query.to_string();
        self.current = None;
        self.recompute(doc);
    }

    /// Find every match of the query in the document.
    pub fn recompute(&mut self, doc: &Doc) {
        self.matches.clear();
        let q: Vec<char> = self.query.chars().map(fold).collect();
        if q.is_empty() {
            self.current = None;
            return;
        }
        let runs = page_runs(doc);
        // The typed text, literally (folded); a Latin query that is not on
        // the page, as pinyin with the finder's matcher (`yinhang` finds 银行).
        for chars in &runs {
            self.find_in(chars, &q);
        }
        if self.matches.is_empty()
            && let Some(mut py) = crate::search::PagePinyin::new(&self.query)
        {
            let folded: Vec<Vec<char>> = runs.iter().map(|r| r.iter().map(|c| c.0).collect()).collect();
            folded.iter().for_each(|f| py.learn(f));
            for (chars, f) in runs.iter().zip(&folded) {
                for r in py.runs(f) {
                    if let Some(run) = chars.get(r) {
                        self.push_match(run);
                    }
                }
            }
        }
        self.matches.sort_by_key(|m| m.pieces.first().map(|p| (p.line, p.start)));
        if self.current.is_some_and(|c| c >= self.matches.len()) {
            self.current = None;
        }
    }

    /// Add every match of `q` in a run of characters.
    fn find_in(&mut self, chars: &[Spot], q: &[char]) {
        let mut k = 0;
        while k + q.len() <= chars.len() {
            if chars[k..k + q.len()].iter().zip(q).all(|(a, b)| a.0 == *b) {
                self.push_match(&chars[k..k + q.len()]);
                k += q.len();
            } else {
                k += 1;
            }
        }
    }

    /// Record a match: its characters with where they are drawn.
    fn push_match(&mut self, run: &[Spot]) {
        let mut pieces: Vec<Piece> = Vec::new();
        for &(_, line, s, e, _) in run {
            match pieces.last_mut() {
                Some(p) if p.line == line => p.end = p.end.max(e),
                _ => pieces.push(Piece { line, start: s, end: e }),
            }
        }
        let hidden = run.iter().any(|c| c.4);
        if !pieces.is_empty() {
            self.matches.push(Match { pieces, hidden });
        }
    }

    /// Whether the current match lies partly in text cut off behind a `…`.
    pub fn current_hidden(&self) -> bool {
        self.current.and_then(|c| self.matches.get(c)).is_some_and(|m| m.hidden)
    }

    /// Make the first match at or below `line` current; returns its line.
    pub fn first_from(&mut self, line: usize) -> Option<usize> {
        if self.matches.is_empty() {
            self.current = None;
            return None;
        }
        let i = self.matches.iter().position(|m| m.line() >= line).unwrap_or(0);
        self.current = Some(i);
        Some(self.matches[i].line())
    }

    /// Step to the next or previous match, wrapping around; returns its line.
    pub fn step(&mut self, forward: bool) -> Option<usize> {
        let n = self.matches.len();
        if n == 0 {
            return None;
        }
        let i = match (self.current, forward) {
            (None, _) => 0,
            (Some(c), true) => (c + 1) % n,
            (Some(c), false) => (c + n - 1) % n,
        };
        self.current = Some(i);
        Some(self.matches[i].line())
    }

    /// "3/17" for the status bar.
    pub fn position(&self) -> Option<String> {
        if self.query.is_empty() {
            return None;
        }
        Some(match self.current {
            Some(c) => format!("{}/{}", c + 1, self.matches.len()),
            None => format!("-/{}", self.matches.len()),
        })
    }
}

/// The find prompt's text and cursor (a character index).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prompt {
    pub input: String,
    pub cursor: usize,
}

impl Prompt {
    pub fn new(input: &str) -> Prompt {
        Prompt { input: input.to_string(), cursor: input.chars().count() }
    }

    /// Insert at the cursor, up to the query cap; whether the text changed.
    pub fn insert(&mut self, text: &str) -> bool {
        let room = crate::search::MAX_QUERY_CHARS.saturating_sub(self.input.chars().count());
        let add: Vec<char> = text.chars().filter(|c| !c.is_control()).take(room).collect();
        if add.is_empty() {
            return false;
        }
        let mut chars: Vec<char> = self.input.chars().collect();
        let at = self.cursor.min(chars.len());
        chars.splice(at..at, add.iter().copied());
        self.cursor = at + add.len();
        self.input = chars.into_iter().collect();
        true
    }

    /// Apply an editing action; whether the text changed.
    pub fn edit(&mut self, action: &crate::action::Action) -> bool {
        use crate::action::Action;
        let mut chars: Vec<char> = self.input.chars().collect();
        let at = self.cursor.min(chars.len());
        let start = match action {
            Action::CursorLeft => {
                self.cursor = at.saturating_sub(1);
                return false;
            }
            Action::CursorRight => {
                self.cursor = (at + 1).min(chars.len());
                return false;
            }
            Action::CursorHome => {
                self.cursor = 0;
                return false;
            }
            Action::CursorEnd => {
                self.cursor = chars.len();
                return false;
            }
            Action::DeleteChar => at.saturating_sub(1),
            // The word before the cursor: spaces, then a run of non-spaces
            // (a run of Chinese counts as one word, as in readline).
            Action::DeleteWord => {
                let mut i = at;
                while i > 0 && chars[i - 1].is_whitespace() {
                    i -= 1;
                }
                while i > 0 && !chars[i - 1].is_whitespace() {
                    i -= 1;
                }
                i
            }
            // Ctrl-u: everything before the cursor.
            Action::ClearInput => 0,
            _ => return false,
        };
        if start == at {
            return false;
        }
        chars.drain(start..at);
        self.cursor = start;
        self.input = chars.into_iter().collect();
        true
    }
}

/// Each paragraph's and box's characters on a page, folded, with where they
/// are drawn: the runs a match is found in (a match never crosses two).
pub(super) fn page_runs(doc: &Doc) -> Vec<Vec<Spot>> {
    // Each paragraph's and box's characters, folded, with where they are drawn.
    let mut runs: Vec<Vec<Spot>> = Vec::new();
    let mut i = 0;
    while i < doc.lines.len() {
        // A paragraph: consecutive lines sharing a non-zero id.
        let para = doc.lines[i].para;
        let mut j = i + 1;
        while para != 0 && j < doc.lines.len() && doc.lines[j].para == para {
            j += 1;
        }
        if doc.lines[i].boxed {
            // Read box by box below.
            i = j;
            continue;
        }
        // (folded char, line, start column, end column, hidden)
        let mut chars: Vec<Spot> = Vec::new();
        for (li, line) in doc.lines[i..j].iter().enumerate() {
            let text = line.text();
            let body = if li > 0 { text.trim_start() } else { text.as_str() };
            let col = crate::text::width(text.strip_suffix(body).unwrap_or_default());
            push_chars(&mut chars, body, i + li, col);
        }
        runs.push(chars);
        i = j;
    }
    // Table cells and cards: each box's text across its lines, and the
    // text cut off behind its `…`, drawn on the `…`.
    for b in &doc.boxes {
        let mut chars: Vec<Spot> = Vec::new();
        for p in &b.pieces {
            push_chars(&mut chars, &p.text, p.line, p.col);
        }
        if let Some(&(_, line, _, end, _)) = chars.last() {
            chars.extend(b.hidden.chars().map(|c| (fold(c), line, end, end + 1, true)));
        }
        runs.push(chars);
    }
    runs
}
