//! Matching a unit: a term in a field (runs, scattered, pinyin), candidates, negations.

use super::*;

impl Index {
    /// Match one term in one field: a literal run, a scattered (skim)
    /// match, or a pinyin run, whichever ranks best; `^` and `$` anchor it
    /// at the field's start and end (trailing punctuation aside).
    pub(super) fn match_field(
        &self,
        f: &Prepared,
        q: &Pattern,
        literal: bool,
        scattered: bool,
        pinyin: Option<&pinyin::Plan>,
    ) -> Option<FieldMatch> {
        let mut best: Option<FieldMatch> = None;
        // Where `suffix$` must end: only worked out when the term has one.
        let end = if q.suffix { trimmed_end(&f.chars) } else { f.chars.len() };
        let run_score = |start: usize| 1000 - start.min(200) as i64 - (f.chars.len() / 4).min(200) as i64;
        if literal {
            let start = match (q.prefix, q.suffix) {
                (false, false) => {
                    // One character: `find(char)` (a byte search), not a substring search.
                    let at = match q.chars[..] {
                        [c] => f.folded.find(c),
                        _ => f.folded.find(q.text.as_str()),
                    };
                    at.map(|at| f.folded.get(..at).map_or(0, |h| h.chars().count()))
                }
                (true, _) => f.chars.starts_with(&q.chars).then_some(0),
                (false, true) => f.chars.get(..end).filter(|h| h.ends_with(&q.chars)).map(|_| end - q.len),
            }
            .filter(|&st| !q.suffix || st + q.len == end);
            if let Some(start) = start {
                // A literal run: earlier and in a shorter field scores higher.
                best = Some(FieldMatch { score: run_score(start), indices: Marks::Run(start..start + q.len), tier: 3 });
            } else if scattered
                && q.scatters()
                && close_subsequence(&f.chars, &q.chars, 4 * q.len + 2)
                && let Some((score, idx)) = fuzzy_indices(&f.folded, &q.text)
                // A scattered match stays near its start (华…为, not 华 and 为 a
                // paragraph apart).
                && idx.last().zip(idx.first()).is_some_and(|(l, f)| l - f < 4 * q.len + 2)
            {
                let contiguous = idx.windows(2).all(|w| w[1] == w[0] + 1);
                best = Some(FieldMatch { score, indices: Marks::Scattered(idx), tier: if contiguous { 2 } else { 0 } });
            }
        }
        if let Some(plan) = pinyin
            && f.han
        {
            let at = pinyin::Anchor { from: 0, start: q.prefix, end: q.suffix.then_some(end) };
            if let Some((r, reading)) = self.table.find_anchored(f.coded(), &q.letters, plan, at) {
                // A pinyin run is contiguous; score it like a literal run.
                let tier = if reading == pinyin::Reading::Primary { 2 } else { 1 };
                let score = run_score(r.start);
                if best.as_ref().is_none_or(|b| (b.tier, b.score) < (tier, score)) {
                    best = Some(FieldMatch { score, indices: Marks::Run(r), tier });
                }
            }
        }
        best
    }

    /// The match of one term in a unit: in the title when that is a run
    /// (or as good as the text's), else in the text; its tier is the best
    /// of both, and the other field's run is marked too. `later` is set
    /// when only a scattered match could do.
    pub(super) fn match_term(&self, i: usize, q: &Pattern, scattered: bool, later: &mut bool) -> Option<TermMatch> {
        let sc = &self.screens[i];
        let u = &self.units[i];
        let lit = [sc.own_title && sc.blooms[0].covers(&q.bloom), sc.blooms[1].covers(&q.bloom)];
        let py = [0, 1].map(|f| (f == 1 || sc.own_title) && q.pinyin && self.table.may_match(&sc.shapes[f], &q.plan));
        if !(lit[0] || lit[1] || py[0] || py[1]) {
            return None;
        }
        let field = |k: usize, p: &Prepared| {
            if lit[k] || py[k] { self.match_field(p, q, lit[k], scattered, py[k].then_some(&q.plan)) } else { None }
        };
        let t = field(0, &u.title_p);
        let x = field(1, &u.text_p);
        let pick = match (t, x) {
            (Some(t), Some(x)) if x.tier > t.tier && t.tier < 2 => {
                Some(TermMatch { field: Field::Text, tier: x.tier, m: x, other: None })
            }
            (Some(t), Some(x)) => Some(TermMatch {
                field: Field::Title,
                tier: t.tier.max(x.tier),
                other: (x.tier >= 2).then_some(x.indices),
                m: t,
            }),
            (Some(t), None) => Some(TermMatch { field: Field::Title, tier: t.tier, m: t, other: None }),
            (None, Some(x)) => Some(TermMatch { field: Field::Text, tier: x.tier, m: x, other: None }),
            (None, None) => None,
        };
        if pick.is_none() && !scattered && q.scatters() && (lit[0] || lit[1]) {
            *later = true;
        }
        pick
    }

