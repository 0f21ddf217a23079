#!/usr/bin/env bash
# bench/hooks.sh: deploys v1 -> v2 with this project's hooks (pull, start, validate) and with the original
# stop-then-start hooks (bench/original/, from the write-up), interleaved, while bench/probe.py GETs the health URL
# every 50 ms; prints the outage (longest run of failed probes), each hook's wall time, "own" time (from the hook's
# last log line) and peak RSS (GNU time %M), as median (min-max) over the runs. Also times each hook's warm
# start-up alone (hooks/<hook> --version: launcher, JBang, JVM, no Docker).
#
#   bash bench/hooks.sh [--runs 5] [--boot-delay 3] [--app busybox|spring|both] [--filler-mb 150] [--rebuild] [--worktree]
#                       [--variants "ours ours-changed original proxy"]
#
#   --runs N        measured v1 -> v2 deployments per variant (default 5)
#   --boot-delay S  seconds the app sleeps before it opens its port (BOOT_DELAY in the env file; default 3)
#   --app A         busybox (tests/fixtures/images.sh app), spring (bench/spring-app, Spring Boot 3.5 in a JRE image
#                   imported from a debootstrap'ed Debian rootfs) or both (default)
#   --filler-mb M   size of the per-release random layer in each app image (default 150)
#   --rebuild       rebuild the app images (and the Spring jar) even when the registry has them
#   --worktree      benchmark the working tree's hooks/ and lib/ (default: the committed ones, git HEAD, taken once
#                   at the start, so edits made while the benchmark runs do not leak into it)
#   --variants L    which variants to measure, in rotating order (default: all four)
#
# Variants, each measured in every run, in rotating order; each starts from v1 deployed (untimed) by the same tool,
# and the v2 image is removed from the host first, so every variant pulls it from the local registry:
#   ours          hooks/pull, hooks/start, hooks/validate of this checkout (hook code unchanged since the last deploy)
#   ours-changed  the same, with the v2 bundle's lib/core/Cli.java changed (a comment appended): pull compiles and warms
#                 start and validate; the table counts "[jbang] Building jar" lines in start/validate (must be 0)
#   original      bench/original/stop.sh, then bench/original/start.sh (compose file written, docker-compose up -d,
#                 which pulls the image after the old container is gone, as in the write-up)
#   proxy         our hooks with bench/compose-proxy.yml: nginx in front, the new colour started beside the old and
#                 switched to once healthy (the shipped template's default); its peak memory during the overlap and
#                 the proxy's added latency (bench/latency.py: p50/p99 through nginx against the colour directly)
# Each variant starts from a clean stack (its v1 deployment is untimed), so the layouts never meet. Every measured
# deployment also samples docker stats: the peak memory of the app containers and the proxy together.
# Everything is the benchmark's own: compose project "bench" (bench/compose.yml), containers bench-*, host port
# 18080, network "bench", state in /tmp/bench-hooks, caches in /tmp/bench-cache, images 127.0.0.1:5000/bench/...
# Results: /tmp/bench-hooks/results/<time>/ (results.jsonl, table.md, every hook's output).
set -euo pipefail

runs=5 delay=3 app=both filler=150 rebuild= worktree= variants="ours ours-changed original proxy"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --boot-delay) delay=$2; shift 2 ;;
    --app) app=$2; shift 2 ;;
    --filler-mb) filler=$2; shift 2 ;;
    --rebuild) rebuild=1; shift ;;
    --worktree) worktree=1; shift ;;
    --variants) variants=$2; shift 2 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "bench/hooks.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$app" in busybox) apps=(busybox) ;; spring) apps=(spring) ;; both) apps=(busybox spring) ;;
  *) echo "bench/hooks.sh: --app busybox|spring|both" >&2; exit 2 ;; esac

cmdline="bash bench/hooks.sh --runs $runs --boot-delay $delay --app $app --filler-mb $filler${rebuild:+ --rebuild}${worktree:+ --worktree} --variants '$variants'"
bench=$(cd "$(dirname "$0")" && pwd -P)
repo=$(dirname "$bench")
W=/tmp/bench-hooks
CACHE=/tmp/bench-cache
REG=127.0.0.1:5000
URL=http://127.0.0.1:18080/actuator/health
out=$W/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$W/bin" "$W/state" "$W/pinpoint/profiles" "$W/bundles" "$W/orig/bench" "$CACHE" "$out"
ln -sfn "$repo/jbang" "$W/bin/jbang"
printf 'BOOT_DELAY=%s\n' "$delay" >"$W/app.env"
PY=/usr/bin/python3
log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

