//! One app session: the explorer's state and the client's screen as last
//! rendered, run by the session's [`Worker`] off the async workers. Frames
//! are rendered into byte buffers and queued on the session's [`Link`] for
//! its delivery task.

use super::deliver::{End, Link};
use super::{Shared, input};
use crate::action::{Action, Effect};
use crate::app::App;
use crate::theme::Theme;
#[cfg(feature = "test-hooks")]
use crossterm::event::Event;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use std::collections::VecDeque;
use std::io;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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

/// The explorer of one session: its app, its screen and its input decoder.
/// It lives on the session's [`Worker`], never on an async worker.
pub(super) struct Live {
    app: App,
    screen: Screen,
    decoder: input::Decoder,
    link: Arc<Link>,
}

impl Live {
    /// Render a frame and queue it. A client that is behind gets its queued
    /// frames dropped and this frame as a full repaint.
    fn paint(&mut self, dropped: &AtomicUsize) -> io::Result<()> {
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

impl Live {
    /// Queue an OSC 52 copy for the client's terminal. Only the latest copy
    /// waits (it is the clipboard's content); it is sent before the next
    /// frame and survives the dropping of frames for a client behind.
    fn copy(&mut self, text: &str) {
        let mut o = self.link.lock();
        if o.why.is_some() {
            return;
        }
        o.clip = Some(crate::clipboard::osc52(text));
        drop(o);
        self.link.wake.notify_one();
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        // Keep the reader's place, however the session ended. After a
        // panic in the session the state may be half updated: a panic here
        // is caught, never taken down with the server.
        let app = &mut self.app;
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.persist(true)));
        self.link.gone();
    }
}

/// Input queued per session, at most, in bytes (other jobs count 1). A
/// client that sends faster than its session works waits: its connection's
/// handler waits for room, so the connection is read no further and the
/// client's SSH window and TCP slow it down. A flood queues bounded work.
const ROOM: usize = 16 * 1024;
/// Input is queued in pieces of at most this many bytes.
pub(super) const PIECE: usize = 4096;

/// Work for a session's explorer, in the order it came.
pub(super) enum Job {
    /// Make the explorer at this size, and draw its first frame; with a
    /// state file (a reader logged in with a listed key), take back the
    /// reading memory kept there and keep it.
    /// Theme, size, state file, ambiguous characters two columns wide.
    Start(Theme, (u16, u16), Option<crate::state::Location>, bool),
    /// Bytes of input from the reader.
    Input(Vec<u8>),
    /// The reader's terminal has this size (capped).
    Resize(u16, u16),
}

/// A session's explorer, run off the async workers. The connection's
/// handler queues [`Job`]s; one blocking task at a time per session (on
/// tokio's blocking pool) takes every job queued, runs them in order, then
/// renders one frame for them all. A search or a render, however long,
/// never holds an async worker, so one busy session stalls no other.
pub(super) struct Worker {
    state: Mutex<Work>,
    /// Room for queued jobs ([`ROOM`]); closed once the session ended.
    room: Arc<Semaphore>,
    shared: Arc<Shared>,
    link: Arc<Link>,
    /// Peer and user, for the log.
    who: String,
}

struct Work {
    jobs: VecDeque<(Job, Option<OwnedSemaphorePermit>)>,
    /// The explorer, between jobs (the running task holds it meanwhile).
    live: Option<Live>,
    /// A task runs this session's jobs.
    running: bool,
    /// The session ended (quit, error, panic) or its connection closed.
    ended: bool,
}

