#!/usr/bin/env python3
"""Health prober for bench/hooks.sh: GETs URL every INTERVAL seconds (on a fixed grid; a slow probe delays only
the next one), writes "<epoch seconds> <1|0> <detail>" per probe to OUT, and exits once STOPFILE exists and the
URL has answered 2xx for HOLD seconds in a row since then (or DEADLINE seconds after STOPFILE appeared).

    probe.py URL OUT STOPFILE [INTERVAL=0.05] [HOLD=1.0] [DEADLINE=180]
"""
import http.client
import os
import sys
import time
import urllib.parse


def probe(host, port, path, timeout):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        r = conn.getresponse()
        r.read()
        return 200 <= r.status < 300, "HTTP %d" % r.status
    except Exception as e:  # refused, reset, timeout: all count as a failed probe
        return False, type(e).__name__
    finally:
        conn.close()


def main():
    url, out, stopfile = sys.argv[1:4]
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 0.05
    hold = float(sys.argv[5]) if len(sys.argv) > 5 else 1.0
    deadline = float(sys.argv[6]) if len(sys.argv) > 6 else 180.0
    u = urllib.parse.urlsplit(url)
    host, port, path = u.hostname, u.port or 80, u.path or "/"
    stop_seen = None
    ok_since = None
    nxt = time.time()
    with open(out, "w", buffering=1) as f:
        while True:
            now = time.time()
            if now < nxt:
                time.sleep(nxt - now)
            t = time.time()
            ok, detail = probe(host, port, path, 1.0)
            f.write("%.4f %d %s\n" % (t, 1 if ok else 0, detail))
            ok_since = (ok_since or t) if ok else None
            if stop_seen is None and os.path.exists(stopfile):
                stop_seen = t
            if stop_seen is not None:
                if ok_since is not None and t - max(ok_since, stop_seen) >= hold:
                    return 0
                if t - stop_seen > deadline:
                    return 1
            nxt += interval
            if nxt < time.time() - interval:  # fell behind (a probe timed out): restart the grid
                nxt = time.time()


if __name__ == "__main__":
    sys.exit(main())
