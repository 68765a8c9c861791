//! Lean terminal output: the bytes that bring a screen from one buffer to
//! the next, shared by the local terminal ([`LeanBackend`]) and the SSH
//! sessions (`serve`).
//!
//! ratatui's `CrosstermBackend` moves the cursor before every cell that does
//! not follow the last one by exactly one column, so it moves it after every
//! wide (CJK) character, where the terminal has already put it: two thirds
//! of the bytes of a keystroke in a Chinese tree were such moves. Here the
//! cursor is followed: after a character of settled width (printable ASCII,
//! or one East Asian Wide or Fullwidth character) no move is written; after
//! an ambiguous one (“ … ─, which a CJK terminal may draw two columns wide),
//! or anything else whose width terminals disagree on, the next cell is
//! still reached with an explicit move. Other moves are the shortest of:
//! reprinting the unchanged cells between (from the next screen, which the
//! sessions hold and the runtime hands the backend through [`draw`]),
//! cursor forward, CR LF, an absolute move. The backend also writes nothing
//! when nothing changed (ratatui's writes the attribute reset and hides the
//! cursor again on every draw: 112 bytes a second from an idle explorer).

use crossterm::queue;
use crossterm::style::{Attribute as CAttr, Print, SetAttribute, SetColors, SetUnderlineColor};
use ratatui::backend::{Backend, ClearType, CrosstermBackend, IntoCrossterm, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::layout::{Position, Size};
use ratatui::style::{Color, Modifier};
use std::io::{self, Write};
use std::sync::{Arc, Mutex};
use unicode_width::UnicodeWidthChar;

/// How many columns the terminal surely moved the cursor by printing
/// `symbol`, or `None` when terminals differ (ambiguous width, emoji,
/// combining sequences, controls) or it does not advance it.
pub fn settled_width(symbol: &str) -> Option<u16> {
    let b = symbol.as_bytes();
    if b.len() == 1 && (0x20..0x7f).contains(&b[0]) {
        return Some(1);
    }
    let mut chars = symbol.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else { return None };
    // Emoji and pictographs: wide in recent tables, narrow in older ones.
    if ('\u{1F000}'..='\u{1FAFF}').contains(&c) || ('\u{2600}'..='\u{27BF}').contains(&c) {
        return None;
    }
    match (c.width(), c.width_cjk()) {
        // The same width in CJK and non-CJK contexts: not ambiguous.
        (Some(w @ (1 | 2)), Some(cjk)) if w == cjk => Some(w as u16),
        _ => None,
    }
}

/// Write the bytes that draw `content` (cells with their positions, as
/// `Buffer::diff` gives them) over a screen whose attributes are reset,
/// leaving the attributes reset. Nothing at all is written for no cells.
///
/// `screen`, if given, is what the screen shows once these cells are drawn
/// (the new buffer): a short run of unchanged cells between two changed
/// ones is then printed again when that is shorter than moving over it.
pub fn encode<'a, W, I>(w: &mut W, content: I, screen: Option<&Buffer>) -> io::Result<()>
where
    W: Write,
    I: IntoIterator<Item = (u16, u16, &'a Cell)>,
{
    let mut pen = Pen::default();
    // Where the terminal's cursor surely stands, if known.
    let mut cursor: Option<(u16, u16)> = None;
    let mut any = false;
    for (x, y, cell) in content {
        any = true;
        if cursor != Some((x, y)) {
            move_to(w, cursor, (x, y), &pen, screen)?;
        }
        pen.set(w, cell)?;
        let sym = cell.symbol();
        queue!(w, Print(sym))?;
        cursor = settled_width(sym).map(|n| (x.saturating_add(n), y));
    }
    if any && pen != Pen::default() {
        // SGR 0 resets the colours (the underline colour too) and every attribute.
        queue!(w, SetAttribute(CAttr::Reset))?;
    }
    Ok(())
}

/// The attributes being written with.
#[derive(PartialEq, Eq)]
struct Pen {
    fg: Color,
    bg: Color,
    ul: Color,
    modifier: Modifier,
}

impl Default for Pen {
    fn default() -> Pen {
        Pen { fg: Color::Reset, bg: Color::Reset, ul: Color::Reset, modifier: Modifier::empty() }
    }
}

impl Pen {
    fn fits(&self, cell: &Cell) -> bool {
        self.fg == cell.fg && self.bg == cell.bg && self.ul == cell.underline_color && self.modifier == cell.modifier
    }

    /// Switch to `cell`'s attributes.
    fn set<W: Write>(&mut self, w: &mut W, cell: &Cell) -> io::Result<()> {
        if cell.modifier != self.modifier {
            queue_modifier_diff(w, self.modifier, cell.modifier)?;
            self.modifier = cell.modifier;
        }
        if cell.fg != self.fg || cell.bg != self.bg {
            let colors = crossterm::style::Colors::new(cell.fg.into_crossterm(), cell.bg.into_crossterm());
            queue!(w, SetColors(colors))?;
            self.fg = cell.fg;
            self.bg = cell.bg;
        }
        if cell.underline_color != self.ul {
            queue!(w, SetUnderlineColor(cell.underline_color.into_crossterm()))?;
            self.ul = cell.underline_color;
        }
        Ok(())
    }
}

/// Bring the cursor from `from` (if known) to `to` the shortest way: print
/// the unchanged cells between (same attributes, settled widths), move
/// forward on the row, go to the next row's start, or move absolutely.
fn move_to<W: Write>(
    w: &mut W,
    from: Option<(u16, u16)>,
    to: (u16, u16),
    pen: &Pen,
    screen: Option<&Buffer>,
) -> io::Result<()> {
    let (x, y) = to;
    let absolute = format!("\x1b[{};{}H", u32::from(y) + 1, u32::from(x) + 1);
    let mut best = absolute;
    if let Some((cx, cy)) = from {
        let forward = |n: u16| if n == 1 { "\x1b[C".to_string() } else { format!("\x1b[{n}C") };
        if cy == y && cx < x {
            let f = forward(x - cx);
            if f.len() < best.len() {
                best = f;
            }
            if let Some(fill) = screen.and_then(|s| gap(s, (cx, x), y, pen, best.len())) {
                best = fill;
            }
        } else if cy.checked_add(1) == Some(y) {
            let mut f = "\r\n".to_string();
            if x > 0 {
                f += &forward(x);
            }
            if f.len() < best.len() {
                best = f;
            }
        }
    }
    w.write_all(best.as_bytes())
}

/// The text of the cells from `cols.0` up to `cols.1` on row `y` of
/// `screen`, if they all have `pen`'s attributes and settled widths and the
/// text is at most `limit` bytes.
fn gap(screen: &Buffer, cols: (u16, u16), y: u16, pen: &Pen, limit: usize) -> Option<String> {
    let mut text = String::new();
    let mut p = cols.0;
    while p < cols.1 {
        let c = screen.cell((p, y))?;
        if c.diff_option != CellDiffOption::None || !pen.fits(c) {
            return None;
        }
        p = p.checked_add(settled_width(c.symbol())?)?;
        text.push_str(c.symbol());
        if text.len() > limit {
            return None;
        }
    }
    (p == cols.1).then_some(text)
}

/// The attributes to switch from `from` to `to` (as ratatui's backend).
fn queue_modifier_diff<W: Write>(w: &mut W, from: Modifier, to: Modifier) -> io::Result<()> {
    let removed = from - to;
    if removed.contains(Modifier::REVERSED) {
        queue!(w, SetAttribute(CAttr::NoReverse))?;
    }
    let reset_intensity = removed.intersects(Modifier::BOLD | Modifier::DIM);
    if reset_intensity {
        // Normal intensity ends both bold and dim: put back what stays.
        queue!(w, SetAttribute(CAttr::NormalIntensity))?;
        if to.contains(Modifier::DIM) {
            queue!(w, SetAttribute(CAttr::Dim))?;
        }
        if to.contains(Modifier::BOLD) {
            queue!(w, SetAttribute(CAttr::Bold))?;
        }
    }
    for (m, a) in [
        (Modifier::ITALIC, CAttr::NoItalic),
        (Modifier::UNDERLINED, CAttr::NoUnderline),
        (Modifier::CROSSED_OUT, CAttr::NotCrossedOut),
        (Modifier::HIDDEN, CAttr::NoHidden),
    ] {
        if removed.contains(m) {
            queue!(w, SetAttribute(a))?;
        }
    }
    if removed.intersects(Modifier::SLOW_BLINK | Modifier::RAPID_BLINK) {
        queue!(w, SetAttribute(CAttr::NoBlink))?;
    }
    let added = to - from;
    for (m, a) in [
        (Modifier::REVERSED, CAttr::Reverse),
        (Modifier::BOLD, CAttr::Bold),
        (Modifier::ITALIC, CAttr::Italic),
        (Modifier::UNDERLINED, CAttr::Underlined),
        (Modifier::DIM, CAttr::Dim),
        (Modifier::CROSSED_OUT, CAttr::CrossedOut),
        (Modifier::HIDDEN, CAttr::Hidden),
        (Modifier::SLOW_BLINK, CAttr::SlowBlink),
        (Modifier::RAPID_BLINK, CAttr::RapidBlink),
    ] {
        let already = reset_intensity && matches!(m, Modifier::BOLD | Modifier::DIM);
        if added.contains(m) && !already {
            queue!(w, SetAttribute(a))?;
        }
    }
    Ok(())
}

/// ratatui's crossterm backend with lean drawing: [`encode`] for the cells,
/// nothing written for an empty frame, the cursor hidden or shown only when
/// that changes. A fixed size (for tests and measurements) replaces asking
/// the terminal.
pub struct LeanBackend<W: Write> {
    inner: CrosstermBackend<W>,
    /// Whether the cursor is known to be hidden (`None`: unknown).
    hidden: Option<bool>,
    fixed: Option<Size>,
    /// The buffer the next draw's cells come from (see [`ScreenHint`]), for
    /// printing short unchanged runs.
    next: Hint,
}

/// Where a `Terminal`'s user leaves the buffer about to be drawn.
pub type Hint = Arc<Mutex<Option<Buffer>>>;

/// A backend that can use the whole next screen, not only its changed
/// cells: the runtime's draw puts the rendered buffer in the hint.
pub trait ScreenHint {
    fn screen_hint(&self) -> Option<Hint> {
        None
    }

    /// Write bytes that are not cells (an OSC 52 copy) to the terminal,
    /// between frames. A backend with no terminal behind it refuses.
    fn write_raw(&mut self, _bytes: &[u8]) -> io::Result<()> {
        Err(io::Error::new(io::ErrorKind::Unsupported, "this backend has no terminal to write to"))
    }
}

/// `terminal.draw` with `render`, the rendered buffer left in the
/// backend's hint.
pub fn draw<B, F>(terminal: &mut ratatui::Terminal<B>, render: F) -> io::Result<()>
where
    B: Backend + ScreenHint,
    F: FnOnce(ratatui::layout::Rect, &mut Buffer),
{
    let hint = terminal.backend().screen_hint();
    terminal
        .draw(|f| {
            render(f.area(), f.buffer_mut());
            if let Some(hint) = &hint {
                *hint.lock().unwrap_or_else(|e| e.into_inner()) = Some(f.buffer_mut().clone());
            }
        })
        .map(|_| ())
        .map_err(|e| io::Error::other(e.to_string()))
}

impl<W: Write> ScreenHint for CrosstermBackend<W> {
    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)?;
        Write::flush(self)
    }
}
impl ScreenHint for ratatui::backend::TestBackend {}

