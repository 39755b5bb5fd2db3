#!/usr/bin/env bash
# `inferscope detect` and `inferscope watch` against real servers (docs/detect.md, docs/watch.md):
# Prometheus 2.42 (--web.enable-remote-write-receiver), VictoriaMetrics and Alertmanager 0.25
# routing to a webhook receiver run here on 127.0.0.1 (random free ports, temporary storage,
# stopped by PID). Three series with an injected level shift on series="1" (the last 20 of
# 360 one-minute points, +60 on a ~100 baseline) are written through remote_write; then:
#   - detect --format json finds exactly one anomaly, on series="1", starting at the shift,
#     still firing; the Markdown report, the SVG and the PNG are written;
#   - detect --write-back writes the four inferscope_* series, read back with PromQL;
#   - watch --once (one query, extra label team=ml, its own detector) finds the same anomaly,
#     writes back, and its alert reaches the webhook through Alertmanager with the labels;
#   - the same detect checks against VictoriaMetrics.
set -euo pipefail
bin="$(realpath "$1")"
for b in /usr/bin/prometheus /usr/bin/prometheus-alertmanager /usr/bin/victoria-metrics; do
  [ -x "$b" ] || { echo "FAIL: $b is missing: run scripts/install-deps.sh"; exit 1; }
done
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log; do echo "--- $f"; tail -20 "$f"; done; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() {
  for _ in $(seq 1 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  fail "$1 did not come up"
}

metric=inferscope_test_latency_seconds
load() {  # $1 = remote_write URL
  "$bin" testdata-write --url "$1" --metric "$metric" --series 3 --points 360 --step 1m \
    --end-ago 2m --amplitude 5 --label job=itest --anomaly series=1,start=340,points=20,add=60
}

# --- Prometheus -----------------------------------------------------------------------------
pp=$(free_port)
# Writing back detector output for a past range needs out-of-order ingestion (2.39+):
# without it Prometheus refuses samples older than its head block as "out of bounds".
printf 'global:\n  scrape_interval: 15s\nstorage:\n  tsdb:\n    out_of_order_time_window: 1d\n' \
  > "$tmp/prometheus.yml"
/usr/bin/prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom-data" \
  --web.listen-address=127.0.0.1:$pp --web.enable-remote-write-receiver > "$tmp/prometheus.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$pp/-/ready"
read -r first last sent < <(load "http://127.0.0.1:$pp/api/v1/write") || fail "loading Prometheus"
[ "$sent" = 1080 ] || fail "expected 1080 samples written, got $sent"

check_detect() {  # $1 = server URL, $2 = label for messages
  "$bin" detect --prometheus "$1" --query "$metric" --from "$first" --to "$last" --step 1m \
    --format json --report "$tmp/report.md" --plot "$tmp/anomalies.svg" > "$tmp/detect.json" \
    2> "$tmp/detect.log" || fail "$2: detect exited $?"
  python3 - "$tmp/detect.json" "$first" <<'PY' || fail "$2: detect JSON"
import json, sys, datetime
doc = json.load(open(sys.argv[1]))
first = datetime.datetime.fromisoformat(sys.argv[2].replace("Z", "+00:00"))
assert doc["series"] == 3, doc["series"]
an = doc["anomalies"]
assert len(an) == 1, json.dumps(an, indent=1)
a = an[0]
assert a["labels"]["series"] == "1" and a["labels"]["job"] == "itest", a["labels"]
assert a["metric"] == "inferscope_test_latency_seconds", a["metric"]
start = datetime.datetime.fromisoformat(a["start"].replace("Z", "+00:00"))
shift = first + datetime.timedelta(minutes=340)
assert start == shift, (start, shift)
assert a["end"] is None and a["state"] == "firing", a
assert a["observed"] > 150 and 80 < a["expected"] < 120, a
assert a["kind"] == "latency_spike", a["kind"]
assert "rose to" in a["summary"] and a["recommendation"], a
print("detect ok:", a["start"], a["severity"], a["observed"], a["expected"])
PY
  grep -q 'Suspected causes' "$tmp/report.md" || fail "$2: report without causes"
  grep -q 'series="1"' "$tmp/report.md" || fail "$2: report without the series"
  grep -q '<svg' "$tmp/anomalies.svg" && grep -q 'series=&quot;1&quot;' "$tmp/anomalies.svg" \
    || fail "$2: SVG without the anomalous series"
}

check_detect "http://127.0.0.1:$pp" prometheus
"$bin" detect --prometheus "http://127.0.0.1:$pp" --query "$metric" --from "$first" --to "$last" \
  --plot "$tmp/anomalies.png" > /dev/null 2>&1 || fail "detect --plot png"
python3 - "$tmp/anomalies.png" <<'PY' || fail "PNG"
import struct, sys, zlib
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", b[16:24])
assert w == 900 and h == 3 * 220, (w, h)
PY

# Exit codes: bad flags 2, query errors 1.
set +e
"$bin" detect --prometheus "http://127.0.0.1:$pp" --query "$metric" --format xml > /dev/null 2>&1
[ $? = 2 ] || fail "bad --format must exit 2"
"$bin" detect --prometheus "http://127.0.0.1:$pp" --query 'rate(' > /dev/null 2> "$tmp/bad.log"
[ $? = 1 ] && grep -q 'bad_data' "$tmp/bad.log" || fail "invalid PromQL must exit 1 with the server's reason"
set -e

# Write-back, read back with PromQL.
"$bin" detect --prometheus "http://127.0.0.1:$pp" --query "$metric" --from "$first" --to "$last" \
  --write-back "http://127.0.0.1:$pp/api/v1/write" > /dev/null 2> "$tmp/writeback.log" \
  || fail "detect --write-back"
query_range() {  # $1 server, $2 query -> JSON
  curl -sfG "$1/api/v1/query_range" --data-urlencode "query=$2" --data-urlencode "start=$first" \
    --data-urlencode "end=$last" --data-urlencode step=60
}
check_written() {  # $1 server, $2 detector label
  query_range "$1" "inferscope_anomaly_score{detector=\"$2\",source_metric=\"$metric\"}" > "$tmp/score.json"
  query_range "$1" "count by (__name__) ({__name__=~\"inferscope_expected.*|inferscope_anomaly_score\",detector=\"$2\"})" > "$tmp/names.json"
  python3 - "$tmp/score.json" "$tmp/names.json" "$first" <<'PY'
import json, sys, datetime
res = json.load(open(sys.argv[1]))["data"]["result"]
first = datetime.datetime.fromisoformat(sys.argv[3].replace("Z", "+00:00")).timestamp()
by = {r["metric"]["series"]: r for r in res}
assert set(by) == {"0", "1", "2"}, by.keys()
assert by["1"]["metric"]["job"] == "itest"
shift = first + 340 * 60
hot = [float(v) for t, v in by["1"]["values"] if t >= shift]
cold = [float(v) for t, v in by["1"]["values"] if t < shift - 60]
assert len(hot) == 20 and min(hot[:3]) >= 0.5, hot
def quiet(scores):
    # A lone point may cross 0.5 (the tracker's pending period keeps it from being an
    # incident); a run of three would have been one.
    over = [x >= 0.5 for x in scores]
    runs = any(over[i] and over[i + 1] and over[i + 2] for i in range(len(over) - 2))
    return sum(over) <= len(over) // 50 and not runs
assert quiet(cold), [round(x, 2) for x in cold if x >= 0.5]
for s in ("0", "2"):
    vals = [float(v) for _, v in by[s]["values"]]
    assert quiet(vals), (s, [round(x, 2) for x in vals if x >= 0.5])
names = {r["metric"]["__name__"] for r in json.load(open(sys.argv[2]))["data"]["result"]}
assert names == {"inferscope_anomaly_score", "inferscope_expected", "inferscope_expected_lower",
                 "inferscope_expected_upper"}, names
print("write-back ok:", len(hot), "anomalous points scored >= 0.5")
PY
}
check_written "http://127.0.0.1:$pp" "robust_z+cusum" || fail "write-back to Prometheus"

# --- watch --once with alerts through Alertmanager to a webhook -----------------------------
wp=$(free_port)
cat > "$tmp/webhook.py" <<'PY'
import http.server, sys
out = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "ab") as f:
            f.write(body + b"\n")
        self.send_response(200); self.end_headers()
    def do_GET(self):
        self.send_response(200); self.end_headers()
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
python3 "$tmp/webhook.py" "$wp" "$tmp/webhook.jsonl" > "$tmp/webhook.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$wp/"
ap=$(free_port)
cat > "$tmp/alertmanager.yml" <<YML
route:
  receiver: hook
  group_by: ['alertname', 'series']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs:
      - url: 'http://127.0.0.1:$wp/alerts'
        send_resolved: true
