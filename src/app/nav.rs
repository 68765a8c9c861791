//! The navigation tree: reports, chapters and sections, expandable; in a
//! library of more than [`GROUP_REPORTS`] reports, the reports gathered in
//! groups (by publisher or by year) at the top level.

use crate::action::Effect;
use crate::content::{Library, NodeId};
use std::collections::HashSet;
use std::sync::Arc;

/// The most reports whose chapters the tree shows at start.
pub const EXPANDED_REPORTS: usize = 8;
/// A library of more reports than this has its reports grouped at the top
/// level of the tree (the same bound as `EXPANDED_REPORTS`: past it, the
/// reports no longer fit a screen with their chapters).
pub const GROUP_REPORTS: usize = EXPANDED_REPORTS;
/// The group of reports without a publisher, or without a year.
pub const UNKNOWN_GROUP: &str = "未注明";

/// How the tree's top level groups the reports of a large library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grouping {
    /// By the publisher of `report.yaml`, in the order of each publisher's
    /// newest report.
    #[default]
    Publisher,
    /// By the year of the report's date, newest first.
    Year,
    /// No groups: the reports one a row, as in a small library.
    None,
}

impl Grouping {
    /// `o`: publisher → year → none → publisher.
    pub fn next(self) -> Grouping {
        match self {
            Grouping::Publisher => Grouping::Year,
            Grouping::Year => Grouping::None,
            Grouping::None => Grouping::Publisher,
        }
    }

    /// How the tree's title and the status line name it.
    pub fn label(self) -> &'static str {
        match self {
            Grouping::Publisher => "按发布方",
            Grouping::Year => "按年份",
            Grouping::None => "不分组",
        }
    }

    /// The name kept in the state file.
    pub fn name(self) -> &'static str {
        match self {
            Grouping::Publisher => "publisher",
            Grouping::Year => "year",
            Grouping::None => "none",
        }
    }

    pub fn from_name(s: &str) -> Option<Grouping> {
        [Grouping::Publisher, Grouping::Year, Grouping::None].into_iter().find(|g| g.name() == s)
    }
}

/// A row of the tree: a group of reports, or a report, chapter or section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Row {
    /// The index of a group in [`NavState::groups`].
    Group(usize),
    Node(NodeId),
}

impl Row {
    pub fn node(self) -> Option<NodeId> {
        match self {
            Row::Node(n) => Some(n),
            Row::Group(_) => None,
        }
    }
}

/// A group of reports: its name and its reports' nodes, in library order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    pub reports: Vec<NodeId>,
}

#[derive(Debug, Clone)]
pub struct NavState {
    pub expanded: HashSet<NodeId>,
    pub selected: Row,
    /// First visible row of the tree.
    pub offset: usize,
    roots: Vec<NodeId>,
    grouping: Grouping,
    /// The groups in force (empty when the reports are not grouped).
    groups: Vec<Group>,
    /// The groups shown open.
    open: HashSet<usize>,
}

impl NavState {
    /// The reports start expanded; in a library of more than
    /// `EXPANDED_REPORTS` reports, only the first, so that the tree lists
    /// the reports one a row, and with more than [`GROUP_REPORTS`] the
    /// reports are grouped by publisher, only the first report's group open.
    pub fn new(lib: &Library) -> NavState {
        let roots: Vec<NodeId> = (0..lib.nodes.len()).filter(|&n| lib.nodes[n].parent.is_none()).collect();
        let open = if roots.len() > EXPANDED_REPORTS { 1 } else { roots.len() };
        let mut nav = NavState {
            expanded: roots.iter().take(open).copied().collect(),
            selected: Row::Node(0),
            offset: 0,
            roots,
            grouping: Grouping::default(),
            groups: Vec::new(),
            open: HashSet::new(),
        };
        nav.regroup(lib);
        nav.open.extend(nav.group_of(lib, 0));
        nav
    }

    /// Whether the library is large enough for its reports to be grouped.
    pub fn groupable(&self) -> bool {
        self.roots.len() > GROUP_REPORTS
    }

    /// The grouping chosen (in force only in a [`groupable`](Self::groupable) library).
    pub fn grouping(&self) -> Grouping {
        self.grouping
    }

