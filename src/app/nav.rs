//! The navigation tree: reports, chapters and sections, expandable.

use crate::content::{Library, NodeId};
use std::collections::HashSet;

/// The most reports whose chapters the tree shows at start.
pub const EXPANDED_REPORTS: usize = 8;

#[derive(Debug, Clone)]
pub struct NavState {
    pub expanded: HashSet<NodeId>,
    pub selected: NodeId,
    /// First visible row of the tree.
    pub offset: usize,
    roots: Vec<NodeId>,
}

impl NavState {
    /// The reports start expanded; in a library of more than
    /// [`EXPANDED_REPORTS`] reports, only the first, so that the tree lists
    /// the reports one a row.
    pub fn new(lib: &Library) -> NavState {
        let roots: Vec<NodeId> = (0..lib.nodes.len()).filter(|&n| lib.nodes[n].parent.is_none()).collect();
        let open = if roots.len() > EXPANDED_REPORTS { 1 } else { roots.len() };
        NavState { expanded: roots.iter().take(open).copied().collect(), selected: 0, offset: 0, roots }
    }

    pub fn is_expanded(&self, n: NodeId) -> bool {
        self.expanded.contains(&n)
    }

    pub fn has_children(&self, lib: &Library, n: NodeId) -> bool {
        lib.nodes.get(n).is_some_and(|x| !x.children.is_empty())
    }

    pub fn expand(&mut self, n: NodeId) {
        self.expanded.insert(n);
    }

    /// The rows of the tree as shown: expanded nodes show their children.
    pub fn visible(&self, lib: &Library) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack: Vec<NodeId> = self.roots.iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            out.push(n);
            if let Some(node) = lib.nodes.get(n).filter(|_| self.expanded.contains(&n)) {
                stack.extend(node.children.iter().rev());
            }
        }
        out
    }

    pub fn selected_row(&self, lib: &Library) -> usize {
        self.visible(lib).iter().position(|&n| n == self.selected).unwrap_or(0)
    }

    pub fn move_by(&mut self, lib: &Library, delta: isize) {
        let rows = self.visible(lib);
        if rows.is_empty() {
            return;
        }
        let cur = rows.iter().position(|&n| n == self.selected).unwrap_or(0) as isize;
        let next = (cur.saturating_add(delta)).clamp(0, rows.len() as isize - 1);
        self.selected = rows[next as usize];
    }

    /// Collapse the selected node, or go to its parent.
    pub fn back(&mut self, lib: &Library) {
        if self.expanded.contains(&self.selected) && self.has_children(lib, self.selected) {
            self.expanded.remove(&self.selected);
        } else if let Some(p) = lib.nodes.get(self.selected).and_then(|n| n.parent) {
            self.selected = p;
        }
    }

    /// Select a node, expanding its ancestors so it is visible.
    pub fn reveal(&mut self, lib: &Library, node: NodeId) {
        for a in lib.ancestry(node) {
            if a != node {
                self.expanded.insert(a);
            }
        }
        self.selected = node;
    }

    /// Scroll the tree so the selected row is within `height` rows, and
    /// no rows stay hidden above while the space below is empty.
    pub fn ensure_visible(&mut self, lib: &Library, height: usize) {
        let rows = self.visible(lib);
        let row = rows.iter().position(|&n| n == self.selected).unwrap_or(0);
        let h = height.max(1);
        self.offset = self.offset.min(rows.len().saturating_sub(h));
        if row < self.offset {
            self.offset = row;
        } else if row >= self.offset + h {
            self.offset = row + 1 - h;
        }
    }
}
