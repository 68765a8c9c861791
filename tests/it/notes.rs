//! Notes and highlights (issue 23): `a` / `A` on the focused block, the
//! gutter marks, the notes list (`g n`: enter, `e`, `d`, `u`), `yanbao notes`
//! export formats, and notes finding their block again after the content
//! changed (by id, then by hash; neither: orphaned, never dropped).

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use std::path::{Path, PathBuf};
use yanbao::action::{Action, Effect};
use yanbao::app::{App, Overlay};
use yanbao::content::Library;
use yanbao::export::CitationStyle;
use yanbao::notes::{self, BlockRef, Format};
use yanbao::state::SavedNote;

fn node(id: &str) -> usize {
    library().node_by_id(id).unwrap_or_else(|| panic!("no node {id}"))
}

/// Section 3.1 of the F&S report in the reader, scrolled down `n` lines.
fn reading(n: usize) -> App {
    let mut app = app(100, 30);
    app.state.jump_to(node("fs-3-1"));
    app.state.focus = yanbao::app::Focus::Reader;
    keys(&mut app, &"j".repeat(n));
    app
}

fn enter(app: &mut App) {
    key(app, KeyCode::Enter, KeyModifiers::NONE);
}

#[test]
fn a_adds_a_note_in_chinese_or_latin_and_a_highlights() {
    let mut app = reading(4);
    keys(&mut app, "a");
    assert!(matches!(app.state.overlays.last(), Some(Overlay::NotePrompt(_))));
    // Typed keys (Latin over a plain client), then a paste (an input method).
    keys(&mut app, "ok ");
    app.handle_event(crossterm::event::Event::Paste("市场规模待核实".into()));
    let effects = app.handle_event(crossterm::event::Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    assert!(effects.contains(&Effect::SaveState), "a note asks for a save: {effects:?}");
    assert_eq!(app.state.message.as_deref(), Some("已加笔记"));
    let n = app.state.memory.notes[0].clone();
    assert_eq!(n.text, "ok 市场规模待核实");
    assert_eq!(n.report, "fs");
    assert!(n.block.starts_with("fs-3-1"), "{}", n.block);
    // The quote is the block `y` copies.
    app.update(Action::Copy);
    let copied = app.state.copied.clone().unwrap().text;
    assert!(copied.starts_with(&n.quote), "{copied:?} vs {:?}", n.quote);
    // A highlight on the same block, then off again.
    app.update(Action::CloseOverlay);
    keys(&mut app, "A");
    assert_eq!(app.state.memory.notes.len(), 2);
    assert_eq!(app.state.memory.notes[1].text, "");
    keys(&mut app, "A");
    assert_eq!(app.state.memory.notes.len(), 1, "A again takes the highlight off");
    assert_eq!(app.state.message.as_deref(), Some("已取消高亮"));
    // An empty note is not saved; esc cancels.
    keys(&mut app, "a");
    enter(&mut app);
    assert_eq!(app.state.memory.notes.len(), 1);
    keys(&mut app, "axyz");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(app.state.memory.notes.len(), 1);
    assert!(app.state.overlays.is_empty());
}

#[test]
fn noted_and_highlighted_blocks_carry_a_gutter_mark() {
    let mut app = reading(4);
    let before = screen(&render(&app));
    assert!(!before.contains('✎') && !before.contains('✦'));
    keys(&mut app, "a");
    app.update(Action::InsertText("看这里".into()));
    app.update(Action::Confirm);
    let s = screen(&render(&app));
    // Every line of the block, and only those, is marked.
    let at = notes::locate(&library(), &app.state.memory.notes[0]).unwrap();
    let doc = &app.state.reader.doc;
    let buf = render(&app);
    // The reader's left border is the second "┌" of the top row.
    let left = (1..100u16).find(|&x| buf[(x, 0)].symbol() == "┌").unwrap();
    let gutter = left;
    for row in 1..29u16 {
        let idx = app.state.reader.scroll + row as usize - 1;
        if idx >= doc.lines.len() {
            break;
        }
        let item = &doc.items[doc.item_index_at(idx).unwrap()];
        let on = (item.node, item.block) == (Some(at.node), Some(at.index));
        assert_eq!(buf[(gutter + 1, row)].symbol() == "✎", on, "row {row}: {s}");
    }
    keys(&mut app, "jjjjjjjjA");
    assert_eq!(app.state.message.as_deref(), Some("已高亮"));
    let s = screen(&render(&app));
    assert!(s.contains('✦'), "{s}");
    // Tiny screens: nothing panics.
    for (w, h) in [(1, 1), (10, 3), (30, 8)] {
        app.update(Action::Resize(w, h));
        let _ = render(&app);
    }
}

#[test]
fn the_notes_list_jumps_edits_deletes_and_undoes() {
    let mut app = reading(4);
    keys(&mut app, "a");
    app.update(Action::InsertText("第一条".into()));
    app.update(Action::Confirm);
    let at_first = app.state.reader.scroll;
    app.state.jump_to(node("ccid-2"));
    keys(&mut app, "jjA");
    assert_eq!(app.state.memory.notes.len(), 2);
    app.state.jump_to(node("fs"));
    keys(&mut app, "gn");
    assert!(matches!(app.state.overlays.last(), Some(Overlay::Notes(_))));
    let s = screen(&render(&app));
    assert!(s.contains("笔记 2 条") && s.contains("✎ 第一条") && s.contains("✦ 高亮"), "{s}");
    assert!(s.contains("3.1"), "the breadcrumb: {s}");
    // Enter jumps to the block.
    enter(&mut app);
    assert!(app.state.overlays.is_empty());
    // The top line is the block's first.
    let at = notes::locate(&library(), &app.state.memory.notes[0]).unwrap();
    let doc = &app.state.reader.doc;
    let top = doc.item_index_at(app.state.reader.scroll).unwrap();
    assert_eq!((doc.items[top].node, doc.items[top].block), (Some(at.node), Some(at.index)));
    let _ = at_first;
    // e edits.
    keys(&mut app, "gne");
    assert!(matches!(app.state.overlays.last(), Some(Overlay::NotePrompt(p)) if p.input == "第一条"));
    app.update(Action::InsertText("（已核）".into()));
    app.update(Action::Confirm);
    assert_eq!(app.state.memory.notes[0].text, "第一条（已核）");
    // d deletes, u undoes, in place.
    keys(&mut app, "d");
    assert_eq!(app.state.memory.notes.len(), 1);
    assert_eq!(app.state.message.as_deref(), Some("已删除笔记 · u 撤销"));
    keys(&mut app, "u");
    assert_eq!(app.state.memory.notes.len(), 2);
    assert_eq!(app.state.memory.notes[0].text, "第一条（已核）");
    keys(&mut app, "dd");
    assert!(app.state.memory.notes.is_empty());
    keys(&mut app, "u");
    assert_eq!(app.state.memory.notes.len(), 1, "the last deleted comes back");
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    // No notes: a message, no list.
    let mut fresh = reading(0);
    keys(&mut fresh, "gn");
    assert!(fresh.state.overlays.is_empty());
    assert!(fresh.state.message.as_deref().unwrap().contains("还没有笔记"));
}

/// A note made at a fixed time, for exact output.
fn note_at(lib: &Library, node: &str, index: usize, text: &str, secs: i64) -> SavedNote {
    let n = lib.node_by_id(node).unwrap();
    let mut note = notes::new_note(lib, BlockRef { node: n, index }, text, secs, 1).unwrap();
    note.uid = format!("u{secs}");
    note
}

#[test]
fn notes_export_as_markdown_json_and_csv_grouped_by_report() {
    let lib = library();
    let day = 1_796_601_600; // 2026-12-07
    let list = vec![
        note_at(&lib, "ccid-2-1-1", 0, "对比 F&S", day),
        note_at(&lib, "fs-3-1-1", 0, "核对口径, \"2024\"", day + 60),
        note_at(&lib, "fs-3-1-1", 1, "", day + 120),
    ];
    let md = notes::render(&lib, &list, None, Format::Md, CitationStyle::Yanbao);
    let fs_title = &lib.heads().iter().find(|r| r.id == "fs").unwrap().title;
    let ccid_title = &lib.heads().iter().find(|r| r.id == "ccid").unwrap().title;
    // Grouped by report in the library's order, whatever order they were made in.
    let (fs_at, ccid_at) = (md.find(&format!("## {fs_title}")).unwrap(), md.find(&format!("## {ccid_title}")).unwrap());
    assert!(fs_at < ccid_at, "{md}");
    let fs31 = lib.node_by_id("fs-3-1-1").unwrap();
    let quote = notes::block_text(&lib, &lib.section(fs31).unwrap().blocks[0]);
    let want = format!(
        "### 核对口径, \"2024\"\n\n{} · 2026-12-07\n\n{}\n\n{}\n",
        notes::breadcrumb(&lib, fs31),
        quote.lines().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n"),
        yanbao::export::block_citation(&lib, fs31, 0, CitationStyle::Yanbao)
    );
    assert!(md.contains(&want), "{md}\n--- wanted ---\n{want}");
    assert!(md.contains("### （高亮）"));
    // --report keeps one report's.
    let only = notes::render(&lib, &list, Some("ccid"), Format::Md, CitationStyle::Yanbao);
    assert!(only.contains("对比 F&S") && !only.contains("核对口径"));
    // JSON: every field, in the same order.
    let json: serde_json::Value =
        serde_json::from_str(&notes::render(&lib, &list, None, Format::Json, CitationStyle::Yanbao)).unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["report"], "fs");
    assert_eq!(rows[0]["kind"], "note");
    assert_eq!(rows[1]["kind"], "highlight");
    assert_eq!(rows[0]["quote"], quote.as_str());
    assert_eq!(rows[0]["citation"], yanbao::export::block_citation(&lib, fs31, 0, CitationStyle::Yanbao).as_str());
    assert_eq!(rows[0]["created"], "2026-12-07");
    assert_eq!(rows[2]["orphaned"], false);
    // CSV: a header, one row per note, cells quoted as RFC 4180 says.
    let csv = notes::render(&lib, &list, None, Format::Csv, CitationStyle::Yanbao);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("report,breadcrumb,kind,date,text,quote,citation,orphaned"));
    assert!(csv.contains(",note,2026-12-07,\"核对口径, \"\"2024\"\"\","), "{csv}");
    assert_eq!(csv.matches("\nfs,").count() + csv.matches("\nccid,").count(), 3);
    // The config's house style: every note cited in it.
    let gb = notes::render(&lib, &list, None, Format::Md, CitationStyle::Gb7714);
    assert!(gb.contains("\n弗若斯特沙利文, 头豹研究院. AI赋能千行百业白皮书[R]. 2025: 47-.\n"), "{gb}");
    assert!(!gb.contains("——《"), "{gb}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn load(dir: &Path) -> Library {
    let (lib, errors) = Library::load_from(Some(dir)).unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    lib
}

