//! Formatting shared by the page layout (`doc`), the search index (`search`)
//! and the renderer: numbers as the sources print them, and where a node is.
//! It depends only on `content`, so `doc` and `search` need not import each other.

use crate::content::{Library, NodeId};

/// Where a node is: its ancestry, report included ("报告 › 第二章 › 2.3 …").
pub fn location(lib: &Library, node: NodeId) -> String {
    lib.ancestry(node).into_iter().map(|n| lib.tree_title(n)).collect::<Vec<_>>().join(" › ")
}

/// Where a section is, short: "2.3 人工智能行业应用层分析 › 大模型潜力市场"
/// (no report; no chapter when a numbered section follows).
pub fn section_path(lib: &Library, n: NodeId) -> String {
    let mut path: Vec<NodeId> = lib.ancestry(n).into_iter().filter(|&a| lib.head_section(a).is_some()).collect();
    if path.len() >= 3 {
        path.remove(0);
    }
    path.iter().map(|&a| lib.tree_title(a)).collect::<Vec<_>>().join(" › ")
}

/// The value of a table cell that is a number with at most a short unit
/// ("24.5亿元" → 24.5, "1,520" → 1520, "17.5%" → 17.5); not dates such as
/// 2024.05, 2023-10-30 or 2024年5月.
pub fn cell_number(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', "");
    let end = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, rest) = t.split_at(end);
    let date = num.len() >= 6
        && num.as_bytes()[4] == b'.'
        && num.get(..4).is_some_and(|h| h.chars().all(|c| c.is_ascii_digit()));
    let unit_ok = rest.chars().count() <= 4
        && !rest.chars().any(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '年' | '月' | '日' | '(' | '（'));
    if num.is_empty() || date || !unit_ok {
        return None;
    }
    num.parse().ok()
}

/// A number as the sources print it: no trailing zeros, thousands kept plain.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// An I/O error in Chinese, for messages the reader sees in the app (the
/// OS's own text is English): the kind of failure, and the OS error number.
pub fn io_error_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    // The guarded reader's own refusal (`content::open_regular`).
    if e.get_ref().is_some_and(|inner| inner.to_string().starts_with("not a regular file")) {
        return "不是普通文件（FIFO、设备或套接字）".to_string();
    }
    let what = match e.kind() {
        K::NotFound => "文件或文件夹不存在",
        K::PermissionDenied => "没有权限",
        K::AlreadyExists => "已存在",
        K::NotADirectory => "路径中有一项不是文件夹",
        K::IsADirectory => "是文件夹",
        K::ReadOnlyFilesystem => "文件系统只读",
        K::StorageFull => "磁盘已满",
        K::QuotaExceeded => "超出磁盘配额",
        K::FileTooLarge => "文件过大",
        K::InvalidData => "数据无效",
        K::InvalidInput => "参数无效",
        K::UnexpectedEof => "文件不完整",
        K::Interrupted => "被中断",
        K::TimedOut => "超时",
        K::WouldBlock => "暂时不可用",
        K::BrokenPipe => "管道已关闭",
        K::OutOfMemory => "内存不足",
        _ => "读写出错",
    };
    match e.raw_os_error() {
        Some(n) => format!("{what}，系统错误 {n}"),
        None => what.to_string(),
    }
}

/// A JSON parse error in Chinese (its line is given apart): the kind only.
pub fn json_error_zh(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "读取出错",
        serde_json::error::Category::Syntax => "格式错误",
        serde_json::error::Category::Data => "内容与格式不符",
        serde_json::error::Category::Eof => "文件不完整",
    }
}
