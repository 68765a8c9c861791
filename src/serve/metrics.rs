//! `--metrics ADDR`: the server's counters as Prometheus text, over plain
//! HTTP (`GET /metrics`). Off by default; bind it to a private address.

use super::Shared;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The limits that refuse or close connections, each a label of
/// `yanbao_refused_total`.
pub const LIMITS: [&str; 6] =
    ["max-sessions", "max-startups", "max-per-address", "per-minute", "address-table", "login-grace"];

/// Scrapes answered at once; past this, a scrape's socket is closed.
const MAX_SCRAPES: usize = 4;

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

/// Answer scrapes until the server stops.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut closing = shared.closing.subscribe();
    let busy = Arc::new(tokio::sync::Semaphore::new(MAX_SCRAPES));
    loop {
        let accepted = tokio::select! {
            _ = closing.wait_for(|c| *c) => return,
            r = listener.accept() => r,
        };
        match accepted {
            Ok((sock, _)) => {
                let Ok(permit) = Arc::clone(&busy).try_acquire_owned() else { continue };
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let _ = tokio::time::timeout(Duration::from_secs(5), answer(sock, &shared)).await;
                    drop(permit);
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
