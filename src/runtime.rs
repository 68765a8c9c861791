//! Runtimes: the event loop around an `App`, generic over the ratatui
//! backend and the event source, plus the local terminal's set-up and
//! guaranteed restore (on exit, error, panic, SIGTERM and SIGHUP).

use crate::action::Effect;
use crate::app::App;
use crate::term::ScreenHint;
use crate::ui;
use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::io;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Where events come from: the local terminal, an SSH channel, a test.
pub trait EventSource {
    /// Wait up to `timeout` for the next event.
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>>;

    /// Stop the process as Ctrl-z does in a shell, with the terminal given
    /// back first, and take the terminal again on resume. `Ok(true)` means it
    /// was suspended and the screen must be repainted; sources that cannot
    /// suspend (an SSH channel, a test) say `Ok(false)`.
    fn suspend(&mut self) -> io::Result<bool> {
        Ok(false)
    }

    /// Whether a suspend was asked for from outside (SIGTSTP); clears it.
    fn take_suspend_request(&mut self) -> bool {
        false
    }
}

/// Events from the local terminal.
pub struct CrosstermEvents {
    mouse: bool,
    tstp: Arc<AtomicBool>,
}

impl CrosstermEvents {
    /// Catches SIGTSTP (`kill -TSTP`), so that the terminal is restored
    /// before the process stops.
    pub fn new(mouse: bool) -> io::Result<CrosstermEvents> {
        let tstp = Arc::new(AtomicBool::new(false));
        signal_hook::flag::register(signal_hook::consts::SIGTSTP, Arc::clone(&tstp))?;
        Ok(CrosstermEvents { mouse, tstp })
    }
}

impl EventSource for CrosstermEvents {
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        // crossterm's poll(2) source (feature use-dev-tty) neither reads nor
        // returns its parsed events for a zero timeout, so a drain of pending
        // keys would draw once per key: wait at least a millisecond.
        let timeout = timeout.max(Duration::from_millis(1));
        if crossterm::event::poll(timeout)? { crossterm::event::read().map(Some) } else { Ok(None) }
    }

    fn suspend(&mut self) -> io::Result<bool> {
        restore_terminal(self.mouse);
        // The default action of SIGTSTP: stop. The process continues here on SIGCONT.
        signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP)?;
        enter_terminal(self.mouse)?;
        Ok(true)
    }

    fn take_suspend_request(&mut self) -> bool {
        self.tstp.swap(false, Ordering::Relaxed)
    }
}

fn io_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Run until the app quits, the events end, or `stop` is set. Pending events
/// are applied together and the screen is drawn once after them.
pub fn run<B: Backend + ScreenHint, E: EventSource>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut E,
    stop: &AtomicBool,
) -> io::Result<()> {
    let mut suspend = false;
    let result = (|| loop {
        if suspend || events.take_suspend_request() {
            suspend = false;
            if events.suspend()? {
                // The shell drew over the screen: repaint all of it. Not with
                // `Terminal::clear`, which asks the terminal where the cursor is.
                terminal.backend_mut().clear().map_err(io_err)?;
                terminal.current_buffer_mut().reset();
                terminal.swap_buffers();
                let size = terminal.size().map_err(io_err)?;
                app.update(crate::action::Action::Resize(size.width, size.height));
            }
        }
        // The reading memory, written at most every few seconds.
        app.persist(false);
        crate::term::draw(terminal, |area, buf| ui::render(app, area, buf))?;
        let Some(first) = events.next_event(Duration::from_millis(250))? else {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            continue;
        };
        let mut effects = app.handle_event(first);
        app.note_effects(&effects);
        // Apply what is pending, a bounded number at a time, so that a flood
        // of events (or a source that never runs dry) cannot starve drawing
        // or the stop flag.
        for _ in 0..256 {
            if effects.iter().any(|e| *e != Effect::SaveState) || stop.load(Ordering::Relaxed) {
                break;
            }
            match events.next_event(Duration::ZERO)? {
                Some(ev) => {
                    effects = app.handle_event(ev);
                    app.note_effects(&effects);
                }
                None => break,
            }
        }
        if effects.contains(&Effect::Quit) || stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        for e in &effects {
            if let Effect::Copy { text, to } = e {
                copy(terminal.backend_mut(), app, text, to.as_deref());
            }
        }
        suspend = effects.contains(&Effect::Suspend);
    })();
    // However the loop ended, the place read is kept.
    app.persist(true);
    result
}

/// Carry out a copy: append to the `--copy-to` file, or send OSC 52 to the
/// terminal. A failure replaces the status line's message.
fn copy<B: ScreenHint>(backend: &mut B, app: &mut App, text: &str, to: Option<&std::path::Path>) {
    let result = match to {
        Some(path) => append_copy(path, text),
        None => backend.write_raw(&crate::clipboard::osc52(text)),
    };
    if let Err(e) = result {
        let place = to.map(|p| format!("{}：", p.display())).unwrap_or_default();
        app.state.message = Some(format!("复制失败：{place}{}", crate::fmt::io_error_zh(&e)));
    }
}

/// Append a copy to a file, one blank line after it (`--copy-to`).
pub fn append_copy(path: &std::path::Path, text: &str) -> io::Result<()> {
    use std::io::Write;
    // Non-blocking: a FIFO with no reader fails at once (ENXIO) instead of
    // freezing the explorer; then only a regular file is written.
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().create(true).append(true).custom_flags(libc::O_NONBLOCK).open(path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file (a FIFO, device or socket)"));
    }
    let mut buf = text.trim_end_matches('\n').to_string();
    buf.push_str("\n\n");
    f.write_all(buf.as_bytes())
}

