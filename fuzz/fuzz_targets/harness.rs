//! The fuzz harnesses: one function per target, each taking the fuzzer's
//! bytes and asserting what must hold on any input. The cargo-fuzz targets
//! in this folder call them, and `tests/fuzz_regressions.rs` in the main
//! crate includes this file to replay the seeds and every crash found, so a
//! crash is replayed through exactly the code the fuzzer ran.
//!
//! Input layouts (the seeds in `fuzz/seeds/<target>/` follow them):
//! - `content`: `[width, flags] ++ chapter YAML` (flags: 1 ascii, 2 compact
//!   tables, 4 table bars, 8 industry pages, 16 all the bundled companies,
//!   32 ambiguous characters two columns wide)
//! - `keymap`: a user keymap file
//! - `query`: `[limit] ++ query`
//! - `ssh_input`: `[n, len_1 .. len_n] ++ bytes`, split into packets of those
//!   lengths (n mod 16; n's bit 128: mouse reporting on, reports decoded)
//! - `app`: `[w, h, flags, packet, w2, h2] ++ bytes from the client` (flags: 1
//!   ascii, 2-4 colour depth, 8 resize halfway, 16 mouse reporting on, 32
//!   ambiguous characters two columns wide, as `YANBAO_AMBIWIDTH=wide`)
//! - `proxy`: the first bytes of a connection (a PROXY header v1 or v2, then
//!   anything)
//! - `config`: a config file
//! - `state`: an old JSON state file
//! - `cache`: `[flags] ++ bytes` (flags: 1 the bytes are the catalogue and
//!   what follows it, put behind a valid header; else the whole file; 2 the
//!   catalogue's length is the first two bytes, big-endian, and the rest is
//!   the data part)

#![allow(dead_code)]

use crossterm::event::Event;
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::Rect;
use std::sync::{Arc, OnceLock};
use unicode_width::UnicodeWidthStr;
use yanbao::action::Effect;
use yanbao::app::App;
use yanbao::content::{Files, Library, bundled_files, load};
use yanbao::doc::{Doc, LayoutOpts, Page, build_page};
use yanbao::keymap::{Context, Key, Keymap, Resolved, Resolver, seq_to_string};
use yanbao::search::{Field, Index, Query, unit_location};
use yanbao::serve::input::Decoder;
use yanbao::theme::{ColorDepth, Theme};

/// The bundled library and its index, built once per process.
fn bundled() -> &'static (Arc<Library>, Arc<Index>) {
    static LIB: OnceLock<(Arc<Library>, Arc<Index>)> = OnceLock::new();
    LIB.get_or_init(|| {
        let (lib, errors) = load(&bundled_files());
        assert!(errors.is_empty(), "bundled content has errors: {errors:?}");
        let index = Index::build(&lib);
        (Arc::new(lib), Arc::new(index))
    })
}

fn default_keymap() -> &'static Arc<Keymap> {
    static KM: OnceLock<Arc<Keymap>> = OnceLock::new();
    KM.get_or_init(|| Arc::new(Keymap::defaults()))
}

/// A doc laid out at `width` keeps its bookkeeping in range, and no line is
/// wider than the width (a single character wider than a 1-column page is
/// the only exception: it cannot be split).
fn check_doc(doc: &Doc, width: u16, what: &str) {
    let n = doc.lines.len();
    for (line, _) in &doc.anchors {
        assert!(*line < n.max(1), "{what}: anchor at line {line} of {n}");
    }
    for (line, _) in &doc.charts {
        assert!(*line < n.max(1), "{what}: chart at line {line} of {n}");
    }
    for (i, l) in doc.lines.iter().enumerate() {
        let t = l.text();
        let w = yanbao::text::width(&t);
        assert!(
            w <= usize::from(width) || t.chars().filter(|c| yanbao::text::char_width(*c) > 0).count() <= 1,
            "{what}: line {i} is {w} columns wide at width {width}: {t:?}"
        );
    }
}

/// Lines as the YAML parsers may count them: `\n`, `\r\n`, a lone `\r`,
/// and (libyaml, YAML 1.1) NEL, LS and PS each end one. libyaml also ends
/// an unterminated last line at the end of the stream, so an error there is
/// on the line after it: the limit for an error's line is this plus one.
fn yaml_lines(text: &str) -> usize {
    let mut n = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => n += 1,
            _ => {}
        }
    }
    n
}

