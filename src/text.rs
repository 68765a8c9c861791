//! Chinese text in a terminal: display width, line breaking and truncation.
//!
//! Widths come from `unicode-width`; East-Asian Ambiguous characters (box
//! drawing, block elements) count as one column. Lines are broken at UAX #14
//! opportunities (`unicode-linebreak`), which already forbid a break before
//! closing punctuation (，。、；：？！）》」』”…) and after opening punctuation
//! (（《「『“), and keep —— and …… together. Where a single unbreakable run is
//! wider than the line, it is split by character, still keeping those rules
//! unless the width is so narrow that one character fills the line.

use std::cell::Cell;
use std::ops::Range;
use unicode_width::UnicodeWidthChar;

thread_local! {
    /// Whether East Asian Ambiguous characters count two columns, for the
    /// call of [`with_ambiwide`] running on this thread. No process-wide
    /// switch: each explorer carries its choice in its options
    /// (`Options::ambiwidth`, `LayoutOpts::ambiwide`), and sets it here
    /// around its layout, update and render, so that SSH sessions of one
    /// server may differ.
    static AMBI_WIDE: Cell<bool> = const { Cell::new(false) };
}

/// Run `f` with East Asian Ambiguous characters counted two columns wide
/// (`wide`) or one, on this thread; the previous setting comes back after,
/// even if `f` panics.
pub fn with_ambiwide<R>(wide: bool, f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            AMBI_WIDE.with(|a| a.set(self.0));
        }
    }
    let _restore = Restore(AMBI_WIDE.with(|a| a.replace(wide)));
    f()
}

/// Whether ambiguous characters count two columns in the current
/// [`with_ambiwide`] call (one outside any).
pub fn ambiwide() -> bool {
    AMBI_WIDE.with(Cell::get)
}

/// Whether `c` is East Asian Ambiguous: one column in most terminals, two
/// in CJK ones (“ ” … — · box drawing).
pub fn is_ambiguous(c: char) -> bool {
    !c.is_control() && c.width_cjk().unwrap_or(0) > c.width().unwrap_or(0)
}

/// Display width of a character: control characters take no columns;
/// ambiguous ones take two under `--ambiwidth wide`.
pub fn char_width(c: char) -> usize {
    if c.is_control() {
        0
    } else if ambiwide() {
        c.width_cjk().unwrap_or(0)
    } else {
        c.width().unwrap_or(0)
    }
}

/// Display width of a string, in terminal columns.
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Characters that may not start a line.
pub fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '》'
            | '」'
            | '』'
            | '”'
            | '’'
            | '…'
            | '〉'
            | '】'
            | '〕'
            | '．'
            | '％'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
            | '%'
    )
}

/// Characters that may not end a line.
pub fn is_opening(c: char) -> bool {
    matches!(c, '（' | '《' | '「' | '『' | '“' | '‘' | '〈' | '【' | '〔' | '(' | '[' | '{')
}

/// Break `text` into lines of at most `max` columns. Returns byte ranges into
/// `text`; white space at a break is dropped. A hard newline always breaks.
///
/// A line is wider than `max` only when one character is wider than `max`
/// (a wide character at width 1).
pub fn wrap_ranges(text: &str, max: usize) -> Vec<Range<usize>> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == '\n' {
            wrap_paragraph(text, start..i, max, &mut out);
            start = i + 1;
        }
    }
    wrap_paragraph(text, start..text.len(), max, &mut out);
    out
}

/// Wrap and return owned lines.
#[allow(clippy::string_slice)] // ranges come from char_indices and UAX #14 breaks: char boundaries
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    wrap_ranges(text, max).into_iter().map(|r| text[r].to_string()).collect()
}

#[allow(clippy::string_slice)] // ranges come from char_indices and UAX #14 breaks: char boundaries
fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return r.start..r.start;
    }
    r.start + lead..r.end - trail
}

