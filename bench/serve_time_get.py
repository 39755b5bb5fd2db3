#!/usr/bin/env python3
"""Times an HTTP request N times over one keep-alive connection (std lib only).

Usage: serve_time_get.py URL N [OUT_FILE] [POST_BODY]

GET (or POST with POST_BODY) the URL N times in sequence; fails unless every answer is 200.
Prints "min median p90 max" in milliseconds (wall time from sending the request to the last
byte of the answer) and writes the last answer to OUT_FILE.
"""
import http.client
import sys
import time
import urllib.parse


def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    n = int(sys.argv[2])
    out = sys.argv[3] if len(sys.argv) > 3 else None
    body = sys.argv[4].encode() if len(sys.argv) > 4 else None
    target = url.path + ("?" + url.query if url.query else "")
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=600)
    times = []
    data = b""
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("POST" if body is not None else "GET", target, body)
        resp = conn.getresponse()
        data = resp.read()
        times.append((time.perf_counter() - t0) * 1000)
        if resp.status != 200:
            sys.exit("HTTP %d: %s" % (resp.status, data[:300].decode(errors="replace")))
    times.sort()
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print("%.2f %.2f %.2f %.2f" % (times[0], pick(0.5), pick(0.9), times[-1]))
    if out:
        with open(out, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
