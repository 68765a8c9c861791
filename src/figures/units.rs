//! Units of figures, normalised before values are compared: a scale word
//! (万, 亿, 万亿 …) times a base (元, 美元, 个, EFLOPS …). Values in one
//! base compare on one scale; two currencies never mix unless a rate is
//! known (stated by the source or given by the user); `%` is a share and
//! `pct` / `个百分点` a difference of shares, and the two are kept apart.

use std::collections::BTreeMap;

/// What a unit measures: values of one dimension can be put on one scale.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    /// Money in a currency: its ISO code (CNY, USD, EUR, HKD, JPY, GBP).
    Money(&'static str),
    /// A share: `%`.
    Percent,
    /// A difference of shares: `pct`, `个百分点`, `百分点`.
    Points,
    /// Anything else, by its base word after the scale (个, 起, EFLOPS, 人).
    Other(String),
    /// No unit at all.
    Plain,
}

/// A unit as printed, read: its dimension and how many base units one of it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// The unit as the source prints it (trimmed).
    pub text: String,
    pub dim: Dim,
    pub factor: f64,
}

/// Scale words, longest first.
const SCALES: &[(&str, f64)] = &[
    ("万亿", 1e12),
    ("千亿", 1e11),
    ("百亿", 1e10),
    ("十亿", 1e9),
    ("亿", 1e8),
    ("千万", 1e7),
    ("百万", 1e6),
    ("十万", 1e5),
    ("万", 1e4),
    ("千", 1e3),
];

/// Currency words (after the scale) and their codes.
const CURRENCIES: &[(&str, &str)] = &[
    ("人民币元", "CNY"),
    ("元人民币", "CNY"),
    ("人民币", "CNY"),
    ("元", "CNY"),
    ("rmb", "CNY"),
    ("cny", "CNY"),
    ("美元", "USD"),
    ("usd", "USD"),
    ("欧元", "EUR"),
    ("eur", "EUR"),
    ("港元", "HKD"),
    ("港币", "HKD"),
    ("hkd", "HKD"),
    ("日元", "JPY"),
    ("jpy", "JPY"),
    ("英镑", "GBP"),
    ("gbp", "GBP"),
];

/// The Chinese name of a currency code, for messages (亿美元 …).
pub fn currency_name(code: &str) -> &'static str {
    match code {
        "CNY" => "元",
        "USD" => "美元",
        "EUR" => "欧元",
        "HKD" => "港元",
        "JPY" => "日元",
        "GBP" => "英镑",
        _ => "",
    }
}

/// A currency code from what a user types (`USD`, `usd`, `美元`).
pub fn currency_code(s: &str) -> Option<&'static str> {
    let t = s.trim().to_lowercase();
    CURRENCIES.iter().find(|(w, code)| *w == t || code.eq_ignore_ascii_case(&t)).map(|&(_, c)| c)
}

/// Read a unit as printed.
pub fn parse_unit(s: &str) -> Unit {
    let text = s.trim().to_string();
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
    let t = t.trim_start_matches(['（', '(']).trim_end_matches(['）', ')']);
    let t = t.strip_prefix("单位：").or_else(|| t.strip_prefix("单位:")).unwrap_or(t);
    let unit = |dim, factor| Unit { text: text.clone(), dim, factor };
    match t {
        "" => return unit(Dim::Plain, 1.0),
        "%" | "％" | "百分比" => return unit(Dim::Percent, 1.0),
        "pct" | "pcts" | "ppt" | "pp" | "个百分点" | "百分点" => return unit(Dim::Points, 1.0),
        _ => {}
    }
    let (factor, base) = SCALES
        .iter()
        .find_map(|&(w, f)| t.strip_prefix(w).filter(|b| !b.is_empty()).map(|b| (f, b)))
        .unwrap_or((1.0, t));
    // A scale word alone (万, 亿) counts plain things.
    let (factor, base) = match SCALES.iter().find(|(w, _)| *w == t) {
        Some(&(_, f)) => (f, ""),
        None => (factor, base),
    };
    match CURRENCIES.iter().find(|(w, _)| *w == base) {
        Some(&(_, code)) => unit(Dim::Money(code), factor),
        None if base.is_empty() => unit(Dim::Plain, factor),
        None => unit(Dim::Other(base.to_string()), factor),
    }
}

/// Exchange rates: yuan per unit of a currency (USD → 7.2).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rates(pub BTreeMap<&'static str, f64>);

impl Rates {
    /// Parse `USD=7.2` (the user's `--rate`): yuan per unit of the currency.
    pub fn parse_one(s: &str) -> Result<(&'static str, f64), String> {
        let (c, v) = s.split_once('=').ok_or_else(|| format!("{s}: expected CURRENCY=RATE, e.g. USD=7.2"))?;
        let code = currency_code(c).ok_or_else(|| format!("{s}: unknown currency {c}"))?;
        let rate: f64 = v.trim().parse().map_err(|_| format!("{s}: {v} is not a number"))?;
        if !(rate.is_finite() && rate > 0.0) || code == "CNY" {
            return Err(format!("{s}: the rate must be a positive number of yuan per {c}"));
        }
        Ok((code, rate))
    }
}