/// A report re-imported with a paragraph changed and a block added before
/// the table: the note on the table finds it by hash at its new index; the
/// note on the changed paragraph is orphaned and keeps its quote.
#[test]
fn notes_find_moved_blocks_and_orphans_keep_their_quote() {
    let dir = std::env::temp_dir().join(format!("yanbao-notes-orphan-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(Path::new("tests/fixtures/valid"), &dir);
    let before = load(&dir);
    let on_text = note_at(&before, "rep-1-1", 0, "银行先行", 1);
    let on_table = note_at(&before, "rep-1-1", 1, "表中乙为数字", 2);
    assert_eq!(on_table.block, "rep-1-1#1");
    let chapter: PathBuf = dir.join("rep/c1.yaml");
    let yaml = std::fs::read_to_string(&chapter).unwrap();
    let changed = yaml.replacen(
        "        text: 金融行业的应用，银行与证券并进。\n",
        "        text: 金融行业的应用，保险也在其列。\n      - kind: text\n        text: 新增的一段。\n",
        1,
    );
    assert_ne!(changed, yaml);
    std::fs::write(&chapter, changed).unwrap();
    let after = load(&dir);
    let sec = after.node_by_id("rep-1-1").unwrap();
    assert_eq!(notes::locate(&after, &on_table), Some(BlockRef { node: sec, index: 2 }), "found by hash");
    assert_eq!(notes::locate(&after, &on_text), None, "its block changed: orphaned");
    let rows = notes::exported(&after, &[on_text.clone(), on_table], None, CitationStyle::Yanbao);
    assert_eq!(rows.len(), 2, "never dropped");
    assert!(rows[0].orphaned && !rows[1].orphaned);
    assert_eq!(rows[0].quote, "金融行业的应用，银行与证券并进。", "the orphan keeps its quote");
    let md = notes::render(&after, &[on_text], None, Format::Md, CitationStyle::Yanbao);
    assert!(md.contains("孤立笔记") && md.contains("> 金融行业的应用，银行与证券并进。"), "{md}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `yanbao notes` end to end: the notes a session saved (through the real
/// store, in `$XDG_STATE_HOME`) printed by the binary, per report and key.
#[test]
fn the_notes_command_prints_what_the_reader_saved() {
    let state = std::env::temp_dir().join(format!("yanbao-notes-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let dir = state.join("yanbao");
    let mut app = reading(4);
    app.attach_state(yanbao::state::Store::open(yanbao::state::location_for(&dir, None)), false);
    keys(&mut app, "a");
    app.update(Action::InsertText("CLI 导出".into()));
    app.update(Action::Confirm);
    app.persist(true);
    assert!(app.state.message.as_deref() == Some("已加笔记"), "{:?}", app.state.message);
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_yanbao"))
            .args(args)
            .env("XDG_STATE_HOME", &state)
            .env_remove("YANBAO_CONTENT")
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["notes", "--format", "csv"]);
    assert_eq!(code, Some(0), "{err}");
    let want = notes::render(&library(), &app.state.memory.notes, None, Format::Csv, CitationStyle::Yanbao);
    assert_eq!(out, want);
    assert!(out.contains("CLI 导出"));
    let (_, md, _) = run(&["notes", "--report", "ccid"]);
    assert_eq!(md, "# 笔记\n", "no notes in that report");
    let (code, _, err) = run(&["notes", "--report", "nope"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("no report nope"), "{err}");
    let (code, json, _) = run(&["notes", "--format", "json", "--key", "SHA256:abc"]);
    assert_eq!((code, json.as_str()), (Some(0), "[]\n"), "another key has its own rows");
    let _ = std::fs::remove_dir_all(&state);
}

/// Notes write latency: one note added and saved (one upsert in a WAL
/// transaction) with 0 and 1,000 notes already kept. A measurement, not a
/// test: `cargo test --test notes -- --ignored --nocapture notes_write_latency`.
#[test]
#[ignore = "a measurement"]
fn notes_write_latency() {
    let dir = std::env::temp_dir().join(format!("yanbao-notes-latency-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut store = yanbao::state::Store::open(yanbao::state::location_for(&dir, None)).store;
    let lib = library();
    let at = BlockRef { node: lib.node_by_id("fs-3-1-1").unwrap(), index: 0 };
    let mut saved = yanbao::state::Saved::default();
    for round in 0..2 {
        let mut times = Vec::new();
        for i in 0..1000u64 {
            saved.notes.push(notes::new_note(&lib, at, &format!("笔记 {round} {i}"), 1, round * 1000 + i).unwrap());
            let t = std::time::Instant::now();
            assert_eq!(store.save(&saved), Ok(true));
            times.push(t.elapsed());
        }
        times.sort();
        let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
        eprintln!(
            "notes kept before: {:>4}  save of one more note: median {:?}  p95 {:?}  max {:?}",
            round * 1000,
            pct(50),
            pct(95),
            times[times.len() - 1]
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The notes in the list, as (text, report), in the order shown.
fn listed(app: &App) -> Vec<(String, String)> {
    match app.state.overlays.last() {
        Some(Overlay::Notes(l)) => l
            .shown
            .iter()
            .map(|&i| (app.state.memory.notes[i].text.clone(), app.state.memory.notes[i].report.clone()))
            .collect(),
        other => panic!("expected the notes list, got {other:?}"),
    }
}

#[test]
fn the_notes_list_filters_and_enter_e_d_u_work_on_what_it_shows() {
    let mut app = reading(4);
    keys(&mut app, "a");
    app.update(Action::InsertText("第一条".into()));
    app.update(Action::Confirm);
    app.state.jump_to(node("ccid-2"));
    keys(&mut app, "jjA");
    app.state.jump_to(node("fs-3-1"));
    keys(&mut app, "jjjjjjjja");
    app.update(Action::InsertText("second look".into()));
    app.update(Action::Confirm);
    assert_eq!(app.state.memory.notes.len(), 3);
    keys(&mut app, "gn");
    assert_eq!(listed(&app).len(), 3);
    // `/` and text: the note's own text.
    keys(&mut app, "/");
    app.update(Action::InsertText("第一".into()));
    assert_eq!(listed(&app), vec![("第一条".to_string(), "fs".to_string())]);
    let s = screen(&render(&app));
    assert!(s.contains("笔记 1/3 条") && s.contains("筛选：第一"), "the filter in the title: {s}");
    app.state.check_invariants().unwrap();
    // Enter keeps the filter; Enter again jumps to the note shown.
    enter(&mut app);
    assert_eq!(listed(&app).len(), 1, "enter keeps the filter");
    enter(&mut app);
    assert!(app.state.overlays.is_empty());
    let at = notes::locate(&library(), &app.state.memory.notes[0]).unwrap();
    let doc = &app.state.reader.doc;
    let top = doc.item_index_at(app.state.reader.scroll).unwrap();
    assert_eq!((doc.items[top].node, doc.items[top].block), (Some(at.node), Some(at.index)), "jumped to 第一条");
    // The report (its id or short name): the highlight in ccid.
    keys(&mut app, "gn/ccid");
    enter(&mut app);
    assert_eq!(listed(&app), vec![(String::new(), "ccid".to_string())]);
    // d deletes the note shown (the second kept), u brings it back in place.
    keys(&mut app, "d");
    let texts: Vec<String> = app.state.memory.notes.iter().map(|n| n.text.clone()).collect();
    assert_eq!(texts, ["第一条", "second look"], "the filtered note was deleted, not the first");
    assert!(listed(&app).is_empty());
    let s = screen(&render(&app));
    assert!(s.contains("没有符合筛选的笔记"), "{s}");
    keys(&mut app, "u");
    assert_eq!(app.state.memory.notes.len(), 3);
    assert_eq!(app.state.memory.notes[1].report, "ccid", "back at its place");
    assert_eq!(listed(&app), vec![(String::new(), "ccid".to_string())]);
    // Esc clears the filter, Esc again closes.
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(listed(&app).len(), 3);
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert!(app.state.overlays.is_empty());
    // Pinyin of the text (in full and by initials), and every word must match.
    keys(&mut app, "gn/diyitiao");
    assert_eq!(listed(&app), vec![("第一条".to_string(), "fs".to_string())]);
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(listed(&app).len(), 3, "esc while typing clears the filter");
    keys(&mut app, "/SECOND fs");
    enter(&mut app);
    assert_eq!(listed(&app), vec![("second look".to_string(), "fs".to_string())]);
    // e edits the note shown.
    keys(&mut app, "e");
    assert!(matches!(app.state.overlays.last(), Some(Overlay::NotePrompt(p)) if p.input == "second look"));
    app.update(Action::InsertText("（已核）".into()));
    app.update(Action::Confirm);
    assert_eq!(app.state.memory.notes[2].text, "second look（已核）");
    assert_eq!(app.state.memory.notes[0].text, "第一条", "not the first note");
    assert_eq!(listed(&app).len(), 1, "back in the filtered list");
    // The breadcrumb: the section's title.
    key(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    keys(&mut app, "/");
    app.update(Action::InsertText("金融行业".into()));
    assert_eq!(listed(&app).len(), 2, "both fs-3-1 notes: {:?}", listed(&app));
    app.state.check_invariants().unwrap();
    for (w, h) in [(1, 1), (10, 3), (30, 8)] {
        app.update(Action::Resize(w, h));
        let _ = render(&app);
    }
}