#[allow(clippy::string_slice)] // ranges come from char_indices and UAX #14 breaks: char boundaries
fn wrap_paragraph(text: &str, para: Range<usize>, max: usize, out: &mut Vec<Range<usize>>) {
    let p = &text[para.clone()];
    if p.trim().is_empty() {
        out.push(para.start..para.start);
        return;
    }
    // Atoms: the runs between break opportunities.
    let mut atoms = Vec::new();
    let mut prev = 0;
    for (at, _) in unicode_linebreak::linebreaks(p) {
        if at > prev {
            let atom = para.start + prev..para.start + at;
            // Enforce the line-start and line-end rules on top of UAX #14,
            // which allows a break before closing punctuation after a space.
            let glue = atoms.last().is_some_and(|last: &Range<usize>| {
                let first = text[atom.clone()].trim_start().chars().next();
                let end = text[last.clone()].trim_end().chars().last();
                first.is_some_and(is_closing) || end.is_some_and(is_opening)
            });
            match atoms.last_mut() {
                Some(last) if glue => last.end = atom.end,
                _ => atoms.push(atom),
            }
        }
        prev = at;
    }
    let mut line: Option<Range<usize>> = None; // untrimmed current line
    let line_width = |r: &Range<usize>| width(text[r.clone()].trim_end());
    for atom in atoms {
        let candidate = match &line {
            Some(l) => l.start..atom.end,
            None => atom.clone(),
        };
        if line_width(&candidate) <= max {
            line = Some(candidate);
            continue;
        }
        if let Some(l) = line.take() {
            out.push(trim_range(text, l));
        }
        // The atom alone: trim its leading space; split it if it is still too wide.
        let atom = trim_range(text, atom.start..atom.end);
        let atom = atom.start..atom.end.max(atom.start);
        if width(text[atom.clone()].trim_end()) <= max {
            line = Some(atom);
        } else {
            let mut pieces = split_hard(text, atom, max);
            let last = pieces.pop();
            out.extend(pieces);
            line = last;
        }
    }
    if let Some(l) = line {
        out.push(trim_range(text, l));
    }
}

/// Split one unbreakable run into pieces no wider than `max`, keeping closing
/// punctuation off a line start and opening punctuation off a line end, unless
/// that would leave a line empty or the pair cannot share a line at all.
#[allow(clippy::string_slice)] // ranges come from char_indices and UAX #14 breaks: char boundaries
fn split_hard(text: &str, run: Range<usize>, max: usize) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = text[run.clone()].char_indices().map(|(i, c)| (run.start + i, c)).collect();
    let n = chars.len();
    let visible_after = |j: usize| (j..n).find(|&k| !chars[k].1.is_whitespace());
    let visible_before = |j: usize, start: usize| (start..j).rev().find(|&k| !chars[k].1.is_whitespace());
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let start = i;
        let mut w = 0;
        while i < n && (i == start || w + char_width(chars[i].1) <= max) {
            w += char_width(chars[i].1);
            i += 1;
        }
        if i < n {
            // Break before `j`; move it back while the rules are broken.
            let mut j = i;
            while let (Some(next), Some(prev)) = (visible_after(j), visible_before(j, start)) {
                let (nc, pc) = (chars[next].1, chars[prev].1);
                if !(is_closing(nc) || is_opening(pc)) || prev <= start {
                    break;
                }
                if is_closing(nc) && char_width(pc) + char_width(nc) > max {
                    break; // the pair cannot share a line at this width
                }
                j = prev;
            }
            i = j;
        }
        let end = chars.get(i).map(|c| c.0).unwrap_or(run.end);
        let piece = trim_range(text, chars[start].0..end);
        if !piece.is_empty() {
            out.push(piece);
        }
    }
    out
}

/// Fold for matching: full-width ASCII to ASCII, then lower case.
pub fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    };
    c.to_lowercase().next().unwrap_or(c)
}

