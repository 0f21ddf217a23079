#!/usr/bin/env python3
"""bench/hooks.sh's bookkeeping.

    report.py record PREFIX APP VARIANT RUN RC   -> one JSON line for one measured v1 -> v2 deployment
    report.py table OUTDIR                       -> the Markdown tables (median (min-max)) from OUTDIR/results.jsonl
"""
import datetime
import json
import os
import re
import statistics
import sys
import time

OWN = re.compile(r"(\d+(?:\.\d+)?) s in all: (\d+(?:\.\d+)?) s waiting on (?:Docker|other programs), (?:\d+(?:\.\d+)? s waiting for the service, )?(-?\d+(?:\.\d+)?) s own")
HOOKS = {"ours": ["pull", "start", "validate"], "ours-changed": ["pull", "start", "validate"], "original": ["stop", "start"],
         "proxy": ["pull", "start", "validate"]}
UNITS = {"B": 1 / 2**20, "KiB": 1 / 1024, "MiB": 1, "GiB": 1024}


def peak_memory(text):
    """The largest sum, over one docker stats sample, of the app containers' and the proxy's memory, in MB."""
    samples = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            m = re.match(r"([\d.]+)([A-Za-z]+)", parts[2])
            if m and m.group(2) in UNITS:
                samples.setdefault(parts[0], 0.0)
                samples[parts[0]] += float(m.group(1)) * UNITS[m.group(2)]
    return round(max(samples.values()), 1) if samples else None


def btime_error():
    """The JVM dates its own start (ProcessHandle.Info.startInstant) from /proc/stat btime, whole seconds: this is
    how much earlier than the true start that makes it, so how much the hooks' 'in all' and 'own' overstate."""
    up = float(open("/proc/uptime").read().split()[0])
    true_boot = time.time() - up
    btime = next(int(l.split()[1]) for l in open("/proc/stat") if l.startswith("btime"))
    return true_boot - btime


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def outage(probes):
    """Longest run of failed probes: first failed probe to the next successful one (to the last probe if none)."""
    worst, worst_start, start, recovered = 0.0, None, None, True
    for t, ok in probes:
        if not ok and start is None:
            start = t
        elif ok and start is not None:
            if t - start > worst:
                worst, worst_start = t - start, start
            start = None
    if start is not None:
        recovered = False
        if probes[-1][0] - start > worst:
            worst, worst_start = probes[-1][0] - start, start
    return worst, worst_start, recovered


def record(prefix, app, variant, run, rc):
    probes = []
    for line in read(prefix + ".probes").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            probes.append((float(parts[0]), parts[1] == "1"))
    out, out_start, recovered = outage(probes) if probes else (None, None, False)
    rec = {"app": app, "variant": variant, "run": int(run), "rc": int(rc), "outage": out, "recovered": recovered,
           "probes": len(probes), "failed": sum(1 for t, ok in probes if not ok), "peak_mb": peak_memory(read(prefix + ".mem")),
           "hooks": {}}
    berr = btime_error() if read(os.path.join(os.path.dirname(prefix), "timing.txt")).strip() == "btime" else 0.0
    for hook in HOOKS[variant]:
        p = prefix + "." + hook
        h = {}
        tl = [l for l in read(p + ".time").splitlines() if re.match(r"^\d", l)]
        if tl:
            wall, rss = tl[-1].split()
            h["wall"], h["rss_kb"] = float(wall), int(rss)
        err = read(p + ".err")
        m = OWN.findall(err)
        if m:
            h["own"] = float(m[-1][2])
            h["own_corrected"] = round(float(m[-1][2]) - berr, 2)
            h["docker"] = float(m[-1][1])
        h["compiled"] = err.count("[jbang] Building jar")
        span = read(p + ".span").split()
        if span:
            h["t0"], h["t1"] = float(span[0]), float(span[1])
        rec["hooks"][hook] = h
    # the new container's boot: from Docker's StartedAt to the first 2xx after it
    cont = read(prefix + ".container").split()
    if len(cont) == 2:
        rec["image"] = cont[0]
        s = cont[1].rstrip("Z")
        base, _, frac = s.partition(".")
        started = datetime.datetime.fromisoformat(base).replace(tzinfo=datetime.timezone.utc).timestamp() + float("0." + (frac or "0"))
        first_ok = next((t for t, ok in probes if ok and t > started), None)
        rec["boot"] = None if first_ok is None else round(first_ok - started, 3)
        if out_start is not None:
            rec["down_before_start"] = round(started - out_start, 3)  # outage already running when the container started
    # Docker's events for the app container: when the old one was told to stop, when it exited, when the new one started
    ev = [l.split(None, 2) for l in read(prefix + ".events").splitlines() if l.strip()]
    ev = [(int(e[0]) / 1e9, e[1], e[2] if len(e) > 2 else "") for e in ev]
    kill = next((t for t, a, i in ev if a == "kill"), None)
    die = next((t for t, a, i in ev if a == "die"), None)
    start = next((t for t, a, i in ev if a == "start" and i.endswith("-v2")), None)
    if out_start is not None and probes:
        if kill is not None:
            rec["kill_to_outage"] = round(out_start - kill, 3)
        if die is not None and start is not None:
            rec["exit_to_new_start"] = round(start - die, 3)
        if kill is not None and die is not None:
            rec["kill_to_exit"] = round(die - kill, 3)
    print(json.dumps(rec))


def cell(values, fmt="%.2f"):
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    med = statistics.median(values)
    if len(values) == 1:
        return fmt % med
    return (fmt + " (" + fmt + "-" + fmt + ")") % (med, min(values), max(values))


