//! The server's limits below SSH: the table of client addresses (concurrent
//! connections and new connections a minute, per address), a kill switch
//! that closes a connection's socket whatever the client sends, and the
//! open-file limit.

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Addresses kept in the table at most; past this, idle entries are
/// forgotten first, and a new address is refused only if every entry has a
/// connection open.
pub const MAX_ADDRESSES: usize = 16_384;

/// The key of an address: IPv4 as is, IPv6 by its /64 (one host or site
/// usually holds a whole /64).
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Why a connection is refused before any SSH work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `--max-per-address` connections from this address are open.
    PerAddress(usize),
    /// More than `n` new connections from this address in the last minute.
    PerMinute(usize),
    /// The table of addresses is full of addresses with open connections.
    Table,
    /// `--max-startups`: too many connections logging in (random early
    /// drop between start and full, every one past full), none of them
    /// silent enough to be closed instead.
    Busy,
}

impl Refusal {
    /// What the client is told (an SSH banner line).
    pub fn message(self) -> String {
        match self {
            Refusal::PerAddress(n) => {
                format!(
                    "yanbao: too many connections from your address ({n} at once, --max-per-address); close one and try again"
                )
            }
            Refusal::PerMinute(n) => {
                format!("yanbao: too many new connections from your address ({n} a minute); please wait a minute")
            }
            Refusal::Table => "yanbao: the server is busy; please try again later".into(),
            Refusal::Busy => {
                "yanbao: the server is busy (too many connections logging in, --max-startups); please try again in a moment"
                    .into()
            }
        }
    }

    /// The limit's name, for the log and the metrics.
    pub fn limit(self) -> &'static str {
        match self {
            Refusal::PerAddress(_) => "max-per-address",
            Refusal::PerMinute(_) => "per-minute",
            Refusal::Table => "address-table",
            Refusal::Busy => "max-startups",
        }
    }
}

struct Entry {
    open: usize,
    /// A token bucket of new connections: `per_minute` at most, refilled at
    /// `per_minute` a minute.
    tokens: f64,
    at: Instant,
    /// Per-source penalty: until then, while the server is busy with
    /// logins, this address's new connections are closed at once.
    penalty_until: Option<Instant>,
}

impl Entry {
    fn refill(&mut self, now: Instant, per_minute: usize) {
        let rate = per_minute as f64 / 60.0;
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * rate).min(per_minute as f64);
        self.at = now;
    }

    /// Nothing open and the bucket full: the entry says nothing an absent
    /// one would not.
    fn idle(&self, now: Instant, per_minute: usize) -> bool {
        let rate = per_minute as f64 / 60.0;
        self.open == 0
            && self.tokens + now.duration_since(self.at).as_secs_f64() * rate >= per_minute as f64
            && self.penalty_until.is_none_or(|t| t <= now)
    }
}

/// Connections per address: open now, and new ones a minute.
pub struct Addresses {
    map: Mutex<HashMap<IpAddr, Entry>>,
    per_address: usize,
    per_minute: usize,
    max: usize,
}

/// One open connection of an address; dropping it frees the slot.
pub struct AddressSlot {
    table: Arc<Addresses>,
    key: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut map = self.table.map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = map.get_mut(&self.key) {
            e.open = e.open.saturating_sub(1);
        }
    }
}

impl Addresses {
    pub fn new(per_address: usize, per_minute: usize, max: usize) -> Arc<Addresses> {
        Arc::new(Addresses { map: Mutex::new(HashMap::new()), per_address, per_minute, max: max.max(1) })
    }

