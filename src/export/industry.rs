//! An industry page as an export target (`yanbao export industry:finance`,
//! or by the industry's name, `industry:金融`): what its page shows, as
//! Markdown, CSV files or a workbook, every place and block with its own
//! citation.

use super::markdown::{block_markdown, markdown_body};
use super::{CitationStyle, block_citation, citation_in};
use crate::content::{Block, Library, NodeId};

/// The prefix of an industry target.
pub const INDUSTRY_PREFIX: &str = "industry:";

/// The industry an `industry:ID` (or `industry:名称`, or an alias) target
/// names: its registry id. `None`: not an industry target, or no such
/// industry (then [`industry_names`] lists the valid ones).
pub fn resolve_industry(lib: &Library, target: &str) -> Option<String> {
    let want = target.trim().strip_prefix(INDUSTRY_PREFIX)?.trim();
    lib.industries
        .iter()
        .find(|i| i.id == want || i.name == want)
        .or_else(|| lib.industries.iter().find(|i| i.aliases.iter().any(|a| a == want)))
        .map(|i| i.id.clone())
}

/// Every industry target (`industry:finance`), in registry order.
pub fn industry_names(lib: &Library) -> Vec<String> {
    lib.industries.iter().map(|i| format!("{INDUSTRY_PREFIX}{}", i.id)).collect()
}

/// The blocks an industry's page holds, in its order: the sections about
/// the industry alone, whole, then the blocks tagged with it elsewhere;
/// each with the id of its section and its index there.
pub fn industry_blocks<'a>(lib: &'a Library, id: &str) -> Vec<(String, usize, &'a Block)> {
    let plan = lib.industry_plan(id);
    let mut out: Vec<(String, usize, &Block)> = Vec::new();
    for &n in &plan.sections {
        out.extend(super::data::blocks(lib, n));
    }
    for &(n, i) in &plan.blocks {
        if let Some(s) = lib.section(n)
            && let Some(b) = s.blocks.get(i)
        {
            out.push((s.id.clone(), i, b));
        }
    }
    out
}

/// An industry page as Markdown: its name, then each section about it
/// alone (whole, with its citation), each block tagged with it elsewhere
/// (with the block's own citation), and the sections that name it among
/// others (their citations).
pub fn industry_markdown(lib: &Library, id: &str, style: CitationStyle) -> String {
    let plan = lib.industry_plan(id);
    let name = lib.industry(id).map_or(id, |i| i.name.as_str());
    let mut out = format!("# 行业：{name}\n\n");
    let cite = |n: NodeId| citation_in(lib, n, style);
    for &n in &plan.sections {
        out.push_str(markdown_body(lib, n).trim_end());
        out.push_str(&format!("\n\n{}\n\n", cite(n)));
    }
    if !plan.blocks.is_empty() {
        out.push_str("## 其他章节\n\n");
        for &(n, i) in &plan.blocks {
            let Some(b) = lib.section(n).and_then(|s| s.blocks.get(i)) else { continue };
            out.push_str(&format!("### {}\n\n", lib.tree_title(n)));
            out.push_str(block_markdown(lib, b, 4).trim_end());
            out.push_str(&format!("\n\n{}\n\n", block_citation(lib, n, i, style)));
        }
    }
    if !plan.see_also.is_empty() {
        out.push_str("## 另见\n\n");
        for &n in &plan.see_also {
            out.push_str(&format!("- {}\n", cite(n)));
        }
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
