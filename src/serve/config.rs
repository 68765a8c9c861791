//! The server's settings (`yanbao serve`'s flags), its host key and the
//! authorized keys.

use crate::theme::ColorDepth;
use russh::keys::ssh_key::{LineEnding, PublicKey};
use russh::keys::{Algorithm, PrivateKey};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The default of each limit, shared by [`ServeOpts::default`] and the
/// flags of `yanbao serve` (so the two cannot drift). 0 turns a limit
/// given in seconds or bytes off.
pub mod defaults {
    pub const MAX_SESSIONS: usize = 64;
    pub const IDLE_TIMEOUT_SECS: u64 = 600;
    pub const MAX_PER_MINUTE: usize = 60;
    pub const LOGIN_GRACE_SECS: u64 = 30;
    /// `--max-startups`, as the flag writes it (START:RATE:FULL).
    pub const MAX_STARTUPS: &str = "50:30:100";
    pub const MAX_PER_ADDRESS: usize = 8;
    pub const KEEPALIVE_SECS: u64 = 60;
    pub const MAX_SESSION_TIME_SECS: u64 = 0;
    /// `--max-size`, as the flag writes it (COLSxROWS).
    pub const MAX_SIZE: &str = "300x100";
    pub const INPUT_RATE: u32 = 32 * 1024;
}

/// `COLSxROWS`, each from 20 to 1000 (`--max-size`).
pub fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (c, r) = s.split_once(['x', 'X']).ok_or("expected COLSxROWS, e.g. 300x100")?;
    let n = |v: &str| v.trim().parse::<u16>().ok().filter(|n| (20..=1000).contains(n));
    match (n(c), n(r)) {
        (Some(c), Some(r)) => Ok((c, r)),
        _ => Err("each of COLS and ROWS must be from 20 to 1000".into()),
    }
}

/// Seconds as a limit: 0 is off.
pub fn secs_or_off(secs: u64) -> Option<Duration> {
    (secs > 0).then(|| Duration::from_secs(secs))
}

/// Settings of `yanbao serve`. Every limit has a safe default
/// ([`ServeOpts::default`]); `yanbao serve --help` states them.
#[derive(Debug, Clone)]
pub struct ServeOpts {
    pub host_key: PathBuf,
    pub authorized_keys: Option<PathBuf>,
    /// Explorers running at once (connections still logging in do not count).
    pub max_sessions: usize,
    /// A session ends after this long without input from its reader.
    pub idle_timeout: Duration,
    /// New connections allowed per IP address per minute.
    pub per_ip_per_minute: usize,
    pub ascii: bool,
    /// Ask each client's terminal for mouse reports (`--mouse`); off by
    /// default: over SSH a mouse is never assumed.
    pub mouse: bool,
    /// A connection that has not authenticated and started the explorer by
    /// then is closed, whatever it sends.
    pub login_grace: Duration,
    /// `--max-startups start:rate:full`, as OpenSSH's MaxStartups: past
    /// `startups_start` connections logging in (accepted, no explorer yet),
    /// a new one is refused with probability `startups_rate` %, rising
    /// linearly to 100 % at `max_startups` (full). Before any refusal, a
    /// connection that has sent nothing is closed to make room instead, so
    /// that silent sockets never keep a login that speaks out.
    pub max_startups: usize,
    pub startups_start: usize,
    pub startups_rate: u32,
    /// Connections open at once from one address (IPv6: one /64).
    pub max_per_address: usize,
    /// Server keepalives after this long without a packet from the client;
    /// three unanswered close the connection. None: off.
    pub keepalive: Option<Duration>,
    /// A session ends after this long, input or not. None: no limit.
    pub max_session_time: Option<Duration>,
    /// The largest terminal drawn (columns, rows); a larger one shows the
    /// explorer at this size, in its top-left corner.
    pub max_size: (u16, u16),
    /// Input bytes a second per session, past a burst of
    /// [`crate::serve::limits::INPUT_BURST`]; faster input is read more slowly. None: off.
    pub input_rate: Option<u32>,
    /// Serve Prometheus metrics on this address (`GET /metrics`). None: off.
    pub metrics: Option<String>,
    /// Every connection starts with a PROXY protocol header (v1 or v2) from
    /// a load balancer; its source address is the client's. Without it, a
    /// PROXY header is refused.
    pub proxy_protocol: bool,
    /// `--proxy-from`: the balancers' addresses. When set, only these peers
    /// may connect, each with a PROXY header (it implies `proxy_protocol`);
    /// any other peer is refused at once. Empty: any peer may send one
    /// (then the port must be firewalled to the balancer).
    pub proxy_from: Vec<ipnet::IpNet>,
    /// Where sessions logged in with a key from `authorized_keys` keep
    /// their reading memory (`<dir>/serve/<key fingerprint>.json`), usually
    /// `$XDG_STATE_HOME/yanbao`. None, and for anonymous sessions: the
    /// session's memory ends with it.
    pub state_dir: Option<PathBuf>,
    /// The house style of citations in copies (config `citation:`).
    pub citation: crate::export::CitationStyle,
}