    /// Admit a new connection from `ip`, or say which limit refuses it.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<AddressSlot, Refusal> {
        let key = address_key(ip);
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if !map.contains_key(&key) && map.len() >= self.max {
            let per_minute = self.per_minute;
            map.retain(|_, e| !e.idle(now, per_minute));
            if map.len() >= self.max {
                // Then forget the rate history of addresses with nothing
                // open: the table stays bounded, whatever the flood.
                map.retain(|_, e| e.open > 0);
            }
            if map.len() >= self.max {
                return Err(Refusal::Table);
            }
        }
        let e =
            map.entry(key).or_insert(Entry { open: 0, tokens: self.per_minute as f64, at: now, penalty_until: None });
        e.refill(now, self.per_minute);
        if e.open >= self.per_address {
            return Err(Refusal::PerAddress(self.per_address));
        }
        if e.tokens < 1.0 {
            return Err(Refusal::PerMinute(self.per_minute));
        }
        e.tokens -= 1.0;
        e.open += 1;
        Ok(AddressSlot { table: Arc::clone(self), key })
    }

    /// Penalize `ip` for `d` (a connection of it stayed silent, or did not
    /// log in within the login grace): see [`Addresses::penalized`]. A
    /// longer penalty already set is kept.
    pub fn penalize(&self, ip: IpAddr, d: std::time::Duration) {
        let until = Instant::now() + d;
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        // Only addresses in the table (one with a connection open is).
        if let Some(e) = map.get_mut(&address_key(ip)) {
            e.penalty_until = Some(e.penalty_until.map_or(until, |t| t.max(until)));
        }
    }

    /// Whether `ip` is under a penalty now.
    pub fn penalized(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&address_key(ip)).and_then(|e| e.penalty_until).is_some_and(|t| t > now)
    }

    /// Forget the addresses with nothing open and a full bucket.
    pub fn sweep(&self) {
        let now = Instant::now();
        let per_minute = self.per_minute;
        self.map.lock().unwrap_or_else(|e| e.into_inner()).retain(|_, e| !e.idle(now, per_minute));
    }

    /// Addresses in the table.
    pub fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `--max-startups start:rate:full` (OpenSSH's MaxStartups).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Startups {
    pub start: usize,
    /// Percent refused at `start`, rising linearly to 100 at `full`.
    pub rate: u32,
    pub full: usize,
}

/// What becomes of a new connection logging in, given how many are logging
/// in already ([`startup_decision`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartupDecision {
    /// Admitted, nothing closed.
    Admit,
    /// Admitted; the oldest connection logging in that has sent nothing is
    /// closed to make room (and its address penalized).
    EvictSilent,
    /// Admitted; the oldest login that spoke but has not finished its key
    /// exchange within the stall time is closed to make room, told why.
    EvictStalled,
    /// Closed at once, without a word: its address is under a penalty.
    Penalized,
    /// Refused, told why (random early drop, or past `full`).
    Refuse,
}

/// The `--max-startups` policy, pure: `logging_in` connections are logging
/// in, `silent` of them have sent nothing, `stalled` spoke but have not
/// finished their key exchange in time; `penalized` is the new
/// connection's address; `draw` is a uniform sample in [0, 1).
/// - under `start`: admitted;
/// - from `start` on: a penalized address is closed at once; else a silent
///   connection makes room; else, at `full`, a stalled one does;
/// - else refused with probability `rate` % at `start`, rising linearly to
///   100 % at `full` (random early drop).
///
/// A login whose key exchange is done is never closed to make room.
pub fn startup_decision(
    limits: Startups,
    logging_in: usize,
    silent: usize,
    stalled: usize,
    penalized: bool,
    draw: f64,
) -> StartupDecision {
    let full = limits.full.max(1);
    let start = limits.start.clamp(1, full);
    if logging_in < start {
        return StartupDecision::Admit;
    }
    if penalized {
        return StartupDecision::Penalized;
    }
    if silent > 0 {
        return StartupDecision::EvictSilent;
    }
    if logging_in >= full && stalled > 0 {
        return StartupDecision::EvictStalled;
    }
    let rate = f64::from(limits.rate.min(100)) / 100.0;
    let p = if logging_in >= full {
        1.0
    } else {
        rate + (1.0 - rate) * (logging_in - start) as f64 / (full - start).max(1) as f64
    };
    if draw < p { StartupDecision::Refuse } else { StartupDecision::Admit }
}

