//! A connection's SSH handler: authentication, channels, the PTY, and the
//! reader's input and resizes, applied to its explorer.

use super::deliver::{AppSlot, Link, deliver};
use super::limits::{self, AddressSlot, Kill, Refusal};
use super::session::{Job, PIECE, Worker};
use super::{AMBIWIDTH_ENV, MAX_CHANNELS, RefusingSlot, Shared, StartupSlot, depth_for_term};
use crate::theme::Theme;
use russh::keys::ssh_key::HashAlg;
use russh::server::{Auth, ChannelOpenHandle, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, ChannelOpenFailure, ChannelWriteHalf, MethodSet, Pty};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

/// What the limits said of a connection at accept.
pub(super) enum Admission {
    /// Let in: its address slot, and its slot among the connections
    /// logging in (given back when the explorer starts).
    Admitted { _address: AddressSlot, startup: Option<StartupSlot> },
    /// Refused by a limit: it gets the SSH banner naming it, then is closed.
    Refused { refusal: Refusal, _slot: RefusingSlot },
}

pub(super) struct Connection {
    pub(super) shared: Arc<Shared>,
    pub(super) peer: Option<SocketAddr>,
    pub(super) admission: Admission,
    pub(super) kill: Arc<Kill>,
    /// Channels opened so far (at most [`MAX_CHANNELS`]).
    pub(super) channels: usize,
    pub(super) input: limits::InputBucket,
    pub(super) who: String,
    pub(super) term: String,
    pub(super) size: Option<(u16, u16)>,
    /// `YANBAO_AMBIWIDTH=wide` from the client (OpenSSH: `SendEnv` or
    /// `SetEnv`): ambiguous characters laid out two columns wide.
    pub(super) ambiwide: bool,
    pub(super) started: Instant,
    /// The session channel's writing half, from its opening to its shell.
    pub(super) opened: Option<(ChannelId, ChannelWriteHalf<Msg>)>,
    pub(super) session: Option<Explorer>,
    /// The explorer's link, once started (it outlives `session`).
    pub(super) link: Option<Arc<Link>>,
    /// Why a channel was refused, for the log.
    pub(super) refused: Option<&'static str>,
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

pub(super) type HResult = Result<(), russh::Error>;

impl Connection {
    pub(super) fn new(shared: &Arc<Shared>, peer: SocketAddr, kill: Arc<Kill>, admission: Admission) -> Connection {
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
            ambiwide: false,
            started: Instant::now(),
            opened: None,
            session: None,
            link: None,
            refused: None,
        }
    }

    /// The answer to any authentication on a refused connection: no, and
    /// no other method; its task then disconnects it with the reason.
    pub(super) fn refused_auth(&self) -> Auth {
        self.kill.auth_seen.notify_one();
        Auth::Reject { proceed_with_methods: Some(MethodSet::empty()), partial_success: false }
    }

    /// The limit that refused this connection, if one did.
    pub(super) fn refusal(&self) -> Option<Refusal> {
        match &self.admission {
            Admission::Refused { refusal, .. } => Some(*refusal),
            Admission::Admitted { .. } => None,
        }
    }

    /// A size from the client, as drawn: 0 (unknown) is 80x24, and the
    /// size is capped at `--max-size`.
    pub(super) fn capped(&self, cols: u32, rows: u32) -> (u16, u16) {
        let (mw, mh) = self.shared.opts.max_size;
        if cols == 0 || rows == 0 {
            return (80.min(mw.max(1)), 24.min(mh.max(1)));
        }
        (cols.min(mw.max(1) as u32) as u16, rows.min(mh.max(1) as u32) as u16)
    }

    /// Refuse a shell or a command: a message, exit-status 1, EOF, close.
    pub(super) fn refuse(
        &mut self,
        session: &mut Session,
        channel: ChannelId,
        msg: &str,
        why: &'static str,
    ) -> HResult {
        self.refused = Some(why);
        session.data(channel, format!("{msg}\r\n").into_bytes())?;
        session.exit_status_request(channel, 1)?;
        session.eof(channel)?;
        session.close(channel)?;
        Ok(())
    }