    /// Whether a negated term is in a unit (its title, text or location):
    /// a literal match only, so that `!` never hides more than it says.
    pub(super) fn excluded(&self, i: usize, not: &[Pattern]) -> bool {
        let sc = &self.screens[i];
        let u = &self.units[i];
        not.iter().any(|q| {
            let lit = |p: &Prepared| self.match_field(p, q, true, false, None).is_some();
            (sc.own_title && sc.blooms[0].covers(&q.bloom) && lit(&u.title_p))
                || (sc.blooms[1].covers(&q.bloom) && lit(&u.text_p))
                || self.paths.get(sc.node).is_some_and(|p| p.bloom.covers(&q.bloom) && lit(p))
        })
    }

    /// The units a query could match, ascending; `None` for all of them.
    /// A group's candidates: the units holding every character of one of
    /// its terms, and the units of the places whose location it matches.
    /// A pinyin term (Latin letters) also takes the units where a match of
    /// it can begin (`pinyin::Table::openings`); one that a single
    /// character could match rules nothing out.
    pub(super) fn candidates(&self, q: &Prepped) -> Option<Vec<u32>> {
        let p = self.unit_lists();
        let mut acc: Option<Vec<u32>> = None;
        'groups: for (g, terms) in q.groups.iter().enumerate() {
            let mut set: Vec<u32> = Vec::new();
            for t in terms {
                if t.pinyin {
                    let Some(ways) = &t.openings else {
                        continue 'groups;
                    };
                    set = postings::union(&set, &p.opening(ways));
                }
                let mut chars = t.chars.clone();
                chars.sort_unstable();
                chars.dedup();
                set = postings::union(&set, &p.holding(&chars));
            }
            let mut placed: Vec<u32> = Vec::new();
            for (node, bits) in q.paths.iter().enumerate() {
                if bits & (1 << g) != 0 {
                    placed.extend_from_slice(&p.node(node));
                }
            }
            if !placed.is_empty() {
                placed.sort_unstable();
                placed.dedup();
                set = postings::union(&set, &placed);
            }
            acc = Some(match acc {
                None => set,
                Some(a) => postings::intersect(&a, &set),
            });
        }
        acc
    }

    /// Which term groups match each node's location path (a bit per group).
    pub(super) fn path_matches(&self, groups: &[Vec<Pattern>]) -> Vec<u8> {
        if groups.len() < 2 {
            return Vec::new();
        }
        self.paths
            .iter()
            .map(|p| {
                groups.iter().enumerate().fold(0u8, |m, (g, terms)| {
                    let hit = terms.iter().any(|q| {
                        let lit = p.bloom.covers(&q.bloom);
                        let py = q.pinyin && p.han;
                        (lit || py) && self.match_field(p, q, lit, false, py.then_some(&q.plan)).is_some()
                    });
                    if hit { m | 1 << g } else { m }
                })
            })
            .collect()
    }

    /// Match units; with `scattered` false, only contiguous and pinyin runs
    /// are scored, and units that might match scattered are listed for later.
    /// With `marks` false, the hits are ranked but not marked (`indices`,
    /// `title_marks` and `text_marks` stay empty): the same hits otherwise,
    /// with nothing allocated for each. Each hit is passed through `each`.
    pub(super) fn search_units<T>(
        &self,
        units: &[u32],
        q: &Prepped,
        scattered: bool,
        marks: bool,
        each: impl Fn(Hit) -> T,
    ) -> (Vec<T>, Vec<u32>) {
        let mut hits = Vec::new();
        let mut later = Vec::new();
        'units: for (k, &unit) in units.iter().enumerate() {
            let i = unit as usize;
            // The fields of the units coming next live elsewhere on the heap:
            // start loading them now, so that their cache misses overlap with
            // this unit's work. In a large index the misses cost more than
            // the matching (a one-letter query on the 50x index: 15 ms
            // without, 10 with).
            if let Some(u) = units.get(k + PREFETCH_AHEAD).and_then(|&j| self.units.get(j as usize)) {
                for p in [&u.title_p, &u.text_p] {
                    prefetch(p.starts.as_ptr());
                    prefetch(p.folded.as_ptr());
                }
            }
            let sc = &self.screens[i];
            if q.filter.is_some_and(|f| !f.admits(sc.kind))
                || q.within.as_ref().is_some_and(|r| !super::query::admitted(r, sc.node))
            {
                continue;
            }
            let path = q.paths.get(sc.node.wrapping_sub(self.path_base)).copied().unwrap_or(0);
            let mut hit = Hit::marked(i, Field::Path, Vec::new());
            hit.title_covers = true;
            let mut could_later = false;
            for (g, terms) in q.groups.iter().enumerate() {
                let mut best: Option<TermMatch> = None;
                for t in terms {
                    if let Some(m) = self.match_term(i, t, scattered, &mut could_later)
                        && best.as_ref().is_none_or(|b| (b.tier, b.m.score) < (m.tier, m.m.score))
                    {
                        best = Some(m);
                    }
                }
                match best {
                    Some(TermMatch { field, m, tier, other }) => {
                        let title = field == Field::Title;
                        hit.in_title |= title;
                        hit.in_text |= !title || other.is_some();
                        if marks {
                            let (own, rest) = if title {
                                (&mut hit.title_marks, &mut hit.text_marks)
                            } else {
                                (&mut hit.text_marks, &mut hit.title_marks)
                            };
                            m.indices.extend_into(own);
                            if let Some(o) = &other {
                                o.extend_into(rest);
                            }
                        }
                        hit.title_covers &= title;
                        if g == 0 {
                            hit.field = field;
                            if marks {
                                hit.indices = m.indices.into_vec();
                            }
                            hit.tier = tier;
                        } else {
                            hit.tier = hit.tier.min(tier);
                        }
                        hit.score += m.score;
                    }
                    None if path & (1 << g) != 0 => hit.in_path += 1,
                    None => {
                        if could_later {
                            later.push(unit);
                        }
                        continue 'units;
                    }
                }
            }
            if self.excluded(i, &q.not) {
                continue;
            }
            for m in [&mut hit.title_marks, &mut hit.text_marks] {
                m.sort_unstable();
                m.dedup();
            }
            hit.contiguous = hit.tier > 0;
            let u = &self.units[i];
            hit.exact = q.groups.len() == 1
                && hit.field == Field::Title
                && q.groups[0].iter().any(|t| u.title_p.folded == t.text);
            hits.push(each(hit));
        }
        (hits, later)
    }
}

