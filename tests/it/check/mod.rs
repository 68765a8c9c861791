#![allow(dead_code)]
//! Render a state and check the screen invariants: the walk test and the
//! random action sequences share this.
//!
//! The app is drawn into an area set `PAD` cells inside a larger buffer
//! whose margin is filled with a sentinel cell, so anything drawn outside the
//! area shows up. Inside the area, every row must read as a terminal would
//! show it: no control characters, no zero-width cells, no wide character in
//! the last column or past the right edge, and nothing drawn over the hidden
//! half of a wide character (which the terminal would not show).

use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use ratatui::style::Color;
use unicode_width::UnicodeWidthStr;
use yanbao::app::App;

pub const PAD: u16 = 2;

fn sentinel() -> Cell {
    let mut c = Cell::default();
    c.set_symbol("@").set_fg(Color::Indexed(201)).set_bg(Color::Indexed(202));
    c
}

/// A reusable buffer for renders at one size.
pub struct Screen {
    buf: Buffer,
    area: Rect,
    sentinel: Cell,
}

impl Screen {
    pub fn new(w: u16, h: u16) -> Screen {
        let outer = Rect::new(0, 0, w + 2 * PAD, h + 2 * PAD);
        Screen { buf: Buffer::empty(outer), area: Rect::new(PAD, PAD, w, h), sentinel: sentinel() }
    }

    pub fn size(&self) -> (u16, u16) {
        (self.area.width, self.area.height)
    }

    /// Draw the app and check the invariants; `ctx` describes the state for
    /// the failure message (only evaluated on failure).
    pub fn draw(&mut self, app: &App, ctx: &dyn Fn() -> String) {
        assert_eq!(app.state.size, self.size(), "the app's size and the screen's disagree");
        self.buf.content.fill(self.sentinel.clone());
        let width = self.buf.area.width as usize;
        for y in self.area.top()..self.area.bottom() {
            let start = y as usize * width + self.area.x as usize;
            self.buf.content[start..start + self.area.width as usize].fill(Cell::default());
        }
        if let Err(e) = app.state.check_invariants() {
            panic!("state invariant broken: {e}\nstate: {}", ctx());
        }
        yanbao::ui::render(app, self.area, &mut self.buf);
        if let Err(e) = self.check() {
            panic!("{e}\nstate: {}\nscreen:\n{}", ctx(), self.text());
        }
    }

    fn check(&self) -> Result<(), String> {
        let (outer, a) = (self.buf.area, self.area);
        let stride = outer.width as usize;
        let (left, right) = (a.left() as usize, a.right() as usize);
        for (y, row) in self.buf.content.chunks(stride).enumerate() {
            let inside = y >= a.top() as usize && y < a.bottom() as usize;
            // Outside the area: the margin keeps the sentinel.
            let margin = row.iter().enumerate().filter(|&(x, _)| !inside || x < left || x >= right);
            if let Some((x, cell)) = margin.into_iter().find(|(_, c)| **c != self.sentinel) {
                return Err(format!(
                    "drawn outside the {}x{} area at column {}, row {}: {:?}",
                    a.width,
                    a.height,
                    x as i64 - left as i64,
                    y as i64 - a.y as i64,
                    cell.symbol()
                ));
            }
            if !inside {
                continue;
            }
            let (row, r) = (&row[left..right], y - a.y as usize);
            let mut x = 0;
            while x < row.len() {
                let sym = row[x].symbol();
                // Most cells hold one printable ASCII character.
                let w = match sym.as_bytes() {
                    [b] if (0x20..0x7f).contains(b) => 1,
                    _ if sym.chars().any(char::is_control) => {
                        return Err(format!("control character {sym:?} at column {x}, row {r}"));
                    }
                    _ => sym.width(),
                };
                if w == 0 {
                    return Err(format!("zero-width cell {sym:?} at column {x}, row {r}"));
                }
                if x + w > row.len() {
                    return Err(format!("row {r} is wider than {}: {sym:?} (width {w}) at column {x}", a.width));
                }
                if let Some(k) = (1..w).find(|&k| row[x + k].symbol() != " ") {
                    return Err(format!(
                        "{:?} at column {}, row {r} is drawn over the second half of {sym:?}",
                        row[x + k].symbol(),
                        x + k
                    ));
                }
                x += w;
            }
        }
        Ok(())
    }

    /// The area as text (for failure messages).
    fn text(&self) -> String {
        let a = self.area;
        let mut out = String::new();
        for y in a.top()..a.bottom() {
            let mut x = a.left();
            while x < a.right() {
                let s = self.buf[(x, y)].symbol();
                out.push_str(s);
                x += s.width().max(1) as u16;
            }
            out.push('\n');
        }
        out
    }
}
