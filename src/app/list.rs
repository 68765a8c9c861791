//! Moving the selection of a list overlay (links, marks, notes, a company's
//! mentions, the `F` figure list, the `=` comparison): the one rule every list
//! shares, so that `j`/`k`, pages, half pages, `g`/`G` mean the same in each.

use super::Prompt;
use crate::action::Action;

/// A key while a list's `/` filter is being typed (the notes list, the `F`
/// list): text goes into the filter, Enter keeps it and leaves the prompt,
/// Esc clears it and leaves, any other editing key edits it.
pub fn edit_filter(filter: &mut Prompt, editing: &mut bool, action: Action) {
    match action {
        Action::Insert(c) => {
            filter.insert(c.encode_utf8(&mut [0; 4]));
        }
        Action::InsertText(t) => {
            filter.insert(&t);
        }
        Action::Confirm | Action::Open => *editing = false,
        Action::CloseOverlay => {
            *editing = false;
            *filter = Prompt::default();
        }
        a => {
            filter.edit(&a);
        }
    }
}

/// Whether `a` moves a list's selection (see [`step`]).
pub fn is_move(a: &Action) -> bool {
    matches!(
        a,
        Action::MoveDown
            | Action::MoveUp
            | Action::PageDown
            | Action::PageUp
            | Action::HalfPageDown
            | Action::HalfPageUp
            | Action::Top
            | Action::Bottom
    )
}

/// The selection after `a` in a list of `len` rows showing `page` rows at a
/// time: a row, a page, half a page (at least one row), the first or the
/// last; always a row of the list (0 for an empty one). Any other action
/// leaves it where it is.
pub fn step(a: &Action, selected: usize, len: usize, page: usize) -> usize {
    let page = page.max(1);
    let half = (page / 2).max(1);
    let to = match a {
        Action::MoveDown => selected.saturating_add(1),
        Action::MoveUp => selected.saturating_sub(1),
        Action::PageDown => selected.saturating_add(page),
        Action::PageUp => selected.saturating_sub(page),
        Action::HalfPageDown => selected.saturating_add(half),
        Action::HalfPageUp => selected.saturating_sub(half),
        Action::Top => 0,
        Action::Bottom => len.saturating_sub(1),
        _ => selected,
    };
    to.min(len.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_move_stays_in_the_list() {
        assert_eq!(step(&Action::MoveDown, 3, 10, 4), 4);
        assert_eq!(step(&Action::MoveDown, 9, 10, 4), 9);
        assert_eq!(step(&Action::MoveUp, 0, 10, 4), 0);
        assert_eq!(step(&Action::PageDown, 3, 10, 4), 7);
        assert_eq!(step(&Action::PageDown, 8, 10, 4), 9);
        assert_eq!(step(&Action::PageUp, 3, 10, 4), 0);
        assert_eq!(step(&Action::HalfPageDown, 3, 10, 4), 5);
        assert_eq!(step(&Action::HalfPageUp, 3, 10, 1), 2);
        assert_eq!(step(&Action::Bottom, 0, 10, 4), 9);
        assert_eq!(step(&Action::Top, 7, 10, 4), 0);
        assert_eq!(step(&Action::MoveDown, 0, 0, 4), 0);
        assert_eq!(step(&Action::Bottom, 0, 0, 0), 0);
        assert_eq!(step(&Action::Quit, 5, 10, 4), 5);
        assert!(is_move(&Action::HalfPageDown) && !is_move(&Action::Confirm));
    }

    #[test]
    fn a_filter_is_typed_kept_or_cleared() {
        let (mut f, mut editing) = (Prompt::default(), true);
        edit_filter(&mut f, &mut editing, Action::Insert('银'));
        edit_filter(&mut f, &mut editing, Action::InsertText("行".into()));
        assert_eq!(f.input, "银行");
        edit_filter(&mut f, &mut editing, Action::Confirm);
        assert!(!editing && f.input == "银行");
        editing = true;
        edit_filter(&mut f, &mut editing, Action::CloseOverlay);
        assert!(!editing && f.input.is_empty());
    }
}
