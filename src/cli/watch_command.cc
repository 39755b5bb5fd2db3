#include "cli/watch_command.h"

#include <fmt/format.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "alert/alert_dispatcher.h"
#include "alert/alerting_config.h"
#include "cli/output_file.h"
#include "cli/watch_config.h"
#include "core/json_writer.h"
#include "core/time_format.h"
#include "detect/series_engine.h"
#include "ingest/httplib_client.h"
#include "ingest/prometheus/anomaly_output_series.h"
#include "ingest/prometheus/prometheus_client.h"
#include "ingest/prometheus/remote_write_client.h"
#include "insight/anomaly_json.h"
#include "insight/series_anomaly_explainer.h"
#include "insight/series_detection.h"
#include "insight/series_incident_report.h"

namespace inferscope {
namespace {

void Log(std::string_view line) { fmt::print(stderr, "inferscope watch: {}\n", line); }

int Fail(int code, std::string_view message) {
  Log(message);
  return code;
}

Result<std::string> ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Written to a temporary file and renamed, so a crash never leaves half a checkpoint.
Status SaveCheckpointFile(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  INFERSCOPE_RETURN_IF_ERROR(WriteOutput(tmp, bytes));
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec)
    return Status::IoError(fmt::format("cannot rename {} to {}: {}", tmp, path, ec.message()));
  return Status::Ok();
}

// Adds a query's extra labels to a series (its own labels win).
SeriesKey WithLabels(const SeriesKey& key,
                     const std::vector<std::pair<std::string, std::string>>& extra) {
  if (extra.empty()) return key;
  std::vector<std::pair<std::string, std::string>> labels = key.labels();
  for (const auto& [name, value] : extra) {
    if (key.Label(name).empty()) labels.emplace_back(name, value);
  }
  return SeriesKey(key.metric(), std::move(labels));
}

class Watcher {
 public:
  Watcher(WatchConfig config, HttpClient& http) : config_(std::move(config)), http_(http) {}

  Status Init() {
    std::vector<SeriesSpec> specs;
    for (const WatchQuery& q : config_.queries) {
      INFERSCOPE_ASSIGN_OR_RETURN(SeriesSpec spec, MakeSeriesSpec(q.detect, q.expr));
      specs.push_back(std::move(spec));
    }
    AnomalyTracker::Options tracker;
    tracker.pending_for_ns = config_.pending_for_ns;
    INFERSCOPE_ASSIGN_OR_RETURN(engine_, SeriesEngine::Create(specs, tracker));
    if (!config_.checkpoint.empty() && std::filesystem::exists(config_.checkpoint)) {
      auto bytes = ReadBytes(config_.checkpoint);
      Status st = bytes.ok() ? engine_->LoadCheckpoint(*bytes) : bytes.status();
      if (st.ok()) {
        Log(fmt::format("restored baselines of {} series from {}", engine_->series_count(),
                        config_.checkpoint));
      } else {
        // A checkpoint of other queries must not stop monitoring: start learning afresh.
        Log(fmt::format("ignoring checkpoint {}: {}", config_.checkpoint, st.message()));
      }
    }
    PrometheusClientOptions po;
    po.base_url = config_.prometheus_url;
    po.timeout = std::chrono::milliseconds(config_.timeout_ns / kNanosPerMilli);
    client_ = std::make_unique<PrometheusClient>(http_, po);
    if (!config_.remote_write_url.empty()) {
      RemoteWriteOptions wo;
      wo.url = config_.remote_write_url;
      writer_ = std::make_unique<RemoteWriteClient>(http_, wo);
    }
    if (!config_.alerting_yaml.empty()) {
      const std::string outbox_default = config_.checkpoint.empty()
                                             ? std::string("inferscope-alert-outbox.db")
                                             : config_.checkpoint + ".alert-outbox.db";
      INFERSCOPE_ASSIGN_OR_RETURN(
          AlertingConfig alerting,
          ParseAlertingConfig(config_.alerting_yaml, config_.source, outbox_default));
      INFERSCOPE_ASSIGN_OR_RETURN(auto sinks, MakeAlertSinks(alerting.sinks));
      INFERSCOPE_ASSIGN_OR_RETURN(auto outbox,
                                  AlertOutbox::Open(alerting.outbox_path, alerting.outbox));
      INFERSCOPE_ASSIGN_OR_RETURN(
          alerts_, AlertDispatcher::Create(std::move(sinks), std::move(outbox), &http_,
                                           &SystemClock::Instance(), alerting.dispatcher));
    }
    return Status::Ok();
  }

