//! The index in pieces, as the cache keeps it: one piece for the
//! registries, then one per report (its units and its nodes' location
//! paths), over one reading table kept apart. `yanbao search` reads and
//! searches one piece at a time, so that only one is in memory at once; the
//! explorer joins them into one index, on a thread of its own.

use super::{IdsOwned, Index, Kind, Prepared, Query, Screen, Target, Unit, pinyin};
use crate::content::Library;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// A piece as stored: the node of its first path, its units, their pinyin
/// shapes, and the paths of its nodes (folded text and reading ids).
#[derive(Serialize)]
struct PieceRef<'a> {
    node_base: u64,
    units: &'a [Unit],
    shapes: Vec<[pinyin::Shape; 2]>,
    paths: Vec<(&'a str, super::Ids<'a>)>,
}

#[derive(Deserialize)]
struct PieceOwned {
    node_base: u64,
    units: Vec<Unit>,
    shapes: Vec<[pinyin::Shape; 2]>,
    paths: Vec<(String, IdsOwned)>,
}

impl Index {
    /// The reading table, which every piece shares.
    pub fn table(&self) -> &pinyin::Table {
        &self.table
    }

    /// The pieces, as (units, nodes) ranges: the registries, then each
    /// report in order. One piece for all if the units are not in that order.
    pub fn pieces(&self, lib: &Library) -> Vec<(Range<usize>, Range<usize>)> {
        let n_reports = lib.report_count();
        let report_of = |u: &Unit| u.node().and_then(|n| lib.nodes.get(n)).map_or(0, |n| n.report + 1);
        let mut units = vec![0..0; n_reports + 1];
        let mut last = 0;
        for (i, u) in self.units.iter().enumerate() {
            let r = report_of(u);
            if r < last {
                return vec![(0..self.units.len(), 0..lib.nodes.len())];
            }
            last = r;
            if units[r].start == units[r].end {
                units[r] = i..i;
            }
            units[r].end = i + 1;
        }
        // Empty ranges sit where the previous piece ended.
        let mut end = 0;
        for r in units.iter_mut() {
            if r.start == r.end {
                *r = end..end;
            }
            end = r.end;
        }
        let mut nodes = vec![0..0; n_reports + 1];
        for (k, node) in lib.nodes.iter().enumerate() {
            let r = &mut nodes[node.report + 1];
            if r.start == r.end {
                *r = k..k;
            }
            r.end = k + 1;
        }
        let mut end = 0;
        for r in nodes.iter_mut() {
            if r.start == r.end {
                *r = end..end;
            }
            end = r.end;
        }
        units.into_iter().zip(nodes).collect()
    }

    /// One piece in postcard.
    pub fn encode_piece(&self, units: Range<usize>, nodes: Range<usize>) -> Result<Vec<u8>, String> {
        let (Some(us), Some(screens), Some(paths)) =
            (self.units.get(units.clone()), self.screens.get(units), self.paths.get(nodes.clone()))
        else {
            return Err("a piece out of range".into());
        };
        let piece = PieceRef {
            node_base: nodes.start as u64,
            units: us,
            shapes: screens.iter().map(|sc| sc.shapes).collect(),
            paths: paths.iter().map(|p| (p.folded.as_str(), super::Ids(&p.ids))).collect(),
        };
        postcard::to_stdvec(&piece).map_err(|e| e.to_string())
    }

    /// A piece read back: an index of its units alone (their numbers start
    /// at 0), searchable on its own. Everything indexed into is checked.
    pub fn decode_piece(bytes: &[u8], table: &Arc<pinyin::Table>) -> Result<Index, String> {
        let PieceOwned { node_base, mut units, shapes, paths } =
            postcard::from_bytes(bytes).map_err(|_| "a piece does not decode".to_string())?;
        if shapes.len() != units.len() {
            return Err("a piece's parts do not match".into());
        }
        let mut paths = paths
            .into_iter()
            .map(|(folded, IdsOwned(ids))| Prepared::from_cache(folded, ids))
            .collect::<Result<Vec<_>, _>>()?;
        let base = usize::try_from(node_base).map_err(|_| "a piece's base is out of range")?;
        let fields = units.iter_mut().flat_map(|u| [&mut u.title_p, &mut u.text_p]).chain(paths.iter_mut());
        for p in fields {
            if !table.has_ids(&p.ids) {
                return Err("a reading id outside the table".into());
            }
            p.starts = p.chars.iter().zip(&p.ids).map(|(&c, &id)| table.starts(c, id)).collect();
        }
        let fits = units.iter().all(|u| {
            let len = u.text_p.chars.len();
            u.node().is_none_or(|n| n >= base && n - base < paths.len())
                && u.cells.iter().all(|c| c.column.end <= len && c.value.end <= len)
        });
        if !fits {
            return Err("a piece's units do not fit it".into());
        }
        let screens = units.iter().zip(shapes).map(|(u, shapes)| Screen::with_shapes(u, shapes)).collect();
        Ok(Index::from_parts(units, screens, paths, Arc::clone(table), base))
    }

    /// A piece with no units, standing for nodes `a..b` (whose paths are empty).
    pub fn empty_piece(table: Arc<pinyin::Table>, a: usize, b: usize) -> Index {
        let empty = || Prepared::from_cache(String::new(), Vec::new()).unwrap_or_else(|_| unreachable!());
        Index::from_parts(Vec::new(), Vec::new(), (a..b.max(a)).map(|_| empty()).collect(), table, a)
    }

