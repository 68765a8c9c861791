//! A synthetic converted report, for the import benchmark and the
//! `#[ignore]` measurement test of import time against input size: numbered
//! chapters and sections, paragraphs with figures, pipe and tab tables,
//! lists, captions, 资料来源 lines and page markers. Invented text, for
//! timing only; never content.

/// A converted report of about `bytes` bytes, every construct the importer reads.
pub fn synthetic_markdown(bytes: usize) -> String {
    let mut s = String::from("# 某某行业深度研究报告\n\n某某证券研究所\n\n2024年3月15日\n\n");
    let (mut ch, mut page) = (0usize, 0usize);
    while s.len() < bytes {
        ch += 1;
        s.push_str(&format!("# 第{ch}章 行业发展第{ch}阶段的回顾与展望\n\n"));
        for sec in 1..=6 {
            s.push_str(&format!("## {ch}.{sec} 细分市场{sec}的规模与格局\n\n"));
            for p in 1..=4 {
                s.push_str(&format!(
                    "2023年细分市场{sec}的规模达到{}.{p}亿元，同比增长{}%，其中**头部企业**的份额为{}%，较上年提高{}.{}个百分点。\
                     我们认为，随着政策推进与技术迭代，行业将在2025年前后进入新的增长阶段，龙头公司的竞争优势有望进一步扩大，\
                     中小企业则需要在细分领域寻找差异化的机会。\n\n",
                    100 + ch * 7 + sec,
                    5 + (p * sec) % 20,
                    30 + sec,
                    p,
                    sec
                ));
            }
            s.push_str(&format!("图表{ch}{sec}：细分市场{sec}规模（亿元）\n\n"));
            s.push_str("| 指标 | 2021 | 2022 | 2023 | 2024E |\n|---|---|---|---|---|\n");
            s.push_str(&format!(
                "| 市场规模（亿元） | {} | {} | {} | {} |\n",
                80 + sec,
                90 + sec,
                100 + sec,
                115 + sec
            ));
            s.push_str(&format!("| 增速（%） | {}.5% | {}.2% | {}.1% | {}.0% |\n\n", 10 + sec, 11 + sec, 12 + sec, 13));
            s.push_str("资料来源：公司公告，某某证券研究所\n\n");
            s.push_str("- 政策支持力度加大\n- 下游需求持续增长\n- 技术成本快速下降\n\n");
            s.push_str("地区\t企业数\t份额\n华东\t120\t35%\n华南\t98\t28%\n华北\t75\t21%\n\n");
            s.push_str(&format!("--- end of page={page} ---\n\n"));
            page += 1;
        }
    }
    s
}
