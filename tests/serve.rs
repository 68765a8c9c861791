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

fn opts(max_sessions: usize, idle: Duration) -> ServeOpts {
    ServeOpts {
        host_key: temp_key(),
        authorized_keys: None,
        max_sessions,
        idle_timeout: idle,
        per_ip_per_minute: 1000,
        ascii: false,
    }
}

async fn start(max_sessions: usize, idle: Duration) -> (Running, Arc<std::sync::Mutex<Vec<String>>>) {
    start_with(opts(max_sessions, idle)).await
}

async fn start_with(opts: ServeOpts) -> (Running, Arc<std::sync::Mutex<Vec<String>>>) {
    let logs = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = Arc::clone(&logs);
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

/// The OpenSSH client on a local port, stdin and stdout piped, with a
/// remote PTY forced (`-tt`). .ci/run installs openssh-client.
fn openssh(port: &str) -> std::process::Child {
    std::process::Command::new("ssh")
        .args(["-tt", "-p", port, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"])
        .args(["-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "reader@127.0.0.1"])
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the OpenSSH client (.ci/run installs openssh-client)")
}

/// Wait (up to 5 s) until the server holds no session.
async fn wait_for_no_sessions(srv: &Running) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while srv.shared.sessions() > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
    wait_for_no_sessions(&srv).await;
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
    wait_for_no_sessions(&srv).await;
    assert_eq!(srv.shared.sessions(), 0, "the session was freed");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openssh_client_gets_the_explorer() {
    let (srv, _) = start(8, Duration::from_secs(60)).await;
    let port = srv.addr.port().to_string();
    let mut child = openssh(&port);
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
    assert!(screen.contains("目录") && screen.contains("AI赋能千行百业白皮书"), "{screen}");
    assert_eq!(srv.shared.sessions(), 1);
    // kill -9 of ssh: the session is freed at once.
    let _ = child.kill();
    let _ = child.wait();
    wait_for_no_sessions(&srv).await;
    assert_eq!(srv.shared.sessions(), 0, "killing ssh freed the session");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_without_a_pty_gets_a_message() {
    let (srv, _) = start(8, Duration::from_secs(60)).await;
    let h = connect(srv.addr).await;
    let mut ch = h.channel_open_session().await.unwrap();
    ch.request_shell(true).await.unwrap();
    let mut out = String::new();
    while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_secs(5), ch.wait()).await {
        match msg {
            ChannelMsg::Data { data } => out.push_str(&String::from_utf8_lossy(&data)),
            ChannelMsg::Close => break,
            _ => {}
        }
    }
    assert_eq!(out.trim(), "yanbao needs a terminal: connect with ssh -t");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorized_keys_let_only_those_keys_in() {
    use russh::keys::{Algorithm, PrivateKey, PrivateKeyWithHashAlg};
    let good = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).unwrap();
    let bad = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).unwrap();
    let path = temp_key().with_file_name("authorized_keys");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let line = good.public_key().to_openssh().unwrap();
    std::fs::write(&path, format!("# readers\n{line} reader@example\n")).unwrap();
    let opts = ServeOpts { authorized_keys: Some(path), ..opts(8, Duration::from_secs(60)) };
    let (srv, logs) = start_with(opts).await;
    let config = Arc::new(client::Config::default());
    let mut h = client::connect(Arc::clone(&config), srv.addr, Client).await.unwrap();
    assert!(!h.authenticate_none("reader").await.unwrap().success(), "no anonymous access");
    let key = |k: &PrivateKey| PrivateKeyWithHashAlg::new(Arc::new(k.clone()), None);
    assert!(!h.authenticate_publickey("reader", key(&bad)).await.unwrap().success(), "an unknown key is refused");
    let mut h = client::connect(config, srv.addr, Client).await.unwrap();
    assert!(h.authenticate_publickey("reader", key(&good)).await.unwrap().success(), "the listed key gets in");
    drop(h);
    wait_for_no_sessions(&srv).await;
    let fp = good.public_key().fingerprint(russh::keys::HashAlg::Sha256).to_string();
    assert!(logs.lock().unwrap().iter().any(|l| l.contains(&fp)), "the log names the key");
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_connections_from_one_address_are_turned_away() {
    let opts = ServeOpts { per_ip_per_minute: 2, ..opts(8, Duration::from_secs(60)) };
    let (srv, _) = start_with(opts).await;
    let config = Arc::new(client::Config::default());
    let mut ok = Vec::new();
    for _ in 0..3 {
        let mut h = client::connect(Arc::clone(&config), srv.addr, Client).await.unwrap();
        ok.push(h.authenticate_none("reader").await.unwrap().success());
    }
    assert_eq!(ok, [true, true, false]);
    srv.shutdown().await;
}

#[test]
fn term_decides_the_colour_depth() {
    use yanbao::serve::depth_for_term;
    use yanbao::theme::ColorDepth;
    assert_eq!(depth_for_term("xterm"), ColorDepth::Ansi16);
    assert_eq!(depth_for_term("xterm-256color"), ColorDepth::Ansi256);
    assert_eq!(depth_for_term("xterm-truecolor"), ColorDepth::TrueColor);
    assert_eq!(depth_for_term("dumb"), ColorDepth::None);
}

/// Memory per idle session and time to first frame, measured against the
/// release binary: `cargo build --release && cargo test --release --test
/// serve measure -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn measure() {
    let exe = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/yanbao");
    let port = 22000 + (std::process::id() % 1000) as u16;
    let key = temp_key();
    let mut server = std::process::Command::new(&exe)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--host-key"])
        .arg(&key)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("target/release/yanbao");
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let rss = |pid: u32| {
        let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        s.lines()
            .find(|l| l.starts_with("VmRSS"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let t0 = Instant::now();
    let mut one = Term::open(addr, 80, 24).await;
    assert!(one.until(10, |s| s.contains("目录")).await);
    println!("first frame, 1 client: {:?}", t0.elapsed());
    drop(one);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss(server.id());
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            tokio::spawn(async move {
                let t = Instant::now();
                let mut term = Term::open(addr, 80, 24).await;
                assert!(term.until(30, |s| s.contains("目录")).await);
                (t.elapsed(), term)
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut terms = Vec::new();
    for t in tasks {
        let (d, term) = t.await.unwrap();
        times.push(d);
        terms.push(term);
    }
    times.sort();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss(server.id());
    println!("first frame, 50 concurrent clients: median {:?}, slowest {:?}", times[25], times[49]);
    println!(
        "server RSS: {before:.0} KiB idle, {after:.0} KiB with 50 idle sessions: {:.2} MiB per session",
        (after - before) / 50.0 / 1024.0
    );
    drop(terms);
    let _ = server.kill();
    let _ = server.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_client_never_blocks_the_others() {
    let (srv, _) = start(8, Duration::from_secs(60)).await;
    let port = srv.addr.port().to_string();
    // An OpenSSH client whose output nobody reads: once its pipe is full it
    // stops reading the connection, and the server's frames back up.
    let mut slow = openssh(&port);
    let mut stdin = slow.stdin.take().unwrap();
    let typing = std::thread::spawn(move || {
        // Page through the reports, over and over: every key is a new frame.
        for _ in 0..400 {
            if std::io::Write::write_all(&mut stdin, b"jjjj\x04\x04\x15\x15GG").is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // Meanwhile another reader is served at once.
    let t0 = Instant::now();
    let mut fast = Term::open(srv.addr, 80, 24).await;
    assert!(fast.until(5, |s| s.contains("目录")).await);
    fast.send("j").await;
    assert!(fast.until(5, |s| s.contains("1 人工智能行业综述")).await);
    let took = t0.elapsed();
    let _ = tokio::task::spawn_blocking(move || typing.join()).await;
    let _ = slow.kill();
    let _ = slow.wait();
    assert!(took < Duration::from_secs(3), "the other reader waited {took:?}");
    assert!(
        srv.shared.frames_dropped.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "the slow client's frames were dropped"
    );
    srv.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn port_forwarding_is_refused() {
    let (srv, _) = start(8, Duration::from_secs(60)).await;
    let h = connect(srv.addr).await;
    let direct = h.channel_open_direct_tcpip("127.0.0.1", srv.addr.port() as u32, "127.0.0.1", 40000).await;
    assert!(direct.is_err(), "a direct-tcpip channel is refused");
    srv.shutdown().await;
}
