//! The app: state, and `update`, which applies one action and returns the
//! effects for the runtime to carry out. No I/O happens here.

mod copy;
mod count;
mod figures;
mod find;
mod find_prompt;
mod find_report;
mod focus;
mod help;
mod industry;
mod invariants;
mod links;
mod list;
mod measures;
mod memory;
mod mouse;
mod nav;
mod notes;
mod search;
mod table;
mod view;

pub use copy::{Copied, CopyView, copy_lines, copy_rows};
pub use figures::{COMMAND_HISTORY, CommandLine, FigList, fig_row, figures_popup};
pub use find::{FindState, Match, Piece, Prompt};
pub use find_report::ReportFind;
pub use focus::{Focused, item_lines};
pub use help::{help_lines, help_popup, max_help_scroll};
pub use links::{LinksState, companies_named, links_rows};
pub use measures::{MeasureLine, MeasuresView, measure_lines};
pub use memory::{MAX_JUMPS, Mark, MarkOp, Memory, Place, marks_popup, marks_rows, page_from_key, page_key};
pub use mouse::{READER_MIN, SIDE_BY_SIDE, TreePane, WHEEL_LINES, switcher_layout, switcher_offset};
pub use nav::{GROUP_REPORTS, Group, Grouping, NavState, Row, UNKNOWN_GROUP};
pub use notes::{NotePrompt, NotesList, note_matches, note_row, notes_popup, notes_rows};
pub use search::{CompanyState, FinderMemory, Preview, SearchLayout, SearchState, keep_visible};
pub use table::{TableState, table_area};
pub use view::Panes;

use crate::action::{Action, Effect};
use crate::content::{Library, NodeId};
use crate::doc::{self, Doc, Pages};
use crate::keymap::{Context, Key, Keymap, Resolved, Resolver};
use crate::search::{IntoLazy, LazyIndex};
use crate::theme::Theme;
use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Nav,
    Reader,
}

/// Overlays form a stack: input goes to the top one, rendering goes bottom-up.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    /// The find-in-page prompt; `origin` is the scroll to return to on cancel.
    Find {
        input: String,
        origin: usize,
        /// The cursor, a character index into `input`.
        cursor: usize,
        /// The entry of the find history shown (↑/↓), if any.
        history: Option<usize>,
    },
    Help {
        scroll: usize,
    },
    /// The finder (search across both reports).
    Search(SearchState),
    /// A company's page, opened from the finder.
    Company(CompanyState),
    /// The industry switcher.
    Industries {
        selected: usize,
    },
    /// A chart full-pane, with exact values; optionally beside a second one.
    Chart(ChartState),
    /// A table full-pane: the first column frozen, the others scrolled sideways.
    Table(TableState),
    /// The text last copied, shown plain for the terminal's own selection.
    Copy(CopyView),
    /// The marks list (`M`).
    Marks {
        selected: usize,
        offset: usize,
    },
    /// The companies named in the lines in view (`K`).
    Links(LinksState),
    /// The note prompt (`a`; `e` in the notes list).
    NotePrompt(NotePrompt),
    /// The notes list (`g n`).
    Notes(NotesList),
    /// The figure list (`F`, 图表目录).
    Figures(FigList),
    /// The `:` command line.
    Command(CommandLine),
    /// One measure compared across reports (`=`).
    Measures(MeasuresView),
}

/// The chart view: the page's charts, the one shown, and one to compare.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartState {
    pub charts: Vec<Arc<crate::content::Series>>,
    pub index: usize,
    pub compare: Option<usize>,
    /// Per chart: its report's label in a library of several reports
    /// ([`crate::content::Library::report_label`]), or empty.
    pub labels: Vec<String>,
    /// One scale for every chart (the compared figures of `=`); `None`:
    /// each chart its own, or two of one unit a shared one.
    pub scale: Option<f64>,
}

impl Overlay {
    /// Overlays with a text prompt take unbound printable keys as typing.
    fn takes_text(&self) -> bool {
        match self {
            Overlay::Find { .. } | Overlay::Search(_) | Overlay::NotePrompt(_) | Overlay::Command(_) => true,
            Overlay::Figures(l) => l.editing,
            Overlay::Notes(l) => l.editing,
            _ => false,
        }
    }
}

