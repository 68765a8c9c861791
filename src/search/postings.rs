//! Which units hold each character: the finder visits only the units that
//! could match a query, not the whole index. A term that is not pinyin
//! matches (as a run or scattered) only where all its characters are, so
//! its candidates are the intersection of their lists; a term group may
//! also match a unit's location, which adds the units of those places.
//! Built once, on the first search, for an index made from the YAML; an
//! index read from the cache reads them from the mapped cache file (see
//! [`Mapped`]), so the first search builds nothing.

use super::pinyin;
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// The lists of an index: built, or read in place from a mapped cache file.
#[derive(Debug)]
pub(super) enum Postings {
    Built(Built),
    Mapped(Mapped),
}

/// The five kinds of list, in the order the cache stores them.
const CHARS: usize = 0;
const NODES: usize = 1;
const PAIRS: usize = 2;
const TRIPLES: usize = 3;
const SYLLABLES: usize = 4;
const KINDS: usize = 5;

#[derive(Debug, Default)]
pub(super) struct Built {
    /// Per folded character: the units whose title or text holds it, ascending.
    chars: HashMap<char, Vec<u32>>,
    /// Per node: its units, ascending.
    nodes: Vec<Vec<u32>>,
    /// Per run of two and three first letters of pinyin readings
    /// (`pinyin::run_keys`): the units whose title or text has it.
    pairs: Vec<Vec<u32>>,
    triples: Vec<Vec<u32>>,
    /// Per full reading and the next character's first letter (`pinyin::syllable_key`).
    syllables: HashMap<u64, Vec<u32>>,
}

/// One field of a unit as the lists need it: folded characters, their
/// first letters and their reading ids.
pub(super) type Field<'a> = (&'a [char], &'a [u32], &'a [u16]);

impl Built {
    /// `fields(i)` gives unit `i`'s title and text; `node(i)` its place.
    pub(super) fn build<'a>(
        table: &pinyin::Table,
        units: usize,
        nodes: usize,
        fields: impl Fn(usize) -> [Field<'a>; 2],
        node: impl Fn(usize) -> Option<usize>,
    ) -> Built {
        let mut p = Built {
            chars: HashMap::new(),
            nodes: vec![Vec::new(); nodes],
            pairs: vec![Vec::new(); pinyin::PAIR_KEYS],
            triples: vec![Vec::new(); pinyin::TRIPLE_KEYS],
            syllables: HashMap::new(),
        };
        let mut syll: Vec<u64> = Vec::new();
        let mut seen: Vec<char> = Vec::new();
        let (mut pairs, mut triples) = (Vec::new(), Vec::new());
        for i in 0..units {
            let id = i as u32;
            seen.clear();
            pairs.clear();
            triples.clear();
            syll.clear();
            for (chars, starts, ids) in fields(i) {
                seen.extend_from_slice(chars);
                pinyin::run_keys(starts, &mut pairs, &mut triples);
                table.syllable_keys(ids, starts, &mut syll);
            }
            syll.sort_unstable();
            syll.dedup();
            for &k in &syll {
                p.syllables.entry(k).or_default().push(id);
            }
            seen.sort_unstable();
            seen.dedup();
            for &c in &seen {
                p.chars.entry(c).or_default().push(id);
            }
            for (keys, lists) in [(&mut pairs, &mut p.pairs), (&mut triples, &mut p.triples)] {
                keys.sort_unstable();
                keys.dedup();
                for &k in keys.iter() {
                    if let Some(l) = lists.get_mut(k as usize) {
                        l.push(id);
                    }
                }
            }
            if let Some(list) = node(i).and_then(|n| p.nodes.get_mut(n)) {
                list.push(id);
            }
        }
        p
    }

    /// The lists of one kind, as (key, list), keys ascending, empty lists left out.
    fn kind(&self, kind: usize) -> Vec<(u64, &[u32])> {
        fn dense(v: &[Vec<u32>]) -> Vec<(u64, &[u32])> {
            v.iter().enumerate().filter(|(_, l)| !l.is_empty()).map(|(k, l)| (k as u64, l.as_slice())).collect()
        }
        let mut out: Vec<(u64, &[u32])> = match kind {
            CHARS => self.chars.iter().map(|(&c, l)| (c as u64, l.as_slice())).collect(),
            NODES => dense(&self.nodes),
            PAIRS => dense(&self.pairs),
            TRIPLES => dense(&self.triples),
            SYLLABLES => self.syllables.iter().map(|(&k, l)| (k, l.as_slice())).collect(),
            _ => Vec::new(),
        };
        out.sort_unstable_by_key(|e| e.0);
        out
    }

