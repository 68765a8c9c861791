//! Company mentions (issue 25): names that are ordinary words or another
//! party in the content are not mentions.

use yanbao::app::companies_named;
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

/// Text of the content in which a registered name is an ordinary word or
/// another party, not the company (issue 25: N-1 to N-4, and L-22).
const NOT_MENTIONS: &[(&str, &str)] = &[
    // N-1: the national telecom revenue (L2438), not China Telecom's.
    ("中国电信", "2024年中国电信业务收入"),
    // N-2: "massive data", not VASTDATA.
    ("海量数据", "海量数据处理中枢"),
    ("海量数据", "历史设计等海量数据"),
    ("海量数据", "梳理海量数据"),
    ("海量数据", "自动驾驶等业务的海量数据"),
    ("海量数据", "物联网终端的海量数据"),
    ("海量数据", "雄厚资金、海量数据与顶尖人才"),
    // N-3: a wave, not Inspur (L614).
    ("浪潮", "全球大模型开源浪潮中"),
    // N-4: 智能超参数, a data source, not 超参数科技 (L650).
    ("超参数", "据智能超参数统计"),
    // L-22: the parent 网易, not 网易互娱 (L2642).
    ("网易互娱", "以及网易、米哈游"),
];

fn unit_texts(index: &Index) -> Vec<String> {
    index.units.iter().map(|u| folded(&format!("{}\n{}", u.title, u.text))).collect()
}

/// Each fixture is text of the content, and neither the company's page
/// (nor the finder's count, the same list) nor `K` takes it for the company.
#[test]
fn registered_words_that_are_not_the_company_are_not_mentions() {
    let lib = lib();
    let index = Index::build(&lib);
    let texts = unit_texts(&index);
    for &(id, phrase) in NOT_MENTIONS {
        let p = folded(phrase);
        let k = lib.company_index(id).unwrap_or_else(|| panic!("{id} is registered"));
        assert!(texts.iter().any(|t| t.contains(&p)), "{phrase:?} is in the content");
        let named = companies_named(&lib, &[phrase.to_string()]);
        assert!(!named.contains(&id.to_string()), "K takes {phrase:?} for {id}");
        for &u in &index.mentions(&lib, id) {
            let t = &texts[u];
            for (r, _) in lib.mentions.find(t).into_iter().filter(|(_, c)| *c == k) {
                let inside = t.match_indices(&p).any(|(j, _)| j <= r.start && r.end <= j + p.len());
                assert!(!inside, "{id}'s page takes {phrase:?} for it: {t}");
            }
        }
    }
    // 海量数据 (VASTDATA) is named once, in the logo wall of 2.1.1.
    assert_eq!(index.mentions(&lib, "海量数据").len(), 1);
    // N-5: 三通一达 is a collective term; 中通 in 其中通用 is no company.
    assert!(companies_named(&lib, &["其中通用算力和智能算力规模".to_string()]).is_empty());
    assert_eq!(companies_named(&lib, &["以顺丰、三通一达为代表的物流厂商".to_string()]), ["顺丰", "三通一达"]);
    assert!(lib.company("三通一达").is_some_and(|c| c.aliases.is_empty()), "the source names none of the four");
}

/// For every company, every unit listed as its mention names it outside
/// its `not_mentions` phrases (checked by plain text, apart from the
/// matcher), and every such phrase is in use in the content.
#[test]
fn every_mention_is_checked_against_the_not_mention_phrases() {
    let lib = lib();
    let index = Index::build(&lib);
    let texts = unit_texts(&index);
    let mut phrases = 0;
    for c in &lib.companies {
        let names: Vec<String> = std::iter::once(&c.name)
            .chain(c.latin.iter())
            .chain(c.aliases.iter())
            .map(|n| folded(n))
            .filter(|n| n.chars().count() >= 2)
            .collect();
        let not: Vec<String> = c.not_mentions.iter().map(|n| folded(n)).collect();
        for &u in &index.mentions(&lib, &c.id) {
            let mut t = texts[u].clone();
            for p in &not {
                t = t.replace(p.as_str(), "\u{1}");
            }
            assert!(names.iter().any(|n| t.contains(n.as_str())), "{} is not named in {:?}", c.id, texts[u]);
        }
        for p in &not {
            phrases += 1;
            assert!(texts.iter().any(|t| t.contains(p.as_str())), "{}: {p:?} is not in the content", c.id);
        }
    }
    assert!(phrases >= 8, "{phrases} not-mention phrases");
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
                    let s = hay.get(..r.start).map_or(0, |h| h.chars().count());
                    let e = hay.get(..r.end).map_or(0, |h| h.chars().count());
                    let a: String = chars[s.saturating_sub(6)..s].iter().collect();
                    let m: String = chars[s..e].iter().collect();
                    let b: String = chars[e..(e + 6).min(chars.len())].iter().collect();
                    println!("M\t{}\t{}[{}]{}", c.id, a, m, b);
                }
            }
        }
    }
}
