#!/usr/bin/env bash
# bench/release-local.sh: `release --local` against the same steps done by hand, side by side in one run.
#
#   bash bench/release-local.sh [N=5]
#
# Each round deploys the demo service twice, each a real swap of the serving version on this machine:
#   release:  ./jbang release --local --json --release-version 1.<i>.0   (the wall time split by its own report:
#             its seven steps from --json, the lifecycle events from deploy-local's progress lines)
#   by hand:  docker build + docker push of demo/ (same Dockerfile, BASE and VERSION), the bundle staged from the kit
#             (appspec.yml, compose.yml, hooks/, lib/, image.txt, release.json) and zipped with zip -qrX, unzipped
#             into a fresh folder, then its hooks run in order as the agent runs them: hooks/pull, hooks/start,
#             hooks/validate, each by its path with stdin closed and the agent's variables.
# One warm-up round first (JBang's first build, the demo's base image). Needs what release --local sets up (Docker,
# Compose, the registry on 127.0.0.1:5000), zip and unzip; run as root. Prints medians and ranges (min-max). It takes
# port 8080 (the demo's) while it runs, and removes the demo's container and images at the end.
set -euo pipefail
n=${1:-5}
repo=$(cd "$(dirname "$0")/.." && pwd -P)
S=${BENCH_DIR:-/tmp/bench-release-local}
rm -rf "$S"; mkdir -p "$S"
export CDEPLOY_LOCAL_ROOT="$S/local"
REG=127.0.0.1:5000/cdeploy-demo
cd "$repo"
ms() { date +%s%3N; }

release_round() { # version -> one JSON line: the release's steps and events
  local v=$1 t0 t1
  t0=$(ms)
  ./jbang release --local --json --release-version "$v" >"$S/out.json" 2>"$S/err.txt"
  t1=$(ms)
  python3 - "$S/out.json" "$S/err.txt" $((t1 - t0)) <<'PY'
import json, re, sys
out = json.load(open(sys.argv[1])); err = open(sys.argv[2]).read()
assert out["status"] == "Succeeded", out
row = {"variant": "release --local", "wall": int(sys.argv[3]) / 1000}
for step, s in out["steps"].items():
    row["step:" + step] = s
for event, s in re.findall(r"deploy-local: \[\d+/\d+\] (\w+): \w+.*\((\d+\.\d+) s\)", err):
    row["event:" + event] = float(s)
print(json.dumps(row))
PY
}

hand_round() { # version -> one JSON line: each manual part's wall time
  local v=$1 t0 t1 t2 t3 t4 digest dir base
  dir="$S/hand-$v"; mkdir -p "$dir/stage"
  base=busybox:1.37.0; docker image inspect "$base" >/dev/null 2>&1 || base=cdeploy-demo-base:static-busybox
  t0=$(ms)
  docker build -q --build-arg "BASE=$base" --build-arg "VERSION=$v" -t "$REG:$v" demo >/dev/null
  digest=$(docker push "$REG:$v" | sed -n 's/.*digest: \(sha256:[0-9a-f]*\).*/\1/p')
  t1=$(ms)
  cp -r appspec.yml hooks lib "$dir/stage/"; cp demo/compose.yml "$dir/stage/compose.yml"
  rm -f "$dir"/stage/hooks/.*.cmd
  echo "$REG:$v@$digest" >"$dir/stage/image.txt"
  printf '{"version":"%s","commit":"0123456789abcdef0123456789abcdef01234567","time":"2026-12-04T00:00:00Z","image":"%s","settings":{"project":"cdeploy-demo","service":"demo","container":"cdeploy-demo","envFile":"","healthUrl":"http://127.0.0.1:8080/actuator/health","healthTimeoutSeconds":60}}\n' \
    "$v" "$REG:$v@$digest" >"$dir/stage/release.json"
  (cd "$dir/stage" && zip -qrX ../bundle.zip .)
  t2=$(ms)
  mkdir "$dir/archive" && unzip -q "$dir/bundle.zip" -d "$dir/archive"
  t3=$(ms)
  local row="{\"variant\": \"by hand\", \"step:image\": $(((t1 - t0)))e-3, \"step:bundle\": $(((t2 - t1)))e-3, \"unzip\": $(((t3 - t2)))e-3"
  for hook in BeforeInstall:pull ApplicationStart:start ValidateService:validate; do
    local a b; a=$(ms)
    (cd / && env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "CDEPLOY_JBANG=$repo/jbang" \
      "LIFECYCLE_EVENT=${hook%%:*}" DEPLOYMENT_ID=d-BYHAND0001 APPLICATION_NAME=cdeploy-demo DEPLOYMENT_GROUP_NAME=local \
      DEPLOYMENT_GROUP_ID=cdeploy-demo "$dir/archive/hooks/${hook##*:}" </dev/null >>"$S/hand.log" 2>&1)
    b=$(ms); row="$row, \"event:${hook%%:*}\": $(((b - a)))e-3"
  done
  echo "$row, \"wall\": $((($(ms) - t0)))e-3}"
}

cleanup() { # the demo this bench deployed, and its images
  docker rm -f cdeploy-demo >/dev/null 2>&1 || true
  docker network rm cdeploy-demo_default >/dev/null 2>&1 || true
  docker images --format '{{.Repository}}:{{.Tag}}' "$REG" | xargs -r docker rmi >/dev/null 2>&1 || true
}
trap cleanup EXIT
release_round 1.0.0 >/dev/null; hand_round 1.0.1 >/dev/null # warm-up
for i in $(seq 1 "$n"); do
  release_round "1.$i.0" >>"$S/results.jsonl"
  hand_round "1.$i.1" >>"$S/results.jsonl"
done
python3 - "$S/results.jsonl" "$n" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
parts = [("image (build + push)", ["step:image"]), ("bundle (+ keep / zip, unzip)", ["step:bundle", "step:upload", "unzip"]),
         ("BeforeInstall (hooks/pull)", ["event:BeforeInstall"]), ("ApplicationStart (hooks/start)", ["event:ApplicationStart"]),
         ("ValidateService (hooks/validate)", ["event:ValidateService"]),
         ("the rest (version, check, other events)", None), ("total wall", ["wall"])]
named = {k for _, ks in parts if ks for k in ks}
def cell(vals):
    return "%.2f s (%.2f-%.2f)" % (statistics.median(vals), min(vals), max(vals))
print("| part | release --local | by hand |\n| --- | --- | --- |")
for label, keys in parts:
    cols = []
    for variant in ("release --local", "by hand"):
        vals = []
        for r in (r for r in rows if r["variant"] == variant):
            if keys is None:
                vals.append(r["wall"] - sum(v for k, v in r.items() if k in named and k != "wall"))
            else:
                vals.append(sum(r.get(k, 0) for k in keys))
        cols.append(cell(vals))
    print("| %s | %s | %s |" % (label, cols[0], cols[1]))
print("\n%s rounds each, interleaved; medians (min-max)." % sys.argv[2])
PY
