//! `yanbao serve`: the explorer over SSH, one app session per connection on
//! shared, read-only content. The app core is the same one the local
//! terminal runs; here its backend writes into an SSH channel and its events
//! are decoded from the channel's bytes.

pub mod input;

use crate::action::Effect;
use crate::app::App;
use crate::content::Library;
use crate::keymap::Keymap;
use crate::search::Index;
use crate::theme::{ColorDepth, Theme};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use russh::keys::ssh_key::{HashAlg, LineEnding, PublicKey};
use russh::keys::{Algorithm, PrivateKey};
use russh::server::{Auth, ChannelOpenHandle, Handle, Msg, Server, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, ChannelOpenFailure, MethodKind, MethodSet, Pty};
use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Settings of `yanbao serve`.
#[derive(Debug, Clone)]
pub struct ServeOpts {
    pub host_key: PathBuf,
    pub authorized_keys: Option<PathBuf>,
    pub max_sessions: usize,
    pub idle_timeout: Duration,
    /// New connections allowed per IP address per minute.
    pub per_ip_per_minute: usize,
    pub ascii: bool,
}

/// What every session shares.
pub struct Shared {
    pub lib: Arc<Library>,
    pub index: Arc<Index>,
    pub keymap: Arc<Keymap>,
    pub opts: ServeOpts,
    authorized: Option<Vec<PublicKey>>,
    sessions: AtomicUsize,
    /// Frames dropped because a client fell behind.
    pub frames_dropped: Arc<AtomicUsize>,
    recent: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
    /// Log lines go here (stderr in production, a buffer in tests).
    log: Box<dyn Fn(&str) + Send + Sync>,
}

impl Shared {
    pub fn sessions(&self) -> usize {
        self.sessions.load(Ordering::SeqCst)
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
    stop: russh::server::RunningServerHandle,
    task: tokio::task::JoinHandle<io::Result<()>>,
}

impl Running {
    pub async fn shutdown(self) {
        self.stop.shutdown("server stopping".into());
        let _ = self.task.await;
    }

    /// Wait until the server ends.
    pub async fn wait(self) -> io::Result<()> {
        self.task.await.map_err(io::Error::other)?
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
        inactivity_timeout: Some(opts.idle_timeout),
        auth_rejection_time: Duration::from_secs(1),
        auth_rejection_time_initial: Some(Duration::from_secs(0)),
        keys: vec![key],
        methods,
        nodelay: true,
        ..Default::default()
    };
    let shared = Arc::new(Shared {
        lib,
        index,
        keymap,
        opts,
        authorized,
        sessions: AtomicUsize::new(0),
        frames_dropped: Arc::new(AtomicUsize::new(0)),
        recent: Mutex::new(HashMap::new()),
        log,
    });
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let mut server = YanbaoServer { shared: Arc::clone(&shared) };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let running = server.run_on_socket(Arc::new(config), &listener);
        let _ = stop_tx.send(running.handle());
        running.await
    });
    let stop = stop_rx.await.map_err(|_| io::Error::other("the server did not start"))?;
    Ok(Running { addr, fingerprint, shared, stop, task })
}

struct YanbaoServer {
    shared: Arc<Shared>,
}

impl Server for YanbaoServer {
    type Handler = Connection;

    fn new_client(&mut self, peer: Option<SocketAddr>) -> Connection {
        let sh = &self.shared;
        // A per-IP connection rate limit.
        let limited = peer.is_some_and(|p| {
            let mut recent = sh.recent.lock().unwrap_or_else(|e| e.into_inner());
            let q = recent.entry(p.ip()).or_default();
            let now = Instant::now();
            while q.front().is_some_and(|t| now.duration_since(*t) > Duration::from_secs(60)) {
                q.pop_front();
            }
            q.push_back(now);
            q.len() > sh.opts.per_ip_per_minute
        });
        let n = sh.sessions.fetch_add(1, Ordering::SeqCst) + 1;
        Connection {
            shared: Arc::clone(sh),
            peer,
            full: n > sh.opts.max_sessions,
            limited,
            who: "anonymous".into(),
            term: String::new(),
            size: None,
            started: Instant::now(),
            session: None,
        }
    }
}

/// One app session on one channel.
struct Live {
    channel: ChannelId,
    app: App,
    terminal: Terminal<CrosstermBackend<ChannelWriter>>,
    decoder: input::Decoder,
    dropped: Arc<AtomicBool>,
}

/// Frames go to the client through a bounded queue; when the client falls
/// behind, frames are dropped and the next one is a full repaint.
struct ChannelWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<Vec<u8>>,
    dropped: Arc<AtomicBool>,
    count: Arc<AtomicUsize>,
}

impl Write for ChannelWriter {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let frame = std::mem::take(&mut self.buf);
        match self.tx.try_send(frame) {
            Ok(()) => Ok(()),
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.dropped.store(true, Ordering::SeqCst);
                self.count.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(io::Error::from(io::ErrorKind::BrokenPipe)),
        }
    }
}

/// Frames queued per session before frames are dropped.
const QUEUE: usize = 4;

struct Connection {
    shared: Arc<Shared>,
    peer: Option<SocketAddr>,
    full: bool,
    limited: bool,
    who: String,
    term: String,
    size: Option<(u16, u16)>,
    started: Instant,
    session: Option<Live>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.shared.sessions.fetch_sub(1, Ordering::SeqCst);
        let (w, h) = self.size.unwrap_or((0, 0));
        let peer = self.peer.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
        let term = if self.term.is_empty() { "-" } else { &self.term };
        let line = format!("{peer} {} TERM={term} {w}x{h} {:.1}s", self.who, self.started.elapsed().as_secs_f64());
        (self.shared.log)(&line);
    }
}

