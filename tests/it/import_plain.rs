//! pdftotext's plain text (issue 20, the parts found missing on real
//! reports): headings its table of contents names, numbers alone on their
//! line, numbered lines of the summary before the table of contents, tables
//! set with spaces (`pdftotext -layout`); and the companies and industry
//! tags an import finds, with their evidence. Fixtures written for each
//! construct (no text of the samples).

use yanbao::content::{Block, Section};
use yanbao::import::{Encoding, Imported, import, validate};

fn imp(name: &str, text: &str) -> Imported {
    let i = import(name, text.as_bytes(), Encoding::Utf8).expect("imports");
    let errors = validate(&i);
    assert!(errors.is_empty(), "{errors:?}");
    i
}

use crate::common::imported::library;

/// (depth, heading) of every section, in reading order.
fn outline(i: &Imported) -> Vec<(usize, String)> {
    crate::common::imported::outline(i).into_iter().map(|(d, h, _)| (d, h)).collect()
}

fn sections(i: &Imported) -> Vec<Section> {
    fn walk(s: &Section, out: &mut Vec<Section>) {
        out.push(s.clone());
        s.sections.iter().for_each(|c| walk(c, out));
    }
    let lib = library(i);
    let mut out = Vec::new();
    for r in lib.reports() {
        r.chapters.iter().for_each(|c| walk(c, &mut out));
    }
    out
}

fn tables(i: &Imported) -> Vec<yanbao::content::Table> {
    sections(i)
        .into_iter()
        .flat_map(|s| s.blocks)
        .filter_map(|b| if let Block::Table(t) = b { Some(t) } else { None })
        .collect()
}

const BODY: &str = "这是一段足够长的正文，用来给出正文的宽度，它会一直写下去直到行尾为止，\n";

/// A pdftotext page: its lines, then a form feed.
fn page(lines: &str) -> String {
    format!("{lines}\n\x0c")
}

#[test]
fn headings_the_table_of_contents_names_are_headings_once() {
    let toc = "目录\n市场回顾 .................................................. 2\n\
               因子构建 .................................................. 2\n\
               总结 ...................................................... 3\n";
    let text = [
        page(&format!("某某证券研究所\n\n{toc}")),
        page(&format!("市场回顾\n{BODY}{BODY}\n因子构建\n{BODY}{BODY}")),
        // "市场回顾" again, as a label over a figure: no second heading.
        page(&format!("市场回顾\n{BODY}\n总结\n{BODY}{BODY}")),
    ]
    .concat();
    let i = imp("20240101-某某证券-因子研究.txt", &text);
    assert_eq!(outline(&i), vec![(0, "市场回顾".into()), (0, "因子构建".into()), (0, "总结".into())]);
}

#[test]
fn a_number_alone_on_its_line_joins_its_title() {
    let text = format!(
        "{BODY}\n1.\n\n前言\n{BODY}{BODY}\n2.\n\n数据分析\n{BODY}\n2.1\n\n日内信号\n\n{BODY}{BODY}\n\
         表中的数字：\n1.52\n总计\n0.35\n1.10\n资料来源：某某数据\n\n{BODY}"
    );
    let i = imp("p.txt", &text);
    assert_eq!(
        outline(&i).into_iter().filter(|(_, t)| t != "正文").collect::<Vec<_>>(),
        vec![(0, "1 前言".into()), (0, "2 数据分析".into()), (1, "2.1 日内信号".into())]
    );
}

#[test]
fn numbered_lines_of_the_summary_are_no_chapters_and_chapters_keep_their_order() {
    let text = [
        page(&format!("投资要点\n本文构造了两个因子：\n（1）主力强度因子\n{BODY}（2）主力情绪因子\n{BODY}")),
        page(
            "目录\n1、 从数据中提炼因子 ........................................ 3\n\
              1.1、 分布特征 ................................................ 3\n\
              2、 因子实践 .................................................. 4\n",
        ),
        page(&format!("1、 从数据中提炼因子\n{BODY}{BODY}\n1.1、 分布特征\n{BODY}{BODY}")),
        page(&format!("2、 因子实践\n{BODY}{BODY}")),
    ]
    .concat();
    let i = imp("p.txt", &text);
    let o: Vec<(usize, String)> = outline(&i).into_iter().filter(|(_, t)| t != "投资要点").collect();
    assert_eq!(o, vec![(0, "1 从数据中提炼因子".into()), (1, "1.1 分布特征".into()), (0, "2 因子实践".into())]);
}

