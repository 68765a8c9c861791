//! A session's output: one delivery task per session writes the frames to
//! the channel as the client's window allows, and says goodbye (restore,
//! message, exit-status, EOF, close) however the session ends.

use super::limits::Kill;
use super::{IDLE_MAX, LINGER, Shared};
use russh::ChannelWriteHalf;
use russh::server::Msg;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::time::Instant;
use tokio::sync::Notify;

/// How long the goodbye (restore, exit-status, EOF, close) may wait for a
/// client that does not read.
pub(super) const FINISH_WAIT: Duration = Duration::from_secs(2);

/// What a client's terminal needs to be left as it was: attributes reset,
/// bracketed paste and mouse reporting off, the normal screen, the cursor.
pub(super) fn restore_sequence() -> Vec<u8> {
    let mut b = Vec::new();
    let _ = crossterm::queue!(
        b,
        crossterm::style::SetAttribute(crossterm::style::Attribute::Reset),
        crossterm::event::DisableBracketedPaste,
        crossterm::event::DisableMouseCapture,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    b
}

/// What a session's terminal is set to first: the alternate screen, no
/// cursor, bracketed paste (and mouse reports), as a local run.
pub(super) fn setup_sequence(mouse: bool) -> Vec<u8> {
    let mut b = Vec::new();
    let _ = crossterm::queue!(
        b,
        crossterm::terminal::EnterAlternateScreen,
        crossterm::cursor::Hide,
        crossterm::event::EnableBracketedPaste
    );
    if mouse {
        let _ = crossterm::queue!(b, crossterm::event::EnableMouseCapture);
    }
    b
}

/// How a session ends: the message shown after the restore, the exit
/// status, and the cause for the log.
pub(super) struct End {
    pub(super) message: String,
    pub(super) status: u32,
    pub(super) why: &'static str,
}

/// Between a session's handlers and its delivery task.
pub(super) struct Link {
    pub(super) state: Mutex<Outbox>,
    /// A frame or an end is waiting.
    pub(super) wake: Notify,
    /// An end was requested (it interrupts a frame stuck on a full window).
    pub(super) ending: Notify,
}

pub(super) struct Outbox {
    pub(super) frames: VecDeque<Vec<u8>>,
    /// An OSC 52 copy waiting to be sent (the latest only), before the frames.
    pub(super) clip: Option<Vec<u8>>,
    /// The requested end, until the delivery task takes it.
    pub(super) end: Option<End>,
    /// Why the session ended (the first end requested wins).
    pub(super) why: Option<&'static str>,
    pub(super) last_input: Instant,
    /// The connection is gone: nothing more to deliver.
    pub(super) gone: bool,
}

impl Link {
    pub(super) fn new() -> Link {
        let state = Outbox {
            frames: VecDeque::new(),
            clip: None,
            end: None,
            why: None,
            last_input: Instant::now(),
            gone: false,
        };
        Link { state: Mutex::new(state), wake: Notify::new(), ending: Notify::new() }
    }

    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, Outbox> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// End the session; pending frames are dropped. The first end wins.
    pub(super) fn end(&self, end: End) {
        let mut o = self.lock();
        if o.why.is_some() {
            return;
        }
        o.why = Some(end.why);
        o.frames.clear();
        o.end = Some(end);
        drop(o);
        self.ending.notify_one();
        self.wake.notify_one();
    }

    /// The connection is gone: the delivery task stops at once, even if a
    /// frame waits for window space that will never come, so that the
    /// session's slot is freed (a client that closed with its window full
    /// kept it until the idle timeout).
    pub(super) fn gone(&self) {
        self.lock().gone = true;
        self.ending.notify_one();
        self.wake.notify_one();
    }

    pub(super) fn why(&self) -> Option<&'static str> {
        self.lock().why
    }
}

/// Counts a running explorer in `Shared::apps` while it lives.
pub(super) struct AppSlot(pub(super) Arc<Shared>);

