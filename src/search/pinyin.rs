//! Pinyin matching for terminals without a Chinese input method.
//!
//! A query of Latin letters matches a contiguous run of characters when the
//! query can be read as, for each character in turn, one of its readings in
//! full, or the reading's initial (`zh`/`ch`/`sh` or the first letter), or, for
//! the last character only, the start of a reading. Every reading of a
//! heteronym counts, so both `yinhang` and `yinxing` find 银行 and `hangye`
//! finds 行业; a match in the characters' most common readings ranks higher.
//! Other characters match themselves.
//!
//! Readings are looked up once, when the index is built: each distinct
//! character gets a small id into a table of reading sets, so matching a
//! query allocates nothing.

use pinyin::ToPinyinMulti;
use std::collections::{BTreeSet, HashMap};

/// The readings of the characters an index holds.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Table {
    /// Per id: the readings as typed on a Latin keyboard (`lü` as `lv` and
    /// `lu`), each with whether it is the character's most common reading.
    sets: Vec<Vec<(Box<[u8]>, bool)>>,
    /// Per id: a bit per letter that a reading starts with.
    first: Vec<u32>,
    /// Per id: a bit per letter in any reading.
    letters: Vec<u32>,
    ids: HashMap<char, u16>,
    /// Every reading of the table, for planning queries.
    syllables: BTreeSet<Box<[u8]>>,
}

/// Id 0: a character without readings, which matches itself.
pub const LITERAL: u16 = 0;

fn bit(b: u8) -> u32 {
    if b.is_ascii_lowercase() { 1 << (b - b'a') } else { 0 }
}

impl Default for Table {
    fn default() -> Self {
        Table {
            sets: vec![Vec::new()],
            first: vec![0],
            letters: vec![0],
            ids: HashMap::new(),
            syllables: BTreeSet::new(),
        }
    }
}

impl Table {
    /// Whether the per-id tables have one entry per id, and the id map
    /// points into them (for a table read from the cache).
    pub fn is_consistent(&self) -> bool {
        let n = self.sets.len();
        n > 0 && self.first.len() == n && self.letters.len() == n && self.ids.values().all(|&i| (i as usize) < n)
    }

    /// Whether every id is one of this table's.
    pub fn has_ids(&self, ids: &[u16]) -> bool {
        ids.iter().all(|&i| (i as usize) < self.sets.len())
    }

    /// The id of a character's reading set (looked up once per character).
    pub fn id(&mut self, c: char) -> u16 {
        if c.is_ascii() {
            return LITERAL;
        }
        if let Some(&id) = self.ids.get(&c) {
            return id;
        }
        let mut set: Vec<(Box<[u8]>, bool)> = Vec::new();
        if let Some(m) = c.to_pinyin_multi() {
            for (i, p) in m.into_iter().enumerate() {
                let r = p.plain();
                let forms =
                    if r.is_ascii() { vec![r.to_string()] } else { vec![r.replace('ü', "v"), r.replace('ü', "u")] };
                for f in forms {
                    let f = f.replace('ê', "e").into_bytes().into_boxed_slice();
                    if !set.iter().any(|(x, _)| *x == f) {
                        set.push((f, i == 0));
                    }
                }
            }
        }
        let id = if set.is_empty() || self.sets.len() >= u16::MAX as usize {
            LITERAL
        } else {
            self.first.push(set.iter().fold(0, |m, (r, _)| m | bit(r[0])));
            self.letters.push(set.iter().flat_map(|(r, _)| r.iter()).fold(0, |m, &b| m | bit(b)));
            self.syllables.extend(set.iter().map(|(r, _)| r.clone()));
            self.sets.push(set);
            (self.sets.len() - 1) as u16
        };
        self.ids.insert(c, id);
        id
    }

    /// The id of a character already in the table ([`LITERAL`] otherwise).
    pub fn lookup(&self, c: char) -> u16 {
        if c.is_ascii() { LITERAL } else { self.ids.get(&c).copied().unwrap_or(LITERAL) }
    }

