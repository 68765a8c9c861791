//! The normalised key of a measure's label: what is left of
//! `中国AI大模型市场规模，2023-2028E（亿元）` to compare with other
//! reports' labels (`中国大模型市场规模`). Years, units, qualifiers and
//! punctuation go; the aliases of `data/measures.yaml` apply.

use super::units::{Dim, parse_unit};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The alias tables (`data/measures.yaml`), data rather than code.
pub const MEASURES_YAML: &str = include_str!("../../data/measures.yaml");

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Tables {
    #[serde(default)]
    latin: HashMap<String, String>,
    #[serde(default)]
    words: Vec<(String, String)>,
    #[serde(default)]
    drop: Vec<String>,
}

#[derive(Debug, Default)]
struct Aliases {
    latin: HashMap<String, String>,
    /// Longest first.
    words: Vec<(String, String)>,
    /// Longest first.
    drop: Vec<String>,
}

fn parse_tables(text: &str) -> Result<Aliases, String> {
    // `words` is a map in the file; read it in order as pairs.
    let v: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
    let mut t = Tables::default();
    let map = v.as_mapping().ok_or("data/measures.yaml: not a mapping")?;
    for (k, val) in map {
        match k.as_str() {
            Some("latin") => t.latin = serde_yaml::from_value(val.clone()).map_err(|e| format!("latin: {e}"))?,
            Some("words") => {
                let m = val.as_mapping().ok_or("words: not a mapping")?;
                for (a, b) in m {
                    let (Some(a), Some(b)) = (a.as_str(), b.as_str()) else { return Err("words: not text".into()) };
                    t.words.push((a.to_string(), b.to_string()));
                }
            }
            Some("drop") => t.drop = serde_yaml::from_value(val.clone()).map_err(|e| format!("drop: {e}"))?,
            other => return Err(format!("data/measures.yaml: unknown key {other:?}")),
        }
    }
    let fold = |s: &str| fold_width(s).to_lowercase();
    let mut words: Vec<(String, String)> = t.words.iter().map(|(a, b)| (fold(a), fold(b))).collect();
    words.sort_by_key(|(a, _)| std::cmp::Reverse(a.chars().count()));
    let mut drop: Vec<String> = t.drop.iter().map(|d| fold(d)).collect();
    drop.sort_by_key(|d| std::cmp::Reverse(d.chars().count()));
    Ok(Aliases { latin: t.latin.iter().map(|(a, b)| (fold(a), fold(b))).collect(), words, drop })
}

fn aliases() -> &'static Aliases {
    static A: OnceLock<Aliases> = OnceLock::new();
    // The file is bundled and tested: a bad one leaves only the plain normalisation.
    A.get_or_init(|| parse_tables(MEASURES_YAML).unwrap_or_default())
}

/// Full-width ASCII (ＡＩ，２０２４) as ASCII.
fn fold_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

/// Whether a bracket's content says how or when, not what: a year or
/// date, a unit, a Latin abbreviation, or qualifiers only.
fn bracket_is_noise(inner: &str) -> bool {
    let t = inner.trim();
    if t.is_empty() || t.chars().any(|c| c.is_ascii_digit()) || t.starts_with("单位") {
        return true;
    }
    if t.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-' || c == '&') {
        return true;
    }
    if matches!(parse_unit(t).dim, Dim::Money(_) | Dim::Percent | Dim::Points) {
        return true;
    }
    let a = aliases();
    t.split(['，', ',', '、', ' ']).filter(|p| !p.is_empty()).all(|p| a.drop.iter().any(|d| d == p))
}