/// The bundled registries: industries, all companies, and the companies
/// that the smaller bundled chapters (the content seeds) refer to. Parsing
/// all 457 companies costs most of a run, so the input picks which to load.
fn registries() -> &'static (String, String, String) {
    static REG: OnceLock<(String, String, String)> = OnceLock::new();
    REG.get_or_init(|| {
        let files = bundled_files();
        let companies = files["companies.yaml"].clone();
        let chapters: String = files
            .iter()
            .filter(|(name, _)| name.starts_with("ccid/p") || name.as_str() == "fs/ch4.yaml")
            .map(|(_, text)| text.as_str())
            .collect();
        // Entries start with `- id: ID`; keep the header and the entries named there.
        let mut few = String::new();
        let mut keep = true;
        for line in companies.lines() {
            if let Some(id) = line.strip_prefix("- id: ") {
                keep = chapters.contains(id.trim());
            }
            if keep {
                few.push_str(line);
                few.push('\n');
            }
        }
        (files["industries.yaml"].clone(), companies, few)
    })
}

const ONE_CHAPTER_REPORT: &str =
    "id: fz\ntitle: 模糊测试报告\npublisher: 测试\ndate: 2026-11-01\nsource: fuzz\nchapters: [ch]\n";

/// One chapter file (the input) with the bundled registries, loaded through
/// the library's loader, then every page laid out at a width from the input.
pub fn content(data: &[u8]) {
    let [w, flags, rest @ ..] = data else { return };
    let width = 1 + u16::from(*w) % 250;
    let (industries, all_companies, few_companies) = registries();
    let mut files = Files::new();
    files.insert("industries.yaml".into(), industries.clone());
    let companies = if flags & 16 != 0 { all_companies } else { few_companies };
    files.insert("companies.yaml".into(), companies.clone());
    files.insert("r/report.yaml".into(), ONE_CHAPTER_REPORT.into());
    let chapter = String::from_utf8_lossy(rest).into_owned();
    let lines = yaml_lines(&chapter);
    files.insert("r/ch.yaml".into(), chapter);
    let (lib, errors) = load(&files);
    for e in &errors {
        let _ = e.to_string();
        if let (Some(l), "r/ch.yaml") = (e.line, e.file.as_str()) {
            assert!(l >= 1 && l <= lines + 1, "error line {l} outside a {lines}-line file: {e}");
        }
    }
    let opts = LayoutOpts {
        width,
        ascii: flags & 1 != 0,
        compact_tables: flags & 2 != 0,
        table_bars: flags & 4 != 0,
        measure: 0,
        ambiwide: flags & 32 != 0,
    };
    for n in 0..lib.nodes.len().min(64) {
        let _ = lib.tree_title(n);
        let doc = build_page(&lib, Page::Node(n), opts);
        check_doc(&doc, width, &format!("node {n}"));
    }
    if flags & 8 != 0 {
        for i in 0..lib.industries.len() {
            let doc = build_page(&lib, Page::Industry(i), opts);
            check_doc(&doc, width, &format!("industry {i}"));
        }
    }
}

/// A user keymap laid over the defaults; every word parsed as a key.
pub fn keymap(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = yaml_lines(&text);
    let mut km = Keymap::clone(default_keymap());
    match km.overlay("fuzz.yaml", &text) {
        Ok(()) => {
            // Every binding is usable: it has keys, and the resolver finds
            // its actions from them.
            for ctx in Context::all() {
                for b in km.bindings(ctx) {
                    assert!(!b.keys.is_empty(), "empty key sequence in {}", ctx.name());
                    let _ = seq_to_string(&b.keys);
                }
                if let Some(b) = km.bindings(ctx).next() {
                    let mut r = Resolver::default();
                    let mut got = Resolved::Unbound;
                    for k in &b.keys {
                        got = r.feed(&km, &[ctx], *k);
                    }
                    assert!(
                        !matches!(got, Resolved::Unbound),
                        "{} is bound but does not resolve",
                        seq_to_string(&b.keys)
                    );
                }
            }
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                let _ = e.to_string();
                if let Some(l) = e.line {
                    assert!(l >= 1 && l <= lines + 1, "error line {l} outside a {lines}-line file: {e}");
                }
            }
        }
    }
    for word in text.split_whitespace().take(256) {
        if let Ok(k) = Key::parse(word) {
            // What the help screen prints reads back as the same key.
            let shown = k.to_string();
            assert_eq!(Key::parse(&shown), Ok(k), "{word:?} shows as {shown:?}");
        }
    }
}

