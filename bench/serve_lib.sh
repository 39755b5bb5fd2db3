# shellcheck shell=bash
# Shared helpers for the `inferscope serve` benchmarks (sourced, not run).
#
# Provides: INFERSCOPE_BIN, free_port, start_serve, stop_pid, stop_all, wait_http, metric_value,
# proc_cpu_s, wrk_latency_ms. Every process started here is stopped by PID (a trap in the
# calling script calls stop_all).

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
if [[ -z "${INFERSCOPE_BIN:-}" ]]; then
  # The newest release binary that has the `serve` command.
  # shellcheck disable=SC2045 # repo paths have no spaces; newest first
  for candidate in $(ls -t "$REPO_DIR/build/bin/inferscope" "$REPO_DIR"/build-*rel/bin/inferscope 2>/dev/null); do
    if "$candidate" serve --help >/dev/null 2>&1; then INFERSCOPE_BIN="$candidate"; break; fi
  done
fi
if [[ -z "${INFERSCOPE_BIN:-}" ]] || ! "$INFERSCOPE_BIN" serve --help >/dev/null 2>&1; then
  echo "no inferscope binary with the serve command; build it (./scripts/build.sh release) or set INFERSCOPE_BIN" >&2
  exit 1
fi
CLK_TCK=$(getconf CLK_TCK)

STARTED_PIDS=()

# A TCP port nobody listens on right now (127.0.0.1).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [seconds]: polls until the URL answers 200.
wait_http() {
  local url=$1 limit=${2:-60} i
  for ((i = 0; i < limit * 10; ++i)); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "no answer from $url after ${limit}s" >&2
  return 1
}

# start_serve DATA_DIR PORT LOG [extra flags...]: starts `inferscope serve` in the
# background, sets SERVE_PID, waits for /readyz.
start_serve() {
  local data_dir=$1 port=$2 log=$3
  shift 3
  "$INFERSCOPE_BIN" serve --listen "127.0.0.1:$port" --data-dir "$data_dir" "$@" >"$log" 2>&1 &
  SERVE_PID=$!
  STARTED_PIDS+=("$SERVE_PID")
  if ! wait_http "http://127.0.0.1:$port/readyz" 120; then
    echo "--- serve log ---" >&2
    tail -20 "$log" >&2
    return 1
  fi
}

# stop_pid PID [seconds]: SIGTERM, wait up to N seconds, then SIGKILL.
stop_pid() {
  local pid=$1 limit=${2:-60} i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < limit * 10; ++i)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid" 30; done
  STARTED_PIDS=()
}

# metric_value PORT FAMILY_WITH_LABELS: one sample value from /metrics (0 when absent).
# Example: metric_value 8080 'inferscope_ingested_records_total{endpoint="events"}'
metric_value() {
  local port=$1 name=$2
  curl -fsS "http://127.0.0.1:$port/metrics" |
    awk -v n="$name" '$1 == n { v = $2 } END { if (v == "") v = 0; printf "%.0f\n", v }'
}

# proc_cpu_s PID: user + system CPU seconds of a process so far (all threads).
proc_cpu_s() {
  awk -v t="$CLK_TCK" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / t }' "/proc/$1/stat"
}

# now_s: wall clock with nanoseconds, as seconds.
now_s() { date +%s.%N; }

# wrk_latency_ms WRK_OUTPUT_FILE PERCENT: latency at a percentile of `wrk --latency`
# output, in milliseconds.
wrk_latency_ms() {
  awk -v p="$2%" '
    $1 == p {
      v = $2
      if (v ~ /us$/) { sub(/us$/, "", v); v = v / 1000 }
      else if (v ~ /ms$/) { sub(/ms$/, "", v); v = v + 0 }
      else if (v ~ /m$/) { sub(/m$/, "", v); v = v * 60000 }
      else if (v ~ /s$/) { sub(/s$/, "", v); v = v * 1000 }
      printf "%.2f\n", v
    }' "$1"
}

# wrk_rps WRK_OUTPUT_FILE: "Requests/sec" of wrk output.
wrk_rps() { awk '$1 == "Requests/sec:" { print $2 }' "$1"; }

# wrk_non2xx WRK_OUTPUT_FILE: the count of non-2xx/3xx answers (0 when none).
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/ { v = $NF } END { print v + 0 }' "$1"; }
