#include "api/serve_app.h"

#include <sys/stat.h>

#include <cstdio>

#include "alert/alert_dispatcher.h"
#include "alert/alerting_config.h"
#include "api/anomaly_api.h"
#include "api/http_server.h"
#include "api/ingest_api.h"
#include "api/live_detection.h"
#include "api/query_api.h"
#include "api/server_metrics.h"
#include "api/telemetry_metrics.h"
#include "detect/detector_config.h"
#include "ingest/httplib_client.h"
#include "store/embedded_store.h"
#include "store/fsync_policy.h"
#include "store/metadata_store.h"

namespace inferscope {

ServeApp::ServeApp(ServeConfig config, const Clock* clock)
    : config_(std::move(config)), clock_(clock) {}

ServeApp::~ServeApp() { (void)Shutdown(); }

int ServeApp::port() const { return http_ ? http_->port() : 0; }

Status ServeApp::Start() {
  server_metrics_ = std::make_unique<ServerMetrics>(config_.metrics_prefix);
  TelemetryMetricsOptions telemetry_options;
  telemetry_options.prefix = config_.metrics_prefix;
  telemetry_ = std::make_unique<TelemetryMetrics>(telemetry_options);

  // Detection first: a bad detector config must fail before anything is opened.
  DetectorConfig detectors{DefaultMetricSpecs(), {}};
  if (!config_.detector_config.empty()) {
    INFERSCOPE_ASSIGN_OR_RETURN(detectors, LoadDetectorConfig(config_.detector_config));
  }
  INFERSCOPE_ASSIGN_OR_RETURN(auto engine,
                              DetectionEngine::Create(detectors.specs, detectors.tracker));

  ::mkdir(config_.data_dir.c_str(), 0755);
  EmbeddedStoreOptions store_options;
  store_options.data_dir = config_.data_dir;
  INFERSCOPE_ASSIGN_OR_RETURN(store_options.wal.fsync, ParseFsyncPolicy(config_.fsync));
  store_options.retention_age_ns = config_.retention_age_ns;
  store_options.retention_bytes = config_.retention_bytes;
  store_options.max_unflushed_bytes = config_.max_unflushed_bytes;
  store_options.stall_timeout_ns = config_.stall_timeout_ns;
  store_options.max_users_per_model_hour = config_.max_users_per_model_hour;
  store_options.user_cache_bytes = config_.user_cache_bytes;
  store_options.background = true;
  store_options.clock = clock_;
  INFERSCOPE_ASSIGN_OR_RETURN(store_, EmbeddedStore::Open(store_options));
  const StoreRecovery& recovery = store_->recovery();
  std::fprintf(stderr,
               "inferscope serve: store opened: %zu segments, %zu WAL records replayed, %llu torn "
               "bytes dropped, %zu unfinished segment files removed\n",
               recovery.segments, recovery.wal.records_replayed,
               static_cast<unsigned long long>(recovery.wal.dropped_bytes),
               recovery.orphan_files_removed);
  for (const std::string& problem : recovery.wal.problems) {
    std::fprintf(stderr, "inferscope serve: WAL recovery: %s\n", problem.c_str());
  }
  INFERSCOPE_ASSIGN_OR_RETURN(metadata_, MetadataStore::Open(config_.data_dir + "/metadata.db"));

  LiveDetectionOptions live_options;
  live_options.bucket_ns = config_.bucket_ns;
  live_ = std::make_unique<LiveDetection>(std::move(engine), store_.get(), metadata_.get(), clock_,
                                          live_options);
  Status restored = live_->Restore();
  if (!restored.ok()) {
    // A checkpoint from another version or config: start learning afresh rather than refuse
    // to serve.
    std::fprintf(stderr, "inferscope serve: detection checkpoint not restored (%s); relearning\n",
                 restored.ToString().c_str());
  }
  INFERSCOPE_RETURN_IF_ERROR(OpenAlerting());

  ingest_api_ = std::make_unique<IngestApi>(store_.get(), server_metrics_.get());
  ingest_api_->AddObserver([this](std::span<const Event> events) {
    for (const Event& e : events) telemetry_->Record(e);
  });
  ingest_api_->AddObserver([this](std::span<const Event> events) { live_->OnEvents(events); });
  query_api_ = std::make_unique<QueryApi>(store_.get(), clock_);
  anomaly_api_ = std::make_unique<AnomalyApi>(metadata_.get(), clock_);

  HttpServerOptions http_options;
  http_options.host = config_.host();
  http_options.port = config_.port();
  http_options.tls_cert_file = config_.tls_cert_file;
  http_options.tls_key_file = config_.tls_key_file;
  http_options.max_body_bytes = config_.max_body_bytes;
  http_options.worker_threads = config_.worker_threads;
  http_options.ingest_token = config_.ingest_token;
  http_options.api_token = config_.api_token;
  http_ = std::make_unique<HttpServer>(http_options, server_metrics_.get());
  ingest_api_->Register(*http_);
  query_api_->Register(*http_);
  anomaly_api_->Register(*http_);
  http_->Route("GET", "/healthz", AuthScope::kPublic, "healthz",
               [](const ApiRequest&, ApiResponse& res) { res.Json(200, "{\"status\":\"ok\"}"); });
  http_->Route("GET", "/readyz", AuthScope::kPublic, "readyz",
               [this](const ApiRequest&, ApiResponse& res) {
                 if (ready_) {
                   res.Json(200, "{\"status\":\"ready\"}");
                 } else {
                   res.Error(503, "unavailable", "starting: replaying the write-ahead log");
                 }
               });
  http_->Route(
      "GET", "/api/v1/config", AuthScope::kApi, "config",
      [this](const ApiRequest&, ApiResponse& res) { res.Json(200, config_.ToRedactedJson()); });
  http_->Route("GET", "/metrics", AuthScope::kApi, "metrics",
               [this](const ApiRequest&, ApiResponse& res) {
                 telemetry_->SetFiringAnomalies(live_->FiringCounts());
                 std::string out;
                 telemetry_->Render(&out);
                 server_metrics_->Render(&out);
                 res.status = 200;
                 res.content_type = "text/plain; version=0.0.4; charset=utf-8";
                 res.body = std::move(out);
               });
  EmbeddedStore* store = store_.get();
  server_metrics_->AddGauge("wal_bytes", "Bytes in write-ahead log files not yet in segments.",
                            [store] { return static_cast<double>(store->stats().wal_bytes); });
  server_metrics_->AddGauge(
      "memtable_bytes",
      "Bytes of acknowledged events held in memory until flushed into segments (appends wait "
      "above store.max_unflushed_bytes).",
      [store] { return static_cast<double>(store->stats().memtable_bytes); });
  server_metrics_->AddGauge("segment_bytes", "Bytes of immutable segment files.",
                            [store] { return static_cast<double>(store->stats().segment_bytes); });
  server_metrics_->AddGauge("segments", "Immutable segment files.",
                            [store] { return static_cast<double>(store->stats().segments); });
  server_metrics_->AddGauge(
      "user_cache_bytes",
      "Memory of the per-user rollup hours held for queries (bounded by store.user_cache_bytes, "
      "plus their names).",
      [store] { return static_cast<double>(store->stats().user_cache_bytes); });
  LiveDetection* live = live_.get();
  server_metrics_->AddGauge("late_events", "Events stored but too late to be judged live.",
                            [live] { return static_cast<double>(live->late_events()); });
  INFERSCOPE_RETURN_IF_ERROR(http_->Start());
  // The WAL was replayed by EmbeddedStore::Open before the port was bound.
  ready_ = true;
  maintenance_ = std::thread([this] { MaintenanceLoop(); });
  return Status::Ok();
}

Status ServeApp::OpenAlerting() {
  if (config_.alerting_yaml.empty()) return Status::Ok();
  INFERSCOPE_ASSIGN_OR_RETURN(
      AlertingConfig alerting,
      ParseAlertingConfig(config_.alerting_yaml, "config", config_.data_dir + "/alert-outbox.db"));
  INFERSCOPE_ASSIGN_OR_RETURN(auto sinks, MakeAlertSinks(alerting.sinks));
  INFERSCOPE_ASSIGN_OR_RETURN(auto outbox,
                              AlertOutbox::Open(alerting.outbox_path, alerting.outbox));
  http_client_ = std::make_unique<HttplibClient>();
  INFERSCOPE_ASSIGN_OR_RETURN(
      alerts_, AlertDispatcher::Create(std::move(sinks), std::move(outbox), http_client_.get(),
                                       clock_, alerting.dispatcher));
  alerts_->Start();
  return Status::Ok();
}

void ServeApp::MaintenanceLoop() {
  int64_t last_checkpoint = clock_->MonotonicNs();
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::seconds(1));
    if (stopping_) break;
    lock.unlock();
    std::vector<Anomaly> changed = live_->Tick(clock_->Now());
    if (alerts_ != nullptr && !changed.empty()) (void)alerts_->Submit(live_->Anomalies());
    if (clock_->MonotonicNs() - last_checkpoint > kNanosPerMinute) {
      (void)live_->Checkpoint();
      last_checkpoint = clock_->MonotonicNs();
    }
    lock.lock();
  }
}

void ServeApp::Wait() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return stopped_; });
}

Status ServeApp::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Ok();
    stopping_ = true;
  }
  cv_.notify_all();
  Status result;
  ready_ = false;
  // Stop accepting and drain: every acknowledged request has its write in the WAL.
  if (http_) http_->Stop();
  if (maintenance_.joinable()) maintenance_.join();
  if (live_) {
    live_->Tick(clock_->Now());
    Status st = live_->Checkpoint();
    if (!st.ok()) result = st;
  }
  if (alerts_) alerts_->Stop();
  if (store_) {
    Status st = store_->Flush();
    if (!st.ok() && result.ok()) result = st;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  return result;
}

}  // namespace inferscope
