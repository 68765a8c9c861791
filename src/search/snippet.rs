//! What a result row shows: snippets, windows, short locations; pinyin for find-in-page.

use super::*;

/// Where a unit lives, as shown in results.
pub fn unit_location(lib: &Library, u: &Unit) -> String {
    match &u.target {
        Target::Place { node, .. } => location(lib, *node),
        Target::Company(_) => "公司名录".to_string(),
        Target::Industry(_) => "行业".to_string(),
    }
}

/// The part of a unit a result row shows: text with the matched
/// characters (char indices into `text`) to highlight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub marks: Vec<usize>,
}

impl Index {
    /// What a hit shows in at most `max` columns: a window of the unit
    /// around the match, cuts marked with `…`. A table row shows its first
    /// cell and the cells that matched, each with its column name
    /// (`新加坡 · 颁布日期 2024-05-29`); a match in the title only shows the title.
    pub fn snippet(&self, hit: &Hit, max: usize) -> Snippet {
        let u = &self.units[hit.unit];
        // A title that every term matched shows itself (a heading, not the
        // industries it is tagged with; a name, not its aliases).
        let titled = !hit.title_marks.is_empty() && (hit.title_covers || u.kind == Kind::Section);
        let (chars, marks): (Vec<char>, Vec<usize>) = if !hit.text_marks.is_empty() && !titled {
            if u.cells.is_empty() {
                (u.text.chars().collect(), hit.text_marks.clone())
            } else {
                cells_view(u, &hit.text_marks)
            }
        } else if !hit.title_marks.is_empty() || u.own_title || u.text.is_empty() {
            (u.title.chars().collect(), hit.title_marks.clone())
        } else if !u.cells.is_empty() {
            cells_view(u, &[])
        } else {
            (u.text.chars().collect(), Vec::new())
        };
        window(&chars, &marks, max)
    }
}

impl Index {
    /// A table row's cells for a hit on the table's title: its first cell,
    /// then the cells (or column names) the query also matched, in at most
    /// `max` columns, so rows of one table read apart.
    pub fn row_snippet(&self, hit: &Hit, max: usize) -> Snippet {
        let (chars, marks) = cells_view(&self.units[hit.unit], &hit.text_marks);
        // From the first cell (what tells the rows apart), the marks that show.
        let mut w = window(&chars, &[], max);
        let shown = w.text.chars().count().saturating_sub(usize::from(w.text.ends_with('…')));
        w.marks = marks.into_iter().filter(|&m| m < shown).collect();
        w
    }
}

/// A table row as its first cell, then every cell with a mark (or the
/// second cell), each with its column name; marks carried over.
pub(super) fn cells_view(u: &Unit, marks: &[usize]) -> (Vec<char>, Vec<usize>) {
    let text: Vec<char> = u.text.chars().collect();
    let marked = |r: &Range<usize>| marks.iter().any(|m| r.contains(m));
    let mut shown: Vec<usize> =
        (1..u.cells.len()).filter(|&k| marked(&u.cells[k].value) || marked(&u.cells[k].column)).collect();
    if shown.is_empty() && u.cells.len() > 1 {
        shown.push(1); // the match is in the first cell: the next one for context
    }
    let mut out: Vec<char> = Vec::new();
    let mut out_marks = Vec::new();
    let mut copy = |r: Range<usize>, out: &mut Vec<char>| {
        for i in r {
            if let Some(&c) = text.get(i) {
                if marks.binary_search(&i).is_ok() {
                    out_marks.push(out.len());
                }
                out.push(c);
            }
        }
    };
    if let Some(first) = u.cells.first() {
        if marked(&first.column) {
            copy(first.column.clone(), &mut out);
            out.push(' ');
        }
        copy(first.value.clone(), &mut out);
    }
    for k in shown {
        let c = &u.cells[k];
        out.extend(" · ".chars());
        copy(c.column.clone(), &mut out);
        out.push(' ');
        copy(c.value.clone(), &mut out);
    }
    (out, out_marks)
}

