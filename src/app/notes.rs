//! Notes and highlights in the app: `a` opens a prompt for a note on the
//! focused block, `A` highlights it, `g n` lists every note (enter jumps,
//! `e` edits, `d` deletes, `u` brings the last deleted back, `/` filters by
//! note, quoted block, report and breadcrumb, pinyin too). The notes are
//! kept in `Memory::notes` (saved rows, see `crate::notes`); a change bumps
//! the memory's revision, so the runtime writes it (`Effect::SaveState`).

use super::{Focus, Overlay, Prompt, State, keep_visible};
use crate::action::{Action, Effect};
use crate::notes::{BlockRef, locate, new_note};
use crate::state::SavedNote;
use ratatui::layout::Rect;

/// The note prompt: the text typed, its cursor, the block, and the note
/// edited (`None`: a new one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotePrompt {
    pub input: String,
    pub cursor: usize,
    pub at: BlockRef,
    pub editing: Option<String>,
}

/// The notes list: the notes the filter keeps (indices into
/// `Memory::notes`, in order), the selected row among them and the first
/// row shown, and the filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotesList {
    pub selected: usize,
    pub offset: usize,
    pub shown: Vec<usize>,
    /// `/`: the filter typed (empty: every note).
    pub filter: Prompt,
    /// The filter is being typed (keys edit it).
    pub editing: bool,
}

impl NotesList {
    /// The note selected (its index in `Memory::notes`), if any.
    pub fn current(&self) -> Option<usize> {
        self.shown.get(self.selected).copied()
    }
}

/// Whether a note's text, quoted block, report and breadcrumb hold every
/// word of `filter`: each as a substring (case folded), or, a Latin word,
/// in the pinyin of the text (in full or by initials: `jinrong`, `jr`).
pub fn note_matches(lib: &crate::content::Library, n: &SavedNote, filter: &str) -> bool {
    let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return true;
    }
    let (head, _) = note_row(lib, n);
    let report = match crate::notes::locate(lib, n) {
        Some(at) => lib.label_of(at.node).unwrap_or_default(),
        None => String::new(),
    };
    let hay = format!("{}\n{}\n{}\n{}\n{}", n.text, n.quote, head, report, n.report).to_lowercase();
    let mut pinyin: Option<(String, String)> = None;
    words.iter().all(|w| {
        if hay.contains(w.as_str()) {
            return true;
        }
        if !w.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return false;
        }
        let (full, initials) = pinyin.get_or_insert_with(|| crate::figures::pinyin_of(&hay));
        full.contains(w.as_str()) || initials.contains(w.as_str())
    })
}

/// The notes popup on a screen of `size` (as the marks list).
pub fn notes_popup(size: (u16, u16), notes: usize) -> Option<Rect> {
    super::marks_popup(size, notes.max(1))
}

/// How many notes the popup shows at once (two rows each).
pub fn notes_rows(size: (u16, u16), notes: usize) -> usize {
    super::marks_rows(size, notes.max(1))
}

impl State {
    /// `a` (with `text`) and `A`: the focused block.
    pub(super) fn note_here(&mut self, highlight: bool) -> Vec<Effect> {
        let Some(at) = self.focused_ref() else {
            self.message = Some("这里没有可加笔记的段落".into());
            return vec![];
        };
        if highlight {
            // A highlight again on a highlighted block takes it off.
            if let Some(i) =
                self.memory.notes.iter().position(|n| n.text.is_empty() && locate(&self.lib, n) == Some(at))
            {
                self.memory.notes.remove(i);
                self.memory.revision += 1;
                self.message = Some("已取消高亮".into());
                return vec![];
            }
            return self.add_note(at, "");
        }
        self.overlays.push(Overlay::NotePrompt(NotePrompt { input: String::new(), cursor: 0, at, editing: None }));
        vec![]
    }

    fn add_note(&mut self, at: BlockRef, text: &str) -> Vec<Effect> {
        self.note_seq += 1;
        match new_note(&self.lib, at, text, crate::state::db::now_secs(), self.note_seq) {
            Some(n) => {
                self.message = Some(if text.is_empty() { "已高亮".into() } else { "已加笔记".into() });
                self.memory.notes.push(n);
                self.memory.revision += 1;
            }
            None => self.message = Some("这里没有可加笔记的段落".into()),
        }
        vec![]
    }

