//! `yanbao import`, `yanbao library` and `yanbao FILE`.

use crate::load::*;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use yanbao::content::{Files, Library};
use yanbao::import::{self, Encoding, ImportError, Imported, MAX_INPUT_BYTES, PROVENANCE_FILE};

fn parse_encoding(e: Option<&str>) -> Result<Encoding, ExitCode> {
    match e.map(str::parse::<Encoding>).transpose() {
        Ok(e) => Ok(e.unwrap_or_default()),
        Err(m) => {
            eprintln!("yanbao: --encoding: {m}");
            Err(ExitCode::from(2))
        }
    }
}

fn fail(file: &Path, message: impl std::fmt::Display) -> ImportError {
    ImportError::file_only(&file.display().to_string(), &message.to_string())
}

/// A file's bytes, at most the cap (a larger file is refused before it is
/// read whole); a PDF through poppler's pdftotext.
fn read_source(path: &Path) -> Result<Vec<u8>, ImportError> {
    let is_pdf = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if is_pdf {
        return pdftotext(path);
    }
    let meta = std::fs::metadata(path).map_err(|e| fail(path, e))?;
    if !meta.is_file() {
        return Err(fail(path, "not a regular file"));
    }
    let mut bytes = Vec::new();
    let f = std::fs::File::open(path).map_err(|e| fail(path, e))?;
    f.take(MAX_INPUT_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| fail(path, e))?;
    Ok(bytes)
}

fn pdftotext(path: &Path) -> Result<Vec<u8>, ImportError> {
    let out = std::process::Command::new("pdftotext").arg("-enc").arg("UTF-8").arg(path).arg("-").output();
    match out {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(fail(
            path,
            "a PDF is read with poppler's pdftotext, which is not installed: install poppler-utils \
             (apt install poppler-utils, brew install poppler), or convert by hand \
             (`pdftotext -enc UTF-8 report.pdf report.txt`, or MinerU / marker / pymupdf4llm to Markdown) \
             and import the text",
        )),
        Err(e) => Err(fail(path, format!("cannot run pdftotext: {e}"))),
        Ok(o) if !o.status.success() => {
            Err(fail(path, format!("pdftotext failed: {}", String::from_utf8_lossy(&o.stderr).trim())))
        }
        Ok(o) => Ok(o.stdout),
    }
}

/// Import one file in memory, its result checked as `yanbao check` would.
pub(crate) fn import_file(path: &Path, enc: Encoding) -> Result<Imported, ImportError> {
    let bytes = read_source(path)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut imp = import::import(&name, &bytes, enc)?;
    if let Ok(abs) = std::fs::canonicalize(path) {
        imp.provenance.source_path = Some(abs.display().to_string());
        let json = serde_json::to_string_pretty(&imp.provenance).unwrap_or_default() + "\n";
        imp.files.insert(PROVENANCE_FILE.to_string(), json);
    }
    let errors = import::validate(&imp);
    if let Some(e) = errors.first() {
        return Err(fail(path, format!("the import does not pass check ({} problems; the first: {e})", errors.len())));
    }
    Ok(imp)
}

