//! Issue 22: the finder's frecency (results opened), `S` resume (the last
//! query with its selection) and the `:` command line's history are kept in
//! the state database and survive a restart, as the finder's query history.

use crate::common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use std::path::PathBuf;
use yanbao::action::Action;
use yanbao::app::{App, Overlay};
use yanbao::search::Target;
use yanbao::state::{self, Store};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("yanbao-finder-memory-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn enter(app: &mut App) {
    key(app, KeyCode::Enter, KeyModifiers::NONE);
}

/// A headless app over the state in `dir`, resumed as at a start.
fn started(dir: &std::path::Path) -> App {
    let mut app = app(100, 30);
    app.attach_state(Store::open(state::location_for(dir, None)), true);
    app
}

#[test]
fn frecency_resume_and_command_history_survive_a_restart() {
    let dir = temp("restart");
    let mut a = started(&dir);
    // A result opened from the finder: the first hit of 银行 in a report
    // (not a company's page), after moving down to it.
    keys(&mut a, "s");
    a.update(Action::InsertText("银行".into()));
    let (k, opened) = match a.state.overlays.last() {
        Some(Overlay::Search(s)) => s
            .hits
            .iter()
            .enumerate()
            .skip(1)
            .find(|(_, h)| matches!(a.state.index.units[h.unit].target, Target::Place { .. }))
            .map(|(k, h)| (k, h.unit))
            .expect("a hit in a report"),
        other => panic!("no finder: {other:?}"),
    };
    for _ in 0..k {
        a.update(Action::MoveDown);
    }
    enter(&mut a);
    assert!(a.state.overlays.is_empty(), "the result opened in the reader");
    assert_eq!(a.state.finder.recent, [opened]);
    // The finder left with a query and its third row selected.
    keys(&mut a, "s");
    a.update(Action::InsertText("生态".into()));
    a.update(Action::MoveDown);
    a.update(Action::MoveDown);
    a.update(Action::CloseOverlay);
    // A command.
    keys(&mut a, ":");
    a.update(Action::InsertText("3.1".into()));
    enter(&mut a);
    assert_eq!(a.state.command_history, ["3.1"], "{:?}", a.state.overlays.last());
    a.persist(true);
    drop(a);

    let mut b = started(&dir);
    assert_eq!(b.state.command_history, ["3.1"]);
    // `S`: the query again, its row selected.
    keys(&mut b, "S");
    match b.state.overlays.last() {
        Some(Overlay::Search(s)) => {
            assert_eq!(s.input, "生态");
            assert_eq!(s.selected, 2.min(s.hits.len().saturating_sub(1)));
            assert!(s.hits.len() >= 3, "the query is run again: {}", s.hits.len());
        }
        other => panic!("S opened no finder: {other:?}"),
    }
    // Frecency: the result opened before is known again (it ranks first
    // among the results it ties with).
    assert_eq!(b.state.finder.recent, [opened]);
    b.update(Action::CloseOverlay);
    // The command line's history: ↑ brings back 3.1.
    keys(&mut b, ":");
    b.update(Action::HistoryPrev);
    match b.state.overlays.last() {
        Some(Overlay::Command(c)) => assert_eq!(c.prompt.input, "3.1"),
        other => panic!("no command line: {other:?}"),
    }
    b.update(Action::CloseOverlay);
    // Saved again by b, still there for a third run.
    b.persist(true);
    drop(b);
    let mut c = started(&dir);
    assert_eq!(c.state.command_history, ["3.1"]);
    keys(&mut c, "S");
    assert!(matches!(c.state.overlays.last(), Some(Overlay::Search(s)) if s.input == "生态" && s.selected == 2));
    assert_eq!(c.state.finder.recent, [opened]);
    let _ = std::fs::remove_dir_all(&dir);
}
