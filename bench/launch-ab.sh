#!/usr/bin/env bash
# bench/launch-ab.sh: a warm `./jbang <command> --help` in two exported trees, interleaved BEFORE, AFTER, BEFORE ...
# (bench/launch.sh does the same with hyperfine, which runs each command's runs back to back; this one alternates
# them, for a machine that others load). Wall (ms clock), CPU (user+sys) and peak RSS (GNU time), median (min-max).
# Both trees share one JBang cache (JBANG_DIR, default /tmp/jbang-bench) and are warmed first (compile, CDS dump,
# launch record), with CDEPLOY_WRAPPER_ONLY=1 so that each tree's own wrapper runs.
#   bash bench/launch-ab.sh BEFORE_TREE AFTER_TREE [N=15] [COMMAND...=release stop]
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,7p' "$0"; exit 2; }
before=$(cd "$1" && pwd -P); after=$(cd "$2" && pwd -P); n=${3:-15}
shift 3 2>/dev/null || shift $#
commands=("$@"); [ ${#commands[@]} -gt 0 ] || commands=(release stop)
export JBANG_DIR=${JBANG_DIR:-/tmp/jbang-bench} CDEPLOY_WRAPPER_ONLY=1
res=$(mktemp)
for t in "$before" "$after"; do
  for c in "${commands[@]}"; do for _ in 1 2 3; do (cd "$t" && ./jbang "$c" --help >/dev/null 2>&1); done; done
done
echo "before: $before ($(cat "$before/.bench-rev" 2>/dev/null || echo '?')); after: $after ($(cat "$after/.bench-rev" 2>/dev/null || echo '?'))"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; N=$n"
for _ in $(seq "$n"); do
  for c in "${commands[@]}"; do
    for l in before after; do
      t=$before; [ $l = after ] && t=$after
      t0=$(date +%s%N)
      (cd "$t" && /usr/bin/time -f '%U %S %M' -o "$res.t" ./jbang "$c" --help </dev/null >/dev/null 2>&1)
      t1=$(date +%s%N)
      awk -v l="$l" -v c="$c" -v a="$t0" -v b="$t1" '{ printf "%s %s %.3f %.2f %d\n", l, c, (b - a) / 1e9, $1 + $2, $3 }' <(tail -n1 "$res.t") >>"$res"
    done
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$res" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    l, c, w, cpu, rss = line.split()
    d[(c, l)].append((float(w), float(cpu), int(rss) / 1024))
f = lambda xs, p="%.2f": (p + " (" + p + "–" + p + ")") % (statistics.median(xs), min(xs), max(xs))
print("\n| ./jbang <command> --help | tree | n | wall s | CPU s | peak RSS MB |\n| --- | --- | --- | --- | --- | --- |")
for (c, l), xs in sorted(d.items(), key=lambda kv: (kv[0][0], kv[0][1] != "before")):
    print("| %s | %s | %d | %s | %s | %s |" % (c, l, len(xs), f([x[0] for x in xs]), f([x[1] for x in xs]), f([x[2] for x in xs], "%.0f")))
PY
rm -f "$res" "$res.t"
