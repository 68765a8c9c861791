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
    /// has one; `p.47起` where only an enclosing section's first page is
    /// known; `页码不详` for a place inside the report with no page known.
    pub fn line(&self) -> String {
        let mut s = format!("——《{}》，{}，{}", self.title, self.publisher, self.date);
        if !self.place.is_empty() {
            s.push('，');
            s.push_str(&self.place.join(" › "));
        }
        s.push_str(&self.page_zh());
        s
    }

    /// The page as the Chinese styles give it: `，p.47`, `，p.47起`,
    /// `，页码不详` (a place inside the report, no page known), or nothing
    /// (the whole report).
    fn page_zh(&self) -> String {
        match (self.page, self.from_page) {
            (Some(p), _) => format!("，p.{p}"),
            (None, Some(p)) => format!("，p.{p}起"),
            (None, None) if !self.place.is_empty() => "，页码不详".into(),
            (None, None) => String::new(),
        }
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
    citation_in(lib, node, CitationStyle::Yanbao)
}

/// The page block `index` of a place starts on, where the content gives it
/// (a block's own `page:`; the importer writes them from the source's page
/// markers).
pub fn block_page(lib: &Library, node: NodeId, index: usize) -> Option<u32> {
    let pages = match lib.section(node) {
        Some(s) => &s.block_pages,
        None => &lib.report_of(node)?.abstract_pages,
    };
    pages.get(index).copied().flatten()
}

/// The citation of one block of a place (with its figure-list number,
/// where it has one): the block's own page where the
/// content gives it; else the first page of its place (or of the nearest
/// place above with one), marked as where it starts (`p.47起`), since the
/// block may be on a later page. No page is guessed.
pub fn cite_block(lib: &Library, node: NodeId, index: usize) -> Option<Cite> {
    let mut c = cite(lib, node)?;
    // The block's number from the figure list (`… › 3.1 市场规模 › 图 3-2`),
    // where it has one.
    if let Some(label) = crate::content::numbering::label_of(lib, node, index) {
        c.place.push(label);
    }
    match block_page(lib, node, index) {
        Some(p) => {
            c.page = Some(p);
            c.from_page = None;
        }
        None => {
            if let Some(p) = c.page.take() {
                c.from_page = Some(p);
            }
        }
    }
    Some(c)
}

/// [`cite_block`] in a house style; empty for a node not in the library.
pub fn block_citation(lib: &Library, node: NodeId, index: usize, style: CitationStyle) -> String {
    cite_block(lib, node, index).map(|c| c.styled(style)).unwrap_or_default()
}

/// The house styles of a citation (config `citation:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CitationStyle {
    /// `——《书名》，出版方，日期，章 › 节，p.47` ([`Cite::line`]).
    #[default]
    Yanbao,
    /// `资料来源：出版方，《书名》（2025），p.47`.
    Ziliao,
    /// GB/T 7714-2015, a report (`[R]`): `出版方. 书名[R]. 2025: 47.`
    Gb7714,
    /// APA (7th ed.), a report: `出版方. (2025). 书名 (p. 47).`
    Apa,
}

impl CitationStyle {
    /// The names the config file uses, in the order of [`Self::ALL`].
    pub const NAMES: [&'static str; 4] = ["yanbao", "资料来源", "gb7714", "apa"];
    pub const ALL: [CitationStyle; 4] =
        [CitationStyle::Yanbao, CitationStyle::Ziliao, CitationStyle::Gb7714, CitationStyle::Apa];

    /// The style a config name (one of [`Self::NAMES`]) stands for.
    pub fn from_name(name: &str) -> Option<CitationStyle> {
        Self::NAMES.iter().position(|n| *n == name).map(|i| Self::ALL[i])
    }
}

impl Cite {
    /// The publishers one by one (`弗若斯特沙利文、头豹研究院`: two).
    fn publishers(&self) -> Vec<&str> {
        self.publisher.split(['、', '，', ',']).map(str::trim).filter(|p| !p.is_empty()).collect()
    }

    /// The year of the date (its first four digits), or the date as given.
    fn year(&self) -> &str {
        match self.date.get(..4) {
            Some(y) if y.chars().all(|c| c.is_ascii_digit()) => y,
            _ => &self.date,
        }
    }