    fn list(&self, kind: usize, key: u64) -> Option<&[u32]> {
        let l = match kind {
            CHARS => self.chars.get(&char::from_u32(u32::try_from(key).ok()?)?),
            NODES => self.nodes.get(usize::try_from(key).ok()?),
            PAIRS => self.pairs.get(usize::try_from(key).ok()?),
            TRIPLES => self.triples.get(usize::try_from(key).ok()?),
            SYLLABLES => self.syllables.get(&key),
            _ => None,
        };
        l.map(Vec::as_slice)
    }

    /// The lists as the cache stores them, for `units` units:
    ///
    /// | bytes | what |
    /// |---|---|
    /// | 8 | `units` |
    /// | 5 × 8 | per kind (characters, nodes, pairs, triples, syllables) its number of lists |
    /// | n × 16 | the directory: per list its key and where it starts in the lists' part, kinds in order, keys ascending within a kind |
    /// | … | the lists: each its unit numbers ascending, the first as is and each next as its difference from the one before, as LEB128 varints; a list ends where the next begins (the last at the end) |
    ///
    /// All numbers are little-endian.
    pub(super) fn encode(&self, units: usize) -> Vec<u8> {
        let kinds: Vec<Vec<(u64, &[u32])>> = (0..KINDS).map(|k| self.kind(k)).collect();
        let mut out = Vec::new();
        out.extend_from_slice(&(units as u64).to_le_bytes());
        for k in &kinds {
            out.extend_from_slice(&(k.len() as u64).to_le_bytes());
        }
        let mut data = Vec::new();
        let mut dir = Vec::new();
        for (key, list) in kinds.iter().flatten() {
            dir.extend_from_slice(&key.to_le_bytes());
            dir.extend_from_slice(&(data.len() as u64).to_le_bytes());
            let mut prev = None;
            for &x in *list {
                varint(&mut data, prev.map_or(x, |p| x - p));
                prev = Some(x);
            }
        }
        out.extend_from_slice(&dir);
        out.extend_from_slice(&data);
        out
    }
}

fn varint(out: &mut Vec<u8>, mut x: u32) {
    while x >= 0x80 {
        out.push((x as u8) | 0x80);
        x >>= 7;
    }
    out.push(x as u8);
}

/// Bytes shared with others: a mapped cache file.
pub type Shared = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// The lists read in place from bytes in the format of [`Built::encode`].
/// Every read is bounds-checked: a list that points outside the bytes is
/// empty, a number at or past the index's units or out of order ends its
/// list. The bytes' checksum is checked by the cache before they are used.
pub(super) struct Mapped {
    bytes: Shared,
    /// Where the lists' bytes are within `bytes`.
    range: Range<usize>,
    /// Per kind: its entries in the directory (entry numbers).
    kinds: [Range<usize>; KINDS],
    /// Where the directory starts, and the lists' part, within `range`.
    dir: usize,
    data: usize,
    entries: usize,
    units: u32,
}

impl std::fmt::Debug for Mapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mapped({} bytes)", self.range.len())
    }
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at.checked_add(8)?)?.try_into().ok().map(u64::from_le_bytes)
}

impl Mapped {
    /// The lists in `bytes[range]`, for an index of `units` units; `None`
    /// if their head does not fit the bytes or the units.
    pub(super) fn new(bytes: Shared, range: Range<usize>, units: usize) -> Option<Mapped> {
        let b = (*bytes).as_ref().get(range.clone())?;
        if u64_at(b, 0)? != units as u64 {
            return None;
        }
        let mut kinds: [Range<usize>; KINDS] = Default::default();
        let mut n = 0usize;
        for (k, r) in kinds.iter_mut().enumerate() {
            let c = usize::try_from(u64_at(b, 8 + 8 * k)?).ok()?;
            *r = n..n.checked_add(c)?;
            n = r.end;
        }
        let dir = 8 + 8 * KINDS;
        let data = n.checked_mul(16)?.checked_add(dir)?;
        if data > b.len() {
            return None;
        }
        let units = u32::try_from(units).ok()?;
        Some(Mapped { bytes, range, kinds, dir, data, entries: n, units })
    }