/// A finder query parsed and searched on the bundled index.
pub fn query(data: &[u8]) {
    let [limit, rest @ ..] = data else { return };
    let (lib, index) = bundled();
    let limit = 1 + usize::from(*limit) % 64;
    let q = Query::parse(&String::from_utf8_lossy(rest));
    let hits = index.search(&q, limit);
    assert!(hits.len() <= limit, "{} hits for limit {limit}", hits.len());
    for h in &hits {
        let u = &index.units[h.unit];
        if let Some(f) = q.filter {
            assert!(f.admits(u.kind), "filter {f:?} admitted a {:?}", u.kind);
        }
        // Marks in the title and the text fall inside them, in order.
        for (marks, text) in [(&h.title_marks, &u.title), (&h.text_marks, &u.text)] {
            let n = text.chars().count();
            assert!(marks.iter().all(|&i| i < n), "mark past the end of a {n}-char field: {marks:?}");
        }
        let field = match h.field {
            Field::Title => Some(&u.title),
            Field::Text => Some(&u.text),
            // A match on the location path only: its indices are not in the unit.
            Field::Path => None,
        };
        if let Some(field) = field {
            let n = field.chars().count();
            assert!(h.indices.iter().all(|&i| i < n), "match index past the end of a {n}-char field");
            assert!(h.indices.windows(2).all(|w| w[0] < w[1]), "match indices out of order: {:?}", h.indices);
        }
        let _ = h.matched(u);
        let _ = unit_location(lib, u);
    }
}

/// Decode `packets` with one decoder; the events in order.
fn decode(packets: &[&[u8]], mouse: bool) -> Vec<Event> {
    let mut d = Decoder::new(mouse);
    packets.iter().flat_map(|p| d.feed(p)).collect()
}

/// The SSH input decoder, fed the input split at fuzzer-chosen points.
pub fn ssh_input(data: &[u8]) {
    let [n, rest @ ..] = data else { return };
    let mouse = *n & 128 != 0;
    let n = usize::from(*n % 16).min(rest.len());
    let (lens, bytes) = rest.split_at(n);
    let mut packets = Vec::new();
    let mut tail = bytes;
    for &l in lens {
        let (p, t) = tail.split_at(usize::from(l).min(tail.len()));
        packets.push(p);
        tail = t;
    }
    packets.push(tail);
    let split = decode(&packets, mouse);
    let whole = decode(&[bytes], mouse);
    for evs in [&split, &whole] {
        assert!(evs.len() <= bytes.len(), "{} events from {} bytes", evs.len(), bytes.len());
        for e in evs.iter() {
            if let Event::Paste(p) = e {
                assert!(p.len() <= 64 * 1024, "a paste of {} bytes", p.len());
            }
        }
    }
    // Without escape sequences and carriage returns, where the packets
    // break does not matter: text split mid-character arrives whole.
    if !bytes.contains(&0x1b) && !bytes.contains(&b'\r') {
        assert_eq!(split, whole, "packets {:?}", packets.iter().map(|p| p.len()).collect::<Vec<_>>());
    }
}

/// Margin of untouched cells around the area the app is drawn into.
const MARGIN: u16 = 2;

/// Draw the app into `area` of a larger buffer and check that nothing is
/// drawn outside the area, that no character sticks out past its right edge,
/// and that no control character reaches the terminal.
fn render_checked(app: &App, w: u16, h: u16) {
    let full = Rect::new(0, 0, w + 2 * MARGIN, h + 2 * MARGIN);
    let mut outside = Cell::default();
    outside.set_symbol("¤");
    let mut buf = Buffer::filled(full, outside.clone());
    let area = Rect::new(MARGIN, MARGIN, w, h);
    if let Err(e) = app.state.check_invariants() {
        panic!("state invariant broken: {e}");
    }
    yanbao::ui::render(app, area, &mut buf);
    for y in full.top()..full.bottom() {
        let mut x = full.left();
        while x < full.right() {
            let cell = &buf[(x, y)];
            if !area.contains((x, y).into()) {
                assert_eq!(cell, &outside, "drawn outside the {w}x{h} area at ({x}, {y})");
                x += 1;
                continue;
            }
            let sym = cell.symbol();
            assert!(!sym.chars().any(char::is_control), "control character {sym:?} at ({x}, {y})");
            let cw = sym.width().max(1) as u16;
            assert!(x + cw <= area.right(), "{sym:?} at ({x}, {y}) is wider than the {w}x{h} area");
            x += cw;
        }
    }
}

