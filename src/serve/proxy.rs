//! `--proxy-protocol`: the PROXY protocol header (v1 text or v2 binary) that
//! a TCP load balancer (HAProxy, nginx stream, a cloud NLB) puts before the
//! client's bytes, so that the logs and the per-address limits see the real
//! client address. Exactly the header is read; the SSH bytes after it are
//! left in the socket.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use tokio::io::{AsyncRead, AsyncReadExt};

/// The v2 signature.
const V2_SIG: [u8; 12] = *b"\r\n\r\n\0\r\nQUIT\n";
/// A v1 header is at most 107 bytes, CRLF included.
const V1_MAX: usize = 107;

fn bad(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("PROXY header: {why}"))
}

/// Read a PROXY header: the client's address, or None when the balancer
/// speaks for itself (v2 LOCAL, v1 UNKNOWN: a health check).
pub async fn read_header<R: AsyncRead + Unpin>(r: &mut R) -> io::Result<Option<SocketAddr>> {
    let mut head = [0u8; 12];
    r.read_exact(&mut head).await?;
    if head == V2_SIG {
        return read_v2(r).await;
    }
    if !head.starts_with(b"PROXY ") {
        return Err(bad("missing (the connection does not start with PROXY)"));
    }
    let mut line = head.to_vec();
    while !line.ends_with(b"\r\n") {
        if line.len() >= V1_MAX {
            return Err(bad("v1 line too long"));
        }
        line.push(r.read_u8().await?);
    }
    parse_v1(&line)
}

/// `PROXY TCP4 SRC DST SPORT DPORT\r\n` (or TCP6, or UNKNOWN ...).
fn parse_v1(line: &[u8]) -> io::Result<Option<SocketAddr>> {
    let text = std::str::from_utf8(line).map_err(|_| bad("v1 line not ASCII"))?;
    let mut f = text.trim_end_matches("\r\n").split(' ');
    let _proxy = f.next();
    match f.next() {
        Some("UNKNOWN") => Ok(None),
        Some(fam @ ("TCP4" | "TCP6")) => {
            let src: IpAddr = f.next().and_then(|s| s.parse().ok()).ok_or_else(|| bad("v1 source address"))?;
            let _dst = f.next().ok_or_else(|| bad("v1 destination"))?;
            let port: u16 = f.next().and_then(|s| s.parse().ok()).ok_or_else(|| bad("v1 source port"))?;
            if (fam == "TCP4") != src.is_ipv4() {
                return Err(bad("v1 family and address differ"));
            }
            Ok(Some(SocketAddr::new(src, port)))
        }
        _ => Err(bad("v1 protocol")),
    }
}

async fn read_v2<R: AsyncRead + Unpin>(r: &mut R) -> io::Result<Option<SocketAddr>> {
    let mut hdr = [0u8; 4];
    r.read_exact(&mut hdr).await?;
    let [ver_cmd, fam, hi, lo] = hdr;
    if ver_cmd >> 4 != 2 {
        return Err(bad("v2 version"));
    }
    let len = usize::from(u16::from_be_bytes([hi, lo]));
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await?;
    match ver_cmd & 0x0f {
        0 => return Ok(None), // LOCAL
        1 => {}               // PROXY
        _ => return Err(bad("v2 command")),
    }
    match fam >> 4 {
        1 => {
            let b: [u8; 12] = body.get(..12).and_then(|s| s.try_into().ok()).ok_or_else(|| bad("v2 IPv4 length"))?;
            let ip = Ipv4Addr::new(b[0], b[1], b[2], b[3]);
            Ok(Some(SocketAddr::new(IpAddr::V4(ip), u16::from_be_bytes([b[8], b[9]]))))
        }
        2 => {
            let b: [u8; 36] = body.get(..36).and_then(|s| s.try_into().ok()).ok_or_else(|| bad("v2 IPv6 length"))?;
            let mut ip = [0u8; 16];
            ip.copy_from_slice(b.get(..16).unwrap_or_default());
            Ok(Some(SocketAddr::new(IpAddr::V6(Ipv6Addr::from(ip)), u16::from_be_bytes([b[32], b[33]]))))
        }
        // AF_UNSPEC or AF_UNIX: no address to use.
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> (io::Result<Option<SocketAddr>>, Vec<u8>) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let mut r = bytes;
            let got = read_header(&mut r).await;
            (got, r.to_vec())
        })
    }

    #[test]
    fn v1_tcp4_tcp6_unknown_and_the_rest_left_unread() {
        let (a, rest) = read(b"PROXY TCP4 203.0.113.7 10.0.0.1 5555 2222\r\nSSH-2.0-x\r\n");
        assert_eq!(a.unwrap(), Some("203.0.113.7:5555".parse().unwrap()));
        assert_eq!(rest, b"SSH-2.0-x\r\n");
        let (a, _) = read(b"PROXY TCP6 2001:db8::1 2001:db8::2 4000 22\r\n");
        assert_eq!(a.unwrap(), Some("[2001:db8::1]:4000".parse().unwrap()));
        assert_eq!(read(b"PROXY UNKNOWN\r\nSSH-2.0-x\r\n").0.unwrap(), None);
        for bad in [
            &b"SSH-2.0-OpenSSH_9.6\r\n"[..],
            b"PROXY TCP4 1.2.3.4 5.6.7.8 99999 22\r\n",
            b"PROXY TCP4 2001:db8::1 5.6.7.8 1 22\r\n",
            b"PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
            &[b'P'; 300][..],
        ] {
            assert!(read(bad).0.is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let long = [b"PROXY ".as_slice(), &[b'1'; 200]].concat();
        assert!(read(&long).0.is_err());
    }

    #[test]
    fn v2_proxy_and_local() {
        let mut h = V2_SIG.to_vec();
        h.extend_from_slice(&[0x21, 0x11, 0, 12, 198, 51, 100, 9, 10, 0, 0, 1, 0x1f, 0x90, 0, 22]);
        h.extend_from_slice(b"SSH-");
        let (a, rest) = read(&h);
        assert_eq!(a.unwrap(), Some("198.51.100.9:8080".parse().unwrap()));
        assert_eq!(rest, b"SSH-");
        let mut local = V2_SIG.to_vec();
        local.extend_from_slice(&[0x20, 0x00, 0, 0]);
        assert_eq!(read(&local).0.unwrap(), None);
        let mut short = V2_SIG.to_vec();
        short.extend_from_slice(&[0x21, 0x11, 0, 4, 1, 2, 3, 4]);
        assert!(read(&short).0.is_err());
    }
}
