//! Pinyin matching for terminals without a Chinese input method.
//!
//! A query of Latin letters matches a contiguous run of characters when the
//! query can be read as, for each character in turn, one of its readings in
//! full, or the reading's initial (`zh`/`ch`/`sh` or the first letter), or, for
//! the last character only, the start of a reading. Every reading of a
//! heteronym counts, so both `yinhang` and `yinxing` find 银行 and `hangye`
//! finds 行业. Other characters match themselves.

use pinyin::ToPinyinMulti;
use std::borrow::Cow;

/// The plain readings of a character, as typed on a Latin keyboard: `lü`
/// gives both `lv` and `lu`, `ê` gives `e`. Empty for a non-Han character.
pub fn readings(c: char) -> Vec<Cow<'static, str>> {
    let Some(m) = c.to_pinyin_multi() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in m {
        let r = p.plain();
        if r.is_ascii() {
            out.push(Cow::Borrowed(r));
        } else {
            out.push(Cow::Owned(r.replace('ü', "v").replace('ê', "e")));
            out.push(Cow::Owned(r.replace('ü', "u").replace('ê', "e")));
        }
    }
    out
}

/// Bit per ASCII letter that can appear when `chars` are read as pinyin or
/// as themselves: a query needing a letter outside this set cannot match.
pub fn letter_mask(chars: &[char]) -> u32 {
    let mut m = 0u32;
    let mut add = |b: u8| {
        if b.is_ascii_lowercase() {
            m |= 1 << (b - b'a');
        }
    };
    for &c in chars {
        let rs = readings(c);
        if rs.is_empty() {
            if c.is_ascii() {
                add(c.to_ascii_lowercase() as u8);
            }
        } else {
            for r in rs {
                r.bytes().for_each(&mut add);
            }
        }
    }
    m
}

pub fn query_mask(q: &[u8]) -> u32 {
    q.iter().filter(|b| b.is_ascii_lowercase()).fold(0, |m, b| m | 1 << (b - b'a'))
}

/// The first (most common) reading of a character, with its ü variants.
fn primary(c: char) -> Vec<Cow<'static, str>> {
    let rs = readings(c);
    let n = if rs.first().is_some_and(|r| matches!(r, Cow::Owned(_))) { 2 } else { 1 };
    rs.into_iter().take(n).collect()
}

/// The ways a character can consume the query at `pos`: the positions after.
fn steps(c: char, q: &[u8], pos: usize, all: bool, out: &mut Vec<usize>) {
    out.clear();
    let rest = &q[pos..];
    let rs = if all { readings(c) } else { primary(c) };
    if rs.is_empty() {
        let mut buf = [0u8; 4];
        let s = c.to_ascii_lowercase().encode_utf8(&mut buf).as_bytes();
        if rest.starts_with(s) {
            out.push(pos + s.len());
        }
        return;
    }
    for r in &rs {
        let r = r.as_bytes();
        if rest.starts_with(r) {
            out.push(pos + r.len());
        }
        let initial = if r.len() >= 2 && matches!(&r[..2], b"zh" | b"ch" | b"sh") { 2 } else { 1 };
        if rest.starts_with(&r[..initial.min(r.len())]) {
            out.push(pos + initial.min(r.len()));
        }
        if initial == 2 && rest.first() == r.first() {
            out.push(pos + 1); // "z" for 中 as well as "zh"
        }
        // The query ends inside this reading.
        if r.len() > rest.len() && r.starts_with(rest) && !rest.is_empty() {
            out.push(q.len());
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// How a pinyin match was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reading {
    /// Some character needed a less common reading (大 as tai, 行 as hang).
    Heteronym,
    /// Every character in its most common reading.
    Primary,
}

/// Find the first run of `chars` that the pinyin query `q` (lower-case
/// ASCII) reads as, preferring most common readings. Returns the char range.
pub fn find(chars: &[char], q: &[u8]) -> Option<(std::ops::Range<usize>, Reading)> {
    find_with(chars, q, false)
        .map(|r| (r, Reading::Primary))
        .or_else(|| find_with(chars, q, true).map(|r| (r, Reading::Heteronym)))
}

fn find_with(chars: &[char], q: &[u8], all: bool) -> Option<std::ops::Range<usize>> {
    if q.is_empty() {
        return None;
    }
    let first = q[0];
    let mut buf = Vec::new();
    for start in 0..chars.len() {
        // Quick reject: the run's first character must offer the query's first letter.
        let c = chars[start];
        let rs = readings(c);
        let ok = if rs.is_empty() {
            c.to_ascii_lowercase() as u32 == first as u32
        } else {
            rs.iter().any(|r| r.as_bytes().first() == Some(&first))
        };
        if !ok {
            continue;
        }
        if let Some(end) = walk(chars, start, q, 0, all, &mut buf) {
            return Some(start..end);
        }
    }
    None
}

/// Depth-first: consume the query from `pos` with characters from `k`;
/// returns the index after the last character used. A partial reading
/// always consumes the rest of the query, so it can only end a match.
fn walk(chars: &[char], k: usize, q: &[u8], pos: usize, all: bool, buf: &mut Vec<usize>) -> Option<usize> {
    if pos == q.len() {
        return Some(k);
    }
    let c = *chars.get(k)?;
    steps(c, q, pos, all, buf);
    // Prefer consuming more of the query per character.
    let options: Vec<usize> = buf.iter().rev().copied().collect();
    options.into_iter().find_map(|next| walk(chars, k + 1, q, next, all, buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str, q: &str) -> Option<String> {
        let chars: Vec<char> = text.chars().collect();
        find(&chars, q.as_bytes()).map(|(r, _)| chars[r].iter().collect())
    }

    #[test]
    fn full_pinyin_initials_and_heteronyms() {
        assert_eq!(m("中关村科金", "zhongguancun").as_deref(), Some("中关村"));
        assert_eq!(m("中关村科金", "zgckj").as_deref(), Some("中关村科金"));
        assert_eq!(m("中关村科金", "zhgckj").as_deref(), Some("中关村科金"));
        assert_eq!(m("工商银行", "yinhang").as_deref(), Some("银行"));
        assert_eq!(m("工商银行", "yinxing").as_deref(), Some("银行"));
        assert_eq!(m("金融行业", "hangye").as_deref(), Some("行业"));
        assert_eq!(m("金融行业", "jinrongh").as_deref(), Some("金融行"));
        assert_eq!(m("华为云", "huaweiy").as_deref(), Some("华为云"));
        assert_eq!(m("AI赋能", "aifn").as_deref(), Some("AI赋能"));
        assert_eq!(m("中关村科金", "zhongx"), None);
        assert_eq!(m("绿色", "lvse").as_deref(), Some("绿色"));
        assert_eq!(m("绿色", "luse").as_deref(), Some("绿色"));
    }

    #[test]
    fn common_readings_are_told_from_heteronyms() {
        let c: Vec<char> = "华大基因".chars().collect();
        assert_eq!(find(&c, b"huada").map(|m| m.1), Some(Reading::Primary));
        assert_eq!(find(&c, b"huatai").map(|m| m.1), Some(Reading::Heteronym));
    }

    #[test]
    fn a_partial_reading_only_ends_the_query() {
        // "zho" is a prefix of zhong but cannot be followed by more.
        assert_eq!(m("中关村", "zhoguan"), None);
        assert_eq!(m("中关村", "zho").as_deref(), Some("中"));
    }
}
