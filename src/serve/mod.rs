//! `yanbao serve`: the explorer over SSH, one app session per connection on
//! shared, read-only content. The app core is the same one the local
//! terminal runs; here its frames are rendered into byte buffers (diffs
//! against the last frame sent) and its events are decoded from the
//! channel's bytes. Nothing on this path touches the server process's own
//! terminal: no size or cursor query, no write to stdout.
//!
//! One delivery task per session writes the frames to the channel as the
//! client's window allows. A client that falls behind loses frames, then
//! gets one full repaint. Every session ends the same way, whatever ends it
//! (`q`, Ctrl-c, the idle timeout, a server shutdown, a panic in that
//! session): the restore sequence, a message if any, `exit-status`, EOF and
//! close, in that order.
//!
//! Modules: `config` (the settings and keys), `accept` (the accept loop and
//! each connection's life), `handler` (the SSH handler of a connection),
//! `session` (an explorer and its screen), `deliver` (a session's output
//! and goodbye), and `limits`, `input`, `proxy`, `metrics`.

mod accept;
pub mod config;
mod deliver;
mod handler;
pub mod input;
pub mod limits;
pub mod metrics;
pub mod proxy;
mod session;

pub use config::{ServeOpts, authorized_keys, depth_for_term, host_key, parse_net, parse_startups};

