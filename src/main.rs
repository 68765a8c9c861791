use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use yanbao::app::{App, TreePane};
use yanbao::config::{AmbiWidth, ColorWhen, Options};
use yanbao::content::Library;
use yanbao::keymap::Keymap;
use yanbao::runtime;
use yanbao::search::{Field, Filter, Hit, Index, Kind, LazyIndex, Query, RankKey, Target};

/// The width of the matched window `yanbao search` prints.
const SNIPPET_COLUMNS: usize = 60;
use yanbao::theme::{ColorDepth, Theme};

/// yanbao 研报: read and explore Chinese research reports in the terminal.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Load content from this folder instead of the bundled reports; given
    /// several times, the folders are read as one library (also:
    /// $YANBAO_CONTENT, a ':'-separated list of folders).
    #[arg(long, global = true, value_name = "DIR")]
    content: Vec<PathBuf>,
    /// Parse the content without the cache in $XDG_CACHE_HOME/yanbao
    /// (`check` never uses the cache).
    #[arg(long, global = true)]
    no_cache: bool,
    /// A keymap file laid over the defaults
    /// (default: $XDG_CONFIG_HOME/yanbao/keymap.yaml if it exists).
    #[arg(long, value_name = "FILE")]
    keymap: Option<PathBuf>,
    /// The config file of persistent options
    /// (default: $XDG_CONFIG_HOME/yanbao/config.yaml if it exists).
    /// Flags override it.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// When to use colour; `auto` (the default) honours NO_COLOR, and uses
    /// truecolor only when COLORTERM says so.
    #[arg(long, value_enum)]
    color: Option<ColorWhen>,
    /// Draw borders, bullets and bars with ASCII characters only.
    #[arg(long, overrides_with = "no_ascii")]
    ascii: bool,
    /// Draw with the usual characters even if the config says `ascii: true`.
    #[arg(long, overrides_with = "ascii")]
    no_ascii: bool,
    /// Capture the mouse: clicks select and focus, the wheel scrolls the pane
    /// under the pointer (the terminal's own selection then needs shift).
    #[arg(long, overrides_with = "no_mouse")]
    mouse: bool,
    /// Leave the mouse to the terminal even if the config says `mouse: true`.
    #[arg(long, overrides_with = "mouse")]
    no_mouse: bool,
    /// Append what `y` and `Y` copy to this file instead of sending it to the
    /// terminal's clipboard with OSC 52 (for terminals that ignore OSC 52;
    /// config: `copy_to`).
    #[arg(long, value_name = "FILE")]
    copy_to: Option<PathBuf>,
    /// Cap text lines in the reader at N columns, centred on wide terminals
    /// (tables may use the whole pane); 0: no cap (default 80; config: `width`).
    #[arg(long, value_name = "N")]
    width: Option<u16>,
    /// How wide the terminal draws East Asian Ambiguous characters (“ ” … —
    /// · box drawing); `wide` lays them out as 2 columns and draws borders,
    /// bars and bullets in ASCII, as vim's ambiwidth=double (config: `ambiwidth`).
    #[arg(long, value_enum, value_name = "narrow|wide")]
    ambiwidth: Option<AmbiWidth>,
    /// Start at the top instead of reopening the last page and position
    /// (kept in $XDG_STATE_HOME/yanbao; marks and positions stay kept).
    #[arg(long)]
    fresh: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Load and validate the content; print counts, or every problem found.
    Check,
    /// Search companies, cases, tables, figures, industries and text, and print
    /// ranked hits, one per line (exit 0 with hits, 1 with none).
    Search {
        /// The query; pinyin (zgckj, yinhang) and kind prefixes (co:, case:, tb:, fig:, ind:, sec:) work.
        query: String,
        /// At most this many hits.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Only hits of this kind.
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Serve the explorer over SSH: `ssh -p 2222 host` gets a session.
    Serve(ServeArgs),
    /// Write a report, chapter or section as Markdown (with its citation as
    /// front matter), as JSON, or its tables as CSV.
    #[command(after_help = "TARGET: a report id (fs), a chapter or section id (fs-3-1), or a section \
number within a report (fs:3.1). An unknown target exits with status 2 and the closest ids.")]
    Export {
        /// What to export: `fs`, `fs-3-1`, `fs:3.1`.
        target: String,
        /// md: Markdown on stdout; json: the content model; csv: one file per table.
        #[arg(long, value_enum, default_value_t = ExportFormat::Md)]
        format: ExportFormat,
        /// With --format csv: write one CSV file per table into this folder
        /// (named by section id and table title). Without it, the CSV goes to
        /// stdout when the target holds exactly one table.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    Md,
    Json,
    Csv,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "0.0.0.0:2222", value_name = "ADDR:PORT")]
    listen: String,
    /// The ed25519 host key; created on first start
    /// (default: $XDG_DATA_HOME/yanbao/host_ed25519).
    #[arg(long, value_name = "FILE")]
    host_key: Option<PathBuf>,
    /// Only these public keys get in (OpenSSH authorized_keys format);
    /// without it, access is anonymous and read-only. Each key's reading
    /// position and marks are kept in $XDG_STATE_HOME/yanbao/serve/;
    /// anonymous sessions keep them for the session only.
    #[arg(long, value_name = "FILE")]
    authorized_keys: Option<PathBuf>,
    /// At most this many explorers at once (connections still logging in
    /// do not count).
    #[arg(long, default_value_t = 64, value_name = "N")]
    max_sessions: usize,
    /// Close a session after this many seconds without input from its
    /// reader (keepalives do not count).
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    idle_timeout: u64,
    /// Close a connection that has not logged in and started the explorer
    /// within this many seconds, whatever it sends.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    login_grace: u64,
    /// At most this many connections logging in at once; past it, the
    /// oldest of them is closed to make room.
    #[arg(long, default_value_t = 100, value_name = "N")]
    max_startups: usize,
    /// At most this many connections at once from one address (IPv6: one
    /// /64).
    #[arg(long, default_value_t = 8, value_name = "N")]
    max_per_address: usize,
    /// At most this many new connections a minute from one address.
    #[arg(long, default_value_t = 60, value_name = "N")]
    max_per_minute: usize,
    /// Send a keepalive after this many seconds without a packet from the
    /// client; 3 unanswered close the connection (dead peers). 0: off.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    keepalive: u64,
    /// End a session after this many seconds, input or not. 0: no limit.
    #[arg(long, default_value_t = 0, value_name = "SECS")]
    max_session_time: u64,
    /// The largest terminal drawn; a larger one shows the explorer at this
    /// size (bounds the memory per session).
    #[arg(long, default_value = "300x100", value_name = "COLSxROWS", value_parser = parse_size)]
    max_size: (u16, u16),
    /// Read a session's input at most this many bytes a second, past a
    /// burst of 128 KiB (a paste); faster input waits. 0: no limit.
    #[arg(long, default_value_t = 32768, value_name = "BYTES")]
    input_rate: u32,
    /// Serve Prometheus metrics (sessions, connections refused by each
    /// limit, bytes out, errors) over HTTP on this address, e.g.
    /// 127.0.0.1:9222. Off by default.
    #[arg(long, value_name = "ADDR:PORT")]
    metrics: Option<String>,
    /// Expect a PROXY protocol header (v1 or v2) from a load balancer on
    /// every connection; logs and per-address limits use the client address
    /// it gives. Without this flag a PROXY header is refused.
    #[arg(long)]
    proxy_protocol: bool,
    /// Async worker threads for the network and SSH work. Each session's
    /// input handling, search and rendering run on a separate thread pool,
    /// so a busy session never holds these.
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    workers: u16,
}

