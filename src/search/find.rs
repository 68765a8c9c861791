//! Finding: ranked, deduplicated results, narrowing as a query is typed, mentions.

use super::*;

impl Index {
    /// Ranked hits for a query (see [`Index::find`]).
    pub fn search(&self, query: &Query, limit: usize) -> Vec<Hit> {
        self.find(query, limit, &[]).hits
    }

    /// What ranks a hit, before recency and reading order (see `find`).
    pub fn rank_key(&self, h: &Hit) -> RankKey {
        let name_rank = match self.units.get(h.unit).map(|u| u.kind) {
            Some(Kind::Company | Kind::Industry) => 0,
            Some(Kind::Section) if h.in_title => 1,
            _ => 2,
        };
        (
            std::cmp::Reverse(h.tier),
            h.in_path,
            !h.exact,
            name_rank,
            !h.in_title || h.field != Field::Title,
            std::cmp::Reverse(h.score),
        )
    }

    /// Ranked hits for a query: contiguous before scattered, own matches
    /// before location-only ones, exact titles first, then names (companies,
    /// industries) and headings, then title before text, then score; then
    /// the units in `recent` (most recent last) first; ties keep reading
    /// order. Units of one block that match only in their shared title (or
    /// location) are one result. A large index is searched on two threads.
    pub fn find(&self, query: &Query, limit: usize, recent: &[usize]) -> Results {
        self.find_in(query, limit, recent, Source::Lists, false).0
    }

    /// [`Index::find`] as a query is typed: when `query` can only narrow
    /// the query of `last` (see [`narrows`]), only the units `last` kept
    /// are searched, not the candidates of the whole index. The results are
    /// those of `find` (the same hits and count; `more` may be `false`
    /// where `find` would say `true`, when no unit could match scattered).
    /// `last` becomes this query's units, or `None` when there are more
    /// than [`MAX_KEPT`] of them.
    pub fn find_narrowing(
        &self,
        query: &Query,
        limit: usize,
        recent: &[usize],
        last: &mut Option<Arc<Matches>>,
    ) -> Results {
        let prev = last.take().filter(|m| m.of == self.units.len() && narrows(&m.query, query));
        let from = prev.as_deref().map_or(Source::Lists, |m| Source::Units(&m.units));
        let (r, kept) = self.find_in(query, limit, recent, from, true);
        *last = kept
            .filter(|k| k.len() <= MAX_KEPT)
            .map(|units| Arc::new(Matches { query: query.clone(), units, of: self.units.len() }));
        r
    }

    /// [`Index::find`] visiting every unit, as it did before the character
    /// lists: what the tests compare it with, and what `yanbao search` runs
    /// (for one query, a scan costs less than building the lists).
    pub fn find_scanning(&self, query: &Query, limit: usize, recent: &[usize]) -> Results {
        self.find_in(query, limit, recent, Source::All, false).0
    }

