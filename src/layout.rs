//! Screen geometry shared by the renderer (`ui`) and the hit tests and
//! scrolling of `app`: below both, so that neither imports the other for it.
//! (The pane and popup layouts still live in `app` — `Panes::compute`,
//! `SearchLayout`, the switcher and marks popups — and `ui` reads them there;
//! moving them here is the rest of issue 24's item 5.)

use ratatui::layout::Rect;

/// Below this size (columns, rows) the screen shows only 「窗口太小」, and
/// clicks are ignored.
pub const MIN_SIZE: (u16, u16) = (24, 8);

/// A popup of `w` x `h` centred in `area` (the help, the industry switcher
/// and the company list; the renderer and the mouse's hit test alike).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect::new(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The top-level module a file under src/ belongs to (`app` for
    /// src/app/mouse.rs, `text` for src/text.rs); None for lib.rs and bin/.
    fn module_of(rel: &Path) -> Option<String> {
        let first = rel.components().next()?.as_os_str().to_str()?;
        match first {
            "lib.rs" | "bin" => None,
            f => Some(f.strip_suffix(".rs").unwrap_or(f).to_string()),
        }
    }

    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// Edges between top-level modules from `crate::name` in code (comments
    /// and the unit tests at a file's end left out).
    fn graph() -> BTreeMap<String, BTreeSet<String>> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut all = Vec::new();
        files(&src, &mut all);
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for f in all {
            let Some(from) = module_of(f.strip_prefix(&src).unwrap()) else { continue };
            let text = std::fs::read_to_string(&f).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for rest in line.split("crate::").skip(1) {
                    let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() && name != from {
                        g.entry(from.clone()).or_default().insert(name);
                    }
                }
            }
            g.entry(from).or_default();
        }
        g
    }

    /// A cycle through `node`, if any (depth first).
    fn cycle(
        g: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut c = path[i..].to_vec();
            c.push(node.to_string());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in g.get(node).into_iter().flatten() {
            if let Some(c) = cycle(g, next, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }

    #[test]
    fn the_module_graph_has_no_cycle() {
        let g = graph();
        assert!(g.get("ui").is_some_and(|d| d.contains("app")), "the scan finds ui → app: {g:?}");
        let mut done = BTreeSet::new();
        for node in g.keys() {
            if let Some(c) = cycle(&g, node, &mut Vec::new(), &mut done) {
                panic!("import cycle: {}", c.join(" → "));
            }
        }
    }

    #[test]
    fn a_cycle_is_found() {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        g.entry("a".into()).or_default().insert("b".into());
        g.entry("b".into()).or_default().insert("a".into());
        let c = cycle(&g, "a", &mut Vec::new(), &mut BTreeSet::new());
        assert_eq!(c, Some(vec!["a".to_string(), "b".to_string(), "a".to_string()]));
    }
}