#[test]
fn tables_set_with_spaces_are_rebuilt_with_every_number() {
    // Each line as pdftotext -layout prints it (leading spaces kept).
    let table = [
        "表 1：盈利预测",
        "                      2021A       2022A      2023E",
        "营业收入（亿元）      120.5       135.2      150.3",
        "同比增长（%）          12.3        12.2       11.2",
        "净利润（亿元）         -1.6         0.8        —",
        "资料来源：公司公告，某某研究所",
    ]
    .join("\n");
    let prose = [
        "我们认为行业将继续增长      海外市场的需求也在恢复之中",
        "政策的推进带来新的机会      龙头公司的份额有望提升",
    ]
    .join("\n");
    let text = format!("{BODY}{BODY}\n{table}\n\n{BODY}\n{prose}\n\n{BODY}");
    let i = imp("p.txt", &text);
    let t = tables(&i);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].title.as_deref(), Some("表 1：盈利预测"));
    assert_eq!(t[0].columns, ["", "2021A", "2022A", "2023E"]);
    let rows: Vec<Vec<&str>> = t[0].rows.iter().map(|r| r.iter().map(|c| c.0.as_str()).collect()).collect();
    assert_eq!(
        rows,
        vec![
            vec!["营业收入（亿元）", "120.5", "135.2", "150.3"],
            vec!["同比增长（%）", "12.3", "12.2", "11.2"],
            vec!["净利润（亿元）", "-1.6", "0.8", "—"],
        ]
    );
    assert_eq!(t[0].notes, ["资料来源：公司公告，某某研究所"]);
    // The two columns of prose stay text.
    let texts: Vec<String> = sections(&i)
        .into_iter()
        .flat_map(|s| s.blocks)
        .filter_map(|b| if let Block::Text(t) = b { Some(t.text) } else { None })
        .collect();
    assert!(texts.iter().any(|t| t.contains("我们认为行业将继续增长")), "{texts:?}");
}

#[test]
fn a_table_laid_out_by_display_width_is_rebuilt() {
    // Columns aligned for a terminal: a Chinese character is two columns wide.
    let text =
        format!("{BODY}\n指标          2022    2023\n收入          10.1    12.4\n利润率        3.5%    4.1%\n\n{BODY}");
    let i = imp("p.txt", &text);
    let t = tables(&i);
    assert_eq!(t.len(), 1, "{t:?}");
    assert_eq!(t[0].columns, ["指标", "2022", "2023"]);
    assert_eq!(t[0].rows[1].iter().map(|c| c.0.as_str()).collect::<Vec<_>>(), ["利润率", "3.5%", "4.1%"]);
}

#[test]
fn companies_are_counted_and_a_name_inside_a_longer_word_is_none() {
    let text = "# 通信行业研究\n\n## 一、运营商\n\n2024年中国电信业务收入累计完成1.74万亿元。\n\n\
                中国电信发布了新的模型，华为与华为云也有新品。\n\n\
                约 287,360 份合约完成交易。\n";
    let i = imp("p.md", text);
    let c = &i.provenance.companies;
    assert_eq!(c.get("中国电信"), Some(&1), "{c:?}");
    assert_eq!(c.get("华为"), Some(&1), "{c:?}");
    assert_eq!(c.get("华为云"), Some(&1), "{c:?}");
    assert_eq!(c.get("360智脑"), None, "{c:?}");
}

/// The industries of the sections, by heading.
fn tags(i: &Imported) -> Vec<(String, Vec<String>)> {
    sections(i).into_iter().filter(|s| !s.industries.is_empty()).map(|s| (s.heading(), s.industries)).collect()
}

#[test]
fn an_industry_in_a_heading_tags_its_section_with_the_evidence() {
    let text = format!("# 报告\n\n## 一、医疗服务的数字化\n\n{BODY}\n## 二、其他\n\n{BODY}");
    let i = imp("p.md", &text);
    assert_eq!(tags(&i), vec![("一 医疗服务的数字化".to_string(), vec!["healthcare".to_string()])]);
    let ev: Vec<_> = i.provenance.industries.values().collect();
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["healthcare"].get("医疗服务"), Some(&1), "{ev:?}");
}

#[test]
fn one_passing_word_tags_nothing_and_many_mentions_do() {
    let passing = format!("# 报告\n\n## 一、市场\n\n医院的采购也有增长。\n\n{BODY}");
    assert!(tags(&imp("p.md", &passing)).is_empty());
    let many = "# 报告\n\n## 一、市场\n\n医院的采购增长，医院的数量增加，医院的床位紧张。\n\n\
                医院与医药企业合作，医药研发投入提高。\n";
    let i = imp("p.md", many);
    assert_eq!(tags(&i), vec![("一 市场".to_string(), vec!["healthcare".to_string()])]);
    let ev: Vec<_> = i.provenance.industries.values().collect();
    assert_eq!(ev[0]["healthcare"].get("医院"), Some(&4));
    assert_eq!(ev[0]["healthcare"].get("医药"), Some(&2));
}

#[test]
fn a_brokers_name_and_disclaimer_do_not_tag_finance() {
    let mut text = String::from("# 某某行业研究\n\n某某证券股份有限公司\n\n## 一、行业\n\n");
    for k in 0..6 {
        text.push_str(&format!("第{k}段。{BODY}\n资料来源：万得，某某证券研究所\n\n某某证券研究所认为需求向好。\n\n"));
    }
    text.push_str("## 免责声明\n\n本公司具有中国证监会核准的证券投资咨询业务资格。证券市场有风险。\n");
    let i = imp("20240101-某某证券-行业研究.md", &text);
    assert!(tags(&i).is_empty(), "{:?}", i.provenance.industries);
}

#[test]
fn headings_that_differ_only_in_their_numbers_are_no_running_header() {
    // Each page opens with a section heading: "## 1.1 …", "## 1.2 …", …;
    // with their digits masked they look alike, but a heading is no header.
    let mut text = String::from("# 第1章 市场\n\n");
    for k in 1..=6 {
        text.push_str(&format!("## 1.{k} 细分市场{k}的规模\n\n{BODY}\n--- end of page={} ---\n\n", k - 1));
    }
    let i = imp("p.md", &text);
    let o = outline(&i);
    assert_eq!(o.len(), 7, "{o:?}");
    assert_eq!(o[6], (1, "1.6 细分市场6的规模".to_string()));
}
