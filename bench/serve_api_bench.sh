#!/usr/bin/env bash
# REST API latency of `inferscope serve` over 30 days of history, on loopback.
#
# Usage: bench/serve_api_bench.sh [RPS=50] [WRK_SECONDS=10] [DAYS=30]
#
# The issue asks for 30 days x 50 requests/s of history: ~130 M events (~50 GB of JSON
# streamed, never stored; ~3.4 GB of segments; ~6 minutes to load on 2 cores). Two sets:
#
#   A "DAYS days": `inferscope demo --duration ${DAYS}d --rps RPS` (RPS 50: the issue's set;
#     a smaller RPS, e.g. 5, gives a quick thinned run with the same buckets and fewer events
#     per bucket: aggregate endpoints read rollups, never raw events, docs/serve.md).
#   B "1 day, real density": the last day at 50 req/s (~4.4 M events).
#
# Each set is loaded through POST /v1/events (bench/serve_load.py, fsync=always), then the
# server is restarted (SIGTERM flushes the memtable into segments, as a server running for a
# month would have done; --shutdown-timeout 600s so the flush of a bulk load is not cut short
# by the default 10 s, which leaves the data in the WAL to be replayed into the memtable) and each query is timed with `wrk --latency` for WRK_SECONDS,
# sequentially (1 connection) and with 4 concurrent connections:
#   summary (aligned on days, and with edges mid-hour, which read minute rollups); percentiles (latency_ms, q=0.5,0.95,0.99, group_by=model);
#   trends (latency_p99_ms, interval 1h and 1d, group_by=model); per-user trends (cost per
#   day, requests per hour over the last day, error rate per hour by model and user over the
#   whole range: the per-user rollups, docs/serve.md); anomalies (since=30d).
# Goal (issue): p99 <= 10 ms for summary, percentiles, trends and anomalies.
#
# Environment: INFERSCOPE_BIN, KEEP_TMP=1 keeps the temp dir, SETS="A B" (default both).
# DATA_ROOT=DIR: keep the loaded sets in DIR (never deleted) and reuse a set already loaded
# there on the same UTC day (same history window), so a new binary can be measured on the
# same data without reloading (the full-density set takes ~6 minutes to load).
source "$(dirname "$0")/serve_lib.sh"

RPS=${1:-50}
WRK_SECONDS=${2:-10}
DAYS=${3:-30}
SETS=${SETS:-A B}

if [[ -n "${DATA_ROOT:-}" ]]; then
  mkdir -p "$DATA_ROOT"
  TMP=$(cd "$DATA_ROOT" && pwd)
  KEEP_TMP=1
else
  TMP=$(mktemp -d /tmp/inferscope-api-bench.XXXXXX)