    /// The letters a character's readings start with (itself, if a Latin letter).
    pub fn starts(&self, c: char, id: u16) -> u32 {
        if id == LITERAL { bit(c.to_ascii_lowercase() as u8) } else { self.first[id as usize] }
    }

    /// The screen of a text: which runs of first letters it has, so that
    /// most texts are ruled out for a query before any matching.
    pub fn shape(&self, chars: &[char], ids: &[u16]) -> Shape {
        let starts: Vec<u32> = chars.iter().zip(ids).map(|(&c, &id)| self.starts(c, id)).collect();
        let mut sh = Shape { mask: self.letter_mask(chars, ids), ..Shape::default() };
        for k in 1..starts.len() {
            for a in letters(starts[k - 1]) {
                for b in letters(starts[k]) {
                    sh.pairs.set(pair_key(a, b));
                    if k + 1 < starts.len() {
                        for c in letters(starts[k + 1]) {
                            sh.triples.set(triple_key(a, b, c));
                        }
                    }
                }
            }
        }
        sh
    }

    /// Whether a text of this shape could match the planned query.
    pub fn may_match(&self, shape: &Shape, plan: &Plan) -> bool {
        if shape.mask & plan.mask != plan.mask {
            return false;
        }
        match &plan.runs {
            Runs::Any => true,
            Runs::Pairs(keys) => keys.iter().any(|&k| shape.pairs.has(k)),
            Runs::Triples(pairs, triples) => {
                pairs.iter().any(|&k| shape.pairs.has(k)) && triples.iter().any(|&k| shape.triples.has(k))
            }
        }
    }

    /// Where the next character can start within `q`: after an initial
    /// (1, or 2 for zh/ch/sh) or after a whole reading that begins `q`.
    fn splits(&self, q: &[u8]) -> Vec<usize> {
        let mut out = vec![1];
        if q.len() >= 2 && matches!(&q[..2], b"zh" | b"ch" | b"sh") {
            out.push(2);
        }
        for k in 2..q.len().min(7) {
            if self.syllables.contains(&q[..k]) && !out.contains(&k) {
                out.push(k);
            }
        }
        out.retain(|&p| p < q.len());
        out
    }

    /// What every match of `q` must look like, worked out once per query.
    pub fn plan(&self, q: &[u8]) -> Plan {
        let mask = query_mask(q);
        let all_letters = !q.is_empty() && q.iter().all(|b| b.is_ascii_lowercase());
        if !all_letters {
            return Plan { mask, runs: Runs::Any, next: u32::MAX, whole: None };
        }
        let splits = self.splits(q);
        let next = splits.iter().fold(0, |m, &p| m | bit(q[p]));
        // One letter can always be taken by one character (a Latin letter).
        if q.len() == 1 || self.single_syllable(q) {
            return Plan { mask, runs: Runs::Any, next, whole: Some(mask) };
        }
        let mut pairs = Vec::new();
        let mut triples = Vec::new();
        let mut two = false;
        for p1 in splits {
            pairs.push(pair_key(q[0], q[p1]));
            let rest = &q[p1..];
            if self.single_syllable(rest) {
                two = true;
            }
            for p2 in self.splits(rest) {
                triples.push(triple_key(q[0], q[p1], rest[p2]));
            }
        }
        let runs = if two || triples.is_empty() { Runs::Pairs(pairs) } else { Runs::Triples(pairs, triples) };
        Plan { mask, runs, next, whole: None }
    }

    /// Whether one character could consume all of `q` (it is the start of a reading).
    pub fn single_syllable(&self, q: &[u8]) -> bool {
        q.len() <= 6
            && self
                .syllables
                .range::<[u8], _>((std::ops::Bound::Included(q), std::ops::Bound::Unbounded))
                .next()
                .is_some_and(|r| r.starts_with(q))
    }

