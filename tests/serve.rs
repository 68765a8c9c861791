//! `yanbao serve` end to end: a server on 127.0.0.1 with a temporary host
//! key, driven by russh's client in-process and by the OpenSSH `ssh` binary.

mod common;
use common::*;
use russh::client::{self, Handle};
use russh::{Channel, ChannelMsg};
use std::sync::Arc;
use std::time::{Duration, Instant};
use yanbao::keymap::Keymap;
use yanbao::serve::{Running, ServeOpts};

struct Client;

impl client::Handler for Client {
    type Error = russh::Error;

    async fn check_server_key(&mut self, _key: &russh::keys::PublicKeyOrCertificate) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

fn temp_key() -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("yanbao-serve-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("host_ed25519")
}

async fn start(max_sessions: usize, idle: Duration) -> (Running, Arc<std::sync::Mutex<Vec<String>>>) {
    let logs = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&logs);
    let opts = ServeOpts {
        host_key: temp_key(),
        authorized_keys: None,
        max_sessions,
        idle_timeout: idle,
        per_ip_per_minute: 1000,
        ascii: false,
    };
    let running = yanbao::serve::start(
        library(),
        index(),
        Arc::new(Keymap::defaults()),
        opts,
        "127.0.0.1:0",
        Box::new(move |l: &str| sink.lock().unwrap().push(l.to_string())),
    )
    .await
    .expect("server starts");
    (running, logs)
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n.max(1)).unwrap()
}

fn vt(rows: u16, cols: u16) -> vt100::Parser {
    vt100::Parser::new(nz(rows), nz(cols), 0)
}

struct Term {
    _handle: Handle<Client>,
    ch: Channel<client::Msg>,
    vt: vt100::Parser,
    closed: bool,
}

async fn connect(addr: std::net::SocketAddr) -> Handle<Client> {
    let config = Arc::new(client::Config::default());
    let mut h = client::connect(config, addr, Client).await.expect("connect");
    let auth = h.authenticate_none("reader").await.expect("auth");
    assert!(auth.success(), "anonymous access");
    h
}

impl Term {
    async fn open(addr: std::net::SocketAddr, w: u16, h: u16) -> Term {
        let handle = connect(addr).await;
        let ch = handle.channel_open_session().await.expect("session");
        ch.request_pty(true, "xterm-256color", w as u32, h as u32, 0, 0, &[]).await.unwrap();
        ch.request_shell(true).await.unwrap();
        Term { _handle: handle, ch, vt: vt(h, w), closed: false }
    }

    fn screen(&self) -> String {
        self.vt.screen().contents()
    }

