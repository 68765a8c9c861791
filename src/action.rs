//! Everything a user can do. Keymaps, the help overlay, the status-bar hints
//! and the tests all name actions, never keys.

use serde::Deserialize;

/// Keymaps name actions in snake_case (`move_down`, `industry_3`).
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// Open the industry switcher.
    Industries,
    /// The next / previous industry, keeping the same part.
    NextIndustry,
    PrevIndustry,
    /// The n-th industry's page (1-based; `industry_1` … `industry_9` in keymaps).
    GotoIndustry(u8),
    /// Draw a bar beside each value of numeric table columns.
    ToggleTableBars,
    /// In the chart view: show the next chart of the page beside this one.
    Compare,
    /// Type a character into a prompt (not bindable: unbound printable keys).
    Insert(char),
    /// Paste text into a prompt (not bindable).
    InsertText(String),
    /// The viewport changed size (sent by the runtime).
    Resize(u16, u16),
    /// Scroll the reader by lines (mouse wheel; not bindable).
    Scroll(i32),
    /// Suspend to the shell, as Ctrl-z does in less and vim (local terminal only).
    Suspend,
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
            Action::Industries => "industries",
            Action::NextIndustry => "next industry (same part)",
            Action::PrevIndustry => "previous industry (same part)",
            Action::GotoIndustry(_) => "n-th industry",
            Action::ToggleTableBars => "bars in numeric table columns",
            Action::Compare => "compare with the next chart",
            Action::Insert(_) | Action::InsertText(_) => "type",
            Action::Resize(..) => "resize",
            Action::Scroll(_) => "scroll",
            Action::Suspend => "suspend to the shell",
        }
    }

    /// The name used in keymap files.
    /// Every action a keymap can name.
    pub fn bindable() -> Vec<Action> {
        use Action::*;
        let mut v = vec![
            Quit,
            MoveUp,
            MoveDown,
            Open,
            Back,
            Top,
            Bottom,
            PageDown,
            PageUp,
            FocusNext,
            Find,
            FindNext,
            FindPrev,
            Help,
            CloseOverlay,
            Confirm,
            DeleteChar,
            ClearInput,
            ToggleCompactTables,
            Search,
            Industries,
            NextIndustry,
            PrevIndustry,
            ToggleTableBars,
            Compare,
            Suspend,
        ];
        v.extend((1..=9).map(GotoIndustry));
        v
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::bindable().into_iter().find(|a| a.name() == name)
    }

    pub fn name(&self) -> String {
        if let Action::GotoIndustry(n) = self {
            return format!("industry_{n}");
        }
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

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Action::from_name(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown action {s}")))
    }
}

/// What `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
    /// Stop the process and give the terminal back to the shell until resumed.
    Suspend,
}