  void StartAlerts() {
    if (alerts_) alerts_->Start();
  }
  void StopAlerts() {
    if (alerts_) alerts_->Stop();
  }
  AlertDispatcher* alerts() { return alerts_.get(); }

  // One round over every query. Query failures are logged and that query is retried from
  // the same point next round; they do not stop the others.
  Status Poll(bool* all_ok) {
    *all_ok = true;
    const TimestampNs now = SystemClock::Instance().Now();
    const int64_t step = config_.step_ns;
    const TimestampNs end = (now - config_.delay_ns) / step * step;
    for (size_t i = 0; i < config_.queries.size(); ++i) {
      const WatchQuery& q = config_.queries[i];
      auto cursor = cursors_.find(q.name);
      TimestampNs start = cursor != cursors_.end() ? cursor->second + step
                                                   : (end - config_.lookback_ns) / step * step;
      if (start > end) continue;
      auto answer = client_->QueryRange(q.expr, start, end, step);
      if (!answer.ok()) {
        *all_ok = false;
        Log(fmt::format("query {} failed: {}", q.name, answer.status().message()));
        continue;
      }
      for (PrometheusSeries& s : answer->result.series) s.key = WithLabels(s.key, q.labels);
      std::vector<DetectedSeries> detected =
          RunSeriesDetection(*engine_, i, std::move(answer->result.series), q.name);
      size_t points = 0;
      for (const DetectedSeries& d : detected) {
        points += d.samples.size();
        query_of_.try_emplace(d.key, i);
      }
      cursors_[q.name] = end;
      if (writer_ != nullptr) {
        std::vector<PrometheusSeries> out;
        const std::string detector = DetectorLabelFor(engine_->specs()[i]);
        const TimestampNs oldest =
            config_.remote_write_max_age_ns > 0 ? now - config_.remote_write_max_age_ns : 0;
        for (const DetectedSeries& d : detected) {
          std::vector<AnomalyOutputPoint> out_points = ToOutputPoints(d);
          std::erase_if(out_points,
                        [oldest](const AnomalyOutputPoint& p) { return p.timestamp_ns < oldest; });
          if (out_points.empty()) continue;
          for (PrometheusSeries& s : BuildAnomalyOutputSeries(d.key, detector, out_points)) {
            out.push_back(std::move(s));
          }
        }
        auto written = writer_->Write(out);
        if (!written.ok()) {
          *all_ok = false;
          Log(fmt::format("write-back of {} failed: {}", q.name, written.status().message()));
        }
      }
      Log(fmt::format("{}: {} series, {} new points ({} to {})", q.name, detected.size(), points,
                      FormatIso8601(start), FormatIso8601(end)));
    }
    engine_->AdvanceTo(end);
    anomalies_ = engine_->Anomalies();
    SeriesAnomalyExplainer explainer;
    for (Anomaly& a : anomalies_) explainer.Explain(QueryOf(a).expr, &a);
    if (alerts_ != nullptr) {
      std::vector<LabeledAnomaly> labeled;
      for (const Anomaly& a : anomalies_) {
        AlertLabels labels = a.labels;
        if (std::none_of(labels.begin(), labels.end(),
                         [](const auto& l) { return l.first == "query"; })) {
          labels.emplace_back("query", QueryOf(a).name);
        }
        labeled.push_back({a, std::move(labels)});
      }
      auto submitted = alerts_->Submit(labeled);
      if (!submitted.ok()) {
        Log(fmt::format("alerts not stored: {}", submitted.status().message()));
      } else if (*submitted > 0) {
        Log(fmt::format("{} new alert transitions", *submitted));
      }
    }
    if (!config_.checkpoint.empty()) {
      Status st = SaveCheckpointFile(config_.checkpoint, engine_->SaveCheckpoint());
      if (!st.ok()) Log(fmt::format("checkpoint not saved: {}", st.message()));
    }
    return Status::Ok();
  }

  // The query whose series an anomaly was found on.
  const WatchQuery& QueryOf(const Anomaly& a) const {
    auto it = query_of_.find(SeriesKey(a.metric, a.labels));
    return config_.queries[it != query_of_.end() ? it->second : 0];
  }