/// `COLSxROWS`, each from 20 to 1000.
fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (c, r) = s.split_once(['x', 'X']).ok_or("expected COLSxROWS, e.g. 300x100")?;
    let n = |v: &str| v.trim().parse::<u16>().ok().filter(|n| (20..=1000).contains(n));
    match (n(c), n(r)) {
        (Some(c), Some(r)) => Ok((c, r)),
        _ => Err("each of COLS and ROWS must be from 20 to 1000".into()),
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    #[value(alias = "co")]
    Company,
    Case,
    #[value(alias = "ex")]
    Example,
    #[value(alias = "tb")]
    Table,
    #[value(alias = "fig")]
    Figure,
    #[value(alias = "ind")]
    Industry,
    #[value(alias = "sec")]
    Section,
}

impl KindArg {
    fn filter(self) -> Filter {
        match self {
            KindArg::Company => Filter::Companies,
            KindArg::Case => Filter::Cases,
            KindArg::Example => Filter::Examples,
            KindArg::Table => Filter::Tables,
            KindArg::Figure => Filter::Figures,
            KindArg::Industry => Filter::Industries,
            KindArg::Section => Filter::Sections,
        }
    }
}

/// The content folders: `--content`, else `$YANBAO_CONTENT`; none for the bundled reports.
fn content_dirs(cli: &Cli) -> Vec<PathBuf> {
    if !cli.content.is_empty() {
        return cli.content.clone();
    }
    std::env::var_os("YANBAO_CONTENT")
        .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
        .unwrap_or_default()
}

