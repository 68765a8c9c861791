//! The find-in-page prompt: typing, its history, confirming, and stepping
//! through the matches.

use super::{FindState, Overlay, Prompt, State};
use crate::action::{Action, Effect};

impl State {
    /// The find prompt's actions (`/`, typing, ↑/↓, Enter, `n`/`N`).
    pub(super) fn update_find(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Find => {
                self.overlays.push(Overlay::Find {
                    input: String::new(),
                    origin: self.reader.scroll,
                    cursor: 0,
                    history: None,
                });
            }
            Action::Insert(_)
            | Action::InsertText(_)
            | Action::DeleteChar
            | Action::ClearInput
            | Action::DeleteWord
            | Action::CursorLeft
            | Action::CursorRight
            | Action::CursorHome
            | Action::CursorEnd => {
                let Some(Overlay::Find { input, cursor, .. }) = self.overlays.last_mut() else { return vec![] };
                // Backspace on an empty prompt cancels it, as in less.
                if action == Action::DeleteChar && input.is_empty() {
                    return self.apply(Action::CloseOverlay);
                }
                let mut p = Prompt { input: std::mem::take(input), cursor: *cursor };
                let changed = match &action {
                    Action::Insert(c) => p.insert(c.encode_utf8(&mut [0; 4])),
                    Action::InsertText(t) => p.insert(t),
                    a => p.edit(a),
                };
                (*input, *cursor) = (p.input, p.cursor);
                if changed {
                    self.find_incremental();
                }
            }
            Action::HistoryPrev | Action::HistoryNext => {
                let n = self.find_history.len();
                let Some(Overlay::Find { input, cursor, history, .. }) = self.overlays.last_mut() else {
                    return vec![];
                };
                let next = match (action == Action::HistoryPrev, *history) {
                    (true, None) => n.checked_sub(1),
                    (true, Some(i)) => Some(i.saturating_sub(1)),
                    (false, Some(i)) if i + 1 < n => Some(i + 1),
                    (false, _) => None,
                };
                if next != *history || next.is_none() {
                    *history = next;
                    *input = next.and_then(|i| self.find_history.get(i)).cloned().unwrap_or_default();
                    *cursor = input.chars().count();
                    self.find_incremental();
                }
            }
            Action::Confirm => {
                if let Some(Overlay::Find { input, .. }) = self.overlays.pop() {
                    if input.is_empty() {
                        self.reader.find = FindState::default();
                    } else {
                        self.find_history.retain(|h| *h != input);
                        self.find_history.push(input.clone());
                        if self.find_history.len() > 50 {
                            self.find_history.remove(0);
                        }
                        // Not on the page: on to the first match after it
                        // in the report, else say where the query is.
                        if self.reader.find.matches.is_empty() {
                            self.refresh_report_find();
                            if self.report_find.total() > 0 {
                                self.find_step_report(true);
                            } else {
                                self.message = Some(self.not_found_message());
                            }
                        }
                    }
                }
            }
            Action::FindNext | Action::FindPrev => {
                let forward = action == Action::FindNext;
                if self.reader.find.query.is_empty() {
                    self.message = Some("没有查找：按 / 在本报告中查找".into());
                } else {
                    self.find_step_report(forward);
                }
            }
            _ => {}
        }
        vec![]
    }

    pub(super) fn find_incremental(&mut self) {
        let Some(Overlay::Find { input, origin, .. }) = self.overlays.last() else {
            return;
        };
        let (query, origin) = (input.clone(), *origin);
        self.reader.find.set_query(&query, &self.reader.doc);
        self.refresh_report_find();
        match self.reader.find.first_from(origin) {
            Some(line) => {
                self.scroll_to(origin);
                self.land(line);
            }
            None => self.scroll_to(origin),
        }
    }
}
