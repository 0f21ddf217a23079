#!/usr/bin/env bash
# bench/hooks-startup.sh: warm hook start-up and a whole stubbed hook run, two trees side by side in one run.
#
#   bash bench/hooks-startup.sh BEFORE_TREE AFTER_TREE [N=9]
#
# Each tree (an exported checkout, e.g. `git archive <rev> | tar -x -C /tmp/bench-before`) gets its own bundle
# (its hooks/, lib/, appspec.yml; bench/compose.yml as the template) and its own ./jbang as the instance's `jbang`
# (lib/setup-host.sh installs a copy of that wrapper; the bundle lies outside the wrapper's folder, as on an
# instance). Every hook runs as the CodeDeploy agent runs it: env -i with a minimal PATH, cwd /, stdin closed,
# through the tree's own hooks/launch, against stub docker/docker-compose that answer at once (as bench/startup.sh),
# so what is timed is the hook's own cost: sh, JBang's launcher JVM when used, the hook JVM and its work.
# JBANG_DIR (default /tmp/jbang-bench) is passed through env -i so that the JBang cache is the benchmark's own.
#
# Warm-up: each tree's hooks/pull runs once for real (stub Docker): it compiles start and validate and writes their
# launch records (hooks/.start.cmd, hooks/.validate.cmd; the AFTER tree's are stamped by hooks/fastpath.sh), so
# start and validate then run as they would inside the swap on an instance.
#
# Timed, interleaved BEFORE, AFTER, BEFORE, AFTER ... (N rounds), wall (ms clock) and peak RSS (GNU time %M):
#   <hook> --version        pull, start, validate: start-up alone
#   pull --version, no build  AFTER only: a copy of the AFTER bundle whose hooks/launch lacks the `jbang build`
#                           step (what pull's start-up costs without the deliberate build-first of d1ba602)
#   jbang build pull.java   AFTER's `jbang build hooks/pull.java`, warm: that step alone
#   start, validate         a whole stubbed run (no arguments); "own" is the hook's last log line
#                           ("... s own"), i.e. its time not spent on other programs or the health wait
#   pull (whole)            a whole stubbed pull, warm-up of the other hooks included (every PULL_EVERY-th round)
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,25p' "$0"; exit 2; }
before=$(cd "$1" && pwd -P); after=$(cd "$2" && pwd -P); n=${3:-9}
pull_every=${PULL_EVERY:-3}
export JBANG_DIR=${JBANG_DIR:-/tmp/jbang-bench}
S=${BENCH_DIR:-/tmp/bench-hooks-startup}
port=${BENCH_HEALTH_PORT:-18099}
rm -rf "$S"; mkdir -p "$S/www/actuator"
echo '{"status":"UP"}' >"$S/www/actuator/health"
# shellcheck source=bench/stubs.sh
. "$(dirname "$0")/stubs.sh"
stub_docker "$S"
/usr/bin/python3 -m http.server "$port" --bind 127.0.0.1 --directory "$S/www" >/dev/null 2>&1 &
www=$!
trap 'kill $www 2>/dev/null || true' EXIT

# bundle LABEL TREE: $S/LABEL/{bundle,bin,state}
bundle() {
  local l=$1 t=$2 b=$S/$1/bundle
  mkdir -p "$b" "$S/$l/bin" "$S/$l/state"
  cp -r "$t/hooks" "$t/lib" "$t/appspec.yml" "$b/"
  cp "$t/bench/compose.yml" "$b/compose.yml"
  rm -f "$b"/hooks/.*.cmd
  echo 127.0.0.1:5000/bench/x:v2 >"$b/image.txt"
  printf '{"version":"v2","image":"127.0.0.1:5000/bench/x:v2","settings":{"project":"bench","service":"bench-be","container":"bench-backend","envFile":"","healthUrl":"http://127.0.0.1:%s/actuator/health","healthTimeoutSeconds":120}}\n' "$port" >"$b/release.json"
  ln -sfn "$t/jbang" "$S/$l/bin/jbang"
}
bundle before "$before"
bundle after "$after"
envs() { # LABEL -> the agent's environment for that tree
  local l=$1
  printf '%s\0' env -i "PATH=$S/$l/bin:/usr/local/bin:/usr/bin:/bin" "JBANG_DIR=$JBANG_DIR" "CDEPLOY_STATE_DIR=$S/$l/state" \
    "CDEPLOY_DOCKER=$S/docker" "CDEPLOY_COMPOSE=$S/docker-compose" "CDEPLOY_DOCKER_COMPOSE=$S/docker-compose"
}
agent() { # LABEL LOG CMD... : run as the agent does, timed; prints "wall_s rss_kb cpu_s rc"
  local l=$1 log=$2 e t0 t1 rc=0
  shift 2
  mapfile -d '' e < <(envs "$l")
  t0=$(date +%s%N)
  (cd / && "${e[@]}" /usr/bin/time -f '%M %U %S' -o "$S/rss" "$@" </dev/null >"$log" 2>&1) || rc=$?
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" -v rc="$rc" '{ printf "%.3f %d %.2f %d\n", (b - a) / 1e9, $1, $2 + $3, rc }' <(tail -n1 "$S/rss")
}

