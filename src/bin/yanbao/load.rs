//! Loading what a command needs: content (with its index), keymap, config.

use crate::args::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use yanbao::config::{ColorWhen, Options};
use yanbao::content::Library;
use yanbao::keymap::Keymap;
use yanbao::search::LazyIndex;
use yanbao::theme::ColorDepth;

/// The content folders: `--content`, else `$YANBAO_CONTENT`; none for the bundled reports.
pub(crate) fn content_dirs(cli: &Cli) -> Vec<PathBuf> {
    if !cli.content.is_empty() {
        return cli.content.clone();
    }
    std::env::var_os("YANBAO_CONTENT")
        .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
        .unwrap_or_default()
}

/// The content as named in messages.
pub(crate) fn content_name(dirs: &[PathBuf]) -> String {
    if dirs.is_empty() {
        return "the bundled content".into();
    }
    dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(":")
}

/// The library folder of imported reports, from the config (set in `main`).
pub(crate) static LIBRARY: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

/// The library folder, when the bundled content is read and the folder
/// holds at least one report: it is then read with the bundled reports.
pub(crate) fn library_in_use(dirs: &[PathBuf]) -> Option<PathBuf> {
    if !dirs.is_empty() {
        return None;
    }
    let lib = LIBRARY.get().cloned().flatten()?;
    let has_report = std::fs::read_dir(&lib).ok()?.flatten().any(|e| e.path().join("report.yaml").is_file());
    has_report.then_some(lib)
}

fn load_dirs_or_library(dirs: &[PathBuf]) -> Result<(Library, Vec<yanbao::content::ContentError>), String> {
    match library_in_use(dirs) {
        Some(lib) => Library::load_bundled_with(&lib),
        None => Library::load_dirs(dirs),
    }
}

/// Load content; on any problem print every one and fail.
pub(crate) fn load_library(dirs: &[PathBuf]) -> Result<Library, ExitCode> {
    match load_dirs_or_library(dirs) {
        Err(e) => {
            eprintln!("yanbao: cannot read content: {e}");
            Err(ExitCode::from(2))
        }
        Ok((lib, errors)) if errors.is_empty() => Ok(lib),
        Ok((_, errors)) => {
            for e in &errors {
                report(&e);
            }
            eprintln!("yanbao: {} problem(s) in {}", errors.len(), content_name(dirs));
            Err(ExitCode::from(1))
        }
    }
}

/// Set from `--no-cache` before any content is loaded.
pub(crate) static NO_CACHE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Load content with its search index, through the cache unless
/// `--no-cache`; on any problem print every one and fail. From the cache,
/// the index is read on first use and reports are read when opened.
pub(crate) fn load_indexed(dirs: &[PathBuf]) -> Result<Loaded, ExitCode> {
    use yanbao::cache::{self, Status};
    let cache_dir = (!NO_CACHE.load(std::sync::atomic::Ordering::Relaxed)).then(cache::default_dir).flatten();
    // The bundled reports with the library folder's, through a cache file
    // of their own; else the folders (or the bundled reports alone).
    let library = library_in_use(dirs);
    let shown = BuildProgress::new();
    let progress = |step, done, all| shown.step(step, done, all);
    let opened = match &library {
        Some(lib) => cache::open_library_with(lib, cache_dir.as_deref(), &progress),
        None => cache::open_dirs_with(dirs, cache_dir.as_deref(), &progress),
    };
    shown.finish();
    let opened = match opened {
        Ok(o) => o,
        Err(e) => {
            eprintln!("yanbao: cannot read content: {e}");
            return Err(ExitCode::from(2));
        }
    };
    let cache_file = cache_dir.as_ref().map(|c| match &library {
        Some(lib) => cache::file_for_library(c, lib),
        None => cache::file_for_dirs(c, dirs),
    });
    if let (Status::Rebuilt(why), Some(f)) = (&opened.status, &cache_file) {
        eprintln!("yanbao: the cache {} was {why}: rebuilt", f.display());
    }
    match opened.index {
        Some(index) if opened.errors.is_empty() => {
            Ok(Loaded { lib: opened.lib, index, pieces: opened.pieces, cache_file })
        }
        _ => {
            for e in &opened.errors {
                report(&e);
            }
            eprintln!("yanbao: {} problem(s) in {}", opened.errors.len(), content_name(dirs));
            Err(ExitCode::from(1))
        }
    }
}

/// How far a cache build is, on stderr when it is a terminal: a first
/// start of a large library takes seconds, and shows `正在建立索引 37/500`
/// (parsing, then indexing, then writing the cache) instead of nothing.
/// Drawn only past a few reports, and cleared before the explorer starts.
struct BuildProgress {
    bar: std::sync::OnceLock<Option<indicatif::ProgressBar>>,
}

