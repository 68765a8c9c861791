//! `yanbao figures QUERY`: one measure compared across the library's reports.

use crate::args::*;
use crate::load::*;
use std::path::PathBuf;
use std::process::ExitCode;
use yanbao::figures::{self, Pick, Rates};

/// Exit 0 with rows, 1 with none, 2 for a bad query.
pub(crate) fn figures_cmd(
    dirs: &[PathBuf],
    query: &str,
    format: FiguresFormat,
    rates: &[(&'static str, f64)],
    style: yanbao::export::CitationStyle,
) -> ExitCode {
    if query.trim().is_empty() || figures::measure_key(query).is_empty() {
        eprintln!("yanbao figures: the query names no measure (years, units and punctuation are left out)");
        return ExitCode::from(2);
    }
    let lib = match load_indexed(dirs) {
        Ok(l) => l.lib,
        Err(code) => return code,
    };
    let rates = Rates(rates.iter().copied().collect());
    let figs = figures::of_library(&lib);
    let cmp = figures::compare(&lib, &figs, &Pick::Query(query.to_string()), &rates);
    if cmp.groups.is_empty() {
        eprintln!("yanbao figures: no chart or metric matches `{}`", yanbao::text::safe_out(query));
        return ExitCode::from(1);
    }
    let text = match format {
        FiguresFormat::Xlsx { file, force } => {
            let out = (file.as_os_str() != "-").then_some(file.as_path());
            return crate::export::write_xlsx("figures", &figures::to_sheets(&lib, &cmp, style), query, out, force);
        }
        FiguresFormat::Text => figures::to_text(&lib, &cmp),
        FiguresFormat::Md => figures::to_markdown(&lib, &cmp),
        FiguresFormat::Csv => figures::to_csv(&lib, &cmp),
        FiguresFormat::Json => {
            let mut v = figures::to_json(&lib, &cmp);
            yanbao::text::safe_json(&mut v);
            match serde_json::to_string_pretty(&v) {
                Ok(s) => s + "\n",
                Err(e) => {
                    eprintln!("yanbao figures: {e}");
                    return ExitCode::from(1);
                }
            }
        }
    };
    match write_stdout("figures", &yanbao::text::safe_out(&text)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// `--rate USD=7.2`.
pub(crate) fn parse_rate(s: &str) -> Result<(&'static str, f64), String> {
    Rates::parse_one(s)
}
