//! Queries: terms, fzf atoms, their prepared patterns, and which query narrows which.

use super::*;

/// The most terms a query takes; later ones are ignored. With
/// [`MAX_QUERY_CHARS`], it bounds the work of one search.
pub const MAX_TERMS: usize = 8;

/// One term of a query, with fzf's marks: `'exact` (no scattered match),
/// `^prefix`, `suffix$`; `!term` (a negation) is kept apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// Folded, without its marks.
    pub text: String,
    pub exact: bool,
    pub prefix: bool,
    pub suffix: bool,
}

/// A parsed query: an optional kind filter, the folded text, and its
/// terms: every group must match (AND, in any order); a group matches when
/// one of its terms does (`a | b`); no negated term may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub filter: Option<Filter>,
    pub text: String,
    pub groups: Vec<Vec<Term>>,
    pub not: Vec<Term>,
    /// `rep:X`: the report named X (its id, or its title, pinyin too).
    pub report: Option<String>,
    /// `pub:X`: reports whose publisher holds X (folded).
    pub publisher: Option<String>,
    /// `year:A..B` / `date:A..B`: reports dated in the range (either end
    /// may be left out; one value alone is itself).
    pub dates: Option<DateRange>,
    /// The nodes of the reports these pick, once resolved
    /// (`Query::parse_for`), as sorted ranges; only units there are found.
    /// Empty: no report matched.
    pub within: Option<Vec<Range<usize>>>,
}

/// A range of dates, compared as the YAML writes them ("2025-08-28",
/// "2025-04", "2025"): a date is in it when its start is at least `from`
/// and its first `to.len()` characters at most `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateRange {
    pub from: String,
    pub to: String,
}

impl DateRange {
    /// `2024..2025`, `2024..`, `..2025`, `2025-04`; `None` when it is empty.
    pub fn parse(spec: &str) -> Option<DateRange> {
        let (from, to) = spec.split_once("..").unwrap_or((spec, spec));
        let (from, to) = (from.trim().to_string(), to.trim().to_string());
        (!from.is_empty() || !to.is_empty()).then_some(DateRange { from, to })
    }

    /// Whether a report's date is in the range (an undated report never is).
    pub fn admits(&self, date: &str) -> bool {
        let d = date.trim();
        if d.is_empty() {
            return false;
        }
        let head: String = d.chars().take(self.to.chars().count()).collect();
        (self.from.is_empty() || d >= self.from.as_str()) && (self.to.is_empty() || head.as_str() <= self.to.as_str())
    }
}

/// Whether a node is among sorted ranges.
pub fn admitted(within: &[Range<usize>], node: usize) -> bool {
    let k = within.partition_point(|r| r.end <= node);
    within.get(k).is_some_and(|r| r.contains(&node))
}

impl Query {
    pub fn parse(q: &str) -> Query {
        // Bounded work for any input: MAX_QUERY_CHARS characters (and room
        // for a filter prefix such as `case:`), whatever a caller passes.
        let folded: String = q.chars().take(MAX_QUERY_CHARS + 8).map(fold).collect();
        let trimmed = folded.trim_start();
        // `rep:X`, `pub:X`, `year:A..B`, `date:A..B` at the start, in any
        // order: which reports, then the query within them (which may
        // have a kind prefix of its own).
        for scope in ["rep:", "pub:", "year:", "date:"] {
            let Some(rest) = trimmed.strip_prefix(scope) else { continue };
            let rest = rest.trim_start();
            let (spec, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            let mut q = Query::parse(tail);
            let spec = (!spec.is_empty()).then(|| spec.to_string());
            match scope {
                "rep:" => q.report = spec,
                "pub:" => q.publisher = spec,
                // An unreadable range picks nothing rather than everything.
                _ => {
                    q.dates =
                        spec.map(|s| DateRange::parse(&s).unwrap_or(DateRange { from: "~".into(), to: String::new() }))
                }
            }
            return q;
        }
        let (filter, text) = match trimmed.split_once(':') {
            Some((pre, rest)) if Filter::parse(pre).is_some() => (Filter::parse(pre), rest.trim().to_string()),
            _ => (None, folded.trim().to_string()),
        };
        let (groups, not) = parse_terms(&text);
        Query { filter, text, groups, not, report: None, publisher: None, dates: None, within: None }
    }

    /// Nothing to search for: no term, negation, filter or report.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
            && self.not.is_empty()
            && self.filter.is_none()
            && self.report.is_none()
            && self.publisher.is_none()
            && self.dates.is_none()
    }
}

/// Split a query into AND groups of OR terms, and negations; at most
/// [`MAX_TERMS`] terms in all.
pub(super) fn parse_terms(text: &str) -> (Vec<Vec<Term>>, Vec<Term>) {
    let mut groups: Vec<Vec<Term>> = Vec::new();
    let mut not = Vec::new();
    let mut or = false;
    let mut n = 0;
    for tok in text.split_whitespace() {
        if n >= MAX_TERMS {
            break;
        }
        if tok == "|" {
            or = !groups.is_empty();
            continue;
        }
        let (negate, t) = tok.strip_prefix('!').map_or((false, tok), |t| (true, t));
        let (exact, t) = t.strip_prefix('\'').map_or((false, t), |t| (true, t));
        let (prefix, t) = t.strip_prefix('^').map_or((false, t), |t| (true, t));
        let (suffix, t) = t.strip_suffix('$').map_or((false, t), |t| (true, t));
        if t.is_empty() {
            or = false;
            continue;
        }
        n += 1;
        let term = Term { text: t.to_string(), exact, prefix, suffix };
        match (negate, or, groups.last_mut()) {
            (true, _, _) => not.push(term),
            (false, true, Some(g)) => g.push(term),
            _ => groups.push(vec![term]),
        }
        or = false;
    }
    (groups, not)
}

