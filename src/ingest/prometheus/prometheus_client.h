#ifndef INFERSCOPE_INGEST_PROMETHEUS_PROMETHEUS_CLIENT_H_
#define INFERSCOPE_INGEST_PROMETHEUS_PROMETHEUS_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/http_client.h"
#include "core/result.h"
#include "ingest/prometheus/prometheus_response_parser.h"
#include "ingest/prometheus/retry_policy.h"

namespace inferscope {

// How a query travels. kAuto uses GET unless the URL would be longer than
// PrometheusClientOptions::max_get_url_bytes, then POST with a form-encoded body (both
// Prometheus and VictoriaMetrics accept either on /api/v1/query and /api/v1/query_range).
enum class PrometheusHttpMethod { kAuto, kGet, kPost };

struct PrometheusClientOptions {
  // Where the API lives: "http://host:9090", or with a path prefix ("https://host/prom"),
  // to which "/api/v1/query" etc. are appended. TLS and auth (CA file, bearer token, basic
  // auth) are the HttpClient's options (HttpClientOptions), set when it is built.
  std::string base_url;
  // The server-side evaluation limit, sent as the `timeout` parameter (seconds). Each HTTP
  // attempt waits this long plus http_grace before giving up on the connection, so the
  // server's own timeout error arrives first.
  std::chrono::milliseconds timeout{30'000};
  std::chrono::milliseconds http_grace{5'000};
  PrometheusHttpMethod method = PrometheusHttpMethod::kAuto;
  size_t max_get_url_bytes = 4'096;
  // query_range requests are cut so that no request asks for more points per series than
  // this (Prometheus refuses more than 11,000; see query_range_splitter.h).
  int64_t max_points_per_request = 11'000;
  RetryPolicy retry;
  // Added to every request (e.g. {"X-Scope-OrgID", "tenant"} for Mimir/Cortex).
  std::vector<std::pair<std::string, std::string>> headers;
};

// Counters of one call, for logs and benchmarks.
struct PrometheusQueryStats {
  int requests = 0;  // HTTP requests sent, retries included
  int retries = 0;
  int pieces = 0;  // query_range pieces (1 when no split was needed)
  int64_t response_bytes = 0;
  int64_t http_ns = 0;   // time in HttpClient::Send (Clock::MonotonicNs)
  int64_t parse_ns = 0;  // time in the response parser
};

struct PrometheusQueryResponse {
  PrometheusQueryResult result;
  PrometheusQueryStats stats;
};

// A client of the Prometheus HTTP query API (/api/v1/query, /api/v1/query_range), which
// Prometheus, VictoriaMetrics, Thanos and Mimir all serve.
//
// Retries: a transport failure (refused, reset, timeout), HTTP 429 and 5xx (except 501/505)
// are retried with RetryPolicy's backoff, at most retry.max_attempts requests per HTTP
// exchange; waits go through the injected SleepFunction and the budget is measured on the
// injected Clock. Other answers are final: 400 bad_data (invalid PromQL), 422 execution
// errors, 401/403, malformed bodies.
//
// Errors: the server's error envelope → InvalidArgument/NotFound/Unavailable with
// "errorType: error" (see PrometheusResponseParser); a server unreachable after the retries
// → Unavailable "cannot reach <url>: <cause> (N attempts)"; a non-JSON error page (a proxy's
// 502) → Unavailable with the status and the start of the body; a malformed 2xx body →
// DataLoss naming the field.
//
// Thread-safe when the HttpClient is (each call uses its own parser). The HttpClient, Clock
// and SleepFunction must outlive the client.
class PrometheusClient {
 public:
  PrometheusClient(HttpClient& http, PrometheusClientOptions options,
                   const Clock& clock = SystemClock::Instance(), SleepFunction sleep = SleepThread);

  // An instant query at `time` (ns since the epoch; Prometheus resolves milliseconds).
  // Any result type (vector, scalar, string, matrix for range selectors) is returned.
  Result<PrometheusQueryResponse> Query(std::string_view expr, TimestampNs time) const;

  // A range query evaluated at start, start + step, ..., <= end. start, end and step are
  // taken at millisecond resolution (InvalidArgument for a step under 1 ms or not a whole
  // number of ms, or end < start). Ranges with more than max_points_per_request points per
  // series are split into consecutive requests on the same grid and stitched back: each
  // series appears once, samples ascending, no timestamp twice. The result is always a
  // matrix, series sorted by key; warnings of all pieces are kept.
  Result<PrometheusQueryResponse> QueryRange(std::string_view expr, TimestampNs start,
                                             TimestampNs end, int64_t step_ns) const;

  const PrometheusClientOptions& options() const { return options_; }

 private:
  // Sends one API call (with retries) and parses the answer into `out`.
  Status Call(std::string_view endpoint,
              const std::vector<std::pair<std::string, std::string>>& params,
              PrometheusResponseParser& parser, PrometheusQueryResult* out,
              PrometheusQueryStats* stats) const;

  HttpClient& http_;
  PrometheusClientOptions options_;
  const Clock& clock_;
  SleepFunction sleep_;
};

// Form/URL encoding of one query parameter value (RFC 3986 unreserved characters kept,
// everything else %XX). Exposed for tests.
std::string PercentEncode(std::string_view text);

// A timestamp as the API takes it: decimal unix seconds with millisecond precision
// ("1795470129.5", "1795470129"). Exposed for tests.
std::string FormatPrometheusSeconds(TimestampNs t);

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_PROMETHEUS_PROMETHEUS_CLIENT_H_
