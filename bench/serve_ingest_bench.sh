#!/usr/bin/env bash
# Ingest throughput of `inferscope serve` with durability on (store.fsync=always), on loopback.
#
# Usage: bench/serve_ingest_bench.sh [SECONDS=20] [CONNECTIONS=4] [WRK_THREADS=2]
#
# 1. Request bodies are made once: JSON lines from `inferscope demo` (50 req/s, the last
#    two hours before now) cut into ~2 MB bodies on line boundaries, and OTLP/JSON bodies of
#    1000 GenAI spans each (bench/serve_otlp_gen.py).
# 2. `inferscope serve --store-fsync always` starts on a free port with a temp data dir.
# 3. wrk (bench/wrk/post_bodies.lua) POSTs the bodies round robin for SECONDS over
#    CONNECTIONS keep-alive connections:
#      - transport baseline: the JSON-lines bodies to an unrouted path (/v1/discard):
#        cpp-httplib reads the whole body, then answers 404 — no parsing, no storing;
#      - POST /v1/events (JSON lines);
#      - POST /v1/traces (OTLP/JSON).
#    Each phase starts with a 3 s warm-up that is not counted.
# 4. Records/s come from the server's own counter
#    inferscope_ingested_records_total{endpoint=...} (records acknowledged after fdatasync)
#    before/after, divided by the wall time of the wrk run; server CPU from /proc/PID/stat.
#
# Environment: INFERSCOPE_BIN (default build/bin/inferscope or build-*rel/bin/inferscope),
# KEEP_TMP=1 keeps the temp dir, FSYNC (default always).
source "$(dirname "$0")/serve_lib.sh"

SECONDS_RUN=${1:-20}
CONNS=${2:-4}
THREADS=${3:-2}
FSYNC=${FSYNC:-always}