impl Default for ServeOpts {
    fn default() -> ServeOpts {
        let startups = parse_startups(defaults::MAX_STARTUPS).unwrap_or((50, 30, 100));
        ServeOpts {
            host_key: PathBuf::new(),
            authorized_keys: None,
            max_sessions: defaults::MAX_SESSIONS,
            idle_timeout: Duration::from_secs(defaults::IDLE_TIMEOUT_SECS),
            per_ip_per_minute: defaults::MAX_PER_MINUTE,
            ascii: false,
            mouse: false,
            login_grace: Duration::from_secs(defaults::LOGIN_GRACE_SECS),
            max_startups: startups.2,
            startups_start: startups.0,
            startups_rate: startups.1,
            max_per_address: defaults::MAX_PER_ADDRESS,
            keepalive: secs_or_off(defaults::KEEPALIVE_SECS),
            max_session_time: secs_or_off(defaults::MAX_SESSION_TIME_SECS),
            max_size: parse_size(defaults::MAX_SIZE).unwrap_or((300, 100)),
            input_rate: (defaults::INPUT_RATE > 0).then_some(defaults::INPUT_RATE),
            metrics: None,
            proxy_protocol: false,
            proxy_from: Vec::new(),
            state_dir: None,
            citation: crate::export::CitationStyle::Yanbao,
        }
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
    let text = crate::content::read_guarded_text(path, 4 << 20)?;
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

/// A `--proxy-from` value: a network in CIDR notation (`10.0.0.0/8`,
/// `2001:db8::/32`) or one address (`10.0.0.5`).
pub fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{s:?} is not an address or a network (e.g. 10.0.0.0/8, 192.0.2.7, 2001:db8::/32)"))
}

impl ServeOpts {
    /// Whether every connection starts with a PROXY header.
    pub fn expects_proxy(&self) -> bool {
        self.proxy_protocol || !self.proxy_from.is_empty()
    }

    /// Whether `peer` may send a PROXY header: one of `--proxy-from`, or
    /// anyone when it is not set.
    pub fn proxy_allowed(&self, peer: std::net::IpAddr) -> bool {
        let peer = peer.to_canonical();
        self.proxy_from.is_empty() || self.proxy_from.iter().any(|n| n.contains(&peer))
    }
}

/// A `--max-startups` value: `start:rate:full` (OpenSSH's MaxStartups, e.g.
/// `50:30:100`) or `full` alone (start = full: no early drop).
pub fn parse_startups(s: &str) -> Result<(usize, u32, usize), String> {
    let n = |v: &str| v.trim().parse::<usize>().ok();
    let f: Vec<&str> = s.split(':').collect();
    let (start, rate, full) = match f[..] {
        [full] => n(full).map(|f| (f, 100, f)),
        [start, rate, full] => match (n(start), n(rate), n(full)) {
            (Some(s), Some(r), Some(f)) => Some((s, r, f)),
            _ => None,
        },
        _ => None,
    }
    .ok_or_else(|| format!("{s:?}: expected N or start:rate:full, e.g. 50:30:100"))?;
    if full == 0 || start > full || rate > 100 {
        return Err(format!("{s:?}: need 0 < start <= full and a rate of 0 to 100 (%)"));
    }
    Ok((start, rate as u32, full))
}

#[cfg(test)]
mod default_tests {
    use super::*;

    #[test]
    fn the_default_max_size_parses() {
        assert!(parse_size(defaults::MAX_SIZE).is_ok());
        assert!(parse_startups(defaults::MAX_STARTUPS).is_ok());
    }
}