/// The reading pane.
#[derive(Debug, Clone)]
pub struct ReaderState {
    pub node: NodeId,
    /// When set, the reader shows this industry's page instead of `node`.
    pub industry: Option<usize>,
    /// The industry last moved to with `]`/`[` (a section may be about several).
    pub industry_ctx: Option<usize>,
    /// The part `]`/`[` keep, remembered across an industry that lacks it.
    pub industry_part: Option<String>,
    pub scroll: usize,
    pub doc: Arc<Doc>,
    pub find: FindState,
    /// The place at the top of the view when the layout last changed under
    /// it (resize, `w`, `b`), kept until the reader scrolls: a round trip
    /// through other sizes lands on the same line.
    pub anchor: Option<doc::Pos>,
    /// The focus line: the focused block is the item it is in (see
    /// `State::focused_block`). Always a line in view.
    pub focus_line: usize,
}

pub struct State {
    pub lib: Arc<Library>,
    /// The finder's index; it may still be loading (on a thread) at start.
    pub index: Arc<LazyIndex>,
    pub keymap: Arc<Keymap>,
    pub theme: Theme,
    pub size: (u16, u16),
    pub focus: Focus,
    pub nav: NavState,
    pub reader: ReaderState,
    pub overlays: Vec<Overlay>,
    /// The finder's last search and what was opened from it.
    pub finder: FinderMemory,
    pub compact_tables: bool,
    pub table_bars: bool,
    /// Reading options from flags (and the config file): measure, ambiwidth.
    pub options: crate::options::Options,
    /// The tree pane: shown or hidden, and its width.
    pub tree: TreePane,
    /// A one-line message for the status bar (cleared by the next action).
    pub message: Option<String>,
    /// A count typed for the next motion (`5` of `5j`), shown in the status line.
    pub count: Option<usize>,
    /// Queries confirmed in the find prompt, oldest first (at most 50).
    pub find_history: Vec<String>,
    /// `/` over the whole report: the query's matches counted per section.
    pub report_find: ReportFind,
    /// Positions per page, marks and the jump list.
    pub memory: Memory,
    /// Laid-out pages, keyed by page and layout settings: a bounded LRU
    /// shared by every session reading this library (a memo, not state).
    pages: Arc<Pages>,
    /// `--copy-to FILE`: copies are appended to this file instead of being
    /// sent as OSC 52 (the local explorer only).
    pub copy_to: Option<std::path::PathBuf>,
    /// The house style of the citations `y`, `Y` and Ctrl-y copy (config `citation:`).
    pub citation: crate::export::CitationStyle,
    /// The last copy, until the next action: `y` again shows it.
    pub copied: Option<Copied>,
    /// Notes made in this session (part of a new note's id).
    pub note_seq: u64,
    /// The note last deleted in the notes list and its row (`u` brings it back).
    pub deleted_note: Option<(usize, crate::state::SavedNote)>,
    /// Commands run from the `:` line, oldest first (at most `COMMAND_HISTORY`).
    pub command_history: Vec<String>,
}

/// One app session: state plus the key resolver. The SSH server runs one per connection.
pub struct App {
    pub state: State,
    resolver: Resolver,
    /// Where the reading memory is kept between runs (none: this session only).
    pub saver: Option<crate::state::Saver>,
}

pub use crate::layout::centered;

impl App {
    pub fn new(lib: Arc<Library>, index: impl IntoLazy, keymap: Arc<Keymap>, theme: Theme, size: (u16, u16)) -> App {
        let pages = Arc::new(Pages::new(&lib));
        App::with_pages(lib, index, keymap, theme, size, pages)
    }