/// A scattered (skim) match of `pattern` in `choice`, ignoring case. A new
/// matcher each time: one matcher reuses its score matrix between calls
/// without wholly resetting it, so a score could depend on the texts matched
/// before on the same thread (found by fuzzing: a hit matched again scored
/// 119 where it had ranked at 122); and its `use_cache(false)` panics.
fn fuzzy_indices(choice: &str, pattern: &str) -> Option<(i64, Vec<usize>)> {
    SkimMatcherV2::default().ignore_case().fuzzy_indices(choice, pattern)
}

/// How many units ahead [`Index::search_units`] prefetches.
const PREFETCH_AHEAD: usize = 4;

/// Ask the CPU to start loading the cache line at `p`: a hint, which reads
/// nothing the program sees and never faults, whatever the address.
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 is a hint with no architectural effect; it does not
    // fault on any address, so no pointer validity is required.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast::<i8>())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Whether the characters of `q` occur in `hay` in order, the last fewer
/// than `span` places after the first: a scattered match that is kept
/// needs it, so the fuzzy matcher is not run where it could only fail.
pub(super) fn close_subsequence(hay: &[char], q: &[char], span: usize) -> bool {
    let Some((&first, rest)) = q.split_first() else {
        return true;
    };
    hay.iter().enumerate().filter(|(_, c)| **c == first).any(|(s, _)| {
        // The earliest end of a match that starts at s.
        let mut at = s;
        for qc in rest {
            match hay.get(at + 1..).and_then(|h| h.iter().take(span).position(|h| h == qc)) {
                Some(k) => at += 1 + k,
                None => return false,
            }
            if at - s >= span {
                return false;
            }
        }
        true
    })
}

/// Where a field's text ends for `suffix$`: trailing spaces and
/// punctuation do not count.
pub(super) fn trimmed_end(chars: &[char]) -> usize {
    let skip = |c: &char| {
        c.is_whitespace()
            || matches!(c, '。' | '，' | '；' | '！' | '？' | '、' | '：' | '…' | '.' | ',' | ';' | '!' | '?' | ':')
    };
    chars.iter().rposition(|c| !skip(c)).map_or(0, |i| i + 1)
}
