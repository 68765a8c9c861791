//! The exhaustive walk: every page, overlay, chart, finder result and
//! company page, at every size and in every mode, each state rendered and
//! checked (see `check`: no panic, nothing drawn outside the area, no row
//! wider than the area, no half of a wide character left or covered).
//!
//! Coverage, for each of the 5 modes (normal, `--ascii`, compact tables `w`,
//! table bars `b`, ambiguous characters wide) and each of the 6 sizes (1x1, 20x5, 40x12, 80x24, 120x40,
//! 200x60), on one app per mode resized in turn:
//! - every node of both reports (report, chapter, section) and every
//!   industry page: shown from the tree, then in the reader (the only pane
//!   when narrow) at the top, three pages down and at the bottom; the tree
//!   paged from top to bottom;
//! - on every page with charts: Enter at the top and at the bottom of the
//!   page opens the chart view; j through every chart and k around the end,
//!   c through every compare partner and off, and j with a partner shown;
//! - find in page (`/`) with hits, without, n and N, `w` and `b` toggled
//!   on and off under the matches, the query history and cursor keys;
//! - the finder for Chinese, pinyin, Latin, full-width and every kind filter
//!   (`co: case: tb: fig: ind: sec:`), each result selected and opened with
//!   Enter (a company result opens its page, and Enter there opens a
//!   mention); closed and resumed; paging the list, deleting and clearing
//!   the query; the filters alone with hundreds of results (`co: fig: sec:`)
//!   paged, and their last result opened;
//! - every company page, at the top and the bottom, with Enter on the first
//!   and the last mention (once when they are the same);
//! - the help, scrolled to the end; the switcher, each industry selected and
//!   opened, and `1`-`9` from it.
//!
//! The count of rendered states and the time are printed (`--nocapture`).

use crate::check::Screen;
use crate::common::*;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::OnceLock;
use std::time::Instant;
use yanbao::action::Action;
use yanbao::app::{App, CompanyState, Focus, Overlay};

const SIZES: [(u16, u16); 6] = [(1, 1), (20, 5), (40, 12), (80, 24), (120, 40), (200, 60)];

/// Finder queries whose every result is opened: Chinese, pinyin (full and
/// initials), Latin, full-width, every kind filter, filters alone with few
/// results, and an unknown filter.
const QUERIES: [&str; 20] = [
    "银行",
    "中关村科金",
    "yinhang",
    "zgckj",
    "GPT",
    "DeepSeek",
    "ｇｐｔ",
    "co:华为",
    "co:yh",
    "case:金融",
    "tb:市场",
    "fig:市场",
    "fig:2025",
    "ind:jr",
    "ind:金融",
    "sec:智能体",
    "ind:",
    "case:",
    "tb:",
    "x:银行",
];

/// Filters alone with hundreds of results (every company, figure, section):
/// their lists are paged, not each result opened (`walk_companies` opens
/// every company page).
const LISTS: [&str; 3] = ["co:", "fig:", "sec:"];

struct Walker {
    screen: Screen,
    count: usize,
    mode: &'static str,
    phase: String,
    step: &'static str,
}

impl Walker {
    fn shot(&mut self, app: &App, step: &'static str) {
        self.step = step;
        self.count += 1;
        let (mode, phase) = (self.mode, &self.phase);
        self.screen.draw(app, &|| describe(app, mode, phase, step));
        // The reader's focus is always a line of the page in view (issue 22).
        let st = &app.state;
        if !st.reader.doc.lines.is_empty() {
            let (f, top, h) = (st.reader.focus_line, st.reader.scroll, st.reader_height().max(1));
            assert!(
                f < st.reader.doc.lines.len() && f >= top && f < top + h,
                "focus line {f} not in view {top}+{h}: {}",
                describe(app, mode, phase, step)
            );
        }
    }

    fn act(&mut self, app: &mut App, a: Action, step: &'static str) {
        self.step = step;
        app.update(a);
        self.shot(app, step);
    }
}

fn describe(app: &App, mode: &str, phase: &str, step: &str) -> String {
    let st = &app.state;
    let top = st.overlays.last().map(|o| format!("{o:?}")).unwrap_or_default();
    let top: String = top.chars().take(200).collect();
    format!(
        "{}x{} {mode}; {phase}; {step}; focus {:?}, node {}, industry {:?}, scroll {}; overlay {top}",
        st.size.0, st.size.1, st.focus, st.reader.node, st.reader.industry, st.reader.scroll
    )
}

fn reset(app: &mut App) {
    app.state.overlays.clear();
    app.update(Action::CloseOverlay); // clears a find-in-page query
    app.state.focus = Focus::Nav;
}