/// The content as named in messages.
fn content_name(dirs: &[PathBuf]) -> String {
    if dirs.is_empty() {
        return "the bundled content".into();
    }
    dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(":")
}

/// Load content; on any problem print every one and fail.
fn load_library(dirs: &[PathBuf]) -> Result<Library, ExitCode> {
    match Library::load_dirs(dirs) {
        Err(e) => {
            eprintln!("yanbao: cannot read content: {e}");
            Err(ExitCode::from(2))
        }
        Ok((lib, errors)) if errors.is_empty() => Ok(lib),
        Ok((_, errors)) => {
            for e in &errors {
                eprintln!("{e}");
            }
            eprintln!("yanbao: {} problem(s) in {}", errors.len(), content_name(dirs));
            Err(ExitCode::from(1))
        }
    }
}

/// Set from `--no-cache` before any content is loaded.
static NO_CACHE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Load content with its search index, through the cache unless
/// `--no-cache`; on any problem print every one and fail. From the cache,
/// the index is read on first use and reports are read when opened.
fn load_indexed(dirs: &[PathBuf]) -> Result<Loaded, ExitCode> {
    use yanbao::cache::{self, Status};
    let cache_dir = (!NO_CACHE.load(std::sync::atomic::Ordering::Relaxed)).then(cache::default_dir).flatten();
    let opened = match cache::open_dirs(dirs, cache_dir.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("yanbao: cannot read content: {e}");
            return Err(ExitCode::from(2));
        }
    };
    let cache_file = cache_dir.as_ref().map(|c| cache::file_for_dirs(c, dirs));
    if let (Status::Rebuilt(why), Some(f)) = (&opened.status, &cache_file) {
        eprintln!("yanbao: the cache {} was {why}: rebuilt", f.display());
    }
    match opened.index {
        Some(index) if opened.errors.is_empty() => {
            Ok(Loaded { lib: opened.lib, index, pieces: opened.pieces, cache_file })
        }
        _ => {
            for e in &opened.errors {
                eprintln!("{e}");
            }
            eprintln!("yanbao: {} problem(s) in {}", opened.errors.len(), content_name(dirs));
            Err(ExitCode::from(1))
        }
    }
}

/// A library with its index, loaded.
struct Loaded {
    lib: Library,
    index: LazyIndex,
    /// From the cache: the index's pieces, for `search` to read one at a time.
    pieces: Option<Arc<yanbao::cache::Pieces>>,
    cache_file: Option<PathBuf>,
}

fn load_keymap(cli: &Cli) -> Result<Keymap, ExitCode> {
    let mut km = Keymap::defaults();
    let user = cli.keymap.clone().or_else(|| {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        let p = base.join("yanbao").join("keymap.yaml");
        p.exists().then_some(p)
    });
    if let Some(p) = user {
        let text = std::fs::read_to_string(&p).map_err(|e| {
            eprintln!("yanbao: {}: {e}", p.display());
            ExitCode::from(2)
        })?;
        if let Err(errors) = km.overlay(&p.display().to_string(), &text) {
            for e in errors {
                eprintln!("{e}");
            }
            return Err(ExitCode::from(2));
        }
    }
    Ok(km)
}

