#!/usr/bin/env bash
# Issue 21's targets table, before and after, side by side in one run.
#
# usage: benches/library.sh BEFORE_BIN AFTER_BIN [SIZES]
#   SIZES: library sizes in reports (default "100 500"), made with
#   ../shared/tools/make-library (titles, publishers and years differ).
# Per size and binary (each with its own cache folder, warmed first):
#   cache file size against the YAML; `yanbao search` as a whole process
#   (hyperfine, beside `fzf --filter` over the same YAML); the explorer's
#   settled RSS and CPU after the first frame, then an industry page
#   (`i` then `1`: 金融) with its time, CPU and RSS (industry_page.py); the
#   finder's keystroke times for a pinyin and a Chinese query (keystroke.py).
# Needs hyperfine and fzf. Every process is bounded (the pty scripts time
# out; hyperfine runs a fixed count).
set -euo pipefail
before=$1 after=$2 sizes=${3:-100 500}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/yanbao-library.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for n in $sizes; do
  dir=$tmp/lib$n
  "$here/../shared/tools/make-library" "$here/content" "$dir" $((n / 2)) >/dev/null
  yaml=$(du -sb "$dir" | cut -f1)
  find "$dir" -name '*.yaml' -exec cat {} + > "$tmp/flat.txt"
  echo "== $n reports ($((yaml / 1048576)) MB of YAML)"
  for which in before after; do
    bin=$before; [ $which = after ] && bin=$after
    run=(env XDG_CACHE_HOME="$tmp/cache-$which" XDG_STATE_HOME="$tmp/state-$which" "$bin" --content "$dir")
    "${run[@]}" search zgckj >/dev/null 2>&1 || true # builds the cache
    cache=$(du -sb "$tmp/cache-$which" | cut -f1)
    echo "-- $which: cache $((cache / 1048576)) MB ($(python3 -c "print(f'{$cache/$yaml:.2f}')")x the YAML)"
    /usr/bin/time -f "search 中关村科金: peak RSS %M KB, %e s" "${run[@]}" search 中关村科金 >/dev/null
    (cd "$here/benches" && timeout 300 python3 industry_page.py i1 "${run[@]}") || echo "industry_page.py failed"
    (cd "$here/benches" && timeout 300 python3 keystroke.py zgckj "${run[@]}") || echo "keystroke.py failed"
    (cd "$here/benches" && timeout 300 python3 keystroke.py 中关村 "${run[@]}") || echo "keystroke.py failed"
  done
  runs=5; [ "$n" -ge 500 ] && runs=3
  hyperfine -N -w 1 -r $runs --style basic \
    -n "search before" "env XDG_CACHE_HOME=$tmp/cache-before $before --content $dir search 中关村科金" \
    -n "search after" "env XDG_CACHE_HOME=$tmp/cache-after $after --content $dir search 中关村科金" \
    -n "fzf --filter" "sh -c 'fzf --filter 中关村科金 < $tmp/flat.txt'" 2>&1 | grep -E "^Benchmark|Time \(mean"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
