//! Accepting connections: the accept loop, the PROXY header, the limits
//! checked at accept, and each connection's life up to its close.

use super::handler::{Admission, Connection};
use super::limits::{self, Guarded, Kill, Refusal};
use super::{ACCEPT_BACKOFF, IDLE_MAX, MAX_REFUSING, PENALTY_GRACE, REFUSE_GRACE, RefusingSlot, Shared, proxy};
use russh::Disconnect;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};

/// Accept connections until the server stops. An `accept()` error (EMFILE
/// when the open-file limit is reached, ECONNABORTED...) never ends the
/// server: it is logged, and accept is retried after a pause.
pub(super) async fn accept_loop(
    listener: TcpListener,
    config: Arc<russh::server::Config>,
    shared: Arc<Shared>,
) -> io::Result<()> {
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
                    if shared.opts.expects_proxy() {
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

/// A connection whose PROXY header is awaited, counted in all and for its
/// peer until dropped.
struct Proxying {
    shared: Arc<Shared>,
    key: std::net::IpAddr,
}

impl Drop for Proxying {
    fn drop(&mut self) {
        self.shared.proxying.fetch_sub(1, Ordering::SeqCst);
        let mut by = self.shared.proxying_by.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = by.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                by.remove(&self.key);
            }
        }
    }
}

/// Count a connection whose header is awaited, or say which bound refuses
/// it: `--max-startups` in all, and, for a peer not listed in
/// `--proxy-from` (when it is not set), `--max-per-address` per peer, so
/// that one host's stalled headers cannot keep the balancer's out.
fn await_header(shared: &Arc<Shared>, peer: SocketAddr) -> Result<Proxying, &'static str> {
    let key = limits::address_key(peer.ip());
    let trusted = !shared.opts.proxy_from.is_empty();
    let mut by = shared.proxying_by.lock().unwrap_or_else(|e| e.into_inner());
    let mine = by.get(&key).copied().unwrap_or(0);
    if !trusted && mine >= shared.opts.max_per_address.max(1) {
        return Err("too many PROXY headers awaited from this peer");
    }
    if shared.proxying.load(Ordering::SeqCst) >= shared.opts.max_startups.max(1) {
        return Err("too many PROXY headers awaited");
    }
    // Bounded: an entry exists only while a header from that peer is awaited.
    by.insert(key, mine + 1);
    shared.proxying.fetch_add(1, Ordering::SeqCst);
    Ok(Proxying { shared: Arc::clone(shared), key })
}

/// Read the PROXY header of a connection from the balancer, then admit it
/// as coming from the client's address. Only `--proxy-from` peers may send
/// one (anyone without it); headers awaited at once are bounded in all
/// and per peer, and each in time.
pub(super) fn behind_proxy(
    shared: &Arc<Shared>,
    config: &Arc<russh::server::Config>,
    mut sock: TcpStream,
    peer: SocketAddr,
) {
    if !shared.opts.proxy_allowed(peer.ip()) {
        shared.refuse("proxy-from", &format!("{peer}: refused: not a --proxy-from address"));
        return;
    }
    let _ = sock.set_nodelay(true);
    let waiting = match await_header(shared, peer) {
        Ok(w) => w,
        Err(why) => {
            shared.refuse("max-startups", &format!("{peer}: refused: {why}"));
            return;
        }
    };
    let (shared, config) = (Arc::clone(shared), Arc::clone(config));
    tokio::spawn(async move {
        let header = tokio::time::timeout(PROXY_WAIT, proxy::read_header(&mut sock)).await;
        drop(waiting);
        match header {
            Ok(Ok(client)) => admit(&shared, &config, sock, client.unwrap_or(peer)),
            Ok(Err(e)) => shared.log_limited("proxy", &format!("{peer}: closed: {e}")),
            Err(_) => shared.log_limited("proxy", &format!("{peer}: closed: no PROXY header within 5 s")),
        }
    });
}

/// Check an accepted socket against the limits, before any SSH work, and
/// start its connection (or its refusal).
pub(super) fn admit(shared: &Arc<Shared>, config: &Arc<russh::server::Config>, sock: TcpStream, peer: SocketAddr) {
    let _ = sock.set_nodelay(true);
    let kill = Arc::new(Kill::for_socket(&sock));
    let refusal = match shared.addresses.admit(peer.ip()) {
        Ok(slot) => match shared.take_startup(&kill, peer.ip()) {
            Ok(startup) => {
                let conn = Connection::new(
                    shared,
                    peer,
                    Arc::clone(&kill),
                    Admission::Admitted { _address: slot, startup: Some(startup) },
                );
                let grace = shared.opts.login_grace;
                tokio::spawn(connection(Arc::clone(shared), Arc::clone(config), sock, kill, conn, grace));
                return;
            }
            // Closed at once (a penalized address): no word.
            Err(None) => return,
            // Counted and logged by `take_startup`.
            Err(Some(refusal)) => refusal,
        },
        Err(refusal) => {
            shared.refuse(refusal.limit(), &format!("{peer}: refused: {}", refusal.message()));
            refusal
        }
    };
    if shared.refusing.fetch_add(1, Ordering::SeqCst) >= MAX_REFUSING {
        shared.refusing.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    let slot = RefusingSlot(Arc::clone(shared));
    let conn = Connection::new(shared, peer, Arc::clone(&kill), Admission::Refused { refusal, _slot: slot });
    tokio::spawn(connection(Arc::clone(shared), Arc::clone(config), sock, kill, conn, REFUSE_GRACE));
}

/// One connection's life: the SSH session, closed at the login grace if no
/// explorer started by then, told why when refused, disconnected when the
/// server stops.
pub(super) async fn connection(
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
    let peer_ip = conn.peer.map(|p| p.ip());
    let stream = Guarded::new(sock, Arc::clone(&kill), Arc::clone(&shared.counters.bytes_out));
    let mut closing = shared.closing.subscribe();
    let late = |kill: &Kill| {
        if refused.is_none() {
            shared.refuse("login-grace", "a connection did not log in within the login grace: closed");
            // A source that does not log in is penalized (unless it got
            // as far as authenticating: a slow reader, not a flood).
            if let Some(ip) = peer_ip.filter(|_| kill.progress() < limits::KEYED) {
                shared.addresses.penalize(ip, PENALTY_GRACE);
            }
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
        _ = kill.evicted.notified() => {
            kill.kill();
            return;
        }
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
            // A client that went is no error: the session's own line says so.
            if let Err(e) = r
                && !is_disconnect(&e)
            {
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
            "yanbao：服务器正在停止".into()
        }
        _ = kill.evicted.notified(), if !kill.started() => Refusal::Busy.message(),
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

/// Whether a session's error is only its client going away (the socket
/// closed, reset or ended early, a disconnect message): a normal end, not a
/// session error. A client that quits with `q` and then closes its socket
/// without a disconnect message ends with "early eof".
pub(super) fn is_disconnect(e: &russh::Error) -> bool {
    match e {
        russh::Error::Disconnect | russh::Error::HUP => true,
        russh::Error::IO(io) => matches!(
            io.kind(),
            io::ErrorKind::UnexpectedEof
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
        ),
        _ => false,
    }
}