/// The page in the reader: from the tree, in the reader, scrolled, and its charts.
fn walk_page(app: &mut App, w: &mut Walker) {
    app.state.focus = Focus::Nav;
    w.shot(app, "page from the tree");
    app.update(Action::FocusNext);
    w.shot(app, "page in the reader");
    // y copies the unit at the top; y again shows the copy overlay.
    w.act(app, Action::Copy, "copied (y)");
    w.act(app, Action::Copy, "copy overlay (y y)");
    w.act(app, Action::PageDown, "copy overlay paged");
    app.update(Action::CloseOverlay);
    for _ in 0..3 {
        w.act(app, Action::PageDown, "page down");
    }
    w.act(app, Action::Bottom, "bottom");
    // The first table full-pane: scrolled sideways and down.
    if let Some(&(line, _)) = app.state.reader.doc.tables.first() {
        app.update(Action::Top);
        app.update(Action::Scroll(line as i32));
        w.act(app, Action::Open, "table view");
        // Near the page's end the view stops short of the table, and a chart
        // above it may be nearer the top: then the chart view opens.
        let opened = app.state.overlays.last();
        assert!(matches!(opened, Some(Overlay::Table(_) | Overlay::Chart(_))), "{opened:?}");
        for a in [Action::ColumnRight, Action::LastColumn, Action::PageDown, Action::Bottom, Action::FirstColumn] {
            w.act(app, a, "table view");
        }
        app.update(Action::CloseOverlay);
        app.update(Action::Bottom);
    }
    if app.state.reader.doc.charts.is_empty() {
        return;
    }
    w.act(app, Action::Open, "chart or table view from the bottom");
    app.update(Action::CloseOverlay);
    // The first chart at the top of the view (a table above it would open instead).
    app.update(Action::Top);
    let first = app.state.reader.doc.charts[0].0;
    app.update(Action::Scroll(first as i32));
    w.act(app, Action::Open, "chart view from the first chart");
    let n = match app.state.overlays.last() {
        Some(Overlay::Chart(c)) => c.charts.len(),
        // The view could not scroll the chart to its top (the page ends),
        // and a table above it is nearer the top.
        Some(Overlay::Table(_)) => {
            app.update(Action::CloseOverlay);
            return;
        }
        other => panic!("Enter on a page with charts opened {other:?}"),
    };
    for _ in 0..n {
        w.act(app, Action::MoveDown, "next chart");
    }
    w.act(app, Action::MoveUp, "previous chart (wraps)");
    for _ in 0..=n {
        w.act(app, Action::Compare, "compare");
    }
    app.update(Action::Compare);
    for _ in 0..n {
        w.act(app, Action::MoveDown, "next chart, comparing");
    }
    app.update(Action::CloseOverlay);
}

fn walk_pages(app: &mut App, w: &mut Walker) {
    let lib = library();
    for n in 0..lib.nodes.len() {
        w.phase = format!("node {n} {}", lib.section(n).map_or("(report)", |s| s.id.as_str()));
        reset(app);
        app.state.jump_to(n);
        walk_page(app, w);
    }
    for i in 0..lib.industries.len() {
        w.phase = format!("industry page {}", lib.industries[i].id);
        reset(app);
        app.state.show_industry(i, None);
        walk_page(app, w);
    }
    w.phase = "the tree, paged".into();
    reset(app);
    w.act(app, Action::Top, "tree top");
    for _ in 0..40 {
        let sel = app.state.nav.selected;
        w.act(app, Action::PageDown, "tree page down");
        if app.state.nav.selected == sel {
            break;
        }
    }
}

fn walk_find(app: &mut App, w: &mut Walker) {
    for id in ["fs-3-1", "ccid-3"] {
        w.phase = format!("find in page on {id}");
        reset(app);
        app.state.jump_to(library().node_by_id(id).expect("node"));
        app.update(Action::FocusNext);
        w.act(app, Action::Find, "find prompt");
        w.act(app, Action::InsertText("金融".into()), "typed");
        w.act(app, Action::Confirm, "confirmed");
        w.act(app, Action::FindNext, "n");
        w.act(app, Action::FindPrev, "N");
        // Toggling the table modes re-lays out the page under the matches.
        w.act(app, Action::ToggleCompactTables, "tables toggled (w), matches shown");
        w.act(app, Action::ToggleTableBars, "bars toggled (b), matches shown");
        w.act(app, Action::PageDown, "page down after the toggles");
        w.act(app, Action::ToggleCompactTables, "tables toggled back");
        w.act(app, Action::ToggleTableBars, "bars toggled back");
        w.act(app, Action::Find, "find again");
        w.act(app, Action::HistoryPrev, "the last query recalled");
        w.act(app, Action::CursorLeft, "cursor left");
        w.act(app, Action::CursorHome, "cursor home");
        w.act(app, Action::CursorEnd, "cursor end");
        w.act(app, Action::DeleteWord, "word deleted");
        w.act(app, Action::InsertText("不存在的词zzz".into()), "no match");
        w.act(app, Action::Confirm, "not found");
        w.act(app, Action::FindNext, "n without matches");
    }
}

