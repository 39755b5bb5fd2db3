#!/usr/bin/env bash
# `inferscope detect` over many series pulled from a local Prometheus (bench/README.md,
# "Prometheus detect"): loads SERIES series x POINTS one-minute points (default 10,000 x 1,440
# = one day) through remote_write (`inferscope testdata-write`, 10,000 samples per request, in
# time order), then times `inferscope detect --timings` over all of them and prints series/s
# and the split between query (HTTP + JSON parsing) and detection.
#
#   bench/prometheus_detect_bench.sh build-rel/bin/inferscope            # 10,000 x 1 day
#   SERIES=1000 bench/prometheus_detect_bench.sh build-rel/bin/inferscope
set -euo pipefail
bin="$(realpath "${1:?usage: $0 path/to/inferscope}")"
series=${SERIES:-10000}
points=${POINTS:-1440}
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'global:\n  scrape_interval: 15s\n' > "$tmp/prometheus.yml"
/usr/bin/prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
  --web.listen-address=127.0.0.1:$port --web.enable-remote-write-receiver \
  --query.max-samples=100000000 > "$tmp/prometheus.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/-/ready" && break; sleep 0.2; done
echo "Prometheus $(/usr/bin/prometheus --version 2>&1 | head -1 | awk '{print $3}') on :$port;" \
  "loading $series series x $points points ..."
t0=$(date +%s.%N)
# 3 series get a level shift in the last hour, so the run also reports anomalies.
read -r first last sent < <("$bin" testdata-write --url "http://127.0.0.1:$port/api/v1/write" \
  --metric bench_latency_seconds --series "$series" --points "$points" --step 1m --end-ago 2m \
  --label job=bench --anomaly series=7,start=$((points - 40)),points=40,add=60 \
  --anomaly series=42,start=$((points - 30)),points=30,add=-60 \
  --anomaly series=99,start=$((points - 20)),points=20,add=60)
t1=$(date +%s.%N)
python3 -c "import sys; n=int(sys.argv[1]); s=float(sys.argv[3])-float(sys.argv[2]); print(f'loaded {n:,} samples in {s:.1f} s ({n/s:,.0f} samples/s)')" "$sent" "$t0" "$t1"
for run in 1 2; do
  "$bin" detect --prometheus "http://127.0.0.1:$port" --query bench_latency_seconds \
    --from "$first" --to "$last" --step 1m --timeout 5m --timings --format json \
    > "$tmp/detect.json" 2> "$tmp/detect.err"
  echo "run $run: $(grep '^timings' "$tmp/detect.err")"
done
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print('anomalies:', len(d['anomalies']), sorted(a['labels']['series'] for a in d['anomalies']))" "$tmp/detect.json"
