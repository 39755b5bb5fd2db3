#ifndef INFERSCOPE_INGEST_PROMETHEUS_PROMETHEUS_RESPONSE_PARSER_H_
#define INFERSCOPE_INGEST_PROMETHEUS_PROMETHEUS_RESPONSE_PARSER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/series_key.h"

namespace inferscope {

enum class PrometheusResultType { kMatrix, kVector, kScalar, kString };

// "matrix", "vector", "scalar", "string".
std::string_view PrometheusResultTypeName(PrometheusResultType type);

// One series of an answer. The key's metric is the `__name__` label ("" when the expression
// dropped it, e.g. rate(...)); every other label is in key.labels(). Samples are in the
// server's order (ascending time), timestamps in ns, rounded to the millisecond the server
// computed them at.
struct PrometheusSeries {
  SeriesKey key;
  std::vector<Sample> samples;
};

// A successful answer of /api/v1/query or /api/v1/query_range.
//   matrix: one entry per series, all its points;
//   vector: one entry per series, one sample each;
//   scalar: one entry with an empty key and one sample;
//   string: no series; the value is in `string_value` (timestamp in string_timestamp_ns).
struct PrometheusQueryResult {
  PrometheusResultType type = PrometheusResultType::kMatrix;
  std::vector<PrometheusSeries> series;
  std::string string_value;
  TimestampNs string_timestamp_ns = 0;
  // The answer's "warnings" (e.g. a partial response), passed on verbatim.
  std::vector<std::string> warnings;
};

// Parses the JSON body of a Prometheus HTTP API query answer
// (https://prometheus.io/docs/prometheus/latest/querying/api/), as Prometheus and
// VictoriaMetrics send it. Transport-free: it sees bytes, never a socket or an HTTP status.
//
// Values are [unix_seconds, "value"] pairs: the time a JSON number (fractional seconds, or
// an integer as VictoriaMetrics writes it), the value a string in Go's float syntax,
// including "NaN", "+Inf" and "-Inf" (NaN and infinities are kept as such).
//
// Errors:
//   - {"status":"error","errorType":T,"error":M}: the server refused the query. The Status
//     carries "T: M" and a code by type: bad_data and execution → InvalidArgument,
//     not_found → NotFound, timeout, canceled, unavailable, internal and unknown types →
//     Unavailable. VictoriaMetrics writes the HTTP status as the type ("422"): 404 →
//     NotFound, other 4xx but 429 → InvalidArgument, the rest → Unavailable.
//   - anything that is not a well-formed answer (invalid JSON, a missing or wrong-typed
//     field, a value that is not a number, a timestamp out of range, a duplicated label):
//     DataLoss naming the field path (e.g. data.result[2].values[7][1]) and, where known,
//     the byte offset. One malformed point rejects the whole answer: a query result with a
//     hole would be silently wrong.
// Unknown fields are ignored. Native-histogram points ("histogram"/"histograms") are skipped
// with a warning added to `warnings`.
//
// Not thread-safe: one parser per thread. Reuses its buffers across calls.
class PrometheusResponseParser {
 public:
  PrometheusResponseParser();
  ~PrometheusResponseParser();
  PrometheusResponseParser(const PrometheusResponseParser&) = delete;
  PrometheusResponseParser& operator=(const PrometheusResponseParser&) = delete;

  Result<PrometheusQueryResult> Parse(std::string_view body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses a sample value as Prometheus writes it: a decimal or exponent float, "NaN",
// "+Inf", "-Inf" (also "Inf" and the lower-case spellings Go's ParseFloat accepts).
// false for anything else, including out-of-range numbers like "1e999".
bool ParsePrometheusValue(std::string_view text, double* value);

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_PROMETHEUS_PROMETHEUS_RESPONSE_PARSER_H_
