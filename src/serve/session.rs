//! One app session: the explorer's state and the client's screen as last
//! rendered. Frames are rendered into byte buffers and queued on the
//! session's [`Link`] for its delivery task.

use super::deliver::Link;
use super::input;
use crate::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use russh::ChannelId;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Frames queued per session; past this the client is behind, the queued
/// frames are dropped and the next frame is a full repaint.
const QUEUE: usize = 4;

/// The client's screen as last rendered. Frames are diffs against it, or a
/// full repaint (clear, then every cell); nothing here asks any terminal
/// anything.
pub(super) struct Screen {
    area: Rect,
    prev: Buffer,
    cur: Buffer,
    repaint: bool,
}

impl Screen {
    pub(super) fn new(w: u16, h: u16) -> Screen {
        let area = Rect::new(0, 0, w, h);
        Screen { area, prev: Buffer::empty(area), cur: Buffer::empty(area), repaint: true }
    }

    /// A new size; the next frame repaints everything. False if unchanged.
    pub(super) fn resize(&mut self, w: u16, h: u16) -> bool {
        if (w, h) == (self.area.width, self.area.height) {
            return false;
        }
        *self = Screen::new(w, h);
        true
    }

    /// Render `app` and append the bytes that bring the client's screen from
    /// the last frame to this one (`full`: from anything).
    pub(super) fn frame(&mut self, app: &App, full: bool, out: &mut Vec<u8>) -> io::Result<()> {
        self.cur.reset();
        crate::ui::render(app, self.area, &mut self.cur);
        if full || self.repaint {
            crossterm::queue!(
                out,
                crossterm::style::SetAttribute(crossterm::style::Attribute::Reset),
                crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
            )?;
            self.prev.reset();
            self.repaint = false;
        }
        // Lean: no cursor move where the cursor already stands, nothing for no change.
        crate::term::encode(out, self.prev.diff_iter(&self.cur), Some(&self.cur))?;
        std::mem::swap(&mut self.prev, &mut self.cur);
        Ok(())
    }
}

/// One app session on one channel.
pub(super) struct Live {
    pub(super) channel: ChannelId,
    pub(super) app: App,
    pub(super) screen: Screen,
    pub(super) decoder: input::Decoder,
    pub(super) link: Arc<Link>,
}

impl Live {
    /// Render a frame and queue it. A client that is behind gets its queued
    /// frames dropped and this frame as a full repaint.
    pub(super) fn paint(&mut self, dropped: &AtomicUsize) -> io::Result<()> {
        let behind = self.link.lock().frames.len() >= QUEUE;
        let mut out = Vec::new();
        self.screen.frame(&self.app, behind, &mut out)?;
        if out.is_empty() {
            return Ok(());
        }
        let mut o = self.link.lock();
        if o.why.is_some() {
            return Ok(());
        }
        if behind {
            dropped.fetch_add(o.frames.len(), Ordering::Relaxed);
            o.frames.clear();
        }
        o.frames.push_back(out);
        drop(o);
        self.link.wake.notify_one();
        Ok(())
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.link.lock().gone = true;
        self.link.wake.notify_one();
    }
}