impl Drop for AppSlot {
    fn drop(&mut self) {
        self.0.apps.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A session's delivery task: the set-up bytes, then each frame as the
/// client's window allows, then the goodbye. It also ends the session after
/// `idle_timeout` without input, and when the server stops.
pub(super) async fn deliver(link: Arc<Link>, out: ChannelWriteHalf<Msg>, slot: AppSlot, kill: Arc<Kill>) {
    deliver_frames(link, out, slot).await;
    // The explorer has said goodbye: a client that keeps the connection
    // open after that is closed, so that it holds no slot.
    tokio::time::sleep(LINGER).await;
    kill.set_reason("closed after the session ended");
    kill.kill();
}

pub(super) async fn deliver_frames(link: Arc<Link>, out: ChannelWriteHalf<Msg>, slot: AppSlot) {
    let shared = Arc::clone(&slot.0);
    let idle = shared.opts.idle_timeout.min(IDLE_MAX);
    let limit = shared.opts.max_session_time.map(|d| d.min(IDLE_MAX));
    let deadline = limit.map(|d| Instant::now() + d);
    let mut stopping = shared.stopping.subscribe();
    // A frame cut short by an end: the goodbye first cancels any escape
    // sequence left open.
    let mut cut = false;
    tokio::select! {
        r = out.data_bytes(setup_sequence(shared.opts.mouse)) => if r.is_err() {
            return;
        },
        _ = link.ending.notified() => {
            // Gone or ended before the set-up was sent: nothing to restore.
            if link.lock().gone {
                return;
            }
        }
    }
    enum Next {
        Frame(Vec<u8>),
        End(End),
        Wait,
        Gone,
    }
    loop {
        if *stopping.borrow_and_update() {
            link.end(End {
                message: "yanbao：服务器正在停止，本次会话已结束".into(),
                status: 1,
                why: "server stopping",
            });
        }
        let (next, idle_at) = {
            let mut o = link.lock();
            let next = if let Some(end) = o.end.take() {
                Next::End(end)
            } else if o.gone {
                Next::Gone
            } else if let Some(c) = o.clip.take() {
                Next::Frame(c)
            } else if let Some(f) = o.frames.pop_front() {
                Next::Frame(f)
            } else {
                Next::Wait
            };
            (next, o.last_input + idle)
        };
        let wake_at = deadline.map_or(idle_at, |d| d.min(idle_at));
        let idle_sleep = tokio::time::sleep_until(wake_at.into());
        let timed_out = match next {
            Next::Gone => return,
            Next::End(end) => {
                goodbye(&out, end, cut).await;
                return;
            }
            Next::Frame(frame) => tokio::select! {
                r = out.data_bytes(frame) => {
                    if r.is_err() {
                        return;
                    }
                    false
                }
                _ = link.ending.notified() => {
                    cut = true;
                    false
                }
                _ = stopping.changed() => {
                    cut = true;
                    false
                }
                _ = idle_sleep => {
                    cut = true;
                    true
                }
            },
            Next::Wait => tokio::select! {
                _ = link.wake.notified() => false,
                _ = stopping.changed() => false,
                _ = idle_sleep => true,
            },
        };
        if timed_out
            && let (Some(d), Some(limit)) = (deadline, limit)
            && d <= Instant::now()
        {
            link.end(End {
                message: format!("yanbao：本次会话已达时间上限（{} 秒）", limit.as_secs()),
                status: 0,
                why: "session time limit",
            });
        } else if timed_out && link.lock().last_input + idle <= Instant::now() {
            link.end(End {
                message: format!("yanbao：{} 秒无输入，会话已关闭", idle.as_secs()),
                status: 0,
                why: "idle timeout",
            });
        }
    }
}

/// Restore the client's terminal, show the message, then exit-status, EOF
/// and close, in that order; bounded in time for a client that does not read.
pub(super) async fn goodbye(out: &ChannelWriteHalf<Msg>, end: End, cut: bool) {
    let mut bytes = Vec::new();
    if cut {
        bytes.push(0x18); // CAN: ends an escape sequence cut short
    }
    bytes.extend(restore_sequence());
    if !end.message.is_empty() {
        bytes.extend_from_slice(end.message.as_bytes());
        bytes.extend_from_slice(b"\r\n");
    }
    let _ = tokio::time::timeout(FINISH_WAIT, out.data_bytes(bytes)).await;
    let _ = tokio::time::timeout(FINISH_WAIT, async {
        out.exit_status(end.status).await?;
        out.eof().await?;
        out.close().await
    })
    .await;
}
