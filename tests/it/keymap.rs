//! Keymaps are data: the defaults parse, a user file overlays them, and bad
//! files name the file, the line and the problem.

use crossterm::event::{KeyCode, KeyModifiers};
use yanbao::action::Action;
use yanbao::keymap::{Context, Key, Keymap, Resolved, Resolver};

fn fixture(name: &str) -> (String, String) {
    let path = format!("tests/fixtures/keymaps/{name}");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

fn errors(name: &str) -> Vec<String> {
    let (path, text) = fixture(name);
    let mut km = Keymap::defaults();
    km.overlay(&path, &text).expect_err("a bad keymap").iter().map(|e| e.to_string()).collect()
}

fn k(s: &str) -> Key {
    Key::parse(s).unwrap()
}

#[test]
fn defaults_bind_the_documented_keys() {
    let km = Keymap::defaults();
    let g = |a: Action| km.keys_for(Context::Global, &a);
    assert_eq!(g(Action::MoveDown), ["j", "down"]);
    assert_eq!(g(Action::MoveUp), ["k", "up"]);
    assert_eq!(g(Action::Open), ["enter", "l", "right"]);
    assert_eq!(g(Action::Back), ["h", "left", "backspace"]);
    assert_eq!(g(Action::Top), ["g g", "home"]);
    assert_eq!(g(Action::Bottom), ["G", "end"]);
    assert_eq!(g(Action::PageDown), ["pgdn", "space"]);
    assert_eq!(g(Action::PageUp), ["pgup", "b"]);
    assert_eq!(g(Action::HalfPageDown), ["ctrl-d", "d"]);
    assert_eq!(g(Action::HalfPageUp), ["ctrl-u", "u"]);
    assert_eq!(g(Action::CloseOverlay), ["esc"]);
    assert_eq!(km.keys_for(Context::Find, &Action::HistoryPrev), ["up"]);
    assert_eq!(km.keys_for(Context::Find, &Action::CursorHome), ["home", "ctrl-a"]);
    assert_eq!(g(Action::FocusNext), ["tab", "shift-tab"]);
    assert_eq!(g(Action::Find), ["/"]);
    assert_eq!(g(Action::FindNext), ["n"]);
    assert_eq!(g(Action::FindPrev), ["N"]);
    assert_eq!(g(Action::Help), ["?"]);
    assert_eq!(g(Action::Quit), ["q", "ctrl-c"]);
    assert_eq!(km.keys_for(Context::Help, &Action::CloseOverlay), ["esc", "q", "?"]);
    assert_eq!(g(Action::Search), ["s", "ctrl-p"]);
    assert_eq!(g(Action::Industries), ["i"]);
    assert_eq!(g(Action::NextIndustry), ["]"]);
    assert_eq!(g(Action::PrevIndustry), ["["]);
    // Digits are counts; industries are `i` then a digit (the switcher's keys).
    assert!(g(Action::GotoIndustry(3)).is_empty());
    assert_eq!(g(Action::Count(3)), ["3"]);
    assert_eq!(km.keys_for(Context::Industries, &Action::GotoIndustry(3)), ["3"]);
    assert_eq!(km.keys_for(Context::Industries, &Action::GotoIndustry(10)), ["0"]);
    assert_eq!(km.keys_for(Context::Industries, &Action::GotoIndustry(11)), [")"]);
    assert_eq!(km.keys_for(Context::Chart, &Action::Compare), ["c"]);
}

#[test]
fn a_user_file_overlays_the_defaults() {
    let (path, text) = fixture("user.yaml");
    let mut km = Keymap::defaults();
    km.overlay(&path, &text).unwrap();
    assert!(km.keys_for(Context::Global, &Action::Quit).contains(&"Q".to_string()));
    assert!(!km.keys_for(Context::Global, &Action::Quit).contains(&"q".to_string()), "null removes q");
    assert_eq!(km.keys_for(Context::Global, &Action::PageDown), ["pgdn"]);
    let zz = km.bindings(Context::Global).find(|b| b.keys == vec![k("z"), k("z")]).unwrap();
    assert_eq!(zz.actions, [Action::Top]);
    assert_eq!(zz.desc.as_deref(), Some("回到顶部"));
    // The other defaults are untouched.
    assert_eq!(km.keys_for(Context::Global, &Action::MoveDown), ["j", "down"]);
}

#[test]
fn sequences_wait_then_fire_and_broken_sequences_restart() {
    let km = Keymap::defaults();
    let mut r = Resolver::default();
    let ctx = [Context::Reader, Context::Global];
    assert_eq!(r.feed(&km, &ctx, k("g")), Resolved::Pending);
    assert_eq!(r.feed(&km, &ctx, k("g")), Resolved::Actions(vec![Action::Top]));
    assert_eq!(r.feed(&km, &ctx, k("g")), Resolved::Pending);
    assert_eq!(r.feed(&km, &ctx, k("j")), Resolved::Actions(vec![Action::MoveDown]), "g j runs j");
    assert_eq!(r.feed(&km, &ctx, k("x")), Resolved::Unbound);
    assert!(r.pending().is_empty());
}

#[test]
fn overlay_context_wins_over_global() {
    let km = Keymap::defaults();
    let mut r = Resolver::default();
    let esc = Key::new(KeyCode::Esc, KeyModifiers::NONE);
    assert_eq!(
        r.feed(&km, &[Context::Help, Context::Nav, Context::Global], k("q")),
        Resolved::Actions(vec![Action::CloseOverlay])
    );
    assert_eq!(r.feed(&km, &[Context::Find], esc), Resolved::Actions(vec![Action::CloseOverlay]));
    assert_eq!(r.feed(&km, &[Context::Nav, Context::Global], k("q")), Resolved::Actions(vec![Action::Quit]));
}

#[test]
fn shift_is_folded_into_characters() {
    assert_eq!(Key::new(KeyCode::Char('G'), KeyModifiers::SHIFT), k("G"));
    assert_eq!(Key::new(KeyCode::BackTab, KeyModifiers::SHIFT), k("shift-tab"));
    assert_eq!(k("C-d"), k("ctrl-d"));
}

#[test]
fn unknown_action_is_an_error_with_its_line() {
    assert_eq!(
        errors("unknown_action.yaml"),
        ["tests/fixtures/keymaps/unknown_action.yaml:3:3: unknown action explode"]
    );
}

#[test]
fn unparsable_key_is_an_error_with_its_line() {
    assert_eq!(errors("bad_key.yaml"), ["tests/fixtures/keymaps/bad_key.yaml:3:3: cannot parse key \"hyper-x\""]);
}

#[test]
fn two_actions_on_one_key_is_an_error() {
    assert_eq!(
        errors("duplicate.yaml"),
        [
            "tests/fixtures/keymaps/duplicate.yaml:3:3: key ctrl-d is bound twice in context reader: page_down and page_up"
        ]
    );
}

#[test]
fn unknown_context_and_malformed_yaml_are_errors() {
    assert_eq!(
        errors("bad_context.yaml"),
        [
            "tests/fixtures/keymaps/bad_context.yaml:1:1: unknown context \"sidebar\" (expected one of global, nav, reader, find, help, search, company, industries, chart, table, copy, marks, notes, figures, command, measures)"
        ]
    );
    let e = errors("malformed.yaml");
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("tests/fixtures/keymaps/malformed.yaml:3:") && e[0].contains("malformed YAML"), "{e:?}");
}

