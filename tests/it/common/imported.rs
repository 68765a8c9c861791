//! An imported report as the tests read it: loaded as a library, and its
//! outline.

use yanbao::content::{Library, Section};
use yanbao::import::Imported;

/// The imported report's YAML files, loaded (no problem allowed).
pub fn library(i: &Imported) -> Library {
    let mut files = yanbao::content::Files::new();
    for (k, v) in &i.files {
        if k.ends_with(".yaml") {
            files.insert(format!("{}/{k}", i.id), v.clone());
        }
    }
    let (lib, errors) = yanbao::content::load(&files);
    assert!(errors.is_empty(), "{errors:?}");
    lib
}

/// (depth, "number title", page) of every section, in reading order.
pub fn outline(i: &Imported) -> Vec<(usize, String, Option<u32>)> {
    fn walk(s: &Section, d: usize, out: &mut Vec<(usize, String, Option<u32>)>) {
        out.push((d, s.heading(), s.page));
        s.sections.iter().for_each(|c| walk(c, d + 1, out));
    }
    let lib = library(i);
    let mut out = Vec::new();
    for r in lib.reports() {
        r.chapters.iter().for_each(|c| walk(c, 0, &mut out));
    }
    out
}
