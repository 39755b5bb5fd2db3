#!/usr/bin/env python3
"""Streams JSON lines from stdin into `inferscope serve` (POST /v1/events), std lib only.

Usage: inferscope demo ... | serve_load.py HOST:PORT [BODY_BYTES=2000000] [CONNECTIONS=2]

Cuts stdin into bodies of about BODY_BYTES on line boundaries (no per-line work) and POSTs
them over CONNECTIONS keep-alive connections; a 503 is retried after its Retry-After. Exits
non-zero if any body is refused or has rejected lines. Prints lines sent, seconds and
lines/s on stderr.
"""
import http.client
import queue
import sys
import threading
import time


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    body_bytes = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    conns = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    work = queue.Queue(maxsize=conns * 2)
    failures = []
    accepted = [0] * conns

    def sender(slot):
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        while True:
            body = work.get()
            if body is None:
                return
            while True:
                conn.request("POST", "/v1/events", body,
                             {"Content-Type": "application/x-ndjson"})
                resp = conn.getresponse()
                data = resp.read()
                if resp.status == 503:
                    time.sleep(float(resp.getheader("Retry-After", "1")))
                    continue
                break
            if resp.status != 200 or b'"rejected":0' not in data:
                failures.append((resp.status, data[:300]))
            else:
                accepted[slot] += int(data.split(b'"accepted":', 1)[1].split(b",", 1)[0])

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(conns)]
    for t in threads:
        t.start()
    start = time.monotonic()
    stdin = sys.stdin.buffer
    carry = b""
    while True:
        chunk = stdin.read(body_bytes)
        if not chunk:
            break
        chunk = carry + chunk
        cut = chunk.rfind(b"\n") + 1
        if cut == 0:
            carry = chunk
            continue
        carry = chunk[cut:]
        work.put(chunk[:cut])
    if carry.strip():
        work.put(carry if carry.endswith(b"\n") else carry + b"\n")
    for _ in threads:
        work.put(None)
    for t in threads:
        t.join()
    seconds = time.monotonic() - start
    total = sum(accepted)
    print("loaded %d events in %.1f s = %.0f events/s" % (total, seconds, total / seconds),
          file=sys.stderr)
    if failures:
        print("%d bodies failed; first: %r" % (len(failures), failures[0]), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