TMP=$(mktemp -d /tmp/inferscope-ingest-bench.XXXXXX)
cleanup() {
  stop_all
  if [[ "${KEEP_TMP:-0}" != 1 ]]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT INT TERM

echo "# serve ingest benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# binary: $INFERSCOPE_BIN; fsync=$FSYNC; wrk -t$THREADS -c$CONNS -d${SECONDS_RUN}s"

# --- bodies --------------------------------------------------------------------------------
NOW=$(date +%s)
START=$((NOW - 7200))
mkdir -p "$TMP/events" "$TMP/traces"
"$INFERSCOPE_BIN" demo --start "$START" --duration 1h --rps 50 --seed 7 -o "$TMP/demo.jsonl" 2>/dev/null
split -C 2M -d -a 3 "$TMP/demo.jsonl" "$TMP/events/body-"
EVENT_FILES=$(ls "$TMP"/events/body-* | head -n -1 | tr '\n' ' ') # the last one is short
N_EVENT_BODIES=$(wc -w <<<"$EVENT_FILES")
EVENT_BYTES=$(cat $EVENT_FILES | wc -c)
EVENT_LINES=$(cat $EVENT_FILES | wc -l)
python3 "$BENCH_DIR/serve_otlp_gen.py" "$TMP/traces" 16 1000 "$START" 3 >/dev/null
TRACE_FILES=$(ls "$TMP"/traces/*.json | tr '\n' ' ')
TRACE_BYTES=$(cat $TRACE_FILES | wc -c)
echo "# JSON-lines bodies: $N_EVENT_BODIES x ~$((EVENT_BYTES / N_EVENT_BODIES / 1024)) KiB, $((EVENT_LINES / N_EVENT_BODIES)) events each"
echo "# OTLP/JSON bodies: 16 x ~$((TRACE_BYTES / 16 / 1024)) KiB, 1000 spans each"

# --- server --------------------------------------------------------------------------------
PORT=$(free_port)
start_serve "$TMP/data" "$PORT" "$TMP/serve.log" --store-fsync "$FSYNC" --store-retention-age 0
echo "# serve pid $SERVE_PID on 127.0.0.1:$PORT"

# run_phase NAME PATH CONTENT_TYPE FILES ENDPOINT_LABEL: warm-up, then the measured run.
run_phase() {
  local name=$1 path=$2 ctype=$3 files=$4 label=$5
  local out="$TMP/wrk-$name.txt"
  BODY_FILES="$files" BODY_PATH="$path" CONTENT_TYPE="$ctype" \
    wrk -t"$THREADS" -c"$CONNS" -d3s -s "$BENCH_DIR/wrk/post_bodies.lua" \
    "http://127.0.0.1:$PORT$path" >/dev/null
  local n0 c0 t0 n1 c1 t1
  n0=$(metric_value "$PORT" "inferscope_ingested_records_total{endpoint=\"$label\"}")
  c0=$(proc_cpu_s "$SERVE_PID")
  t0=$(now_s)
  BODY_FILES="$files" BODY_PATH="$path" CONTENT_TYPE="$ctype" \
    wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_RUN}s" --timeout 30s \
    -s "$BENCH_DIR/wrk/post_bodies.lua" "http://127.0.0.1:$PORT$path" >"$out"
  t1=$(now_s)
  c1=$(proc_cpu_s "$SERVE_PID")
  n1=$(metric_value "$PORT" "inferscope_ingested_records_total{endpoint=\"$label\"}")
  local rps wall cpu
  rps=$(wrk_rps "$out")
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
  PHASE_RPS=$rps
  PHASE_WALL=$wall
  PHASE_CPU=$cpu
  PHASE_RECORDS=$((n1 - n0))
  PHASE_NON2XX=$(wrk_non2xx "$out")
}

# Transport baseline.
run_phase transport /v1/discard application/x-ndjson "$EVENT_FILES" none
T_RPS=$PHASE_RPS
T_MBS=$(awk -v r="$PHASE_RPS" -v b="$EVENT_BYTES" -v n="$N_EVENT_BODIES" 'BEGIN { printf "%.0f", r * b / n / 1e6 }')
T_EPS=$(awk -v r="$PHASE_RPS" -v l="$EVENT_LINES" -v n="$N_EVENT_BODIES" 'BEGIN { printf "%.0f", r * l / n }')
T_CPU=$(awk -v c="$PHASE_CPU" -v w="$PHASE_WALL" 'BEGIN { printf "%.2f", c / w }')
echo "transport baseline (POST 2 MB to unrouted path, 404 after reading the body): $T_RPS req/s = $T_MBS MB/s = $T_EPS events/s of transport; server CPU $T_CPU cores; 404 answers $PHASE_NON2XX"

# JSON lines.
run_phase events /v1/events application/x-ndjson "$EVENT_FILES" events
E_EPS=$(awk -v n="$PHASE_RECORDS" -v w="$PHASE_WALL" 'BEGIN { printf "%.0f", n / w }')
E_MBS=$(awk -v r="$PHASE_RPS" -v b="$EVENT_BYTES" -v n="$N_EVENT_BODIES" 'BEGIN { printf "%.0f", r * b / n / 1e6 }')
E_CPU=$(awk -v c="$PHASE_CPU" -v w="$PHASE_WALL" 'BEGIN { printf "%.2f", c / w }')
E_PER_CPU=$(awk -v n="$PHASE_RECORDS" -v c="$PHASE_CPU" 'BEGIN { printf "%.0f", n / c }')
echo "POST /v1/events: $PHASE_RECORDS events acknowledged in $PHASE_WALL s = $E_EPS events/s ($PHASE_RPS req/s, $E_MBS MB/s); server CPU $PHASE_CPU s = $E_CPU cores, $E_PER_CPU events per CPU-second; non-2xx $PHASE_NON2XX"
echo "  ratio to transport baseline: $(awk -v a="$E_EPS" -v b="$T_EPS" 'BEGIN { printf "%.2f", a / b }')"

# OTLP JSON.
run_phase traces /v1/traces application/json "$TRACE_FILES" traces
S_EPS=$(awk -v n="$PHASE_RECORDS" -v w="$PHASE_WALL" 'BEGIN { printf "%.0f", n / w }')
S_MBS=$(awk -v r="$PHASE_RPS" -v b="$TRACE_BYTES" 'BEGIN { printf "%.0f", r * b / 16 / 1e6 }')
S_CPU=$(awk -v c="$PHASE_CPU" -v w="$PHASE_WALL" 'BEGIN { printf "%.2f", c / w }')
S_PER_CPU=$(awk -v n="$PHASE_RECORDS" -v c="$PHASE_CPU" 'BEGIN { printf "%.0f", n / c }')
echo "POST /v1/traces (OTLP/JSON): $PHASE_RECORDS spans acknowledged in $PHASE_WALL s = $S_EPS spans/s ($PHASE_RPS req/s, $S_MBS MB/s); server CPU $PHASE_CPU s = $S_CPU cores, $S_PER_CPU spans per CPU-second; non-2xx $PHASE_NON2XX"

echo "goals: JSON lines >= 500000 events/s: $(awk -v a="$E_EPS" 'BEGIN { print (a >= 500000 ? "met" : "NOT met") }'); OTLP JSON >= 200000 spans/s: $(awk -v a="$S_EPS" 'BEGIN { print (a >= 200000 ? "met" : "NOT met") }')"
echo "# store after the run: wal_bytes $(metric_value "$PORT" inferscope_wal_bytes), segment_bytes $(metric_value "$PORT" inferscope_segment_bytes), rejected events $(metric_value "$PORT" 'inferscope_rejected_records_total{endpoint="events"}'), rejected spans $(metric_value "$PORT" 'inferscope_rejected_records_total{endpoint="traces"}')"
echo "# server peak RSS: $(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' /proc/$SERVE_PID/status); memtable_bytes at the end: $(metric_value "$PORT" inferscope_memtable_bytes)"
