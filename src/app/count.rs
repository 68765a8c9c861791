//! Counts for motions, as in vim and less: `5j`, `10G`, `3 Space`. Digits
//! are counts (industries are `i` then a digit); the count waits in the
//! status line until a motion takes it, and any other key drops it.

use super::{Focus, State};
use crate::action::{Action, Effect};

/// The largest count (more digits are not taken).
pub const MAX_COUNT: usize = 9999;

impl State {
    /// A digit typed: start or extend the pending count.
    pub(super) fn type_count(&mut self, digit: u8) {
        if !self.overlays.is_empty() {
            return;
        }
        let d = usize::from(digit.min(9));
        self.count = match self.count {
            None if d == 0 => {
                self.message = Some("计数以 1-9 开头（如 10G）；行业：按 i 再按数字".into());
                None
            }
            None => Some(d),
            Some(c) => Some(c.saturating_mul(10).saturating_add(d).min(MAX_COUNT)),
        };
    }

    /// Apply `action` with a count: a motion `n` times (or to line `n`
    /// with `G` and `g g`); any other action once, the count dropped.
    pub(super) fn apply_counted(&mut self, action: Action, n: usize) -> Vec<Effect> {
        if !self.overlays.is_empty() {
            return self.apply(action);
        }
        match action {
            Action::MoveDown | Action::MoveUp | Action::Top | Action::Bottom => {
                self.message = None;
                self.count_motion(&action, n);
                vec![]
            }
            // Repeated, each step as one key (paging on into the next
            // section, `n` into the next match), until nothing moves.
            Action::PageDown
            | Action::PageUp
            | Action::HalfPageDown
            | Action::HalfPageUp
            | Action::FindNext
            | Action::FindPrev
            | Action::NextSection
            | Action::PrevSection => {
                let mut effects = Vec::new();
                for _ in 0..n {
                    let before = (self.page(), self.reader.scroll, self.reader.find.current, self.nav.selected_node());
                    effects.extend(self.apply(action.clone()));
                    let after = (self.page(), self.reader.scroll, self.reader.find.current, self.nav.selected_node());
                    if before == after {
                        break;
                    }
                }
                effects
            }
            a => self.apply(a),
        }
    }

    /// `5j`, `5k`: five lines (tree rows); `10G`, `10 g g`: line (row) 10.
    fn count_motion(&mut self, action: &Action, n: usize) {
        let steps = isize::try_from(n).unwrap_or(isize::MAX / 2);
        match (self.focus, action) {
            (Focus::Reader, Action::MoveDown) => self.scroll_focus(steps),
            (Focus::Reader, Action::MoveUp) => self.scroll_focus(-steps),
            (Focus::Reader, _) => self.land(n.saturating_sub(1)),
            (Focus::Nav, _) => {
                let delta = match action {
                    Action::MoveDown => steps,
                    Action::MoveUp => -steps,
                    _ => {
                        self.nav.move_by(&self.lib, isize::MIN / 2);
                        steps - 1
                    }
                };
                self.nav.move_by(&self.lib, delta);
                self.fix_nav();
                if let Some(sel) = self.nav.selected_node() {
                    self.show(sel);
                }
            }
        }
    }
}
