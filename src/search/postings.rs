//! Which units hold each character: the finder visits only the units that
//! could match a query, not the whole index. A term that is not pinyin
//! matches (as a run or scattered) only where all its characters are, so
//! its candidates are the intersection of their lists; a term group may
//! also match a unit's location, which adds the units of those places.
//! Built once, on the first search (it is not in the cache).

use super::pinyin;
use std::collections::HashMap;

#[derive(Debug, Default)]
pub(super) struct Postings {
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

impl Postings {
    /// `fields(i)` gives unit `i`'s title and text; `node(i)` its place.
    pub(super) fn build<'a>(
        table: &pinyin::Table,
        units: usize,
        nodes: usize,
        fields: impl Fn(usize) -> [Field<'a>; 2],
        node: impl Fn(usize) -> Option<usize>,
    ) -> Postings {
        let mut p = Postings {
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

    /// The units that hold every one of `chars`.
    pub(super) fn holding(&self, chars: &[char]) -> Vec<u32> {
        let mut lists: Vec<&[u32]> = Vec::with_capacity(chars.len());
        for c in chars {
            match self.chars.get(c) {
                Some(l) => lists.push(l),
                None => return Vec::new(),
            }
        }
        lists.sort_unstable_by_key(|l| l.len());
        lists.dedup_by(|a, b| std::ptr::eq(*a, *b));
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
                pinyin::Opening::Pair(k) => self.pairs.get(k as usize),
                pinyin::Opening::Triple(k) => self.triples.get(k as usize),
                pinyin::Opening::Syllable(k) => self.syllables.get(&k),
            };
            out.extend(list.into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The units of a node.
    pub(super) fn node(&self, n: usize) -> &[u32] {
        self.nodes.get(n).map_or(&[], Vec::as_slice)
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
        let p = Postings::build(
            &pinyin::Table::default(),
            2,
            1,
            |i| if i == 0 { [(&t[..], &[][..], &[][..]), none] } else { [(&f[..], &[][..], &[][..]); 2] },
            |_| Some(0),
        );
        assert_eq!(p.holding(&['为']), [0, 1]);
        assert_eq!(p.holding(&['华', '为']), [0]);
        assert_eq!(p.holding(&['华', 'y']), Vec::<u32>::new());
        assert_eq!(p.node(0), [0, 1]);
        assert_eq!(p.node(7), Vec::<u32>::new());
    }
}
