#!/usr/bin/env bash
# bench/startup.sh: where a warm hook's own time goes, and what tuning buys. Runs the hooks as CodeDeploy would
# (env -i, cwd /, stdin closed) against a stub Docker (CDEPLOY_DOCKER and CDEPLOY_COMPOSE point to scripts that
# answer at once), so the wall time is the hook's own cost: sh launcher, JBang's launcher JVM when it is used, the
# hook JVM and its work (YAML, JSON, process spawning), and no Docker. Variants, interleaved, median (min-max) of N:
#   jbang-untuned   start/validate through JBang (no .cmd file), JBang's JVM without flags (JBANG_JAVA_OPTIONS=" ")
#   jbang           start/validate through JBang with hooks/launch's flags (C1 only, serial GC)
#   jbang-cds       the same plus an AppCDS archive for JBang's launcher JVM only (a copy of ./jbang that adds
#                   -XX:SharedArchiveFile to the launcher's command line: JBANG_JAVA_OPTIONS cannot carry it, since
#                   JBang also passes those options to the hook JVM, whose class path the archive does not match)
#   shipped         as the repository does it now: hooks/pull wrote .start.cmd/.validate.cmd, the launcher execs java
#   shipped-cds     shipped plus an AppCDS archive of the hook JVM (dumped from one stub run of that hook)
#   shipped-cds-ver shipped plus an AppCDS archive dumped from `hooks/<hook> --version` only (what pull could do
#                   without a dry-run mode in the hooks: picocli and the JDK classes, not Jackson)
#   shipped-cds-nopd  shipped-cds plus -XX:-UsePerfData -Xss256k
# pull always goes through JBang (nothing caches its command); it is timed as jbang / jbang-cds.
#
#   bash bench/startup.sh [N=7]
set -euo pipefail
n=${1:-7}
bench=$(cd "$(dirname "$0")" && pwd -P)
repo=$(dirname "$bench")
S=/tmp/bench-startup
rm -rf "$S"; mkdir -p "$S/bin" "$S/state" "$S/www/actuator" "$S/res"
ln -sfn "$repo/jbang" "$S/bin/jbang"
echo '{"status":"UP"}' >"$S/www/actuator/health"
# shellcheck source=bench/stubs.sh
. "$(dirname "$0")/stubs.sh"
stub_docker "$S"
/usr/bin/python3 -m http.server 18099 --bind 127.0.0.1 --directory "$S/www" >/dev/null 2>&1 &
www=$!
trap 'kill $www 2>/dev/null || true' EXIT

b=$S/bundle
# the committed hooks (git HEAD, read-only), or the working tree's with BENCH_WORKTREE=1
mkdir -p "$b"
if [ -n "${BENCH_WORKTREE:-}" ]; then cp -r "$repo/hooks" "$repo/lib" "$repo/appspec.yml" "$b/"
else git -C "$repo" archive HEAD hooks lib appspec.yml | tar -x -C "$b"; fi
cp "$bench/compose.yml" "$b/compose.yml"
echo "code: $(git -C "$repo" rev-parse --short HEAD)${BENCH_WORKTREE:+ working tree}"
rm -f "$b"/hooks/.*.cmd
echo 127.0.0.1:5000/bench/x:v2 >"$b/image.txt"
printf '{"version":"v2","image":"127.0.0.1:5000/bench/x:v2","settings":{"project":"bench","service":"bench-be","container":"bench-backend","envFile":"","healthUrl":"http://127.0.0.1:18099/actuator/health","healthTimeoutSeconds":120}}\n' >"$b/release.json"
envs=(env -i "PATH=$S/bin:/usr/local/bin:/usr/bin:/bin" "CDEPLOY_STATE_DIR=$S/state" "CDEPLOY_DOCKER=$S/docker"
      "CDEPLOY_COMPOSE=$S/docker-compose" "CDEPLOY_DOCKER_COMPOSE=$S/docker-compose")
tuned="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
cp=$(cat "$repo"/.jbang-wrapper/classpath-*.txt)
jsa=$S/jbang-launcher.jsa

# warm: pull (compiles, writes .start.cmd/.validate.cmd); keep the .cmd files aside so that the jbang variants
# can run without them; dump the launcher's and each hook JVM's archives
(cd / && "${envs[@]}" "$b/hooks/pull" </dev/null >"$S/pull.log" 2>&1) || { cat "$S/pull.log" >&2; exit 1; }
for h in start validate; do
  [ -f "$b/hooks/.$h.cmd" ] || { echo "pull wrote no hooks/.$h.cmd: this benchmark needs the launcher bypass (commit 10ac7ea)" >&2; exit 1; }
  mv "$b/hooks/.$h.cmd" "$S/$h.cmd"
  (cd / && "${envs[@]}" "$b/hooks/$h" </dev/null >/dev/null 2>&1) || { echo "warm-up of $h failed" >&2; exit 1; }
  # the hook JVM's own archive, from one real (stub Docker) run
  sed "s|^options='|options='-XX:ArchiveClassesAtExit=$S/hook-$h.jsa |" "$S/$h.cmd" >"$b/hooks/.$h.cmd"
  (cd / && "${envs[@]}" "$b/hooks/$h" </dev/null >/dev/null 2>&1) || true
  sed "s|^options='|options='-XX:SharedArchiveFile=$S/hook-$h.jsa |" "$S/$h.cmd" >"$S/$h.cds.cmd"
  sed "s|^options='|options='-XX:ArchiveClassesAtExit=$S/hook-$h-ver.jsa |" "$S/$h.cmd" >"$b/hooks/.$h.cmd"
  (cd / && "${envs[@]}" "$b/hooks/$h" --version </dev/null >/dev/null 2>&1) || true
  sed "s|^options='|options='-XX:SharedArchiveFile=$S/hook-$h-ver.jsa |" "$S/$h.cmd" >"$S/$h.cds-ver.cmd"
  sed "s|^options='|options='-XX:SharedArchiveFile=$S/hook-$h.jsa -XX:-UsePerfData -Xss256k |" "$S/$h.cmd" >"$S/$h.cds-nopd.cmd"
  rm -f "$b/hooks/.$h.cmd"
