//! Export targets: resolving a name (`fs-3-1`, an industry) to a place, with
//! suggestions for a name that matches none.

use crate::content::{Library, NodeId};

/// A target that names no place, with the closest names there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTarget {
    pub target: String,
    pub suggestions: Vec<String>,
}

impl std::fmt::Display for UnknownTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no report, chapter or section `{}`", self.target)?;
        if !self.suggestions.is_empty() {
            write!(f, "; did you mean {}?", self.suggestions.join(", "))?;
        }
        Ok(())
    }
}

/// Every name `resolve` takes: report ids, chapter and section ids, and
/// `REPORT:NUMBER` for each numbered chapter or section.
pub fn target_names(lib: &Library) -> Vec<String> {
    let mut out = Vec::new();
    for n in 0..lib.nodes.len() {
        match lib.section(n) {
            None => {
                if let Some(r) = lib.report_of(n) {
                    out.push(r.id.clone());
                }
            }
            Some(s) => {
                out.push(s.id.clone());
                if let (Some(num), Some(r)) = (s.number.as_deref().filter(|x| !x.is_empty()), lib.report_of(n)) {
                    out.push(format!("{}:{num}", r.id));
                }
            }
        }
    }
    out
}

/// The place a target names: a report id (`fs`), a chapter or section id
/// (`fs-3-1`), or a number within a report (`fs:3.1`, `ccid:三`).
pub fn resolve(lib: &Library, target: &str) -> Result<NodeId, UnknownTarget> {
    let t = target.trim();
    if let Some(n) = lib.node_by_id(t) {
        return Ok(n);
    }
    if let Some((rep, num)) = t.split_once(':') {
        let found = (0..lib.nodes.len()).find(|&n| {
            lib.report_of(n).is_some_and(|r| r.id == rep.trim())
                && lib.section(n).and_then(|s| s.number.as_deref()).is_some_and(|x| x == num.trim())
        });
        if let Some(n) = found {
            return Ok(n);
        }
    }
    Err(UnknownTarget { target: target.to_string(), suggestions: closest(&target_names(lib), t, 3) })
}

/// The `k` names closest to `t` by edit distance (ties: shorter first, then
/// in order), ignoring case.
fn closest(names: &[String], t: &str, k: usize) -> Vec<String> {
    let t = t.to_lowercase();
    let mut scored: Vec<(usize, usize, usize, &String)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (strsim::levenshtein(&n.to_lowercase(), &t), n.chars().count(), i, n))
        .collect();
    scored.sort();
    let mut out: Vec<String> = Vec::new();
    for (_, _, _, n) in scored {
        if !out.contains(n) {
            out.push(n.clone());
        }
        if out.len() == k {
            break;
        }
    }
    out
}