def table(outdir):
    recs, starts, lat = [], [], []
    for line in read(os.path.join(outdir, "results.jsonl")).splitlines():
        r = json.loads(line)
        (starts if "startup" in r else lat if "latency" in r else recs).append(r)
    print("```")
    print(read(os.path.join(outdir, "command.txt")).rstrip())
    print("```")
    print()
    if read(os.path.join(outdir, "timing.txt")).strip() == "btime":
        print("These hooks date their start from the JVM's start instant, which Java takes from /proc/stat btime (whole "
              "seconds): on this boot their printed 'own' overstates by %.2f s; 'own, corrected' subtracts that." % btime_error())
    else:
        print("These hooks time themselves from hooks/launch (CDEPLOY_HOOK_START): 'own' needs no correction.")
    btime = read(os.path.join(outdir, "timing.txt")).strip() == "btime"
    names = {"ours": "ours, in place", "ours-changed": "ours, in place, hook code changed", "original": "original stop + start",
             "proxy": "ours, proxy (blue/green)"}
    variants = [v for v in ["ours", "ours-changed", "original", "proxy"] if any(r["variant"] == v for r in recs)]
    for app in sorted({r["app"] for r in recs}, key=lambda a: (a != "busybox", a)):
        rs = [r for r in recs if r["app"] == app]
        by = {v: [r for r in rs if r["variant"] == v] for v in variants}
        n = {v: len(by[v]) for v in variants}
        print()
        print("### %s: v1 -> v2, median (min-max) of %s runs" % (app, "/".join(str(n[v]) for v in variants)))
        print()
        print("| | " + " | ".join(names[v] for v in variants) + " |")
        print("|---" * (len(variants) + 1) + "|")

        def row(label, f, fmt="%.2f"):
            print("| %s | %s |" % (label, " | ".join(cell([f(r) for r in by[v]], fmt) for v in variants)))

        def hook(r, name, key):
            return r["hooks"].get(name, {}).get(key)

        row("**outage** (longest run of failed probes), s", lambda r: r["outage"])
        row("**failed probes** (one every 50 ms)", lambda r: r.get("failed"), "%d")
        row("peak memory, app containers + proxy, MB", lambda r: r.get("peak_mb"), "%.0f")
        row("app boot (container started -> first 2xx), s", lambda r: r.get("boot"))
        row("outage - app boot, s", lambda r: None if r.get("boot") is None or r["outage"] is None else r["outage"] - r["boot"])
        row("old app: SIGTERM -> exited, s", lambda r: r.get("kill_to_exit"))
        row("old exited -> new container started, s", lambda r: r.get("exit_to_new_start"))
        row("deployment, all hooks, wall s", lambda r: sum(h.get("wall", 0) for h in r["hooks"].values()))
        for name in ["stop", "pull", "start", "validate"]:
            row("%s: wall s" % name, lambda r, n=name: hook(r, n, "wall"))
        for name in ["pull", "start", "validate"]:
            row("%s: own s, as printed" % name, lambda r, n=name: hook(r, n, "own"))
            if btime:
                row("%s: own s, corrected" % name, lambda r, n=name: hook(r, n, "own_corrected"))
        for name in ["stop", "pull", "start", "validate"]:
            row("%s: peak RSS MB" % name, lambda r, n=name: None if hook(r, n, "rss_kb") is None else hook(r, n, "rss_kb") / 1024, "%.0f")
        print("| runs where start or validate compiled | %s |" % " | ".join(
            "%d of %d" % (sum(1 for r in by[v] if hook(r, "start", "compiled") or hook(r, "validate", "compiled")), n[v])
            if v != "original" else "n/a" for v in variants))
        print("| runs where pull compiled | %s |" % " | ".join(
            "%d of %d" % (sum(1 for r in by[v] if hook(r, "pull", "compiled")), n[v]) if v != "original" else "n/a"
            for v in variants))
        bad = [r for r in rs if r["rc"] != 0 or not r["recovered"] or not r.get("image", "").endswith("-v2")]
        if bad:
            print()
            print("Failed runs: " + ", ".join("%s r%d (exit %d, recovered %s, image %s)" % (
                r["variant"], r["run"], r["rc"], r["recovered"], r.get("image")) for r in bad))
    if lat:
        print()
        print("### The proxy's cost per request: GET /actuator/health on a new connection, through nginx and straight to the colour")
        print()
        print("| app | requests each | through nginx p50 / p99 ms | direct p50 / p99 ms |")
        print("|---|---|---|---|")
        for l in lat:
            print("| %s | %d | %.2f / %.2f | %.2f / %.2f |" % (l["latency"], l["n"], l["through_p50"], l["through_p99"], l["direct_p50"], l["direct_p99"]))
    if starts:
        print()
        print("### Warm start-up of each hook alone: `hooks/<hook> --version`, no Docker (pull: sh + JBang's launcher JVM + "
              "hook JVM; start and validate: sh + hook JVM when hooks/pull left their .cmd, else as pull)")
        print()
        print("| app bundle | hook | wall s, median (min-max) | peak RSS MB |")
        print("|---|---|---|---|")
        for app in sorted({s["app"] for s in starts}, key=lambda a: (a != "busybox", a)):
            for h in ["pull", "start", "validate"]:
                ss = [s for s in starts if s["app"] == app and s["startup"] == h]
                print("| %s | %s | %s | %s |" % (app, h, cell([s["wall"] for s in ss]), cell([s["rss_kb"] / 1024 for s in ss], "%.0f")))


if __name__ == "__main__":
    if sys.argv[1] == "record":
        record(*sys.argv[2:7])
    else:
        table(sys.argv[2])