YML
/usr/bin/prometheus-alertmanager --config.file="$tmp/alertmanager.yml" --storage.path="$tmp/am-data" \
  --web.listen-address=127.0.0.1:$ap --cluster.listen-address= > "$tmp/alertmanager.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$ap/-/ready"
cat > "$tmp/watch.yaml" <<YML
prometheus:
  url: http://127.0.0.1:$pp
poll_interval: 1m
lookback: 7h
step: 1m
delay: 0s
checkpoint: $tmp/watch.ckpt
remote_write:
  url: http://127.0.0.1:$pp/api/v1/write
queries:
  - name: test_latency
    expr: $metric
    detectors: ["robust_z window=60 threshold=6 min_points=20"]
    direction: above
    min_rel_deviation: 0.2
    labels: {team: ml}
alerting:
  outbox: $tmp/outbox.db
  sinks:
    - name: am
      type: alertmanager
      url: http://127.0.0.1:$ap
      timeout: 5s
      resend_interval: 1m
YML
"$bin" watch --config "$tmp/watch.yaml" --once --format json > "$tmp/watch.json" 2> "$tmp/watch.log" \
  || fail "watch --once exited $?: $(cat "$tmp/watch.log")"
python3 - "$tmp/watch.json" "$first" <<'PY' || fail "watch JSON"
import json, sys, datetime
doc = json.load(open(sys.argv[1]))
an = doc["anomalies"]
assert len(an) == 1, an
a = an[0]
assert a["labels"]["series"] == "1" and a["labels"]["team"] == "ml", a["labels"]
first = datetime.datetime.fromisoformat(sys.argv[2].replace("Z", "+00:00"))
start = datetime.datetime.fromisoformat(a["start"].replace("Z", "+00:00"))
assert start == first + datetime.timedelta(minutes=340), start
print("watch ok:", a["start"], a["state"])
PY
[ -s "$tmp/watch.ckpt" ] || fail "watch wrote no checkpoint"
check_written "http://127.0.0.1:$pp" "robust_z" || fail "watch write-back"
# watch writes back at most remote_write.max_age (default 1h) of history (the data ends 2m ago).
query_range "http://127.0.0.1:$pp" "count_over_time(inferscope_anomaly_score{detector=\"robust_z\",series=\"1\"}[7h])" \
  | python3 -c 'import json,sys; v=json.load(sys.stdin)["data"]["result"][0]["values"]; n=int(v[-1][1]); assert 50 <= n <= 61, n' \
  || fail "watch wrote back more than max_age of history"
