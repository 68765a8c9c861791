//! `yanbao export`.

use crate::args::*;
use crate::load::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) fn export(dirs: &[PathBuf], target: &str, format: ExportFormat, out: Option<&Path>) -> ExitCode {
    use yanbao::export;
    let lib = match load_library(dirs) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let node = match export::resolve(&lib, target) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("yanbao export: {e}");
            return ExitCode::from(2);
        }
    };
    if out.is_some() && format != ExportFormat::Csv {
        eprintln!("yanbao export: --out is for --format csv (Markdown and JSON go to stdout)");
        return ExitCode::from(2);
    }
    let text = match format {
        ExportFormat::Md => export::markdown(&lib, node),
        ExportFormat::Json => match serde_json::to_string_pretty(&export::json(&lib, node)) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("yanbao export: {e}");
                return ExitCode::from(1);
            }
        },
        ExportFormat::Csv => {
            let files = export::csv_files(&lib, node);
            match out {
                Some(d) => {
                    if let Err(e) = std::fs::create_dir_all(d) {
                        eprintln!("yanbao export: {}: {e}", d.display());
                        return ExitCode::from(1);
                    }
                    for (name, text) in &files {
                        let p = d.join(name);
                        if let Err(e) = std::fs::write(&p, text) {
                            eprintln!("yanbao export: {}: {e}", p.display());
                            return ExitCode::from(1);
                        }
                        println!("{}", p.display());
                    }
                    if files.is_empty() {
                        eprintln!("yanbao export: `{target}` holds no table");
                    }
                    return ExitCode::SUCCESS;
                }
                None if files.len() == 1 => files.into_iter().next().map(|f| f.1).unwrap_or_default(),
                None => {
                    eprintln!(
                        "yanbao export: `{target}` holds {} tables; give --out DIR to write one CSV file each",
                        files.len()
                    );
                    return ExitCode::from(2);
                }
            }
        }
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// Content as plain text for a terminal: control characters (escape
/// sequences, BEL, tabs that would break the columns) and bidirectional
/// overrides become spaces, as the explorer shows them.
pub(crate) fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') { ' ' } else { c })
        .collect()
}

/// `yanbao notes`: the notes kept for this content (or a served key), in a format.
pub(crate) fn notes(dirs: &[PathBuf], format: NotesFormat, report: Option<&str>, key: Option<&str>) -> ExitCode {
    let lib = match load_library(dirs) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let loc = match (key, yanbao::state::default_dir()) {
        (Some(fp), Some(dir)) => yanbao::state::location_for_key(&dir, fp),
        (None, Some(_)) => match state_location(dirs, None) {
            Some(l) => l,
            None => return ExitCode::SUCCESS,
        },
        (_, None) => {
            eprintln!("yanbao notes: no state folder ($XDG_STATE_HOME or $HOME is not set)");
            return ExitCode::from(2);
        }
    };
    if let Some(r) = report
        && !lib.heads().iter().any(|h| h.id == r)
    {
        eprintln!("yanbao notes: no report {r} in {}", content_name(dirs));
        return ExitCode::from(2);
    }
    // Read only: exporting never writes the state.
    let notes = match yanbao::state::db::read_notes(&loc.db, &loc.scope) {
        Ok(n) => n,
        Err(e) => {
            eprintln!("yanbao notes: {e}");
            return ExitCode::from(1);
        }
    };
    let format = match format {
        NotesFormat::Md => yanbao::notes::Format::Md,
        NotesFormat::Json => yanbao::notes::Format::Json,
        NotesFormat::Csv => yanbao::notes::Format::Csv,
    };
    let text = yanbao::notes::render(&lib, &notes, report, format);
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
