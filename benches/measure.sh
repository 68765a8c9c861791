#!/usr/bin/env bash
# Start-up and scale figures (issue 15), before and after, side by side in one run.
#
# usage: benches/measure.sh BEFORE_BIN AFTER_BIN [SIZES]
#   SIZES: library sizes in reports besides the bundled two (default "100 500").
# Needs hyperfine and fzf; makes the libraries with ../shared/tools/make-library.
# Each binary has a cache folder of its own ($TMP/before, $TMP/after: their
# formats differ), warmed before timing; --no-cache runs show the cost without it.
set -euo pipefail
before=$1 after=$2 sizes=${3:-100 500}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/yanbao-measure.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# Each binary with its own cache folder.
B=(env XDG_CACHE_HOME="$tmp/before" "$before") A=(env XDG_CACHE_HOME="$tmp/after" "$after")
q=zgckj
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for n in bundled $sizes; do
  if [ "$n" = bundled ]; then
    dir=$here/content args=()
  else
    dir=$tmp/lib$n
    "$here/../shared/tools/make-library" "$here/content" "$dir" $((n / 2)) >/dev/null
    args=(--content "$dir")
  fi
  echo "== $n ($(du -sh "$dir" | cut -f1) of YAML)"
  find "$dir" -name '*.yaml' -exec cat {} + > "$tmp/flat.txt"
  "${B[@]}" "${args[@]}" search $q >/dev/null   # build the caches
  "${A[@]}" "${args[@]}" search $q >/dev/null
  echo "cache file: $(du -sh "$tmp"/after/yanbao/* | sort -h | tail -1 | cut -f1)"
  runs=10; [ "$n" = 500 ] && runs=3
  hyperfine -N -w 1 -r $runs --style basic \
    -n "check before" "${B[*]} ${args[*]} check" \
    -n "check after" "${A[*]} ${args[*]} check" \
    -n "search before" "${B[*]} ${args[*]} search $q" \
    -n "search after (cache)" "${A[*]} ${args[*]} search $q" \
    -n "search after --no-cache" "${A[*]} --no-cache ${args[*]} search $q" \
    -n "fzf --filter" "sh -c 'fzf --filter $q < $tmp/flat.txt'" 2>&1 | grep -E "^Benchmark|Time \(mean"
  /usr/bin/time -f "peak RSS of search: %M KB (before)" "${B[@]}" "${args[@]}" search $q >/dev/null
  /usr/bin/time -f "peak RSS of search: %M KB (after)" "${A[@]}" "${args[@]}" search $q >/dev/null
  /usr/bin/time -f "peak RSS of search: %M KB (after --no-cache)" "${A[@]}" --no-cache "${args[@]}" search $q >/dev/null
  "$here/benches/first_frame.py" $runs "${B[@]}" "${args[@]}"
  "$here/benches/first_frame.py" $runs "${A[@]}" "${args[@]}"
  "$here/benches/first_frame.py" $runs "${A[@]}" --no-cache "${args[@]}"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