    /// Read until the screen satisfies `pred`, or the time runs out.
    async fn until(&mut self, secs: u64, pred: impl Fn(&str) -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !pred(&self.screen()) {
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.ch.wait()).await {
                Ok(Some(ChannelMsg::Data { data })) => self.vt.process(&data),
                Ok(Some(ChannelMsg::Eof | ChannelMsg::Close)) | Ok(None) => {
                    self.closed = true;
                    return pred(&self.screen());
                }
                Ok(Some(_)) => {}
                Err(_) => return false,
            }
        }
        true
    }

    async fn send(&self, s: &str) {
        self.ch.data(s.as_bytes()).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_screen_keys_chinese_search_and_resize() {
    let (srv, logs) = start(8, Duration::from_secs(60)).await;
    let mut t = Term::open(srv.addr, 80, 24).await;
    assert!(
        t.until(10, |s| s.contains("目录") && s.contains("AI赋能千行百业白皮书")).await,
        "first screen:\n{}",
        t.screen()
    );
    t.send("jl").await;
    assert!(t.until(5, |s| s.contains("1 人工智能行业综述  p.4")).await, "keys navigate:\n{}", t.screen());
    // Chinese typed into the finder arrives intact (sent in two halves).
    t.send("s华福").await;
    t.send("证券").await;
    assert!(t.until(5, |s| s.contains("› 华福证券") && s.contains("案例")).await, "search:\n{}", t.screen());
    t.send("\x1b").await;
    t.ch.window_change(100, 30, 0, 0).await.unwrap();
    t.vt.set_size(nz(30), nz(100));
    assert!(
        t.until(5, |s| s.lines().any(|l| yanbao::text::width(l) > 80) && s.contains("目录")).await,
        "resize re-renders:\n{}",
        t.screen()
    );
    t.send("q").await;
    assert!(t.until(5, |_| false).await || t.closed, "q closes the session");
    drop(t);
    let deadline = Instant::now() + Duration::from_secs(5);
    while srv.shared.sessions() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = logs.lock().unwrap().join("\n");
    assert!(log.contains("anonymous TERM=xterm-256color 100x30"), "{log}");
    srv.shutdown().await;
}

async fn refused(srv: &Running, request: &str) -> String {
    let h = connect(srv.addr).await;
    let mut ch = h.channel_open_session().await.unwrap();
    match request {
        "sftp" => ch.request_subsystem(true, "sftp").await.unwrap(),
        cmd => ch.exec(true, cmd).await.unwrap(),
    }
    let mut out = String::new();
    let mut failed = false;
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(5), ch.wait()).await {
        match msg {
            ChannelMsg::Failure => failed = true,
            ChannelMsg::Data { data } => out.push_str(&String::from_utf8_lossy(&data)),
            ChannelMsg::Close => break,
            _ => {}
        }
    }
    assert!(failed, "the request is refused");
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_and_sftp_are_refused() {
    let (srv, _) = start(8, Duration::from_secs(60)).await;
    assert!(refused(&srv, "cat /etc/passwd").await.contains("not served"));
    assert!(refused(&srv, "sftp").await.contains("not served"));
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_server_refuses_politely() {
    let (srv, _) = start(1, Duration::from_secs(60)).await;
    let mut first = Term::open(srv.addr, 80, 24).await;
    assert!(first.until(10, |s| s.contains("目录")).await);
    let mut second = Term::open(srv.addr, 80, 24).await;
    assert!(second.until(5, |s| s.contains("the server is full")).await, "{}", second.screen());
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sessions_time_out() {
    let (srv, _) = start(8, Duration::from_secs(1)).await;
    let mut t = Term::open(srv.addr, 80, 24).await;
    assert!(t.until(10, |s| s.contains("目录")).await);
    let _ = t.until(6, |_| false).await;
    assert!(t.closed, "the idle session was closed");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_sessions_each_get_a_first_frame() {
    let (srv, _) = start(64, Duration::from_secs(60)).await;
    let addr = srv.addr;
    let started = Instant::now();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            tokio::spawn(async move {
                let t0 = Instant::now();
                let mut t = Term::open(addr, 80, 24).await;
                let ok = t.until(30, |s| s.contains("目录")).await;
                (ok, t0.elapsed(), t)
            })
        })
        .collect();
    let mut terms = Vec::new();
    let mut slowest = Duration::ZERO;
    for task in tasks {
        let (ok, took, t) = task.await.unwrap();
        assert!(ok, "a session got no first frame");
        slowest = slowest.max(took);
        terms.push(t);
    }
    eprintln!("50 sessions: slowest first frame {slowest:?}, all in {:?}", started.elapsed());
    assert_eq!(srv.shared.sessions(), 50);
    drop(terms);
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_client_frees_its_session() {
    let (srv, _) = start(8, Duration::from_secs(60)).await;
    let mut t = Term::open(srv.addr, 80, 24).await;
    assert!(t.until(10, |s| s.contains("目录")).await);
    assert_eq!(srv.shared.sessions(), 1);
    // Drop the connection without any goodbye, as kill -9 of ssh would.
    drop(t);
    let deadline = Instant::now() + Duration::from_secs(5);
    while srv.shared.sessions() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(srv.shared.sessions(), 0, "the session was freed");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openssh_client_gets_the_explorer() {
    let (srv, _) = start(8, Duration::from_secs(60)).await;
    let port = srv.addr.port().to_string();
    let mut child = std::process::Command::new("ssh")
        .args(["-tt", "-p", &port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"])
        .args(["-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "reader@127.0.0.1"])
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the OpenSSH client (.ci/run installs openssh-client)");
    let mut out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut out, &mut chunk) {
            if n == 0 || tx.send(chunk[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let screen = tokio::task::spawn_blocking(move || {
        let mut vt = vt(24, 80);
        let deadline = Instant::now() + Duration::from_secs(15);
        while !vt.screen().contents().contains("目录") && Instant::now() < deadline {
            if let Ok(bytes) = rx.recv_timeout(Duration::from_millis(200)) {
                vt.process(&bytes);
            }
        }
        vt.screen().contents()
    })
    .await
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(screen.contains("目录") && screen.contains("AI赋能千行百业白皮书"), "{screen}");
    srv.shutdown().await;
}