impl BuildProgress {
    /// Fewer reports than this build in well under a second: no bar.
    const MIN_REPORTS: usize = 20;

    fn new() -> Self {
        BuildProgress { bar: std::sync::OnceLock::new() }
    }

    fn step(&self, step: yanbao::cache::Step, done: usize, all: usize) {
        use std::io::IsTerminal;
        use yanbao::cache::Step;
        let bar = self.bar.get_or_init(|| {
            (all >= Self::MIN_REPORTS && std::io::stderr().is_terminal()).then(|| {
                let b = indicatif::ProgressBar::new(all as u64);
                b.set_style(
                    indicatif::ProgressStyle::with_template("{msg} {pos}/{len} {bar:30}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b
            })
        });
        let Some(b) = bar else { return };
        let what = match step {
            Step::Parse => "正在读取报告",
            Step::Index => "正在建立索引",
            Step::Write => "正在写入缓存",
        };
        b.set_message(what);
        if step == Step::Write {
            b.set_position(b.length().unwrap_or(0));
        } else {
            b.set_length(all as u64);
            b.set_position(done as u64);
        }
    }

    fn finish(&self) {
        if let Some(Some(b)) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}

/// A library with its index, loaded.
pub(crate) struct Loaded {
    pub(crate) lib: Library,
    pub(crate) index: LazyIndex,
    /// From the cache: the index's pieces, for `search` to read one at a time.
    pub(crate) pieces: Option<Arc<yanbao::cache::Pieces>>,
    pub(crate) cache_file: Option<PathBuf>,
}

pub(crate) fn load_keymap(cli: &Cli) -> Result<Keymap, ExitCode> {
    let mut km = Keymap::defaults();
    let user = cli.keymap.clone().or_else(|| {
        let p = yanbao::paths::dir(yanbao::paths::Base::Config)?.join("keymap.yaml");
        p.exists().then_some(p)
    });
    if let Some(p) = user {
        let text = yanbao::content::read_guarded_text(&p, yanbao::keymap::MAX_KEYMAP_BYTES).map_err(|e| {
            eprintln!("yanbao: {}: {e}", p.display());
            ExitCode::from(2)
        })?;
        if let Err(errors) = km.overlay(&p.display().to_string(), &text) {
            for e in errors {
                report(&e);
            }
            return Err(ExitCode::from(2));
        }
    }
    Ok(km)
}

/// The options: the defaults, then the config file, then the flags.
pub(crate) fn load_options(cli: &Cli) -> Result<Options, ExitCode> {
    let mut o = Options::load(cli.config.as_deref()).map_err(|errors| {
        for e in errors {
            report(&e);
        }
        ExitCode::from(2)
    })?;
    if let Some(c) = cli.color {
        o.color = c;
    }
    if cli.ascii || cli.no_ascii {
        o.ascii = cli.ascii;
    }
    if cli.mouse || cli.no_mouse {
        o.mouse = cli.mouse;
    }
    if let Some(p) = &cli.copy_to {
        o.copy_to = Some(p.clone());
    }
    if let Some(w) = cli.width {
        o.width = Some(w);
    }
    if let Some(a) = cli.ambiwidth {
        o.ambiwidth = a;
    }
    Ok(o)
}

pub(crate) fn color_depth(when: ColorWhen) -> ColorDepth {
    let colorterm = std::env::var("COLORTERM").ok();
    match when {
        ColorWhen::Never => ColorDepth::None,
        ColorWhen::Always => ColorDepth::detect(colorterm.as_deref(), false),
        ColorWhen::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            ColorDepth::detect(colorterm.as_deref(), no_color)
        }
    }
}

/// Where the reading memory of this content is kept (none without a state folder).
pub(crate) fn state_location(dirs: &[PathBuf], file: Option<&Path>) -> Option<yanbao::state::Location> {
    let state_dir = yanbao::state::default_dir()?;
    // Several folders: keyed by their list.
    let key = match dirs {
        _ if file.is_some() => file.map(Path::to_path_buf),
        [] => None,
        [d] => Some(d.clone()),
        _ => Some(PathBuf::from(content_name(dirs))),
    };
    Some(yanbao::state::location_for(&state_dir, key.as_deref()))
}

/// Write a subcommand's output: any write error (a full disk: ENOSPC) is a
/// message and exit status 1, never a panic or a silent success. A closed
/// pipe never gets here: those commands restore SIGPIPE's default action.
pub(crate) fn write_stdout(command: &str, text: &str) -> Result<(), ExitCode> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| {
        eprintln!("yanbao {command}: cannot write the output: {e}");
        ExitCode::from(1)
    })
}

/// Print one problem on stderr, without the control characters a file's
/// content may have put in it (an unknown field name is echoed as written).
pub(crate) fn report(e: &dyn std::fmt::Display) {
    eprintln!("{}", yanbao::text::safe_out(&e.to_string()));
}