    fn bytes(&self) -> &[u8] {
        (*self.bytes).as_ref().get(self.range.clone()).unwrap_or(&[])
    }

    /// Entry `e` of the directory: its key and its list's start.
    fn entry(&self, e: usize) -> Option<(u64, usize)> {
        let b = self.bytes();
        let at = self.dir.checked_add(e.checked_mul(16)?)?;
        Some((u64_at(b, at)?, usize::try_from(u64_at(b, at + 8)?).ok()?))
    }

    fn list(&self, kind: usize, key: u64) -> Option<Vec<u32>> {
        let r = self.kinds.get(kind)?.clone();
        let (mut lo, mut hi) = (r.start, r.end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let (k, _) = self.entry(mid)?;
            match k.cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(self.decode(mid)),
            }
        }
        None
    }

    /// The list of entry `e`.
    fn decode(&self, e: usize) -> Vec<u32> {
        let b = self.bytes();
        let data = b.get(self.data..).unwrap_or(&[]);
        let Some((_, start)) = self.entry(e) else { return Vec::new() };
        let end = if e + 1 < self.entries { self.entry(e + 1).map_or(0, |x| x.1) } else { data.len() };
        let Some(mut bytes) = data.get(start..end) else { return Vec::new() };
        let mut out = Vec::with_capacity(bytes.len());
        let mut prev: Option<u32> = None;
        while !bytes.is_empty() {
            let mut x: u32 = 0;
            let mut shift = 0;
            loop {
                let Some((&byte, rest)) = bytes.split_first() else { return out };
                bytes = rest;
                if shift > 28 {
                    return out;
                }
                x |= u32::from(byte & 0x7f) << shift;
                shift += 7;
                if byte & 0x80 == 0 {
                    break;
                }
            }
            let id = match prev {
                None => x,
                Some(_) if x == 0 => return out,
                Some(p) => match p.checked_add(x) {
                    Some(v) => v,
                    None => return out,
                },
            };
            if id >= self.units {
                return out;
            }
            out.push(id);
            prev = Some(id);
        }
        out
    }
}

impl Postings {
    fn list(&self, kind: usize, key: u64) -> Option<Cow<'_, [u32]>> {
        match self {
            Postings::Built(b) => b.list(kind, key).map(Cow::Borrowed),
            Postings::Mapped(m) => m.list(kind, key).map(Cow::Owned),
        }
    }

    /// The units that hold every one of `chars`.
    pub(super) fn holding(&self, chars: &[char]) -> Vec<u32> {
        let mut chars = chars.to_vec();
        chars.sort_unstable();
        chars.dedup();
        let mut lists: Vec<Cow<[u32]>> = Vec::with_capacity(chars.len());
        for c in chars {
            match self.list(CHARS, c as u64) {
                Some(l) => lists.push(l),
                None => return Vec::new(),
            }
        }
        lists.sort_unstable_by_key(|l| l.len());
        let Some((first, rest)) = lists.split_first() else {
            return Vec::new();
        };
        let mut out = first.to_vec();
        for l in rest {
            out = intersect(&out, l);
            if out.is_empty() {
                break;
            }
        }
        out
    }

    /// The units where a match can begin in one of these ways.
    pub(super) fn opening(&self, ways: &[pinyin::Opening]) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        for w in ways {
            let list = match *w {
                pinyin::Opening::Pair(k) => self.list(PAIRS, k as u64),
                pinyin::Opening::Triple(k) => self.list(TRIPLES, k as u64),
                pinyin::Opening::Syllable(k) => self.list(SYLLABLES, k),
            };
            out.extend(list.iter().flat_map(|l| l.iter().copied()));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The units of a node.
    pub(super) fn node(&self, n: usize) -> Cow<'_, [u32]> {
        self.list(NODES, n as u64).unwrap_or(Cow::Borrowed(&[]))
    }
}