/// Leave out brackets that are noise; keep the words of the others.
fn strip_brackets(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(open) = rest.find(['（', '(', '【', '[']) {
        out.push_str(rest.get(..open).unwrap_or(""));
        let after = rest.get(open..).unwrap_or("");
        let ch = after.chars().next().unwrap_or('(');
        let close = match ch {
            '（' => '）',
            '【' => '】',
            '[' => ']',
            _ => ')',
        };
        let body = after.get(ch.len_utf8()..).unwrap_or("");
        match body.find([close, if close == '）' { ')' } else { '）' }]) {
            Some(end) => {
                let inner = body.get(..end).unwrap_or("");
                if !bracket_is_noise(inner) {
                    out.push_str(inner);
                }
                let c = body.get(end..).and_then(|b| b.chars().next()).map_or(1, char::len_utf8);
                rest = body.get(end + c..).unwrap_or("");
            }
            None => {
                rest = body;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Leave out years and periods: 2024, 2028E, 2024年, 2024H1, 2024.11,
/// 2020-2024E, 2023-2032年, 2025年上半年.
fn strip_years(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let is_year = |i: usize| {
        i + 4 <= chars.len()
            && chars[i..i + 4].iter().all(|c| c.is_ascii_digit())
            && (chars[i] == '1' && chars[i + 1] == '9' || chars[i] == '2' && chars[i + 1] == '0')
            && (i == 0 || !chars[i - 1].is_ascii_digit())
            && chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
    };
    while i < chars.len() {
        if !is_year(i) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 4;
        loop {
            let rest: String = chars[i..].iter().take(3).collect();
            let skip = if rest.starts_with("上半年") || rest.starts_with("下半年") {
                3
            } else if rest.starts_with("年末") || rest.starts_with("年底") || rest.starts_with("年初") {
                2
            } else if rest.starts_with(['年', 'E', 'e', '月']) {
                1
            } else if rest.starts_with(['H', 'h', 'Q', 'q']) && rest.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
            {
                2
            } else if rest.starts_with(['.', '/'])
                && rest.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
                && !is_year(i + 1)
            {
                1 + chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count().min(2)
            } else if rest.starts_with(['-', '–', '—', '~', '～', '至']) && is_year(i + 1) {
                1 + 4
            } else if rest.starts_with(['-', '–', '—', '~', '～', '至'])
                && rest.chars().nth(1).is_some_and(|c| c.is_ascii_digit())
            {
                // 2024.01-2024.12, 2025年1-5月
                1 + chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count().min(2)
            } else if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) && !is_year(i) {
                // The month of 2024年1-5月.
                chars[i..].iter().take_while(|c| c.is_ascii_digit()).count().min(2)
            } else {
                0
            };
            if skip == 0 {
                break;
            }
            i += skip;
        }
    }
    out
}

/// The normalised key of a label: lower case, without years, units,
/// qualifiers and punctuation, with the aliases applied.
pub fn measure_key(label: &str) -> String {
    let a = aliases();
    let s = fold_width(label).to_lowercase();
    let s = strip_brackets(&s);
    let s = strip_years(&s);
    // Keep letters, digits and CJK; Latin words stay apart by a space for now.
    let mut t = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            t.push(c);
        } else if !t.ends_with(' ') {
            t.push(' ');
        }
    }
    // Latin words alias whole (ai, llm), never inside another word (openai).
    let mut out = String::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            out.push_str(a.latin.get(word.as_str()).map_or(word.as_str(), String::as_str));
            word.clear();
        }
    };
    for c in t.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            if c != ' ' {
                out.push(c);
            }
        }
    }
    flush(&mut word, &mut out);
    for (from, to) in &a.words {
        if out.contains(from.as_str()) {
            out = out.replace(from.as_str(), to);
        }
    }
    // Qualifiers at either end only: 超 or 近 inside a word (超算, 近场) stay.
    loop {
        let before = out.len();
        for d in &a.drop {
            if let Some(r) = out.strip_prefix(d.as_str()) {
                out = r.to_string();
            }
            if let Some(r) = out.strip_suffix(d.as_str()) {
                out = r.to_string();
            }
        }
        if out.len() == before {
            break;
        }
    }
    out
}

/// A key's pinyin: every syllable in full, and their initials; other
/// characters (Latin, digits) as they are.
pub fn pinyin_of(key: &str) -> (String, String) {
    use pinyin::ToPinyin;
    let (mut full, mut initials) = (String::new(), String::new());
    for c in key.chars() {
        match c.to_pinyin() {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None => {
                full.push(c);
                initials.push(c);
            }
        }
    }
    (full, initials)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_alias_file_reads() {
        let a = parse_tables(MEASURES_YAML).expect("data/measures.yaml");
        assert_eq!(a.latin.get("ai").map(String::as_str), Some("人工智能"));
        assert!(a.words.windows(2).all(|w| w[0].0.chars().count() >= w[1].0.chars().count()));
        assert!(parse_tables("nope: 1").is_err());
    }

    #[test]
    fn labels_normalise_to_one_key() {
        let cases: &[(&str, &str)] = &[
            ("中国AI大模型市场规模", "中国大模型市场规模"),
            ("中国大模型市场规模，2023-2029E（单位：亿元）", "中国大模型市场规模"),
            ("2024年中国AI大模型市场规模", "中国大模型市场规模"),
            ("2028年中国AI大模型市场规模（预计）", "中国大模型市场规模"),
            ("中国人工智能大模型市场规模（亿元）", "中国大模型市场规模"),
            ("全球大型语言模型（LLM）市场规模", "全球大模型市场规模"),
            ("2023年LLM市场规模", "大模型市场规模"),
            ("2030年全球人工智能市场规模（预计突破）", "全球人工智能市场规模"),
            ("2024年全球AI市场规模", "全球人工智能市场规模"),
            ("全球人工智能企业分布，2024H1", "全球人工智能企业分布"),
            ("备案生成式大模型分布（按模态），2024.11", "备案生成式大模型分布按模态"),
            ("中国大模型中标项目，2024.01-2024.12", "中国大模型中标项目"),
            ("中国ＡＩ大模型市场规模", "中国大模型市场规模"),
            ("OpenAI营收", "openai营收"),
            ("中国大模型产业整体规模及预测，2020-2075E", "中国大模型产业整体规模"),
            ("5G基站数量", "5g基站数量"),
            ("截至2025年上半年中国超算中心数量（近）", "中国超算中心数量"),
        ];
        for (label, key) in cases {
            assert_eq!(measure_key(label), *key, "{label}");
        }
        // Different measures stay apart.
        assert_ne!(measure_key("中国大模型产业整体规模"), measure_key("中国大模型市场规模"));
        assert_ne!(measure_key("中国金融大模型市场规模"), measure_key("中国政务大模型市场规模"));
    }

    #[test]
    fn pinyin_in_full_and_initials() {
        assert_eq!(pinyin_of("大模型"), ("damoxing".into(), "dmx".into()));
        assert_eq!(pinyin_of("5g基站"), ("5gjizhan".into(), "5gjz".into()));
    }
}
