#!/usr/bin/env bash
# Side by side in one run: the same events in `inferscope serve` and in Debian's ClickHouse
# (clickhouse-server 18.16, HTTP interface, MergeTree), the same percentile query timed on
# both.
#
# Usage: bench/clickhouse_compare.sh [QUERIES=30] [RPS=50] [DURATION=1d]
#
# 1. `inferscope demo --start <today 00:00 UTC - DURATION> --duration DURATION --rps RPS
#    --seed 1` (the API benchmark's real-density day) is written to a file once.
# 2. inferscope: `serve --store-fsync always` on a free port, the file POSTed to /v1/events
#    in ~2 MB bodies over 2 connections (bench/serve_load.py), timed; then restarted so the
#    memtable is flushed into segments (what a long-running server has done).
# 3. ClickHouse: started on free loopback ports with a temp config (bench/clickhouse_lib.sh),
#    table `events` (MergeTree, PARTITION BY day, ORDER BY (model, timestamp), one column
#    per JSON field), the same file POSTed in one `INSERT ... FORMAT JSONEachRow`
#    (date_time_input_format=best_effort; timestamps lose their milliseconds: DateTime64 does
#    not exist in 18.16), timed.
# 4. The percentile query, QUERIES times each over one keep-alive connection
#    (bench/serve_time_get.py), after one untimed warm-up:
#      inferscope  GET /api/v1/percentiles?from=..&to=..&metric=latency_ms&q=0.5,0.95,0.99&group_by=model
#      ClickHouse  SELECT model, count(), quantiles(0.5,0.95,0.99)(latency_ms) ... GROUP BY model
#    and, for reference, ClickHouse's quantilesExact (the true values, to check accuracy).
#
# Environment: INFERSCOPE_BIN, KEEP_TMP=1 keeps the temp dir.
source "$(dirname "$0")/serve_lib.sh"
source "$(dirname "$0")/clickhouse_lib.sh"

QUERIES=${1:-30}
RPS=${2:-50}
DURATION=${3:-1d}

TMP=$(mktemp -d /tmp/inferscope-ch-compare.XXXXXX)
cleanup() {
  stop_all
  if [[ "${KEEP_TMP:-0}" != 1 ]]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT INT TERM

DUR_S=$(python3 -c "import sys; s=sys.argv[1]; print(int(float(s[:-1]) * {'s':1,'m':60,'h':3600,'d':86400}[s[-1]]))" "$DURATION")
END=$(($(date +%s) / 86400 * 86400))
START=$((END - DUR_S))

echo "# inferscope vs ClickHouse $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# binary: $INFERSCOPE_BIN; clickhouse-server $(dpkg-query -W -f='${Version}' clickhouse-server 2>/dev/null || echo '?')"

"$INFERSCOPE_BIN" demo --start "$START" --duration "$DURATION" --rps "$RPS" --seed 1 -o "$TMP/events.jsonl" 2>/dev/null
LINES=$(wc -l <"$TMP/events.jsonl")
BYTES=$(wc -c <"$TMP/events.jsonl")
echo "events: demo --start $START --duration $DURATION --rps $RPS --seed 1: $LINES lines, $((BYTES / 1000000)) MB"
cat "$TMP/events.jsonl" >/dev/null # into the page cache for both loads

# --- inferscope -----------------------------------------------------------------------------
PORT=$(free_port)
start_serve "$TMP/inferscope" "$PORT" "$TMP/serve.log" --store-fsync always --store-retention-age 0
c0=$(proc_cpu_s "$SERVE_PID")
t0=$(now_s)
python3 "$BENCH_DIR/serve_load.py" "127.0.0.1:$PORT" 2000000 2 <"$TMP/events.jsonl" 2>"$TMP/load.txt"
t1=$(now_s)
c1=$(proc_cpu_s "$SERVE_PID")
IS_LOAD=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
IS_CPU=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", b - a }')
IS_ROWS=$(metric_value "$PORT" 'inferscope_ingested_records_total{endpoint="events"}')
stop_pid "$SERVE_PID" 300
start_serve "$TMP/inferscope" "$PORT" "$TMP/serve2.log" --store-fsync always --store-retention-age 0
IS_DISK=$(du -sm "$TMP/inferscope" | cut -f1)

# --- ClickHouse -----------------------------------------------------------------------------
start_clickhouse "$TMP/clickhouse"
ch_query "CREATE TABLE events (
  timestamp DateTime, request_id String, model String, status String, error_type String,
  latency_ms Float64, ttft_ms Nullable(Float64), input_tokens UInt32, output_tokens UInt32,
  cost_usd Float64, batch_size Nullable(UInt16), batch_fill_ratio Nullable(Float64),
  gpu_util Nullable(Float64), memory_used_gb Nullable(Float64), queue_depth UInt32,
  cache_hit UInt8, cache_tier String, task_type String, user String, service String
) ENGINE = MergeTree() PARTITION BY toYYYYMMDD(timestamp) ORDER BY (model, timestamp)"
c0=$(proc_cpu_s "$CH_PID")
t0=$(now_s)
curl -sS --fail-with-body \
  "http://127.0.0.1:$CH_PORT/?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow&date_time_input_format=best_effort" \
  -X POST -H "Transfer-Encoding: chunked" -T "$TMP/events.jsonl"
