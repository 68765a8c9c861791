//! The finder's query history, as fzf's `--history` keeps it: the queries
//! the finder was left with, oldest first, each once, at most
//! [`HISTORY_MAX`]. It lives in memory for a session; it is one plain
//! (serde) struct so that a state file can keep it.

use serde::{Deserialize, Serialize};

/// The most queries the history keeps (the oldest go first).
pub const HISTORY_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QueryHistory {
    /// Oldest first; no duplicates, no empty entries.
    entries: Vec<String>,
}

impl QueryHistory {
    /// A history of these queries (oldest first), with the rules of [`QueryHistory::push`].
    pub fn from_entries<I: IntoIterator<Item = String>>(entries: I) -> QueryHistory {
        let mut h = QueryHistory::default();
        for e in entries {
            h.push(&e);
        }
        h
    }

    /// Remember a query as the newest: trimmed, ignored when empty, moved
    /// to the end if it was there already; the oldest is dropped past
    /// [`HISTORY_MAX`].
    pub fn push(&mut self, query: &str) {
        let q = query.trim();
        if q.is_empty() {
            return;
        }
        self.entries.retain(|e| e != q);
        self.entries.push(q.to_string());
        if self.entries.len() > HISTORY_MAX {
            let extra = self.entries.len() - HISTORY_MAX;
            self.entries.drain(..extra);
        }
    }

    /// The queries, oldest first.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    pub fn get(&self, at: usize) -> Option<&str> {
        self.entries.get(at).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// One step from `at` (`None`: the query being typed, past the newest
    /// entry): to an older entry (`back`) or a newer one. `None` when
    /// there is nowhere to go; `Some(None)` is back to the typed query.
    pub fn step(&self, at: Option<usize>, back: bool) -> Option<Option<usize>> {
        let n = self.entries.len();
        match (back, at) {
            (true, None) => n.checked_sub(1).map(Some),
            (true, Some(i)) => (i > 0 && i <= n).then(|| Some(i - 1)),
            (false, Some(i)) if i + 1 < n => Some(Some(i + 1)),
            (false, Some(_)) => Some(None),
            (false, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deduplicated_bounded_and_trimmed() {
        let mut h = QueryHistory::default();
        for q in ["华为", " zgckj ", "", "  ", "华为"] {
            h.push(q);
        }
        assert_eq!(h.entries(), ["zgckj", "华为"]);
        for i in 0..HISTORY_MAX + 7 {
            h.push(&format!("q{i}"));
        }
        assert_eq!(h.len(), HISTORY_MAX);
        assert_eq!(h.entries().first().map(String::as_str), Some("q7"));
        assert_eq!(h.entries().last().map(String::as_str), Some(format!("q{}", HISTORY_MAX + 6).as_str()));
        let again = QueryHistory::from_entries(h.entries().to_vec());
        assert_eq!(again, h);
    }

    #[test]
    fn steps_walk_back_and_return_to_the_typed_query() {
        let h = QueryHistory::from_entries(["a".to_string(), "b".to_string()]);
        assert_eq!(h.step(None, true), Some(Some(1)));
        assert_eq!(h.step(Some(1), true), Some(Some(0)));
        assert_eq!(h.step(Some(0), true), None);
        assert_eq!(h.step(Some(0), false), Some(Some(1)));
        assert_eq!(h.step(Some(1), false), Some(None));
        assert_eq!(h.step(None, false), None);
        assert_eq!(QueryHistory::default().step(None, true), None);
    }
}
