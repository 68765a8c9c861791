//! What must hold of a `State` after every action, whatever came before:
//! checked after every step of the walk, the random runs and the `app`
//! fuzz target (which otherwise check only the pixels drawn).

use super::{Overlay, State};
use crate::app::memory::MAX_JUMPS;
use crate::state::{MAX_FIND_HISTORY, MAX_MARKS, NOTE_TEXT};

impl State {
    /// `Ok`, or the first invariant broken, said in words.
    pub fn check_invariants(&self) -> Result<(), String> {
        // The reader: its scroll within the page laid out.
        let max = self.max_scroll();
        if self.reader.scroll > max {
            return Err(format!("reader scroll {} past its end {max}", self.reader.scroll));
        }
        // The tree: the selected row is one of the rows shown.
        let rows = self.nav.visible(&self.lib);
        if !rows.is_empty() && !rows.contains(&self.nav.selected) {
            return Err(format!("tree selection {:?} is not a visible row", self.nav.selected));
        }
        // Each overlay's selection within its list.
        let within = |what: &str, i: usize, len: usize| {
            if (len == 0 && i == 0) || i < len { Ok(()) } else { Err(format!("{what}: selection {i} of {len}")) }
        };
        for o in &self.overlays {
            match o {
                Overlay::Find { input, cursor, .. } => {
                    if *cursor > input.chars().count() {
                        return Err(format!("find cursor {cursor} past the input's end"));
                    }
                }
                Overlay::Search(s) => within("finder", s.selected, s.hits.len())?,
                Overlay::Company(c) => within("company mentions", c.selected, c.mentions.len())?,
                Overlay::Links(l) => within("company links", l.selected, l.companies.len())?,
                Overlay::Industries { selected } => within("industry switcher", *selected, self.lib.industries.len())?,
                Overlay::Chart(c) => {
                    within("chart view", c.index, c.charts.len())?;
                    if let Some(p) = c.compare {
                        within("chart compare", p, c.charts.len())?;
                    }
                }
                Overlay::Marks { selected, .. } => within("marks list", *selected, self.memory.marks.len())?,
                Overlay::Notes(l) => {
                    within("notes list", l.selected, l.shown.len())?;
                    if l.shown.iter().any(|&i| i >= self.memory.notes.len()) {
                        return Err("notes list: a note past the notes".into());
                    }
                }
                Overlay::Figures(l) => {
                    within("figure list", l.selected, l.shown.len())?;
                    if l.shown.iter().chain(&l.pick).any(|&i| i >= l.all.len()) {
                        return Err("figure list: an item past the list".into());
                    }
                }
                Overlay::Command(c) => {
                    if c.prompt.cursor > c.prompt.input.chars().count() {
                        return Err("command line: cursor past the input's end".into());
                    }
                }
                Overlay::Measures(v) => within("measures list", v.selected, v.cmp.row_count())?,
                Overlay::NotePrompt(p) => {
                    let n = p.input.chars().count();
                    if p.cursor > n || n > NOTE_TEXT {
                        return Err(format!("note prompt: cursor {} in {n} characters", p.cursor));
                    }
                }
                Overlay::Help { .. } | Overlay::Table(_) | Overlay::Copy(_) => {}
            }
        }
        // The reading memory within its bounds.
        let m = &self.memory;
        if m.marks.len() > MAX_MARKS {
            return Err(format!("{} marks, more than {MAX_MARKS}", m.marks.len()));
        }
        if m.jumps.len() > MAX_JUMPS + 1 || m.jump_ix > m.jumps.len() {
            return Err(format!("jump list: {} entries, at {}", m.jumps.len(), m.jump_ix));
        }
        if self.find_history.len() > MAX_FIND_HISTORY {
            return Err(format!("{} queries in the find history", self.find_history.len()));
        }
        Ok(())
    }
}
