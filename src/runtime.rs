//! Runtimes: the event loop around an `App`, generic over the ratatui
//! backend and the event source, plus the local terminal's set-up and
//! guaranteed restore (on exit, error, panic, SIGTERM and SIGHUP).

use crate::action::Effect;
use crate::app::App;
use crate::ui;
use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::Backend;
use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Where events come from: the local terminal, an SSH channel, a test.
pub trait EventSource {
    /// Wait up to `timeout` for the next event.
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>>;
}

/// Events from the local terminal.
pub struct CrosstermEvents;

impl EventSource for CrosstermEvents {
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        if crossterm::event::poll(timeout)? { crossterm::event::read().map(Some) } else { Ok(None) }
    }
}

fn io_err(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// Run until the app quits, the events end, or `stop` is set. Pending events
/// are applied together and the screen is drawn once after them.
pub fn run<B: Backend, E: EventSource>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    events: &mut E,
    stop: &AtomicBool,
) -> io::Result<()> {
    loop {
        terminal.draw(|f| ui::render(app, f.area(), f.buffer_mut())).map_err(io_err)?;
        let Some(first) = events.next_event(Duration::from_millis(250))? else {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            continue;
        };
        let mut quit = apply(app, first);
        // Apply what is pending, a bounded number at a time, so that a flood
        // of events (or a source that never runs dry) cannot starve drawing
        // or the stop flag.
        for _ in 0..256 {
            if quit || stop.load(Ordering::Relaxed) {
                break;
            }
            match events.next_event(Duration::ZERO)? {
                Some(ev) => quit = apply(app, ev),
                None => break,
            }
        }
        if quit || stop.load(Ordering::Relaxed) {
            return Ok(());
        }
    }
}

fn apply(app: &mut App, ev: Event) -> bool {
    app.handle_event(ev).contains(&Effect::Quit)
}

/// Puts the local terminal into raw mode and the alternate screen; restores
/// it when dropped, including during a panic unwind.
pub struct TerminalGuard {
    mouse: bool,
}

impl TerminalGuard {
    pub fn enter(mouse: bool) -> io::Result<TerminalGuard> {
        use crossterm::{cursor, event, execute, terminal};
        terminal::enable_raw_mode()?;
        let guard = TerminalGuard { mouse };
        execute!(io::stdout(), terminal::EnterAlternateScreen, event::EnableBracketedPaste, cursor::Hide)?;
        if mouse {
            execute!(io::stdout(), event::EnableMouseCapture)?;
        }
        Ok(guard)
    }
}

/// Restore the terminal; safe to call more than once.
pub fn restore_terminal(mouse: bool) {
    use crossterm::{cursor, event, execute, terminal};
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

/// A flag set by SIGTERM, SIGHUP and SIGINT, so the loop ends and the guard
/// restores the terminal.
///
/// When the terminal itself has gone (a dropped SSH connection), crossterm's
/// `poll` can spin without returning, so the loop never sees the flag: a
/// watchdog thread then restores what it can and exits, one second after
/// the signal, instead of leaving a process burning a core.
pub fn stop_flag(mouse: bool) -> io::Result<Arc<AtomicBool>> {
    let flag = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP, signal_hook::consts::SIGINT] {
        signal_hook::flag::register(sig, Arc::clone(&flag))?;
    }
    let watched = Arc::clone(&flag);
    std::thread::Builder::new().name("stop-watchdog".into()).spawn(move || {
        while !watched.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(100));
        }
        std::thread::sleep(Duration::from_secs(1));
        restore_terminal(mouse);
        std::process::exit(130);
    })?;
    Ok(flag)
}