/// Bytes from an SSH client, through the decoder, the keymap and `update`,
/// drawn after every packet as `yanbao serve` does, at a fuzzer-chosen size.
pub fn app(data: &[u8]) {
    let [w, h, flags, packet, w2, h2, rest @ ..] = data else { return };
    let size = |w: u8, h: u8| (1 + u16::from(w) % 250, 1 + u16::from(h) % 80);
    let (mut w, mut h) = size(*w, *h);
    let depth =
        [ColorDepth::None, ColorDepth::Ansi16, ColorDepth::Ansi256, ColorDepth::TrueColor][usize::from(flags >> 1 & 3)];
    let (lib, index) = bundled();
    let mut app = App::new(
        Arc::clone(lib),
        Arc::clone(index),
        Arc::clone(default_keymap()),
        Theme::new(depth, flags & 1 != 0),
        (w, h),
    );
    if flags & 32 != 0 {
        let wide = yanbao::options::Options { ambiwidth: yanbao::options::AmbiWidth::Wide, ..app.state.options };
        app.set_options(wide);
    }
    render_checked(&app, w, h);
    // As `yanbao serve --mouse` does: mouse reports are decoded.
    let mut decoder = Decoder::new(flags & 16 != 0);
    let packet = 1 + usize::from(*packet % 32);
    let mut resize_at = if flags & 8 != 0 { Some(rest.len() / 2) } else { None };
    let mut fed = 0;
    for chunk in rest.chunks(packet) {
        if resize_at.is_some_and(|at| fed >= at) {
            // A window-change halfway through.
            resize_at = None;
            (w, h) = size(*w2, *h2);
            app.handle_event(Event::Resize(w, h));
            render_checked(&app, w, h);
        }
        fed += chunk.len();
        for ev in decoder.feed(chunk) {
            if app.handle_event(ev).contains(&Effect::Quit) {
                // The server ends the session here.
                return;
            }
        }
        render_checked(&app, w, h);
    }
}

/// The PROXY header parser on a connection's first bytes: it never panics
/// and never waits on a complete input; it reads a v1 line of at most 107
/// bytes, or a v2 header of 16 bytes plus its stated length, and not one
/// byte past the header; an accepted header reads the same again.
pub fn proxy(data: &[u8]) {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    fn parse(data: &[u8]) -> (std::io::Result<Option<std::net::SocketAddr>>, usize) {
        let mut rest = data;
        let got = {
            let fut = yanbao::serve::proxy::read_header(&mut rest);
            let mut fut = std::pin::pin!(fut);
            match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
                Poll::Ready(r) => r,
                Poll::Pending => panic!("the header parser waited on an input in memory"),
            }
        };
        (got, data.len() - rest.len())
    }
    let (got, used) = parse(data);
    if let Ok(addr) = got {
        let v2 = data.starts_with(b"\r\n\r\n\0\r\nQUIT\n");
        if v2 {
            let len = usize::from(u16::from_be_bytes([data[14], data[15]]));
            assert_eq!(used, 16 + len, "a v2 header read past its length");
        } else {
            assert!(used <= 107 && data[..used].ends_with(b"\r\n"), "a v1 line of {used} bytes");
        }
        let (again, used_again) = parse(&data[..used]);
        assert_eq!(again.ok(), Some(addr), "the header alone reads differently");
        assert_eq!(used_again, used);
    }
}

/// Bytes as a converted report (the first byte picks the kind: Markdown or
/// plain text, and the width): imported, checked as `yanbao check` would
/// (an import that succeeds must pass), imported again byte for byte the
/// same, then every page laid out.
pub fn import(data: &[u8]) {
    let [w, rest @ ..] = data else { return };
    let width = 1 + u16::from(*w) % 250;
    let name = if w & 1 == 0 { "fuzz.md" } else { "fuzz.txt" };
    let enc = if w & 2 == 0 { yanbao::import::Encoding::Utf8 } else { yanbao::import::Encoding::Gb18030 };
    let Ok(imp) = yanbao::import::import(name, rest, enc) else { return };
    let errors = yanbao::import::validate(&imp);
    assert!(errors.is_empty(), "an import fails check: {errors:?}");
    let again = yanbao::import::import(name, rest, enc).expect("imports twice");
    assert_eq!(imp.files, again.files, "the import is not deterministic");
    let (industries, _, few) = registries();
    let mut files = Files::new();
    files.insert("industries.yaml".into(), industries.clone());
    files.insert("companies.yaml".into(), few.clone());
    for (k, v) in &imp.files {
        if k.ends_with(".yaml") {
            files.insert(format!("r/{k}"), v.clone());
        }
    }
    let (lib, errors) = load(&files);
    assert!(errors.is_empty(), "{errors:?}");
    let opts =
        LayoutOpts { width, ascii: false, compact_tables: false, table_bars: false, measure: 0, ambiwide: false };
    for n in 0..lib.nodes.len().min(64) {
        let doc = build_page(&lib, Page::Node(n), opts);
        check_doc(&doc, width, &format!("node {n}"));
    }
}

