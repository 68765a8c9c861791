#![allow(dead_code)]
//! The figure extraction of ../shared/tools/check-figures, ported: shared by
//! tests/export.rs and tests/import.rs.

/// `NUM` of check-figures: `(?<![\d.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?`,
/// matched left to right without overlap, as `re.finditer` does.
pub fn numbers(text: &str) -> Vec<String> {
    let c: Vec<char> = text.chars().collect();
    let digit = |i: usize| c.get(i).is_some_and(|x| x.is_ascii_digit());
    let run = |i: usize| (i..).take_while(|&j| digit(j)).count();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let preceded = i > 0 && (digit(i - 1) || c[i - 1] == '.');
        if !digit(i) || preceded {
            i += 1;
            continue;
        }
        // First alternative: 1-3 digits, then one or more ",ddd" groups.
        let lead = run(i);
        let mut end = None;
        if lead <= 3 {
            let mut j = i + lead;
            while c.get(j) == Some(&',') && (1..=3).all(|k| digit(j + k)) {
                j += 4;
            }
            if j > i + lead {
                end = Some(j);
            }
        }
        let mut j = end.unwrap_or(i + lead);
        // An optional ".ddd…".
        if c.get(j) == Some(&'.') && digit(j + 1) {
            j += 1 + run(j + 1);
        }
        out.push(c[i..j].iter().collect());
        i = j;
    }
    out
}

/// `norm` of check-figures: '1,108' -> '1108', '24.50' -> '24.5', '07' -> '7'.
pub fn norm(tok: &str) -> String {
    let mut t = tok.replace(',', "");
    if t.contains('.') {
        t = t.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    let mut t = t.trim_start_matches('0').to_string();
    if t.is_empty() {
        t = "0".into();
    }
    if t.starts_with('.') {
        t.insert(0, '0');
    }
    t
}

/// `figures` of check-figures: normalised numbers, integers 0..10 skipped.
pub fn figures(text: &str) -> Vec<String> {
    numbers(text)
        .iter()
        .map(|n| norm(n))
        .filter(|n| n.contains('.') || n.parse::<u64>().map_or(true, |v| v > 10))
        .collect()
}

/// `NOISE` of check-figures: lines of the sources that carry no report figures.
pub fn noise(line: &str) -> bool {
    ["-----", "电话", "传真", "邮政编码", "通讯地址", "联系", "www.", "http", "@"].iter().any(|w| line.contains(w))
        || line.split("Chapter ").skip(1).any(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// Every figure check-figures counts in a source text (its non-noise lines).
pub fn source_figures(text: &str) -> Vec<String> {
    text.lines().filter(|l| !noise(l)).flat_map(figures).collect()
}