/// A generated keymap of `n` bindings in `reader`, four-key sequences
/// "a a a a", "a a a b"...: the keymap text and the i-th binding's keys.
fn many_bindings(n: usize) -> String {
    let letter = |i: usize| char::from(b'a' + (i % 26) as u8);
    let mut text = String::from("reader:\n");
    for i in 0..n {
        let keys = format!("{} {} {} {}", letter(i / 17_576), letter(i / 676), letter(i / 26), letter(i));
        text.push_str(&format!("  {keys}: move_down\n"));
    }
    text
}

/// K4: a keymap file of 10,000 bindings (the cap) loads, and every one of
/// them binds its keys; one of 62,500 (which took 23 s, quadratic) is
/// refused at the line of the binding past the cap, naming the limit.
#[test]
fn keymap_bindings_are_capped_with_a_located_error() {
    let cap = yanbao::keymap::MAX_KEYMAP_BINDINGS;
    let mut km = Keymap::defaults();
    let t0 = std::time::Instant::now();
    km.overlay("many.yaml", &many_bindings(cap)).expect("a keymap at the cap loads");
    eprintln!("{cap} bindings loaded in {:?}", t0.elapsed());
    assert_eq!(km.bindings(Context::Reader).filter(|b| b.keys.len() == 4).count(), cap);
    let mut r = Resolver::default();
    // The last binding, 9,999: a (9999/17576 = 0), o (14), u (384 % 26), p (9999 % 26).
    let seq: Vec<Key> = "a o u p".split(' ').map(k).collect();
    let mut got = Resolved::Unbound;
    for key in seq {
        got = r.feed(&km, &[Context::Reader], key);
    }
    assert_eq!(got, Resolved::Actions(vec![Action::MoveDown]));

    let t0 = std::time::Instant::now();
    let errors: Vec<String> = Keymap::defaults()
        .overlay("many.yaml", &many_bindings(62_500))
        .expect_err("past the cap")
        .iter()
        .map(|e| e.to_string())
        .collect();
    eprintln!("62,500 bindings refused in {:?}", t0.elapsed());
    // Line 1 is `reader:`; binding i is on line i + 2.
    assert_eq!(errors, [format!("many.yaml:{}:3: more than {cap} bindings in one keymap file", cap + 2)]);
}