fn walk_finder(app: &mut App, w: &mut Walker) {
    for q in QUERIES {
        w.phase = format!("finder {q}");
        reset(app);
        w.act(app, Action::Search, "finder open");
        w.act(app, Action::InsertText(q.into()), "query typed");
        let n = match app.state.overlays.last() {
            Some(Overlay::Search(s)) => s.hits.len(),
            other => panic!("the finder is not on top: {other:?}"),
        };
        for i in 0..n {
            if i > 0 {
                w.act(app, Action::MoveDown, "next result");
            }
            let saved = app.state.overlays.clone();
            w.act(app, Action::Confirm, "result opened");
            if let Some(Overlay::Company(_)) = app.state.overlays.last() {
                w.act(app, Action::MoveDown, "company page, next mention");
                w.act(app, Action::Confirm, "company page, mention opened");
            }
            app.state.overlays = saved;
            app.state.focus = Focus::Nav;
        }
        w.act(app, Action::CloseOverlay, "finder closed");
        w.act(app, Action::ResumeSearch, "finder resumed");
        w.act(app, Action::Bottom, "last result");
        w.act(app, Action::PageUp, "results page up");
        w.act(app, Action::PageDown, "results page down");
        w.act(app, Action::Top, "first result");
        w.act(app, Action::DeleteChar, "one character deleted");
        w.act(app, Action::ClearInput, "query cleared");
    }
    for q in LISTS {
        w.phase = format!("finder list {q}");
        reset(app);
        app.update(Action::Search);
        w.act(app, Action::InsertText(q.into()), "query typed");
        for _ in 0..3 {
            w.act(app, Action::PageDown, "results page down");
        }
        w.act(app, Action::Bottom, "last result");
        w.act(app, Action::Confirm, "last result opened");
    }
}

/// Every company's mentions (they depend on neither size nor mode).
fn mentions() -> &'static [Vec<usize>] {
    static M: OnceLock<Vec<Vec<usize>>> = OnceLock::new();
    M.get_or_init(|| {
        let (lib, index) = (library(), index());
        lib.companies.iter().map(|co| index.mentions(&lib, &co.id)).collect()
    })
}

fn walk_companies(app: &mut App, w: &mut Walker) {
    let lib = library();
    for (co, mentions) in lib.companies.iter().zip(mentions()) {
        w.phase = format!("company {}", co.id);
        reset(app);
        let n = mentions.len();
        let page =
            Overlay::Company(CompanyState { id: co.id.clone(), mentions: mentions.clone(), selected: 0, offset: 0 });
        app.state.overlays = vec![page.clone()];
        w.shot(app, "company page");
        if n == 0 {
            continue;
        }
        w.act(app, Action::Confirm, "first mention opened");
        // With one mention, the bottom and the last mention are the states above.
        if n > 1 {
            app.state.overlays = vec![page];
            w.act(app, Action::Bottom, "company page bottom");
            w.act(app, Action::Confirm, "last mention opened");
        }
    }
}

fn walk_help_and_switcher(app: &mut App, w: &mut Walker) {
    w.phase = "help".into();
    reset(app);
    w.act(app, Action::Help, "help");
    for _ in 0..30 {
        w.act(app, Action::PageDown, "help page down");
    }
    w.act(app, Action::Bottom, "help bottom");
    w.act(app, Action::Top, "help top");
    let n = library().industries.len();
    for i in 0..n {
        w.phase = format!("switcher, industry {i}");
        reset(app);
        w.act(app, Action::Industries, "switcher");
        app.update(Action::Top);
        for _ in 0..i {
            w.act(app, Action::MoveDown, "switcher next");
        }
        w.act(app, Action::Confirm, "industry opened from the switcher");
    }
    for k in 1..=9 {
        w.phase = format!("switcher, key {k}");
        reset(app);
        app.update(Action::Industries);
        w.act(app, Action::GotoIndustry(k), "industry by number");
    }
}

