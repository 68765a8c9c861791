//! Everything a user can do. Keymaps, the help overlay, the status-bar hints
//! and the tests all name actions, never keys.

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    MoveUp,
    MoveDown,
    /// Expand the selected tree node, or move into the reading pane.
    Open,
    /// Collapse or go to the parent in the tree; from the reader, back to the tree.
    Back,
    Top,
    Bottom,
    PageDown,
    PageUp,
    FocusNext,
    /// Open the find-in-page prompt.
    Find,
    FindNext,
    FindPrev,
    Help,
    CloseOverlay,
    /// Accept the text typed into a prompt.
    Confirm,
    /// Delete the character before the cursor in a prompt.
    DeleteChar,
    /// Clear the text of a prompt.
    ClearInput,
    /// Show table cells on one truncated line each, or wrapped in full.
    ToggleCompactTables,
    /// Open the finder: search across both reports.
    Search,
    /// Type a character into a prompt (not bindable: unbound printable keys).
    #[serde(skip)]
    Insert(char),
    /// Paste text into a prompt (not bindable).
    #[serde(skip)]
    InsertText(String),
    /// The viewport changed size (sent by the runtime).
    #[serde(skip)]
    Resize(u16, u16),
    /// Scroll the reader by lines (mouse wheel; not bindable).
    #[serde(skip)]
    Scroll(i32),
}

impl Action {
    /// What the action does, for the help overlay and key hints.
    pub fn describe(&self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::MoveUp => "move up",
            Action::MoveDown => "move down",
            Action::Open => "open / expand",
            Action::Back => "back / collapse",
            Action::Top => "go to top",
            Action::Bottom => "go to bottom",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::FocusNext => "switch pane",
            Action::Find => "find in page",
            Action::FindNext => "next match",
            Action::FindPrev => "previous match",
            Action::Help => "help",
            Action::CloseOverlay => "close",
            Action::Confirm => "accept",
            Action::DeleteChar => "delete character",
            Action::ClearInput => "clear input",
            Action::ToggleCompactTables => "compact / full tables",
            Action::Search => "search everything",
            Action::Insert(_) | Action::InsertText(_) => "type",
            Action::Resize(..) => "resize",
            Action::Scroll(_) => "scroll",
        }
    }

    /// The name used in keymap files.
    pub fn name(&self) -> String {
        let d = format!("{self:?}");
        let d = d.split('(').next().unwrap_or(&d);
        let mut out = String::new();
        for (i, c) in d.chars().enumerate() {
            if c.is_uppercase() {
                if i > 0 {
                    out.push('_');
                }
                out.extend(c.to_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// What `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
}