/// A window of `chars` at most `max` columns wide that shows the first
/// mark with some context before it, `…` where it was cut; marks are
/// re-indexed into the window. A wide character is never cut in half.
pub fn window(chars: &[char], marks: &[usize], max: usize) -> Snippet {
    use crate::text::char_width;
    let clean = |c: char| if c.is_control() || c == '\n' { ' ' } else { c };
    let cw = |i: usize| char_width(clean(chars[i]));
    let total: usize = (0..chars.len()).map(cw).sum();
    let build = |a: usize, b: usize| {
        let mut text = String::new();
        let mut out = Vec::new();
        let lead = a > 0;
        if lead {
            text.push('…');
        }
        for (k, &c) in chars.iter().enumerate().take(b).skip(a) {
            if marks.binary_search(&k).is_ok() {
                out.push(k - a + usize::from(lead));
            }
            text.push(clean(c));
        }
        if b < chars.len() {
            text.push('…');
        }
        Snippet { text, marks: out }
    };
    if total <= max {
        return build(0, chars.len());
    }
    if max < 2 {
        return Snippet::default();
    }
    let first = marks.first().copied().unwrap_or(0).min(chars.len().saturating_sub(1));
    // Context before the match: up to a third of the room, at most 12 columns.
    let budget = (max / 3).min(12);
    let mut a = first;
    let mut ctx = 0;
    while a > 0 && ctx + cw(a - 1) <= budget {
        a -= 1;
        ctx += cw(a);
    }
    // Start at the beginning when the first match is well within reach.
    let reach: usize = (0..=first).map(cw).sum();
    if a > 0 && reach < max * 3 / 4 {
        a = 0;
    }
    // Fill to the right, keeping a column for each cut mark.
    let fill = |a: usize| {
        let room = max - usize::from(a > 0);
        let mut b = a;
        let mut used = 0;
        while b < chars.len() && used + cw(b) <= room {
            used += cw(b);
            b += 1;
        }
        if b < chars.len() {
            while b > a && used + 1 > room {
                b -= 1;
                used -= cw(b);
            }
        }
        (b, used)
    };
    let (mut b, mut used) = fill(a);
    // At the end with room to spare: show more before the match.
    while b == chars.len() && a > 0 {
        let room = max - usize::from(a > 1);
        if used + cw(a - 1) > room {
            break;
        }
        a -= 1;
        used += cw(a);
        if a == 0 {
            b = fill(0).0;
            break;
        }
    }
    build(a, b)
}

