// Fuzzes PrometheusResponseParser: no crash, leak or sanitizer report on any body; a reused
// parser gives the same answer twice; every error is DataLoss (malformed) or one of the
// envelope codes with a message; a success holds the result-type invariants, millisecond
// timestamps and, cross-checked with simdjson's DOM parser where that accepts the body, as
// many series as the JSON's data.result has entries.

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/prometheus/prometheus_response_parser.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool SameSamples(const std::vector<inferscope::Sample>& a,
                 const std::vector<inferscope::Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].timestamp_ns != b[i].timestamp_ns) return false;
    // NaN != NaN: compare bit-for-bit via "both NaN or equal".
    if (!(a[i].value == b[i].value || (a[i].value != a[i].value && b[i].value != b[i].value))) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using inferscope::PrometheusResultType;
  using inferscope::StatusCode;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  static inferscope::PrometheusResponseParser parser;
  auto a = parser.Parse(body);
  auto b = parser.Parse(body);
  Check(a.ok() == b.ok());
  if (!a.ok()) {
    Check(a.status().code() == b.status().code());
    Check(a.status().message() == b.status().message());
    Check(!a.status().message().empty());
    StatusCode code = a.status().code();
    Check(code == StatusCode::kDataLoss || code == StatusCode::kInvalidArgument ||
          code == StatusCode::kNotFound || code == StatusCode::kUnavailable);
    return 0;
  }
  Check(a->type == b->type);
  Check(a->series.size() == b->series.size());
  Check(a->warnings == b->warnings);
  for (size_t i = 0; i < a->series.size(); ++i) {
    Check(a->series[i].key == b->series[i].key);
    Check(SameSamples(a->series[i].samples, b->series[i].samples));
    for (const auto& sample : a->series[i].samples) {
      Check(sample.timestamp_ns % inferscope::kNanosPerMilli == 0);
    }
  }
  switch (a->type) {
    case PrometheusResultType::kVector:
      for (const auto& s : a->series) Check(s.samples.size() <= 1);
      break;
    case PrometheusResultType::kScalar:
      Check(a->series.size() == 1 && a->series[0].samples.size() == 1);
      break;
    case PrometheusResultType::kString:
      Check(a->series.empty());
      break;
    case PrometheusResultType::kMatrix:
      break;
  }
  // Independent cross-check where the DOM parser (full validation) accepts the body.
  if (a->type == PrometheusResultType::kMatrix || a->type == PrometheusResultType::kVector) {
    static simdjson::dom::parser dom;
    simdjson::padded_string padded(body);
    simdjson::dom::element root;
    if (dom.parse(padded).get(root) == simdjson::SUCCESS) {
      simdjson::dom::array result;
      if (root["data"]["result"].get_array().get(result) == simdjson::SUCCESS) {
        Check(result.size() == a->series.size());
      }
    }
  }
  return 0;
}
