//! Bytes from a remote terminal to key events: UTF-8 text (Chinese typed
//! into the finder arrives whole, even split across packets), control keys,
//! the escape sequences of arrows, Home/End, PgUp/PgDn, function keys, Alt
//! combinations, bracketed paste, and, when the session turned mouse
//! reporting on, mouse reports (SGR 1006: `ESC [ < b ; x ; y M`, and the
//! older `ESC [ M b x y`). Bytes that do not decode are dropped; nothing here
//! can panic on any input.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

#[derive(Debug, Default)]
pub struct Decoder {
    pending: Vec<u8>,
    paste: Option<Vec<u8>>,
    /// Mouse reports are decoded (the session asked the terminal for them);
    /// without it they are dropped like any unknown sequence.
    mouse: bool,
}

fn key(code: KeyCode, mods: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, mods))
}

/// Longest escape sequence kept while waiting for its end.
const MAX_SEQ: usize = 32;
/// Longest paste kept (bytes); the rest is dropped.
const MAX_PASTE: usize = 64 * 1024;

impl Decoder {
    /// A decoder; `mouse`: the session enabled mouse reporting.
    pub fn new(mouse: bool) -> Decoder {
        Decoder { mouse, ..Decoder::default() }
    }

    /// Decode what arrived. A lone ESC at the end of a packet is the Esc key.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.pending.extend_from_slice(bytes);
        let mut out = Vec::new();
        let mut i = 0;
        let buf = std::mem::take(&mut self.pending);
        while i < buf.len() {
            if let Some(p) = &mut self.paste {
                // Inside a bracketed paste: everything up to ESC [ 201 ~.
                if buf[i..].starts_with(b"\x1b[201~") {
                    let text = String::from_utf8_lossy(p).replace('\r', "\n").replace('\u{fffd}', "");
                    out.push(Event::Paste(text));
                    self.paste = None;
                    i += 6;
                } else if b"\x1b[201~".starts_with(&buf[i..]) {
                    break; // the end marker may be split across packets
                } else {
                    if p.len() < MAX_PASTE {
                        p.push(buf[i]);
                    }
                    i += 1;
                }
                continue;
            }
            match self.one(&buf[i..]) {
                Step::Event(ev, n) => {
                    if let Some(ev) = ev {
                        out.push(ev);
                    }
                    i += n;
                }
                Step::PasteStart(n) => {
                    self.paste = Some(Vec::new());
                    i += n;
                }
                Step::Incomplete => break,
            }
        }
        if i < buf.len() {
            let rest = &buf[i..];
            if rest.len() <= MAX_SEQ || self.paste.is_some() {
                self.pending = rest.to_vec();
            }
        }
        out
    }

    fn one(&self, b: &[u8]) -> Step {
        let none = KeyModifiers::NONE;
        match b[0] {
            0x1b => self.escape(b),
            // Raw mode: Enter is `\r` (a `\r\n` pair is one Enter); `\n`
            // alone is Ctrl-J, as crossterm reads it locally.
            b'\r' => Step::Event(Some(key(KeyCode::Enter, none)), 1 + usize::from(b.get(1) == Some(&b'\n'))),
            b'\t' => Step::Event(Some(key(KeyCode::Tab, none)), 1),
            0x7f | 0x08 => Step::Event(Some(key(KeyCode::Backspace, none)), 1),
            0x00 => Step::Event(Some(key(KeyCode::Char(' '), KeyModifiers::CONTROL)), 1),
            c @ 0x01..=0x1a => Step::Event(Some(key(KeyCode::Char((b'a' + c - 1) as char), KeyModifiers::CONTROL)), 1),
            0x1c..=0x1f => Step::Event(None, 1),
            _ => match utf8_char(b) {
                Utf8::Char(c, n) => Step::Event(Some(key(KeyCode::Char(c), none)), n),
                Utf8::Incomplete => Step::Incomplete,
                Utf8::Invalid => Step::Event(None, 1),
            },
        }
    }

    fn escape(&self, b: &[u8]) -> Step {
        let none = KeyModifiers::NONE;
        if b.len() == 1 {
            return Step::Event(Some(key(KeyCode::Esc, none)), 1);
        }
        match b[1] {
            b'[' if b.get(2) == Some(&b'M') && self.mouse => x10_mouse(b),
            b'[' if b.get(2) == Some(&b'<') && self.mouse => match csi(b) {
                Step::Event(_, n) => Step::Event(b.get(..n).and_then(sgr_mouse), n),
                other => other,
            },
            b'[' => csi(b),
            b'O' => match b.get(2) {
                None => Step::Incomplete,
                Some(&c) => match cursor_key(c) {
                    Some(code) => Step::Event(Some(key(code, none)), 3),
                    None => Step::Event(None, 3),
                },
            },
            0x1b => Step::Event(Some(key(KeyCode::Esc, none)), 1),
            _ => match self.one(&b[1..]) {
                // Alt: ESC before a key.
                Step::Event(Some(Event::Key(k)), n) => {
                    Step::Event(Some(key(k.code, k.modifiers | KeyModifiers::ALT)), n + 1)
                }
                Step::Event(None, n) => Step::Event(None, n + 1),
                Step::Event(Some(_), n) => Step::Event(None, n + 1),
                Step::PasteStart(n) => Step::Event(None, n + 1),
                Step::Incomplete => Step::Incomplete,
            },
        }
    }
}