for _ in $(seq 1 100); do [ -s "$tmp/webhook.jsonl" ] && break; sleep 0.2; done
python3 - "$tmp/webhook.jsonl" <<'PY' || fail "webhook payload"
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
alerts = [a for m in msgs for a in m["alerts"]]
assert alerts, msgs
a = alerts[0]
assert a["status"] == "firing", a
l = a["labels"]
assert l["series"] == "1" and l["team"] == "ml" and l["job"] == "itest", l
assert l.get("query") == "test_latency", l
print("alert ok:", {k: l[k] for k in sorted(l)})
PY
# A second --once resumes from the checkpoint: the same points are not judged again.
"$bin" watch --config "$tmp/watch.yaml" --once > /dev/null 2> "$tmp/watch2.log" || fail "second watch"
grep -q 'restored baselines of 3 series' "$tmp/watch2.log" || fail "checkpoint not restored: $(cat "$tmp/watch2.log")"

# --- VictoriaMetrics ------------------------------------------------------------------------
vp=$(free_port)
/usr/bin/victoria-metrics -httpListenAddr=127.0.0.1:$vp -storageDataPath="$tmp/vm-data" \
  -search.disableCache -loggerLevel=WARN > "$tmp/victoria-metrics.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$vp/health"
read -r first last sent < <(load "http://127.0.0.1:$vp/api/v1/write") || fail "loading VictoriaMetrics"
curl -sf "http://127.0.0.1:$vp/internal/force_flush" > /dev/null
check_detect "http://127.0.0.1:$vp" victoria-metrics
"$bin" detect --prometheus "http://127.0.0.1:$vp" --query "$metric" --from "$first" --to "$last" \
  --write-back "http://127.0.0.1:$vp/api/v1/write" > /dev/null 2> "$tmp/vm-writeback.log" \
  || fail "detect --write-back to VictoriaMetrics"
curl -sf "http://127.0.0.1:$vp/internal/force_flush" > /dev/null
sleep 1
check_written "http://127.0.0.1:$vp" "robust_z+cusum" || fail "write-back to VictoriaMetrics"
echo "ok: detect (Prometheus, VictoriaMetrics), write-back, watch, alert via Alertmanager"
