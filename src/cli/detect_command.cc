#include "cli/detect_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <random>

#include "cli/output_file.h"
#include "core/json_writer.h"
#include "core/time_format.h"
#include "detect/series_engine.h"
#include "ingest/httplib_client.h"
#include "ingest/prometheus/anomaly_output_series.h"
#include "ingest/prometheus/prometheus_client.h"
#include "ingest/prometheus/remote_write_client.h"
#include "insight/anomaly_json.h"
#include "insight/series_anomaly_chart.h"
#include "insight/series_anomaly_explainer.h"
#include "insight/series_detection.h"
#include "insight/series_incident_report.h"

namespace inferscope {
namespace {

int Fail(int code, std::string_view message) {
  fmt::print(stderr, "inferscope detect: {}\n", message);
  return code;
}

double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

int64_t NowMonotonic() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string AnomaliesJson(const DetectFlags& f, TimestampNs start, TimestampNs end, int64_t step,
                          size_t series_count, const std::vector<Anomaly>& anomalies) {
  std::string json;
  JsonWriter w(&json, 2);
  w.BeginObject()
      .Key("source")
      .String(f.prometheus)
      .Key("query")
      .String(f.query)
      .Key("start")
      .String(FormatIso8601(start))
      .Key("end")
      .String(FormatIso8601(end))
      .Key("step_seconds")
      .Number(Seconds(step))
      .Key("series")
      .Uint(series_count)
      .Key("anomalies")
      .BeginArray();
  for (const Anomaly& a : anomalies) WriteAnomalyJson(w, a, a.labels);
  w.EndArray().EndObject();
  json.push_back('\n');
  return json;
}

}  // namespace

CLI::App* AddDetectCommand(CLI::App& app, DetectFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "detect",
      "Run the detectors over every series a PromQL range query returns and report the "
      "anomalies (docs/detect.md)");
  cmd->add_option("--prometheus", f.prometheus,
                  "Prometheus-compatible API base URL (Prometheus, VictoriaMetrics, Thanos, Mimir)")
      ->required();
  cmd->add_option("--query", f.query, "PromQL expression (evaluated with query_range)")->required();
  cmd->add_option("--since", f.since, "Look back this long from now (default 24h)");
  cmd->add_option("--from", f.from, "Range start: RFC 3339 or unix seconds (with --to)");
  cmd->add_option("--to", f.to, "Range end: RFC 3339 or unix seconds (default now)");
  cmd->add_option("--step", f.step, "Query resolution step (default 1m)");
  cmd->add_option("--name", f.name,
                  "Name for result series without a metric name (default: the query text)");
  cmd->add_option("--format", f.format, "Output format: table, json, markdown");
  cmd->add_option("-o,--output", f.output, "Write the output here instead of stdout");
  cmd->add_option("--report", f.report, "Also write a Markdown incident report to this file");
  cmd->add_option("--plot", f.plot,
                  "Also draw the series, expected band and anomalies: FILE.svg or FILE.png");
  cmd->add_option("--write-back", f.write_back,
                  "remote_write URL: write inferscope_anomaly_score, inferscope_expected, "
                  "inferscope_expected_lower/upper for every point (never future ones)");
  cmd->add_option("--detectors", f.detect.detectors,
                  "Detector spec line, repeatable (default: robust_z + cusum; docs/detectors.md)");
  cmd->add_option("--direction", f.detect.direction, "Deviations that count: above, below, both");
  cmd->add_option("--min-deviation", f.detect.min_deviation,
                  "Ignore deviations smaller than this, in the series' unit");
  cmd->add_option("--min-rel-deviation", f.detect.min_rel_deviation,
                  "Ignore deviations smaller than this fraction of the expected value (0.2 = 20%)");
  cmd->add_option("--kind", f.detect.kind,
                  "Anomaly kind to report (default: guessed from the query: latency_spike, "
                  "error_burst or outlier)");
  cmd->add_option("--for", f.pending_for,
                  "How long a deviation must last before it is an anomaly (default 2m)");
  cmd->add_option("--timeout", f.timeout, "Server-side query timeout (default 30s)");
  cmd->add_option("--bearer-token-file", f.access.bearer_token_file,
                  "Send Authorization: Bearer <token read from this file>");
  cmd->add_option("--basic-auth", f.access.basic_auth,
                  "Basic auth as USER:PASSWORD_FILE (the password is read from the file)");
  cmd->add_option("--ca-file", f.access.ca_file, "PEM bundle to verify the server's certificate");
  cmd->add_flag("--insecure-skip-verify", f.access.insecure_skip_verify,
                "Do not verify the server's certificate (self-signed test servers only)");
  cmd->add_flag("--timings", f.timings,
                "Print the time spent querying and detecting (and series/s) to stderr");
  return cmd;
}