/// Walk every state at every size in one mode, on one app resized in turn.
fn walk_mode(mode: &'static str) {
    let start = Instant::now();
    let mut total = 0;
    let mut app = app_with(80, 24, mode == "ascii");
    match mode {
        "wide" => {
            let wide = yanbao::options::Options { ambiwidth: yanbao::options::AmbiWidth::Wide, ..app.state.options };
            app.set_options(wide);
        }
        "compact" => drop(app.update(Action::ToggleCompactTables)),
        "bars" => drop(app.update(Action::ToggleTableBars)),
        _ => {}
    }
    for (sw, sh) in SIZES {
        app.update(Action::Resize(sw, sh));
        let mut w = Walker { screen: Screen::new(sw, sh), count: 0, mode, phase: String::new(), step: "" };
        let r = catch_unwind(AssertUnwindSafe(|| {
            walk_pages(&mut app, &mut w);
            walk_find(&mut app, &mut w);
            walk_finder(&mut app, &mut w);
            walk_companies(&mut app, &mut w);
            walk_help_and_switcher(&mut app, &mut w);
        }));
        if let Err(e) = r {
            eprintln!("walk failed at {sw}x{sh} {mode}; {}; at {}", w.phase, w.step);
            resume_unwind(e);
        }
        total += w.count;
    }
    eprintln!("walk, {mode} mode: {total} states rendered and checked in {:.1?}", start.elapsed());
    // A floor on the states visited: a walk that silently stops early (a
    // loop that no longer moves, a page list that came out empty) would
    // otherwise pass. About 27,000 per mode at the time of writing.
    assert!(
        total >= MIN_STATES,
        "the walk rendered only {total} states in {mode} mode (at least {MIN_STATES} expected)"
    );
}

/// The least number of states a mode's walk must render (see `walk_mode`).
const MIN_STATES: usize = 20_000;

// One test per mode, so that the test harness runs them on both cores.
#[test]
fn walk_normal() {
    walk_mode("normal");
}

#[test]
fn walk_ascii() {
    walk_mode("ascii");
}

#[test]
fn walk_compact_tables() {
    walk_mode("compact");
}

#[test]
fn walk_table_bars() {
    walk_mode("bars");
}

/// The walk over an imported report (issue 20): seed 000, imported as
/// `yanbao FILE` does, every node of it shown, in the reader, paged, its
/// tables and charts opened, at three sizes in normal mode.
#[test]
fn walk_imported_seed() {
    use std::sync::Arc;
    let start = Instant::now();
    let name = "000_60bde06b365711b6.txt";
    let bytes = std::fs::read(format!("../shared/seeds/{name}")).expect("the seed");
    let imp = yanbao::import::import(name, &bytes, yanbao::import::Encoding::Utf8).expect("imports");
    let mut files: yanbao::content::Files =
        yanbao::content::bundled_files().into_iter().filter(|(k, _)| !k.contains('/')).collect();
    for (k, v) in &imp.files {
        if k.ends_with(".yaml") {
            files.insert(format!("{}/{k}", imp.id), v.clone());
        }
    }
    let (lib, errors) = yanbao::content::load(&files);
    assert!(errors.is_empty(), "{errors:?}");
    let index = Arc::new(yanbao::search::Index::build(&lib));
    let nodes = lib.nodes.len();
    assert!(nodes > 400, "the imported seed has {nodes} nodes");
    let mut app = App::new(
        Arc::new(lib),
        index,
        Arc::new(yanbao::keymap::Keymap::defaults()),
        yanbao::theme::Theme::new(yanbao::theme::ColorDepth::Ansi16, false),
        (80, 24),
    );
    let mut total = 0;
    for (sw, sh) in [(20, 5), (80, 24), (120, 40)] {
        app.update(Action::Resize(sw, sh));
        let mut w = Walker { screen: Screen::new(sw, sh), count: 0, mode: "imported", phase: String::new(), step: "" };
        let r = catch_unwind(AssertUnwindSafe(|| {
            for n in 0..nodes {
                w.phase = format!("imported node {n}");
                reset(&mut app);
                app.state.jump_to(n);
                walk_page(&mut app, &mut w);
            }
        }));
        if let Err(e) = r {
            eprintln!("walk failed at {sw}x{sh} imported; {}; at {}", w.phase, w.step);
            resume_unwind(e);
        }
        total += w.count;
    }
    eprintln!("walk, imported seed: {total} states rendered and checked in {:.1?}", start.elapsed());
    assert!(total >= nodes * 3 * 8, "the walk rendered only {total} states over {nodes} nodes");
}

/// Ambiguous characters two columns wide (`--ambiwidth wide`, or an SSH
/// client's `YANBAO_AMBIWIDTH=wide`).
#[test]
fn walk_ambiwidth_wide() {
    walk_mode("wide");
}