    /// Search the units of `from`; with `keep`, also return the units that
    /// match the query or might (a scattered match not yet scored), in order.
    pub(super) fn find_in(
        &self,
        query: &Query,
        limit: usize,
        recent: &[usize],
        from: Source,
        keep: bool,
    ) -> (Results, Option<Vec<u32>>) {
        if query.is_empty() {
            return (Results::default(), None);
        }
        let groups: Vec<Vec<Pattern>> =
            query.groups.iter().map(|g| g.iter().map(|t| Pattern::new(t, &self.table)).collect()).collect();
        let not: Vec<Pattern> = query.not.iter().map(|t| Pattern::new(t, &self.table)).collect();
        let paths = self.path_matches(&groups);
        let q = Prepped { filter: query.filter, within: query.within.clone(), groups, not, paths };
        let owned;
        let units: &[u32] = match from {
            // Among the kept units, the candidates of the longer query, when
            // its lists rule some out.
            Source::Units(u) => match self.candidates(&q) {
                Some(c) => {
                    owned = postings::intersect(u, &c);
                    &owned
                }
                None => u,
            },
            Source::Lists | Source::All => {
                let listed = matches!(from, Source::Lists).then(|| self.candidates(&q)).flatten();
                owned = listed.unwrap_or_else(|| (0..self.units.len() as u32).collect());
                &owned
            }
        };
        let n = units.len();
        let recency = |u: usize| recent.iter().rposition(|&r| r == u).map_or(0, |p| p + 1);
        // Ranked first, unmarked: only the hits shown are marked, below.
        let rank = |scattered: bool| move |hit: Hit| Ranked::new(self, &hit, scattered, recency);
        let each = |part: &[u32]| self.search_units(part, &q, false, false, rank(false));
        let (mut ranked, later) = if n > 16_384 {
            let (a, b) = units.split_at(n / 2);
            std::thread::scope(|s| {
                let other = s.spawn(|| each(b));
                let (mut ranked, mut later) = each(a);
                let (h, l) = other.join().unwrap_or_default();
                ranked.extend(h);
                later.extend(l);
                (ranked, later)
            })
        } else {
            each(units)
        };
        // Every unit a query that narrows this one could match: the hits, and
        // those that might match scattered (whether scored below or not).
        let kept = keep.then(|| {
            let mut k: Vec<u32> = ranked.iter().map(|r| r.unit).chain(later.iter().copied()).collect();
            // A few ascending runs (each thread's hits, then the rest): a merge.
            k.sort();
            k.dedup();
            k
        });
        // Scattered matches rank below every run, so they are scored only
        // when the runs do not fill the list.
        let more = ranked.len() >= limit && !later.is_empty();
        if !more {
            ranked.extend(self.search_units(&later, &q, true, false, rank(true)).0);
        }
        // One result per block for hits outside the text (a table's title).
        let mut best: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
        let mut keep = vec![true; ranked.len()];
        for (k, r) in ranked.iter().enumerate() {
            let u = &self.units[r.unit as usize];
            if r.in_text || !matches!(u.kind, Kind::Table | Kind::Text) {
                continue;
            }
            match best.entry(u.group) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(k);
                }
                std::collections::hash_map::Entry::Occupied(mut e) => {
                    let j = *e.get();
                    if r.order < ranked[j].order {
                        keep[j] = false;
                        e.insert(k);
                    } else {
                        keep[k] = false;
                    }
                }
            }
        }
        let mut it = keep.into_iter();
        ranked.retain(|_| it.next().unwrap_or(true));
        let matched = ranked.len();
        if ranked.len() > limit {
            ranked.select_nth_unstable_by(limit, |a, b| a.order.cmp(&b.order));
            ranked.truncate(limit);
        }
        ranked.sort_unstable_by_key(|r| r.order);
        // Mark the hits shown: the same match, run again with its marks.
        let hits = ranked
            .into_iter()
            .flat_map(|r| {
                let marked = self.search_units(&[r.unit], &q, r.scattered, true, |h| h).0;
                debug_assert!(
                    marked.len() == 1 && self.rank_key(&marked[0]) == r.order.0,
                    "marking changed a hit: {:?} {:?} {}",
                    r.order.0,
                    marked.first().map(|h| self.rank_key(h)),
                    r.scattered
                );
                marked
            })
            .collect();
        (Results { hits, matched, more }, kept)
    }
    /// Every place a company is mentioned: maps and cases that list it, and
    /// tables, figures and text that name it (by name, Latin name or alias).
    pub fn mentions(&self, lib: &Library, company: &str) -> Vec<usize> {
        let memo = |m: &mut std::collections::HashMap<String, Vec<usize>>| m.get(company).cloned();
        if let Some(v) = self.mentions_memo.lock().ok().as_deref_mut().and_then(memo) {
            return v;
        }
        let found = self.find_mentions(lib, company);
        if let Ok(mut m) = self.mentions_memo.lock() {
            m.insert(company.to_string(), found.clone());
        }
        found
    }

    pub(super) fn find_mentions(&self, lib: &Library, company: &str) -> Vec<usize> {
        self.find_mentions_in(lib, company, Source::Lists)
    }

    /// The mentions among the candidates of the per-character lists
    /// (`Source::Lists`) or among every unit (`Source::All`, what the
    /// tests compare with).
    pub(super) fn find_mentions_in(&self, lib: &Library, company: &str, from: Source) -> Vec<usize> {
        let Some(k) = lib.company_index(company) else {
            return Vec::new();
        };
        // The one matcher of mentions (longer names, Latin words, the
        // company's not-mention phrases).
        let mentions = |hay: &str| lib.mentions.names(hay, k);
        let names = lib.mentions.names_of(k);
        // Only the units that hold every character of one of the names can
        // name it (the per-character lists; not the whole index).
        let candidates: Vec<u32> = match from {
            Source::All => (0..self.units.len() as u32).collect(),
            _ => names.iter().fold(Vec::new(), |acc, n| {
                let mut chars: Vec<char> = n.chars().collect();
                chars.sort_unstable();
                chars.dedup();
                postings::union(&acc, &self.unit_lists().holding(&chars))
            }),
        };
        let mut out: Vec<usize> = candidates
            .into_iter()
            .map(|i| i as usize)
            .filter(|&i| self.units.get(i).is_some_and(|u| matches!(u.target, Target::Place { .. })))
            .filter(|&i| mentions(&self.units[i].text_p.folded) || mentions(&self.units[i].title_p.folded))
            .collect();
        // The company's own profile (a heading naming it) first, then maps,
        // cases and examples, tables and figures, then text; each in reading order.
        let rank = |i: usize| {
            let u = &self.units[i];
            match u.kind {
                Kind::Section if mentions(&u.title_p.folded) => 0,
                Kind::Group => 1,
                Kind::Case | Kind::Example => 2,
                Kind::Table | Kind::Figure | Kind::Metric => 3,
                _ => 4,
            }
        };
        out.sort_by_key(|&i| (rank(i), i));
        out
    }
}

