//! The industry page: its own figures first, then the sections and blocks about it.

use super::{Builder, Doc, LayoutOpts, Role, seg};
use crate::content::{Block, Library, NodeId};
use crate::fmt::section_path;

/// The page of an industry: its own figures first (see `figure_rank`), then the sections about it alone
/// in their parts (the F&S industry chapter, the CCID AI+ section) with the
/// participant maps after the cases and examples, then the blocks about it
/// from other sections, then the sections about several industries that
/// name it. No figure is shown twice.
pub fn build_industry(lib: &Library, industry: usize, opts: LayoutOpts) -> Doc {
    let mut b = Builder::new(lib, opts);
    b.maps_last = true;
    let Some(ind) = lib.industries.get(industry) else { return b.doc };
    let id = ind.id.as_str();
    let plan = lib.industry_plan(id);
    let st = lib.industry_stats(id);
    b.wrapped(&format!("行业：{} {}", ind.name, ind.english.clone().unwrap_or_default()), Role::Title, 0);
    b.wrapped(
        &format!(
            "{} 个章节 {} {} 个案例 {} {} 个示例 {} {} 个图表与指标",
            st.sections, b.g.dot, st.cases, b.g.dot, st.examples, b.g.dot, st.figures
        ),
        Role::Meta,
        0,
    );
    if !ind.aliases.is_empty() {
        b.wrapped(&format!("别名：{}", ind.aliases.join("、")), Role::Meta, 0);
    }
    let block_at = |n: NodeId, i: usize| lib.section(n).and_then(|s| s.blocks.get(i));
    // The industry's names: a figure naming one is about the whole industry.
    let names: Vec<&str> = std::iter::once(ind.name.as_str()).chain(ind.aliases.iter().map(String::as_str)).collect();
    // The lead: the figures tagged with the industry in other sections, and
    // the market size and penetration figures of its own sections.
    let mut lead: Vec<(u8, NodeId, usize, &Block)> = Vec::new();
    for &(n, i) in &plan.blocks {
        if let Some(blk) = block_at(n, i).filter(|x| is_figure(x)) {
            lead.push((figure_rank(blk, &names), n, i, blk));
        }
    }
    fn own_figures<'a>(
        lib: &'a Library,
        n: NodeId,
        (id, names): (&str, &[&str]),
        out: &mut Vec<(u8, NodeId, usize, &'a Block)>,
    ) {
        if let Some(s) = lib.section(n) {
            for (i, blk) in s.blocks.iter().enumerate() {
                if is_figure(blk) && blk.is_about(id, true) {
                    out.push((figure_rank(blk, names), n, i, blk));
                }
            }
            for &c in &lib.nodes[n].children {
                own_figures(lib, c, (id, names), out);
            }
        }
    }
    for &r in &plan.sections {
        own_figures(lib, r, (id, &names), &mut lead);
    }
    // By report, newest first; in a report, by rank, then in reading order.
    let many = lib.report_count() > 1;
    let report = |n: NodeId| lib.nodes.get(n).map_or(0, |x| x.report);
    let newest = lib.newest_first();
    let order = |n: NodeId| newest.get(report(n)).copied().unwrap_or(usize::MAX);
    lead.sort_by_key(|&(rank, n, i, _)| (order(n), rank, n, i));
    // A figure printed alike in several reports is one entry, under the
    // newest report, listing the others.
    let mut entries: Vec<(NodeId, usize, &Block, Vec<usize>)> = Vec::new();
    let mut seen: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
    for &(_, n, i, blk) in &lead {
        let key = postcard::to_stdvec(blk).ok();
        match key.as_ref().and_then(|k| seen.get(k)).copied() {
            Some(e) => {
                let r = report(n);
                if report(entries[e].0) != r && !entries[e].3.contains(&r) {
                    entries[e].3.push(r);
                }
                b.shown.push(blk as *const Block as usize);
            }
            None => {
                if let Some(k) = key {
                    seen.insert(k, entries.len());
                }
                entries.push((n, i, blk, Vec::new()));
            }
        }
    }
    if !entries.is_empty() {
        b.heading("图表与指标", Role::H1);
        let mut last = None;
        let mut last_report = None;
        for (n, i, blk, also) in &entries {
            let (n, i) = (*n, *i);
            if many && last_report != Some(report(n)) {
                last_report = Some(report(n));
                b.heading(&lib.titled_label(report(n)).unwrap_or_default(), Role::H2);
                last = None;
            }
            if last != Some(n) {
                b.blank();
                b.wrapped(&format!("{} {}", b.g.dash, section_path(lib, n)), Role::Meta, 0);
                last = Some(n);
            }
            b.blank();
            b.src = (Some(n), Some(i));
            b.block(blk);
            b.shown.push(*blk as *const Block as usize);
            if !also.is_empty() {
                b.wrapped(&also_in(lib, also), Role::Meta, 0);
            }
        }
    }
    let mut sections = plan.sections.clone();
    sections.sort_by_key(|&n| (order(n), n));
    for &r in &sections {
        if let Some(s) = lib.section(r) {
            b.blank();
            // The full title (the label would repeat its start), and its year
            // in a library.
            let rep = lib.report_of(r);
            let title = rep.map(|x| x.title.clone()).unwrap_or_default();
            let named = match rep.and_then(|x| crate::content::year_of(&x.date)) {
                Some(y) if many => format!("《{title}》 {y}"),
                _ if many => format!("《{title}》"),
                _ => title,
            };
            b.wrapped(&named, Role::Meta, 0);
            b.section(s, r, 1);
        }
    }
    // Blocks about the industry in other sections: the maps among them go
    // with the sections' own maps, after every case and example.
    type Placed<'b> = Vec<(NodeId, usize, &'b Block)>;
    let (maps, rest): (Placed, Placed) = plan
        .blocks
        .iter()
        .filter_map(|&(n, i)| block_at(n, i).map(|blk| (n, i, blk)))
        .filter(|(_, _, blk)| !b.shown.contains(&(*blk as *const Block as usize)))
        .partition(|(_, _, blk)| matches!(blk, Block::Participants(_)));
    let by_section = |b: &mut Builder, blocks: Vec<(NodeId, usize, &Block)>| {
        let mut i = 0;
        while i < blocks.len() {
            let n = blocks[i].0;
            let run: Vec<(NodeId, usize, &Block)> = blocks[i..].iter().take_while(|x| x.0 == n).copied().collect();
            i += run.len();
            b.blank();
            b.anchor(n);
            b.wrapped(&format!("{} {}", b.g.dash, named_path(lib, n)), Role::Meta, 0);
            b.block_run(run.into_iter());
        }
    };
    if !rest.is_empty() {
        b.heading("其他章节中的相关内容", Role::H1);
        by_section(&mut b, rest);
    }
    if !b.deferred.is_empty() || !maps.is_empty() {
        b.heading("参与者图谱", Role::H1);
        b.deferred_maps();
        by_section(&mut b, maps);
    }
    if !plan.see_also.is_empty() {
        b.heading("另见：涉及多个行业的章节", Role::H1);
        for &n in &plan.see_also {
            let inds: Vec<&str> = lib
                .section(n)
                .map(|s| s.industries.iter().filter_map(|i| lib.industry(i)).map(|i| i.name.as_str()).collect())
                .unwrap_or_default();
            let prefix = vec![seg(&format!("{} ", b.g.bullet), Role::Bullet)];
            b.hanging(prefix, &format!("{}（{}）", named_path(lib, n), inds.join("、")), Role::Meta, 2);
        }
    }
    b.finish()
}

