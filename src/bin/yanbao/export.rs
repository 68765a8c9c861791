//! `yanbao export`.

use crate::args::*;
use crate::load::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) fn export(
    dirs: &[PathBuf],
    target: &str,
    format: ExportFormat,
    out: Option<&Path>,
    force: bool,
    style: yanbao::export::CitationStyle,
) -> ExitCode {
    use yanbao::export;
    let lib = match load_library(dirs) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // The figure list (`figures`, `figures:fs`).
    if let Some(found) = export::resolve_figures(&lib, target) {
        return match found {
            Ok(reports) => export_figures(&lib, &reports, target, format, out, force, style),
            Err(e) => {
                eprintln!("yanbao export: {e}");
                ExitCode::from(2)
            }
        };
    }
    // An industry page (`industry:finance`), or a report, chapter or section.
    let industry = if target.trim().starts_with(export::INDUSTRY_PREFIX) {
        match export::resolve_industry(&lib, target) {
            Some(id) => Some(id),
            None => {
                eprintln!(
                    "yanbao export: no industry `{target}`; the industries are {}",
                    export::industry_names(&lib).join(", ")
                );
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    let node = match (&industry, export::resolve(&lib, target)) {
        // Not used for an industry page: every use below matches `industry` first.
        (Some(_), _) => 0,
        (None, Ok(n)) => n,
        (None, Err(e)) => {
            eprintln!("yanbao export: {e}");
            return ExitCode::from(2);
        }
    };
    if out.is_some() && !matches!(format, ExportFormat::Csv | ExportFormat::Xlsx) {
        eprintln!("yanbao export: --out is for --format csv and xlsx (Markdown and JSON go to stdout)");
        return ExitCode::from(2);
    }
    if format == ExportFormat::Xlsx {
        let sheets = match &industry {
            Some(id) => export::sheets_of(&lib, &export::industry_blocks(&lib, id), style),
            None => export::sheets(&lib, node, style),
        };
        return write_xlsx("export", &sheets, target, out, force);
    }
    let text = match format {
        // Written above, as bytes.
        ExportFormat::Xlsx => return ExitCode::SUCCESS,
        ExportFormat::Md => {
            let md = match &industry {
                Some(id) => export::industry_markdown(&lib, id, style),
                None => export::markdown(&lib, node, style),
            };
            yanbao::text::safe_out(&md).into_owned()
        }
        ExportFormat::Json if industry.is_some() => {
            eprintln!("yanbao export: an industry page exports as md, csv or xlsx");
            return ExitCode::from(2);
        }
        ExportFormat::Json => match serde_json::to_string_pretty(&{
            let mut v = export::json(&lib, node, style);
            yanbao::text::safe_json(&mut v);
            v
        }) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("yanbao export: {e}");
                return ExitCode::from(1);
            }
        },
        ExportFormat::Csv => {
            let files = match &industry {
                Some(id) => export::csv_files_of(&export::industry_blocks(&lib, id)),
                None => export::csv_files(&lib, node),
            };
            match out {
                Some(d) => {
                    if files.is_empty() {
                        eprintln!("yanbao export: `{target}` holds no table or chart");
                        return ExitCode::SUCCESS;
                    }
                    return write_csv_files(d, &files, force);
                }
                None if files.len() == 1 => {
                    files.into_iter().next().map(|f| yanbao::text::safe_out(&f.1).into_owned()).unwrap_or_default()
                }
                None => {
                    eprintln!(
                        "yanbao export: `{target}` holds {} tables and charts; give --out DIR to write one CSV file each",
                        files.len()
                    );
                    return ExitCode::from(2);
                }
            }
        }
    };
    match write_stdout("export", &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// `export figures[:ID]`: the figure list of the library or of one report,
/// as Markdown (stdout), CSV (stdout, or one file into `--out DIR`) or a
/// workbook (a sheet per report).
fn export_figures(
    lib: &yanbao::content::Library,
    reports: &[usize],
    target: &str,
    format: ExportFormat,
    out: Option<&Path>,
    force: bool,
    style: yanbao::export::CitationStyle,
) -> ExitCode {
    use yanbao::export;
    let text = match format {
        ExportFormat::Xlsx => {
            return write_xlsx("export", &export::figures_sheets(lib, reports, style), target, out, force);
        }
        ExportFormat::Json => {
            eprintln!("yanbao export: a figure list exports as md, csv or xlsx");
            return ExitCode::from(2);
        }
        ExportFormat::Md if out.is_some() => {
            eprintln!("yanbao export: --out is for --format csv and xlsx (Markdown and JSON go to stdout)");
            return ExitCode::from(2);
        }
        ExportFormat::Md => export::figures_markdown(lib, reports, style),
        ExportFormat::Csv => {
            let csv = export::figures_csv(lib, reports, style);
            if let Some(d) = out {
                return write_csv_files(d, &[(export::figures_csv_name(lib, reports), csv)], force);
            }
            csv
        }
    };
    match write_stdout("export", &yanbao::text::safe_out(&text)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

/// `export --format xlsx`: the workbook to `out` (created new, or replaced
/// with `force`, as a CSV file is), else to stdout unless it is a terminal.
/// `cmd` names the subcommand in messages.
pub(crate) fn write_xlsx(
    cmd: &str,
    sheets: &[yanbao::export::Sheet],
    target: &str,
    out: Option<&Path>,
    force: bool,
) -> ExitCode {
    use std::io::IsTerminal;
    if sheets.is_empty() {
        eprintln!("yanbao {cmd}: `{target}` holds no table or chart");
        return ExitCode::SUCCESS;
    }
    if out.is_none() && std::io::stdout().is_terminal() {
        eprintln!("yanbao {cmd}: an xlsx workbook is binary; give a file or redirect stdout");
        return ExitCode::from(2);
    }
    let bytes = match yanbao::export::xlsx(sheets) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("yanbao {cmd}: {e}");
            return ExitCode::from(1);
        }
    };
    let Some(path) = out else {
        let mut o = std::io::stdout().lock();
        return match o.write_all(&bytes).and_then(|()| o.flush()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("yanbao {cmd}: {e}");
                ExitCode::from(1)
            }
        };
    };
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from("."),
    };
    if !force && path.symlink_metadata().is_ok() {
        eprintln!("yanbao {cmd}: {} already exists: nothing written (give --force to replace)", safe_path(path));
        return ExitCode::from(1);
    }
    match write_new(&dir, path, &bytes, force) {
        Ok(()) => match write_stdout(cmd, &format!("{}\n", safe_path(path))) {
            Ok(()) => ExitCode::SUCCESS,
            Err(code) => code,
        },
        Err(e) => {
            eprintln!("yanbao {cmd}: {}: {e}", safe_path(path));
            ExitCode::from(1)
        }
    }
}

/// `export --format csv --out DIR`: every file is written before any path
/// is listed on stdout, so that a closed pipe (`| head -1`) cannot cut the
/// export short. A file is created new (`O_EXCL`, which never follows a
/// symbolic link, dangling or not); one that exists is an error before
/// anything is written, unless `force`, and then the new text is written
/// to a new temporary file and renamed over it (which replaces a link, not
/// what it points to). A file that fails is reported, the others written.
fn write_csv_files(dir: &Path, files: &[(String, String)], force: bool) -> ExitCode {
    if let Err(e) = std::fs::create_dir_all(dir) {
        eprintln!("yanbao export: {}: {e}", safe_path(dir));
        return ExitCode::from(1);
    }
    let paths: Vec<PathBuf> = files.iter().map(|(name, _)| dir.join(name)).collect();
    if !force {
        let existing: Vec<&PathBuf> = paths.iter().filter(|p| p.symlink_metadata().is_ok()).collect();
        if let Some(first) = existing.first() {
            eprintln!(
                "yanbao export: {} already exists{}: nothing written (give --force to replace)",
                safe_path(first),
                if existing.len() > 1 { format!(", and {} more", existing.len() - 1) } else { String::new() }
            );
            return ExitCode::from(1);
        }
    }
    let mut failed = false;
    let mut written = Vec::new();
    for (p, (_, text)) in paths.iter().zip(files) {
        let text = yanbao::text::safe_out(text);
        match write_new(dir, p, text.as_bytes(), force) {
            Ok(()) => written.push(p),
            Err(e) => {
                eprintln!("yanbao export: {}: {e}", safe_path(p));
                failed = true;
            }
        }
    }
    let listing: String = written.iter().map(|p| format!("{}\n", safe_path(p))).collect();
    if let Err(code) = write_stdout("export", &listing) {
        return code;
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// Write `bytes` to the new file `path` (see [`write_csv_files`]).
fn write_new(dir: &Path, path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let create = |p: &Path| {
        std::fs::OpenOptions::new().write(true).create_new(true).custom_flags(libc::O_NOFOLLOW).mode(0o644).open(p)
    };
    if !replace {
        let mut f = create(path)?;
        return f.write_all(bytes);
    }
    let tmp = dir.join(format!(".yanbao-export-{}-{}.tmp", std::process::id(), rand::random::<u64>()));
    let result = create(&tmp).and_then(|mut f| f.write_all(bytes)).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A path for a message, without control characters or bidi overrides.
fn safe_path(p: &Path) -> String {
    yanbao::text::safe_out(&p.display().to_string()).into_owned()
}

/// Content as plain text for a terminal: control characters (escape
/// sequences, BEL, tabs that would break the columns) and bidirectional
/// overrides become spaces, as the explorer shows them.
pub(crate) fn printable(s: &str) -> String {
    s.chars().map(|c| if yanbao::text::is_unsafe_out(c) || c == '\n' || c == '\t' { ' ' } else { c }).collect()
}

/// `yanbao notes`: the notes kept for this content (or a served key), in a format.
pub(crate) fn notes(
    dirs: &[PathBuf],
    format: NotesFormat,
    report: Option<&str>,
    key: Option<&str>,
    style: yanbao::export::CitationStyle,
) -> ExitCode {
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
    let text = yanbao::notes::render(&lib, &notes, report, format, style);
    let mut out = std::io::stdout().lock();
    if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
