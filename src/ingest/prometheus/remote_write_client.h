#ifndef INFERSCOPE_INGEST_PROMETHEUS_REMOTE_WRITE_CLIENT_H_
#define INFERSCOPE_INGEST_PROMETHEUS_REMOTE_WRITE_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/http_client.h"
#include "core/result.h"
#include "ingest/prometheus/prometheus_response_parser.h"
#include "ingest/prometheus/retry_policy.h"

namespace inferscope {

struct RemoteWriteOptions {
  // The receiver's endpoint: Prometheus (started with --web.enable-remote-write-receiver)
  // and VictoriaMetrics both take "http://host:port/api/v1/write". TLS and auth are the
  // HttpClient's options.
  std::string url;
  std::chrono::milliseconds timeout{30'000};  // per HTTP attempt
  // Samples per WriteRequest (across all series in it).
  size_t max_samples_per_request = 10'000;
  RetryPolicy retry;
  // Added to every request (e.g. {"X-Scope-OrgID", "tenant"}).
  std::vector<std::pair<std::string, std::string>> headers;
};

struct RemoteWriteStats {
  int requests = 0;  // HTTP requests sent, retries included
  int retries = 0;
  int64_t series = 0;
  int64_t samples_sent = 0;
  // Samples later than the clock's now, never sent (see Write).
  int64_t samples_skipped_future = 0;
  int64_t bytes_sent = 0;  // compressed bodies, retries included
};

// Writes series to a Prometheus remote_write receiver (remote write spec 1.0: a protobuf
// WriteRequest, snappy block-compressed, POSTed with Content-Encoding: snappy,
// Content-Type: application/x-protobuf and X-Prometheus-Remote-Write-Version: 0.1.0).
//
// Write() contract:
//   - Each series' labels are sent sorted by name with `__name__` (the key's metric)
//     included; labels with empty values are dropped (Prometheus treats them as absent).
//     InvalidArgument, before anything is sent, for a label or metric name outside
//     Prometheus' character set or samples not strictly ascending in time.
//   - Samples with timestamps later than clock.Now() are never sent; they are counted in
//     samples_skipped_future. A future sample moves Prometheus' head block forward and makes
//     later writes of older (real) samples fail as out of bounds, so forecasts must not be
//     written as samples.
//   - Samples of all series are merged in time order and cut into requests of at most
//     max_samples_per_request, oldest first, so a long backfill advances the receiver's
//     head window the way a live scrape would.
//   - 2xx is success. 4xx other than 429 is final: InvalidArgument (NotFound for 404) with
//     the server's message, e.g. "out of order sample" when samples at or before the
//     series' newest stored timestamp are re-sent. 429, 5xx and transport failures are
//     retried per RetryPolicy, then Unavailable. A retried request the server had in fact
//     stored may then be refused as out of order; the message says which request failed.
//     Requests before a failing one stay written.
// Thread-safe when the HttpClient is. HttpClient, Clock and SleepFunction must outlive it.
class RemoteWriteClient {
 public:
  RemoteWriteClient(HttpClient& http, RemoteWriteOptions options,
                    const Clock& clock = SystemClock::Instance(),
                    SleepFunction sleep = SleepThread);

  Result<RemoteWriteStats> Write(const std::vector<PrometheusSeries>& series) const;

  const RemoteWriteOptions& options() const { return options_; }

 private:
  Status Send(const std::string& body, RemoteWriteStats* stats) const;

  HttpClient& http_;
  RemoteWriteOptions options_;
  const Clock& clock_;
  SleepFunction sleep_;
};

// Prometheus' label name rule: [a-zA-Z_][a-zA-Z0-9_]*.
bool IsValidPrometheusLabelName(std::string_view name);
// Prometheus' metric name rule: [a-zA-Z_:][a-zA-Z0-9_:]*.
bool IsValidPrometheusMetricName(std::string_view name);

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_PROMETHEUS_REMOTE_WRITE_CLIENT_H_