/// Puts the local terminal into raw mode and the alternate screen; restores
/// it when dropped, including during a panic unwind.
pub struct TerminalGuard {
    mouse: bool,
}

impl TerminalGuard {
    pub fn enter(mouse: bool) -> io::Result<TerminalGuard> {
        let guard = TerminalGuard { mouse };
        enter_terminal(mouse)?;
        Ok(guard)
    }
}

/// Whether the terminal is as the shell left it (nothing to restore).
static RESTORED: AtomicBool = AtomicBool::new(true);

/// Raw mode, the alternate screen, bracketed paste, no cursor (and the mouse).
fn enter_terminal(mouse: bool) -> io::Result<()> {
    use crossterm::{cursor, event, execute, terminal};
    terminal::enable_raw_mode()?;
    RESTORED.store(false, Ordering::SeqCst);
    execute!(io::stdout(), terminal::EnterAlternateScreen, event::EnableBracketedPaste, cursor::Hide)?;
    if mouse {
        execute!(io::stdout(), event::EnableMouseCapture)?;
    }
    Ok(())
}

/// Restore the terminal. Only the first call after `enter` writes anything,
/// so a panic message printed after the hook's restore is not overwritten by
/// the guard's (leaving the alternate screen twice would restore the cursor
/// position saved before the explorer started, over the message).
pub fn restore_terminal(mouse: bool) {
    use crossterm::{cursor, event, execute, terminal};
    if RESTORED.swap(true, Ordering::SeqCst) {
        return;
    }
    if mouse {
        let _ = execute!(io::stdout(), event::DisableMouseCapture);
    }
    let _ = execute!(io::stdout(), event::DisableBracketedPaste, terminal::LeaveAlternateScreen, cursor::Show);
    let _ = terminal::disable_raw_mode();
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal(self.mouse);
    }
}

/// Restore the terminal before the default panic message is printed.
pub fn install_panic_hook(mouse: bool) {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal(mouse);
        prev(info);
    }));
}

/// The signal that asked the explorer to stop (0 if none), for the exit status.
static STOP_SIGNAL: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// The exit status for the signal that stopped the explorer, as a shell
/// reports it (128 + the signal number), if a signal (or a hang-up) did.
pub fn stop_signal_status() -> Option<u8> {
    match STOP_SIGNAL.get().map_or(0, |s| s.load(Ordering::SeqCst)) {
        0 => None,
        sig => Some(128u8.saturating_add(sig as u8)),
    }
}

/// A flag set by SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1 and SIGUSR2, and
/// by the terminal hanging up, so the loop ends and the guard restores the
/// terminal.
///
/// When the terminal itself has gone (a closed pane, a dropped SSH
/// connection), crossterm's `poll` can spin without returning, so the loop
/// never sees the flag, and without a SIGHUP nothing sets it. A watchdog
/// thread therefore checks the terminal for a hang-up every 100 ms, and once
/// the flag is set it restores what it can and exits one second later,
/// instead of leaving a process burning a core.
pub fn stop_flag(mouse: bool) -> io::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
    let flag = Arc::new(AtomicBool::new(false));
    let which = Arc::clone(STOP_SIGNAL.get_or_init(|| Arc::new(AtomicUsize::new(0))));
    for sig in [SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2] {
        signal_hook::flag::register_usize(sig, Arc::clone(&which), sig as usize)?;
        signal_hook::flag::register(sig, Arc::clone(&flag))?;
    }
    let watched = Arc::clone(&flag);
    let tty = TtyProbe::open();
    std::thread::Builder::new().name("stop-watchdog".into()).spawn(move || {
        while !watched.load(Ordering::SeqCst) {
            if tty.as_ref().is_some_and(TtyProbe::hung_up) {
                let _ = which.compare_exchange(0, SIGHUP as usize, Ordering::SeqCst, Ordering::SeqCst);
                watched.store(true, Ordering::SeqCst);
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_secs(1));
        restore_terminal(mouse);
        std::process::exit(i32::from(stop_signal_status().unwrap_or(130)));
    })?;
    Ok(flag)
}

/// The terminal crossterm reads (standard input when it is a terminal, else
/// /dev/tty), watched for a hang-up: the pty's other side closed.
struct TtyProbe {
    fd: std::os::fd::RawFd,
    _owned: Option<std::fs::File>,
}

impl TtyProbe {
    fn open() -> Option<TtyProbe> {
        use std::io::IsTerminal;
        use std::os::fd::AsRawFd;
        if io::stdin().is_terminal() {
            return Some(TtyProbe { fd: io::stdin().as_raw_fd(), _owned: None });
        }
        let f = std::fs::OpenOptions::new().read(true).open("/dev/tty").ok()?;
        Some(TtyProbe { fd: f.as_raw_fd(), _owned: Some(f) })
    }

    /// POLLHUP, POLLERR or POLLNVAL on the terminal, without reading from it.
    fn hung_up(&self) -> bool {
        let mut p = libc::pollfd { fd: self.fd, events: 0, revents: 0 };
        // SAFETY: one valid pollfd, a zero timeout.
        #[allow(unsafe_code)]
        let n = unsafe { libc::poll(&mut p, 1, 0) };
        n > 0 && p.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
    }
}
