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

pub mod input;
pub mod limits;
pub mod metrics;
pub mod proxy;

use crate::action::{Action, Effect};
use crate::app::App;
use crate::content::Library;
use crate::keymap::Keymap;
use crate::search::Index;
use crate::theme::{ColorDepth, Theme};
use crossterm::event::{Event, KeyCode};
use limits::{AddressSlot, Addresses, Guarded, Kill, Refusal};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use russh::keys::ssh_key::{HashAlg, LineEnding, PublicKey};
use russh::keys::{Algorithm, PrivateKey};
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, ChannelOpenFailure, ChannelWriteHalf, Disconnect, MethodKind, MethodSet, Pty};
use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};

/// Settings of `yanbao serve`. Every limit has a safe default
/// ([`ServeOpts::default`]); `yanbao serve --help` states them.
#[derive(Debug, Clone)]
pub struct ServeOpts {
    pub host_key: PathBuf,
    pub authorized_keys: Option<PathBuf>,
    /// Explorers running at once (connections still logging in do not count).
    pub max_sessions: usize,
    /// A session ends after this long without input from its reader.
    pub idle_timeout: Duration,
    /// New connections allowed per IP address per minute.
    pub per_ip_per_minute: usize,
    pub ascii: bool,
    /// Ask each client's terminal for mouse reports (`--mouse`); off by
    /// default: over SSH a mouse is never assumed.
    pub mouse: bool,
    /// A connection that has not authenticated and started the explorer by
    /// then is closed, whatever it sends.
    pub login_grace: Duration,
    /// Connections still logging in (accepted, no explorer yet), at most;
    /// past this the oldest of them is closed to make room.
    pub max_startups: usize,
    /// Connections open at once from one address (IPv6: one /64).
    pub max_per_address: usize,
    /// Server keepalives after this long without a packet from the client;
    /// three unanswered close the connection. None: off.
    pub keepalive: Option<Duration>,
    /// A session ends after this long, input or not. None: no limit.
    pub max_session_time: Option<Duration>,
    /// The largest terminal drawn (columns, rows); a larger one shows the
    /// explorer at this size, in its top-left corner.
    pub max_size: (u16, u16),
    /// Input bytes a second per session, past a burst of
    /// [`limits::INPUT_BURST`]; faster input is read more slowly. None: off.
    pub input_rate: Option<u32>,
    /// Serve Prometheus metrics on this address (`GET /metrics`). None: off.
    pub metrics: Option<String>,
    /// Every connection starts with a PROXY protocol header (v1 or v2) from
    /// a load balancer; its source address is the client's. Without it, a
    /// PROXY header is refused.
    pub proxy_protocol: bool,
}

impl Default for ServeOpts {
    fn default() -> ServeOpts {
        ServeOpts {
            host_key: PathBuf::new(),
            authorized_keys: None,
            max_sessions: 64,
            idle_timeout: Duration::from_secs(600),
            per_ip_per_minute: 60,
            ascii: false,
            mouse: false,
            login_grace: Duration::from_secs(30),
            max_startups: 100,
            max_per_address: 8,
            keepalive: Some(Duration::from_secs(60)),
            max_session_time: None,
            max_size: (300, 100),
            input_rate: Some(32 * 1024),
            metrics: None,
            proxy_protocol: false,
        }
    }
}

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
    startup_queue: Mutex<VecDeque<Weak<Kill>>>,
    /// Connections being told why they are refused.
    refusing: AtomicUsize,
    /// Connections whose PROXY header is awaited.
    proxying: AtomicUsize,
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
    /// none. Only the library API sets it ([`Shared::panic_on_key`]).
    panic_key: AtomicU32,
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

    /// Take a slot for a connection logging in. When all are taken, the
    /// oldest connection still logging in is closed to make room, so that a
    /// flood of silent sockets cannot keep a reader out.
    fn take_startup(self: &Arc<Self>, kill: &Arc<Kill>) -> StartupSlot {
        let max = self.opts.max_startups.max(1);
        let mut q = self.startup_queue.lock().unwrap_or_else(|e| e.into_inner());
        if self.startups.load(Ordering::SeqCst) >= max {
            while let Some(old) = q.pop_front() {
                if let Some(k) = old.upgrade().filter(|k| !k.started() && !k.is_killed()) {
                    k.set_reason("max-startups: the oldest connection logging in was closed");
                    k.kill();
                    self.refuse("max-startups", "max-startups reached: closed the oldest connection logging in");
                    break;
                }
            }
        }
        if q.len() > 2 * max {
            q.retain(|w| w.upgrade().is_some_and(|k| !k.started() && !k.is_killed()));
        }
        q.push_back(Arc::downgrade(kill));
        self.startups.fetch_add(1, Ordering::SeqCst);
        StartupSlot(Arc::clone(self))
    }

    /// Test hook: make every session panic when `key` is pressed, to check
    /// that a panic ends that session only, restored. Not reachable from
    /// the command line.
    #[doc(hidden)]
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