int RunDetect(const DetectFlags& f) {
  // Flags first: every mistake here is exit code 2.
  if (f.format != "table" && f.format != "json" && f.format != "markdown") {
    return Fail(2,
                fmt::format("invalid --format '{}': expected table, json or markdown", f.format));
  }
  if (!f.plot.empty() && !EndsWith(f.plot, ".svg") && !EndsWith(f.plot, ".png")) {
    return Fail(2,
                fmt::format("invalid --plot '{}': the file name must end in .svg or .png", f.plot));
  }
  auto step = ParseDuration(f.step);
  if (!step.ok()) return Fail(2, fmt::format("invalid --step: {}", step.status().message()));
  auto pending = (f.pending_for == "0" || f.pending_for == "0s" || f.pending_for == "0m")
                     ? Result<int64_t>(int64_t{0})
                     : ParseDuration(f.pending_for);
  if (!pending.ok()) return Fail(2, fmt::format("invalid --for: {}", pending.status().message()));
  auto timeout = ParseDuration(f.timeout);
  if (!timeout.ok())
    return Fail(2, fmt::format("invalid --timeout: {}", timeout.status().message()));
  const TimestampNs now = SystemClock::Instance().Now();
  TimestampNs end = now, start = 0;
  if (!f.to.empty()) {
    auto t = ParseUserTime(f.to);
    if (!t.ok()) return Fail(2, fmt::format("invalid --to: {}", t.status().message()));
    end = *t;
  }
  if (!f.from.empty()) {
    auto t = ParseUserTime(f.from);
    if (!t.ok()) return Fail(2, fmt::format("invalid --from: {}", t.status().message()));
    start = *t;
  } else {
    auto since = ParseDuration(f.since);
    if (!since.ok()) return Fail(2, fmt::format("invalid --since: {}", since.status().message()));
    start = end - *since;
    // Relative ranges on the step grid, as Grafana does: evaluation times are round.
    if (f.to.empty()) {
      end = end / *step * *step;
      start = start / *step * *step;
    }
  }
  if (start >= end) return Fail(2, "the range is empty: --from must be before --to");
  auto spec = MakeSeriesSpec(f.detect, f.query);
  if (!spec.ok()) return Fail(2, spec.status().message());
  AnomalyTracker::Options tracker;
  tracker.pending_for_ns = *pending;
  auto engine = SeriesEngine::Create({*spec}, tracker);
  if (!engine.ok())
    return Fail(2, fmt::format("invalid --detectors: {}", engine.status().message()));
  auto http_options = MakeHttpClientOptions(f.access);
  if (!http_options.ok())
    return Fail(ExitCodeFor(http_options.status()), http_options.status().message());
  HttplibClient http(*http_options);

  PrometheusClientOptions options;
  options.base_url = f.prometheus;
  options.timeout = std::chrono::milliseconds(*timeout / kNanosPerMilli);
  PrometheusClient client(http, options);
  const int64_t t0 = NowMonotonic();
  auto answer = client.QueryRange(f.query, start, end, *step);
  const int64_t t1 = NowMonotonic();
  if (!answer.ok()) {
    return Fail(1, fmt::format("query failed: {}", answer.status().message()));
  }
  for (const std::string& warning : answer->result.warnings) {
    fmt::print(stderr, "inferscope detect: server warning: {}\n", warning);
  }
  size_t points = 0;
  for (const PrometheusSeries& s : answer->result.series) points += s.samples.size();
  const std::string unnamed = f.name.empty() ? f.query : f.name;
  std::vector<DetectedSeries> detected =
      RunSeriesDetection(**engine, 0, std::move(answer->result.series), unnamed);
  (*engine)->AdvanceTo(end);
  std::vector<Anomaly> anomalies = (*engine)->Anomalies();
  SeriesAnomalyExplainer explainer;
  for (Anomaly& a : anomalies) explainer.Explain(f.query, &a);
  const int64_t t2 = NowMonotonic();

  std::string out;
  if (f.format == "json") {
    out = AnomaliesJson(f, start, end, *step, detected.size(), anomalies);
  } else {
    out = RenderSeriesAnomalyTable(anomalies, detected.size(), f.format == "markdown");
    if (f.format == "table") {
      for (const Anomaly& a : anomalies) {
        out += fmt::format("\n[{}] {}\n  cause: {}\n  action: {}\n", SeverityName(a.severity),
                           a.summary, a.cause, a.recommendation);
      }
    }
  }
  Status st = WriteOutput(f.output, out);
  if (!st.ok()) return Fail(1, st.message());
  if (!f.plot.empty()) {
    std::string picture = EndsWith(f.plot, ".png") ? RenderSeriesAnomalyPng(detected, anomalies)
                                                   : RenderSeriesAnomalySvg(detected, anomalies);
    st = WriteOutput(f.plot, picture);
    if (!st.ok()) return Fail(1, st.message());
  }
  if (!f.report.empty()) {
    SeriesReportContext c{f.prometheus, f.query, start, end, *step, DetectorLabelFor(*spec),
                          f.plot};
    st = WriteOutput(f.report, RenderSeriesIncidentReport(c, detected, anomalies));
    if (!st.ok()) return Fail(1, st.message());
  }
  int64_t t3 = NowMonotonic();
  if (!f.write_back.empty()) {
    std::vector<PrometheusSeries> outputs;
    const std::string detector = DetectorLabelFor(*spec);
    for (const DetectedSeries& d : detected) {
      for (PrometheusSeries& s : BuildAnomalyOutputSeries(d.key, detector, ToOutputPoints(d))) {
        outputs.push_back(std::move(s));
      }
    }
    RemoteWriteOptions wo;
    wo.url = f.write_back;
    RemoteWriteClient writer(http, wo);
    auto written = writer.Write(outputs);
    if (!written.ok())
      return Fail(1, fmt::format("write-back failed: {}", written.status().message()));
    fmt::print(stderr,
               "inferscope detect: wrote {} samples of {} series to {} ({} future samples "
               "skipped, {} requests)\n",
               written->samples_sent, written->series, f.write_back,
               written->samples_skipped_future, written->requests);
  }
  const int64_t t4 = NowMonotonic();
  if (f.timings) {
    const double detect_s = Seconds(t2 - t1);
    fmt::print(stderr,
               "timings: series {} points {} | query {:.3f} s (http {:.3f} s, parse {:.3f} s, "
               "{} requests, {} bytes) | detection {:.3f} s ({:.0f} series/s, {:.0f} points/s) | "
               "output {:.3f} s | write-back {:.3f} s | total {:.3f} s ({:.0f} series/s)\n",
               detected.size(), points, Seconds(t1 - t0), Seconds(answer->stats.http_ns),
               Seconds(answer->stats.parse_ns), answer->stats.requests,
               answer->stats.response_bytes, detect_s,
               detect_s > 0 ? double(detected.size()) / detect_s : 0.0,
               detect_s > 0 ? double(points) / detect_s : 0.0, Seconds(t3 - t2), Seconds(t4 - t3),
               Seconds(t4 - t0), t4 > t0 ? double(detected.size()) / Seconds(t4 - t0) : 0.0);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------

CLI::App* AddTestdataWriteCommand(CLI::App& app, TestdataWriteFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "testdata-write",
      "Write synthetic series with injected anomalies through remote_write (tests/bench)");
  cmd->group("");  // hidden from --help
  cmd->add_option("--url", f.url, "remote_write endpoint")->required();
  cmd->add_option("--metric", f.metric, "Metric name");
  cmd->add_option("--series", f.series, "Number of series (label series=\"<i>\")");
  cmd->add_option("--points", f.points, "Points per series");
  cmd->add_option("--step", f.step, "Step between points");
  cmd->add_option("--end-ago", f.end_ago, "The newest point is this long before now");
  cmd->add_option("--label", f.labels, "key=value on every series (repeatable)");
  cmd->add_option("--anomaly", f.anomalies,
                  "series=I,start=P,points=K,add=V: add V to K points of series I from point P");
  cmd->add_option("--base", f.base, "Base level");
  cmd->add_option("--amplitude", f.amplitude, "Amplitude of the daily sine");
  cmd->add_option("--noise", f.noise, "Standard deviation of the Gaussian noise");
  cmd->add_option("--batch", f.batch, "Samples per remote_write request");
  return cmd;
}

int RunTestdataWrite(const TestdataWriteFlags& f) {
  auto step = ParseDuration(f.step);
  auto end_ago = ParseDuration(f.end_ago);
  if (!step.ok() || !end_ago.ok() || f.series < 1 || f.points < 1 || f.batch < 1) {
    fmt::print(stderr,
               "inferscope testdata-write: invalid --step, --end-ago, --series, --points "
               "or --batch\n");
    return 2;
  }
  struct Injection {
    int series = 0, start = 0, points = 0;
    double add = 0;
  };
  std::vector<Injection> injections;
  for (const std::string& text : f.anomalies) {
    Injection in;
    if (std::sscanf(text.c_str(), "series=%d,start=%d,points=%d,add=%lf", &in.series, &in.start,
                    &in.points, &in.add) != 4) {
      fmt::print(stderr, "inferscope testdata-write: invalid --anomaly '{}'\n", text);
      return 2;
    }
    injections.push_back(in);
  }
  std::vector<std::pair<std::string, std::string>> labels;
  for (const std::string& l : f.labels) {
    const size_t eq = l.find('=');
    if (eq == std::string::npos) {
      fmt::print(stderr, "inferscope testdata-write: invalid --label '{}'\n", l);
      return 2;
    }
    labels.emplace_back(l.substr(0, eq), l.substr(eq + 1));
  }
  // Whole steps, so every series is on the query grid.
  const TimestampNs now = SystemClock::Instance().Now();
  const TimestampNs last = (now - *end_ago) / *step * *step;
  const TimestampNs first = last - int64_t(f.points - 1) * *step;
  std::vector<PrometheusSeries> series(static_cast<size_t>(f.series));
  for (int i = 0; i < f.series; ++i) {
    std::vector<std::pair<std::string, std::string>> l = labels;
    l.emplace_back("series", std::to_string(i));
    series[size_t(i)].key = SeriesKey(f.metric, std::move(l));
    std::mt19937_64 rng(0x5eed + uint64_t(i));
    std::normal_distribution<double> noise(0, f.noise > 0 ? f.noise : 1e-12);
    const double phase = 0.1 * i;
    auto& samples = series[size_t(i)].samples;
    samples.reserve(size_t(f.points));
    for (int p = 0; p < f.points; ++p) {
      const TimestampNs t = first + int64_t(p) * *step;
      const double day = 2 * M_PI * double(t % (24 * kNanosPerHour)) / double(24 * kNanosPerHour);
      double v = f.base + f.amplitude * std::sin(day + phase) + (f.noise > 0 ? noise(rng) : 0);
      for (const Injection& in : injections) {
        if (in.series == i && p >= in.start && p < in.start + in.points) v += in.add;
      }
      samples.push_back({t, v});
    }
  }
  HttplibClient http;
  RemoteWriteOptions wo;
  wo.url = f.url;
  wo.max_samples_per_request = size_t(f.batch);
  RemoteWriteClient writer(http, wo);
  auto written = writer.Write(series);
  if (!written.ok()) {
    fmt::print(stderr, "inferscope testdata-write: {}\n", written.status().message());
    return 1;
  }
  fmt::print("{} {} {}\n", FormatIso8601(first), FormatIso8601(last), written->samples_sent);
  return 0;
}

}  // namespace inferscope
