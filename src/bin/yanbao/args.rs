//! The command line: flags and subcommands (clap).

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use yanbao::config::{AmbiWidth, ColorWhen};
use yanbao::search::Filter;
use yanbao::serve::config::{defaults, parse_size};

/// yanbao 研报: read and explore Chinese research reports in the terminal.
#[derive(Parser)]
#[command(version, about, long_about = None)]
pub(crate) struct Cli {
    /// Open a converted report directly (.md, .txt, or .pdf through
    /// pdftotext): imported in memory, nothing written to the library.
    #[arg(value_name = "FILE")]
    pub(crate) file: Option<PathBuf>,
    /// With FILE: its encoding (utf-8, the default, or gb18030).
    #[arg(long, value_name = "E")]
    pub(crate) encoding: Option<String>,
    /// Load content from this folder instead of the bundled reports; given
    /// several times, the folders are read as one library (also:
    /// $YANBAO_CONTENT, a ':'-separated list of folders).
    #[arg(long, global = true, value_name = "DIR")]
    pub(crate) content: Vec<PathBuf>,
    /// Parse the content without the cache in $XDG_CACHE_HOME/yanbao
    /// (`check` never uses the cache).
    #[arg(long, global = true)]
    pub(crate) no_cache: bool,
    /// A keymap file laid over the defaults
    /// (default: $XDG_CONFIG_HOME/yanbao/keymap.yaml if it exists).
    /// Also after a subcommand: `yanbao check --keymap FILE` validates it.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) keymap: Option<PathBuf>,
    /// The config file of persistent options
    /// (default: $XDG_CONFIG_HOME/yanbao/config.yaml if it exists).
    /// Flags override it.
    #[arg(long, global = true, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// When to use colour; `auto` (the default) honours NO_COLOR, and uses
    /// truecolor only when COLORTERM says so.
    #[arg(long, value_enum)]
    pub(crate) color: Option<ColorWhen>,
    /// Draw borders, bullets and bars with ASCII characters only.
    #[arg(long, overrides_with = "no_ascii")]
    pub(crate) ascii: bool,
    /// Draw with the usual characters even if the config says `ascii: true`.
    #[arg(long, overrides_with = "ascii")]
    pub(crate) no_ascii: bool,
    /// Capture the mouse: clicks select and focus, the wheel scrolls the pane
    /// under the pointer (the terminal's own selection then needs shift).
    #[arg(long, overrides_with = "no_mouse")]
    pub(crate) mouse: bool,
    /// Leave the mouse to the terminal even if the config says `mouse: true`.
    #[arg(long, overrides_with = "mouse")]
    pub(crate) no_mouse: bool,
    /// Append what `y` and `Y` copy to this file instead of sending it to the
    /// terminal's clipboard with OSC 52 (for terminals that ignore OSC 52;
    /// config: `copy_to`).
    #[arg(long, value_name = "FILE")]
    pub(crate) copy_to: Option<PathBuf>,
    /// Cap text lines in the reader at N columns, centred on wide terminals
    /// (tables may use the whole pane); 0: no cap (default 80; config: `width`).
    #[arg(long, value_name = "N")]
    pub(crate) width: Option<u16>,
    /// How wide the terminal draws East Asian Ambiguous characters (“ ” … —
    /// · box drawing); `wide` lays them out as 2 columns and draws borders,
    /// bars and bullets in ASCII, as vim's ambiwidth=double (config: `ambiwidth`).
    #[arg(long, value_enum, value_name = "narrow|wide")]
    pub(crate) ambiwidth: Option<AmbiWidth>,
    /// Start at the top instead of reopening the last page and position
    /// (kept in $XDG_STATE_HOME/yanbao; marks and positions stay kept).
    #[arg(long)]
    pub(crate) fresh: bool,
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Load and validate the content; print counts, or every problem found.
    Check,
    /// Search companies, cases, tables, figures, industries and text, and print
    /// ranked hits, one per line (exit 0 with hits, 1 with none).
    Search {
        /// The query; pinyin (zgckj, yinhang) and kind prefixes (co:, case:, tb:, fig:, ind:, sec:) work.
        /// Several words, quoted or not, are one query (`search 制造 华为`).
        #[arg(required = true, num_args = 1.., value_name = "QUERY")]
        query: Vec<String>,
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
    /// Import converted reports (MinerU, marker, pymupdf4llm or pandoc
    /// Markdown, pdftotext text, or a PDF through pdftotext): one report
    /// folder per file, in the library unless --out is given.
    Import {
        /// The files to import.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Write the report folders here instead of the library
        /// (config `library`, default $XDG_DATA_HOME/yanbao/library).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// The files' encoding: utf-8 (the default) or gb18030 (also GBK).
        #[arg(long, value_name = "E")]
        encoding: Option<String>,
        /// Replace a report folder that already exists.
        #[arg(long)]
        force: bool,
    },
    /// List the library's imported reports, or remove one.
    Library {
        #[command(subcommand)]
        action: Option<LibraryAction>,
    },
    /// Serve the explorer over SSH: `ssh -p 2222 host` gets a session.
    Serve(ServeArgs),
    /// Write a report, chapter or section as Markdown (with its citation as
    /// front matter), as JSON, or its tables and chart series as CSV.
    #[command(after_help = "TARGET: a report id (fs), a chapter or section id (fs-3-1), or a section \
number within a report (fs:3.1), an industry page (industry:finance), or the figure list of the library \
(figures) or of one report (figures:fs). An unknown target exits with status 2 and the closest ids.")]
    Export {
        /// What to export: `fs`, `fs-3-1`, `fs:3.1`, `industry:finance`, or
        /// the figure list: `figures` (every report) or `figures:fs`.
        target: String,
        /// md: Markdown on stdout; json: the content model; csv: one file per
        /// table and per chart series; xlsx: one workbook, a sheet per table
        /// and per chart series, each with its citation.
        #[arg(long, value_enum, default_value_t = ExportFormat::Md)]
        format: ExportFormat,
        /// With --format csv: write one CSV file per table and chart series
        /// into this folder (named by section id and title). Without it, the
        /// CSV goes to stdout when the target holds exactly one of them.
        /// With --format xlsx: the workbook file (without it, the workbook
        /// goes to stdout, unless that is a terminal).
        #[arg(long, value_name = "DIR|FILE")]
        out: Option<PathBuf>,
        /// With --out: replace files that already exist there (without it,
        /// an existing file is an error and nothing is written).
        #[arg(long, requires = "out")]
        force: bool,
    },
    /// Print the notes and highlights kept for this content (`a`, `A` in the
    /// reader), grouped by report, each with its citation and quoted block.
    Notes {
        /// md: Markdown; json: an array of notes; csv: one row per note.
        #[arg(long, value_enum, default_value_t = NotesFormat::Md)]
        format: NotesFormat,
        /// Only this report's notes (its id: fs, ccid).
        #[arg(long, value_name = "ID")]
        report: Option<String>,
        /// The notes of a key served over SSH (its fingerprint, SHA256:…).
        #[arg(long, value_name = "FINGERPRINT")]
        key: Option<String>,
    },
    /// Compare one measure across the library's reports: every chart point
    /// and metric whose label matches (years, units and punctuation left
    /// out; pinyin and aliases work), one row per report and year, with
    /// value, unit, estimate or actual, report, publisher, date and page.
    /// Units are put on one scale; currencies only with a rate. YoY and
    /// CAGR are computed and marked as such (exit 1 with no match).
    Figures {
        /// The measure: 中国大模型市场规模, zgdmxscgm, AI市场规模.
        query: String,
        /// JSON: the groups with their rows.
        #[arg(long, conflicts_with_all = ["csv", "md"])]
        json: bool,
        /// CSV: a header row, then one row per figure.
        #[arg(long, conflicts_with = "md")]
        csv: bool,
        /// Markdown: a table per measure and unit.
        #[arg(long)]
        md: bool,
        /// xlsx: write a workbook to FILE (`-`: stdout, unless that is a
        /// terminal), a sheet per measure and unit: row 1 the citations of
        /// the reports its rows come from, then the columns of --csv.
        #[arg(long, value_name = "FILE", conflicts_with_all = ["json", "csv", "md"])]
        xlsx: Option<PathBuf>,
        /// With --xlsx FILE: replace FILE if it exists (without it, an
        /// existing file is an error and nothing is written).
        #[arg(long, requires = "xlsx")]
        force: bool,
        /// An exchange rate in yuan, e.g. USD=7.2: figures in that currency
        /// are then put on the yuan scale (given several times for several).
        #[arg(long, value_name = "CUR=RATE", value_parser = crate::figures::parse_rate)]
        rate: Vec<(&'static str, f64)>,
    },
    /// Print a shell completion script on stdout, e.g.
    /// `yanbao completions bash > ~/.local/share/bash-completion/completions/yanbao`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout: `yanbao man > yanbao.1`.
    Man,
}

#[derive(Subcommand)]
pub(crate) enum LibraryAction {
    /// Remove an imported report (by its id, as `yanbao library` lists it).
    Remove { id: String },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum NotesFormat {
    Md,
    Json,
    Csv,
}

/// How `yanbao figures` writes its rows.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum FiguresFormat {
    Text,
    Md,
    Json,
    Csv,
    /// A workbook to this file (`-`: stdout); `force` replaces it.
    Xlsx {
        file: PathBuf,
        force: bool,
    },
}

impl FiguresFormat {
    pub(crate) fn from_flags(json: bool, csv: bool, md: bool) -> FiguresFormat {
        match (json, csv, md) {
            (true, _, _) => FiguresFormat::Json,
            (_, true, _) => FiguresFormat::Csv,
            (_, _, true) => FiguresFormat::Md,
            _ => FiguresFormat::Text,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    Md,
    Json,
    Csv,
    Xlsx,
}

#[derive(clap::Args)]
pub(crate) struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = "0.0.0.0:2222", value_name = "ADDR:PORT")]
    pub(crate) listen: String,
    /// The ed25519 host key; created on first start
    /// (default: $XDG_DATA_HOME/yanbao/host_ed25519).
    #[arg(long, value_name = "FILE")]
    pub(crate) host_key: Option<PathBuf>,
    /// Only these public keys get in (OpenSSH authorized_keys format);
    /// without it, access is anonymous and read-only. Each key's reading
    /// position and marks are kept in $XDG_STATE_HOME/yanbao/serve/;
    /// anonymous sessions keep them for the session only.
    #[arg(long, value_name = "FILE")]
    pub(crate) authorized_keys: Option<PathBuf>,
    /// At most this many explorers at once (connections still logging in
    /// do not count).
    #[arg(long, default_value_t = defaults::MAX_SESSIONS, value_name = "N")]
    pub(crate) max_sessions: usize,
    /// Close a session after this many seconds without input from its
    /// reader (keepalives do not count).
    #[arg(long, default_value_t = defaults::IDLE_TIMEOUT_SECS, value_name = "SECS")]
    pub(crate) idle_timeout: u64,
    /// Close a connection that has not logged in and started the explorer
    /// within this many seconds, whatever it sends.
    #[arg(long, default_value_t = defaults::LOGIN_GRACE_SECS, value_name = "SECS")]
    pub(crate) login_grace: u64,
    /// Connections logging in at once, as OpenSSH's MaxStartups
    /// start:rate:full: past start, a new one is refused with probability
    /// rate %, rising to 100 % at full. Silent connections are closed to
    /// make room first; one whose key exchange is done never is.
    #[arg(long, default_value = defaults::MAX_STARTUPS, value_name = "START:RATE:FULL", value_parser = yanbao::serve::parse_startups)]
    pub(crate) max_startups: (usize, u32, usize),
    /// At most this many connections at once from one address (IPv6: one
    /// /64).
    #[arg(long, default_value_t = defaults::MAX_PER_ADDRESS, value_name = "N")]
    pub(crate) max_per_address: usize,
    /// At most this many new connections a minute from one address.
    #[arg(long, default_value_t = defaults::MAX_PER_MINUTE, value_name = "N")]
    pub(crate) max_per_minute: usize,
    /// Send a keepalive after this many seconds without a packet from the
    /// client; 3 unanswered close the connection (dead peers). 0: off.
    #[arg(long, default_value_t = defaults::KEEPALIVE_SECS, value_name = "SECS")]
    pub(crate) keepalive: u64,
    /// End a session after this many seconds, input or not. 0: no limit.
    #[arg(long, default_value_t = defaults::MAX_SESSION_TIME_SECS, value_name = "SECS")]
    pub(crate) max_session_time: u64,
    /// The largest terminal drawn; a larger one shows the explorer at this
    /// size (bounds the memory per session).
    #[arg(long, default_value = defaults::MAX_SIZE, value_name = "COLSxROWS", value_parser = parse_size)]
    pub(crate) max_size: (u16, u16),
    /// Read a session's input at most this many bytes a second, past a
    /// burst of 128 KiB (a paste); faster input waits. 0: no limit.
    #[arg(long, default_value_t = defaults::INPUT_RATE, value_name = "BYTES")]
    pub(crate) input_rate: u32,
    /// Serve Prometheus metrics (sessions, connections refused by each
    /// limit, bytes out, errors) over HTTP on this address, e.g.
    /// 127.0.0.1:9222. Off by default.
    #[arg(long, value_name = "ADDR:PORT")]
    pub(crate) metrics: Option<String>,
    /// Expect a PROXY protocol header (v1 or v2) from a load balancer on
    /// every connection; logs and per-address limits use the client address
    /// it gives. Without this flag a PROXY header is refused.
    #[arg(long)]
    pub(crate) proxy_protocol: bool,
    /// Only these peers (the balancers: addresses or CIDR networks, e.g.
    /// 10.0.0.0/8) may connect, each with a PROXY header; any other peer is
    /// refused. Implies --proxy-protocol.
    #[arg(long, value_name = "CIDR", num_args = 1.., value_parser = yanbao::serve::parse_net)]
    pub(crate) proxy_from: Vec<ipnet::IpNet>,
    /// Async worker threads for the network and SSH work. Each session's
    /// input handling, search and rendering run on a separate thread pool,
    /// so a busy session never holds these.
    #[arg(long, default_value_t = 2, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) workers: u16,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum KindArg {
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
    pub(crate) fn filter(self) -> Filter {
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