    /// Bits of every letter these characters can be typed with.
    pub fn letter_mask(&self, chars: &[char], ids: &[u16]) -> u32 {
        chars.iter().zip(ids).fold(0, |m, (&c, &id)| {
            m | if id == LITERAL { bit(c.to_ascii_lowercase() as u8) } else { self.letters[id as usize] }
        })
    }
}

/// What a match of one query must look like (see [`Table::plan`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Letters the query needs.
    mask: u32,
    runs: Runs,
    /// Letters the second character of a match can start with (all, for a
    /// query that is not all letters).
    next: u32,
    /// When one character could take the whole query: the letters its
    /// readings must have (the query's).
    whole: Option<u32>,
}

/// How a match of a pinyin query begins, one of which every match of
/// two or more characters has (see [`Table::openings`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opening {
    /// A character typed by its initial, then one starting with a letter: a pair key.
    Pair(u16),
    /// The same, then a third character: a triple key.
    Triple(u16),
    /// A character read in full (this [`syllable_key`]), then one starting with a letter.
    Syllable(u64),
}

/// A key for a full reading followed by a character starting with `next`;
/// `None` for a reading longer than a query split takes (6 letters).
pub fn syllable_key(reading: &[u8], next: u8) -> Option<u64> {
    (reading.len() <= 6).then(|| reading.iter().fold(0u64, |k, &b| k << 8 | b as u64) << 8 | next as u64)
}

impl Table {
    /// The ways a match of the pinyin query `q` can begin; `None` when one
    /// character could take all of it (nothing is ruled out). The first
    /// character takes the query's first letter (or zh/ch/sh), or a whole
    /// reading that begins the query; the next starts where the rest can.
    pub fn openings(&self, q: &[u8]) -> Option<Vec<Opening>> {
        let all_letters = !q.is_empty() && q.iter().all(|b| b.is_ascii_lowercase());
        if !all_letters || self.single_syllable(q) {
            return None;
        }
        let mut out = Vec::new();
        for p1 in self.splits(q) {
            let rest = &q[p1..];
            let initial = p1 == 1 || (p1 == 2 && matches!(&q[..2], b"zh" | b"ch" | b"sh"));
            if !initial {
                out.push(Opening::Syllable(syllable_key(&q[..p1], q[p1])?));
                continue;
            }
            let triples: Vec<Opening> =
                self.splits(rest).into_iter().map(|p2| Opening::Triple(triple_key(q[0], q[p1], rest[p2]))).collect();
            if self.single_syllable(rest) || triples.is_empty() {
                out.push(Opening::Pair(pair_key(q[0], q[p1])));
            } else {
                out.extend(triples);
            }
        }
        Some(out)
    }

    /// Every [`syllable_key`] of a text: each reading of a character with
    /// the first letters of the next (unsorted, with repeats).
    pub fn syllable_keys(&self, ids: &[u16], starts: &[u32], out: &mut Vec<u64>) {
        for (k, &id) in ids.iter().enumerate() {
            let Some(&next) = starts.get(k + 1) else { break };
            if id == LITERAL || next == 0 {
                continue;
            }
            for (r, _) in self.sets.get(id as usize).into_iter().flatten() {
                for b in letters(next) {
                    out.extend(syllable_key(r, b));
                }
            }
        }
    }
}

/// How many pair keys and triple keys there are.
pub const PAIR_KEYS: usize = 26 * 26;
pub const TRIPLE_KEYS: usize = 26 * 26 * 26;

/// Every run of first letters in a text whose characters start with these
/// letters (`Table::starts_of`): two-letter runs into `pairs`, three-letter
/// runs into `triples` (unsorted, with repeats).
pub fn run_keys(starts: &[u32], pairs: &mut Vec<u16>, triples: &mut Vec<u16>) {
    for k in 1..starts.len() {
        for a in letters(starts[k - 1]) {
            for b in letters(starts[k]) {
                pairs.push(pair_key(a, b));
                if let Some(&next) = starts.get(k + 1) {
                    for c in letters(next) {
                        triples.push(triple_key(a, b, c));
                    }
                }
            }
        }
    }
}