t1=$(now_s)
c1=$(proc_cpu_s "$CH_PID")
CH_LOAD=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
CH_CPU=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", b - a }')
CH_ROWS=$(ch_query "SELECT count() FROM events")
sleep 2
CH_DISK=$(du -sm "$TMP/clickhouse/data" | cut -f1)

echo
echo "| load | rows | wall s | rows/s | server CPU s | on disk MB |"
echo "|---|---|---|---|---|---|"
echo "| inferscope POST /v1/events (fsync always, 2 connections) | $IS_ROWS | $IS_LOAD | $(awk -v n="$IS_ROWS" -v t="$IS_LOAD" 'BEGIN { printf "%.0f", n / t }') | $IS_CPU | $IS_DISK |"
echo "| ClickHouse INSERT FORMAT JSONEachRow (one POST) | $CH_ROWS | $CH_LOAD | $(awk -v n="$CH_ROWS" -v t="$CH_LOAD" 'BEGIN { printf "%.0f", n / t }') | $CH_CPU | $CH_DISK |"
echo "  ClickHouse/inferscope load wall time: $(awk -v a="$CH_LOAD" -v b="$IS_LOAD" 'BEGIN { printf "%.2f", a / b }')"

# --- the percentile query ---------------------------------------------------------------------
IS_URL="http://127.0.0.1:$PORT/api/v1/percentiles?from=$START&to=$END&metric=latency_ms&q=0.5,0.95,0.99&group_by=model"
CH_SQL="SELECT model, count() AS n, quantiles(0.5, 0.95, 0.99)(latency_ms) AS q FROM events WHERE timestamp >= toDateTime($START) AND timestamp < toDateTime($END) GROUP BY model ORDER BY model FORMAT JSONCompact"
CH_EXACT_SQL="${CH_SQL//quantiles(/quantilesExact(}"
CH_URL="http://127.0.0.1:$CH_PORT/"

python3 "$BENCH_DIR/serve_time_get.py" "$IS_URL" 1 >/dev/null
python3 "$BENCH_DIR/serve_time_get.py" "$CH_URL" 1 "" "$CH_SQL" >/dev/null
read -r IS_MIN IS_MED IS_P90 IS_MAX < <(python3 "$BENCH_DIR/serve_time_get.py" "$IS_URL" "$QUERIES" "$TMP/is.json")
read -r CH_MIN CH_MED CH_P90 CH_MAX < <(python3 "$BENCH_DIR/serve_time_get.py" "$CH_URL" "$QUERIES" "$TMP/ch.json" "$CH_SQL")
read -r CX_MIN CX_MED CX_P90 CX_MAX < <(python3 "$BENCH_DIR/serve_time_get.py" "$CH_URL" "$QUERIES" "$TMP/chx.json" "$CH_EXACT_SQL")

echo
echo "percentile query, $QUERIES sequential requests each over one keep-alive connection (ms):"
echo
echo "| engine | query | min | median | p90 | max |"
echo "|---|---|---|---|---|---|"
echo "| inferscope | GET /api/v1/percentiles group_by=model | $IS_MIN | $IS_MED | $IS_P90 | $IS_MAX |"
echo "| ClickHouse 18.16 | quantiles(0.5,0.95,0.99) GROUP BY model | $CH_MIN | $CH_MED | $CH_P90 | $CH_MAX |"
echo "| ClickHouse 18.16 | quantilesExact(...) GROUP BY model | $CX_MIN | $CX_MED | $CX_P90 | $CX_MAX |"
echo
echo "  ratio of medians ClickHouse quantiles / inferscope: $(awk -v a="$CH_MED" -v b="$IS_MED" 'BEGIN { printf "%.1f", a / b }')x; quantilesExact / inferscope: $(awk -v a="$CX_MED" -v b="$IS_MED" 'BEGIN { printf "%.1f", a / b }')x"
echo
python3 - "$TMP/is.json" "$TMP/ch.json" "$TMP/chx.json" <<'EOF'
import json, sys
inferscope = json.load(open(sys.argv[1]))
approx = {row[0]: row for row in json.load(open(sys.argv[2]))["data"]}
exact = {row[0]: row for row in json.load(open(sys.argv[3]))["data"]}
groups = inferscope.get("groups") or inferscope.get("series") or inferscope.get("results") or []
print("| model | count inferscope / ClickHouse | p50 inferscope / CH quantiles / exact | p95 | p99 | worst relative error of inferscope vs exact |")
print("|---|---|---|---|---|---|")
for g in groups:
    model = g.get("labels", {}).get("model", "?")
    values = g.get("values", {})
    ours = [values.get(k) for k in ("p50", "p95", "p99")]
    a = approx.get(model)
    e = exact.get(model)
    if a is None or e is None:
        print("| %s | %s / missing in ClickHouse | | | | |" % (model, g.get("count")))
        continue
    cells = ["%.1f / %.1f / %.1f" % (ours[i], float(a[2][i]), float(e[2][i])) for i in range(3)]
    worst = max(abs(ours[i] - float(e[2][i])) / float(e[2][i]) for i in range(3))
    print("| %s | %s / %s | %s | %s | %s | %.2f%% |" % (model, g.get("count"), a[1], *cells, worst * 100))
EOF
