#!/usr/bin/python3
"""The pandas baseline for bench/analyze_e2e.sh: what a data scientist would write to get
the same summary `inferscope analyze` prints (totals, error rate, latency percentiles,
per-model comparison, hourly trend). Prints elapsed seconds as JSON on stdout."""
import json
import sys
import time

import pandas as pd

start = time.perf_counter()
df = pd.read_json(sys.argv[1], lines=True)
df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
err = df["status"] != "ok"
lat = df["latency_ms"]
summary = {
    "total_requests": int(len(df)),
    "error_rate": float(err.mean()),
    "latency_ms": {
        "avg": float(lat.mean()),
        "p50": float(lat.quantile(0.5)),
        "p90": float(lat.quantile(0.9)),
        "p95": float(lat.quantile(0.95)),
        "p99": float(lat.quantile(0.99)),
        "max": float(lat.max()),
    },
    "cost_usd": float(df["cost_usd"].sum()),
}
by_model = df.assign(err=err).groupby("model").agg(
    count=("latency_ms", "size"),
    error_rate=("err", "mean"),
    avg=("latency_ms", "mean"),
    p50=("latency_ms", lambda s: s.quantile(0.5)),
    p95=("latency_ms", lambda s: s.quantile(0.95)),
    p99=("latency_ms", lambda s: s.quantile(0.99)),
    cost_usd=("cost_usd", "sum"),
)
trend = df.set_index("timestamp").resample("1h").agg({"latency_ms": ["mean", "count"], "cost_usd": "sum"})
elapsed = time.perf_counter() - start
print(json.dumps({"elapsed_s": elapsed, "total_requests": summary["total_requests"],
                  "p95": summary["latency_ms"]["p95"], "models": len(by_model), "windows": len(trend)}))
