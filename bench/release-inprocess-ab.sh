#!/usr/bin/env bash
# bench/release-inprocess-ab.sh: tests/ReleaseBench (endpoints inside the test JVM; bench/release-vs-awscli.sh) for
# two trees, alternated BEFORE, AFTER, BEFORE, AFTER ... (ROUNDS times each, RUNS timed rounds per JVM after its own
# warm-up round), then the medians over every timed round of each tree.
#   bash bench/release-inprocess-ab.sh BEFORE_TREE AFTER_TREE [ROUNDS=2] [RUNS=5]
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,5p' "$0"; exit 2; }
before=$(cd "$1" && pwd -P); after=$(cd "$2" && pwd -P); rounds=${3:-2}; runs=${4:-5}
export JBANG_DIR=${JBANG_DIR:-/tmp/jbang-bench}
out=${BENCH_DIR:-/tmp/bench-release-inprocess}
rm -rf "$out"; mkdir -p "$out"
echo "before: $before ($(cat "$before/.bench-rev" 2>/dev/null || echo '?')); after: $after ($(cat "$after/.bench-rev" 2>/dev/null || echo '?'))"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; rounds=$rounds runs=$runs"
for r in $(seq "$rounds"); do
  for l in before after; do
    t=$before; [ $l = after ] && t=$after
    (cd "$t" && RUNS=$runs sh bench/release-vs-awscli.sh) >"$out/$l-$r.log" 2>&1 || { echo "$l round $r failed:" >&2; tail -n 30 "$out/$l-$r.log" >&2; exit 1; }
    grep -h '^median of' "$out/$l-$r.log" | sed "s/^/$l, round $r: /"
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$out" <<'PY'
import glob, re, statistics, sys
for l in ("before", "after"):
    rel, cli = [], []
    for f in sorted(glob.glob(sys.argv[1] + "/" + l + "-*.log")):
        for m in re.finditer(r"^round (\d+): release ([\d.]+) s, aws cli ([\d.]+) s$", open(f).read(), re.M):
            rel.append(float(m[2])); cli.append(float(m[3]))
    c = lambda xs: "%.2f (%.2f–%.2f)" % (statistics.median(xs), min(xs), max(xs)) if xs else "n/a"
    print("%s: n=%d release %s, aws cli %s, release/cli %.2f" % (l, len(rel), c(rel), c(cli),
          statistics.median(rel) / statistics.median(cli) if rel else float("nan")))
PY