    /// `new`, laying pages out into `pages`, a cache shared with other apps
    /// reading the same library (the SSH server's sessions). Pages made
    /// for another library are not used: the app gets a cache of its own.
    pub fn with_pages(
        lib: Arc<Library>,
        index: impl IntoLazy,
        keymap: Arc<Keymap>,
        theme: Theme,
        size: (u16, u16),
        pages: Arc<Pages>,
    ) -> App {
        let pages = if pages.is_for(&lib) { pages } else { Arc::new(Pages::new(&lib)) };
        let index = index.into_lazy();
        // The finder's unit lists, built while the first screen is drawn
        // (after the index itself, when it is still loading; if no thread
        // can be had, the first search builds them).
        if !(index.is_ready() && index.get().is_prepared()) {
            let ix = Arc::clone(&index);
            let _ = std::thread::Builder::new().name("index-lists".into()).spawn(move || ix.get().prepare());
        }
        let nav = NavState::new(&lib);
        let mut state = State {
            reader: ReaderState {
                node: 0,
                industry: None,
                industry_ctx: None,
                industry_part: None,
                scroll: 0,
                doc: Arc::new(Doc::default()),
                find: FindState::default(),
                anchor: None,
                focus_line: 0,
            },
            lib,
            index,
            keymap,
            theme,
            size,
            focus: Focus::Nav,
            nav,
            overlays: Vec::new(),
            finder: FinderMemory::default(),
            compact_tables: false,
            table_bars: false,
            options: crate::options::Options::default(),
            tree: TreePane::default(),
            message: None,
            count: None,
            find_history: Vec::new(),
            report_find: ReportFind::default(),
            memory: Memory::default(),
            pages,
            copy_to: None,
            citation: crate::export::CitationStyle::Yanbao,
            copied: None,
            note_seq: 0,
            deleted_note: None,
            command_history: Vec::new(),
        };
        state.relayout();
        App { state, resolver: Resolver::default(), saver: None }
    }

    /// Keep the reading memory in the state database: take back what it holds
    /// (with `resume`, the last place too) and show any problem reading it.
    pub fn attach_state(&mut self, opened: crate::state::Opened, resume: bool) {
        if let Some(saved) = &opened.saved {
            self.state.restore(saved, resume);
        }
        if opened.message.is_some() {
            self.state.message = opened.message;
        }
        self.saver = Some(crate::state::Saver::new(opened.store));
    }

    /// The runtime's part of `Effect::SaveState`: write the state file when
    /// a write is wanted and the last was long enough ago, or now with
    /// `force` (on quit). A first failure is shown in the status line.
    pub fn persist(&mut self, force: bool) {
        let now = std::time::Instant::now();
        let Some(saver) = self.saver.as_mut() else { return };
        if !saver.due(now, force) {
            return;
        }
        let saved = self.state.saved();
        if let Some(msg) = saver.save(&saved, now) {
            self.state.message = Some(msg);
        }
    }

    /// Note the effects of an update for the state file.
    pub fn note_effects(&mut self, effects: &[Effect]) {
        if effects.contains(&Effect::SaveState)
            && let Some(s) = self.saver.as_mut()
        {
            s.want();
        }
    }

    /// Apply reading options (from flags or the config file) and lay out again.
    pub fn set_options(&mut self, options: crate::options::Options) {
        self.state.options = options;
        // Ambiguous characters two columns wide: borders, bars and bullets
        // in ASCII, and every width counted anew.
        if options.ambiwidth == crate::options::AmbiWidth::Wide {
            self.state.theme.ascii = true;
        }
        // The page cache keys pages by that width too: nothing to clear.
        self.state.relayout();
    }

    /// The contexts a key is looked up in, top overlay first.
    pub fn contexts(&self) -> Vec<Context> {
        let mut out = Vec::new();
        match self.state.overlays.last() {
            Some(Overlay::Find { .. }) => return vec![Context::Find],
            Some(Overlay::Search(_)) => return vec![Context::Search],
            // The list of companies on screen moves and opens with the company page's keys.
            Some(Overlay::Company(_) | Overlay::Links(_)) => return vec![Context::Company],
            Some(Overlay::Industries { .. }) => return vec![Context::Industries],
            Some(Overlay::Chart(_)) => return vec![Context::Chart],
            Some(Overlay::Table(_)) => return vec![Context::Table],
            Some(Overlay::Copy(_)) => return vec![Context::Copy],
            Some(Overlay::Marks { .. }) => return vec![Context::Marks],
            // The note prompt edits with the find prompt's keys.
            Some(Overlay::NotePrompt(_)) => return vec![Context::Find],
            // The notes list's filter edits with the find prompt's keys.
            Some(Overlay::Notes(l)) if l.editing => return vec![Context::Find],
            Some(Overlay::Notes(_)) => return vec![Context::Notes],
            // The figure list's filter edits with the find prompt's keys.
            Some(Overlay::Figures(l)) if l.editing => return vec![Context::Find],
            Some(Overlay::Figures(_)) => return vec![Context::Figures],
            Some(Overlay::Command(_)) => return vec![Context::Command],
            Some(Overlay::Measures(_)) => return vec![Context::Measures],
            Some(Overlay::Help { .. }) => out.push(Context::Help),
            None => {}
        }
        out.push(match self.state.focus {
            Focus::Nav => Context::Nav,
            Focus::Reader => Context::Reader,
        });
        out.push(Context::Global);
        out
    }

