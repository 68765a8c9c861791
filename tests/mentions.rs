//! Company mentions (issue 25): names that are ordinary words or another
//! party in the content are not mentions.

use yanbao::content::Library;
use yanbao::search::Index;
use yanbao::text::fold;

fn lib() -> Library {
    let (lib, errors) = Library::load_from(None).unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    lib
}

fn folded(s: &str) -> String {
    s.chars().map(fold).collect()
}

/// Prints every mention with the text around it (for an audit by hand).
#[test]
#[ignore]
fn dump_mentions() {
    let lib = lib();
    let index = Index::build(&lib);
    for (k, c) in lib.companies.iter().enumerate() {
        for &u in &index.mentions(&lib, &c.id) {
            let unit = &index.units[u];
            for t in [&unit.title, &unit.text] {
                let hay = folded(t);
                let chars: Vec<char> = t.chars().collect();
                for (r, _) in lib.mentions.find(&hay).into_iter().filter(|(_, j)| *j == k) {
                    let s = hay[..r.start].chars().count();
                    let e = hay[..r.end].chars().count();
                    let a: String = chars[s.saturating_sub(6)..s].iter().collect();
                    let m: String = chars[s..e].iter().collect();
                    let b: String = chars[e..(e + 6).min(chars.len())].iter().collect();
                    println!("M\t{}\t{}[{}]{}", c.id, a, m, b);
                }
            }
        }
    }
}
