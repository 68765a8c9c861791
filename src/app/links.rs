//! `K` in the reader: the companies named in the lines in view (by name,
//! Latin name or alias, from the company registry), in a small list;
//! Enter opens the company's page, Esc there comes back to the list.

use super::{CompanyState, Overlay, State};
use crate::action::{Action, Effect};
use crate::content::Library;
use crate::text::fold;

/// The list of companies named on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinksState {
    /// Company ids, in the order they first appear in view.
    pub companies: Vec<String>,
    pub selected: usize,
    pub offset: usize,
}

/// The companies named in `lines` (the text in view), in the order they
/// first appear, as [`crate::content::Mentions`] finds them. Lines are
/// joined, so a name broken by a line wrap is found.
pub fn companies_named(lib: &Library, lines: &[String]) -> Vec<String> {
    let mut hay = String::new();
    for l in lines {
        let l: String = l.trim().chars().map(fold).collect();
        let glue = hay.chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric())
            && l.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if glue {
            hay.push(' ');
        }
        hay.push_str(&l);
    }
    let found = lib.mentions.find(&hay);
    let mut out: Vec<String> = Vec::new();
    for (_, k) in found {
        let id = &lib.companies[k].id;
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

impl State {
    /// `K`: list the companies named in the focused block, else in the
    /// reader's lines in view.
    pub(super) fn open_links(&mut self) {
        let doc = &self.reader.doc;
        let text = |r: std::ops::Range<usize>| -> Vec<String> {
            doc.lines
                .get(r.start.min(doc.lines.len())..r.end.min(doc.lines.len()))
                .unwrap_or(&[])
                .iter()
                .map(|l| l.text())
                .collect()
        };
        let h = self.reader_height();
        let focused = self.focused_block().map(|f| text(f.lines)).unwrap_or_default();
        let mut companies = companies_named(&self.lib, &focused);
        if companies.is_empty() {
            companies = companies_named(&self.lib, &text(self.reader.scroll..self.reader.scroll + h));
        }
        if companies.is_empty() {
            self.message = Some("本屏没有提到公司".into());
            return;
        }
        self.overlays.push(Overlay::Links(LinksState { companies, selected: 0, offset: 0 }));
    }

    pub(super) fn update_links(&mut self, action: Action) -> Vec<Effect> {
        let h = links_rows(self.size.1);
        let Some(Overlay::Links(l)) = self.overlays.last_mut() else {
            return vec![];
        };
        let n = l.companies.len();
        let sel = match action {
            a if super::list::is_move(&a) => super::list::step(&a, l.selected, n, h),
            Action::Confirm | Action::Open => {
                if let Some(id) = l.companies.get(l.selected).cloned() {
                    // The list stays below the page: Esc there comes back to it.
                    let mentions = self.index.mentions(&self.lib, &id);
                    self.overlays.push(Overlay::Company(CompanyState { id, mentions, selected: 0, offset: 0 }));
                }
                return vec![];
            }
            Action::CloseOverlay | Action::Back | Action::CompanyLinks => {
                self.overlays.pop();
                return vec![];
            }
            Action::Quit => return vec![Effect::Quit],
            _ => return vec![],
        };
        l.selected = sel.min(n.saturating_sub(1));
        super::keep_visible(l.selected, &mut l.offset, h);
        vec![]
    }
}

/// How many companies the list shows at once on a screen `height` rows high.
pub fn links_rows(height: u16) -> usize {
    (height as usize).saturating_sub(6).clamp(1, 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_view_in_order_longest_first_whole_words() {
        let (lib, _) = Library::load_from(None).expect("bundled content");
        let id = |name: &str| lib.companies.iter().find(|c| c.name == name).map(|c| c.id.clone());
        let lines = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let (Some(hw), Some(st)) = (id("华为"), id("商汤科技")) else { panic!("companies in the registry") };
        // In order of appearance; a name broken by a wrap is found.
        let got = companies_named(&lib, &lines(&["  商汤科", "技与华为合作"]));
        assert_eq!(got, [st.clone(), hw]);
        // Aliases and Latin names count; a Latin name must be a whole word.
        let got = companies_named(&lib, &lines(&["SenseTime 发布"]));
        assert_eq!(got, [st]);
        assert!(companies_named(&lib, &lines(&["SenseTimes"])).is_empty());
        assert!(companies_named(&lib, &lines(&["没有公司的一行"])).is_empty());
        // 华为云, if registered, is not also a mention of 华为.
        if let Some(cloud) = id("华为云") {
            assert_eq!(companies_named(&lib, &lines(&["华为云"])), [cloud]);
        }
    }
}
