//! Industry pages: the places about an industry, and what they hold.

use super::{Block, Library, NodeId, Section};

/// What an industry page shows: see `Library::industry_plan`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IndustryPlan {
    /// The outermost sections about the industry alone (the F&S industry
    /// chapter, the CCID AI+ section), in reading order; shown whole.
    pub sections: Vec<NodeId>,
    /// (section, block index): blocks tagged with the industry in other sections.
    pub blocks: Vec<(NodeId, usize)>,
    /// Sections about several industries, this one among them, holding no
    /// block tagged with it.
    pub see_also: Vec<NodeId>,
}

/// What `Library::industry_stats` counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct IndustryStats {
    pub sections: usize,
    /// The source's case studies (`case`).
    pub cases: usize,
    /// One-line examples from running text (`example`).
    pub examples: usize,
    pub figures: usize,
}

impl Library {
    /// The places tagged with an industry whose parent is not: the
    /// industry's sections in both reports, in reading order.
    pub fn industry_roots(&self, id: &str) -> Vec<NodeId> {
        let tagged = |n: NodeId| self.head_section(n).is_some_and(|s| s.industries.iter().any(|i| i == id));
        (0..self.nodes.len()).filter(|&n| tagged(n) && !self.nodes[n].parent.is_some_and(tagged)).collect()
    }

    /// What an industry's page shows: the sections about it alone, whole;
    /// the blocks tagged with it in other sections; and the sections about
    /// several industries, it among them, with no block tagged with it.
    /// Worked out once per industry of the registry (it reads every
    /// section's blocks, so every report), then remembered.
    pub fn industry_plan(&self, id: &str) -> IndustryPlan {
        match self.industry_memo(id) {
            Some(m) => m.0.clone(),
            None => self.plan_of(id),
        }
    }

    /// The plan and the counts of an industry of the registry, made on first use.
    fn industry_memo(&self, id: &str) -> Option<&(IndustryPlan, IndustryStats)> {
        let cell = self.industry_memo.get(*self.industry_ix.get(id)?)?;
        Some(cell.get_or_init(|| {
            let plan = self.plan_of(id);
            let stats = self.stats_of(id, &plan);
            (plan, stats)
        }))
    }

    fn plan_of(&self, id: &str) -> IndustryPlan {
        let mut plan = IndustryPlan::default();
        // Nodes are numbered in reading order, parents first: whether a
        // node is within a listed section is its parent's answer, or its own.
        let mut in_sections = vec![false; self.nodes.len()];
        let mut in_see_also = vec![false; self.nodes.len()];
        for n in 0..self.nodes.len() {
            let parent = self.nodes[n].parent.filter(|&p| p < n);
            if let Some(p) = parent {
                in_sections[n] = in_sections[p];
                in_see_also[n] = in_see_also[p];
            }
            if in_sections[n] {
                continue;
            }
            let Some(s) = self.section(n) else { continue };
            if s.industries.len() == 1 && s.industries[0] == id {
                plan.sections.push(n);
                in_sections[n] = true;
                continue;
            }
            let before = plan.blocks.len();
            plan.blocks
                .extend(s.blocks.iter().enumerate().filter(|(_, b)| b.industries().contains(&id)).map(|(i, _)| (n, i)));
            if plan.blocks.len() == before && s.industries.iter().any(|i| i == id) && !in_see_also[n] {
                plan.see_also.push(n);
                in_see_also[n] = true;
            }
        }
        plan
    }

    /// Sections, cases, examples and figures (series and metrics) about an
    /// industry, as its page shows them: in the sections about it alone,
    /// the blocks not tagged with other industries only; elsewhere, the
    /// blocks tagged with it. Counted once per industry of the registry.
    pub fn industry_stats(&self, id: &str) -> IndustryStats {
        match self.industry_memo(id) {
            Some(m) => m.1,
            None => self.stats_of(id, &self.plan_of(id)),
        }
    }

    fn stats_of(&self, id: &str, plan: &IndustryPlan) -> IndustryStats {
        let mut st = IndustryStats::default();
        let count = |b: &Block, st: &mut IndustryStats| match b {
            Block::Case(_) => st.cases += 1,
            Block::Example(_) => st.examples += 1,
            Block::Series(_) | Block::Metrics(_) => st.figures += 1,
            _ => {}
        };
        fn walk(lib: &Library, n: NodeId, f: &mut dyn FnMut(NodeId, &Section)) {
            if let Some(s) = lib.section(n) {
                f(n, s);
                for &c in &lib.nodes[n].children {
                    walk(lib, c, f);
                }
            }
        }
        for &r in &plan.sections {
            walk(self, r, &mut |_, s| {
                st.sections += 1;
                s.blocks.iter().filter(|b| b.is_about(id, true)).for_each(|b| count(b, &mut st));
            });
        }
        let mut last = None;
        for &(n, i) in &plan.blocks {
            if last != Some(n) {
                st.sections += 1;
                last = Some(n);
            }
            if let Some(b) = self.section(n).and_then(|s| s.blocks.get(i)) {
                count(b, &mut st);
            }
        }
        st
    }

    /// The industry a place is about: the nearest section at or above it
    /// tagged with industries, when that section is about one industry
    /// alone, as (industry id, that section). `None` in a section about
    /// several (see `about_several`).
    pub fn industry_of(&self, n: NodeId) -> Option<(String, NodeId)> {
        let (a, s) = self.nearest_tagged(n)?;
        (s.industries.len() == 1).then(|| (s.industries[0].clone(), a))
    }

    /// Whether the nearest tagged section at or above `n` is about several industries.
    pub fn about_several(&self, n: NodeId) -> bool {
        self.nearest_tagged(n).is_some_and(|(_, s)| s.industries.len() > 1)
    }

    fn nearest_tagged(&self, n: NodeId) -> Option<(NodeId, &Section)> {
        self.ancestry(n)
            .into_iter()
            .rev()
            .find_map(|a| self.head_section(a).filter(|s| !s.industries.is_empty()).map(|s| (a, s)))
    }
}