/// Load the host key, or create an ed25519 key there on first start.
pub fn host_key(path: &Path) -> io::Result<PrivateKey> {
    if path.exists() {
        return russh::keys::load_secret_key(path, None)
            .map_err(|e| io::Error::other(format!("{}: {e}", path.display())));
    }
    let key = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).map_err(io::Error::other)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let pem = key.to_openssh(LineEnding::LF).map_err(io::Error::other)?;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(pem.as_bytes())?;
    Ok(key)
}

/// Public keys of an authorized_keys file (OpenSSH format).
pub fn authorized_keys(path: &Path) -> io::Result<Vec<PublicKey>> {
    let text = std::fs::read_to_string(path)?;
    let mut keys = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let k = PublicKey::from_openssh(line)
            .map_err(|e| io::Error::other(format!("{}:{}: not a public key: {e}", path.display(), i + 1)))?;
        keys.push(k);
    }
    Ok(keys)
}

/// The colour depth for a client's TERM: truecolor or 256 colours only if
/// TERM says so; 16 colours otherwise (COLORTERM does not arrive over SSH).
pub fn depth_for_term(term: &str) -> ColorDepth {
    let t = term.to_ascii_lowercase();
    if t.contains("truecolor") || t.contains("24bit") || t.contains("direct") {
        ColorDepth::TrueColor
    } else if t.contains("256") {
        ColorDepth::Ansi256
    } else if t.is_empty() || t == "dumb" {
        ColorDepth::None
    } else {
        ColorDepth::Ansi16
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

    /// Serve until the server ends or SIGTERM or SIGINT arrives; a signal
    /// shuts the server down as [`Running::shutdown`] does.
    pub async fn run_until_signal(mut self) -> io::Result<()> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let (rx, tx) = std::os::unix::net::UnixStream::pair()?;
        let mut ids = Vec::new();
        for sig in [SIGTERM, SIGINT] {
            ids.push(signal_hook::low_level::pipe::register(sig, tx.try_clone()?)?);
        }
        drop(tx);
        rx.set_nonblocking(true)?;
        let rx = tokio::net::UnixStream::from_std(rx)?;
        let ended = tokio::select! {
            r = &mut self.task => Some(r),
            _ = rx.readable() => None,
        };
        let result = match ended {
            Some(r) => r.map_err(io::Error::other).and_then(|r| r),
            None => {
                (self.shared.log)("yanbao serve: stopping: every session gets its terminal restored");
                self.shutdown().await;
                Ok(())
            }
        };
        for id in ids {
            signal_hook::low_level::unregister(id);
        }
        result
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
        counters: Counters::default(),
        log_marks: Mutex::new(HashMap::new()),
        closing: watch::Sender::new(false),
        log,
        apps: AtomicUsize::new(0),
        app_connections: AtomicUsize::new(0),
        stopping: watch::Sender::new(false),
        panic_key: AtomicU32::new(0),
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
    let task = tokio::spawn(accept_loop(listener, Arc::new(config), Arc::clone(&shared)));
    Ok(Running { addr, fingerprint, shared, metrics_addr, task })
}

/// Accept connections until the server stops. An `accept()` error (EMFILE
/// when the open-file limit is reached, ECONNABORTED...) never ends the
/// server: it is logged, and accept is retried after a pause.
async fn accept_loop(listener: TcpListener, config: Arc<russh::server::Config>, shared: Arc<Shared>) -> io::Result<()> {
    let mut closing = shared.closing.subscribe();
    let mut sweep = tokio::time::interval(Duration::from_secs(60));
    let mut backoff = ACCEPT_BACKOFF.0;
    loop {
        let failed = tokio::select! {
            _ = closing.wait_for(|c| *c) => return Ok(()),
            _ = sweep.tick() => {
                shared.addresses.sweep();
                false
            }
            r = listener.accept() => match r {
                Ok((sock, peer)) => {
                    backoff = ACCEPT_BACKOFF.0;
                    if shared.opts.proxy_protocol {
                        behind_proxy(&shared, &config, sock, peer);
                    } else {
                        admit(&shared, &config, sock, peer);
                    }
                    false
                }
                Err(e) => {
                    shared.counters.accept_errors.fetch_add(1, Ordering::Relaxed);
                    shared.log_limited("accept", &format!("yanbao serve: accept: {e}; retrying (the server goes on)"));
                    true
                }
            }
        };
        if failed {
            tokio::select! {
                _ = closing.wait_for(|c| *c) => return Ok(()),
                _ = tokio::time::sleep(backoff) => {}
            }
            backoff = (backoff * 2).min(ACCEPT_BACKOFF.1);
        }
    }
}

/// How long a balancer may take to send the PROXY header.
const PROXY_WAIT: Duration = Duration::from_secs(5);

/// Read the PROXY header of a connection from the balancer, then admit it
/// as coming from the client's address. Headers awaited at once are
/// bounded by `--max-startups`.
fn behind_proxy(shared: &Arc<Shared>, config: &Arc<russh::server::Config>, mut sock: TcpStream, peer: SocketAddr) {
    let _ = sock.set_nodelay(true);
    if shared.proxying.fetch_add(1, Ordering::SeqCst) >= shared.opts.max_startups.max(1) {
        shared.proxying.fetch_sub(1, Ordering::SeqCst);
        shared.refuse("max-startups", &format!("{peer}: refused: too many PROXY headers awaited"));
        return;
    }
    let (shared, config) = (Arc::clone(shared), Arc::clone(config));
    tokio::spawn(async move {
        let header = tokio::time::timeout(PROXY_WAIT, proxy::read_header(&mut sock)).await;
        shared.proxying.fetch_sub(1, Ordering::SeqCst);
        match header {
            Ok(Ok(client)) => admit(&shared, &config, sock, client.unwrap_or(peer)),
            Ok(Err(e)) => shared.log_limited("proxy", &format!("{peer}: closed: {e}")),
            Err(_) => shared.log_limited("proxy", &format!("{peer}: closed: no PROXY header within 5 s")),
        }
    });
}

/// Check an accepted socket against the limits, before any SSH work, and
/// start its connection (or its refusal).
fn admit(shared: &Arc<Shared>, config: &Arc<russh::server::Config>, sock: TcpStream, peer: SocketAddr) {
    let _ = sock.set_nodelay(true);
    let kill = Arc::new(Kill::default());
    match shared.addresses.admit(peer.ip()) {
        Ok(slot) => {
            let startup = shared.take_startup(&kill);
            let conn = Connection::new(
                shared,
                peer,
                Arc::clone(&kill),
                Admission::Admitted { _address: slot, startup: Some(startup) },
            );
            tokio::spawn(connection(Arc::clone(shared), Arc::clone(config), sock, kill, conn, shared.opts.login_grace));
        }
        Err(refusal) => {
            shared.refuse(refusal.limit(), &format!("{peer}: refused: {}", refusal.message()));
            if shared.refusing.fetch_add(1, Ordering::SeqCst) >= MAX_REFUSING {
                shared.refusing.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            let slot = RefusingSlot(Arc::clone(shared));
            let conn = Connection::new(shared, peer, Arc::clone(&kill), Admission::Refused { refusal, _slot: slot });
            tokio::spawn(connection(Arc::clone(shared), Arc::clone(config), sock, kill, conn, REFUSE_GRACE));
        }
    }
}

/// One connection's life: the SSH session, closed at the login grace if no
/// explorer started by then, told why when refused, disconnected when the
/// server stops.
async fn connection(
    shared: Arc<Shared>,
    config: Arc<russh::server::Config>,
    sock: TcpStream,
    kill: Arc<Kill>,
    conn: Connection,
    grace: Duration,
) {
    let grace = grace.min(IDLE_MAX);
    let grace_at = tokio::time::Instant::now() + grace;
    let refused = conn.refusal();
    let stream = Guarded::new(sock, Arc::clone(&kill), Arc::clone(&shared.counters.bytes_out));
    let mut closing = shared.closing.subscribe();
    let late = |kill: &Kill| {
        if refused.is_none() {
            shared.refuse("login-grace", "a connection did not log in within the login grace: closed");
        }
        kill.set_reason("login grace");
    };
    let session = tokio::select! {
        r = russh::server::run_stream(config, stream, conn) => r,
        _ = tokio::time::sleep_until(grace_at) => {
            late(&kill);
            return;
        }
        _ = closing.wait_for(|c| *c) => return,
    };
    let session = match session {
        Ok(s) => s,
        Err(e) => {
            shared.log_limited("handshake", &format!("connection setup failed: {e}"));
            return;
        }
    };
    let handle = session.handle();
    tokio::pin!(session);
    let waiting_grace = async {
        tokio::time::sleep_until(grace_at).await;
        if kill.started() {
            std::future::pending::<()>().await;
        }
    };
    let message = tokio::select! {
        r = &mut session => {
            if let Err(e) = r {
                shared.counters.session_errors.fetch_add(1, Ordering::Relaxed);
                (shared.log)(&format!("session dropped: {e}"));
            }
            return;
        }
        _ = waiting_grace => {
            late(&kill);
            match refused {
                Some(r) => r.message(),
                None => format!("yanbao: not logged in within {} s (--login-grace)", grace.as_secs()),
            }
        }
        _ = kill.auth_seen.notified(), if refused.is_some() => {
            kill.set_reason("refused");
            refused.map(Refusal::message).unwrap_or_default()
        }
        _ = closing.wait_for(|c| *c) => {
            kill.set_reason("server stopping");
            "yanbao: the server is stopping".into()
        }
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        handle.disconnect(Disconnect::ByApplication, message, String::new()),
    )
    .await;
    // The session may end here; it must not be polled again once ended.
    let ended = tokio::time::timeout(Duration::from_secs(1), &mut session).await.is_ok();
    kill.kill();
    if !ended {
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut session).await;
    }
}

/// Frames queued per session; past this the client is behind, the queued
/// frames are dropped and the next frame is a full repaint.
const QUEUE: usize = 4;
/// How long the goodbye (restore, exit-status, EOF, close) may wait for a
/// client that does not read.
const FINISH_WAIT: Duration = Duration::from_secs(2);
/// The transport's own inactivity timeout comes this long after a session's
/// idle timeout, so that the session's restoring close comes first.
const IDLE_BACKSTOP: Duration = Duration::from_secs(15);
/// Longer idle timeouts are this one (no clock overflows).
const IDLE_MAX: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// What a client's terminal needs to be left as it was: attributes reset,
/// bracketed paste and mouse reporting off, the normal screen, the cursor.
fn restore_sequence() -> Vec<u8> {
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
fn setup_sequence(mouse: bool) -> Vec<u8> {
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

/// The client's screen as last rendered. Frames are diffs against it, or a
/// full repaint (clear, then every cell); nothing here asks any terminal
/// anything.
struct Screen {
    area: Rect,
    prev: Buffer,
    cur: Buffer,
    repaint: bool,
}

impl Screen {
    fn new(w: u16, h: u16) -> Screen {
        let area = Rect::new(0, 0, w, h);
        Screen { area, prev: Buffer::empty(area), cur: Buffer::empty(area), repaint: true }
    }

    /// A new size; the next frame repaints everything. False if unchanged.
    fn resize(&mut self, w: u16, h: u16) -> bool {
        if (w, h) == (self.area.width, self.area.height) {
            return false;
        }
        *self = Screen::new(w, h);
        true
    }

    /// Render `app` and append the bytes that bring the client's screen from
    /// the last frame to this one (`full`: from anything).
    fn frame(&mut self, app: &App, full: bool, out: &mut Vec<u8>) -> io::Result<()> {
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

/// How a session ends: the message shown after the restore, the exit
/// status, and the cause for the log.
struct End {
    message: String,
    status: u32,
    why: &'static str,
}

/// Between a session's handlers and its delivery task.
struct Link {
    state: Mutex<Outbox>,
    /// A frame or an end is waiting.
    wake: Notify,
    /// An end was requested (it interrupts a frame stuck on a full window).
    ending: Notify,
}

struct Outbox {
    frames: VecDeque<Vec<u8>>,
    /// The requested end, until the delivery task takes it.
    end: Option<End>,
    /// Why the session ended (the first end requested wins).
    why: Option<&'static str>,
    last_input: Instant,
    /// The connection is gone: nothing more to deliver.
    gone: bool,
}

impl Link {
    fn new() -> Link {
        let state = Outbox { frames: VecDeque::new(), end: None, why: None, last_input: Instant::now(), gone: false };
        Link { state: Mutex::new(state), wake: Notify::new(), ending: Notify::new() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Outbox> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// End the session; pending frames are dropped. The first end wins.
    fn end(&self, end: End) {
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

    fn why(&self) -> Option<&'static str> {
        self.lock().why
    }
}

/// Counts a running explorer in `Shared::apps` while it lives.
struct AppSlot(Arc<Shared>);

impl Drop for AppSlot {
    fn drop(&mut self) {
        self.0.apps.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A session's delivery task: the set-up bytes, then each frame as the
/// client's window allows, then the goodbye. It also ends the session after
/// `idle_timeout` without input, and when the server stops.
async fn deliver(link: Arc<Link>, out: ChannelWriteHalf<Msg>, slot: AppSlot, kill: Arc<Kill>) {
    deliver_frames(link, out, slot).await;
    // The explorer has said goodbye: a client that keeps the connection
    // open after that is closed, so that it holds no slot.
    tokio::time::sleep(LINGER).await;
    kill.set_reason("closed after the session ended");
    kill.kill();
}

async fn deliver_frames(link: Arc<Link>, out: ChannelWriteHalf<Msg>, slot: AppSlot) {
    let shared = Arc::clone(&slot.0);
    let idle = shared.opts.idle_timeout.min(IDLE_MAX);
    let limit = shared.opts.max_session_time.map(|d| d.min(IDLE_MAX));
    let deadline = limit.map(|d| Instant::now() + d);
    let mut stopping = shared.stopping.subscribe();
    // A frame cut short by an end: the goodbye first cancels any escape
    // sequence left open.
    let mut cut = false;
    if out.data_bytes(setup_sequence(shared.opts.mouse)).await.is_err() {
        return;
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
                message: "yanbao: the server is stopping; this session has ended".into(),
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
                message: format!("yanbao: this session reached its time limit ({} s)", limit.as_secs()),
                status: 0,
                why: "session time limit",
            });
        } else if timed_out && link.lock().last_input + idle <= Instant::now() {
            link.end(End {
                message: format!("yanbao: closed after {} s without input", idle.as_secs()),
                status: 0,
                why: "idle timeout",
            });
        }
    }
}

/// Restore the client's terminal, show the message, then exit-status, EOF
/// and close, in that order; bounded in time for a client that does not read.
async fn goodbye(out: &ChannelWriteHalf<Msg>, end: End, cut: bool) {
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

/// One app session on one channel.
struct Live {
    channel: ChannelId,
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

impl Drop for Live {
    fn drop(&mut self) {
        self.link.lock().gone = true;
        self.link.wake.notify_one();
    }
}

/// What the limits said of a connection at accept.
enum Admission {
    /// Let in: its address slot, and its slot among the connections
    /// logging in (given back when the explorer starts).
    Admitted { _address: AddressSlot, startup: Option<StartupSlot> },
    /// Refused by a limit: it gets the SSH banner naming it, then is closed.
    Refused { refusal: Refusal, _slot: RefusingSlot },
}

struct Connection {
    shared: Arc<Shared>,
    peer: Option<SocketAddr>,
    admission: Admission,
    kill: Arc<Kill>,
    /// Channels opened so far (at most [`MAX_CHANNELS`]).
    channels: usize,
    input: limits::InputBucket,
    who: String,
    term: String,
    size: Option<(u16, u16)>,
    started: Instant,
    /// The session channel's writing half, from its opening to its shell.
    opened: Option<(ChannelId, ChannelWriteHalf<Msg>)>,
    session: Option<Live>,
    /// The explorer's link, once started (it outlives `session`).
    link: Option<Arc<Link>>,
    /// Why a channel was refused, for the log.
    refused: Option<&'static str>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.shared.sessions.fetch_sub(1, Ordering::SeqCst);
        if matches!(self.admission, Admission::Refused { .. }) {
            // Logged (rate-limited) when refused.
            return;
        }
        let why = match &self.link {
            Some(link) => {
                self.shared.app_connections.fetch_sub(1, Ordering::SeqCst);
                format!(" {}", link.why().unwrap_or("connection closed"))
            }
            None => self.refused.or(self.kill.reason()).map(|r| format!(" {r}")).unwrap_or_default(),
        };
        let (w, h) = self.size.unwrap_or((0, 0));
        let peer = self.peer.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
        let term = if self.term.is_empty() { "-" } else { &self.term };
        let line = format!("{peer} {} TERM={term} {w}x{h} {:.1}s{why}", self.who, self.started.elapsed().as_secs_f64());
        (self.shared.log)(&line);
    }
}

type HResult = Result<(), russh::Error>;

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

impl Connection {
    fn new(shared: &Arc<Shared>, peer: SocketAddr, kill: Arc<Kill>, admission: Admission) -> Connection {
        shared.sessions.fetch_add(1, Ordering::SeqCst);
        Connection {
            shared: Arc::clone(shared),
            peer: Some(peer),
            admission,
            kill,
            channels: 0,
            input: limits::InputBucket::default(),
            who: "anonymous".into(),
            term: String::new(),
            size: None,
            started: Instant::now(),
            opened: None,
            session: None,
            link: None,
            refused: None,
        }
    }

    /// The answer to any authentication on a refused connection: no, and
    /// no other method; its task then disconnects it with the reason.
    fn refused_auth(&self) -> Auth {
        self.kill.auth_seen.notify_one();
        Auth::Reject { proceed_with_methods: Some(MethodSet::empty()), partial_success: false }
    }

    /// The limit that refused this connection, if one did.
    fn refusal(&self) -> Option<Refusal> {
        match &self.admission {
            Admission::Refused { refusal, .. } => Some(*refusal),
            Admission::Admitted { .. } => None,
        }
    }

    /// A size from the client, as drawn: 0 (unknown) is 80x24, and the
    /// size is capped at `--max-size`.
    fn capped(&self, cols: u32, rows: u32) -> (u16, u16) {
        let (mw, mh) = self.shared.opts.max_size;
        if cols == 0 || rows == 0 {
            return (80.min(mw.max(1)), 24.min(mh.max(1)));
        }
        (cols.min(mw.max(1) as u32) as u16, rows.min(mh.max(1) as u32) as u16)
    }

    /// Refuse a shell or a command: a message, exit-status 1, EOF, close.
    fn refuse(&mut self, session: &mut Session, channel: ChannelId, msg: &str, why: &'static str) -> HResult {
        self.refused = Some(why);
        session.data(channel, format!("{msg}\r\n").into_bytes())?;
        session.exit_status_request(channel, 1)?;
        session.eof(channel)?;
        session.close(channel)?;
        Ok(())
    }

    fn peer_who(&self) -> String {
        let peer = self.peer.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
        format!("{peer} {}", self.who)
    }

    /// Start the explorer on a channel that has a PTY.
    /// On refusal: the message for the client and the reason for the log.
    fn start_app(&mut self, channel: ChannelId) -> Result<(), (String, &'static str)> {
        let out = match self.opened.take() {
            Some((id, out)) if id == channel => out,
            _ => return Err(("yanbao: no session channel".into(), "refused: no session channel")),
        };
        if *self.shared.stopping.borrow() {
            return Err(("yanbao: the server is stopping".into(), "refused: server stopping"));
        }
        if self.link.is_some() {
            return Err(("yanbao: one session per connection".into(), "refused: second session"));
        }
        let sh = &self.shared;
        // Only explorers count toward --max-sessions.
        if sh.apps.fetch_add(1, Ordering::SeqCst) >= sh.opts.max_sessions {
            sh.apps.fetch_sub(1, Ordering::SeqCst);
            sh.refuse("max-sessions", &format!("{}: refused: the server is full", self.peer_who()));
            let n = sh.opts.max_sessions;
            return Err((
                format!("yanbao: the server is full ({n} sessions); please try again later"),
                "refused: server full",
            ));
        }
        let slot = AppSlot(Arc::clone(sh));
        let (w, h) = self.size.unwrap_or((80, 24));
        let theme = Theme::new(depth_for_term(&self.term), sh.opts.ascii);
        let app = App::new(Arc::clone(&sh.lib), Arc::clone(&sh.index), Arc::clone(&sh.keymap), theme, (w, h));
        let link = Arc::new(Link::new());
        sh.app_connections.fetch_add(1, Ordering::SeqCst);
        sh.counters.sessions_started.fetch_add(1, Ordering::Relaxed);
        // Logged in: the login grace no longer applies, and the connection
        // leaves the ones logging in.
        self.kill.started.store(true, Ordering::SeqCst);
        if let Admission::Admitted { startup, .. } = &mut self.admission {
            *startup = None;
        }
        tokio::spawn(deliver(Arc::clone(&link), out, slot, Arc::clone(&self.kill)));
        self.link = Some(Arc::clone(&link));
        self.session =
            Some(Live { channel, app, screen: Screen::new(w, h), decoder: input::Decoder::new(sh.opts.mouse), link });
        self.run(|live, dropped| live.paint(dropped).map(|()| false));
        Ok(())
    }

    /// Run `f` on the live session, if any. A panic, an error or a quit
    /// ends this session only, its terminal restored.
    fn run(&mut self, f: impl FnOnce(&mut Live, &AtomicUsize) -> io::Result<bool>) {
        let who = self.peer_who();
        let Some(live) = &mut self.session else { return };
        let dropped = &self.shared.frames_dropped;
        let end = match std::panic::catch_unwind(AssertUnwindSafe(|| f(live, dropped))) {
            Ok(Ok(false)) => return,
            Ok(Ok(true)) => End { message: String::new(), status: 0, why: "quit" },
            Ok(Err(e)) => {
                (self.shared.log)(&format!("{who}: session error: {e}"));
                End { message: format!("yanbao: {e}"), status: 1, why: "error" }
            }
            Err(payload) => {
                let text = panic_text(payload.as_ref());
                (self.shared.log)(&format!("{who}: session panicked: {text} (that session ended; the server goes on)"));
                End {
                    message: "yanbao: internal error; this session has ended (please report it)".into(),
                    status: 1,
                    why: "panic",
                }
            }
        };
        live.link.end(end);
        self.session = None;
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    /// A refused connection is told which limit refused it, in the banner
    /// that clients show before authentication.
    async fn authentication_banner(&mut self) -> Result<Option<String>, Self::Error> {
        Ok(self.refusal().map(|r| format!("{}\r\n", r.message())))
    }

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        if self.refusal().is_some() {
            return Ok(self.refused_auth());
        }
        if self.shared.authorized.is_some() {
            return Ok(Auth::reject());
        }
        Ok(Auth::Accept)
    }

    async fn auth_publickey_offered(&mut self, _user: &str, _key: PublicKeyOffer<'_>) -> Result<Auth, Self::Error> {
        if self.refusal().is_some() {
            return Ok(self.refused_auth());
        }
        Ok(Auth::Accept)
    }

    async fn auth_publickey(&mut self, _user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        let key = key.public_key;
        if self.refusal().is_some() {
            return Ok(self.refused_auth());
        }
        let ok = match &self.shared.authorized {
            Some(keys) => keys.iter().any(|k| k.key_data() == key.key_data()),
            None => true,
        };
        if ok {
            self.who = key.fingerprint(HashAlg::Sha256).to_string();
            Ok(Auth::Accept)
        } else {
            Ok(Auth::reject())
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> HResult {
        // One explorer per connection, and a few channels at most.
        if self.channels < MAX_CHANNELS && self.session.is_none() && self.link.is_none() && self.refusal().is_none() {
            self.channels += 1;
            let id = channel.id();
            // Input arrives through the handler; the reading half is not
            // needed (dropped, it never holds the connection up).
            let (_read, write) = channel.split();
            self.opened = Some((id, write));
            reply.accept().await;
        } else {
            reply.reject(ChannelOpenFailure::ResourceShortage).await;
        }
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        cols: u32,
        rows: u32,
        _pw: u32,
        _ph: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.term = term.chars().filter(|c| c.is_ascii_graphic()).take(64).collect();
        // A client that cannot tell its size (no local terminal) sends 0x0.
        self.size = Some(self.capped(cols, rows));
        session.channel_success(channel)?;
        Ok(())
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        if self.size.is_none() {
            session.channel_success(channel)?;
            return self.refuse(session, channel, "yanbao needs a terminal: connect with ssh -t", "refused: no pty");
        }
        session.channel_success(channel)?;
        if let Err((msg, why)) = self.start_app(channel) {
            return self.refuse(session, channel, &msg, why);
        }
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        if data.iter().all(|b| b.is_ascii_whitespace()) {
            // An exec with no command is a shell.
            return self.shell_request(channel, session).await;
        }
        // The request is accepted so that the client shows the message (on
        // stderr) and exits with its status, as a shell would.
        session.channel_success(channel)?;
        self.refused = Some("refused: exec");
        let nl = if self.size.is_some() { "\r\n" } else { "\n" };
        let msg = format!("yanbao: commands are not served here; connect without one to read the reports{nl}");
        session.extended_data(channel, 1, msg.into_bytes())?;
        session.exit_status_request(channel, 1)?;
        session.eof(channel)?;
        session.close(channel)?;
        Ok(())
    }

    async fn subsystem_request(&mut self, channel: ChannelId, name: &str, session: &mut Session) -> HResult {
        let name: String = name.chars().filter(|c| c.is_ascii_graphic()).take(32).collect();
        let msg = format!("yanbao: subsystems ({name}) are not served here\n");
        self.refused = Some("refused: subsystem");
        session.extended_data(channel, 1, msg.into_bytes())?;
        session.channel_failure(channel)?;
        session.eof(channel)?;
        session.close(channel)?;
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        _channel: ChannelId,
        cols: u32,
        rows: u32,
        _pw: u32,
        _ph: u32,
        _session: &mut Session,
    ) -> HResult {
        let (w, h) = self.capped(cols.max(1), rows.max(1));
        self.size = Some((w, h));
        if let Some(live) = &self.session {
            live.link.lock().last_input = Instant::now();
        }
        self.run(|live, dropped| {
            if live.screen.resize(w, h) {
                live.app.update(Action::Resize(w, h));
                live.paint(dropped)?;
            }
            Ok(false)
        });
        Ok(())
    }

    async fn data(&mut self, channel: ChannelId, data: &[u8], _session: &mut Session) -> HResult {
        let Some(live) = &self.session else { return Ok(()) };
        if live.channel != channel {
            return Ok(());
        }
        if live.link.lock().why.is_some() {
            return Ok(()); // ending (idle timeout, server stopping)
        }
        if let Some(rate) = self.shared.opts.input_rate {
            // Past the burst, this connection's input is read at the rate:
            // its session loop waits, and TCP slows the client down.
            let wait = self.input.take(data.len(), rate);
            if !wait.is_zero() {
                self.shared.counters.input_throttled.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(wait).await;
            }
        }
        let Some(live) = &self.session else { return Ok(()) };
        {
            let mut o = live.link.lock();
            if o.why.is_some() {
                return Ok(()); // ending (idle timeout, server stopping)
            }
            o.last_input = Instant::now();
        }
        let panic_key = char::from_u32(self.shared.panic_key.load(Ordering::SeqCst)).filter(|c| *c != '\0');
        self.run(|live, dropped| {
            for ev in live.decoder.feed(data) {
                if let (Some(k), Event::Key(key)) = (panic_key, &ev)
                    && key.code == KeyCode::Char(k)
                {
                    panic!("injected panic on key {k:?} (test hook)");
                }
                if live.app.handle_event(ev).contains(&Effect::Quit) {
                    return Ok(true);
                }
            }
            live.paint(dropped)?;
            Ok(false)
        });
        Ok(())
    }
}