/// A hit as it is ranked: its rank key, recency and unit, in that order of
/// precedence (see [`Index::find`]); whether it has marks in the text (for
/// the one-result-per-block rule), and whether the scattered pass found it
/// (to mark it the same way).
struct Ranked {
    order: (RankKey, std::cmp::Reverse<usize>, u32),
    unit: u32,
    in_text: bool,
    scattered: bool,
}

impl Ranked {
    fn new(index: &Index, hit: &Hit, scattered: bool, recency: impl Fn(usize) -> usize) -> Ranked {
        let unit = hit.unit as u32;
        let order = (index.rank_key(hit), std::cmp::Reverse(recency(hit.unit)), unit);
        Ranked { order, unit, in_text: hit.in_text, scattered }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Marking the hits shown (matching them again) gives the ranks they
    /// had unmarked (found by fuzzing: `000000` with 8 results).
    #[test]
    fn marking_keeps_every_rank() {
        let (lib, _) = Library::load_from(None).expect("bundled content");
        let index = Index::build(&lib);
        for (q, limit) in [("000000", 8), ("00", 8), ("2024", 50), ("0", 3)] {
            let r = index.search(&Query::parse(q), limit);
            assert!(r.len() <= limit, "{q}");
        }
    }

    /// The per-character lists find every mention a scan of every unit finds.
    #[test]
    fn mentions_from_the_lists_are_those_of_a_scan() {
        let (lib, _) = Library::load_from(None).expect("bundled content");
        let index = Index::build(&lib);
        let mut total = 0;
        for c in &lib.companies {
            let listed = index.find_mentions_in(&lib, &c.id, Source::Lists);
            assert_eq!(listed, index.find_mentions_in(&lib, &c.id, Source::All), "{}", c.id);
            total += listed.len();
        }
        assert!(total > 1000, "{total} mentions in all");
    }
}
