//! The clipboard through the terminal: OSC 52 (`ESC ] 52 ; c ; BASE64 BEL`),
//! which xterm, kitty, WezTerm, iTerm2, foot, Windows Terminal and tmux (with
//! `set-clipboard on`) honour, locally and over SSH alike: the sequence
//! travels with the screen's bytes. No I/O here; the runtimes write it.

/// The most text copied through OSC 52, in bytes of UTF-8 (its base64 is a
/// third larger). Terminals cap the sequence (xterm's default is about
/// 100 KB of base64 with `allowWindowOps`, tmux drops larger ones); longer
/// text is cut at a character boundary and the status line says so.
pub const MAX_OSC52: usize = 74 * 1024;

/// Standard base64 (RFC 4648, with padding).
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(A[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The OSC 52 sequence that puts `text` on the clipboard (selection `c`),
/// terminated by BEL, which every terminal that knows OSC 52 accepts.
pub fn osc52(text: &str) -> Vec<u8> {
    let mut out = b"\x1b]52;c;".to_vec();
    out.extend_from_slice(base64(text.as_bytes()).as_bytes());
    out.push(0x07);
    out
}

/// `text` cut to at most `max` bytes at a character boundary; `true` if cut.
pub fn bound(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (text.get(..end).unwrap_or_default(), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        // The test vectors of RFC 4648, section 10.
        let v = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE=")];
        for (plain, enc) in v {
            assert_eq!(base64(plain.as_bytes()), enc);
        }
        assert_eq!(base64("foobar".as_bytes()), "Zm9vYmFy");
        assert_eq!(base64("表格".as_bytes()), "6KGo5qC8");
    }

    #[test]
    fn osc52_wraps_the_base64() {
        assert_eq!(osc52("hi"), b"\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn bound_cuts_at_a_character_boundary() {
        assert_eq!(bound("表格", 4), ("表", true));
        assert_eq!(bound("表格", 6), ("表格", false));
        assert_eq!(bound("表格", 2), ("", true));
    }
}