enum Step {
    /// A decoded event (or a dropped sequence) and the bytes it took.
    Event(Option<Event>, usize),
    PasteStart(usize),
    Incomplete,
}

/// ESC [ params final.
fn csi(b: &[u8]) -> Step {
    let Some(end) = b.iter().skip(2).position(|c| (0x40..=0x7e).contains(c)).map(|p| p + 2) else {
        return if b.len() > MAX_SEQ { Step::Event(None, b.len()) } else { Step::Incomplete };
    };
    let n = end + 1;
    let params = std::str::from_utf8(&b[2..end]).unwrap_or("");
    let nums: Vec<u16> = params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
    let m = nums.get(1).copied().unwrap_or(1).saturating_sub(1);
    let mut mods = KeyModifiers::NONE;
    if m & 1 != 0 {
        mods |= KeyModifiers::SHIFT;
    }
    if m & 2 != 0 {
        mods |= KeyModifiers::ALT;
    }
    if m & 4 != 0 {
        mods |= KeyModifiers::CONTROL;
    }
    let code = match b[end] {
        b'Z' => KeyCode::BackTab,
        c @ (b'A'..=b'D' | b'H' | b'F' | b'P'..=b'S') => match cursor_key(c) {
            Some(code) => code,
            None => return Step::Event(None, n),
        },
        b'~' => match nums.first().copied().unwrap_or(0) {
            1 | 7 => KeyCode::Home,
            4 | 8 => KeyCode::End,
            2 => KeyCode::Insert,
            3 => KeyCode::Delete,
            5 => KeyCode::PageUp,
            6 => KeyCode::PageDown,
            11..=15 => KeyCode::F((nums[0] - 10) as u8),
            17..=21 => KeyCode::F((nums[0] - 11) as u8),
            23 | 24 => KeyCode::F((nums[0] - 12) as u8),
            200 => return Step::PasteStart(n),
            _ => return Step::Event(None, n),
        },
        _ => return Step::Event(None, n),
    };
    Step::Event(Some(key(code, mods)), n)
}

/// A mouse event from a report's button code and 0-based cell.
fn mouse_event(code: u16, x: u16, y: u16, release: bool) -> Option<Event> {
    let button = match code & 0b11 {
        0 => MouseButton::Left,
        1 => MouseButton::Middle,
        _ => MouseButton::Right,
    };
    let kind = if code & 64 != 0 {
        match code & 0b11 {
            0 => MouseEventKind::ScrollUp,
            1 => MouseEventKind::ScrollDown,
            2 => MouseEventKind::ScrollLeft,
            _ => MouseEventKind::ScrollRight,
        }
    } else if code & 128 != 0 {
        return None; // buttons 8-11
    } else if code & 32 != 0 {
        if code & 0b11 == 3 { MouseEventKind::Moved } else { MouseEventKind::Drag(button) }
    } else if release || code & 0b11 == 3 {
        MouseEventKind::Up(button)
    } else {
        MouseEventKind::Down(button)
    };
    let mut modifiers = KeyModifiers::NONE;
    if code & 4 != 0 {
        modifiers |= KeyModifiers::SHIFT;
    }
    if code & 8 != 0 {
        modifiers |= KeyModifiers::ALT;
    }
    if code & 16 != 0 {
        modifiers |= KeyModifiers::CONTROL;
    }
    Some(Event::Mouse(MouseEvent { kind, column: x, row: y, modifiers }))
}