echo "command: $cmdline" | tee "$out/command.txt"
echo "load at start: $(uptime)" | tee -a "$out/command.txt"
# the code under test, taken once: git HEAD (read-only: git archive), or the working tree with --worktree
snap=$out/code
mkdir -p "$snap"
if [ -n "$worktree" ]; then
  cp -r "$repo/hooks" "$repo/lib" "$repo/appspec.yml" "$snap/"
  echo "code: working tree of $(git -C "$repo" rev-parse --short HEAD), changed: $(git -C "$repo" status --short -- hooks lib | tr '\n' ' ')" | tee -a "$out/command.txt"
else
  git -C "$repo" archive HEAD hooks lib appspec.yml | tar -x -C "$snap"
  echo "code: git HEAD $(git -C "$repo" rev-parse --short HEAD) ($(git -C "$repo" log -1 --format=%s | cut -c1-100))" | tee -a "$out/command.txt"
fi
rm -f "$snap"/hooks/.*.cmd
# hooks/launch exporting CDEPLOY_HOOK_START means the hooks time themselves from the launcher; before that, from the
# JVM's start instant, which Java dates from /proc/stat btime (whole seconds): report.py then corrects "own"
if grep -q CDEPLOY_HOOK_START "$snap/hooks/launch"; then echo exact >"$out/timing.txt"; else echo btime >"$out/timing.txt"; fi

