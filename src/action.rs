//! Everything a user can do. Keymaps, the help overlay, the status-bar hints
//! and the tests all name actions, never keys.

use serde::Deserialize;
use strum::IntoEnumIterator;

/// Keymaps name actions in snake_case (`move_down`, `industry_3`): the names
/// are derived (`strum`), and `Action::iter()` lists every variant (those with
/// a payload once, with a default one).
#[derive(Debug, Clone, PartialEq, Eq, strum::EnumIter, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
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
    /// Half a page down / up (ctrl-d / ctrl-u, as in less and vim).
    HalfPageDown,
    HalfPageUp,
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
    /// In the find prompt: move the cursor, delete the word before it, and
    /// recall earlier queries.
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    DeleteWord,
    HistoryPrev,
    HistoryNext,
    /// Show table cells on one truncated line each, or wrapped in full.
    ToggleCompactTables,
    /// Open the finder: search across both reports.
    Search,
    /// Reopen the finder with the last query, results and selection.
    ResumeSearch,
    /// List the companies named in the lines in view (`K`), to open one's page.
    CompanyLinks,
    /// Open the industry switcher.
    Industries,
    /// The next / previous industry, keeping the same part.
    NextIndustry,
    PrevIndustry,
    /// The n-th industry's page (1-based; `industry_1` … `industry_31` in keymaps;
    /// `i` then 1-9, `0` for the 10th and `)` for the 11th, then the
    /// switcher's free letters by default).
    GotoIndustry(u8),
    /// A digit of a count for the next motion (`5j`, `10G`, `3 Space`, as in
    /// vim and less; `count_0` … `count_9` in keymaps).
    Count(u8),
    /// Draw a bar beside each value of numeric table columns.
    ToggleTableBars,
    /// In the chart view: show the next chart of the page beside this one.
    Compare,
    /// `=`: the focused chart's or metric's measure in every report of the
    /// library (one row per report and year).
    CompareFigure,
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
    /// In the table view: scroll the columns right of the frozen first one
    /// by a column, or to the first / last ones.
    ColumnLeft,
    ColumnRight,
    FirstColumn,
    LastColumn,
    /// Copy the unit at the top of the reader (or the finder's selected
    /// result, or the chart shown) with its citation; pressed again right
    /// after a copy, show the copied text.
    Copy,
    /// Copy the section at the top of the reader as Markdown.
    CopySection,
    /// Hide the tree (the reader takes the screen) or show it again.
    ToggleTree,
    /// The tree pane wider / narrower.
    WidenTree,
    NarrowTree,
    /// A left click at a cell (column, row), with `--mouse`; not bindable.
    Click(u16, u16),
    /// The wheel turned over a cell (column, row): lines, down positive; not bindable.
    Wheel(u16, u16, i8),
    /// `m`: the next letter sets a mark at the reading position.
    SetMark,
    /// `'`: the next letter jumps to its mark (`'` again: back where the last jump came from).
    GotoMark,
    /// List the marks.
    Marks,
    /// In the marks list: delete the selected mark.
    DeleteMark,
    /// Back / forward in the jump list (ctrl-o / ctrl-t, as in vim and a browser).
    JumpBack,
    JumpForward,
    /// In the tree of a large library: group the reports by publisher, by
    /// year, or not at all (`o`, in turn).
    CycleGrouping,
    /// The next / previous section in reading order (`}` / `{`).
    NextSection,
    PrevSection,
    /// Add a note to the focused block (a prompt for its text).
    AddNote,
    /// Highlight the focused block (again: take the highlight off).
    Highlight,
    /// List the notes and highlights.
    Notes,
    /// In the notes list: delete the selected note.
    DeleteNote,
    /// In the notes list: edit the selected note's text.
    EditNote,
    /// In the notes list: bring back the note last deleted.
    UndoDelete,
    /// The figure list (图表目录): every chart, table, metric group and figure caption, numbered.
    Figures,
    /// In the figure list: this report or the whole library.
    ToggleScope,
    /// The `:` command line (`:3.1`, `:50%`, `:图3-2`, `:q`, …).
    CommandLine,
    /// In the command line: complete a command, section or figure number.
    Complete,
    /// Set the mark named by a letter (the key after `m`; not bindable).
    MarkSet(char),
    /// Jump to the mark named by a letter, or `'` for the last jump's
    /// origin (the key after `'`; not bindable).
    MarkJump(char),
}