/// Cut `s` to at most `max` columns, ending with `…` when something was cut.
/// A wide character is never cut in half.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if w + cw > max - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// `truncate`, then pad with spaces to exactly `max` columns.
pub fn fit(s: &str, max: usize) -> String {
    let mut t = truncate(s, max);
    let w = width(&t);
    t.extend(std::iter::repeat_n(' ', max.saturating_sub(w)));
    t
}

/// A character that must not leave yanbao in text it writes out (copies,
/// `--copy-to`, exports, `search`, error messages): C0 and C1 controls but
/// tab and newline, DEL, and the bidirectional embeddings, overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069), which reorder what a terminal
/// or an editor shows. An `ESC [ 201 ~` in a copy would end a shell's
/// bracketed paste and run what follows when pasted.
pub fn is_unsafe_out(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` without the characters of [`is_unsafe_out`]: the one sanitiser of
/// everything yanbao writes out. Borrows when there is nothing to remove.
pub fn safe_out(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().any(is_unsafe_out) {
        std::borrow::Cow::Owned(s.chars().filter(|&c| !is_unsafe_out(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// [`safe_out`] applied to every string of a JSON value, keys included,
/// before it is serialised: JSON would escape C0 controls as `\u001b`, which
/// still decode to ESC, and writes C1 controls and bidi overrides raw.
pub fn safe_json(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(t) = safe_out(s) {
                *s = t;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(safe_json),
        Value::Object(o) => {
            let map = std::mem::take(o);
            for (k, mut x) in map {
                safe_json(&mut x);
                o.insert(safe_out(&k).into_owned(), x);
            }
        }
        _ => {}
    }
}

/// Replace characters whose width terminals disagree on (emoji with joiners
/// and variation selectors, other zero-width format characters) and tabs.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            '\u{200d}' | '\u{fe0f}' | '\u{fe0e}' | '\u{200b}' | '\u{feff}' => None,
            c if ('\u{1f000}'..='\u{1faff}').contains(&c) => None,
            c if c.is_control() && c != '\n' => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_out_strips_controls_and_bidi_but_keeps_tab_and_newline() {
        let hostile = "a\u{1b}[201~; touch PWNED\r\n\tb\u{7}\u{7f}\u{9b}2J\u{85}\u{202e}c\u{2066}d\u{0}";
        assert_eq!(safe_out(hostile), "a[201~; touch PWNED\n\tb2Jcd");
        assert!(matches!(safe_out("表格\n\tok"), std::borrow::Cow::Borrowed(_)));
        let mut v = serde_json::json!({"k\u{1b}": ["x\u{9b}y", 1, {"z": "\u{202d}w"}]});
        safe_json(&mut v);
        assert_eq!(v.to_string(), r#"{"k":["xy",1,{"z":"w"}]}"#);
    }

    #[test]
    fn punctuation_never_starts_a_line() {
        let t = "人工智能产业规模持续扩大，应用场景不断丰富。";
        for w in 4..30 {
            for l in wrap(t, w) {
                assert!(!l.starts_with(['，', '。']), "width {w}: {l:?}");
                assert!(width(&l) <= w);
            }
        }
    }

    #[test]
    fn mixed_latin_breaks_at_spaces() {
        let lines = wrap("AI赋能 千行百业 with GPT-4o and DeepSeek", 12);
        assert!(lines.iter().all(|l| width(l) <= 12), "{lines:?}");
        assert!(lines.iter().any(|l| l.contains("DeepSeek")));
    }

    #[test]
    fn dashes_and_ellipses_stay_whole() {
        for w in 4..20 {
            let lines = wrap("第二章——人工智能……产业全景", w);
            for l in &lines {
                assert!(!l.ends_with('—') || l.ends_with("——"), "{lines:?}");
                assert!(!l.starts_with('…'), "{lines:?}");
            }
        }
    }

    #[test]
    fn truncate_never_splits_wide() {
        assert_eq!(truncate("中关村科金", 5), "中关…");
        assert_eq!(truncate("中关村科金", 4), "中…");
        assert_eq!(width(&fit("中关村", 5)), 5);
        assert_eq!(truncate("abc", 3), "abc");
    }
}