    /// The pieces of an index joined again, in order; `Err` if their nodes
    /// do not follow one another from 0.
    pub fn join(table: Arc<pinyin::Table>, pieces: Vec<Index>) -> Result<Index, String> {
        let mut out = Index::from_parts(Vec::new(), Vec::new(), Vec::new(), table, 0);
        for p in pieces {
            if p.path_base != out.paths.len() && !p.paths.is_empty() {
                return Err("the pieces' nodes do not follow one another".into());
            }
            out.units.extend(p.units);
            out.screens.extend(p.screens);
            out.paths.extend(p.paths);
        }
        Ok(out)
    }
}

type Loader = Box<dyn Fn() -> Index + Send + Sync>;

/// An index that may still be loading: it is read (and waited for, if a
/// thread is loading it) on first use, through `Deref`.
pub struct LazyIndex {
    cell: OnceLock<Arc<Index>>,
    load: Option<Loader>,
}

impl LazyIndex {
    /// An index already loaded.
    pub fn ready(index: Index) -> LazyIndex {
        LazyIndex { cell: OnceLock::from(Arc::new(index)), load: None }
    }

    /// An index that `load` makes on first use.
    pub fn new(load: impl Fn() -> Index + Send + Sync + 'static) -> LazyIndex {
        LazyIndex { cell: OnceLock::new(), load: Some(Box::new(load)) }
    }

    /// Whether it is loaded.
    pub fn is_ready(&self) -> bool {
        self.cell.get().is_some()
    }

    /// The index, loaded now if it was not (waiting for a thread that loads it).
    pub fn get(&self) -> &Index {
        self.arc()
    }

    /// The index, shared.
    pub fn arc(&self) -> &Arc<Index> {
        self.cell.get_or_init(|| {
            Arc::new(match &self.load {
                Some(f) => f(),
                None => Index::build(&Library::default()),
            })
        })
    }
}

impl std::ops::Deref for LazyIndex {
    type Target = Index;
    fn deref(&self) -> &Index {
        self.get()
    }
}

impl std::fmt::Debug for LazyIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.cell.get() {
            Some(i) => write!(f, "Lazy({i:?})"),
            None => f.write_str("Lazy(loading)"),
        }
    }
}

impl From<Index> for LazyIndex {
    fn from(index: Index) -> LazyIndex {
        LazyIndex::ready(index)
    }
}

/// What `App::new` takes as its index: one loaded (`Arc<Index>`) or one
/// that may still be loading (`Arc<LazyIndex>`).
pub trait IntoLazy {
    fn into_lazy(self) -> Arc<LazyIndex>;
}

impl IntoLazy for Arc<LazyIndex> {
    fn into_lazy(self) -> Arc<LazyIndex> {
        self
    }
}

impl IntoLazy for Arc<Index> {
    fn into_lazy(self) -> Arc<LazyIndex> {
        Arc::new(LazyIndex { cell: OnceLock::from(self), load: None })
    }
}

impl Query {
    /// Parse a query and resolve its `rep:` report in `lib`.
    pub fn parse_for(q: &str, lib: &Library) -> Query {
        let mut q = Query::parse(q);
        q.resolve(lib);
        q
    }

    /// Resolve `rep:X`: the report whose id is X, else the report whose
    /// title (or id, publisher, date) X matches best, literally or as
    /// pinyin, as the finder matches (`rep:ccid`, `rep:白皮书`, `rep:bps`).
    /// No report matching: nothing is found.
    pub fn resolve(&mut self, lib: &Library) {
        if self.report.is_none() && self.publisher.is_none() && self.dates.is_none() {
            return;
        }
        let roots: Vec<usize> = (0..lib.nodes.len()).filter(|&n| lib.nodes[n].parent.is_none()).collect();
        let span = |k: usize| roots[k]..roots.get(k + 1).copied().unwrap_or(lib.nodes.len());
        let fold = |s: &str| s.chars().map(crate::text::fold).collect::<String>();
        // `pub:` and `year:`/`date:`: every report they admit.
        let admits = |n: usize| {
            let Some(r) = lib.report_head_of(n) else { return false };
            self.publisher.as_ref().is_none_or(|p| fold(&r.publisher).contains(p.as_str()))
                && self.dates.as_ref().is_none_or(|d| d.admits(&r.date))
        };
        let Some(spec) = self.report.clone() else {
            self.within = Some((0..roots.len()).filter(|&k| admits(roots[k])).map(span).collect());
            return;
        };
        let by_id = roots.iter().position(|&n| {
            lib.report_head_of(n).is_some_and(|r| r.id.chars().map(crate::text::fold).collect::<String>() == spec)
        });
        let k = by_id.or_else(|| {
            let mut table = pinyin::Table::default();
            let units: Vec<Unit> = roots
                .iter()
                .filter_map(|&n| {
                    let r = lib.report_head_of(n)?;
                    let text = format!("{} {} {}", r.id, r.publisher, r.date);
                    let target = Target::Place { node: n, probe: String::new() };
                    Some(Unit::new(Kind::Section, r.title.clone(), text, target, &mut table))
                })
                .collect();
            let screens = units.iter().map(|u| Screen::new(u, &table)).collect();
            let titles = Index::from_parts(units, screens, Vec::new(), Arc::new(table), 0);
            titles.search(&Query::parse(&spec), 1).first().map(|h| h.unit)
        });
        self.within = Some(k.filter(|&k| k < roots.len() && admits(roots[k])).map(span).into_iter().collect());
    }
}