use crate::content::Library;
use crate::doc::Pages;
use crate::keymap::Keymap;
use crate::search::Index;
use deliver::FINISH_WAIT;
use limits::{Addresses, Kill, Refusal, StartupDecision as Decision};
use russh::MethodKind;
use russh::MethodSet;
use russh::keys::PublicKey;
use russh::keys::ssh_key::HashAlg;
use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The environment variable a client sends (OpenSSH: `-o SetEnv=...` or
/// `SendEnv`) to lay out East Asian Ambiguous characters two columns wide
/// (`wide`), as a CJK terminal draws them; `narrow` (the default) or unset:
/// one column.
pub const AMBIWIDTH_ENV: &str = "YANBAO_AMBIWIDTH";
/// Channels a connection may open (OpenSSH's MaxSessions is 10); one of
/// them at most runs the explorer.
pub const MAX_CHANNELS: usize = 10;
/// Connections being refused by a per-address limit at once: each gets the
/// SSH banner that names the limit. Past this, refused sockets are closed
/// at once, without a word.
const MAX_REFUSING: usize = 16;
/// How long a refused connection may take to read its refusal.
const REFUSE_GRACE: Duration = Duration::from_secs(5);
/// How long a connection may stay open after its explorer said goodbye.
const LINGER: Duration = Duration::from_secs(5);
/// Pause after a failed `accept()` (EMFILE...): doubled each time, up to the
/// maximum, reset by a success.
const ACCEPT_BACKOFF: (Duration, Duration) = (Duration::from_millis(10), Duration::from_millis(500));
/// Log lines of one kind (a refusal, an accept error) at most this often;
/// the rest are counted.
const LOG_EVERY: Duration = Duration::from_secs(10);
/// The transport's own inactivity timeout comes this long after a session's
/// idle timeout, so that the session's restoring close comes first.
const IDLE_BACKSTOP: Duration = Duration::from_secs(15);
/// A connection logging in that spoke but has not finished its key
/// exchange this long after connecting may be closed to make room when
/// `--max-startups` is full (a key exchange takes milliseconds; this leaves
/// room for slow links and a server under load).
const STALLED: Duration = Duration::from_secs(10);
/// Per-source penalties (OpenSSH's PerSourcePenalties): an address whose
/// connection was closed to make room while silent, or did not log in
/// within the login grace, has its new connections closed at once for
/// this long, while the server is busy with logins.
const PENALTY_SILENT: Duration = Duration::from_secs(5);
const PENALTY_GRACE: Duration = Duration::from_secs(10);
/// Longer idle timeouts are this one (no clock overflows).
const IDLE_MAX: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// Counters of the server's limits and traffic.
#[derive(Default)]
pub struct Counters {
    /// Connections refused or closed, by limit.
    pub refused: Mutex<HashMap<&'static str, u64>>,
    pub accept_errors: AtomicU64,
    pub bytes_out: Arc<AtomicU64>,
    pub sessions_started: AtomicU64,
    /// Input packets held back by `--input-rate`.
    pub input_throttled: AtomicU64,
    pub session_errors: AtomicU64,
}

impl Counters {
    pub fn refused(&self, limit: &str) -> u64 {
        self.refused.lock().unwrap_or_else(|e| e.into_inner()).get(limit).copied().unwrap_or(0)
    }
}

/// What every session shares.
pub struct Shared {
    pub lib: Arc<Library>,
    pub index: Arc<Index>,
    pub keymap: Arc<Keymap>,
    /// The laid-out pages, one bounded LRU for every session.
    pub pages: Arc<Pages>,
    pub opts: ServeOpts,
    authorized: Option<Vec<PublicKey>>,
    /// Connections open (each TCP connection admitted, logging in or not).
    sessions: AtomicUsize,
    /// Frames dropped because a client fell behind.
    pub frames_dropped: Arc<AtomicUsize>,
    /// Connections per address.
    pub addresses: Arc<Addresses>,
    /// Connections logging in (no explorer yet), and their kill switches,
    /// oldest first.
    startups: AtomicUsize,
    startup_queue: Mutex<VecDeque<(Weak<Kill>, IpAddr, Instant)>>,
    /// Connections being told why they are refused.
    refusing: AtomicUsize,
    /// Connections whose PROXY header is awaited, in all and by peer
    /// address (its key, as for the per-address limits).
    proxying: AtomicUsize,
    proxying_by: Mutex<HashMap<std::net::IpAddr, usize>>,
    pub counters: Counters,
    /// When each kind of log line was last written, and how many since.
    log_marks: Mutex<HashMap<&'static str, (Instant, u64)>>,
    /// Set once the server is stopping: every connection is closed.
    closing: watch::Sender<bool>,
    /// Log lines go here (stderr in production, a buffer in tests).
    log: Box<dyn Fn(&str) + Send + Sync>,
    /// Explorers whose delivery task runs (they have not sent their close).
    apps: AtomicUsize,
    /// Connections that started an explorer and are still open.
    app_connections: AtomicUsize,
    /// Set once the server is stopping: every session ends, restored.
    stopping: watch::Sender<bool>,
    /// Test hook: a session panics when this key (a char) is pressed; 0 for
    /// none. Only the library API sets it ([`Shared::panic_on_key`]), and
    /// only with the `test-hooks` feature (the tests' build).
    #[cfg(feature = "test-hooks")]
    panic_key: std::sync::atomic::AtomicU32,
}

impl Shared {
    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::SeqCst)
    }

    /// Sessions whose explorer still runs.
    pub fn apps(&self) -> usize {
        self.apps.load(Ordering::SeqCst)
    }

    /// Connections still logging in (no explorer yet).
    pub fn startups(&self) -> usize {
        self.startups.load(Ordering::SeqCst)
    }

    /// Write a log line of kind `kind`, at most once per [`LOG_EVERY`]; the
    /// lines held back are counted in the next one.
    fn log_limited(&self, kind: &'static str, line: &str) {
        let now = Instant::now();
        let mut marks = self.log_marks.lock().unwrap_or_else(|e| e.into_inner());
        match marks.get_mut(kind) {
            Some((at, held)) if now.duration_since(*at) < LOG_EVERY => *held += 1,
            _ => {
                let held = marks.insert(kind, (now, 0)).map_or(0, |(_, h)| h);
                drop(marks);
                if held > 0 {
                    (self.log)(&format!("{line} ({held} more like it not logged)"));
                } else {
                    (self.log)(line);
                }
            }
        }
    }

    /// Count a refusal by `limit` and log it (rate-limited).
    fn refuse(&self, limit: &'static str, line: &str) {
        *self.counters.refused.lock().unwrap_or_else(|e| e.into_inner()).entry(limit).or_insert(0) += 1;
        self.log_limited(limit, line);
    }

    /// Take a slot for a connection logging in from `ip`, as OpenSSH's
    /// `MaxStartups start:rate:full` does, with silent sockets closed first:
    /// - under `start` connections logging in: admitted;
    /// - from `start` on: an address under a penalty is closed at once;
    ///   otherwise, if a connection logging in has sent nothing, the oldest
    ///   such one is closed to make room (penalizing its address), and
    ///   this one is admitted;
    /// - else, at `full`, one that spoke but has not finished its key
    ///   exchange within [`STALLED`] is closed (told why) to make room;
    /// - else refused with probability `rate` % at `start`, rising
    ///   linearly to 100 % at `full` (random early drop).
    ///
    /// A login whose key exchange is done is never closed to make room: a
    /// flood of new sockets can only be refused, or displace its own kind.
    fn take_startup(self: &Arc<Self>, kill: &Arc<Kill>, ip: IpAddr) -> Result<StartupSlot, Option<Refusal>> {
        let limits = limits::Startups {
            start: self.opts.startups_start,
            rate: self.opts.startups_rate,
            full: self.opts.max_startups,
        };
        let mut q = self.startup_queue.lock().unwrap_or_else(|e| e.into_inner());
        // Those still logging in: not the ones closed to make room whose
        // tasks have not ended yet (they would refuse real logins).
        q.retain(|(w, _, _)| w.upgrade().is_some_and(|k| !k.started() && !k.is_killed()));
        let n = q.len();
        let (silent, stalled) = if n >= limits.start.clamp(1, limits.full.max(1)) {
            let stalled_at = Instant::now().checked_sub(STALLED);
            let live = || q.iter().filter_map(|(w, ip, at)| Some((w.upgrade()?, *ip, *at)));
            let silent = live().find(|(k, _, _)| !k.spoke());
            let stalled =
                live().find(|(k, _, at)| k.progress() < limits::KEYED && stalled_at.is_some_and(|t| *at <= t));
            (silent, stalled.map(|(k, _, _)| k))
        } else {
            (None, None)
        };
        let decision = limits::startup_decision(
            limits,
            n,
            usize::from(silent.is_some()),
            usize::from(stalled.is_some()),
            n >= limits.start && self.addresses.penalized(ip),
            rand::random::<f64>(),
        );
        match decision {
            Decision::Admit => {}
            Decision::Penalized => {
                self.refuse("penalty", &format!("{ip}: closed: penalized (silent or late logins) while busy"));
                return Err(None);
            }
            Decision::EvictSilent => {
                if let Some((k, ip, _)) = silent {
                    k.set_reason("max-startups: closed (silent) to make room");
                    k.kill();
                    self.addresses.penalize(ip, PENALTY_SILENT);
                    self.refuse("max-startups", "max-startups: closed a silent connection to make room");
                }
            }
            Decision::EvictStalled => {
                if let Some(k) = stalled {
                    k.set_reason("max-startups: closed (no key exchange) to make room");
                    // Its task tells the client why, then closes it.
                    k.evicted.notify_one();
                    self.refuse("max-startups", "max-startups: closed a stalled login to make room");
                }
            }
            Decision::Refuse => {
                self.refuse("max-startups", &format!("{ip}: refused: {n} connections logging in (--max-startups)"));
                return Err(Some(Refusal::Busy));
            }
        }
        q.push_back((Arc::downgrade(kill), ip, Instant::now()));
        self.startups.fetch_add(1, Ordering::SeqCst);
        Ok(StartupSlot(Arc::clone(self)))
    }

    /// Test hook: make every session panic when `key` is pressed, to check
    /// that a panic ends that session only, restored. Not reachable from
    /// the command line.
    #[doc(hidden)]
    #[cfg(feature = "test-hooks")]
    pub fn panic_on_key(&self, key: char) {
        self.panic_key.store(key as u32, Ordering::SeqCst);
    }

    /// End every session (restore, message, exit-status, EOF, close), then
    /// wait, a bounded time, for the clients to go.
    async fn stop_sessions(&self) {
        self.stopping.send_replace(true);
        async fn drain(n: &AtomicUsize, d: Duration) {
            let deadline = Instant::now() + d;
            while n.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        drain(&self.apps, FINISH_WAIT * 2).await;
        drain(&self.app_connections, Duration::from_secs(1)).await;
    }
}

