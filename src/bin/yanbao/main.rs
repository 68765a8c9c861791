//! The `yanbao` binary: the explorer, and the subcommands in modules of their own.

#![deny(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::panic))]

mod args;
mod check;
mod export;
mod figures;
mod import;
mod load;
mod serve;

use crate::args::*;
use crate::check::*;
use crate::export::*;
use crate::figures::*;
use crate::import::*;
use crate::load::*;
use crate::serve::*;
use clap::{CommandFactory, Parser};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use yanbao::app::{App, TreePane};
use yanbao::runtime;
use yanbao::theme::Theme;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dirs = content_dirs(&cli);
    NO_CACHE.store(cli.no_cache, std::sync::atomic::Ordering::Relaxed);
    // The library folder, from the config (a bad config is reported by the command).
    let library = yanbao::config::Options::load(cli.config.as_deref()).ok().and_then(|o| o.library_dir());
    let _ = LIBRARY.set(library);
    match cli.command {
        Some(Command::Import { ref files, ref out, ref encoding, force }) => {
            quiet_on_closed_pipe();
            import_cmd(files, out.as_deref(), encoding.as_deref(), force)
        }
        Some(Command::Library { ref action }) => {
            quiet_on_closed_pipe();
            library_cmd(action.as_ref().map(|LibraryAction::Remove { id }| id.as_str()))
        }
        Some(Command::Check) => {
            quiet_on_closed_pipe();
            check(&cli, &dirs)
        }
        Some(Command::Search { ref query, limit, kind, json }) => {
            quiet_on_closed_pipe();
            search(&dirs, &query.join(" "), limit, kind.map(KindArg::filter), json)
        }
        Some(Command::Serve(ref args)) => serve(&cli, args, &dirs),
        Some(Command::Export { ref target, format, ref out, force }) => {
            quiet_on_closed_pipe();
            match load_options(&cli) {
                Ok(o) => export(&dirs, target, format, out.as_deref(), force, o.citation),
                Err(code) => code,
            }
        }
        Some(Command::Figures { ref query, json, csv, md, ref xlsx, force, ref rate }) => {
            quiet_on_closed_pipe();
            match load_options(&cli) {
                Ok(o) => {
                    let format = match xlsx {
                        Some(file) => FiguresFormat::Xlsx { file: file.clone(), force },
                        None => FiguresFormat::from_flags(json, csv, md),
                    };
                    figures_cmd(&dirs, query, format, rate, o.citation)
                }
                Err(code) => code,
            }
        }
        Some(Command::Notes { format, ref report, ref key }) => {
            quiet_on_closed_pipe();
            match load_options(&cli) {
                Ok(o) => notes(&dirs, format, report.as_deref(), key.as_deref(), o.citation),
                Err(code) => code,
            }
        }
        Some(Command::Completions { shell }) => {
            quiet_on_closed_pipe();
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "yanbao", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Some(Command::Man) => {
            quiet_on_closed_pipe();
            match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("yanbao man: {e}");
                    ExitCode::from(1)
                }
            }
        }
        None => match explore(&cli, &dirs) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
    }
}

/// `yanbao check | head -1`, `yanbao search … | head`: end quietly when the
/// reader of the output goes away, as C tools do (SIGPIPE's default action),
/// instead of panicking in `println!`. The explorer and the server keep
/// SIGPIPE ignored: for them a closed pipe or socket is an error to handle.
#[allow(unsafe_code)]
fn quiet_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to its default.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
}

fn explore(cli: &Cli, dirs: &[PathBuf]) -> Result<(), ExitCode> {
    let fail = |e: std::io::Error| {
        eprintln!("yanbao: {e}");
        ExitCode::from(1)
    };
    // The config and the keymap first: a bad one is reported before any
    // content is read.
    let options = load_options(cli)?;
    // Catch SIGTERM/SIGHUP first, so no signal can leave a raw terminal behind.
    let stop = runtime::stop_flag(options.mouse).map_err(fail)?;
    let keymap = load_keymap(cli)?;
    let Loaded { lib, index, .. } = match &cli.file {
        Some(f) => open_file(f, cli.encoding.as_deref())?,
        None => load_indexed(dirs)?,
    };
    // The finder's index loads on a thread of its own, behind the first
    // frame; the finder waits for it if it is opened before.
    let index = Arc::new(index);
    if !index.is_ready() {
        let ix = Arc::clone(&index);
        std::thread::spawn(move || {
            // Behind the explorer's own thread: at a lower priority (on
            // Linux, nice applies to the calling thread alone).
            // SAFETY: nice(2) on this thread; its result is not needed.
            #[allow(unsafe_code)]
            unsafe {
                libc::nice(10)
            };
            ix.get();
        });
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("yanbao: the explorer needs a terminal (try `yanbao check` or `yanbao --help`)");
        return Err(ExitCode::from(2));
    }
    let theme = Theme::new(color_depth(options.color), options.ascii);
    runtime::install_panic_hook(options.mouse);
    let guard = runtime::TerminalGuard::enter(options.mouse).map_err(fail)?;
    let backend = yanbao::term::LeanBackend::new(std::io::stdout());
    let mut terminal = ratatui::Terminal::new(backend).map_err(fail)?;
    let size = terminal.size().map_err(fail)?;
    let mut app = App::new(Arc::new(lib), index, Arc::new(keymap), theme, (size.width, size.height));
    app.set_options(yanbao::options::Options {
        width: options.width.unwrap_or(yanbao::options::DEFAULT_WIDTH),
        ambiwidth: options.ambiwidth,
    });
    app.state.copy_to = options.copy_to.clone();
    app.state.citation = options.citation;
    app.state.set_tree(TreePane { shown: options.tree, width: options.tree_width });
    // The reading memory: resume where the last session left this content.
    // A file opened directly: its reading memory is its own.
    let opened = cli.file.as_ref().map(|f| f.canonicalize().unwrap_or_else(|_| f.clone()));
    if let Some(loc) = state_location(dirs, opened.as_deref()) {
        app.attach_state(yanbao::state::Store::open(loc), !cli.fresh);
    }
    let mut events = runtime::CrosstermEvents::new(options.mouse).map_err(fail)?;
    let result = runtime::run(&mut terminal, &mut app, &mut events, &stop);
    drop(guard);
    // The process ends here, the terminal restored and the state saved:
    // freeing a large library's index one allocation at a time would only
    // keep the shell waiting (130 ms on quit at 100 reports).
    std::mem::forget(app);
    result.map_err(fail)?;
    match runtime::stop_signal_status() {
        Some(status) => Err(ExitCode::from(status)),
        None => Ok(()),
    }
}
