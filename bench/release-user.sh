#!/usr/bin/env bash
# bench/release-user.sh: `release` against the AWS CLI as a user runs it, two trees side by side in one run.
#
#   bash bench/release-user.sh BEFORE_TREE AFTER_TREE [N=7]
#
# Separate processes, as on a laptop or CI runner: S3Proxy as its own server (tests/S3Endpoint's in-memory S3Proxy,
# addressed directly, without the tests' recording front), the tests' CodeDeploy endpoint as its own process (both
# through bench/endpoints/BenchEndpoints.java on the AFTER tree's test class path), and from a shell:
#   cd TREE && ./jbang release --image <pinned> <version option> 1.0.<i> --commit <sha> --no-wait --json
#             --source TREE --bucket bundles --application art --deployment-group art-prod
#             --s3-endpoint-url <S3Proxy> --codedeploy-endpoint-url <CodeDeploy>
# (the BEFORE tree's version option is --version, the AFTER tree's --release-version; found from the tree's
# scripts/release.java) against the AWS CLI (/usr/bin/aws, Debian's 2.9.19) doing the same work: zip -qrX of a
# staged kit, s3api put-object, deploy register-application-revision, deploy create-deployment, each with
# --endpoint-url. Dummy credentials, AWS_CONFIG_FILE/AWS_SHARED_CREDENTIALS_FILE=/dev/null, IMDS disabled: only
# 127.0.0.1 is contacted. Two warm-up rounds (the first release of a tree compiles and dumps its CDS archive; the
# AFTER ./jbang writes its launch record), then N rounds interleaved BEFORE, AFTER, CLI; then `./jbang release --help`
# per tree, interleaved. Wall (ms clock), CPU (user+sys) and peak RSS (GNU time).
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,18p' "$0"; exit 2; }
before=$(cd "$1" && pwd -P); after=$(cd "$2" && pwd -P); n=${3:-7}
bench=$(cd "$(dirname "$0")" && pwd -P)
export JBANG_DIR=${JBANG_DIR:-/tmp/jbang-bench}
S=${BENCH_DIR:-/tmp/bench-release-user}
AWS=${AWS_CLI:-/usr/bin/aws}
IMAGE="127.0.0.1:5000/cdeploy-test/app:1.4.2@sha256:$(printf 'ab%.0s' $(seq 32))"
COMMIT=0123456789abcdef0123456789abcdef01234567
rm -rf "$S"; mkdir -p "$S/classes" "$S/stage"

# the endpoints: the AFTER tree's test classes and test class path
if [ ! -d "$after/target/test-classes" ] || [ ! -s "$after/target/bench-testcp.txt" ]; then
  (cd "$after" && mvn -q -B test-compile && mvn -q -B dependency:build-classpath -Dmdep.outputFile=target/bench-testcp.txt) >&2
fi
cp="$(cat "$after/target/bench-testcp.txt"):$after/target/test-classes"
javac -nowarn -cp "$cp" -d "$S/classes" "$bench/endpoints/BenchEndpoints.java"
java -cp "$cp:$S/classes" BenchEndpoints s3 bundles >"$S/s3.url" 2>"$S/s3.log" &
s3pid=$!
java -cp "$cp:$S/classes" BenchEndpoints codedeploy art art-prod >"$S/cd.url" 2>"$S/cd.log" &
cdpid=$!
trap 'kill $s3pid $cdpid 2>/dev/null || true' EXIT
for _ in $(seq 600); do [ -s "$S/s3.url" ] && [ -s "$S/cd.url" ] && break; sleep 0.1; done
[ -s "$S/s3.url" ] && [ -s "$S/cd.url" ] || { echo "endpoints did not start" >&2; cat "$S"/*.log >&2; exit 1; }
S3=$(cat "$S/s3.url"); read -r CD CONTROL <"$S/cd.url"
case "$S3 $CD $CONTROL" in *://127.0.0.1:*://127.0.0.1:*://127.0.0.1:*) ;; *) echo "not local: $S3 $CD" >&2; exit 1 ;; esac
done_all() { curl -fsS "$CONTROL/done"; }

# the user's shell: their environment without any AWS_ setting, plus dummy credentials and no config files
mapfile -t base < <(compgen -e | grep -v -e '^AWS_' -e '^GITHUB_' -e '^CI$' -e '^JBANG_APP_')
userenv=(env -i)
for k in "${base[@]}"; do userenv+=("$k=${!k}"); done
userenv+=(AWS_ACCESS_KEY_ID=AKIAEXAMPLE AWS_SECRET_ACCESS_KEY=not-a-real-secret-key-only-for-local-tests AWS_REGION=eu-west-1
          AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=
          SOURCE_DATE_EPOCH=1767225600 "JBANG_DIR=$JBANG_DIR")
verflag() { if grep -q '"--release-version"' "$1/scripts/release.java"; then echo --release-version; else echo --version; fi; }

# the CLI's bundle folder, staged beforehand (release stages its own inside the timed run)
cp -r "$after/appspec.yml" "$after/compose.yml" "$after/hooks" "$after/lib" "$S/stage/"
rm -f "$S/stage"/hooks/.*.cmd
echo "$IMAGE" >"$S/stage/image.txt"
printf '{"image":"%s"}\n' "$IMAGE" >"$S/stage/release.json"

timed() { # DIR OUT CMD... -> "wall cpu rss rc" (GNU time for CPU and RSS, ms clock for wall)
  local d=$1 out=$2 t0 t1 rc=0
  shift 2
  t0=$(date +%s%N)
  (cd "$d" && "${userenv[@]}" /usr/bin/time -f '%U %S %M' -o "$S/t" "$@" </dev/null >"$out" 2>"$out.err") || rc=$?
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" -v rc="$rc" '{ printf "%.3f %.2f %d %d\n", (b - a) / 1e9, $1 + $2, $3, rc }' <(tail -n1 "$S/t")
}
release() { # TREE VERSION -> "wall cpu rss rc"
  timed "$1" "$S/out" ./jbang release --image "$IMAGE" "$(verflag "$1")" "$2" --commit "$COMMIT" --no-wait --json \
    --source "$1" --bucket bundles --application art --deployment-group art-prod \
    --s3-endpoint-url "$S3" --codedeploy-endpoint-url "$CD"
}
cli() { # KEY -> "wall cpu rss rc", the four commands' sum (wall: start of zip to end of create-deployment)
  local key=$1 t0 t1 cpu=0 rss=0 r etag rc=0
  rm -f "$S/b.zip"
  t0=$(date +%s%N)
  step() { r=$(timed "$S/stage" "$S/cli.out" "$@"); [ "${r##* }" = 0 ] || rc=1
           cpu=$(awk -v a="$cpu" -v b="$(echo "$r" | cut -d' ' -f2)" 'BEGIN { print a + b }')
           rss=$(( $(echo "$r" | cut -d' ' -f3) > rss ? $(echo "$r" | cut -d' ' -f3) : rss )); }
  step zip -qrX "$S/b.zip" .
  step "$AWS" s3api put-object --bucket bundles --key "$key" --body "$S/b.zip" --server-side-encryption AES256 \
    --checksum-algorithm SHA256 --endpoint-url "$S3" --output json
  etag=$(sed -n 's/.*"ETag": "\\"\([^\\]*\)\\"".*/\1/p' "$S/cli.out")
  loc="bucket=bundles,key=$key,bundleType=zip,eTag=$etag"
  step "$AWS" deploy register-application-revision --application-name art --s3-location "$loc" --endpoint-url "$CD"
  step "$AWS" deploy create-deployment --application-name art --deployment-group-name art-prod --s3-location "$loc" \
    --description cli --endpoint-url "$CD" --output json
  t1=$(date +%s%N)
  [ -n "$etag" ] || rc=1
  awk -v a="$t0" -v b="$t1" -v c="$cpu" -v m="$rss" -v rc="$rc" 'BEGIN { printf "%.3f %.2f %d %d\n", (b - a) / 1e9, c, m, rc }'
}
res=$S/results.txt
: >"$res"
rec() { # WHAT RESULT
  echo "$1 $2" >>"$res"
  case ${2##* } in 0) ;; *) echo "$1 failed: $(tail -n3 "$S/out.err" "$S/cli.out.err" 2>/dev/null | tr '\n' ' ')" >&2 ;; esac
}
steps() { /usr/bin/python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])).get("steps")))' "$S/out" 2>/dev/null || true; }