/// A short, readable location for a node: the nearest numbered section
/// above it (an industry chapter by its industry: `3.1 金融`), the parts in
/// between, and the node itself (`3.1 金融 › 参与者图谱`), in at most `max`
/// columns. Parts are shortened or left out before any is cut, and a
/// name is cut only at its end, with `…`.
pub fn short_location(lib: &Library, node: NodeId, max: usize) -> String {
    let path: Vec<NodeId> = lib.ancestry(node).into_iter().filter(|&n| lib.head_section(n).is_some()).collect();
    if path.is_empty() {
        return crate::text::truncate(&lib.node_title(node), max);
    }
    let numbered = |n: NodeId| lib.head_section(n).and_then(|s| s.number.as_ref()).is_some_and(|x| !x.is_empty());
    let anchor_at = path[..path.len() - 1].iter().rposition(|&n| numbered(n)).unwrap_or(0);
    // Each part as its forms, longest first; an empty form leaves it out.
    let mut parts: Vec<Vec<String>> = Vec::new();
    for (k, &n) in path.iter().enumerate().skip(anchor_at) {
        let s = lib.head_section(n).expect("a section");
        // "标杆案例——中关村科金…" is its part; "标杆案例" is a shorter form.
        let split = s.title.rsplit_once("——").or_else(|| s.title.rsplit_once('：'));
        let split = split.map(|(h, p)| (h.trim(), p.trim())).filter(|(h, p)| !h.is_empty() && !p.is_empty());
        let own = split.map_or(s.title.as_str(), |(_, p)| p);
        let num = s.number.clone().filter(|x| !x.is_empty());
        let industry = match s.industries.as_slice() {
            [one] => lib.industry(one).map(|i| i.name.clone()).filter(|name| s.title.contains(name.as_str())),
            _ => None,
        };
        let full = match (&num, &industry) {
            (Some(x), Some(i)) => format!("{x} {i}"),
            (Some(x), None) => format!("{x} {own}"),
            (None, _) => own.to_string(),
        };
        let forms = if k + 1 == path.len() {
            let mut f = vec![full];
            if let Some((head, _)) = split.filter(|(h, _)| k > anchor_at && !h.chars().any(|c| c.is_ascii_digit())) {
                f.push(head.to_string());
            }
            f
        } else if k == anchor_at {
            let mut f = vec![full];
            if industry.is_none()
                && let Some(x) = num
            {
                f.push(x);
            }
            f
        } else {
            vec![full, String::new()]
        };
        parts.push(forms);
    }
    let join = |choice: &[usize]| {
        parts.iter().zip(choice).map(|(f, &c)| f[c].as_str()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" › ")
    };
    let mut choice = vec![0; parts.len()];
    let w = |c: &[usize]| crate::text::width(&join(c));
    // Shorten the anchor, then leave out the parts in between, innermost last.
    if w(&choice) > max && parts[0].len() > 1 {
        choice[0] = parts[0].len() - 1;
    }
    for k in 1..parts.len().saturating_sub(1) {
        if w(&choice) > max {
            choice[k] = parts[k].len() - 1;
        }
    }
    if w(&choice) <= max {
        return join(&choice);
    }
    // The last part's shorter form.
    if let Some(last) = parts.last()
        && last.len() > 1
    {
        let mut c = choice.clone();
        if let Some(l) = c.last_mut() {
            *l = last.len() - 1;
        }
        if w(&c) <= max {
            return join(&c);
        }
    }
    // Still too wide: the parts above the last one, whole, if they fit.
    if parts.len() > 2 {
        let n = parts.len();
        let mut above: Vec<usize> = vec![0; n];
        above[0] = choice[0];
        above[n - 1] = usize::MAX;
        let join_above = |c: &[usize]| {
            parts[..n - 1]
                .iter()
                .zip(c)
                .map(|(f, &k)| f[k].as_str())
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" › ")
        };
        for k in 1..n - 1 {
            if crate::text::width(&join_above(&above)) <= max {
                break;
            }
            if k < n - 2 {
                above[k] = parts[k].len() - 1;
            }
        }
        let s = join_above(&above);
        if crate::text::width(&s) <= max {
            return s;
        }
    }
    // Still too wide: cut the last part at its end, if some of it shows.
    let leaf_name = parts.last().map(|f| f[0].clone()).unwrap_or_default();
    if parts.len() > 1 {
        let head = join(&choice[..parts.len() - 1].iter().copied().chain([0]).collect::<Vec<_>>());
        let head = head.strip_suffix(leaf_name.as_str()).unwrap_or(&head).to_string();
        let room = max.saturating_sub(crate::text::width(&head));
        if room >= 5 {
            return format!("{head}{}", crate::text::truncate(&leaf_name, room));
        }
    }
    // No room for any of the leaf: the anchor's number (`3.1`), which says
    // where better than the start of a name.
    if parts.len() > 1
        && let Some(num) = lib.head_section(path[anchor_at]).and_then(|s| s.number.clone())
        && !num.is_empty()
        && crate::text::width(&num) <= max
    {
        return num;
    }
    crate::text::truncate(&leaf_name, max)
}

/// [`short_location`] after the report's label in a library of more than
/// one report (`AI赋能千…（第3辑） 2025 › 3.1 金融`): the label is kept
/// whole when the location has no room, and cut last.
pub fn labelled_location(lib: &Library, node: NodeId, max: usize) -> String {
    let Some(report) = lib.nodes.get(node).map(|x| x.report) else {
        return short_location(lib, node, max);
    };
    let (Some(label), Some(compact)) = (lib.report_label(report), lib.compact_label(report)) else {
        return short_location(lib, node, max);
    };
    // The label with room for the place; else the compact label; else a label alone.
    for l in [&label, &compact] {
        let room = max.saturating_sub(crate::text::width(l) + 3);
        if room >= LOCATION_ROOM {
            return format!("{l} › {}", short_location(lib, node, room));
        }
    }
    // Little room: the place's number (`3.1`) after the compact label, its
    // name cut and never its year (`AI赋…（第3辑） 2025 › 3.1`): the year
    // and the name's end say which report, the number where.
    let place = short_location(lib, node, (max / 3).max(3));
    if place.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        let number = place.split(' ').next().unwrap_or(&place).to_string();
        let (name, year) = match compact.rsplit_once(' ') {
            Some((n, y)) if crate::content::year_of(y).is_some() => (n, Some(y)),
            _ => (compact.as_str(), None),
        };
        let year_w = year.map_or(0, |y| crate::text::width(y) + 1);
        for p in [&place, &number] {
            let lw = max.saturating_sub(crate::text::width(p) + 3);
            if crate::text::width(&compact) <= lw {
                return format!("{compact} › {p}");
            }
            let room = lw.saturating_sub(year_w);
            if p == &number && room >= 6 {
                let cut = cut_name(name, room);
                return match year {
                    Some(y) => format!("{cut} {y} › {p}"),
                    None => format!("{cut} › {p}"),
                };
            }
        }
    }
    let l = if crate::text::width(&label) <= max { &label } else { &compact };
    crate::text::truncate(l, max)
}