/// The common elements of two ascending lists. A short list is looked up
/// in a long one by binary search.
pub(super) fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut out = Vec::with_capacity(small.len());
    if small.len() * 16 < large.len() {
        let mut rest = large;
        for &x in small {
            match rest.binary_search(&x) {
                Ok(k) => {
                    out.push(x);
                    rest = rest.get(k + 1..).unwrap_or(&[]);
                }
                Err(k) => rest = rest.get(k..).unwrap_or(&[]),
            }
        }
        return out;
    }
    let (mut i, mut j) = (0, 0);
    while let (Some(&x), Some(&y)) = (small.get(i), large.get(j)) {
        match x.cmp(&y) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(x);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// The elements of two ascending lists, ascending, each once.
pub(super) fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x < y => {
                out.push(x);
                i += 1;
            }
            (Some(&x), Some(&y)) if y < x => {
                out.push(y);
                j += 1;
            }
            (Some(&x), Some(_)) => {
                out.push(x);
                i += 1;
                j += 1;
            }
            (Some(&x), None) => {
                out.push(x);
                i += 1;
            }
            (None, Some(&y)) => {
                out.push(y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations() {
        let a = [1, 3, 5, 7, 9];
        let b = [3, 4, 5, 9, 10];
        assert_eq!(intersect(&a, &b), [3, 5, 9]);
        assert_eq!(union(&a, &b), [1, 3, 4, 5, 7, 9, 10]);
        let long: Vec<u32> = (0..1000).collect();
        assert_eq!(intersect(&[5, 500, 2000], &long), [5, 500]);
        assert_eq!(intersect(&[], &long), Vec::<u32>::new());
        let t = ['华', '为'];
        let f = ['为', 'x'];
        let none: Field = (&[], &[], &[]);
        let p = Postings::Built(Built::build(
            &pinyin::Table::default(),
            2,
            1,
            |i| if i == 0 { [(&t[..], &[][..], &[][..]), none] } else { [(&f[..], &[][..], &[][..]); 2] },
            |_| Some(0),
        ));
        assert_eq!(p.holding(&['为']), [0, 1]);
        assert_eq!(p.holding(&['华', '为']), [0]);
        assert_eq!(p.holding(&['华', 'y']), Vec::<u32>::new());
        assert_eq!(p.node(0).to_vec(), [0, 1]);
        assert_eq!(p.node(7).to_vec(), Vec::<u32>::new());
        // The same lists read back from their cache form; a corrupt or cut
        // copy reads as fewer lists, never out of bounds.
        let Postings::Built(b) = &p else { unreachable!() };
        let bytes = b.encode(2);
        let shared: Shared = Arc::new(bytes.clone());
        let m = Postings::Mapped(Mapped::new(shared, 0..bytes.len(), 2).unwrap());
        assert_eq!(m.holding(&['为']), [0, 1]);
        assert_eq!(m.holding(&['华', '为']), [0]);
        assert_eq!(m.holding(&['华', 'y']), Vec::<u32>::new());
        assert_eq!(m.node(0).to_vec(), [0, 1]);
        assert_eq!(m.node(7).to_vec(), Vec::<u32>::new());
        assert!(Mapped::new(Arc::new(bytes.clone()), 0..bytes.len(), 3).is_none(), "another unit count");
        for cut in 0..bytes.len() {
            if let Some(m) = Mapped::new(Arc::new(bytes.clone()), 0..cut, 2) {
                let m = Postings::Mapped(m);
                assert!(m.holding(&['为']).iter().all(|&u| u < 2));
                let _ = m.node(0);
            }
        }
        for at in 0..bytes.len() {
            for v in [0u8, 0x80, 0xff, 7] {
                let mut bad = bytes.clone();
                bad[at] = v;
                if let Some(m) = Mapped::new(Arc::new(bad.clone()), 0..bad.len(), 2) {
                    let m = Postings::Mapped(m);
                    for l in [m.holding(&['为']), m.holding(&['华']), m.node(0).to_vec()] {
                        assert!(l.iter().all(|&u| u < 2) && l.windows(2).all(|w| w[0] < w[1]), "{l:?}");
                    }
                }
            }
        }
    }
}