/// Closes a connection's socket from outside its SSH session: after the
/// switch, reads see the end of the stream and writes fail, so the session
/// ends whatever the client sends or withholds.
pub struct Kill {
    killed: AtomicBool,
    /// The explorer started: the login grace no longer applies.
    pub started: AtomicBool,
    wakers: Mutex<[Option<Waker>; 2]>,
    /// The client asked to authenticate (a refused connection then gets
    /// its disconnect).
    pub auth_seen: tokio::sync::Notify,
    /// Why the connection was closed from outside (the first reason wins).
    reason: Mutex<Option<&'static str>>,
    /// How far the login got: [`SILENT`], [`SPOKE`] or [`KEYED`].
    progress: AtomicU8,
    /// Closed by `--max-startups` to make room: its task says why (when the
    /// client is far enough to be told), then closes it.
    pub evicted: tokio::sync::Notify,
    /// The socket, to see whether the client sent bytes its task has not
    /// read yet (-1: unknown).
    fd: std::sync::atomic::AtomicI32,
}

/// A connection's login progress: nothing received yet.
pub const SILENT: u8 = 0;
/// Bytes received (an SSH client sends its version at once), the key
/// exchange not done.
pub const SPOKE: u8 = 1;
/// Key exchange done: the client asked to authenticate.
pub const KEYED: u8 = 2;

impl Default for Kill {
    fn default() -> Kill {
        Kill {
            killed: AtomicBool::new(false),
            started: AtomicBool::new(false),
            wakers: Mutex::new([None, None]),
            auth_seen: tokio::sync::Notify::new(),
            reason: Mutex::new(None),
            progress: AtomicU8::new(SILENT),
            evicted: tokio::sync::Notify::new(),
            fd: std::sync::atomic::AtomicI32::new(-1),
        }
    }
}

impl Kill {
    /// A kill switch for the connection on `sock`.
    pub fn for_socket(sock: &TcpStream) -> Kill {
        use std::os::fd::AsRawFd;
        let k = Kill::default();
        k.fd.store(sock.as_raw_fd(), Ordering::Relaxed);
        k
    }

    /// Whether the client has sent anything: bytes read, or bytes waiting
    /// in the socket that its task has not read yet (under load a task may
    /// run late; its client is not silent for that).
    pub fn spoke(&self) -> bool {
        if self.progress() > SILENT {
            return true;
        }
        let fd = self.fd.load(Ordering::Relaxed);
        if fd < 0 || self.is_killed() {
            return false;
        }
        let mut n: libc::c_int = 0;
        // SAFETY: FIONREAD writes one int, here `n`. The socket is open
        // while its connection's kill switch is not killed; were the number
        // reused, only this guess would be wrong.
        #[allow(unsafe_code)]
        let r = unsafe { libc::ioctl(fd, libc::FIONREAD, &mut n) };
        r == 0 && n > 0
    }

    pub fn set_reason(&self, why: &'static str) {
        self.reason.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(why);
    }

    pub fn reason(&self) -> Option<&'static str> {
        *self.reason.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        let wakers = std::mem::take(&mut *self.wakers.lock().unwrap_or_else(|e| e.into_inner()));
        for w in wakers.into_iter().flatten() {
            w.wake();
        }
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    pub fn started(&self) -> bool {
        self.started.load(Ordering::SeqCst)
    }

    pub fn progress(&self) -> u8 {
        self.progress.load(Ordering::Relaxed)
    }

    /// Note that the login got at least as far as `p`.
    pub fn advance(&self, p: u8) {
        self.progress.fetch_max(p, Ordering::Relaxed);
    }