    /// The citation in `style`. A page is given only where the content has
    /// one; an enclosing section's first page is marked as such (`起`,
    /// `-`, `ff.`); a place inside the report with no page known says so
    /// (`页码不详`, `[页码不详]`, `n.p.`). No page is guessed.
    pub fn styled(&self, style: CitationStyle) -> String {
        let unknown = self.page.is_none() && self.from_page.is_none() && !self.place.is_empty();
        match style {
            CitationStyle::Yanbao => self.line(),
            CitationStyle::Ziliao => {
                let publishers = self.publishers().join("，");
                format!("资料来源：{publishers}，《{}》（{}）{}", self.title, self.year(), self.page_zh())
            }
            CitationStyle::Gb7714 => {
                let mut s = format!("{}. {}[R]. {}", self.publishers().join(", "), self.title, self.year());
                if let Some(p) = self.page {
                    let _ = write!(s, ": {p}");
                } else if let Some(p) = self.from_page {
                    let _ = write!(s, ": {p}-");
                } else if unknown {
                    s.push_str(": [页码不详]");
                }
                s.push('.');
                s
            }
            CitationStyle::Apa => {
                let names = self.publishers();
                let authors = match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{}, & {last}", rest.join(", ")),
                    _ => names.join(""),
                };
                let mut s = format!("{authors}. ({}). {}", self.year(), self.title);
                if let Some(p) = self.page {
                    let _ = write!(s, " (p. {p})");
                } else if let Some(p) = self.from_page {
                    let _ = write!(s, " (pp. {p}ff.)");
                } else if unknown {
                    s.push_str(" (n.p.)");
                }
                s.push('.');
                s
            }
        }
    }
}

/// The one citation of a place in a house style; empty for a node that is
/// not in the library.
pub fn citation_in(lib: &Library, node: NodeId, style: CitationStyle) -> String {
    cite(lib, node).map(|c| c.styled(style)).unwrap_or_default()
}

mod data;
mod figlist;
mod industry;
mod markdown;
mod plain;
mod target;
mod xlsx;