/// Runs of first letters that a matching text must contain.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Runs {
    /// Nothing to rule out: one character could take the whole query.
    Any,
    /// One of these first-letter pairs.
    Pairs(Vec<u16>),
    /// One of these pairs and one of these triples (the query needs three characters).
    Triples(Vec<u16>, Vec<u16>),
}

/// A 256-bit hashed set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Bits([u64; 4]);

impl Bits {
    fn set(&mut self, k: u16) {
        let h = (k as u32).wrapping_mul(0x9E37_79B1) >> 24;
        self.0[(h >> 6) as usize] |= 1 << (h & 63);
    }

    fn has(&self, k: u16) -> bool {
        let h = (k as u32).wrapping_mul(0x9E37_79B1) >> 24;
        self.0[(h >> 6) as usize] & (1 << (h & 63)) != 0
    }
}

/// In the cache, 32 raw bytes (as varints, sparse random bits take up to 80).
impl serde::Serialize for Bits {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut b = [0u8; 32];
        for (chunk, w) in b.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        s.serialize_bytes(&b)
    }
}

impl<'de> serde::Deserialize<'de> for Bits {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Bits;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("32 bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, b: &[u8]) -> Result<Bits, E> {
                if b.len() != 32 {
                    return Err(E::invalid_length(b.len(), &self));
                }
                let mut w = [0u64; 4];
                for (x, chunk) in w.iter_mut().zip(b.chunks_exact(8)) {
                    *x = u64::from_le_bytes(chunk.try_into().map_err(E::custom)?);
                }
                Ok(Bits(w))
            }
        }
        d.deserialize_byte_buf(V)
    }
}

/// The screen of one text (see [`Table::shape`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shape {
    mask: u32,
    pairs: Bits,
    triples: Bits,
}

fn letters(mut m: u32) -> impl Iterator<Item = u8> {
    std::iter::from_fn(move || {
        (m != 0).then(|| {
            let i = m.trailing_zeros() as u8;
            m &= m - 1;
            b'a' + i
        })
    })
}

fn pair_key(a: u8, b: u8) -> u16 {
    (a - b'a') as u16 * 26 + (b - b'a') as u16
}

fn triple_key(a: u8, b: u8, c: u8) -> u16 {
    ((a - b'a') as u16 * 26 + (b - b'a') as u16) * 26 + (c - b'a') as u16
}

pub fn query_mask(q: &[u8]) -> u32 {
    q.iter().fold(0, |m, &b| m | bit(b))
}

/// A text as `find` reads it: folded characters, their reading ids
/// (`Table::id`) and their first letters (`Table::starts_of`).
#[derive(Debug, Clone, Copy)]
pub struct Coded<'a> {
    pub chars: &'a [char],
    pub ids: &'a [u16],
    pub starts: &'a [u32],
}

/// Where a pinyin run may lie: from `from`, starting exactly there
/// (`^prefix`), and ending exactly at `end` (`suffix$`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Anchor {
    pub from: usize,
    pub start: bool,
    pub end: Option<usize>,
}

/// How a pinyin match was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reading {
    /// Some character needed a less common reading (大 as tai, 行 as hang).
    Heteronym,
    /// Every character in its most common reading.
    Primary,
}

/// Positions in the query after one character consumed it from `pos`.
struct Steps {
    at: [u16; 12],
    n: usize,
}

impl Steps {
    fn push(&mut self, p: usize) {
        let p = p as u16;
        if self.n < self.at.len() && !self.at[..self.n].contains(&p) {
            self.at[self.n] = p;
            self.n += 1;
        }
    }
}

