//! `--metrics ADDR`: the server's counters as Prometheus text, over plain
//! HTTP (`GET /metrics`). Off by default; bind it to a private address.

use super::Shared;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// The limits that refuse or close connections, each a label of
/// `yanbao_refused_total`.
pub const LIMITS: [&str; 8] = [
    "max-sessions",
    "max-startups",
    "penalty",
    "max-per-address",
    "per-minute",
    "address-table",
    "login-grace",
    "proxy-from",
];

/// Scrape connections open at once; past this, the oldest one still open is
/// closed to make room for the newest (a scraper sends its request at once
/// and is answered within milliseconds, so idle holders cannot blind it).
const MAX_SCRAPES: usize = 16;
/// How long a scrape connection may take to send its request and read the
/// answer.
const SCRAPE_WAIT: Duration = Duration::from_secs(5);

/// The metrics, in the Prometheus text format.
pub fn render(sh: &Shared) -> String {
    let mut out = String::new();
    let mut metric = |name: &str, kind: &str, help: &str, value: u64| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
    };
    metric("yanbao_sessions", "gauge", "Explorers running.", sh.apps() as u64);
    metric("yanbao_connections", "gauge", "Connections open, logging in or not.", sh.sessions() as u64);
    metric("yanbao_connections_logging_in", "gauge", "Connections with no explorer yet.", sh.startups() as u64);
    metric("yanbao_addresses", "gauge", "Client addresses in the table.", sh.addresses.len() as u64);
    let c = &sh.counters;
    metric(
        "yanbao_sessions_started_total",
        "counter",
        "Explorers started.",
        c.sessions_started.load(Ordering::Relaxed),
    );
    metric("yanbao_bytes_out_total", "counter", "Bytes sent to clients.", c.bytes_out.load(Ordering::Relaxed));
    metric(
        "yanbao_session_errors_total",
        "counter",
        "Connections ended by an error.",
        c.session_errors.load(Ordering::Relaxed),
    );
    metric("yanbao_accept_errors_total", "counter", "Failed accept() calls.", c.accept_errors.load(Ordering::Relaxed));
    metric(
        "yanbao_frames_dropped_total",
        "counter",
        "Frames dropped for clients that fell behind.",
        sh.frames_dropped.load(Ordering::Relaxed) as u64,
    );
    metric(
        "yanbao_input_throttled_total",
        "counter",
        "Input packets held back by --input-rate.",
        c.input_throttled.load(Ordering::Relaxed),
    );
    let _ = writeln!(out, "# HELP yanbao_refused_total Connections refused or closed, by limit.");
    let _ = writeln!(out, "# TYPE yanbao_refused_total counter");
    for limit in LIMITS {
        let _ = writeln!(out, "yanbao_refused_total{{limit=\"{limit}\"}} {}", c.refused(limit));
    }
    out
}

/// The scrape connections open now, oldest first: each one's id and the
/// signal that closes it.
type OpenScrapes = Arc<Mutex<VecDeque<(u64, Arc<Notify>)>>>;

/// Answer scrapes until the server stops, each on its own task, bounded in
/// time (`SCRAPE_WAIT`) and in number (`MAX_SCRAPES`, the oldest closed
/// first).
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut closing = shared.closing.subscribe();
    let open: OpenScrapes = Arc::default();
    let mut next_id = 0u64;
    loop {
        let accepted = tokio::select! {
            _ = closing.wait_for(|c| *c) => return,
            r = listener.accept() => r,
        };
        match accepted {
            Ok((sock, _)) => {
                let id = next_id;
                next_id += 1;
                let evict = Arc::new(Notify::new());
                {
                    let mut q = open.lock().unwrap_or_else(|e| e.into_inner());
                    while q.len() >= MAX_SCRAPES {
                        if let Some((_, oldest)) = q.pop_front() {
                            oldest.notify_one();
                        }
                    }
                    q.push_back((id, Arc::clone(&evict)));
                }
                let (shared, open) = (Arc::clone(&shared), Arc::clone(&open));
                tokio::spawn(async move {
                    tokio::select! {
                        _ = tokio::time::timeout(SCRAPE_WAIT, answer(sock, &shared)) => {}
                        _ = evict.notified() => {}
                    }
                    open.lock().unwrap_or_else(|e| e.into_inner()).retain(|(i, _)| *i != id);
                });
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

async fn answer(mut sock: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let mut req = Vec::new();
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") && req.len() < 8192 {
        let n = sock.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        req.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    let line = String::from_utf8_lossy(req.split(|b| *b == b'\n').next().unwrap_or_default()).into_owned();
    let path = line.split_whitespace().nth(1).unwrap_or("");
    let (status, body) = if line.starts_with("GET ") && (path == "/metrics" || path == "/") {
        ("200 OK", render(shared))
    } else {
        ("404 Not Found", "not found; try GET /metrics\n".to_string())
    };
    let head = format!(
        "HTTP/1.0 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await?;
    sock.write_all(body.as_bytes()).await?;
    sock.shutdown().await
}