/// Write a report folder atomically: a temporary folder beside it, then a
/// rename. An existing non-empty folder is replaced only with `force`.
fn write_folder(out: &Path, imp: &Imported, force: bool) -> Result<PathBuf, String> {
    let target = out.join(&imp.id);
    let occupied = std::fs::read_dir(&target).map(|mut d| d.next().is_some()).unwrap_or(false);
    if occupied && !force {
        return Err(format!("{} exists and is not empty (give --force to replace it)", target.display()));
    }
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let tmp = out.join(format!(".{}.importing-{}", imp.id, std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let write = || -> std::io::Result<()> {
        std::fs::create_dir(&tmp)?;
        for (name, text) in &imp.files {
            std::fs::write(tmp.join(name), text)?;
        }
        Ok(())
    };
    if let Err(e) = write() {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(format!("{}: {e}", tmp.display()));
    }
    let old = out.join(format!(".{}.replaced-{}", imp.id, std::process::id()));
    if target.exists() {
        std::fs::rename(&target, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            format!("{}: {e}", target.display())
        })?;
    }
    if let Err(e) = std::fs::rename(&tmp, &target) {
        let _ = std::fs::rename(&old, &target);
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(format!("{}: {e}", target.display()));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(target)
}

pub(crate) fn import_cmd(files: &[PathBuf], out: Option<&Path>, encoding: Option<&str>, force: bool) -> ExitCode {
    let enc = match parse_encoding(encoding) {
        Ok(e) => e,
        Err(c) => return c,
    };
    let out = match out.map(Path::to_path_buf).or_else(|| LIBRARY.get().cloned().flatten()) {
        Some(o) => o,
        None => {
            eprintln!("yanbao import: no library folder (set XDG_DATA_HOME or HOME, or give --out DIR)");
            return ExitCode::from(2);
        }
    };
    let bar = (files.len() > 3 && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(files.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let mut failed = 0;
    for f in files {
        if let Some(b) = &bar {
            b.set_message(f.display().to_string());
        }
        let line = match import_file(f, enc) {
            Ok(imp) => match write_folder(&out, &imp, force) {
                Ok(dir) => format!("{}: {} → {}", f.display(), imp.summary(), dir.display()),
                Err(e) => {
                    failed += 1;
                    format!("yanbao import: {e}")
                }
            },
            Err(e) => {
                failed += 1;
                format!("yanbao import: {e}")
            }
        };
        match &bar {
            Some(b) => b.println(&line),
            None if line.starts_with("yanbao import:") => eprintln!("{line}"),
            None => println!("{line}"),
        }
        if let Some(b) = &bar {
            b.inc(1);
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| d.flatten().filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

pub(crate) fn library_cmd(remove: Option<&str>) -> ExitCode {
    let Some(dir) = LIBRARY.get().cloned().flatten() else {
        eprintln!("yanbao library: no library folder (set XDG_DATA_HOME or HOME)");
        return ExitCode::from(2);
    };
    if let Some(id) = remove {
        let target = dir.join(id);
        if id.contains(['/', '\\']) || id.starts_with('.') || !target.join("report.yaml").is_file() {
            eprintln!("yanbao library: no report {id:?} in {}", dir.display());
            return ExitCode::from(1);
        }
        return match std::fs::remove_dir_all(&target) {
            Ok(()) => {
                println!("removed {id} ({})", target.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("yanbao library: {}: {e}", target.display());
                ExitCode::from(1)
            }
        };
    }
    let (lib, errors) = match Library::load_dirs(std::slice::from_ref(&dir)) {
        Ok(x) => x,
        Err(_) => {
            println!("the library {} is empty", dir.display());
            return ExitCode::SUCCESS;
        }
    };
    for e in &errors {
        eprintln!("{e}");
    }
    println!("{}", dir.display());
    for r in lib.heads() {
        let folder = dir.join(r.dir.trim_end_matches('/'));
        let prov = read_provenance(&folder.join(PROVENANCE_FILE)).ok();
        let source = prov.map(|p| p.source_file).unwrap_or_default();
        println!(
            "{}\t{}\t{}\t{}\t{}\t{} KB",
            r.id,
            r.title,
            r.publisher,
            r.date,
            source,
            folder_size(&folder).div_ceil(1024)
        );
    }
    if errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

pub(crate) fn read_provenance(path: &Path) -> Result<import::Provenance, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))
}

/// `yanbao check` on imported reports: where each came from, and whether
/// its source changed since. Returns the problems (a bad provenance file).
pub(crate) fn check_provenance(lib: &Library, dirs: &[PathBuf]) -> usize {
    let mut problems = 0;
    let roots: Vec<PathBuf> = match (dirs, library_in_use(dirs)) {
        ([], Some(l)) => vec![l],
        _ => dirs.to_vec(),
    };
    for r in lib.heads() {
        // The report's folder on disk: relative to the one content folder,
        // or already a full path (several folders, the library).
        let rel = Path::new(&r.dir);
        let folder = if rel.is_absolute() {
            rel.to_path_buf()
        } else if let [one] = roots.as_slice() {
            one.join(rel)
        } else {
            continue;
        };
        let file = folder.join(PROVENANCE_FILE);
        if !file.is_file() {
            continue;
        }
        match read_provenance(&file) {
            Err(e) => {
                eprintln!("{e}");
                problems += 1;
            }
            Ok(p) => {
                let short = p.sha256.get(..12).unwrap_or(&p.sha256);
                println!(
                    "imported {:<12} from {} (sha256 {short}…)",
                    r.id,
                    p.source_path.as_deref().unwrap_or(&p.source_file)
                );
                if let Some(src) = &p.source_path {
                    match std::fs::read(src) {
                        Ok(b) if import::sha256_hex(&b) != p.sha256 => {
                            println!("warning: {src} changed since it was imported (yanbao import --force to update)")
                        }
                        Ok(_) => {}
                        Err(_) => println!("warning: {src}, the source of {}, is gone", r.id),
                    }
                }
            }
        }
    }
    problems
}

/// `yanbao FILE`: the bundled reports with this file, imported in memory.
pub(crate) fn open_file(path: &Path, encoding: Option<&str>) -> Result<Loaded, ExitCode> {
    let enc = parse_encoding(encoding)?;
    let imp = import_file(path, enc).map_err(|e| {
        eprintln!("yanbao: {e}");
        ExitCode::from(1)
    })?;
    let mut files: Files = yanbao::content::bundled_files();
    for (k, v) in &imp.files {
        if k.ends_with(".yaml") {
            files.insert(format!("(file)/{}/{k}", imp.id), v.clone());
        }
    }
    let (lib, errors) = yanbao::content::load(&files);
    if let Some(e) = errors.first() {
        eprintln!("yanbao: {e}");
        return Err(ExitCode::from(1));
    }
    let index = yanbao::search::LazyIndex::ready(yanbao::search::Index::build(&lib));
    Ok(Loaded { lib, index, pieces: None, cache_file: None })
}