    /// Every action while the note prompt is on top.
    pub(super) fn update_note_prompt(&mut self, action: Action) -> Vec<Effect> {
        let Some(Overlay::NotePrompt(p)) = self.overlays.last_mut() else { return vec![] };
        match action {
            Action::Insert(_)
            | Action::InsertText(_)
            | Action::DeleteChar
            | Action::ClearInput
            | Action::DeleteWord
            | Action::CursorLeft
            | Action::CursorRight
            | Action::CursorHome
            | Action::CursorEnd => {
                let mut e = Prompt { input: std::mem::take(&mut p.input), cursor: p.cursor };
                match &action {
                    Action::Insert(c) => {
                        e.insert(c.encode_utf8(&mut [0; 4]));
                    }
                    Action::InsertText(t) => {
                        e.insert(t);
                    }
                    a => {
                        e.edit(a);
                    }
                }
                // A note is one line, bounded.
                if e.input.chars().count() > crate::state::NOTE_TEXT {
                    e.input = e.input.chars().take(crate::state::NOTE_TEXT).collect();
                    e.cursor = e.cursor.min(crate::state::NOTE_TEXT);
                }
                (p.input, p.cursor) = (e.input, e.cursor);
            }
            Action::Confirm | Action::Open => {
                let Some(Overlay::NotePrompt(p)) = self.overlays.pop() else { return vec![] };
                let text: String = p.input.chars().filter(|c| !c.is_control()).collect();
                let text = text.trim();
                match p.editing {
                    Some(uid) => {
                        if let Some(n) = self.memory.notes.iter_mut().find(|n| n.uid == uid) {
                            n.text = text.to_string();
                            n.updated = crate::state::db::now_secs();
                            self.memory.revision += 1;
                            self.message = Some("已修改笔记".into());
                        }
                    }
                    None if text.is_empty() => self.message = Some("笔记为空，未保存（A 只加高亮）".into()),
                    None => return self.add_note(p.at, text),
                }
            }
            Action::CloseOverlay => {
                self.overlays.pop();
            }
            Action::Quit => return vec![Effect::Quit],
            _ => {}
        }
        vec![]
    }

    /// `g n`: the notes list.
    pub(super) fn open_notes(&mut self) {
        if self.memory.notes.is_empty() {
            self.message = Some("还没有笔记：按 a 加笔记，A 加高亮".into());
        } else {
            let mut l = NotesList::default();
            self.refilter_notes(&mut l);
            self.overlays.push(Overlay::Notes(l));
        }
    }

    /// The notes a list's filter keeps, the selection kept in range.
    fn refilter_notes(&self, l: &mut NotesList) {
        let f = l.filter.input.trim();
        l.shown = (0..self.memory.notes.len())
            .filter(|&i| f.is_empty() || note_matches(&self.lib, &self.memory.notes[i], f))
            .collect();
        l.selected = l.selected.min(l.shown.len().saturating_sub(1));
    }

    /// Every action while the notes list is on top.
    pub(super) fn update_notes(&mut self, action: Action) -> Vec<Effect> {
        let Some(Overlay::Notes(l)) = self.overlays.last_mut() else { return vec![] };
        let mut l = std::mem::take(l);
        let effects = self.notes_action(&mut l, action);
        // The list may have gone (esc, enter) or another overlay opened on
        // it (e): it is put back where it was.
        let at = self.overlays.iter().rposition(|o| matches!(o, Overlay::Notes(_)));
        if let Some(k) = at {
            self.refilter_notes(&mut l);
            let h = notes_rows(self.size, l.shown.len());
            keep_visible(l.selected, &mut l.offset, h);
            self.overlays[k] = Overlay::Notes(l);
            if self.memory.notes.is_empty() && self.deleted_note.is_none() {
                self.overlays.remove(k);
            }
        }
        effects
    }

