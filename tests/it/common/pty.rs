//! The real binary in a pseudo-terminal, its screen read through a vt100
//! parser: for end-to-end tests of what a person sees, and of the terminal
//! left behind when the program ends.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Pty {
    pub child: Child,
    master: Option<std::fs::File>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Every byte the program wrote.
    raw: Arc<Mutex<Vec<u8>>>,
    closing: Arc<std::sync::atomic::AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

/// A new empty folder for a child's `XDG_STATE_HOME`.
pub fn fresh_state_dir() -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("yanbao-state-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("state dir");
    dir
}

impl Pty {
    /// Start `cmd` on a new pty of `cols` x `rows`. With `controlling`, the pty
    /// is the child's controlling terminal (closing it sends SIGHUP); without,
    /// the child only has it as stdin/stdout/stderr, like `setsid -w` in a
    /// pane whose terminal goes away without a hang-up signal.
    pub fn spawn(mut cmd: Command, cols: u16, rows: u16, controlling: bool) -> Pty {
        // The reading memory of a test run is its own: a fresh state folder
        // unless the test gives one (never the user's ~/.local/state).
        if !cmd.get_envs().any(|(k, _)| k == "XDG_STATE_HOME") {
            cmd.env("XDG_STATE_HOME", fresh_state_dir());
        }
        // Nor the user's config: an empty config folder unless the test gives one.
        if !cmd.get_envs().any(|(k, _)| k == "XDG_CONFIG_HOME") {
            cmd.env("XDG_CONFIG_HOME", fresh_state_dir());
        }
        let (mut m, mut s) = (0, 0);
        let ws = libc::winsize { ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0 };
        // SAFETY: valid out-pointers; the name and termios arguments may be null.
        let rc = unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &ws) };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // The child must not inherit the master, or it would hold its own
        // terminal open and never see a hang-up.
        // SAFETY: fcntl on a descriptor we own.
        unsafe { libc::fcntl(m, libc::F_SETFD, libc::FD_CLOEXEC) };
        // SAFETY: openpty returned two new descriptors that nothing else owns.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
        let sfd = slave.as_raw_fd();
        cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave.try_clone().unwrap()));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if controlling && libc::ioctl(sfd, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn in pty");
        drop(slave);
        let master = std::fs::File::from(master);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            rows.max(1).try_into().unwrap(),
            cols.max(1).try_into().unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().unwrap();
        let (sc, rw) = (Arc::clone(&screen), Arc::clone(&raw));
        let closing = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = Arc::clone(&closing);
        // Reads with a poll timeout, so that `hang_up` can really close the
        // master: this thread's descriptor goes with it.
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let mut p = libc::pollfd { fd: reader.as_raw_fd(), events: libc::POLLIN, revents: 0 };
                // SAFETY: one valid pollfd.
                if unsafe { libc::poll(&mut p, 1, 50) } <= 0 {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        sc.lock().unwrap().process(&buf[..n]);
                        rw.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                }
            }
        });
        Pty { child, master: Some(master), screen, raw, closing, reader: Some(reader) }
    }

    /// The yanbao binary with `args`, on bundled content, with a clean environment for colours.
    pub fn yanbao(args: &[&str], cols: u16, rows: u16) -> Pty {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_yanbao"));
        cmd.args(args).env("TERM", "xterm-256color").env_remove("COLORTERM").env_remove("YANBAO_CONTENT");
        Pty::spawn(cmd, cols, rows, true)
    }

    pub fn send(&mut self, bytes: &[u8]) {
        if let Some(m) = self.master.as_mut() {
            let _ = m.write_all(bytes);
            let _ = m.flush();
        }
    }

    /// Close our side of the pty, as a closed pane or a dropped connection does.
    pub fn hang_up(&mut self) {
        self.closing.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        self.master = None;
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    pub fn alternate_screen(&self) -> bool {
        self.screen.lock().unwrap().screen().alternate_screen()
    }

    pub fn cursor_hidden(&self) -> bool {
        self.screen.lock().unwrap().screen().hide_cursor()
    }

    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Wait until the screen shows `text`, up to `secs`.
    pub fn wait_for(&self, text: &str, secs: u64) -> bool {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if self.contents().contains(text) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// The exit status, if the program ends within `secs`.
    pub fn wait_exit(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if let Ok(Some(st)) = self.child.try_wait() {
                // Let the reader thread take the last bytes.
                std::thread::sleep(Duration::from_millis(100));
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// CPU time (user + system) the program has used, in seconds.
    pub fn cpu_seconds(&self) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).unwrap_or_default();
        // Fields after the command name, which is in parentheses.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: f64 = f.get(11).and_then(|u| u.parse().ok()).unwrap_or(0.0)
            + f.get(12).and_then(|s| s.parse().ok()).unwrap_or(0.0);
        // SAFETY: sysconf has no preconditions.
        ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: kill by the PID of our own child.
        unsafe { libc::kill(self.pid(), sig) };
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        // Bounded: whatever happened, the child is killed by its PID.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