    /// The groups in force: empty when the reports are not grouped.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    pub fn is_group_open(&self, g: usize) -> bool {
        self.open.contains(&g)
    }

    /// Group the reports another way. The group holding `current` (the
    /// report read) starts open, and the selected node stays selected; a
    /// selected group gives way to the new group of its first report.
    pub fn set_grouping(&mut self, lib: &Library, grouping: Grouping, current: NodeId) {
        let first_of_group = match self.selected {
            Row::Group(g) => self.groups.get(g).and_then(|g| g.reports.first().copied()),
            Row::Node(_) => None,
        };
        self.grouping = grouping;
        self.regroup(lib);
        self.open.clear();
        self.open.extend(self.group_of(lib, current));
        match (self.selected, first_of_group) {
            (Row::Node(n), _) => self.reveal(lib, n),
            (Row::Group(_), Some(r)) => {
                self.selected = match self.group_of(lib, r) {
                    Some(g) => Row::Group(g),
                    None => Row::Node(r),
                };
            }
            (Row::Group(_), None) => self.selected = Row::Node(current.min(lib.nodes.len().saturating_sub(1))),
        }
        self.offset = 0;
    }

    /// Close every group (the selection moves to its group's row if it was
    /// inside one).
    pub fn close_groups(&mut self, lib: &Library) {
        self.open.clear();
        if let Some(g) = self.selected.node().and_then(|n| self.group_of(lib, n)) {
            self.selected = Row::Group(g);
        }
    }

    fn regroup(&mut self, lib: &Library) {
        self.groups.clear();
        if !self.groupable() || self.grouping == Grouping::None {
            return;
        }
        let mut names: Vec<String> = Vec::new();
        for &r in &self.roots {
            let head = lib.report_head_of(r);
            let name = match self.grouping {
                Grouping::Publisher => head.map(|h| h.publisher.trim().to_string()).unwrap_or_default(),
                _ => head.and_then(|h| year(&h.date)).unwrap_or_default(),
            };
            let name = if name.is_empty() { UNKNOWN_GROUP.to_string() } else { name };
            match names.iter().position(|x| *x == name) {
                Some(i) => self.groups[i].reports.push(r),
                None => {
                    names.push(name.clone());
                    self.groups.push(Group { name, reports: vec![r] });
                }
            }
        }
        // Within a group, the newest report first (the undated last; equal
        // dates keep the library's order).
        let newest = lib.newest_first();
        let rank = |r: NodeId| lib.nodes.get(r).and_then(|x| newest.get(x.report)).copied().unwrap_or(usize::MAX);
        for g in &mut self.groups {
            g.reports.sort_by_key(|&r| (rank(r), r));
        }
        if self.grouping == Grouping::Year {
            // Newest first, the undated last (the sort is stable: the
            // reports keep their order within a year).
            self.groups.sort_by(|a, b| {
                let key = |g: &Group| (g.name == UNKNOWN_GROUP, std::cmp::Reverse(g.name.clone()));
                key(a).cmp(&key(b))
            });
        }
    }

    /// The group holding a node's report, when the reports are grouped.
    pub fn group_of(&self, lib: &Library, n: NodeId) -> Option<usize> {
        let root = *lib.ancestry(n).first()?;
        self.groups.iter().position(|g| g.reports.contains(&root))
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

    /// The rows of the tree as shown: open groups show their reports,
    /// expanded nodes their children. The renderer and the mouse's hit
    /// test both read this list.
    pub fn visible(&self, lib: &Library) -> Vec<Row> {
        let mut out = Vec::new();
        if self.groups.is_empty() {
            self.push_nodes(lib, &self.roots, &mut out);
            return out;
        }
        for (g, group) in self.groups.iter().enumerate() {
            out.push(Row::Group(g));
            if self.open.contains(&g) {
                self.push_nodes(lib, &group.reports, &mut out);
            }
        }
        out
    }

    fn push_nodes(&self, lib: &Library, roots: &[NodeId], out: &mut Vec<Row>) {
        let mut stack: Vec<NodeId> = roots.iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            out.push(Row::Node(n));
            if let Some(node) = lib.nodes.get(n).filter(|_| self.expanded.contains(&n)) {
                stack.extend(node.children.iter().rev());
            }
        }
    }

    /// How deep a row is drawn: a group at 0, a report inside a group at 1.
    pub fn indent(&self, lib: &Library, row: Row) -> usize {
        match row {
            Row::Group(_) => 0,
            Row::Node(n) => lib.nodes.get(n).map_or(0, |x| x.depth) + usize::from(!self.groups.is_empty()),
        }
    }

    pub fn selected_row(&self, lib: &Library) -> usize {
        self.visible(lib).iter().position(|&r| r == self.selected).unwrap_or(0)
    }

    /// The selected node; `None` on a group's row.
    pub fn selected_node(&self) -> Option<NodeId> {
        self.selected.node()
    }

    pub fn move_by(&mut self, lib: &Library, delta: isize) {
        let rows = self.visible(lib);
        if rows.is_empty() {
            return;
        }
        let cur = rows.iter().position(|&r| r == self.selected).unwrap_or(0) as isize;
        let next = (cur.saturating_add(delta)).clamp(0, rows.len() as isize - 1);
        self.selected = rows[next as usize];
    }

    /// Enter on the selected row: open a closed group or expand a node
    /// (true), or neither (false: the caller moves on into the reader). On
    /// an open group, the selection goes down to its first report.
    pub fn open(&mut self, lib: &Library) -> bool {
        match self.selected {
            Row::Group(g) => {
                if !self.open.insert(g)
                    && let Some(&r) = self.groups.get(g).and_then(|x| x.reports.first())
                {
                    self.selected = Row::Node(r);
                }
                true
            }
            Row::Node(n) if self.has_children(lib, n) && !self.is_expanded(n) => {
                self.expand(n);
                true
            }
            Row::Node(_) => false,
        }
    }

    /// Collapse the selected node or group, or go to its parent (a report's
    /// parent is its group).
    pub fn back(&mut self, lib: &Library) {
        match self.selected {
            Row::Group(g) => {
                self.open.remove(&g);
            }
            Row::Node(n) if self.expanded.contains(&n) && self.has_children(lib, n) => {
                self.expanded.remove(&n);
            }
            Row::Node(n) => match lib.nodes.get(n).and_then(|x| x.parent) {
                Some(p) => self.selected = Row::Node(p),
                None => {
                    if let Some(g) = self.group_of(lib, n) {
                        self.selected = Row::Group(g);
                    }
                }
            },
        }
    }

    /// Select a node, opening its group and expanding its ancestors so it is visible.
    pub fn reveal(&mut self, lib: &Library, node: NodeId) {
        for a in lib.ancestry(node) {
            if a != node {
                self.expanded.insert(a);
            }
        }
        self.open.extend(self.group_of(lib, node));
        self.selected = Row::Node(node);
    }

    /// Scroll the tree so the selected row is within `height` rows, and
    /// no rows stay hidden above while the space below is empty.
    pub fn ensure_visible(&mut self, lib: &Library, height: usize) {
        let rows = self.visible(lib);
        let row = rows.iter().position(|&r| r == self.selected).unwrap_or(0);
        let h = height.max(1);
        self.offset = self.offset.min(rows.len().saturating_sub(h));
        if row < self.offset {
            self.offset = row;
        } else if row >= self.offset + h {
            self.offset = row + 1 - h;
        }
    }
}