pub use data::*;
pub use figlist::*;
pub use industry::*;
pub use markdown::*;
pub use plain::*;
pub use target::*;
pub use xlsx::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Block, Table};

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

    /// Each style, exactly, for both bundled reports: a place with its own
    /// page, one with only an enclosing page, and the report without pages.
    #[test]
    fn citation_styles_exactly() {
        let (lib, _) = Library::load_from(None).expect("bundled content");
        let at = |id: &str| lib.node_by_id(id).expect(id);
        let fs = at("fs-3-1");
        let ccid = at("ccid");
        let want = [
            (
                CitationStyle::Yanbao,
                fs,
                "——《AI赋能千行百业白皮书》，弗若斯特沙利文、头豹研究院，2025-08-28，3 AI赋能千行百业应用探析 › 3.1 AI在金融行业的融合与价值分析，p.47",
            ),
            (CitationStyle::Ziliao, fs, "资料来源：弗若斯特沙利文，头豹研究院，《AI赋能千行百业白皮书》（2025），p.47"),
            (CitationStyle::Gb7714, fs, "弗若斯特沙利文, 头豹研究院. AI赋能千行百业白皮书[R]. 2025: 47."),
            (CitationStyle::Apa, fs, "弗若斯特沙利文, & 头豹研究院. (2025). AI赋能千行百业白皮书 (p. 47)."),
            (
                CitationStyle::Yanbao,
                ccid,
                "——《“十五五”时期我国通用人工智能产业发展趋势研究》，中国电子信息产业发展研究院 电子信息研究所，2025-04",
            ),
            (
                CitationStyle::Ziliao,
                ccid,
                "资料来源：中国电子信息产业发展研究院 电子信息研究所，《“十五五”时期我国通用人工智能产业发展趋势研究》（2025）",
            ),
            (
                CitationStyle::Gb7714,
                ccid,
                "中国电子信息产业发展研究院 电子信息研究所. “十五五”时期我国通用人工智能产业发展趋势研究[R]. 2025.",
            ),
            (
                CitationStyle::Apa,
                ccid,
                "中国电子信息产业发展研究院 电子信息研究所. (2025). “十五五”时期我国通用人工智能产业发展趋势研究.",
            ),
        ];
        for (style, node, s) in want {
            assert_eq!(citation_in(&lib, node, style), s, "{style:?}");
        }
        // A place inside a report with no page known: said so, never guessed.
        let part = at("ccid-3-2");
        let want = [
            (
                CitationStyle::Yanbao,
                "——《“十五五”时期我国通用人工智能产业发展趋势研究》，中国电子信息产业发展研究院 电子信息研究所，2025-04，三 融合应用发展趋势 › AI+金融服务，页码不详",
            ),
            (
                CitationStyle::Ziliao,
                "资料来源：中国电子信息产业发展研究院 电子信息研究所，《“十五五”时期我国通用人工智能产业发展趋势研究》（2025），页码不详",
            ),
            (
                CitationStyle::Gb7714,
                "中国电子信息产业发展研究院 电子信息研究所. “十五五”时期我国通用人工智能产业发展趋势研究[R]. 2025: [页码不详].",
            ),
            (
                CitationStyle::Apa,
                "中国电子信息产业发展研究院 电子信息研究所. (2025). “十五五”时期我国通用人工智能产业发展趋势研究 (n.p.).",
            ),
        ];
        for (style, s) in want {
            assert_eq!(citation_in(&lib, part, style), s, "{style:?}");
        }
        // A block of a section with its own page: the block may be on a
        // later page, so the section's page is where it starts.
        assert_eq!(block_page(&lib, fs, 0), None);
        assert!(block_citation(&lib, fs, 0, CitationStyle::Ziliao).ends_with("，p.47起"));
        assert!(block_citation(&lib, fs, 0, CitationStyle::Apa).ends_with("(pp. 47ff.)."));
        let from = at("fs-3-1-1");
        assert!(citation_in(&lib, from, CitationStyle::Ziliao).ends_with("p.47起"));
        assert!(citation_in(&lib, from, CitationStyle::Gb7714).ends_with(": 47-."));
        assert!(citation_in(&lib, from, CitationStyle::Apa).ends_with("(pp. 47ff.)."));
    }

    /// A copied table (`y`) carries its unit, where known, as a last column.
    #[test]
    fn a_copied_table_has_a_unit_column_where_the_unit_is_known() {
        let (lib, _) = Library::load_from(None).expect("bundled content");
        let cell = |s: &str| crate::content::Cell(s.into());
        let mut t = Table {
            title: Some("市场规模".into()),
            industries: vec![],
            unit: Some("亿元".into()),
            columns: vec!["年份".into(), "规模".into()],
            rows: vec![vec![cell("2023"), cell("10")], vec![cell("2024E"), cell("12.5")]],
            notes: vec!["资料来源：某某".into()],
        };
        let (text, what) = block_plain(&lib, &Block::Table(t.clone()));
        assert_eq!(text, "市场规模\n年份\t规模\t单位\n2023\t10\t亿元\n2024E\t12.5\t亿元\n资料来源：某某\n");
        assert_eq!(what, "表格 2 行");
        t.unit = None;
        let (text, _) = block_plain(&lib, &Block::Table(t));
        assert_eq!(text, "市场规模\n年份\t规模\n2023\t10\n2024E\t12.5\n资料来源：某某\n");
    }

    /// Every text cell of a workbook goes through the sanitiser, and the
    /// unit is a column; a series' values are numbers.
    #[test]
    fn xlsx_sheets_are_sanitised_and_carry_units() {
        let (lib, _) = Library::load_from(None).expect("bundled content");
        let node = lib.node_by_id("fs-1-1").expect("fs-1-1");
        let all = sheets(&lib, node, CitationStyle::Apa);
        assert!(!all.is_empty());
        let cite = match all[0].rows[0].first() {
            Some(XCell::Text(t)) => t.clone(),
            other => panic!("{other:?}"),
        };
        assert!(cite.starts_with("弗若斯特沙利文, & 头豹研究院. (2025)."), "{cite}");
        let bad = Table {
            title: Some("a\u{1b}[31mb\u{202e}".into()),
            industries: vec![],
            unit: Some("亿\u{7}元".into()),
            columns: vec!["x\u{9b}y".into()],
            rows: vec![vec![crate::content::Cell("\u{1b}]52;c;AAAA\u{7}".into())]],
            notes: vec![],
        };
        let rows = xlsx_table_rows(&bad, "c\u{1b}");
        for cell in rows.iter().flatten() {
            if let XCell::Text(t) = cell {
                assert!(!t.chars().any(crate::text::is_unsafe_out), "{t:?}");
            }
        }
        assert_eq!(rows[2], vec![XCell::Text("xy".into()), XCell::Text("单位".into())]);
        assert_eq!(rows[3], vec![XCell::Text("]52;c;AAAA".into()), XCell::Text("亿元".into())]);
    }

    #[test]
    fn cells_escape_pipes() {
        assert_eq!(md_cell("a|b\\c\nd"), "a\\|b\\\\c<br>d");
    }
}