/// SGR 1006: `ESC [ < code ; x ; y M` (press) or `m` (release), cells
/// 1-based. Anything else of that shape is dropped.
fn sgr_mouse(b: &[u8]) -> Option<Event> {
    let (&last, body) = b.split_last()?;
    if last != b'M' && last != b'm' {
        return None;
    }
    let params = std::str::from_utf8(body.get(3..)?).ok()?;
    let mut it = params.split(';').map(|p| p.parse::<u16>().ok());
    let (code, x, y) = (it.next()??, it.next()??, it.next()??);
    if it.next().is_some() {
        return None;
    }
    mouse_event(code, x.saturating_sub(1), y.saturating_sub(1), last == b'm')
}

/// The X10/normal encoding: `ESC [ M` and three bytes, each 32 more than
/// the code and the 1-based column and row.
fn x10_mouse(b: &[u8]) -> Step {
    match b.get(3..6) {
        Some(&[c, x, y]) => {
            let cell = |v: u8| u16::from(v.saturating_sub(33));
            Step::Event(mouse_event(u16::from(c.saturating_sub(32)), cell(x), cell(y), false), 6)
        }
        _ => Step::Incomplete,
    }
}

/// The final byte of ESC O x and ESC [ x: arrows, Home, End, F1–F4.
fn cursor_key(c: u8) -> Option<KeyCode> {
    Some(match c {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'R' => KeyCode::F(3),
        b'S' => KeyCode::F(4),
        _ => return None,
    })
}

enum Utf8 {
    Char(char, usize),
    Incomplete,
    Invalid,
}