impl super::State {
    /// `o`: the next grouping of the tree's top level, in a library of more
    /// than [`GROUP_REPORTS`] reports (a smaller one is never grouped).
    pub(super) fn cycle_grouping(&mut self) -> Vec<Effect> {
        if !self.nav.groupable() {
            self.message = Some(format!("报告不多于 {GROUP_REPORTS} 份，目录不分组"));
            return vec![];
        }
        self.set_grouping(self.nav.grouping().next());
        let how = match self.nav.grouping() {
            Grouping::None => "不分组".to_string(),
            g => format!("{}分组", g.label()),
        };
        self.message = Some(format!("目录{how}（o 切换）"));
        vec![Effect::SaveState]
    }

    /// Group the tree's reports another way, the report read staying in view.
    pub fn set_grouping(&mut self, grouping: Grouping) {
        let lib = Arc::clone(&self.lib);
        self.nav.set_grouping(&lib, grouping, self.reader.node);
        self.fix_nav();
    }
}

/// The year of a date (`2025-08-28`, `2025-04`, `2025`), as "2025年".
fn year(date: &str) -> Option<String> {
    let y: String = date.trim().chars().take(4).collect();
    (y.len() == 4 && y.chars().all(|c| c.is_ascii_digit())).then(|| format!("{y}年"))
}