impl Worker {
    pub(super) fn new(shared: Arc<Shared>, link: Arc<Link>, who: String) -> Arc<Worker> {
        let work = Work { jobs: VecDeque::new(), live: None, running: false, ended: false };
        let room = Arc::new(Semaphore::new(ROOM));
        Arc::new(Worker { state: Mutex::new(work), room, shared, link, who })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Work> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queue a job once there is room for it (a job's room is given back
    /// when it has run); input, at most [`PIECE`] bytes. Nothing happens
    /// once the session ended.
    pub(super) async fn submit(self: &Arc<Self>, job: Job) {
        let size = match &job {
            Job::Input(data) => data.len().clamp(1, PIECE),
            _ => 1,
        };
        let Ok(permit) = Arc::clone(&self.room).acquire_many_owned(size as u32).await else { return };
        self.push(job, Some(permit));
    }

    /// Queue a job, room or not (the first one).
    pub(super) fn push(self: &Arc<Self>, job: Job, permit: Option<OwnedSemaphorePermit>) {
        let mut w = self.lock();
        if w.ended {
            return;
        }
        // Resizes not yet drawn are coalesced: only the last size counts.
        if matches!(job, Job::Resize(..))
            && let Some((queued @ Job::Resize(..), _)) = w.jobs.back_mut()
        {
            *queued = job;
            return;
        }
        w.jobs.push_back((job, permit));
        if !w.running {
            w.running = true;
            drop(w);
            let me = Arc::clone(self);
            tokio::task::spawn_blocking(move || me.drain());
        }
    }

    /// The connection is gone: queued jobs are dropped, and the explorer
    /// with them (now, or when the running task ends).
    pub(super) fn close(&self) {
        self.room.close();
        let mut w = self.lock();
        w.ended = true;
        w.jobs.clear();
        let live = w.live.take();
        drop(w);
        drop(live);
    }

    /// Run the queued jobs until none is left. A quit, an error or a panic
    /// ends this session only, its terminal restored.
    fn drain(&self) {
        let mut live = self.lock().live.take();
        loop {
            let jobs = {
                let mut w = self.lock();
                if w.ended || w.jobs.is_empty() {
                    w.running = false;
                    if !w.ended {
                        w.live = live.take();
                    }
                    return;
                }
                std::mem::take(&mut w.jobs)
            };
            let ran = std::panic::catch_unwind(AssertUnwindSafe(|| self.run(&mut live, jobs)));
            let end = match ran {
                Ok(Ok(false)) => continue,
                Ok(Ok(true)) => End { message: String::new(), status: 0, why: "quit" },
                Ok(Err(e)) => {
                    (self.shared.log)(&format!("{}: session error: {e}", self.who));
                    End { message: format!("yanbao: {e}"), status: 1, why: "error" }
                }
                Err(payload) => {
                    let text = panic_text(payload.as_ref());
                    (self.shared.log)(&format!(
                        "{}: session panicked: {text} (that session ended; the server goes on)",
                        self.who
                    ));
                    End {
                        message: "yanbao：内部错误，本次会话已结束（请报告此问题）".into(), status: 1, why: "panic"
                    }
                }
            };
            self.link.end(end);
            self.room.close();
            let mut w = self.lock();
            w.ended = true;
            w.running = false;
            let jobs = std::mem::take(&mut w.jobs);
            drop(w);
            drop(jobs);
            drop(live);
            return;
        }
    }

    /// Run jobs in order, then render once. True: the reader quit.
    fn run(&self, live: &mut Option<Live>, jobs: VecDeque<(Job, Option<OwnedSemaphorePermit>)>) -> io::Result<bool> {
        let sh = &self.shared;
        #[cfg(feature = "test-hooks")]
        let panic_key = char::from_u32(sh.panic_key.load(Ordering::SeqCst)).filter(|c| *c != '\0');
        for (job, _room) in jobs {
            match job {
                Job::Start(theme, (w, h), state_file, ambiwide) => {
                    let mut app = App::with_pages(
                        Arc::clone(&sh.lib),
                        Arc::clone(&sh.index),
                        Arc::clone(&sh.keymap),
                        theme,
                        (w, h),
                        Arc::clone(&sh.pages),
                    );
                    if ambiwide {
                        let o = app.state.options;
                        app.set_options(crate::options::Options { ambiwidth: crate::options::AmbiWidth::Wide, ..o });
                    }
                    app.state.citation = sh.opts.citation;
                    if let Some(file) = state_file {
                        app.attach_state(crate::state::Store::open(file), true);
                    }
                    let link = Arc::clone(&self.link);
                    *live = Some(Live {
                        app,
                        screen: Screen::new(w, h),
                        decoder: input::Decoder::new(sh.opts.mouse),
                        link,
                    });
                }
                Job::Resize(w, h) => {
                    if let Some(live) = live
                        && live.screen.resize(w, h)
                    {
                        live.app.update(Action::Resize(w, h));
                    }
                }
                Job::Input(data) => {
                    let Some(live) = live else { continue };
                    for ev in live.decoder.feed(&data) {
                        #[cfg(feature = "test-hooks")]
                        #[allow(clippy::panic)]
                        if let (Some(k), Event::Key(key)) = (panic_key, &ev)
                            && key.code == crossterm::event::KeyCode::Char(k)
                        {
                            panic!("injected panic on key {k:?} (test hook)");
                        }
                        let effects = live.app.handle_event(ev);
                        live.app.note_effects(&effects);
                        if effects.contains(&Effect::Quit) {
                            return Ok(true);
                        }
                        for e in effects {
                            // Over SSH a copy is OSC 52 only: it reaches the
                            // client's terminal with the screen (never a file
                            // on the server).
                            if let Effect::Copy { text, .. } = e {
                                live.copy(&text);
                            }
                        }
                    }
                    // The reading memory, written at most every few seconds
                    // (and when the session ends, however: `Live`'s drop).
                    live.app.persist(false);
                }
            }
        }
        match live {
            Some(live) => live.paint(&sh.frames_dropped).map(|()| false),
            None => Ok(false),
        }
    }
}

/// The text of a panic's payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}