/// The options: the defaults, then the config file, then the flags.
fn load_options(cli: &Cli) -> Result<Options, ExitCode> {
    let mut o = Options::load(cli.config.as_deref()).map_err(|errors| {
        for e in errors {
            eprintln!("{e}");
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

fn color_depth(when: ColorWhen) -> ColorDepth {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dirs = content_dirs(&cli);
    NO_CACHE.store(cli.no_cache, std::sync::atomic::Ordering::Relaxed);
    match cli.command {
        Some(Command::Check) => {
            quiet_on_closed_pipe();
            check(&cli, &dirs)
        }
        Some(Command::Search { ref query, limit, kind, json }) => {
            quiet_on_closed_pipe();
            search(&dirs, query, limit, kind.map(KindArg::filter), json)
        }
        Some(Command::Serve(ref args)) => serve(&cli, args, &dirs),
        Some(Command::Export { ref target, format, ref out }) => {
            quiet_on_closed_pipe();
            export(&dirs, target, format, out.as_deref())
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
fn quiet_on_closed_pipe() {
    // SAFETY: setting a signal's disposition to its default.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
}

fn check(cli: &Cli, dirs: &[PathBuf]) -> ExitCode {
    let lib = match load_library(dirs) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // The config file too (--config, or the XDG one).
    if let Err(code) = load_options(cli) {
        return code;
    }
    // The keymap too: the user's file (--keymap, or the XDG one) over the defaults.
    if let Err(code) = load_keymap(cli) {
        return code;
    }
    let c = lib.counts();
    println!("ok: {}", if dirs.is_empty() { "bundled content".into() } else { content_name(dirs) });
    println!("reports            {}", c.reports);
    println!("chapters           {}", c.chapters);
    println!("sections           {}", c.sections);
    println!("tables             {}", c.tables);
    println!("series             {}", c.series);
    println!("metrics blocks     {}", c.metrics);
    println!("cases              {}", c.cases);
    println!("examples           {}", c.examples);
    println!("participant groups {}", c.participant_groups);
    println!("companies          {}", c.companies);
    println!("industries         {}", c.industries);
    ExitCode::SUCCESS
}

fn search(dirs: &[PathBuf], query: &str, limit: usize, kind: Option<Filter>, json: bool) -> ExitCode {
    let mut q = Query::parse(query);
    if kind.is_some() {
        q.filter = kind;
    }
    if q.text.is_empty() {
        eprintln!("yanbao search: the query is empty");
        return ExitCode::from(2);
    }
    let loaded = match load_indexed(dirs) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let lib = &loaded.lib;
    q.resolve(lib);
    // Each hit's rank and printed line. From the cache, the index is read
    // and searched one piece (the registries, a report) at a time, so that
    // only one piece is in memory at once; the best `limit` hits of all
    // pieces are those of the whole index, ranked alike.
    let mut lines: Vec<(RankKey, usize, String)> = Vec::new();
    let rank = |index: &Index, base: usize, lines: &mut Vec<_>| {
        // One query: a scan costs less than building the finder's unit lists.
        for h in index.find_scanning(&q, limit, &[]).hits {
            lines.push((index.rank_key(&h), base + h.unit, hit_line(lib, index, &h, json)));
        }
    };
    let mut damaged = false;
    match &loaded.pieces {
        Some(pieces) => {
            for k in 0..pieces.len() {
                if let Ok(piece) = pieces.get(k) {
                    rank(&piece, pieces.unit_base(k), &mut lines);
                    if lines.len() > 4 * limit.max(64) {
                        sort_lines(&mut lines);
                        lines.truncate(limit);
                    }
                }
            }
            damaged = pieces.damaged();
        }
        None => rank(&loaded.index, 0, &mut lines),
    }
    sort_lines(&mut lines);
    lines.truncate(limit);
    if let (true, Some(f)) = (damaged, &loaded.cache_file) {
        eprintln!("yanbao: the cache {} was corrupt: removed, to be rebuilt at the next start", f.display());
    }
    let mut out = std::io::stdout().lock();
    for (_, _, line) in &lines {
        if writeln!(out, "{line}").is_err() {
            break; // a closed pipe (| head) is not an error
        }
    }
    let code = if lines.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS };
    // The process ends here: freeing a large library and index one
    // allocation at a time would only add to its run time.
    std::mem::forget(loaded);
    code
}

/// Rank hits from several pieces as `Index::find` ranks them in one: by
/// their rank key, then in reading order.
fn sort_lines(lines: &mut [(RankKey, usize, String)]) {
    lines.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
}

/// One line of `yanbao search`'s output.
fn hit_line(lib: &Library, index: &Index, h: &Hit, json: bool) -> String {
    let u = &index.units[h.unit];
    let location = yanbao::search::unit_short_location(lib, u, usize::MAX);
    // The matched window, as the finder shows it, after the title of a
    // thing named by its title when the match is in its text.
    let snippet = index.snippet(h, SNIPPET_COLUMNS);
    // The title already shows the match when it covers it, or for a heading.
    let title_shows = !h.title_marks.is_empty() && (h.title_covers || u.kind == Kind::Section);
    let titled = !h.text_marks.is_empty() && !title_shows && u.own_title && !matches!(u.kind, Kind::Text | Kind::Table);
    if json {
        let target = match &u.target {
            Target::Place { node, .. } => serde_json::json!({
                "report": lib.report_head_of(*node).map(|r| r.id.clone()),
                "section": lib.head_section(*node).map(|s| s.id.clone()),
            }),
            Target::Company(id) => serde_json::json!({ "company": id }),
            Target::Industry(id) => serde_json::json!({ "industry": id }),
        };
        // The first run of marked characters in the snippet, [start, end).
        let span = snippet.marks.first().map(|&a| {
            let b = snippet.marks.iter().zip(a..).take_while(|(m, k)| *m == k).count();
            [a, a + b]
        });
        serde_json::json!({
            "kind": u.kind.name(),
            "label": u.kind.label(),
            "title": u.title,
            "text": u.text,
            "location": location,
            "path": yanbao::search::unit_location(lib, u),
            "field": match h.field { Field::Title => "title", Field::Text => "text", Field::Path => "path" },
            "matched": h.indices,
            "snippet": snippet.text,
            "snippet_marks": snippet.marks,
            "span": span,
            "score": h.score,
            "target": target,
        })
        .to_string()
    } else {
        let unit = if titled { format!("{}：{}", u.title, snippet.text) } else { snippet.text.clone() };
        format!("{}\t{}\t{}", u.kind.label(), printable(&location), printable(&unit))
    }
}

fn export(dirs: &[PathBuf], target: &str, format: ExportFormat, out: Option<&Path>) -> ExitCode {
    use yanbao::export;
    let lib = match load_library(dirs) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let node = match export::resolve(&lib, target) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("yanbao export: {e}");
            return ExitCode::from(2);
        }
    };
    if out.is_some() && format != ExportFormat::Csv {
        eprintln!("yanbao export: --out is for --format csv (Markdown and JSON go to stdout)");
        return ExitCode::from(2);
    }
    let text = match format {
        ExportFormat::Md => export::markdown(&lib, node),
        ExportFormat::Json => match serde_json::to_string_pretty(&export::json(&lib, node)) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("yanbao export: {e}");
                return ExitCode::from(1);
            }
        },
        ExportFormat::Csv => {
            let files = export::csv_files(&lib, node);
            match out {
                Some(d) => {
                    if let Err(e) = std::fs::create_dir_all(d) {
                        eprintln!("yanbao export: {}: {e}", d.display());
                        return ExitCode::from(1);
                    }
                    for (name, text) in &files {
                        let p = d.join(name);
                        if let Err(e) = std::fs::write(&p, text) {
                            eprintln!("yanbao export: {}: {e}", p.display());
                            return ExitCode::from(1);
                        }
                        println!("{}", p.display());
                    }
                    if files.is_empty() {
                        eprintln!("yanbao export: `{target}` holds no table");
                    }
                    return ExitCode::SUCCESS;
                }
                None if files.len() == 1 => files.into_iter().next().map(|f| f.1).unwrap_or_default(),
                None => {
                    eprintln!(
                        "yanbao export: `{target}` holds {} tables; give --out DIR to write one CSV file each",
                        files.len()
                    );
                    return ExitCode::from(2);
                }
            }
        }
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// Content as plain text for a terminal: control characters (escape
/// sequences, BEL, tabs that would break the columns) and bidirectional
/// overrides become spaces, as the explorer shows them.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') { ' ' } else { c })
        .collect()
}

fn serve(cli: &Cli, args: &ServeArgs, dirs: &[PathBuf]) -> ExitCode {
    let (lib, index) = match load_indexed(dirs) {
        Ok(x) => (x.lib, x.index),
        Err(code) => return code,
    };
    let keymap = match load_keymap(cli) {
        Ok(k) => k,
        Err(code) => return code,
    };
    let options = match load_options(cli) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let host_key = args.host_key.clone().unwrap_or_else(|| {
        let base = std::env::var_os("XDG_DATA_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
            .unwrap_or_else(|| PathBuf::from("."));
        base.join("yanbao").join("host_ed25519")
    });
    let opts = yanbao::serve::ServeOpts {
        host_key,
        authorized_keys: args.authorized_keys.clone(),
        max_sessions: args.max_sessions,
        idle_timeout: std::time::Duration::from_secs(args.idle_timeout.max(1)),
        per_ip_per_minute: args.max_per_minute,
        ascii: options.ascii,
        mouse: options.mouse,
        login_grace: std::time::Duration::from_secs(args.login_grace.max(1)),
        max_startups: args.max_startups,
        max_per_address: args.max_per_address,
        keepalive: (args.keepalive > 0).then(|| std::time::Duration::from_secs(args.keepalive)),
        max_session_time: (args.max_session_time > 0).then(|| std::time::Duration::from_secs(args.max_session_time)),
        max_size: args.max_size,
        input_rate: (args.input_rate > 0).then_some(args.input_rate),
        metrics: args.metrics.clone(),
        proxy_protocol: args.proxy_protocol,
        state_dir: yanbao::state::default_dir(),
    };
    let index = Arc::clone(index.arc());
    let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(args.workers.into()).enable_all().build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("yanbao serve: {e}");
            return ExitCode::from(1);
        }
    };
    let auth =
        if opts.authorized_keys.is_some() { "public keys from --authorized-keys only" } else { "anonymous, read-only" };
    let result = rt.block_on(async {
        let signals = yanbao::serve::StopSignals::new()?;
        let running = yanbao::serve::start(
            Arc::new(lib),
            index,
            Arc::new(keymap),
            opts,
            &args.listen,
            Box::new(|l: &str| eprintln!("{l}")),
        )
        .await?;
        eprintln!("yanbao serve: listening on {}", running.addr);
        if let Some(m) = running.metrics_addr {
            eprintln!("metrics: http://{m}/metrics");
        }
        eprintln!("host key fingerprint: {}", running.fingerprint);
        eprintln!("access: {auth}");
        running.run_until_signal(signals).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yanbao serve: {e}");
            ExitCode::from(1)
        }
    }
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
    let Loaded { lib, index, .. } = load_indexed(dirs)?;
    // The finder's index loads on a thread of its own, behind the first
    // frame; the finder waits for it if it is opened before.
    let index = Arc::new(index);
    if !index.is_ready() {
        let ix = Arc::clone(&index);
        std::thread::spawn(move || {
            // Behind the explorer's own thread: at a lower priority (on
            // Linux, nice applies to the calling thread alone).
            // SAFETY: nice(2) on this thread; its result is not needed.
            unsafe { libc::nice(10) };
            ix.get();
        });
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("yanbao: the explorer needs a terminal (try `yanbao check` or `yanbao --help`)");
        return Err(ExitCode::from(2));
    }
    let theme = Theme::new(color_depth(options.color), options.ascii);
    yanbao::text::set_ambiwide(options.ambiwidth == AmbiWidth::Wide);
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
    app.state.set_tree(TreePane { shown: options.tree, width: options.tree_width });
    // The reading memory: resume where the last session left this content.
    if let Some(state_dir) = yanbao::state::default_dir() {
        // Several folders: keyed by their list.
        let key = match dirs {
            [] => None,
            [d] => Some(d.clone()),
            _ => Some(PathBuf::from(content_name(dirs))),
        };
        let file = yanbao::state::file_for(&state_dir, key.as_deref());
        app.attach_state(yanbao::state::Store::open(file), !cli.fresh);
    }
    let mut events = runtime::CrosstermEvents::new(options.mouse).map_err(fail)?;
    let result = runtime::run(&mut terminal, &mut app, &mut events, &stop);
    drop(guard);
    result.map_err(fail)?;
    match runtime::stop_signal_status() {
        Some(status) => Err(ExitCode::from(status)),
        None => Ok(()),
    }
}