    /// Keys typed so far of an unfinished sequence (shown in the status bar).
    pub fn pending_keys(&self) -> String {
        let keys = match self.state.memory.pending {
            Some(MarkOp::Set) => "m".into(),
            Some(MarkOp::Jump) => "'".into(),
            None => crate::keymap::seq_to_string(self.resolver.pending()),
        };
        match self.state.count {
            Some(n) => format!("{n}{keys}"),
            None => keys,
        }
    }

    /// Turn a terminal event into actions and apply them.
    pub fn handle_event(&mut self, ev: Event) -> Vec<Effect> {
        match ev {
            Event::Key(k) if k.kind != KeyEventKind::Release => {
                // The key after `m` or `'` names a mark.
                if let Some(op) = self.state.memory.pending.take() {
                    let plain = !k
                        .modifiers
                        .intersects(crossterm::event::KeyModifiers::CONTROL | crossterm::event::KeyModifiers::ALT);
                    return match (k.code, plain) {
                        (crossterm::event::KeyCode::Char(c), true) => self.update(match op {
                            MarkOp::Set => Action::MarkSet(c),
                            MarkOp::Jump => Action::MarkJump(c),
                        }),
                        // Esc (or any other key) cancels.
                        _ => vec![],
                    };
                }
                let key = Key::from_event(&k);
                let contexts = self.contexts();
                let keymap = Arc::clone(&self.state.keymap);
                match self.resolver.feed(&keymap, &contexts, key) {
                    Resolved::Actions(acts) => acts.into_iter().flat_map(|a| self.update(a)).collect(),
                    Resolved::Pending => vec![],
                    Resolved::Unbound => match (self.state.overlays.last(), key.code) {
                        // Unbound printable keys are typed into a prompt.
                        (Some(o), crossterm::event::KeyCode::Char(c))
                            if o.takes_text()
                                && !key.mods.intersects(
                                    crossterm::event::KeyModifiers::CONTROL | crossterm::event::KeyModifiers::ALT,
                                ) =>
                        {
                            self.update(Action::Insert(c))
                        }
                        _ => vec![],
                    },
                }
            }
            Event::Paste(text) => {
                if self.state.overlays.last().is_some_and(Overlay::takes_text) {
                    let text: String = text.chars().filter(|c| !c.is_control()).collect();
                    self.update(Action::InsertText(text))
                } else {
                    vec![]
                }
            }
            Event::Resize(w, h) => self.update(Action::Resize(w, h)),
            Event::Mouse(m) => {
                let (x, y) = (m.column, m.row);
                let action = match m.kind {
                    MouseEventKind::Down(MouseButton::Left) => Action::Click(x, y),
                    MouseEventKind::ScrollDown => Action::Wheel(x, y, WHEEL_LINES),
                    MouseEventKind::ScrollUp => Action::Wheel(x, y, -WHEEL_LINES),
                    _ => return vec![],
                };
                // A click ends an unfinished key sequence (`g` of `g g`).
                self.resolver.clear();
                self.update(action)
            }
            _ => vec![],
        }
    }

    /// Apply one action.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        self.state.update(action)
    }
}