    /// Note the task to wake (0: reader, 1: writer); true if already killed.
    fn register(&self, slot: usize, cx: &Context<'_>) -> bool {
        let mut w = self.wakers.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = w.get_mut(slot) {
            match entry {
                Some(old) if old.will_wake(cx.waker()) => {}
                _ => *entry = Some(cx.waker().clone()),
            }
        }
        drop(w);
        self.is_killed()
    }
}

/// An accepted socket with a kill switch, counting the bytes sent.
pub struct Guarded {
    inner: TcpStream,
    kill: Arc<Kill>,
    bytes_out: Arc<AtomicU64>,
}

impl Guarded {
    pub fn new(inner: TcpStream, kill: Arc<Kill>, bytes_out: Arc<AtomicU64>) -> Guarded {
        Guarded { inner, kill, bytes_out }
    }
}

impl AsyncRead for Guarded {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        if self.kill.register(0, cx) {
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before && self.kill.progress() == SILENT {
            self.kill.advance(SPOKE);
        }
        r
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.kill.register(1, cx) {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = r {
            self.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
        }
        r
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.kill.is_killed() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.kill.is_killed() {
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Bytes of input a session may send at once before the rate applies: two
/// of the largest pastes kept (64 KiB).
pub const INPUT_BURST: f64 = 128.0 * 1024.0;

/// What a window-change request costs in a session's input bucket, in
/// bytes: each asks for a full repaint. With the default rate (32 KiB/s),
/// 128 resizes at once (a window border dragged), then 32 a second.
pub const RESIZE_COST: usize = 1024;

/// A session's input rate: a token bucket of bytes, [`INPUT_BURST`] deep.
/// Past it, the session's input is read no faster than the rate (the
/// client is slowed by TCP backpressure; nothing is dropped).
pub struct InputBucket {
    tokens: f64,
    at: Instant,
}

impl Default for InputBucket {
    fn default() -> InputBucket {
        InputBucket { tokens: INPUT_BURST, at: Instant::now() }
    }
}

impl InputBucket {
    /// Take `n` bytes at `rate` bytes a second: how long to wait before
    /// handling them (zero within the burst).
    pub fn take(&mut self, n: usize, rate: u32) -> std::time::Duration {
        let rate = f64::from(rate.max(1));
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * rate).min(INPUT_BURST);
        self.at = now;
        self.tokens -= n as f64;
        if self.tokens >= 0.0 {
            std::time::Duration::ZERO
        } else {
            std::time::Duration::from_secs_f64(-self.tokens / rate)
        }
    }
}

/// Raise the open-file soft limit to the hard limit; returns the new soft
/// limit (None if it could not be read).
#[allow(unsafe_code)]
pub fn raise_open_file_limit() -> Option<u64> {
    // SAFETY: getrlimit and setrlimit only read or write the struct given.
    unsafe {
        let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim = raised;
            }
        }
        // rlim_t is u64 on Linux, not on every platform.
        #[allow(clippy::unnecessary_cast)]
        Some(lim.rlim_cur as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_address_concurrent_and_per_minute() {
        let t = Addresses::new(2, 3, 100);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let a = t.admit(ip).unwrap();
        let _b = t.admit(ip).unwrap();
        assert_eq!(t.admit(ip).err(), Some(Refusal::PerAddress(2)));
        drop(a);
        let _c = t.admit(ip).unwrap();
        // Three new connections a minute: the fourth is refused.
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let _d = t.admit(other).unwrap();
        drop(_c);
        assert_eq!(t.admit(ip).err(), Some(Refusal::PerMinute(3)));
    }

    #[test]
    fn the_table_is_bounded_and_forgets_idle_addresses() {
        let t = Addresses::new(8, 60, 4);
        for i in 0..1000u32 {
            let ip = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            // Each connects once and leaves: a new address is always let in,
            // and the table never holds more than 4.
            assert!(t.admit(ip).is_ok());
            assert!(t.len() <= 4);
        }
        let held: Vec<_> = (0..4u32).map(|i| IpAddr::V4(std::net::Ipv4Addr::from(0x0b00_0000 + i))).collect();
        let t = Addresses::new(8, 60_000, 4);
        let slots: Vec<_> = held.iter().map(|ip| t.admit(*ip).unwrap()).collect();
        assert_eq!(t.admit("10.9.9.9".parse().unwrap()).err(), Some(Refusal::Table));
        drop(slots);
        // Nothing open, the buckets refill within a millisecond at 1000/s.
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(t.admit("10.9.9.9".parse().unwrap()).is_ok());
        assert_eq!(t.len(), 1, "the idle addresses were forgotten");
    }

    #[test]
    fn the_input_bucket_allows_a_burst_then_the_rate() {
        let mut b = InputBucket::default();
        assert!(b.take(64 * 1024, 1000).is_zero());
        assert!(b.take(64 * 1024, 1000).is_zero());
        // 10 KB past the burst at 1000 B/s: about 10 s.
        let wait = b.take(10_000, 1000).as_secs_f64();
        assert!((9.9..=10.1).contains(&wait), "{wait}");
    }

    /// A small seeded generator (xorshift64*), for draws in [0, 1).
    struct Seeded(u64);

    impl Seeded {
        fn draw(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    #[test]
    fn max_startups_policy_admits_evicts_penalizes_and_drops_early() {
        use StartupDecision::*;
        let l = Startups { start: 10, rate: 30, full: 100 };
        // Under start: admitted whatever the draw or the address.
        assert_eq!(startup_decision(l, 9, 0, 0, true, 0.0), Admit);
        // From start on: a penalized address is closed first, then a silent
        // connection makes room, before any refusal.
        assert_eq!(startup_decision(l, 10, 5, 0, true, 0.99), Penalized);
        assert_eq!(startup_decision(l, 10, 5, 0, false, 0.0), EvictSilent);
        assert_eq!(startup_decision(l, 100, 1, 3, false, 0.0), EvictSilent);
        // Stalled logins make room only at full.
        assert_eq!(startup_decision(l, 50, 0, 3, false, 0.99), Admit);
        assert_eq!(startup_decision(l, 100, 0, 3, false, 0.99), EvictStalled);
        // Past full with none to close: always refused.
        assert_eq!(startup_decision(l, 100, 0, 0, false, 0.999), Refuse);
        assert_eq!(startup_decision(l, 500, 0, 0, false, 0.0), Refuse);
        // Random early drop: 30 % at start, 65 % half way, rising to 100 %.
        let mut rng = Seeded(0x9e37_79b9_7f4a_7c15);
        for (n, want) in [(10, 0.30), (55, 0.65), (99, 0.9922)] {
            let trials = 20_000;
            let refused = (0..trials).filter(|_| startup_decision(l, n, 0, 0, false, rng.draw()) == Refuse).count();
            let got = refused as f64 / f64::from(trials);
            assert!((got - want).abs() < 0.02, "{n} logging in: {got:.3} refused, want {want}");
        }
        // start = full (the default is 10:30:100 in OpenSSH; 4:30:4 here): no
        // early drop, and a zero `full` is one.
        let flat = Startups { start: 4, rate: 30, full: 4 };
        assert_eq!(startup_decision(flat, 3, 0, 0, false, 0.0), Admit);
        assert_eq!(startup_decision(flat, 4, 0, 0, false, 0.999), Refuse);
        let zero = Startups { start: 0, rate: 0, full: 0 };
        assert_eq!(startup_decision(zero, 0, 0, 0, false, 0.0), Admit);
        assert_eq!(startup_decision(zero, 1, 0, 0, false, 0.999), Refuse);
    }

    #[test]
    fn ipv6_counts_by_64() {
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1".parse().unwrap()),
            address_key("2001:db8:1:2:bbbb::9".parse().unwrap())
        );
        assert_eq!(address_key("::ffff:10.0.0.1".parse().unwrap()), "10.0.0.1".parse::<IpAddr>().unwrap());
    }
}