impl<W: Write> ScreenHint for LeanBackend<W> {
    fn screen_hint(&self) -> Option<Hint> {
        Some(Arc::clone(&self.next))
    }

    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.inner.write_all(bytes)?;
        Write::flush(&mut self.inner)
    }
}

impl<W: Write> LeanBackend<W> {
    pub fn new(writer: W) -> LeanBackend<W> {
        LeanBackend { inner: CrosstermBackend::new(writer), hidden: None, fixed: None, next: Hint::default() }
    }

    /// A backend that says it is `width` x `height` without asking a terminal.
    pub fn with_size(writer: W, width: u16, height: u16) -> LeanBackend<W> {
        LeanBackend { fixed: Some(Size::new(width, height)), ..LeanBackend::new(writer) }
    }
}

impl<W: Write> Write for LeanBackend<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Write::flush(&mut self.inner)
    }
}

impl<W: Write> Backend for LeanBackend<W> {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let cells: Vec<(u16, u16, &Cell)> = content.collect();
        let next = self.next.lock().unwrap_or_else(|e| e.into_inner()).take();
        // Only a buffer that holds every cell drawn can be the next screen.
        let fits = |b: &Buffer| cells.iter().all(|&(x, y, c)| b.cell((x, y)) == Some(c));
        let screen = next.as_ref().filter(|b| fits(b));
        encode(&mut self.inner, cells.iter().copied(), screen)
    }

    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> io::Result<()> {
        if self.hidden != Some(true) {
            self.inner.hide_cursor()?;
            self.hidden = Some(true);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> io::Result<()> {
        if self.hidden != Some(false) {
            self.inner.show_cursor()?;
            self.hidden = Some(false);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> io::Result<Position> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> io::Result<Size> {
        match self.fixed {
            Some(s) => Ok(s),
            None => self.inner.size(),
        }
    }

    fn window_size(&mut self) -> io::Result<WindowSize> {
        match self.fixed {
            Some(columns_rows) => Ok(WindowSize { columns_rows, pixels: Size::new(0, 0) }),
            None => self.inner.window_size(),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)
    }
}