type HResult = Result<(), russh::Error>;

impl Connection {
    fn refuse(&self, session: &mut Session, channel: ChannelId, msg: &str) -> HResult {
        session.data(channel, format!("{msg}\r\n").into_bytes())?;
        session.eof(channel)?;
        session.close(channel)?;
        Ok(())
    }

    /// Start the explorer on a channel that has a PTY.
    fn start_app(&mut self, channel: ChannelId, handle: Handle) -> io::Result<()> {
        let (w, h) = self.size.unwrap_or((80, 24));
        let (tx, mut rx) = mpsc::channel::<Vec<u8>>(QUEUE);
        tokio::spawn(async move {
            while let Some(frame) = rx.recv().await {
                if handle.data(channel, frame).await.is_err() {
                    break;
                }
            }
        });
        let dropped = Arc::new(AtomicBool::new(false));
        let count = Arc::clone(&self.shared.frames_dropped);
        let writer = ChannelWriter { buf: Vec::new(), tx, dropped: Arc::clone(&dropped), count };
        let mut backend = CrosstermBackend::new(writer);
        // The alternate screen, no cursor, bracketed paste: as a local run.
        crossterm::queue!(
            backend,
            crossterm::terminal::EnterAlternateScreen,
            crossterm::cursor::Hide,
            crossterm::event::EnableBracketedPaste
        )?;
        let viewport = Viewport::Fixed(Rect::new(0, 0, w, h));
        let terminal = Terminal::with_options(backend, TerminalOptions { viewport })?;
        let sh = &self.shared;
        let theme = Theme::new(depth_for_term(&self.term), sh.opts.ascii);
        let app = App::new(Arc::clone(&sh.lib), Arc::clone(&sh.index), Arc::clone(&sh.keymap), theme, (w, h));
        self.session = Some(Live { channel, app, terminal, decoder: input::Decoder::default(), dropped });
        self.draw()
    }

    fn draw(&mut self) -> io::Result<()> {
        let Some(live) = &mut self.session else { return Ok(()) };
        if live.dropped.swap(false, Ordering::SeqCst) {
            // The client missed frames: repaint everything.
            live.terminal.clear()?;
        }
        let app = &live.app;
        live.terminal.draw(|f| crate::ui::render(app, f.area(), f.buffer_mut()))?;
        Ok(())
    }

    /// Leave the client's terminal as it was.
    fn goodbye(&mut self) {
        if let Some(live) = &mut self.session {
            let b = live.terminal.backend_mut();
            let _ = crossterm::queue!(
                b,
                crossterm::event::DisableBracketedPaste,
                crossterm::cursor::Show,
                crossterm::terminal::LeaveAlternateScreen
            );
            let _ = b.flush();
        }
    }
}

impl russh::server::Handler for Connection {
    type Error = russh::Error;

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        if self.limited || self.shared.authorized.is_some() {
            return Ok(Auth::reject());
        }
        Ok(Auth::Accept)
    }

    async fn auth_publickey(&mut self, _user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        let key = key.public_key;
        if self.limited {
            return Ok(Auth::reject());
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
        _channel: Channel<Msg>,
        reply: ChannelOpenHandle,
        _session: &mut Session,
    ) -> HResult {
        // One explorer per connection.
        if self.session.is_none() {
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
        self.size =
            Some(if cols == 0 || rows == 0 { (80, 24) } else { (cols.min(1000) as u16, rows.min(1000) as u16) });
        session.channel_success(channel)?;
        Ok(())
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        if self.full {
            session.channel_success(channel)?;
            let n = self.shared.opts.max_sessions;
            return self.refuse(
                session,
                channel,
                &format!("yanbao: the server is full ({n} sessions); please try again later"),
            );
        }
        if self.size.is_none() {
            session.channel_success(channel)?;
            return self.refuse(session, channel, "yanbao needs a terminal: connect with ssh -t");
        }
        session.channel_success(channel)?;
        if let Err(e) = self.start_app(channel, session.handle()) {
            return self.refuse(session, channel, &format!("yanbao: {e}"));
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
        session.channel_failure(channel)?;
        self.refuse(session, channel, "yanbao: commands are not served; connect without one")
    }

    async fn subsystem_request(&mut self, channel: ChannelId, _name: &str, session: &mut Session) -> HResult {
        session.channel_failure(channel)?;
        self.refuse(session, channel, "yanbao: subsystems are not served")
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
        let (w, h) = (cols.clamp(1, 1000) as u16, rows.clamp(1, 1000) as u16);
        self.size = Some((w, h));
        if let Some(live) = &mut self.session {
            live.terminal.resize(Rect::new(0, 0, w, h)).map_err(russh::Error::from)?;
            live.app.update(crate::action::Action::Resize(w, h));
        }
        self.draw().map_err(russh::Error::from)
    }

    async fn data(&mut self, channel: ChannelId, data: &[u8], session: &mut Session) -> HResult {
        let Some(live) = &mut self.session else { return Ok(()) };
        if live.channel != channel {
            return Ok(());
        }
        let mut quit = false;
        for ev in live.decoder.feed(data) {
            if live.app.handle_event(ev).contains(&Effect::Quit) {
                quit = true;
                break;
            }
        }
        if quit {
            self.goodbye();
            session.eof(channel)?;
            session.close(channel)?;
            return Ok(());
        }
        self.draw().map_err(russh::Error::from)
    }
}
