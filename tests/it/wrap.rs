//! Property tests for the layout rules of Chinese text.

use proptest::prelude::*;
use yanbao::doc::{bar, column_widths};
use yanbao::text::{char_width, is_closing, is_opening, truncate, width, wrap, wrap_ranges};

/// Mixed Chinese, Latin, digits, spaces and punctuation.
fn mixed() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "人工智能",
        "产业",
        "，",
        "。",
        "、",
        "；",
        "：",
        "？",
        "！",
        "）",
        "》",
        "」",
        "』",
        "”",
        "（",
        "《",
        "「",
        "“",
        "——",
        "……",
        "AI",
        "DeepSeek",
        " ",
        "2028E",
        "6,157亿美元",
        "78%",
        "GPT-4o",
        "大模型",
        "金融",
        "a",
        "中",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn no_line_is_wider_than_the_width(s in mixed(), w in 1usize..120) {
        for l in wrap(&s, w) {
            // Only a single character wider than the line may overflow it.
            prop_assert!(width(&l) <= w || l.chars().count() == 1, "{l:?} at {w}");
        }
    }

    #[test]
    fn lines_join_back_into_the_text(s in mixed(), w in 1usize..120) {
        let joined: String = wrap(&s, w).concat();
        let strip = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        prop_assert_eq!(strip(&joined), strip(&s));
        // Ranges are in order and never overlap.
        let r = wrap_ranges(&s, w);
        for pair in r.windows(2) {
            prop_assert!(pair[0].end <= pair[1].start);
        }
    }

    #[test]
    fn closing_punctuation_never_starts_a_line_unless_forced(s in mixed(), w in 1usize..120) {
        let lines = wrap(&s, w);
        for pair in lines.windows(2) {
            let (prev, next) = (&pair[0], &pair[1]);
            let (Some(last), Some(first)) = (prev.chars().last(), next.chars().next()) else { continue };
            if is_closing(first) {
                // Forced: the previous line's last character and this one could not share a line.
                // Forced: the pair cannot share a line, or moving the last
                // character down would leave the previous line empty.
                prop_assert!(char_width(last) + char_width(first) > w || prev.trim().chars().count() == 1,
                    "{prev:?} | {next:?} at {w}");
            }
        }
    }

    #[test]
    fn opening_punctuation_never_ends_a_line_unless_forced(s in mixed(), w in 4usize..120) {
        let lines = wrap(&s, w);
        for l in &lines[..lines.len().saturating_sub(1)] {
            if let Some(last) = l.chars().last() {
                prop_assert!(!is_opening(last) || l.chars().count() == 1, "{l:?} at {w}");
            }
        }
    }

    #[test]
    fn truncation_fits_and_never_splits(s in mixed(), w in 0usize..60) {
        let t = truncate(&s, w);
        prop_assert!(width(&t) <= w);
        if width(&s) > w && w > 0 {
            prop_assert!(t.ends_with('…'));
            let kept = t.trim_end_matches('…');
            prop_assert!(s.starts_with(kept));
        }
    }

    #[test]
    fn bars_are_proportional_and_fit(v in 0.0f64..1e6, max_extra in 0.0f64..1e6, cells in 1usize..200) {
        let max = v + max_extra;
        let b = bar(v, max, cells, false);
        prop_assert!(width(&b) <= cells);
        if max > 0.0 && v > 0.0 {
            let eighths: usize = b.chars().map(|c| match c {
                '█' => 8, '▉' => 7, '▊' => 6, '▋' => 5, '▌' => 4, '▍' => 3, '▎' => 2, '▏' => 1, _ => 0,
            }).sum();
            let exact = v / max * cells as f64 * 8.0;
            prop_assert!((eighths as f64 - exact).abs() <= 1.0 || (exact < 1.0 && eighths == 1), "{eighths} vs {exact}");
        }
    }

    #[test]
    fn table_columns_fit_the_room(nat in prop::collection::vec(1usize..80, 1..8), avail in 1usize..200) {
        let ws = column_widths(&nat, avail, 4);
        let min_total: usize = nat.iter().map(|n| (*n).min(4)).sum();
        prop_assert!(ws.iter().sum::<usize>() <= avail.max(min_total));
        for (w, n) in ws.iter().zip(&nat) {
            prop_assert!(*w <= *n && *w >= (*n).min(4));
        }
    }
}

#[test]
fn known_layouts() {
    let lines = wrap("金融与政务的渗透率分别达到78%和95%，说明合规刚需。", 10);
    assert_eq!(lines, ["金融与政务", "的渗透率分", "别达到78%", "和95%，说", "明合规刚", "需。"]);
    assert_eq!(wrap("全球AI治理（风险分级）成为核心", 8), ["全球AI治", "理（风险", "分级）成", "为核心"]);
    assert_eq!(wrap("第二章——产业全景", 6), ["第二章", "——产业", "全景"]);
}
