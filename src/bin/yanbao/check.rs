//! `yanbao check` and `yanbao search`.

use crate::args::*;
use crate::export::printable;
use crate::load::*;
use std::path::PathBuf;
use std::process::ExitCode;
use yanbao::content::Library;
use yanbao::search::{Field, Filter, Hit, Index, Kind, Query, RankKey, Target};

/// The width of the matched window `yanbao search` prints.
const SNIPPET_COLUMNS: usize = 60;

pub(crate) fn check(cli: &Cli, dirs: &[PathBuf]) -> ExitCode {
    let lib = match load_library(dirs) {
        Ok(l) => l,
        Err(code) => return code,
    };
    // The config file too (--config, or the XDG one).
    if let Err(code) = load_options(cli) {
        return code;
    }
    // The keymap too: the user's file (--keymap, or the XDG one) over the defaults.
    if let Err(code) = load_keymap(cli) {
        return code;
    }
    let bad = crate::import::check_provenance(&lib, dirs);
    if bad > 0 {
        eprintln!("yanbao: {bad} problem(s) in {}", content_name(dirs));
        return ExitCode::from(1);
    }
    let c = lib.counts();
    let name = if dirs.is_empty() { "bundled content".into() } else { content_name(dirs) };
    let text = format!(
        "ok: {}\nreports            {}\nchapters           {}\nsections           {}\ntables             {}\n\
         series             {}\nmetrics blocks     {}\ncases              {}\nexamples           {}\n\
         participant groups {}\ncompanies          {}\nindustries         {}\n",
        yanbao::text::safe_out(&name),
        c.reports,
        c.chapters,
        c.sections,
        c.tables,
        c.series,
        c.metrics,
        c.cases,
        c.examples,
        c.participant_groups,
        c.companies,
        c.industries
    );
    match write_stdout("check", &text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(code) => code,
    }
}

pub(crate) fn search(dirs: &[PathBuf], query: &str, limit: usize, kind: Option<Filter>, json: bool) -> ExitCode {
    let mut q = Query::parse(query);
    if kind.is_some() {
        q.filter = kind;
    }
    if q.text.is_empty() {
        eprintln!("yanbao search: the query is empty");
        return ExitCode::from(2);
    }
    let loaded = match load_indexed(dirs) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let lib = &loaded.lib;
    q.resolve(lib);
    // Each hit's rank and printed line. From the cache, the index is read
    // and searched one piece (the registries, a report) at a time, so that
    // only one piece is in memory at once; the best `limit` hits of all
    // pieces are those of the whole index, ranked alike.
    let mut lines: Vec<(RankKey, usize, String)> = Vec::new();
    let rank = |index: &Index, base: usize, lines: &mut Vec<_>| {
        // One query: a scan costs less than building the finder's unit lists.
        for h in index.find_scanning(&q, limit, &[]).hits {
            lines.push((index.rank_key(&h), base + h.unit, hit_line(lib, index, &h, json)));
        }
    };
    let mut damaged = false;
    match &loaded.pieces {
        Some(pieces) => {
            for k in 0..pieces.len() {
                if let Ok(piece) = pieces.get(k) {
                    rank(&piece, pieces.unit_base(k), &mut lines);
                    if lines.len() > 4 * limit.max(64) {
                        sort_lines(&mut lines);
                        lines.truncate(limit);
                    }
                }
            }
            damaged = pieces.damaged();
        }
        None => rank(&loaded.index, 0, &mut lines),
    }
    sort_lines(&mut lines);
    lines.truncate(limit);
    if let (true, Some(f)) = (damaged, &loaded.cache_file) {
        eprintln!("yanbao: the cache {} was corrupt: removed, to be rebuilt at the next start", f.display());
    }
    // A closed pipe (| head) ends the process quietly (SIGPIPE); any other
    // write error (a full disk) is an error.
    let text: String = lines.iter().map(|(_, _, line)| format!("{line}\n")).collect();
    let code = match write_stdout("search", &text) {
        Err(code) => code,
        Ok(()) if lines.is_empty() => ExitCode::from(1),
        Ok(()) => ExitCode::SUCCESS,
    };
    // The process ends here: freeing a large library and index one
    // allocation at a time would only add to its run time.
    std::mem::forget(loaded);
    code
}

/// Rank hits from several pieces as `Index::find` ranks them in one: by
/// their rank key, then in reading order.
pub(crate) fn sort_lines(lines: &mut [(RankKey, usize, String)]) {
    lines.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
}

/// One line of `yanbao search`'s output.
pub(crate) fn hit_line(lib: &Library, index: &Index, h: &Hit, json: bool) -> String {
    let u = &index.units[h.unit];
    let location = yanbao::search::unit_short_location(lib, u, usize::MAX);
    // The matched window, as the finder shows it, after the title of a
    // thing named by its title when the match is in its text.
    let snippet = index.snippet(h, SNIPPET_COLUMNS);
    // The title already shows the match when it covers it, or for a heading.
    let title_shows = !h.title_marks.is_empty() && (h.title_covers || u.kind == Kind::Section);
    let titled = !h.text_marks.is_empty() && !title_shows && u.own_title && !matches!(u.kind, Kind::Text | Kind::Table);
    if json {
        let target = match &u.target {
            Target::Place { node, .. } => serde_json::json!({
                "report": lib.report_head_of(*node).map(|r| r.id.clone()),
                "section": lib.head_section(*node).map(|s| s.id.clone()),
            }),
            Target::Company(id) => serde_json::json!({ "company": id }),
            Target::Industry(id) => serde_json::json!({ "industry": id }),
        };
        // The report the hit is in: its id, title, publisher and date as
        // the YAML has them, and the label rows show (null with one report).
        let report = u.node().and_then(|n| Some((lib.nodes.get(n)?.report, lib.report_head_of(n)?))).map(|(i, r)| {
            serde_json::json!({
                "id": r.id,
                "title": r.title,
                "publisher": r.publisher,
                "date": r.date,
                "label": lib.report_label(i),
            })
        });
        // The first run of marked characters in the snippet, [start, end).
        let span = snippet.marks.first().map(|&a| {
            let b = snippet.marks.iter().zip(a..).take_while(|(m, k)| *m == k).count();
            [a, a + b]
        });
        let mut v = serde_json::json!({
            "kind": u.kind.name(),
            "label": u.kind.label(),
            "title": u.title,
            "text": u.text,
            "location": location,
            "path": yanbao::search::unit_location(lib, u),
            "field": match h.field { Field::Title => "title", Field::Text => "text", Field::Path => "path" },
            "matched": h.indices,
            "snippet": snippet.text,
            "snippet_marks": snippet.marks,
            "span": span,
            "score": h.score,
            "target": target,
            "report": report,
        });
        yanbao::text::safe_json(&mut v);
        v.to_string()
    } else {
        let unit = if titled { format!("{}：{}", u.title, snippet.text) } else { snippet.text.clone() };
        format!("{}\t{}\t{}", u.kind.label(), printable(&location), printable(&unit))
    }
}