/// The most other reports named after a collapsed figure; past it, a count.
const ALSO_NAMED: usize = 8;

/// "同见于：《A 2024》、《B 2023》等 12 份报告": the other reports that print a figure.
fn also_in(lib: &Library, reports: &[usize]) -> String {
    let names: Vec<String> =
        reports.iter().take(ALSO_NAMED).map(|&r| lib.titled_label(r).unwrap_or_default()).collect();
    let more = if reports.len() > ALSO_NAMED { format!("等 {} 份报告", reports.len()) } else { String::new() };
    format!("同见于：{}{more}", names.join("、"))
}

/// [`section_path`] after its report's label, in a library of several reports.
fn named_path(lib: &Library, n: NodeId) -> String {
    match lib.nodes.get(n).and_then(|x| lib.titled_label(x.report)) {
        Some(label) => format!("{label} › {}", section_path(lib, n)),
        None => section_path(lib, n),
    }
}

fn is_figure(b: &Block) -> bool {
    matches!(b, Block::Series(_) | Block::Metrics(_))
}

/// How a figure leads an industry page: market size first, then the
/// figures naming the industry (`names`), penetration first; then the
/// figures about a field of it, a chart before metric cards (制造's
/// smart-home penetration cards come after its industrial-robot chart).
fn figure_rank(b: &Block, names: &[&str]) -> u8 {
    let mut text = b.title().unwrap_or_default().to_string();
    if let Block::Metrics(m) = b {
        m.items.iter().for_each(|x| text.push_str(&x.label));
    }
    let whole = names.iter().any(|n| !n.is_empty() && text.contains(n));
    match (text.contains("市场规模"), whole, text.contains("渗透")) {
        (true, _, _) => 0,
        (false, true, true) => 1,
        (false, true, false) => 2,
        (false, false, _) if matches!(b, Block::Series(_)) => 3,
        (false, false, _) => 4,
    }
}