/// A term prepared for matching.
pub(super) struct Pattern {
    pub(super) text: String,
    pub(super) chars: Vec<char>,
    pub(super) len: usize,
    pub(super) bloom: Bloom,
    /// The term as pinyin letters, if it can be pinyin.
    pub(super) letters: Vec<u8>,
    pub(super) pinyin: bool,
    pub(super) plan: pinyin::Plan,
    /// How a pinyin match of it begins (`None`: in any way).
    pub(super) openings: Option<Vec<pinyin::Opening>>,
    pub(super) exact: bool,
    pub(super) prefix: bool,
    pub(super) suffix: bool,
}

impl Pattern {
    pub(super) fn new(t: &Term, table: &pinyin::Table) -> Pattern {
        let q = t.text.as_str();
        let chars: Vec<char> = q.chars().collect();
        let letters: Vec<u8> = q.bytes().collect();
        let pinyin = q.bytes().all(|b| b.is_ascii_alphanumeric()) && q.bytes().any(|b| b.is_ascii_lowercase());
        Pattern {
            text: q.to_string(),
            len: chars.len(),
            bloom: chars.iter().fold(Bloom::default(), |b, &c| b.add(c)),
            chars,
            plan: table.plan(&letters),
            openings: if pinyin { table.openings(&letters) } else { None },
            letters,
            pinyin,
            exact: t.exact,
            prefix: t.prefix,
            suffix: t.suffix,
        }
    }

    /// Whether a scattered (fuzzy) match is allowed: not for `'exact`, `^` or `$`.
    pub(super) fn scatters(&self) -> bool {
        !(self.exact || self.prefix || self.suffix)
    }
}

/// Which units a search visits.
#[derive(Clone, Copy)]
pub(super) enum Source<'a> {
    /// The candidates of the per-character unit lists.
    Lists,
    /// Every unit.
    All,
    /// These (ascending).
    Units(&'a [u32]),
}

/// The most units a [`Matches`] keeps (4 bytes each): past it, the next
/// key searches the whole index again.
pub const MAX_KEPT: usize = 1 << 20;

/// The units a query matched, or might match (see [`Index::find_narrowing`]):
/// a query that narrows it is searched among them only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matches {
    pub(super) query: Query,
    /// Ascending.
    pub(super) units: Vec<u32>,
    /// The number of units of the index searched.
    pub(super) of: usize,
}

impl Matches {
    /// The query whose units these are.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// How many units are kept.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
}

/// Whether every unit that `new` matches is one that `old` matches or
/// might match scattered: the same filter, report and negations; the same
/// terms, but that the last term of `old` may be longer in `new` (with the
/// same `'` and `^`, and no `$` on either), and that terms may follow as
/// new AND groups. Not when `old` has one group and `new` more: a query of
/// several terms also matches them in units' locations, one term does not.
/// A longer term is a narrower one: its run holds the shorter's run, and a
/// unit where it matches scattered holds all the shorter's characters (so
/// it was kept as one that might match scattered).
pub fn narrows(old: &Query, new: &Query) -> bool {
    if old.filter != new.filter
        || old.report != new.report
        || old.publisher != new.publisher
        || old.dates != new.dates
        || old.within != new.within
        || old.not != new.not
    {
        return false;
    }
    let (o, n) = (&old.groups, &new.groups);
    if n.len() < o.len() || (o.len() == 1 && n.len() > 1) {
        return false;
    }
    let Some((last, same)) = o.split_last() else {
        return true;
    };
    if n.get(..same.len()) != Some(same) {
        return false;
    }
    let g = &n[same.len()];
    let (Some((lt, lsame)), Some((nt, nsame))) = (last.split_last(), g.split_last()) else {
        return false;
    };
    lsame == nsame
        && lt.exact == nt.exact
        && lt.prefix == nt.prefix
        && !lt.suffix
        && !nt.suffix
        && nt.text.starts_with(lt.text.as_str())
}

/// A query prepared for matching.
pub(super) struct Prepped {
    pub(super) filter: Option<Filter>,
    pub(super) within: Option<Vec<Range<usize>>>,
    pub(super) groups: Vec<Vec<Pattern>>,
    pub(super) not: Vec<Pattern>,
    /// Per node: a bit per group whose terms match its location path.
    pub(super) paths: Vec<u8>,
}

/// "report › chapter › section" for a node.
/// The longest query, in characters, that the finder and find-in-page take.
/// It bounds the work of one keystroke or one paste, whatever a client sends:
/// a search costs at most the index times this.
pub const MAX_QUERY_CHARS: usize = 200;

/// Append typed or pasted text to a prompt, dropping control characters and
/// anything past [`MAX_QUERY_CHARS`]. Returns whether the input changed, so
/// that keys typed at the cap cost no search.
pub fn push_query(input: &mut String, text: &str) -> bool {
    let room = MAX_QUERY_CHARS.saturating_sub(input.chars().count());
    let before = input.len();
    input.extend(text.chars().filter(|c| !c.is_control()).take(room));
    input.len() != before
}

/// Whether a prompt's input is at [`MAX_QUERY_CHARS`] (the prompt says so).
pub fn query_full(input: &str) -> bool {
    input.chars().count() >= MAX_QUERY_CHARS
}