impl State {
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        // Widths are counted as this explorer's options say (no process-wide switch).
        let wide = self.options.ambiwidth == crate::options::AmbiWidth::Wide;
        crate::text::with_ambiwide(wide, || self.update_with(action))
    }

    fn update_with(&mut self, action: Action) -> Vec<Effect> {
        if let Action::Count(d) = action {
            self.type_count(d);
            return vec![];
        }
        let count = if matches!(action, Action::Resize(..)) { None } else { self.count.take() };
        let keeps_anchor = matches!(action, Action::Resize(..) | Action::ToggleCompactTables | Action::ToggleTableBars);
        let before = (self.page(), self.reader.scroll);
        let (place, focus, jump, revision) = (self.place(), self.focus, self.is_jump(&action), self.memory.revision);
        let histories = (self.finder.history.entries().len(), self.find_history.len());
        let newest = (self.finder.history.entries().last().cloned(), self.find_history.last().cloned());
        if !matches!(action, Action::Resize(..)) {
            self.memory.pending = None;
        }
        let mut effects = match count {
            Some(n) => self.apply_counted(action, n),
            None => self.apply(action),
        };
        if !keeps_anchor && before != (self.page(), self.reader.scroll) {
            self.reader.anchor = None;
        }
        let page_changed = place.page != self.page();
        self.after_action(jump, focus, place);
        let queried = histories != (self.finder.history.entries().len(), self.find_history.len())
            || newest.0.as_ref() != self.finder.history.entries().last()
            || newest.1.as_ref() != self.find_history.last();
        if page_changed || revision != self.memory.revision || queried {
            effects.push(Effect::SaveState);
        }
        effects
    }

    fn apply(&mut self, action: Action) -> Vec<Effect> {
        if !matches!(action, Action::Resize(..)) {
            self.message = None;
        }
        if action == Action::Suspend {
            return vec![Effect::Suspend];
        }
        match action {
            Action::JumpBack => {
                self.jump_back();
                return vec![];
            }
            Action::JumpForward => {
                self.jump_forward();
                return vec![];
            }
            _ => {}
        }
        if let Action::Resize(w, h) = action {
            self.size = (w, h);
            let help_max = max_help_scroll(&self.keymap, self.size);
            for o in &mut self.overlays {
                match o {
                    Overlay::Help { scroll } => *scroll = (*scroll).min(help_max),
                    Overlay::Copy(v) => v.resize((w, h)),
                    _ => {}
                }
            }
            self.relayout();
            self.refresh_preview();
            return vec![];
        }
        if matches!(action, Action::Click(..) | Action::Wheel(..)) {
            return self.pointer(action);
        }
        if let Some(effects) = self.update_copy(&action) {
            return effects;
        }
        match self.overlays.last() {
            Some(Overlay::Search(_)) => return self.update_search(action),
            Some(Overlay::Company(_)) => return self.update_company(action),
            Some(Overlay::Links(_)) => return self.update_links(action),
            Some(Overlay::Industries { .. }) => return self.update_switcher(action),
            Some(Overlay::Chart(_)) => return self.update_chart(action),
            Some(Overlay::Table(_)) => return self.update_table(action),
            Some(Overlay::Marks { .. }) => return self.update_marks(action),
            Some(Overlay::NotePrompt(_)) => return self.update_note_prompt(action),
            Some(Overlay::Notes(_)) => return self.update_notes(action),
            Some(Overlay::Figures(_)) => return self.update_figures(action),
            Some(Overlay::Command(_)) => return self.update_command(action),
            Some(Overlay::Measures(_)) => return self.update_measures(action),
            _ => {}
        }
        if self.overlays.is_empty() && self.update_industry_keys(&action) {
            return vec![];
        }
        if matches!(self.overlays.last(), Some(Overlay::Help { .. })) {
            return self.update_help(action);
        }
        match action {
            Action::Quit => return vec![Effect::Quit],
            Action::Resize(..)
            | Action::Suspend
            | Action::Copy
            | Action::CopySection
            | Action::JumpBack
            | Action::JumpForward
            | Action::DeleteMark
            | Action::DeleteNote
            | Action::EditNote
            | Action::UndoDelete => {}
            Action::AddNote => return self.note_here(false),
            Action::Highlight => return self.note_here(true),
            Action::Notes => self.open_notes(),
            Action::Figures => self.open_figures(),
            Action::CommandLine => self.open_command(),
            Action::ToggleScope | Action::Complete => {}
            Action::CompareFigure => self.compare_figure(),
            Action::SetMark => self.memory.pending = Some(MarkOp::Set),
            Action::GotoMark => self.memory.pending = Some(MarkOp::Jump),
            Action::MarkSet(c) => self.set_mark(c),
            Action::MarkJump(c) => self.goto_mark(c),
            Action::Marks => {
                if self.memory.marks.is_empty() {
                    self.message = Some("还没有标记：按 m 加字母设置".into());
                } else {
                    self.overlays.push(Overlay::Marks { selected: 0, offset: 0 });
                }
            }
            Action::Search => return self.open_finder(),
            Action::ResumeSearch => self.resume_search(),
            Action::CompanyLinks => self.open_links(),
            Action::FocusNext => {
                self.focus = match self.focus {
                    Focus::Nav => Focus::Reader,
                    Focus::Reader => Focus::Nav,
                };
                self.show_tree_if_focused();
                self.fix_nav();
            }
            Action::ToggleTree => self.toggle_tree(),
            Action::CycleGrouping => return self.cycle_grouping(),
            Action::NextSection => self.step_section(true, false),
            Action::PrevSection => self.step_section(false, false),
            Action::WidenTree => self.resize_tree(true),
            Action::NarrowTree => self.resize_tree(false),
            Action::Click(..) | Action::Wheel(..) => {}
            Action::Help => self.overlays.push(Overlay::Help { scroll: 0 }),
            Action::ToggleCompactTables => {
                self.compact_tables = !self.compact_tables;
                self.relayout();
                // Compact cuts the cells of a grid; a table shown as records
                // (a narrow reader) is the same either way, and says so.
                let doc = &self.reader.doc;
                let (grids, tables) = (doc.table_heads.len(), doc.tables.len());
                self.message = Some(
                    match (grids, tables > grids, self.compact_tables) {
                        (0, true, _) => "表格：本页表格逐条显示，紧凑与否不变（加宽窗口可成表）",
                        (_, true, true) => "表格：紧凑（单元格截断；逐条显示的表格不变）",
                        (_, true, false) => "表格：完整单元格（逐条显示的表格不变）",
                        (_, false, true) => "表格：紧凑（单元格截断）",
                        (_, false, false) => "表格：完整单元格",
                    }
                    .into(),
                );
            }
            Action::Find
            | Action::Insert(_)
            | Action::InsertText(_)
            | Action::DeleteChar
            | Action::ClearInput
            | Action::DeleteWord
            | Action::CursorLeft
            | Action::CursorRight
            | Action::CursorHome
            | Action::CursorEnd
            | Action::HistoryPrev
            | Action::HistoryNext
            | Action::Confirm
            | Action::FindNext
            | Action::FindPrev => return self.update_find(action),
            Action::CloseOverlay => match self.overlays.pop() {
                Some(Overlay::Find { origin, .. }) => {
                    self.reader.find = FindState::default();
                    self.scroll_to(origin);
                }
                Some(_) => {}
                // Esc in the reader clears the find highlights (vim's :noh).
                None => {
                    if !self.reader.find.query.is_empty() {
                        self.reader.find = FindState::default();
                        self.message = Some("已清除查找高亮".into());
                    }
                }
            },
            Action::Scroll(n) => self.scroll_focus(n as isize),
            // Taken by `update`.
            Action::Count(_) => {}
            // Handled before this match when no overlay is open.
            Action::Industries
            | Action::NextIndustry
            | Action::PrevIndustry
            | Action::GotoIndustry(_)
            | Action::ToggleTableBars
            | Action::Compare
            | Action::ColumnLeft
            | Action::ColumnRight
            | Action::FirstColumn
            | Action::LastColumn => {}
            Action::MoveDown
            | Action::MoveUp
            | Action::Top
            | Action::Bottom
            | Action::PageDown
            | Action::PageUp
            | Action::HalfPageDown
            | Action::HalfPageUp => self.movement(action),
            Action::Open => match self.focus {
                Focus::Nav => {
                    let lib = Arc::clone(&self.lib);
                    if !self.nav.open(&lib) {
                        self.focus = Focus::Reader;
                    }
                    if let Some(sel) = self.nav.selected_node() {
                        self.show(sel);
                    }
                    self.fix_nav();
                }
                Focus::Reader => self.open_figure(),
            },
            Action::Back => match self.focus {
                Focus::Nav => {
                    self.nav.back(&self.lib);
                    if let Some(sel) = self.nav.selected_node() {
                        self.show(sel);
                    }
                    self.fix_nav();
                }
                Focus::Reader => {
                    self.focus = Focus::Nav;
                    self.show_tree_if_focused();
                    self.fix_nav();
                }
            },
        }
        vec![]
    }
}