/// A rate the source states in a text: `1美元=7.2元`, `1美元兑7.1人民币`,
/// `美元兑人民币汇率7.2`, `汇率按7.2计`(with 美元 named). Yuan per unit.
pub fn stated_rate(text: &str) -> Option<(&'static str, f64)> {
    for &(word, code) in CURRENCIES.iter().filter(|(_, c)| *c != "CNY") {
        if word.is_ascii() {
            continue;
        }
        let Some(at) = text.find(word) else { continue };
        let rest = text.get(at + word.len()..).unwrap_or("");
        let linked = ["=", "＝", "兑", "约合", "折合"].iter().any(|w| rest.starts_with(w));
        let one = text.get(..at).unwrap_or("").ends_with('1');
        if !(linked || one || text.contains("汇率")) {
            continue;
        }
        let rest = rest.trim_start_matches(['=', '＝', '兑', '约', '合', '折', ' ']);
        let rest = rest.strip_prefix("人民币").unwrap_or(rest).trim_start_matches(['汇', '率', '按', '为', ' ']);
        let num: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let after = rest.get(num.len()..).unwrap_or("");
        if num.is_empty() || !(after.starts_with('元') || after.starts_with("人民币") || text.contains("汇率")) {
            continue;
        }
        if let Ok(v) = num.parse::<f64>()
            && v.is_finite()
            && v > 0.0
        {
            return Some((code, v));
        }
    }
    None
}

/// A value as printed in a metric (`6,157`, `约40%`, `超5,900`): the number,
/// the unit printed inside the value (`%`, `pct`, `亿元`), and whether it
/// is a bound (近, 超, 逾, 约 …) rather than the figure itself. A range
/// (`10pct-40pct`) or anything else is not one value: `None`.
pub fn parse_value(v: &str) -> Option<(f64, String, bool)> {
    let t: String = v.trim().chars().filter(|&c| c != ',' && c != '，' && !c.is_whitespace()).collect();
    let mut s = t.as_str();
    let mut bound = false;
    for q in ["超过", "超", "逾", "近", "约", "达", "~", "≈", "＞", ">", "<", "＜"] {
        if let Some(r) = s.strip_prefix(q) {
            s = r;
            bound = true;
            break;
        }
    }
    let neg = s.starts_with(['-', '−']);
    let s = s.trim_start_matches(['-', '−', '+']);
    let num: String = s.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    if num.is_empty() || num.starts_with('.') {
        return None;
    }
    let rest = s.get(num.len()..).unwrap_or("");
    if rest.chars().any(|c| c.is_ascii_digit() || c == '-' || c == '~' || c == '～' || c == '至') {
        return None;
    }
    let mut x: f64 = num.parse().ok()?;
    if neg {
        x = -x;
    }
    let rest = rest.trim_end_matches(['+', '以', '上', '内']);
    x.is_finite().then(|| (x, rest.to_string(), bound))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_as_scale_times_base() {
        let cases: &[(&str, Dim, f64)] = &[
            ("亿元", Dim::Money("CNY"), 1e8),
            ("万亿元", Dim::Money("CNY"), 1e12),
            ("万元", Dim::Money("CNY"), 1e4),
            ("元", Dim::Money("CNY"), 1.0),
            ("百万元", Dim::Money("CNY"), 1e6),
            ("亿元人民币", Dim::Money("CNY"), 1e8),
            ("（亿元）", Dim::Money("CNY"), 1e8),
            ("单位：万元", Dim::Money("CNY"), 1e4),
            ("亿美元", Dim::Money("USD"), 1e8),
            ("万亿美元", Dim::Money("USD"), 1e12),
            ("美元", Dim::Money("USD"), 1.0),
            ("USD", Dim::Money("USD"), 1.0),
            ("%", Dim::Percent, 1.0),
            ("％", Dim::Percent, 1.0),
            ("pct", Dim::Points, 1.0),
            ("个百分点", Dim::Points, 1.0),
            ("百分点", Dim::Points, 1.0),
            ("个", Dim::Other("个".into()), 1.0),
            ("万个", Dim::Other("个".into()), 1e4),
            ("EFLOPS", Dim::Other("eflops".into()), 1.0),
            ("万", Dim::Plain, 1e4),
            ("", Dim::Plain, 1.0),
        ];
        for (text, dim, factor) in cases {
            let u = parse_unit(text);
            assert_eq!((&u.dim, u.factor), (dim, *factor), "{text}");
            assert_eq!(u.text, text.trim());
        }
    }

    #[test]
    fn values_as_printed() {
        assert_eq!(parse_value("6,157"), Some((6157.0, String::new(), false)));
        assert_eq!(parse_value("40%"), Some((40.0, "%".into(), false)));
        assert_eq!(parse_value("4pct"), Some((4.0, "pct".into(), false)));
        assert_eq!(parse_value("超5,900"), Some((5900.0, String::new(), true)));
        assert_eq!(parse_value("2.6"), Some((2.6, String::new(), false)));
        assert_eq!(parse_value("-3.5%"), Some((-3.5, "%".into(), false)));
        assert_eq!(parse_value("10pct-40pct"), None, "a range is not one value");
        assert_eq!(parse_value("3-5年"), None);
        assert_eq!(parse_value("领先"), None);
        assert_eq!(parse_value(""), None);
    }

    #[test]
    fn rates_stated_or_given() {
        assert_eq!(stated_rate("按1美元=7.2元人民币换算"), Some(("USD", 7.2)));
        assert_eq!(stated_rate("以1美元兑7.1人民币计"), Some(("USD", 7.1)));
        assert_eq!(stated_rate("美元兑人民币汇率按7.25计"), Some(("USD", 7.25)));
        assert_eq!(stated_rate("数据来源：IDC，单位亿美元"), None);
        assert_eq!(Rates::parse_one("USD=7.2"), Ok(("USD", 7.2)));
        assert_eq!(Rates::parse_one("美元=7.2"), Ok(("USD", 7.2)));
        assert!(Rates::parse_one("USD=0").is_err());
        assert!(Rates::parse_one("USD=x").is_err());
        assert!(Rates::parse_one("XYZ=1").is_err());
        assert!(Rates::parse_one("USD").is_err());
    }
}