impl Action {
    /// What the action does, for the help overlay and key hints.
    pub fn describe(&self) -> &'static str {
        match self {
            Action::Quit => "退出",
            Action::MoveUp => "上移",
            Action::MoveDown => "下移",
            Action::Open => "打开 / 展开",
            Action::Back => "返回 / 折叠",
            Action::Top => "到开头",
            Action::Bottom => "到末尾",
            Action::PageDown => "下翻一页",
            Action::PageUp => "上翻一页",
            Action::HalfPageDown => "下翻半页",
            Action::HalfPageUp => "上翻半页",
            Action::FocusNext => "切换窗格",
            Action::Find => "在本报告中查找",
            Action::FindNext => "下一处（可跨节）",
            Action::FindPrev => "上一处（可跨节）",
            Action::Help => "帮助",
            Action::CloseOverlay => "关闭",
            Action::Confirm => "确认",
            Action::DeleteChar => "删除前一字（空时取消）",
            Action::ClearInput => "清空输入",
            Action::CursorLeft => "光标左移",
            Action::CursorRight => "光标右移",
            Action::CursorHome => "光标到行首",
            Action::CursorEnd => "光标到行尾",
            Action::DeleteWord => "删除前一词",
            Action::HistoryPrev => "上一条查找记录",
            Action::HistoryNext => "下一条查找记录",
            Action::ToggleCompactTables => "表格：紧凑 / 完整",
            Action::Search => "全文搜索",
            Action::ResumeSearch => "恢复上次搜索",
            Action::CompanyLinks => "本屏提到的公司（打开公司页）",
            Action::Industries => "行业",
            Action::NextIndustry => "下一个行业（同一部分）",
            Action::PrevIndustry => "上一个行业（同一部分）",
            Action::GotoIndustry(_) => "第 n 个行业",
            Action::Count(_) => "计数：5j 下移 5 行，10G 到第 10 行，3 空格 下翻 3 页",
            Action::ToggleTableBars => "表格数值条",
            Action::Compare => "与下一个图表对比",
            Action::CompareFigure => "同一指标跨报告对比",
            Action::Insert(_) | Action::InsertText(_) => "输入",
            Action::Resize(..) => "窗口大小",
            Action::Scroll(_) => "滚动",
            Action::Suspend => "挂起到 shell",
            Action::ColumnLeft => "左移一列",
            Action::ColumnRight => "右移一列",
            Action::FirstColumn => "到最左列",
            Action::LastColumn => "到最右列",
            Action::Copy => "复制当前单元（附出处）",
            Action::CopySection => "复制本节（Markdown，附出处）",
            Action::ToggleTree => "隐藏 / 显示目录",
            Action::WidenTree => "目录加宽",
            Action::NarrowTree => "目录变窄",
            Action::Click(..) => "点击",
            Action::Wheel(..) => "滚轮",
            Action::SetMark => "设标记（m 加字母）",
            Action::GotoMark => "跳到标记（' 加字母；' ' 回到跳转前）",
            Action::Marks => "标记列表",
            Action::DeleteMark => "删除标记",
            Action::JumpBack => "跳转记录：后退",
            Action::JumpForward => "跳转记录：前进",
            Action::CycleGrouping => "目录分组：发布方 / 年份 / 不分组",
            Action::NextSection => "下一节（按阅读顺序）",
            Action::PrevSection => "上一节",
            Action::AddNote => "给当前段落加笔记",
            Action::Highlight => "高亮当前段落（再按取消）",
            Action::Notes => "笔记列表",
            Action::DeleteNote => "删除笔记",
            Action::EditNote => "修改笔记",
            Action::UndoDelete => "撤销删除",
            Action::Figures => "图表目录（图、表编号）",
            Action::ToggleScope => "范围：本报告 / 全库",
            Action::CommandLine => "命令行（:3.1 :50% :图3-2 :q）",
            Action::Complete => "补全命令、章节号、图表号",
            Action::MarkSet(_) => "设标记",
            Action::MarkJump(_) => "跳到标记",
        }
    }

    /// Whether a keymap can name the action. Those that cannot carry what
    /// the runtime or an unbound key supplies (a character, a size, a cell).
    pub fn is_bindable(&self) -> bool {
        !matches!(
            self,
            Action::Insert(_)
                | Action::InsertText(_)
                | Action::Resize(..)
                | Action::Scroll(_)
                | Action::Click(..)
                | Action::Wheel(..)
                | Action::MarkSet(_)
                | Action::MarkJump(_)
        )
    }

    /// Every action a keymap can name, `industry_1` … `industry_31` and
    /// `count_0` … `count_9` included.
    pub fn bindable() -> Vec<Action> {
        let mut v: Vec<Action> = Action::iter()
            .filter(|a| a.is_bindable() && !matches!(a, Action::GotoIndustry(_) | Action::Count(_)))
            .collect();
        v.extend((1..=MAX_INDUSTRY_KEYS).map(Action::GotoIndustry));
        v.extend((0..=9).map(Action::Count));
        v
    }

    pub fn from_name(name: &str) -> Option<Action> {
        Action::bindable().into_iter().find(|a| a.name() == name)
    }

    /// The name used in keymap files.
    pub fn name(&self) -> String {
        if let Action::GotoIndustry(n) = self {
            return format!("industry_{n}");
        }
        if let Action::Count(n) = self {
            return format!("count_{n}");
        }
        <&'static str>::from(self).to_string()
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Action::from_name(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown action {s}")))
    }
}

/// The industries a keymap can name (`industry_1` … `industry_31`): the
/// default switcher has eleven digit keys and twenty free letters.
pub const MAX_INDUSTRY_KEYS: u8 = 31;

/// What `update` asks the runtime to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Quit,
    /// Stop the process and give the terminal back to the shell until resumed.
    Suspend,
    /// Put text on the clipboard: with `to`, append it to that file (the
    /// local `--copy-to`); else send it as OSC 52 through the terminal.
    Copy {
        text: String,
        to: Option<std::path::PathBuf>,
    },
    /// The reading position or the marks changed: keep them (the runtime
    /// writes the state file, at most every few seconds, and on quit).
    SaveState,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_derived_snake_case_and_round_trip() {
        assert_eq!(Action::MoveDown.name(), "move_down");
        assert_eq!(Action::ToggleCompactTables.name(), "toggle_compact_tables");
        assert_eq!(Action::GotoIndustry(3).name(), "industry_3");
        assert_eq!(Action::Count(7).name(), "count_7");
        assert_eq!(Action::from_name("count_0"), Some(Action::Count(0)));
        assert_eq!(Action::CycleGrouping.name(), "cycle_grouping");
        let all = Action::bindable();
        let mut names: Vec<String> = all.iter().map(Action::name).collect();
        for a in &all {
            assert_eq!(Action::from_name(&a.name()).as_ref(), Some(a));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), all.len(), "two actions share a name");
        assert_eq!(Action::from_name("insert"), None);
        assert_eq!(Action::from_name("goto_industry"), None);
    }
}