impl Table {
    #[inline]
    fn steps(&self, c: char, id: u16, q: &[u8], pos: usize, all: bool) -> Steps {
        let mut s = Steps { at: [0; 12], n: 0 };
        let rest = &q[pos..];
        if id == LITERAL {
            if c.is_ascii() && rest.first() == Some(&(c.to_ascii_lowercase() as u8)) {
                s.push(pos + 1);
            }
            return s;
        }
        for (r, primary) in &self.sets[id as usize] {
            if !all && !primary {
                continue;
            }
            if rest.first() != r.first() {
                continue;
            }
            // How far the reading and the rest of the query agree.
            let same = r.iter().zip(rest).take_while(|(a, b)| a == b).count();
            if same == r.len() {
                s.push(pos + r.len());
            } else if same == rest.len() {
                s.push(q.len()); // the query ends inside this reading
            }
            if same >= 2 && matches!(&r[..2], b"zh" | b"ch" | b"sh") {
                s.push(pos + 2);
            }
            s.push(pos + 1); // the initial: "z" for 中 as well as "zh"
        }
        s
    }

    /// Depth-first: consume the query from `pos` with characters from `k`;
    /// the index after the last character used. A partial reading always
    /// consumes the rest of the query, so it can only end a match.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        chars: &[char],
        ids: &[u16],
        k: usize,
        q: &[u8],
        pos: usize,
        all: bool,
        end: Option<usize>,
    ) -> Option<usize> {
        if pos == q.len() {
            // Anchored at the end (`suffix$`): only a run that ends there.
            return end.is_none_or(|e| e == k).then_some(k);
        }
        if end.is_some_and(|e| k >= e) {
            return None;
        }
        let (&c, &id) = (chars.get(k)?, ids.get(k)?);
        let mut s = self.steps(c, id, q, pos, all);
        // Prefer consuming more of the query per character.
        s.at[..s.n].sort_unstable_by(|a, b| b.cmp(a));
        s.at[..s.n].iter().find_map(|&next| self.walk(chars, ids, k + 1, q, next as usize, all, end))
    }

    /// Where a run may start: the first character must offer the query's
    /// first letter, and either the next one must start where a split of
    /// the query can, or the first must have every letter of the query (one
    /// character takes it all).
    fn openings_in<'t>(
        &'t self,
        text: Coded<'t>,
        q: &[u8],
        plan: &Plan,
        at: Anchor,
    ) -> impl Iterator<Item = usize> + 't {
        let (first, next, whole, one) = (bit(q[0]), plan.next, plan.whole, q.len() == 1);
        let starts = text.starts;
        let last = if at.start { starts.len().min(at.from + 1) } else { starts.len() };
        (at.from..last).filter(move |&k| {
            starts[k] & first != 0
                && (next == u32::MAX
                    || starts.get(k + 1).is_some_and(|&m| m & next != 0)
                    || whole.is_some_and(|w| match text.ids.get(k) {
                        Some(&LITERAL) => one,
                        Some(&id) => self.letters.get(id as usize).is_some_and(|l| l & w == w),
                        None => false,
                    }))
        })
    }

    /// The first run in any reading.
    fn find_any(&self, text: Coded, q: &[u8], plan: &Plan, at: Anchor) -> Option<std::ops::Range<usize>> {
        self.openings_in(text, q, plan, at)
            .find_map(|start| self.walk(text.chars, text.ids, start, q, 0, true, at.end).map(|end| start..end))
    }

    /// Each character's first letters, for `find` (see [`Coded`]).
    pub fn starts_of(&self, chars: &[char], ids: &[u16]) -> Vec<u32> {
        chars.iter().zip(ids).map(|(&c, &id)| self.starts(c, id)).collect()
    }

    /// The first run of `chars` (with their ids) that the pinyin query `q`
    /// (lower-case ASCII) reads as, in common readings if it can be.
    pub fn find(&self, text: Coded, q: &[u8], plan: &Plan) -> Option<(std::ops::Range<usize>, Reading)> {
        self.find_anchored(text, q, plan, Anchor::default())
    }

    /// [`Table::find`], with the run anchored at the text's start or end.
    pub fn find_anchored(
        &self,
        text: Coded,
        q: &[u8],
        plan: &Plan,
        at: Anchor,
    ) -> Option<(std::ops::Range<usize>, Reading)> {
        if q.is_empty() || q.len() > 200 {
            return None;
        }
        // One pass. At each opening, every reading first (most texts do not
        // match at all), then the common readings alone, which can only
        // match where every reading does. The first run in common readings
        // wins; failing that, the first run in any.
        let mut any = None;
        if let [letter] = *q {
            // One letter: a run is one character with a reading that starts
            // with it (what `walk` finds, without walking).
            for k in self.openings_in(text, q, plan, at) {
                let (c, id) = (text.chars[k], text.ids[k]);
                if at.end.is_some_and(|e| e != k + 1) || (id == LITERAL && !c.is_ascii()) {
                    continue;
                }
                let sets = self.sets.get(id as usize).map_or(&[][..], |s| &s[..]);
                if id == LITERAL || sets.iter().any(|(r, primary)| *primary && r.first() == Some(&letter)) {
                    return Some((k..k + 1, Reading::Primary));
                }
                any.get_or_insert(k..k + 1);
            }
            return any.map(|r| (r, Reading::Heteronym));
        }
        for start in self.openings_in(text, q, plan, at) {
            let Some(end) = self.walk(text.chars, text.ids, start, q, 0, true, at.end) else {
                continue;
            };
            if let Some(common) = self.walk(text.chars, text.ids, start, q, 0, false, at.end) {
                return Some((start..common, Reading::Primary));
            }
            any.get_or_insert(start..end);
        }
        any.map(|r| (r, Reading::Heteronym))
    }

    /// Every run the query reads as, left to right, not overlapping (any reading).
    pub fn find_all(&self, text: Coded, q: &[u8], plan: &Plan) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        if q.is_empty() || q.len() > 200 {
            return out;
        }
        let mut from = 0;
        while from < text.chars.len() {
            match self.find_any(text, q, plan, Anchor { from, ..Anchor::default() }) {
                Some(r) => {
                    from = r.end.max(r.start + 1);
                    out.push(r);
                }
                None => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str, q: &str) -> Option<(String, Reading)> {
        let mut t = Table::default();
        let chars: Vec<char> = text.chars().map(crate::text::fold).collect();
        let ids: Vec<u16> = chars.iter().map(|&c| t.id(c)).collect();
        let plan = t.plan(q.as_bytes());
        let starts = t.starts_of(&chars, &ids);
        let text = Coded { chars: &chars, ids: &ids, starts: &starts };
        t.find(text, q.as_bytes(), &plan).map(|(r, how)| (chars[r].iter().collect(), how))
    }

    fn s(text: &str, q: &str) -> Option<String> {
        m(text, q).map(|x| x.0)
    }

    #[test]
    fn full_pinyin_initials_and_heteronyms() {
        assert_eq!(s("中关村科金", "zhongguancun").as_deref(), Some("中关村"));
        assert_eq!(s("中关村科金", "zgckj").as_deref(), Some("中关村科金"));
        assert_eq!(s("中关村科金", "zhgckj").as_deref(), Some("中关村科金"));
        assert_eq!(s("工商银行", "yinhang").as_deref(), Some("银行"));
        assert_eq!(s("工商银行", "yinxing").as_deref(), Some("银行"));
        assert_eq!(s("金融行业", "hangye").as_deref(), Some("行业"));
        assert_eq!(s("金融行业", "jinrongh").as_deref(), Some("金融行"));
        assert_eq!(s("华为云", "huaweiy").as_deref(), Some("华为云"));
        assert_eq!(s("AI赋能", "aifn").as_deref(), Some("ai赋能"));
        assert_eq!(s("中关村科金", "zhongx"), None);
        assert_eq!(s("绿色", "lvse").as_deref(), Some("绿色"));
        assert_eq!(s("绿色", "luse").as_deref(), Some("绿色"));
    }

    #[test]
    fn common_readings_are_told_from_heteronyms() {
        assert_eq!(m("华大基因", "huada").map(|x| x.1), Some(Reading::Primary));
        assert_eq!(m("华大基因", "huatai").map(|x| x.1), Some(Reading::Heteronym));
    }

    #[test]
    fn shapes_rule_out_texts_that_cannot_match() {
        let mut t = Table::default();
        let mut shape = |s: &str| {
            let chars: Vec<char> = s.chars().collect();
            let ids: Vec<u16> = chars.iter().map(|&c| t.id(c)).collect();
            (chars, ids)
        };
        let (a, ai) = shape("北京中关村科金技术");
        let (b, bi) = shape("中国银行业协会");
        let (sa, sb) = (t.shape(&a, &ai), t.shape(&b, &bi));
        for (q, in_a, in_b) in
            [("zgckj", true, false), ("yinhang", false, true), ("zhong", true, true), ("zg", true, true)]
        {
            let plan = t.plan(q.as_bytes());
            assert_eq!(t.may_match(&sa, &plan), in_a, "{q} in a");
            assert_eq!(t.may_match(&sb, &plan), in_b, "{q} in b");
            // The screen never rules out a real match.
            let (sa2, sb2) = (t.starts_of(&a, &ai), t.starts_of(&b, &bi));
            let ta = Coded { chars: &a, ids: &ai, starts: &sa2 };
            let tb = Coded { chars: &b, ids: &bi, starts: &sb2 };
            assert!(t.find(ta, q.as_bytes(), &plan).is_none() || in_a, "{q}");
            assert!(t.find(tb, q.as_bytes(), &plan).is_none() || in_b, "{q}");
        }
    }

    #[test]
    fn a_partial_reading_only_ends_the_query() {
        // "zho" is a prefix of zhong but cannot be followed by more.
        assert_eq!(s("中关村", "zhoguan"), None);
        assert_eq!(s("中关村", "zho").as_deref(), Some("中"));
    }

    /// What `find_anchored` means, without its shortcuts: at each place in
    /// turn, a run in common readings; failing everywhere, the first run in
    /// any reading.
    fn reference(t: &Table, text: Coded, q: &[u8], at: Anchor) -> Option<(std::ops::Range<usize>, Reading)> {
        let last = if at.start { text.chars.len().min(at.from + 1) } else { text.chars.len() };
        let walk =
            |all: bool| (at.from..last).find_map(|k| t.walk(text.chars, text.ids, k, q, 0, all, at.end).map(|e| k..e));
        walk(false).map(|r| (r, Reading::Primary)).or_else(|| walk(true).map(|r| (r, Reading::Heteronym)))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The openings screen and the one-letter path find exactly the run
        /// that walking from every place finds.
        #[test]
        fn shortcuts_find_what_walking_finds(
            text in proptest::collection::vec(proptest::sample::select(
                "中国银行业长重行大只着传朝区乐了的在这之与以有用应因音营年能内农人安阿艾zZyY a，。š1".chars().collect::<Vec<_>>()), 0..14),
            q in proptest::sample::select(vec![
                "z", "y", "a", "n", "zh", "zho", "zhong", "yin", "yinh", "yinhang", "ha", "hang", "xing", "ch",
                "chang", "zg", "zgy", "yh", "le", "l", "da", "tai", "s", "sh", "e", "r", "ren", "an", "ai", "yy"]),
            from in 0usize..4, start: bool, end in proptest::option::of(0usize..15),
        ) {
            let mut t = Table::default();
            let chars: Vec<char> = text.iter().map(|&c| crate::text::fold(c)).collect();
            let ids: Vec<u16> = chars.iter().map(|&c| t.id(c)).collect();
            let starts = t.starts_of(&chars, &ids);
            let text = Coded { chars: &chars, ids: &ids, starts: &starts };
            let plan = t.plan(q.as_bytes());
            let at = Anchor { from, start, end };
            proptest::prop_assert_eq!(t.find_anchored(text, q.as_bytes(), &plan, at), reference(&t, text, q.as_bytes(), at));
        }
    }
}
