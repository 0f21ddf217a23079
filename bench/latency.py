#!/usr/bin/env python3
"""The proxy's own cost per request, for bench/hooks.sh: N GETs through nginx (THROUGH) and N straight to the colour's
container address (DIRECT), interleaved, each on a new connection as bench/probe.py makes them; prints one JSON line
with the p50 and p99 of each, in milliseconds.

    latency.py APP THROUGH DIRECT [N=2000]
"""
import http.client
import json
import sys
import time
import urllib.parse


def once(url):
    u = urllib.parse.urlsplit(url)
    t = time.perf_counter()
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=5)
    try:
        conn.request("GET", u.path, headers={"Connection": "close"})
        r = conn.getresponse()
        r.read()
        if r.status != 200:
            raise RuntimeError("%s answered %d" % (url, r.status))
    finally:
        conn.close()
    return (time.perf_counter() - t) * 1000


def pct(values, p):
    s = sorted(values)
    return round(s[min(len(s) - 1, int(len(s) * p / 100))], 3)


def main():
    app, through, direct = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    for _ in range(50):  # warm both paths
        once(through), once(direct)
    a, b = [], []
    for _ in range(n):
        a.append(once(through))
        b.append(once(direct))
    print(json.dumps({"latency": app, "n": n, "through_p50": pct(a, 50), "through_p99": pct(a, 99),
                      "direct_p50": pct(b, 50), "direct_p99": pct(b, 99)}))


if __name__ == "__main__":
    main()
