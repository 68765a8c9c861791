//! Industry tags (issue 25: N-7, N-8, N-13): a block or section tagged with
//! an industry is about it, not one that a list passes by.

use std::collections::{BTreeSet, HashMap};
use yanbao::content::{Block, Library, Section};

fn lib() -> Library {
    let (lib, errors) = Library::load_from(None).unwrap();
    assert!(errors.is_empty(), "{errors:#?}");
    lib
}

/// Every string of a block (its title, text, items, cells, notes).
fn strings(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.iter().filter(|(k, _)| *k != "industries").for_each(|(_, x)| strings(x, out)),
        _ => {}
    }
}

fn block_text(lib: &Library, b: &Block) -> String {
    let mut out = String::new();
    strings(&serde_json::to_value(b).unwrap_or_default(), &mut out);
    // Companies are listed by id: their names are the text.
    let ids: Vec<&String> = match b {
        Block::Participants(p) => p.groups.iter().flat_map(|g| &g.companies).collect(),
        Block::Case(c) => c.companies.iter().collect(),
        Block::Example(e) => e.companies.iter().collect(),
        _ => vec![],
    };
    // A company's registry kind (制造企业, 金融机构) says its industry.
    for id in ids {
        if let Some(c) = lib.company(id) {
            out.push_str(&c.name);
            out.push('\n');
            out.push_str(c.kind.as_deref().unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

/// Tags the enumeration rule cannot see are right, each with the source
/// line (F&S seed) that makes the industry the block's subject:
/// (section, block title or "" for the section, industry, why).
const JUDGED: &[(&str, &str, &str, &str)] = &[
    ("fs-2-2-3", "中科院紫东太初2.0工业质检故障预测", "manufacturing", "L608: 在工业质检场景中"),
    ("fs-2-3-3", "", "telecom", "L798: each industry with its uses (电信：网络运维与客服自动化)"),
    ("fs-2-3-3", "", "healthcare", "L798: 医疗：诊断治疗与药物研发"),
    ("fs-2-3-3", "", "ecommerce", "L798: 电商：精准营销与智能推荐"),
    ("fs-2-3-3", "", "entertainment", "L798: 传媒：内容创作与智能编辑"),
    ("fs-2-3-3", "", "manufacturing", "L798: 工业：产品形态与用户体验革新"),
    ("fs-2-3-3", "", "education", "L798: 教育渗透率仍低，但潜力巨大"),
    ("fs-2-3-6", "", "manufacturing", "L916: 工业机器人 53%，在工业场景已较成熟"),
    ("fs-4-2", "", "finance", "L2777: the trend's headline names 医疗/金融"),
    (
        "fs-4-4",
        "美团与银河通用合作：机器人在药房、零售等真实场景中训练和优化",
        "ecommerce",
        "L2824: 美团's own retail scenes",
    ),
    ("fs-5-4", "火山引擎与极氪汽车合作", "transport", "L2968 汽车; L720 groups it as AI+交通汽车"),
];

fn section_text(lib: &Library, s: &Section) -> String {
    let mut out = format!("{}\n", s.title);
    for b in &s.blocks {
        out.push_str(&block_text(lib, b));
    }
    for c in &s.sections {
        out.push_str(&section_text(lib, c));
    }
    out
}

/// Whether `text` names `term` other than as one item of an enumeration
/// ("数码家电、教育、居家"): an item stands between 、 marks.
fn names_in_earnest(text: &str, term: &str) -> bool {
    text.match_indices(term).any(|(i, _)| {
        let before = text.get(..i).and_then(|t| t.chars().next_back());
        let after = text.get(i + term.len()..).and_then(|t| t.chars().next());
        before != Some('、') && after != Some('、')
    })
}

/// Per industry: its name and aliases, and the names of the companies in
/// the sections about it alone (its own chapter-3 part, say).
fn vocabulary(lib: &Library) -> HashMap<String, (Vec<String>, BTreeSet<String>)> {
    fn walk(
        lib: &Library,
        s: &Section,
        inherited: &[String],
        out: &mut HashMap<String, (Vec<String>, BTreeSet<String>)>,
    ) {
        let tags = if s.industries.is_empty() { inherited } else { &s.industries[..] };
        if let [only] = tags {
            for b in &s.blocks {
                let ids: Vec<&String> = match b {
                    Block::Participants(p) => p.groups.iter().flat_map(|g| &g.companies).collect(),
                    _ => vec![],
                };
                for c in ids.into_iter().filter_map(|id| lib.company(id)) {
                    let e = out.entry(only.clone()).or_default();
                    e.1.extend(std::iter::once(&c.name).chain(&c.aliases).cloned());
                }
            }
        }
        for c in &s.sections {
            walk(lib, c, tags, out);
        }
    }
    let mut out: HashMap<String, (Vec<String>, BTreeSet<String>)> = HashMap::new();
    for i in &lib.industries {
        out.entry(i.id.clone()).or_default().0 = std::iter::once(&i.name).chain(&i.aliases).cloned().collect();
    }
    for r in lib.reports() {
        for ch in &r.chapters {
            walk(lib, ch, &[], &mut out);
        }
    }
    out
}

/// What the walk checks: a section's id, the tags to check, the block (none
/// for the section itself) and the section.
type Check<'a> = dyn FnMut(&str, &[String], Option<&Block>, &Section) + 'a;

/// A block or section that carries its own industry tag names, in its own
/// text, one of that industry's terms (not as an item of a list) or one of
/// its companies, unless the tag is its section's already (tagged by its
/// section). The tags audit N-7, N-8 and N-13 found fail this.
#[test]
fn a_tag_is_named_by_the_tagged_text() {
    let lib = lib();
    let vocab = vocabulary(&lib);
    let names = |text: &str, ind: &str| {
        let (terms, companies) = &vocab[ind];
        terms.iter().any(|t| names_in_earnest(text, t)) || companies.iter().any(|c| text.contains(c.as_str()))
    };
    let mut bad = Vec::new();
    let mut checked = 0;
    fn walk(s: &Section, inherited: &[String], check: &mut Check) {
        let own: Vec<String> = s.industries.iter().filter(|i| !inherited.contains(i)).cloned().collect();
        check(&s.id, &own, None, s);
        let tags: Vec<String> = if s.industries.is_empty() { inherited.to_vec() } else { s.industries.clone() };
        for b in &s.blocks {
            let own: Vec<String> =
                b.industries().into_iter().filter(|i| !tags.iter().any(|t| t == i)).map(String::from).collect();
            check(&s.id, &own, Some(b), s);
        }
        for c in &s.sections {
            walk(c, &tags, check);
        }
    }
    let mut check = |id: &str, own: &[String], b: Option<&Block>, s: &Section| {
        if own.is_empty() {
            return;
        }
        let text = match b {
            Some(b) => block_text(&lib, b),
            None => section_text(&lib, s),
        };
        let title = b.and_then(Block::title).unwrap_or_default();
        for ind in own {
            checked += 1;
            let judged = JUDGED.iter().any(|(s, t, i, _)| *s == id && *t == title && i == ind);
            if !judged && !names(&text, ind) {
                let what = b.map_or("section".to_string(), |b| format!("{} {:?}", b.kind_name(), b.title()));
                bad.push(format!("{id} {what}: tagged {ind}"));
            }
        }
    };
    for r in lib.reports() {
        for ch in &r.chapters {
            walk(ch, &[], &mut check);
        }
    }
    assert!(bad.is_empty(), "tags from passing mentions:\n{}", bad.join("\n"));
    assert!(checked > 50, "{checked} tags checked");
}