/// A connection logging in, counted in `Shared::startups` until its
/// explorer starts or it closes.
struct StartupSlot(Arc<Shared>);

impl Drop for StartupSlot {
    fn drop(&mut self) {
        self.0.startups.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A connection being refused, counted in `Shared::refusing`.
struct RefusingSlot(Arc<Shared>);

impl Drop for RefusingSlot {
    fn drop(&mut self) {
        self.0.refusing.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running server: its address, fingerprint and a way to stop it.
pub struct Running {
    pub addr: SocketAddr,
    pub fingerprint: String,
    pub shared: Arc<Shared>,
    /// Where `--metrics` answers, if on.
    pub metrics_addr: Option<SocketAddr>,
    task: tokio::task::JoinHandle<io::Result<()>>,
}

impl Running {
    /// Stop serving: every session ends with its terminal restored, then the
    /// remaining connections are closed.
    pub async fn shutdown(self) {
        self.shared.stop_sessions().await;
        self.shared.closing.send_replace(true);
        let _ = self.task.await;
        // Every connection task disconnects its client, then closes.
        let deadline = Instant::now() + Duration::from_secs(3);
        while self.shared.sessions() > 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Wait until the server ends.
    pub async fn wait(self) -> io::Result<()> {
        self.task.await.map_err(io::Error::other)?
    }

    /// Serve until the server ends or one of the [`STOP_SIGNALS`] arrives
    /// (as `signals`, registered before the server started); a signal shuts
    /// the server down as [`Running::shutdown`] does.
    pub async fn run_until_signal(mut self, signals: StopSignals) -> io::Result<()> {
        let ended = tokio::select! {
            r = &mut self.task => Some(r),
            _ = signals.rx.readable() => None,
        };
        match ended {
            Some(r) => r.map_err(io::Error::other).and_then(|r| r),
            None => {
                (self.shared.log)("yanbao serve: stopping: every session gets its terminal restored");
                self.shutdown().await;
                Ok(())
            }
        }
    }
}

/// The signals that stop the server as SIGTERM does (every session ends
/// restored, with its exit-status): every catchable signal whose default
/// action ends the process, but the faults (SIGSEGV, SIGBUS, SIGFPE,
/// SIGILL, SIGTRAP, SIGSYS), which are not requests to stop, and SIGPIPE,
/// which Rust ignores.
pub const STOP_SIGNALS: &[i32] = {
    use signal_hook::consts::*;
    &[
        SIGTERM,
        SIGINT,
        SIGHUP,
        SIGQUIT,
        SIGUSR1,
        SIGUSR2,
        SIGALRM,
        SIGVTALRM,
        SIGPROF,
        SIGXCPU,
        SIGXFSZ,
        SIGIO,
        #[cfg(any(target_os = "linux", target_os = "android"))]
        libc::SIGPWR,
    ]
};

/// The [`STOP_SIGNALS`], caught into a socket. Made before the server starts
/// accepting: once connections have used up the open-file limit, the
/// socket pair could no longer be made (a test under `ulimit -n 64` saw the
/// server exit on EMFILE here when its first clients came quickly).
pub struct StopSignals {
    rx: tokio::net::UnixStream,
    ids: Vec<signal_hook::SigId>,
}

impl StopSignals {
    /// Register the handlers; call it inside the runtime.
    pub fn new() -> io::Result<StopSignals> {
        let (rx, tx) = std::os::unix::net::UnixStream::pair()?;
        let mut ids = Vec::new();
        for &sig in STOP_SIGNALS {
            ids.push(signal_hook::low_level::pipe::register(sig, tx.try_clone()?)?);
        }
        rx.set_nonblocking(true)?;
        Ok(StopSignals { rx: tokio::net::UnixStream::from_std(rx)?, ids })
    }
}

impl Drop for StopSignals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Start serving on `listen`. Log lines go to `log`.
pub async fn start(
    lib: Arc<Library>,
    index: Arc<Index>,
    keymap: Arc<Keymap>,
    opts: ServeOpts,
    listen: &str,
    log: Box<dyn Fn(&str) + Send + Sync>,
) -> io::Result<Running> {
    let key = host_key(&opts.host_key)?;
    let fingerprint = key.public_key().fingerprint(HashAlg::Sha256).to_string();
    let authorized = opts.authorized_keys.as_deref().map(authorized_keys).transpose()?;
    let methods = if authorized.is_none() {
        MethodSet::from(&[MethodKind::None, MethodKind::PublicKey][..])
    } else {
        MethodSet::from(&[MethodKind::PublicKey][..])
    };
    let config = russh::server::Config {
        // Sessions end after `idle_timeout` without input, restored, by
        // their own timer; this transport timeout is only the backstop.
        inactivity_timeout: Some(opts.idle_timeout.min(IDLE_MAX) + IDLE_BACKSTOP),
        keepalive_interval: opts.keepalive.map(|d| d.min(IDLE_MAX)),
        keepalive_max: 3,
        auth_rejection_time: Duration::from_secs(1),
        auth_rejection_time_initial: Some(Duration::from_secs(0)),
        keys: vec![key],
        methods,
        nodelay: true,
        ..Default::default()
    };
    let nofile = limits::raise_open_file_limit();
    let shared = Arc::new(Shared {
        pages: Arc::new(Pages::new(&lib)),
        lib,
        index,
        keymap,
        addresses: Addresses::new(opts.max_per_address.max(1), opts.per_ip_per_minute.max(1), limits::MAX_ADDRESSES),
        opts,
        authorized,
        sessions: AtomicUsize::new(0),
        frames_dropped: Arc::new(AtomicUsize::new(0)),
        startups: AtomicUsize::new(0),
        startup_queue: Mutex::new(VecDeque::new()),
        refusing: AtomicUsize::new(0),
        proxying: AtomicUsize::new(0),
        proxying_by: Mutex::new(HashMap::new()),
        counters: Counters::default(),
        log_marks: Mutex::new(HashMap::new()),
        closing: watch::Sender::new(false),
        log,
        apps: AtomicUsize::new(0),
        app_connections: AtomicUsize::new(0),
        stopping: watch::Sender::new(false),
        #[cfg(feature = "test-hooks")]
        panic_key: std::sync::atomic::AtomicU32::new(0),
    });
    if let Some(n) = nofile {
        let o = &shared.opts;
        let need = o.max_startups + o.max_sessions + MAX_REFUSING + 16;
        if (n as usize) < need {
            (shared.log)(&format!(
                "yanbao serve: warning: the open-file limit is {n}, under the {need} the limits may need; \
                 accept() will pause when it is reached"
            ));
        }
    }
    if shared.opts.proxy_protocol && shared.opts.proxy_from.is_empty() {
        (shared.log)(
            "yanbao serve: warning: --proxy-protocol without --proxy-from: any peer that reaches this port can \
             claim any client address; firewall the port to the balancer, or set --proxy-from",
        );
    }
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let metrics_addr = match &shared.opts.metrics {
        Some(m) => {
            let l = TcpListener::bind(m).await.map_err(|e| io::Error::new(e.kind(), format!("--metrics {m}: {e}")))?;
            let a = l.local_addr()?;
            tokio::spawn(metrics::serve(l, Arc::clone(&shared)));
            Some(a)
        }
        None => None,
    };
    let task = tokio::spawn(accept::accept_loop(listener, Arc::new(config), Arc::clone(&shared)));
    Ok(Running { addr, fingerprint, shared, metrics_addr, task })
}