fi
cleanup() {
  stop_all
  if [[ "${KEEP_TMP:-0}" != 1 ]]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT INT TERM

# History ends at the start of today (UTC): whole days, all in the past.
END=$(($(date +%s) / 86400 * 86400))

echo "# serve API benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# binary: $INFERSCOPE_BIN"

# load_set NAME START DURATION RPS: fresh server, load through HTTP, restart; sets PORT.
load_set() {
  local name=$1 start=$2 duration=$3 rps=$4
  local dir="$TMP/$name"
  local stamp="demo --start $start --duration $duration --rps $rps --seed 1"
  PORT=$(free_port)
  if [[ -f "$dir/loaded" && "$(cat "$dir/loaded")" == "$stamp" ]]; then
    start_serve "$dir/data" "$PORT" "$dir/serve2.log" --store-fsync always --store-retention-age 0 \
      --shutdown-timeout 600s
    echo "set $name: reusing $dir ($stamp): data dir $(du -sh "$dir/data" | cut -f1); segments $(metric_value "$PORT" inferscope_segments), segment_bytes $(metric_value "$PORT" inferscope_segment_bytes)"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  start_serve "$dir/data" "$PORT" "$dir/serve.log" --store-fsync always --store-retention-age 0 \
    --shutdown-timeout 600s
  local t0 t1
  t0=$(now_s)
  "$INFERSCOPE_BIN" demo --start "$start" --duration "$duration" --rps "$rps" --seed 1 2>/dev/null |
    python3 "$BENCH_DIR/serve_load.py" "127.0.0.1:$PORT" 2000000 2 2>"$dir/load.txt"
  t1=$(now_s)
  local events
  events=$(metric_value "$PORT" 'inferscope_ingested_records_total{endpoint="events"}')
  echo "set $name: demo --start $start --duration $duration --rps $rps: $events events loaded in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }') s ($(cat "$dir/load.txt"))"
  t0=$(now_s)
  stop_pid "$SERVE_PID" 600
  t1=$(now_s)
  echo "  SIGTERM to exit (memtable flushed into segments): $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"
  t0=$(now_s)
  start_serve "$dir/data" "$PORT" "$dir/serve2.log" --store-fsync always --store-retention-age 0 \
    --shutdown-timeout 600s
  t1=$(now_s)
  echo "$stamp" >"$dir/loaded"
  echo "  restarted in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; data dir $(du -sh "$dir/data" | cut -f1); segments $(metric_value "$PORT" inferscope_segments), segment_bytes $(metric_value "$PORT" inferscope_segment_bytes), wal_bytes $(metric_value "$PORT" inferscope_wal_bytes)"
}

# time_query SET LABEL URL_PATH_AND_QUERY
time_query() {
  local set=$1 label=$2 path=$3
  local url="http://127.0.0.1:$PORT$path"
  local code bytes
  code=$(curl -s -o "$TMP/answer.json" -w '%{http_code}' "$url")
  bytes=$(wc -c <"$TMP/answer.json")
  if [[ "$code" != 200 ]]; then
    echo "| $set | $label | HTTP $code: $(head -c 200 "$TMP/answer.json") | | | | | |"
    return
  fi
  wrk -t1 -c1 -d"${WRK_SECONDS}s" --latency "$url" >"$TMP/seq.txt"
  wrk -t2 -c4 -d"${WRK_SECONDS}s" --latency "$url" >"$TMP/conc.txt"
  echo "| $set | $label | $bytes | $(wrk_latency_ms "$TMP/seq.txt" 50) | $(wrk_latency_ms "$TMP/seq.txt" 99) | $(wrk_rps "$TMP/seq.txt") | $(wrk_latency_ms "$TMP/conc.txt" 50) | $(wrk_latency_ms "$TMP/conc.txt" 99) | $(wrk_rps "$TMP/conc.txt") |"
  if [[ $(wrk_non2xx "$TMP/seq.txt") != 0 || $(wrk_non2xx "$TMP/conc.txt") != 0 ]]; then
    echo "  ^ non-2xx answers during the run: $(wrk_non2xx "$TMP/seq.txt") sequential, $(wrk_non2xx "$TMP/conc.txt") concurrent"
  fi
}

run_queries() {
  local set=$1 from=$2 to=$3
  local r="from=$from&to=$to"
  echo
  echo "| set | query | answer bytes | seq p50 ms | seq p99 ms | seq req/s | c4 p50 ms | c4 p99 ms | c4 req/s |"
  echo "|---|---|---|---|---|---|---|---|---|"
  time_query "$set" summary "/api/v1/summary?$r"
  time_query "$set" "summary, edges mid-hour" "/api/v1/summary?from=$((from + 1020))&to=$((to - 1380))"
  time_query "$set" "percentiles by model" "/api/v1/percentiles?$r&metric=latency_ms&q=0.5,0.95,0.99&group_by=model"
  time_query "$set" "trends 1h by model" "/api/v1/trends?$r&metric=latency_p99_ms&interval=1h&group_by=model"
  time_query "$set" "trends 1d by model" "/api/v1/trends?$r&metric=latency_p99_ms&interval=1d&group_by=model"
  time_query "$set" "trends 1d by user (cost, top 10)" "/api/v1/trends?$r&metric=cost_usd&interval=1d&group_by=user"
  time_query "$set" "trends 1h by user, last day" "/api/v1/trends?from=$((to - 86400))&to=$to&metric=requests&interval=1h&group_by=user"
  time_query "$set" "trends 1h by model,user (top 10)" "/api/v1/trends?$r&metric=error_rate&interval=1h&group_by=model,user"
  time_query "$set" "models" "/api/v1/models?$r"
  time_query "$set" "anomalies" "/api/v1/anomalies?since=${DAYS}d"
  echo
  echo "  anomalies stored: $(curl -s "http://127.0.0.1:$PORT/api/v1/anomalies?since=${DAYS}d&limit=1000" | grep -o '"id"' | wc -l) (history is loaded faster than real time; live detection judges buckets as they close, docs/serve.md)"
}

for set in $SETS; do
  case $set in
    A)
      load_set A $((END - DAYS * 86400)) "${DAYS}d" "$RPS"
      run_queries "A: ${DAYS}d @ ${RPS} req/s" $((END - DAYS * 86400)) "$END"
      ;;
    B)
      load_set B $((END - 86400)) 1d 50
      run_queries "B: 1d @ 50 req/s" $((END - 86400)) "$END"
      ;;
  esac
  stop_all
done