/// A scratch file of this process, for the targets that read files.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("yanbao-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(name)
}

/// A config file laid over the defaults: errors name a line of the file
/// and say what is wrong; a file that applies applies the same again.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = yaml_lines(&text);
    let mut o = yanbao::config::Options::default();
    match o.apply_file("fuzz.yaml", &text) {
        Ok(()) => {
            let mut again = o.clone();
            assert!(again.apply_file("fuzz.yaml", &text).is_ok(), "applies once, not twice");
            assert_eq!(again, o, "applying twice changes the options");
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                let shown = e.to_string();
                assert!(shown.starts_with("fuzz.yaml"), "an error that does not name the file: {shown}");
                if let Some(l) = e.line {
                    assert!(l >= 1 && l <= lines + 1, "error line {l} outside a {lines}-line file: {e}");
                }
            }
        }
    }
}

/// Bytes as an old JSON state file, read as at start: a state is within
/// its bounds, and reads back the same once written; a corrupt file is set
/// aside with a message.
pub fn state(data: &[u8]) {
    use yanbao::state::read_json;
    let file = scratch("state.json");
    let aside = scratch("state.json.corrupt");
    let _ = std::fs::remove_file(&aside);
    std::fs::write(&file, data).expect("scratch file written");
    match read_json(&file) {
        (Some(saved), problem) => {
            assert!(problem.is_none(), "a state read with a problem: {problem:?}");
            assert_eq!(saved.clone().bounded(), saved, "a state read is not within its bounds");
            let json = serde_json::to_vec(&saved).expect("a state serialises");
            std::fs::write(&file, json).expect("scratch file written");
            let (again, problem) = read_json(&file);
            assert!(problem.is_none(), "a state written reads with a problem: {problem:?}");
            assert_eq!(again, Some(saved), "a state written reads back differently");
        }
        (None, problem) => {
            let message = problem.expect("a file that is there and not read gets a message");
            assert!(message.contains("state.json"), "the message does not name the file: {message}");
            assert!(!file.exists(), "a corrupt state file is not set aside");
        }
    }
    let _ = std::fs::remove_file(&file);
    let _ = std::fs::remove_file(&aside);
}

/// Bytes as a cache file, opened as at start (checked as the cache of an
/// empty list of folders, see `cache::read_unkeyed`); a cache that opens
/// lays out every page and reads its whole index, from the blobs.
pub fn cache(data: &[u8]) {
    let [flags, rest @ ..] = data else { return };
    let bytes = if flags & 1 == 0 {
        rest.to_vec()
    } else {
        let (cat, blobs) = if flags & 2 != 0 && rest.len() >= 2 {
            let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
            rest[2..].split_at(n.min(rest.len() - 2))
        } else {
            (rest, &[][..])
        };
        let mut b = yanbao::cache::header_for(cat);
        b.extend_from_slice(cat);
        b.extend_from_slice(blobs);
        b
    };
    let file = scratch("lib-fuzz.bin");
    std::fs::write(&file, &bytes).expect("scratch file written");
    if let Ok(Some(opened)) = yanbao::cache::read_unkeyed(&file) {
        let lib = &opened.lib;
        let opts = LayoutOpts {
            width: 80,
            ascii: false,
            compact_tables: false,
            table_bars: false,
            measure: 0,
            ambiwide: false,
        };
        for n in 0..lib.nodes.len().min(64) {
            let _ = lib.tree_title(n);
            let doc = build_page(lib, Page::Node(n), opts);
            check_doc(&doc, 80, &format!("node {n}"));
        }
        if let Some(pieces) = &opened.pieces {
            for k in 0..pieces.len() {
                let _ = pieces.get(k);
            }
            let _ = pieces.join();
        }
    }
    let _ = std::fs::remove_file(&file);
}
