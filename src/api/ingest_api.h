#ifndef INFERSCOPE_API_INGEST_API_H_
#define INFERSCOPE_API_INGEST_API_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "api/http_server.h"
#include "api/server_metrics.h"
#include "core/event.h"
#include "store/event_store.h"

namespace inferscope {

struct IngestApiOptions {
  // Largest body after gzip decoding (the HTTP limit applies to the bytes on the wire).
  uint64_t max_decoded_bytes = 64ull << 20;
  // Bodies being processed at once, in bytes; above it new requests get 503 with
  // Retry-After, so a burst cannot exhaust memory.
  uint64_t max_inflight_bytes = 512ull << 20;
  // Line rejects listed in a /v1/events answer (all are counted).
  size_t max_reported_rejects = 20;
};

// The ingest endpoints (docs/serve.md):
//   POST /v1/events  JSON lines (the `analyze` log format), optionally gzip
//   POST /v1/traces  OTLP/HTTP traces, JSON or protobuf, optionally gzip (docs/otlp.md)
// A request's accepted records are stored as one durable write before the answer: a 2xx
// means they survive a crash. Then they are handed to every observer (telemetry for
// /metrics, live detection), in the request's order. Thread-safe; `store` and `metrics` are
// not owned and must outlive the API.
class IngestApi {
 public:
  using Observer = std::function<void(std::span<const Event>)>;

  IngestApi(EventStore* store, ServerMetrics* metrics, IngestApiOptions options = {})
      : store_(store), metrics_(metrics), options_(options) {}

  // Called after each durable write, on the request's thread; must be thread-safe.
  void AddObserver(Observer observer) { observers_.push_back(std::move(observer)); }
  void Register(HttpServer& server);

  void PostEvents(const ApiRequest& request, ApiResponse& response);
  void PostTraces(const ApiRequest& request, ApiResponse& response);

 private:
  // Reserves `bytes` of the in-flight budget; false (and nothing reserved) when exhausted.
  bool Reserve(uint64_t bytes);
  void Release(uint64_t bytes) { inflight_bytes_ -= bytes; }
  Status Store(std::span<const Event> events);

  EventStore* store_;
  ServerMetrics* metrics_;
  IngestApiOptions options_;
  std::vector<Observer> observers_;
  std::atomic<uint64_t> inflight_bytes_{0};
};

}  // namespace inferscope

#endif  // INFERSCOPE_API_INGEST_API_H_