    fn notes_action(&mut self, l: &mut NotesList, action: Action) -> Vec<Effect> {
        if l.editing {
            if action == Action::Quit {
                return vec![Effect::Quit];
            }
            super::list::edit_filter(&mut l.filter, &mut l.editing, action);
            l.offset = 0;
            return vec![];
        }
        let n = l.shown.len();
        let h = notes_rows(self.size, n);
        let selected = l.selected;
        let current = l.current();
        l.selected = match action {
            a if super::list::is_move(&a) => super::list::step(&a, selected, n, h),
            Action::Find => {
                l.editing = true;
                selected
            }
            Action::DeleteNote => {
                if let Some(i) = current {
                    let gone = self.memory.notes.remove(i);
                    self.memory.revision += 1;
                    self.message = Some("已删除笔记 · u 撤销".into());
                    self.deleted_note = Some((i, gone));
                }
                selected
            }
            Action::UndoDelete => {
                match self.deleted_note.take() {
                    Some((i, note)) => {
                        let i = i.min(self.memory.notes.len());
                        self.memory.notes.insert(i, note);
                        self.memory.revision += 1;
                        self.message = Some("已恢复笔记".into());
                    }
                    None => self.message = Some("没有可撤销的删除".into()),
                }
                selected
            }
            Action::EditNote => {
                if let Some(note) = current.and_then(|i| self.memory.notes.get(i)).cloned() {
                    match locate(&self.lib, &note) {
                        Some(at) => {
                            let cursor = note.text.chars().count();
                            self.overlays.push(Overlay::NotePrompt(NotePrompt {
                                input: note.text,
                                cursor,
                                at,
                                editing: Some(note.uid),
                            }));
                        }
                        None => self.message = Some("原文已不在（孤立笔记），只能删除或导出".into()),
                    }
                }
                selected
            }
            Action::Confirm | Action::Open => {
                if let Some(note) = current.and_then(|i| self.memory.notes.get(i)).cloned() {
                    match locate(&self.lib, &note) {
                        Some(at) => {
                            self.overlays.clear();
                            self.go_to_block(at);
                        }
                        None => self.message = Some("原文已不在（孤立笔记）".into()),
                    }
                }
                selected
            }
            // Esc clears a filter first, then closes.
            Action::CloseOverlay if !l.filter.input.is_empty() => {
                l.filter = Prompt::default();
                selected
            }
            Action::CloseOverlay | Action::Notes => {
                self.overlays.retain(|o| !matches!(o, Overlay::Notes(_)));
                return vec![];
            }
            Action::Quit => return vec![Effect::Quit],
            _ => selected,
        };
        vec![]
    }

    /// Show a block: its page, scrolled to its first line.
    pub fn go_to_block(&mut self, at: BlockRef) {
        self.jump_to(at.node);
        self.focus = Focus::Reader;
        let doc = std::sync::Arc::clone(&self.reader.doc);
        if let Some(item) = doc.items.iter().find(|i| i.node == Some(at.node) && i.block == Some(at.index)) {
            self.scroll_to(item.line);
        }
    }

    /// The notes (and highlights) on the blocks of the page shown: the
    /// doc items they are on, for the reader's gutter.
    pub fn noted_items(&self) -> Vec<(usize, bool)> {
        let doc = &self.reader.doc;
        let mut out = Vec::new();
        for n in &self.memory.notes {
            if let Some(at) = locate(&self.lib, n) {
                // A block may be laid out as several items (a title, its text).
                for (k, _) in
                    doc.items.iter().enumerate().filter(|(_, i)| i.node == Some(at.node) && i.block == Some(at.index))
                {
                    out.push((k, !n.text.is_empty()));
                }
            }
        }
        out
    }

    /// The note list's rows: (report title, breadcrumb · date, first line of
    /// the block or the note's text), for the renderer.
    pub fn note_rows(&self) -> Vec<(String, String)> {
        self.memory.notes.iter().map(|n| note_row(&self.lib, n)).collect()
    }
}

/// A note's two rows in the list: (note or 高亮 · date · breadcrumb, first
/// line of the block).
pub fn note_row(lib: &crate::content::Library, n: &SavedNote) -> (String, String) {
    let at = locate(lib, n);
    let crumb = match at {
        Some(b) => crate::notes::breadcrumb(lib, b.node),
        None => format!("{} · 原文已不在", n.node),
    };
    let date = crate::notes::date(n.created);
    let head = if n.text.is_empty() { format!("✦ 高亮 · {date}") } else { format!("✎ {} · {date}", n.text) };
    let first = n.quote.lines().next().unwrap_or_default();
    (format!("{head} · {crumb}"), format!("   {first}"))
}
