#ifndef INFERSCOPE_API_SERVE_APP_H_
#define INFERSCOPE_API_SERVE_APP_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "api/serve_config.h"
#include "core/clock.h"
#include "core/result.h"

namespace inferscope {

class AlertDispatcher;
class AnomalyApi;
class EmbeddedStore;
class HttpServer;
class HttplibClient;
class IngestApi;
class LiveDetection;
class MetadataStore;
class QueryApi;
class ServerMetrics;
class TelemetryMetrics;

// `inferscope serve` assembled: the embedded store and metadata database under data_dir,
// the live detection engine (restored from its checkpoint), the alert dispatcher when
// `alerting:` is configured, and the HTTP server with every endpoint (docs/serve.md).
//
// Lifecycle: Start() opens the store (replaying the WAL — /readyz answers 503 until it is
// done), restores detection, binds and serves; Shutdown() stops accepting, drains in-flight
// requests, judges and checkpoints detection, stops alerting and flushes the store, within
// shutdown_timeout. A maintenance thread ticks detection every second and checkpoints it
// every minute. Thread-safe Shutdown (e.g. from a signal-waiting thread).
class ServeApp {
 public:
  explicit ServeApp(ServeConfig config, const Clock* clock = &SystemClock::Instance());
  ~ServeApp();
  ServeApp(const ServeApp&) = delete;
  ServeApp& operator=(const ServeApp&) = delete;

  Status Start();
  int port() const;
  // Blocks until Shutdown() has been called and finished.
  void Wait();
  Status Shutdown();

 private:
  void MaintenanceLoop();
  Status OpenAlerting();

  ServeConfig config_;
  const Clock* clock_;
  std::unique_ptr<ServerMetrics> server_metrics_;
  std::unique_ptr<TelemetryMetrics> telemetry_;
  std::unique_ptr<EmbeddedStore> store_;
  std::unique_ptr<MetadataStore> metadata_;
  std::unique_ptr<LiveDetection> live_;
  std::unique_ptr<HttplibClient> http_client_;
  std::unique_ptr<AlertDispatcher> alerts_;
  std::unique_ptr<IngestApi> ingest_api_;
  std::unique_ptr<QueryApi> query_api_;
  std::unique_ptr<AnomalyApi> anomaly_api_;
  std::unique_ptr<HttpServer> http_;
  std::atomic<bool> ready_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread maintenance_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_API_SERVE_APP_H_
