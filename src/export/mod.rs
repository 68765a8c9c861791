//! Taking things out: citations, and a place of the outline as Markdown,
//! JSON or CSV (`yanbao export`), and single blocks as plain text (the
//! explorer's `y`). Pure and terminal-free, like `content`.

use crate::content::{Library, NodeId};
use serde::Serialize;
use std::fmt::Write as _;

/// Where a citation points: the report's facts and the place inside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cite {
    pub title: String,
    pub publisher: String,
    pub date: String,
    /// The place below the report, chapter first (tree titles, with numbers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub place: Vec<String>,
    /// The page the content gives for the place itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// The content gives no page for the place; this is the page its
    /// nearest ancestor with one starts on (the place is on it or after it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_page: Option<u32>,
}

impl Cite {
    /// `——《书名》，出版方，日期，章 › 节，p.47`: the page only where the content
    /// has one; `p.47起` where only an enclosing section's first page is known.
    pub fn line(&self) -> String {
        let mut s = format!("——《{}》，{}，{}", self.title, self.publisher, self.date);
        if !self.place.is_empty() {
            s.push('，');
            s.push_str(&self.place.join(" › "));
        }
        if let Some(p) = self.page {
            let _ = write!(s, "，p.{p}");
        } else if let Some(p) = self.from_page {
            let _ = write!(s, "，p.{p}起");
        }
        s
    }
}

/// The citation of a place (a report, chapter or section node).
pub fn cite(lib: &Library, node: NodeId) -> Option<Cite> {
    let r = lib.report_of(node)?;
    let below: Vec<NodeId> = lib.ancestry(node).into_iter().filter(|&n| lib.section(n).is_some()).collect();
    let place = below.iter().map(|&n| lib.tree_title(n)).collect();
    let page = lib.section(node).and_then(|s| s.page);
    let from_page =
        if page.is_some() { None } else { below.iter().rev().find_map(|&n| lib.section(n).and_then(|s| s.page)) };
    Some(Cite { title: r.title.clone(), publisher: r.publisher.clone(), date: r.date.clone(), place, page, from_page })
}

/// The citation line of a place; empty for a node that is not in the library.
pub fn citation(lib: &Library, node: NodeId) -> String {
    cite(lib, node).map(|c| c.line()).unwrap_or_default()
}

/// The citation of a block (its section or report node and its index
/// there): the place's, with the block's number from the figure list
/// (`… › 3.1 市场规模 › 图 3-2`) where it has one.
pub fn block_citation(lib: &Library, node: NodeId, block: usize) -> String {
    let Some(mut c) = cite(lib, node) else { return String::new() };
    if let Some(label) = crate::content::numbering::label_of(lib, node, block) {
        c.place.push(label);
    }
    c.line()
}

mod data;
mod markdown;
mod plain;
mod target;

pub use data::*;
pub use markdown::*;
pub use plain::*;
pub use target::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Table;

    #[test]
    fn file_names_are_tame() {
        assert_eq!(csv_file_name("fs-3-1", Some("市场/规模: 2024 | E"), 1), "fs-3-1_市场_规模_2024_E.csv");
        assert_eq!(csv_file_name("fs-3-1", None, 4), "fs-3-1_table4.csv");
        assert_eq!(csv_file_name("..", Some("../../etc"), 1), "etc.csv");
        let long = "长".repeat(200);
        assert_eq!(csv_file_name("x", Some(&long), 1).chars().count(), 84);
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let t = Table {
            title: None,
            industries: vec![],
            unit: None,
            columns: vec!["a,b".into(), "c".into()],
            rows: vec![vec![crate::content::Cell("say \"hi\"".into()), crate::content::Cell("x\ny".into())]],
            notes: vec![],
        };
        assert_eq!(csv(&t), "\"a,b\",c\n\"say \"\"hi\"\"\",\"x\ny\"\n");
    }

    #[test]
    fn cells_escape_pipes() {
        assert_eq!(md_cell("a|b\\c\nd"), "a\\|b\\\\c<br>d");
    }
}