fn utf8_char(b: &[u8]) -> Utf8 {
    let len = match b[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return Utf8::Invalid,
    };
    if b.len() < len {
        return if b[1..].iter().all(|c| c & 0xc0 == 0x80) { Utf8::Incomplete } else { Utf8::Invalid };
    }
    match std::str::from_utf8(&b[..len]) {
        Ok(s) => s.chars().next().map_or(Utf8::Invalid, |c| Utf8::Char(c, len)),
        Err(_) => Utf8::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(d: &mut Decoder, b: &[u8]) -> Vec<(KeyCode, KeyModifiers)> {
        d.feed(b)
            .into_iter()
            .filter_map(|e| match e {
                Event::Key(k) => Some((k.code, k.modifiers)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn keys_and_sequences() {
        let mut d = Decoder::default();
        let n = KeyModifiers::NONE;
        assert_eq!(
            keys(&mut d, b"j\x1b[A\x1b[B\x1bOC\x1b[D"),
            [(KeyCode::Char('j'), n), (KeyCode::Up, n), (KeyCode::Down, n), (KeyCode::Right, n), (KeyCode::Left, n)]
        );
        assert_eq!(
            keys(&mut d, b"\x1b[5~\x1b[6~\x1b[H\x1b[4~\x1bOP\x1b[15~\x1b[24~"),
            [
                (KeyCode::PageUp, n),
                (KeyCode::PageDown, n),
                (KeyCode::Home, n),
                (KeyCode::End, n),
                (KeyCode::F(1), n),
                (KeyCode::F(5), n),
                (KeyCode::F(12), n)
            ]
        );
        assert_eq!(
            keys(&mut d, b"\x04\x7f\r\x1bx\x1b"),
            [
                (KeyCode::Char('d'), KeyModifiers::CONTROL),
                (KeyCode::Backspace, n),
                (KeyCode::Enter, n),
                (KeyCode::Char('x'), KeyModifiers::ALT),
                (KeyCode::Esc, n)
            ]
        );
        assert_eq!(keys(&mut d, b"\x1b[1;5C"), [(KeyCode::Right, KeyModifiers::CONTROL)]);
    }

    /// Over SSH `\n` alone is Ctrl-J (the finder's move down), not Enter;
    /// `\r` and a `\r\n` pair are one Enter each.
    #[test]
    fn a_lone_newline_is_ctrl_j_and_cr_lf_is_one_enter() {
        let mut d = Decoder::default();
        let (n, c) = (KeyModifiers::NONE, KeyModifiers::CONTROL);
        assert_eq!(keys(&mut d, b"\n"), [(KeyCode::Char('j'), c)]);
        assert_eq!(
            keys(&mut d, b"\r\r\na\n\n"),
            [
                (KeyCode::Enter, n),
                (KeyCode::Enter, n),
                (KeyCode::Char('a'), n),
                (KeyCode::Char('j'), c),
                (KeyCode::Char('j'), c)
            ]
        );
        assert_eq!(keys(&mut d, b"\x0b"), [(KeyCode::Char('k'), c)]);
    }

    #[test]
    fn chinese_split_across_packets_arrives_whole() {
        let mut d = Decoder::default();
        let bytes = "华福证券".as_bytes();
        let mut got = Vec::new();
        for chunk in bytes.chunks(2) {
            got.extend(keys(&mut d, chunk));
        }
        let text: String =
            got.iter().filter_map(|(k, _)| if let KeyCode::Char(c) = k { Some(*c) } else { None }).collect();
        assert_eq!(text, "华福证券");
    }

    #[test]
    fn bracketed_paste() {
        let mut d = Decoder::default();
        let evs = d.feed("\x1b[200~中关村\x1b[20".as_bytes());
        assert!(evs.is_empty());
        let evs = d.feed(b"1~j");
        assert_eq!(evs[0], Event::Paste("中关村".into()));
        assert!(matches!(evs[1], Event::Key(k) if k.code == KeyCode::Char('j')));
    }

    #[test]
    fn mouse_reports_when_enabled() {
        let mut d = Decoder::new(true);
        let evs = d.feed(b"\x1b[<0;12;5M\x1b[<0;12;5m\x1b[<65;3;4M\x1b[<64;1;1Mj");
        let kinds: Vec<_> = evs
            .iter()
            .map(|e| match e {
                Event::Mouse(m) => Some((m.kind, m.column, m.row)),
                _ => None,
            })
            .collect();
        assert_eq!(
            kinds,
            [
                Some((MouseEventKind::Down(MouseButton::Left), 11, 4)),
                Some((MouseEventKind::Up(MouseButton::Left), 11, 4)),
                Some((MouseEventKind::ScrollDown, 2, 3)),
                Some((MouseEventKind::ScrollUp, 0, 0)),
                None,
            ]
        );
        // Split across packets, and the older encoding (column 11, row 4).
        assert!(d.feed(b"\x1b[<0;4").is_empty());
        assert!(matches!(d.feed(b"0;2M")[..], [Event::Mouse(m)] if (m.column, m.row) == (39, 1)));
        assert!(matches!(d.feed(b"\x1b[M ,%")[..], [Event::Mouse(m)] if (m.column, m.row) == (11, 4)));
        // Without mouse reporting they are dropped, not typed.
        let mut d = Decoder::new(false);
        assert!(d.feed(b"\x1b[<0;12;5M\x1b[<0;12;5m").is_empty());
    }

    #[test]
    fn garbage_mouse_reports_are_dropped() {
        let mut d = Decoder::new(true);
        for bad in [
            &b"\x1b[<0;99999999;5M"[..],
            b"\x1b[<;;M",
            b"\x1b[<0;1;2;3M",
            b"\x1b[<-1;1;1M",
            b"\x1b[<0;1;1X",
            b"\x1b[<\xff\xfe;1;1M",
            b"\x1b[<255;0;0M",
            b"\x1b[<0;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1M",
        ] {
            let evs = d.feed(bad);
            assert!(evs.iter().all(|e| matches!(e, Event::Mouse(_))), "{bad:?} gave {evs:?}");
        }
        // The decoder is not stuck afterwards.
        assert!(matches!(d.feed(b"x")[..], [Event::Key(k)] if k.code == KeyCode::Char('x')));
        let all: Vec<u8> = (0..=255u8).collect();
        let _ = d.feed(&all);
        let _ = d.feed(b"\x1b[M");
        let _ = d.feed(b"\x1b[M\xff");
    }

    #[test]
    fn garbage_is_dropped_not_fatal() {
        let mut d = Decoder::default();
        let all: Vec<u8> = (0..=255u8).collect();
        let _ = d.feed(&all);
        let _ = d.feed(&[0xff, 0xfe, 0xe4, 0x1b, b'[', b'9', b'9', b'9']);
        let _ = d.feed(&[0x1b; 100]);
        let evs = d.feed(b"\xe4\xb8x");
        assert!(evs.iter().any(|e| matches!(e, Event::Key(k) if k.code == KeyCode::Char('x'))));
    }
}
