//! Accepting connections: the accept loop, the PROXY header, the limits
//! checked at accept, and each connection's life up to its close.

use super::handler::{Admission, Connection};
use super::limits::{Guarded, Kill, Refusal};
use super::{ACCEPT_BACKOFF, IDLE_MAX, MAX_REFUSING, REFUSE_GRACE, RefusingSlot, Shared, proxy};
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
pub(super) fn behind_proxy(
    shared: &Arc<Shared>,
    config: &Arc<russh::server::Config>,
    mut sock: TcpStream,
    peer: SocketAddr,
) {
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
pub(super) fn admit(shared: &Arc<Shared>, config: &Arc<russh::server::Config>, sock: TcpStream, peer: SocketAddr) {
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