for w in 1 2; do # warm-up
  for t in "$before" "$after"; do
    r=$(release "$t" "0.0.$w$RANDOM"); echo "warm-up $t: $r" >&2; [ "${r##* }" = 0 ] || { cat "$S/out.err" >&2; exit 1; }
    done_all >/dev/null # the group takes one active deployment at a time
  done
  r=$(cli "cli/warm-$w.zip"); echo "warm-up cli: $r" >&2; [ "${r##* }" = 0 ] || { cat "$S/cli.out.err" >&2; exit 1; }
  done_all >/dev/null
done
(cd "$after" && "${userenv[@]}" CDEPLOY_LAUNCH_DEBUG=1 ./jbang release --help 2>&1 >/dev/null | grep '^launch:' | sed 's/^/after: /') || true

echo "before: $before ($(cat "$before/.bench-rev" 2>/dev/null || echo '?')); after: $after ($(cat "$after/.bench-rev" 2>/dev/null || echo '?'))"
echo "aws: $("$AWS" --version 2>&1)"
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; N=$n"
for i in $(seq "$n"); do
  rec before "$(release "$before" "1.0.$i")"; echo "before steps: $(steps)" >>"$S/steps.txt"; done_all >/dev/null
  rec after "$(release "$after" "1.0.$i")"; echo "after steps: $(steps)" >>"$S/steps.txt"; done_all >/dev/null
  rec cli "$(cli "cli/1.0.$i.zip")"; done_all >/dev/null
done
for i in $(seq "$n"); do
  for l in before after; do
    t=$before; [ $l = after ] && t=$after
    rec "$l-help" "$(timed "$t" "$S/out" ./jbang release --help)"
  done
done
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg); CreateDeployment calls: $(done_all)"
/usr/bin/python3 - "$res" <<'EOF'
import collections, statistics, sys
d = collections.defaultdict(list)
for line in open(sys.argv[1]):
    w, wall, cpu, rss, rc = line.split()
    if rc == "0":
        d[w].append((float(wall), float(cpu), int(rss) / 1024))
def c(xs, f="%.2f"):
    return "n/a" if not xs else (f + " (" + f + "–" + f + ")") % (statistics.median(xs), min(xs), max(xs))
print("\n| what | n | wall s, median (min–max) | CPU s (user+sys) | peak RSS MB |")
print("| --- | --- | --- | --- | --- |")
for w in ["before", "after", "cli", "before-help", "after-help"]:
    xs = d.get(w, [])
    print("| %s | %d | %s | %s | %s |" % (w, len(xs), c([x[0] for x in xs]), c([x[1] for x in xs]), c([x[2] for x in xs], "%.0f")))
m = {w: statistics.median([x[0] for x in d[w]]) for w in ("before", "after", "cli") if d.get(w)}
if "cli" in m:
    print("\nrelease / AWS CLI wall (medians): before %.2f, after %.2f (target: at most 0.60)" % (m.get("before", float("nan")) / m["cli"], m.get("after", float("nan")) / m["cli"]))
EOF