# warm-up: pull compiles and writes the records; a second pull and one run of each hook so that every jar, record
# (and the AFTER tree's CDS archives, if any) exist before timing
for l in before after; do
  for _ in 1 2; do
    r=$(agent "$l" "$S/$l/pull.log" "$S/$l/bundle/hooks/pull")
    [ "${r##* }" = 0 ] || { echo "$l: warm-up pull failed ($r):" >&2; cat "$S/$l/pull.log" >&2; exit 1; }
  done
  for h in start validate; do
    [ -f "$S/$l/bundle/hooks/.$h.cmd" ] || { echo "$l: pull wrote no hooks/.$h.cmd" >&2; exit 1; }
    for a in --version ""; do
      r=$(agent "$l" "$S/$l/$h.log" "$S/$l/bundle/hooks/$h" $a)
      [ "${r##* }" = 0 ] || { echo "$l: warm-up $h $a failed ($r):" >&2; cat "$S/$l/$h.log" >&2; exit 1; }
    done
  done
done
# AFTER without the build-first step of hooks/launch (only for pull, which has no record)
cp -r "$S/after" "$S/after-nobuild"
rm -rf "$S/after-nobuild/state"; mkdir -p "$S/after-nobuild/state"
awk '/^if ! "\$jbang" build /{skip=1} skip&&/^fi$/{skip=0; next} !skip' "$after/hooks/launch" >"$S/after-nobuild/bundle/hooks/launch"
if grep -q '"$jbang" build' "$S/after-nobuild/bundle/hooks/launch" || ! grep -q '"$jbang" build' "$after/hooks/launch"; then
  echo "could not remove the build step from the AFTER hooks/launch copy" >&2; exit 1
fi
# which way the AFTER tree's start/validate go (its launcher says so with CDEPLOY_LAUNCH_DEBUG=1)
for h in start validate; do
  mapfile -d '' e < <(envs after)
  (cd / && "${e[@]}" CDEPLOY_LAUNCH_DEBUG=1 "$S/after/bundle/hooks/$h" --version </dev/null 2>&1 >/dev/null | grep '^launch:' | sed "s|^|after $h: |") || true
done
grep -h '^jar=' "$S/before/bundle/hooks/.start.cmd" | sed 's/^/before start record: /'

echo "before: $before ($(cat "$before/.bench-rev" 2>/dev/null || echo '?')); after: $after ($(cat "$after/.bench-rev" 2>/dev/null || echo '?'))"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; N=$n"
res=$S/results.txt
: >"$res"
rec() { # VARIANT MEASURE RESULT LOG
  local own
  own=$(grep -o '[0-9.-]* s own' "$4" 2>/dev/null | tail -n1 | cut -d' ' -f1) || own=''
  echo "$1 $2 $3 ${own:-nan}" >>"$res"
  case ${3##* } in 0) ;; *) echo "$1 $2: exit ${3##* }: $(tail -n2 "$4" | tr '\n' ' ')" >&2 ;; esac
}
for i in $(seq "$n"); do
  for l in before after; do
    for h in pull start validate; do rec "$l" "$h--version" "$(agent "$l" "$S/l" "$S/$l/bundle/hooks/$h" --version)" "$S/l"; done
  done
  rec after-nobuild pull--version "$(agent after-nobuild "$S/l" "$S/after-nobuild/bundle/hooks/pull" --version)" "$S/l"
  rec after jbang-build-pull "$(agent after "$S/l" "$S/after/bin/jbang" build "$S/after/bundle/hooks/pull.java")" "$S/l"
  for l in before after; do
    for h in start validate; do rec "$l" "$h" "$(agent "$l" "$S/l" "$S/$l/bundle/hooks/$h")" "$S/l"; done
  done
  if [ $((i % pull_every)) -eq 1 ] || [ "$pull_every" = 1 ]; then
    for l in before after; do rec "$l" pull "$(agent "$l" "$S/l" "$S/$l/bundle/hooks/pull")" "$S/l"; done
  fi
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 - "$res" <<'EOF'
import collections, math, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    v, m, wall, rss, cpu, rc, own = line.split()
    if rc == "0":
        d[(v, m)].append((float(wall), int(rss) / 1024, float(own), float(cpu)))
def c(xs, f="%.2f"):
    xs = [x for x in xs if not math.isnan(x)]
    return "n/a" if not xs else (f + " (" + f + "–" + f + ")") % (statistics.median(xs), min(xs), max(xs))
print("\n| measurement | variant | n | wall s, median (min–max) | CPU s (user+sys) | own s (hook's log) | peak RSS MB |")
print("| --- | --- | --- | --- | --- | --- | --- |")
order = ["pull--version", "jbang-build-pull", "start--version", "validate--version", "start", "validate", "pull"]
for m in order:
    for v in ["before", "after", "after-nobuild"]:
        xs = d.get((v, m))
        if xs:
            own = c([x[2] for x in xs]) if m in ("start", "validate", "pull") else ""
            print("| %s | %s | %d | %s | %s | %s | %s |" % (m, v, len(xs), c([x[0] for x in xs]), c([x[3] for x in xs]), own, c([x[1] for x in xs], "%.0f")))
EOF