# ---------------------------------------------------------------------------------------------------- set-up
[ -x /usr/bin/time ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >&2
docker network inspect bench >/dev/null 2>&1 || docker network create bench >/dev/null
in_registry() { # repo tag
  curl -fsI -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://$REG/v2/$1/manifests/$2"
}
if ! docker image inspect bench-side:1 >/dev/null 2>&1; then # the side services' stand-in, as images.sh --side builds it
  ctx=$(mktemp -d /tmp/bench-side.XXXXXX)
  cp "$(command -v busybox)" "$ctx/busybox"; cp "$repo/tests/fixtures/side.sh" "$ctx/side.sh"
  printf '%s\n' 'FROM scratch' 'COPY busybox /bin/busybox' 'RUN ["/bin/busybox", "--install", "-s", "/bin"]' \
    'COPY side.sh /bin/redis-server' 'COPY side.sh /bin/side' 'CMD ["/bin/side"]' >"$ctx/Dockerfile"
  docker build -q -t bench-side:1 "$ctx" >/dev/null 2>&1; rm -rf "$ctx"
fi

busybox_images() { # -> "v1ref v2ref"
  local v
  for v in v1 v2; do
    if [ -n "$rebuild" ] || ! in_registry bench/cdeploy-test/app "f$filler-$v"; then
      log "building busybox app $v with a $filler MB layer (tests/fixtures/images.sh)"
      "$repo/tests/fixtures/images.sh" "$REG/bench" "f$filler-$v" ok 0 "$filler" >/dev/null 2>&1
    fi
  done
  echo "$REG/bench/cdeploy-test/app:f$filler-v1 $REG/bench/cdeploy-test/app:f$filler-v2"
}

spring_images() {
  local jar=$bench/spring-app/target/bench-app.jar v ctx
  if [ -n "$rebuild" ] || [ ! -f "$jar" ] || [ -n "$(find "$bench/spring-app/src" "$bench/spring-app/pom.xml" -newer "$jar" | head -n1)" ]; then
    log "building the Spring Boot jar with Maven"
    (cd "$bench/spring-app" && mvn -q -B package -DskipTests) >&2
  fi
  if ! docker image inspect bench-jre:17 >/dev/null 2>&1; then
    if [ ! -x "$CACHE/jre-rootfs/usr/bin/java" ]; then
      log "debootstrap: Debian bookworm minbase + openjdk-17-jre-headless into $CACHE/jre-rootfs"
      rm -rf "$CACHE/jre-rootfs.partial"
      debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$CACHE/jre-rootfs.partial" >"$CACHE/debootstrap.log" 2>&1
      rm -rf "$CACHE"/jre-rootfs.partial/var/cache/apt/archives/*.deb "$CACHE"/jre-rootfs.partial/var/lib/apt/lists/*
      mv "$CACHE/jre-rootfs.partial" "$CACHE/jre-rootfs"
    fi
    log "importing the rootfs as bench-jre:17"
    tar -C "$CACHE/jre-rootfs" -c . | docker import - bench-jre:17 >/dev/null
  fi
  for v in v1 v2; do
    if [ -n "$rebuild" ] || ! in_registry bench/spring-app "f$filler-$v"; then
      log "building Spring Boot app $v with a $filler MB layer"
      ctx=$(mktemp -d /tmp/bench-spring.XXXXXX)
      cp "$bench/spring-app/Dockerfile" "$ctx/"; mkdir -p "$ctx/target"
      # each release's jar differs (as real ones do): the version goes into the jar, so its layer is new too
      $PY -c 'import sys, zipfile; import shutil; shutil.copy(sys.argv[1], sys.argv[2]); z = zipfile.ZipFile(sys.argv[2], "a"); z.writestr("BOOT-INF/classes/bench-version.txt", sys.argv[3]); z.close()' \
        "$jar" "$ctx/target/bench-app.jar" "$v $(date +%s%N)"
      head -c "$((filler * 1024 * 1024))" /dev/urandom >"$ctx/filler.bin"
      docker build -q --build-arg VERSION="$v" -t "$REG/bench/spring-app:f$filler-$v" "$ctx" >/dev/null 2>&1
      docker push -q "$REG/bench/spring-app:f$filler-$v" >/dev/null
      rm -rf "$ctx"
    fi
  done
  echo "$REG/bench/spring-app:f$filler-v1 $REG/bench/spring-app:f$filler-v2"
}

make_bundle() { # dir version image [template]
  local b=$1
  rm -rf "$b"; mkdir -p "$b"
  cp -r "$snap/hooks" "$snap/lib" "$snap/appspec.yml" "$b/"
  cp "${4:-$bench/compose.yml}" "$b/compose.yml"
  printf '%s\n' "$3" >"$b/image.txt"
  printf '{"version":"%s","image":"%s","settings":{"project":"bench","service":"bench-be","container":"bench-backend","envFile":"%s","healthUrl":"%s","healthTimeoutSeconds":120}}\n' \
    "$2" "$3" "$W/app.env" "$URL" >"$b/release.json"
}

# ------------------------------------------------------------------------------------------------ running hooks
hook_env=(env -i "PATH=$W/bin:/usr/local/bin:/usr/bin:/bin" "CDEPLOY_STATE_DIR=$W/state")
ours_hook() { # bundle hook prefix: runs it as CodeDeploy would, under GNU time; "<start> <end>" epoch -> prefix.span
  local t0 rc=0
  t0=$EPOCHREALTIME
  (cd / && "${hook_env[@]}" /usr/bin/time -f '%e %M' -o "$3.time" "$1/hooks/$2" </dev/null >"$3.out" 2>"$3.err") || rc=$?
  echo "$t0 $EPOCHREALTIME $rc" >"$3.span"
  return $rc
}
orig_hook() { # bundle script prefix: the original scripts, from the folder whose name is the compose project
  local t0 rc=0
  t0=$EPOCHREALTIME
  (cd "$W/orig/bench" && env -i PATH=/usr/local/bin:/usr/bin:/bin BENCH_CONTAINER=bench-backend \
      "BENCH_IMAGE_FILE=$1/image.txt" "BENCH_ENV_FILE=$W/app.env" \
      /usr/bin/time -f '%e %M' -o "$3.time" bash "$bench/original/$2.sh" </dev/null >"$3.out" 2>"$3.err") || rc=$?
  echo "$t0 $EPOCHREALTIME $rc" >"$3.span"
  return $rc
}
wait_healthy() { # seconds
  local end=$((SECONDS + $1))
  until curl -fs -m 1 -o /dev/null "$URL"; do
    [ $SECONDS -lt $end ] || { log "not healthy after $1 s"; return 1; }
    sleep 0.1
  done
}
deploy() { # variant bundle prefix: one deployment with that tool
  case "$1" in
    ours|ours-changed|proxy)
      ours_hook "$2" pull "$3.pull" && ours_hook "$2" start "$3.start" && ours_hook "$2" validate "$3.validate" ;;
    original)
      orig_hook "$2" stop "$3.stop" && orig_hook "$2" start "$3.start" ;;
  esac
}

measure() { # app variant run v1bundle v2bundle v2image
  local app=$1 variant=$2 run=$3 p="$out/$1-$2-r$3" stopfile sampler
  cleanup
  log "$app run $run: $variant: deploying v1 (untimed)"
  deploy "$variant" "$4" "$p.v1" || { log "v1 deployment failed: see $p.v1.*"; return 1; }
  wait_healthy 120
  docker image rm "$6" >/dev/null 2>&1 || true
  docker image inspect "$6" >/dev/null 2>&1 && { log "could not remove $6 from the host"; return 1; }
  sleep 1
  stopfile=$p.stop; rm -f "$stopfile"
  $PY "$bench/probe.py" "$URL" "$p.probes" "$stopfile" 0.05 1.0 180 &
  local prober=$! rc=0 t_measure
  t_measure=$(date +%s.%N)
  sleep 0.5
  log "$app run $run: $variant: v1 -> v2 (measured)"
  (while [ ! -e "$stopfile" ]; do # memory of the app containers and the proxy, for the peak during the overlap
     docker stats --no-stream --format '{{.Name}} {{.MemUsage}}' 2>/dev/null | grep -E '^bench-(backend|proxy)' | sed "s/^/$(date +%s.%N) /"
   done >"$p.mem") &
  sampler=$!
  deploy "$variant" "$5" "$p" || rc=$?
  touch "$stopfile"
  wait "$sampler" 2>/dev/null || true
  wait "$prober" || log "the prober did not see the service healthy again within 180 s"
  [ $rc -eq 0 ] || log "$variant deployment failed (exit $rc): see $p.*"
  for c in bench-backend bench-backend-blue bench-backend-green; do # the container that serves v2
    docker inspect --format '{{.Config.Image}} {{.State.StartedAt}}' "$c" >"$p.container" 2>/dev/null && break
  done
  # what Docker did to the app container meanwhile (kill, die, create, start ...), for the outage breakdown
  docker events --since "$t_measure" --until "$(date +%s.%N)" --filter type=container --filter container=bench-backend \
    --filter container=bench-backend-blue --filter container=bench-backend-green \
    --format '{{.TimeNano}} {{.Action}} {{.Actor.Attributes.image}}' >"$p.events" 2>/dev/null || true
  $PY "$bench/report.py" record "$p" "$app" "$variant" "$run" "$rc" >>"$out/results.jsonl"
}

startup() { # app bundle: warm start-up of each hook alone (--version: no Docker), one sample per run
  local h i
  for h in pull start validate; do
    for i in $(seq "$runs"); do
      (cd / && "${hook_env[@]}" /usr/bin/time -f '%e %M' -o "$out/startup-$h-$i.time" "$2/hooks/$h" --version </dev/null >/dev/null 2>&1)
      printf '{"startup":"%s","app":"%s","wall":%s,"rss_kb":%s}\n' "$h" "$1" \
        $(cat "$out/startup-$h-$i.time") >>"$out/results.jsonl"
    done
  done
}

cleanup() { # the benchmark's stack and state; images and caches stay for the next run
  docker rm -f bench-backend bench-backend-blue bench-backend-green bench-proxy bench-redis bench-pinpoint-agent bench-filebeat >/dev/null 2>&1 || true
  rm -rf "$W/state/bench"
}
trap cleanup EXIT

for a in "${apps[@]}"; do
  read -r v1 v2 < <(if [ "$a" = busybox ]; then busybox_images; else spring_images; fi)
  docker image inspect "$v1" >/dev/null 2>&1 || docker pull -q "$v1" >/dev/null
  make_bundle "$W/bundles/$a-v1" v1 "$v1"
  make_bundle "$W/bundles/$a-v2" v2 "$v2"
  make_bundle "$W/bundles/$a-proxy-v1" v1 "$v1" "$bench/compose-proxy.yml"
  make_bundle "$W/bundles/$a-proxy-v2" v2 "$v2" "$bench/compose-proxy.yml"
  cleanup
  log "$a: first deployment of v1 with our hooks (compiles them if needed; untimed)"
  deploy ours "$W/bundles/$a-v1" "$out/$a-warmup" || { log "warm-up deployment failed: see $out/$a-warmup.*"; exit 1; }
  wait_healthy 120
  startup "$a" "$W/bundles/$a-v1"
  read -r -a vs <<<"$variants"
  for r in $(seq "$runs"); do
    for k in "${!vs[@]}"; do
      variant=${vs[$(((r - 1 + k) % ${#vs[@]}))]}
      v1b=$W/bundles/$a-v1 v2b=$W/bundles/$a-v2
      [ "$variant" = proxy ] && v1b=$W/bundles/$a-proxy-v1 v2b=$W/bundles/$a-proxy-v2
      if [ "$variant" = ours-changed ]; then
        v2b=$W/bundles/$a-v2-changed
        make_bundle "$v2b" v2 "$v2"
        printf '// bench %s run %s %s\n' "$a" "$r" "$(date +%s%N)" >>"$v2b/lib/core/Cli.java"
      fi
      measure "$a" "$variant" "$r" "$v1b" "$v2b" "$v2"
    done
  done
  if [[ " $variants " == *" proxy "* ]]; then # the proxy's own cost per request: through nginx against the colour directly
    cleanup
    deploy proxy "$W/bundles/$a-proxy-v1" "$out/$a-latency" && wait_healthy 120
    for c in bench-backend-blue bench-backend-green; do
      ip=$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$c" 2>/dev/null) && break
    done
    $PY "$bench/latency.py" "$a" "$URL" "http://$ip:8080/actuator/health" 2000 >>"$out/results.jsonl"
  fi
  cleanup
done

echo "load at end: $(uptime)" | tee -a "$out/command.txt"
$PY "$bench/report.py" table "$out" | tee "$out/table.md"
log "results in $out"