  const std::vector<Anomaly>& anomalies() const { return anomalies_; }
  size_t series_count() const { return engine_->series_count(); }

 private:
  WatchConfig config_;
  HttpClient& http_;
  std::unique_ptr<SeriesEngine> engine_;
  std::unique_ptr<PrometheusClient> client_;
  std::unique_ptr<RemoteWriteClient> writer_;
  std::unique_ptr<AlertDispatcher> alerts_;
  std::map<std::string, TimestampNs> cursors_;  // query name -> last evaluated time
  std::vector<Anomaly> anomalies_;
  std::map<SeriesKey, size_t> query_of_;  // series -> index of the query that returned it
};

}  // namespace

CLI::App* AddWatchCommand(CLI::App& app, WatchFlags& f) {
  CLI::App* cmd = app.add_subcommand(
      "watch",
      "Poll PromQL queries continuously, detect anomalies, write scores back through "
      "remote_write and send alerts (docs/watch.md)");
  cmd->add_option("--config", f.config, "Watch configuration (YAML)")->required();
  cmd->add_flag("--once", f.once, "Poll once, deliver alerts, print the anomalies and exit");
  cmd->add_option("--format", f.format, "With --once: table (default) or json");
  return cmd;
}

int RunWatch(const WatchFlags& f) {
  if (!f.format.empty() && f.format != "table" && f.format != "json") {
    return Fail(2, fmt::format("invalid --format '{}': expected table or json", f.format));
  }
  auto config = LoadWatchConfig(f.config);
  if (!config.ok()) return Fail(ExitCodeFor(config.status()), config.status().message());
  auto http_options = MakeHttpClientOptions(config->access);
  if (!http_options.ok()) return Fail(2, http_options.status().message());
  HttplibClient http(*http_options);
  const int64_t poll_interval = config->poll_interval_ns;
  const size_t queries = config->queries.size();
  Watcher watcher(std::move(config).value(), http);
  Status st = watcher.Init();
  if (!st.ok()) return Fail(ExitCodeFor(st), st.message());

  if (f.once) {
    bool all_ok = true;
    st = watcher.Poll(&all_ok);
    if (!st.ok()) return Fail(1, st.message());
    if (watcher.alerts() != nullptr) {
      AlertDispatcher::PumpStats stats = watcher.alerts()->Pump(SystemClock::Instance().Now());
      Log(fmt::format("alerts: {} delivered, {} to retry, {} dropped", stats.delivered,
                      stats.retried, stats.dropped));
      if (stats.retried > 0 || stats.dropped > 0) all_ok = false;
    }
    std::string out;
    if (f.format == "json") {
      JsonWriter w(&out, 2);
      w.BeginObject().Key("series").Uint(watcher.series_count()).Key("anomalies").BeginArray();
      for (const Anomaly& a : watcher.anomalies()) WriteAnomalyJson(w, a, a.labels);
      w.EndArray().EndObject();
      out.push_back('\n');
    } else {
      out = RenderSeriesAnomalyTable(watcher.anomalies(), watcher.series_count(), false);
    }
    st = WriteOutput("", out);
    if (!st.ok()) return Fail(1, st.message());
    return all_ok ? 0 : 1;
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  watcher.StartAlerts();
  Log(fmt::format("watching {} queries every {}", queries, FormatDurationHuman(poll_interval)));
  for (;;) {
    const int64_t started = SystemClock::Instance().MonotonicNs();
    bool all_ok = true;
    st = watcher.Poll(&all_ok);
    if (!st.ok()) Log(st.message());
    const int64_t wait = std::max<int64_t>(
        poll_interval - (SystemClock::Instance().MonotonicNs() - started), kNanosPerMilli);
    struct timespec ts {
      static_cast<time_t>(wait / 1'000'000'000), static_cast<long>(wait % 1'000'000'000)
    };
    const int received = sigtimedwait(&signals, nullptr, &ts);
    if (received == SIGTERM || received == SIGINT) {
      Log(fmt::format("{} received; stopping", received == SIGTERM ? "SIGTERM" : "SIGINT"));
      break;
    }
  }
  watcher.StopAlerts();
  return 0;
}

}  // namespace inferscope