done
(cd / && JBANG_RUNTIME_SHELL=bash JBANG_STDIN_NOTTY=true java $tuned -XX:ArchiveClassesAtExit="$jsa" -classpath "$cp" \
  dev.jbang.Main "$b/hooks/pull.java" --version >/dev/null 2>&1) || true

# a copy of the jbang wrapper whose launcher JVM (only) maps the archive
mkdir -p "$S/wrapper-cds/.jbang-wrapper" "$S/bin-cds"
cp "$repo"/.jbang-wrapper/* "$S/wrapper-cds/.jbang-wrapper/"
sed 's|out=$("$java" $JBANG_JAVA_OPTIONS -classpath|out=$("$java" $JBANG_JAVA_OPTIONS ${CDEPLOY_LAUNCHER_OPTIONS:-} -classpath|' "$repo/jbang" >"$S/wrapper-cds/jbang"
chmod +x "$S/wrapper-cds/jbang"; ln -sfn "$S/wrapper-cds/jbang" "$S/bin-cds/jbang"
grep -q CDEPLOY_LAUNCHER_OPTIONS "$S/wrapper-cds/jbang" || { echo "could not patch the wrapper copy" >&2; exit 1; }

one() { # variant hook -> "wall rss"
  local v=$1 h=$2 jo=""
  rm -f "$b"/hooks/.*.cmd
  case "$v" in
    jbang-untuned) jo=" " ;;
    jbang-cds) ;;
    shipped) cp "$S/$h.cmd" "$b/hooks/.$h.cmd" ;;
    shipped-cds) cp "$S/$h.cds.cmd" "$b/hooks/.$h.cmd" ;;
    shipped-cds-ver) cp "$S/$h.cds-ver.cmd" "$b/hooks/.$h.cmd" ;;
    shipped-cds-nopd) cp "$S/$h.cds-nopd.cmd" "$b/hooks/.$h.cmd" ;;
  esac
  if [ "$v" = jbang-cds ]; then
    (cd / && env -i "PATH=$S/bin-cds:/usr/local/bin:/usr/bin:/bin" "${envs[@]:3}" CDEPLOY_LAUNCHER_OPTIONS="-XX:SharedArchiveFile=$jsa" \
      /usr/bin/time -f '%e %M' -o "$S/t" "$b/hooks/$h" </dev/null >/dev/null 2>"$S/err") || true
  elif [ -n "$jo" ]; then
    (cd / && "${envs[@]}" JBANG_JAVA_OPTIONS="$jo" /usr/bin/time -f '%e %M' -o "$S/t" "$b/hooks/$h" </dev/null >/dev/null 2>"$S/err") || true
  else
    (cd / && "${envs[@]}" /usr/bin/time -f '%e %M' -o "$S/t" "$b/hooks/$h" </dev/null >/dev/null 2>"$S/err") || true
  fi
  if grep -q -i "warning\|error\|Building jar\|exited with" "$S/err" "$S/t"; then
    echo "$v $h: $(grep -h -i -m1 'warning\|error\|Building\|exited with' "$S/err" "$S/t")" >&2
  fi
  own=$(grep -o '[0-9.]* s own' "$S/err" | tail -n1 | cut -d' ' -f1)
  echo "$(tail -n1 "$S/t") ${own:-nan}"
}

echo "load at start: $(uptime)"
for i in $(seq "$n"); do
  for v in jbang-untuned jbang jbang-cds shipped shipped-cds shipped-cds-ver shipped-cds-nopd; do
    for h in start validate; do
      echo "$v $h $(one "$v" "$h")" >>"$S/res/all.txt"
    done
  done
  for v in jbang-untuned jbang jbang-cds; do
    echo "$v pull $(one "$v" pull)" >>"$S/res/all.txt"
  done
done
echo "load at end: $(uptime)"
/usr/bin/python3 - "$S/res/all.txt" <<'EOF'
import collections, math, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    v, h, wall, rss, own = line.split()
    d[(v, h)].append((float(wall), int(rss) / 1024, float(own)))
def c(xs, f="%.2f"):
    xs = [x for x in xs if not math.isnan(x)]
    return "n/a" if not xs else (f + " (" + f + "-" + f + ")") % (statistics.median(xs), min(xs), max(xs))
print("Full hook run against a stub Docker (so: the hook's own cost), wall s / 'own' s as the hook prints it / peak RSS MB")
print()
print("| variant | start wall | start own | validate wall | validate own | pull wall | pull own | peak RSS MB (start) |")
print("|---|---|---|---|---|---|---|---|")
for v in ["jbang-untuned", "jbang", "jbang-cds", "shipped", "shipped-cds", "shipped-cds-ver", "shipped-cds-nopd"]:
    cells = []
    for h in ["start", "validate", "pull"]:
        xs = d.get((v, h), [])
        cells += [c([x[0] for x in xs]), c([x[2] for x in xs])] if xs else ["", ""]
    print("| %s | %s | %s |" % (v, " | ".join(cells), c([x[1] for x in d[(v, "start")]], "%.0f")))
EOF