/// A report's name cut to `max` columns, keeping its distinguishing end
/// in brackets (`（第3辑）`) when there is room for some of its start.
fn cut_name(name: &str, max: usize) -> String {
    if crate::text::width(name) <= max {
        return name.to_string();
    }
    if let Some(open) = name.rfind('（').filter(|_| name.ends_with('）')) {
        let (head, tail) = name.split_at(open);
        let head = head.trim_end_matches('…');
        let room = max.saturating_sub(crate::text::width(tail));
        if room >= 3 && !head.is_empty() {
            return format!("{}{tail}", crate::text::truncate(head, room));
        }
    }
    let t = crate::text::truncate(name.trim_end_matches('…'), max.saturating_sub(1));
    if t.ends_with('…') { t } else { t + "…" }
}

/// The fewest columns a place is shown in after its report's label.
const LOCATION_ROOM: usize = 10;

/// The columns a unit's report label takes in a row at least (its compact
/// label, ` › ` and a short number): 0 in a library of one report.
pub fn unit_label_need(lib: &Library, u: &Unit) -> usize {
    let Target::Place { node, .. } = &u.target else { return 0 };
    let Some(report) = lib.nodes.get(*node).map(|x| x.report) else { return 0 };
    lib.compact_label(report).map_or(0, |l| crate::text::width(&l) + 3 + 4)
}

/// [`labelled_location`] for a unit (registries are `公司名录` and `行业`).
pub fn unit_short_location(lib: &Library, u: &Unit, max: usize) -> String {
    match &u.target {
        Target::Place { node, .. } => labelled_location(lib, *node, max),
        Target::Company(_) => crate::text::truncate("公司名录", max),
        Target::Industry(_) => crate::text::truncate("行业", max),
    }
}

/// Pinyin for find-in-page (`/`): a Latin query (`yinhang`) read as pinyin
/// over a page's text, with the finder's rules (full readings, initials,
/// every reading of a heteronym). Find-in-page tries the typed text first and
/// uses this only when the text is not on the page, so Chinese input stays a
/// literal substring search.
pub struct PagePinyin {
    table: pinyin::Table,
    letters: Vec<u8>,
}

impl PagePinyin {
    /// `None` unless the query could be pinyin (Latin letters and digits,
    /// some lower case once folded), at most [`MAX_QUERY_CHARS`] long.
    pub fn new(query: &str) -> Option<PagePinyin> {
        let q: String = query.chars().map(fold).collect();
        let ok = !q.is_empty()
            && q.len() <= MAX_QUERY_CHARS
            && q.bytes().all(|b| b.is_ascii_alphanumeric())
            && q.bytes().any(|b| b.is_ascii_lowercase());
        ok.then(|| PagePinyin { table: pinyin::Table::default(), letters: q.into_bytes() })
    }

    /// Learn the readings of a page's characters (before [`PagePinyin::runs`]).
    pub fn learn(&mut self, chars: &[char]) {
        for &c in chars {
            self.table.id(c);
        }
    }

    /// Every run of `chars` (folded) that reads as the query, left to right.
    pub fn runs(&self, chars: &[char]) -> Vec<Range<usize>> {
        let ids: Vec<u16> = chars.iter().map(|&c| self.table.lookup(c)).collect();
        if ids.iter().all(|&i| i == pinyin::LITERAL) {
            return Vec::new();
        }
        let starts = self.table.starts_of(chars, &ids);
        let plan = self.table.plan(&self.letters);
        let coded = pinyin::Coded { chars, ids: &ids, starts: &starts };
        self.table.find_all(coded, &self.letters, &plan)
    }
}
