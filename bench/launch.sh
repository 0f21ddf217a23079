#!/usr/bin/env bash
# bench/launch.sh: a warm `./jbang <command> --help` before and after the launch fast path (hooks/fastpath.sh),
# side by side in one hyperfine run, then peak RSS (GNU time %M, median of 5). "before" is ./jbang and the scripts
# at REF (default: the commit before hooks/fastpath.sh was added), exported to a scratch folder; "after" is this
# checkout. Both use one JBang cache (JBANG_DIR, default /tmp/bench-launch-jbang) and are warmed first, so nothing
# compiles or dumps a CDS archive while timed. Needs hyperfine (apt-get install hyperfine).
#   bash bench/launch.sh [REF] [RUNS=20]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd -P)
ref=${1:-$(git -C "$repo" log --diff-filter=A --format=%H -- hooks/fastpath.sh | tail -n1)^}
runs=${2:-20}
export JBANG_DIR=${JBANG_DIR:-/tmp/bench-launch-jbang} CDEPLOY_WRAPPER_ONLY=1
before=/tmp/bench-launch-before
rm -rf "$before"; mkdir -p "$before"
git -C "$repo" archive "$ref" | tar -x -C "$before"
cp "$repo"/.jbang-wrapper/classpath-*.txt "$before/.jbang-wrapper/" 2>/dev/null || true

commands=(release stop)
for tree in "$before" "$repo"; do
  for c in "${commands[@]}"; do
    for _ in 1 2 3; do (cd "$tree" && ./jbang "$c" --help >/dev/null 2>&1); done # compile, dump CDS, write the record
  done
done

echo "before: $(git -C "$repo" rev-parse --short "$ref"); after: $(git -C "$repo" rev-parse --short HEAD)$(
  git -C "$repo" diff --quiet HEAD || echo ' + local changes'); load: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
args=()
for c in "${commands[@]}"; do
  args+=(-n "before: $c --help" "cd $before && ./jbang $c --help" -n "after: $c --help" "cd $repo && ./jbang $c --help")
done
hyperfine -w 3 -r "$runs" --export-json /tmp/bench-launch.json "${args[@]}"
# medians, which hyperfine's summary does not print
awk '/"command"/ { split($0, q, "\""); name = q[4] } /"median"/ { gsub(/[^0-9.]/, "", $2); printf "%-22s median %.3f s\n", name, $2 }' \
  /tmp/bench-launch.json

for c in "${commands[@]}"; do
  for tree in "$before" "$repo"; do
    rss=$(for _ in 1 2 3 4 5; do (cd "$tree" && /usr/bin/time -f '%M' ./jbang "$c" --help 2>&1 >/dev/null | tail -n1); done | sort -n | sed -n 3p)
    printf '%-7s %-8s peak RSS %s MB\n' "$([ "$tree" = "$before" ] && echo before || echo after)" "$c" "$((rss / 1024))"
  done
done