    pub(super) fn peer_who(&self) -> String {
        let peer = self.peer.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
        format!("{peer} {}", self.who)
    }

    /// Start the explorer on a channel that has a PTY.
    /// On refusal: the message for the client and the reason for the log.
    pub(super) fn start_app(&mut self, channel: ChannelId) -> Result<(), (String, &'static str)> {
        let out = match self.opened.take() {
            Some((id, out)) if id == channel => out,
            _ => return Err(("yanbao: no session channel".into(), "refused: no session channel")),
        };
        if *self.shared.stopping.borrow() {
            return Err(("yanbao：服务器正在停止".into(), "refused: server stopping"));
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
        let size = self.size.unwrap_or((80, 24));
        let theme = Theme::new(depth_for_term(&self.term), sh.opts.ascii);
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
        // The explorer is made and drawn on its worker, as all its work.
        let worker = Worker::new(Arc::clone(sh), Arc::clone(&link), self.peer_who());
        // A reader logged in with a listed key gets back their place and
        // marks; anonymous sessions keep them for the session only.
        let state_file = sh
            .opts
            .state_dir
            .as_ref()
            .filter(|_| sh.authorized.is_some())
            .map(|dir| crate::state::location_for_key(dir, &self.who));
        worker.push(Job::Start(theme, size, state_file, self.ambiwide), None);
        self.session = Some(Explorer { channel, link, worker });
        Ok(())
    }
}

/// The handler's side of a running explorer: its channel, its link to the
/// delivery task, and its worker.
pub(super) struct Explorer {
    channel: ChannelId,
    link: Arc<Link>,
    worker: Arc<Worker>,
}

impl Drop for Explorer {
    fn drop(&mut self) {
        // The connection is gone: its delivery task stops now, whatever it
        // was sending (the explorer itself may still be running a job).
        self.link.gone();
        self.worker.close();
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
        // The key exchange is done: this login is never closed to make room.
        self.kill.advance(limits::KEYED);
        if self.refusal().is_some() {
            return Ok(self.refused_auth());
        }
        if self.shared.authorized.is_some() {
            return Ok(Auth::reject());
        }
        Ok(Auth::Accept)
    }

    async fn auth_publickey_offered(&mut self, _user: &str, _key: PublicKeyOffer<'_>) -> Result<Auth, Self::Error> {
        // The key exchange is done: this login is never closed to make room.
        self.kill.advance(limits::KEYED);
        if self.refusal().is_some() {
            return Ok(self.refused_auth());
        }
        Ok(Auth::Accept)
    }

    async fn auth_publickey(&mut self, _user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        // The key exchange is done: this login is never closed to make room.
        self.kill.advance(limits::KEYED);
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

    /// Only `YANBAO_AMBIWIDTH` (`wide` or `narrow`) is taken; other
    /// variables are ignored, as russh does by default.
    async fn env_request(
        &mut self,
        _channel: ChannelId,
        name: &str,
        value: &str,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if name == AMBIWIDTH_ENV {
            match value {
                "wide" => self.ambiwide = true,
                "narrow" => self.ambiwide = false,
                _ => {}
            }
        }
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
        // A resize is no input: it does not put off the idle timeout. It
        // counts against `--input-rate` (a resize costs a repaint), and
        // resizes waiting to be drawn are coalesced into the last one.
        if let Some(rate) = self.shared.opts.input_rate {
            let wait = self.input.take(limits::RESIZE_COST, rate);
            if !wait.is_zero() {
                self.shared.counters.input_throttled.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(wait).await;
            }
        }
        let (w, h) = self.capped(cols.max(1), rows.max(1));
        if self.size == Some((w, h)) {
            return Ok(());
        }
        self.size = Some((w, h));
        if let Some(live) = &self.session {
            live.worker.submit(Job::Resize(w, h)).await;
        }
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
        // Waits while this session's queue is full: its connection is read
        // no further meanwhile.
        for piece in data.chunks(PIECE) {
            live.worker.submit(Job::Input(piece.to_vec())).await;
        }
        Ok(())
    }
}
