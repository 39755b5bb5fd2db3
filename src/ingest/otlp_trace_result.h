#ifndef INFERSCOPE_INGEST_OTLP_TRACE_RESULT_H_
#define INFERSCOPE_INGEST_OTLP_TRACE_RESULT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace inferscope {

// Size limits the OTLP trace parsers enforce on untrusted bodies (docs/otlp.md).
struct OtlpLimits {
  // Largest body accepted, in bytes, after any gzip decoding. Larger: the whole body is
  // refused (kResourceExhausted, HTTP 413). Protobuf bodies expand in memory up to ~30x
  // (a 2-byte empty value becomes a C++ object; docs/otlp.md), so keep this well below
  // available RAM / 30 / concurrent requests.
  size_t max_body_bytes = 16u << 20;
  // Largest attribute key, and largest attribute value as canonical JSON text, in bytes.
  // A span (or resource) carrying a larger one is rejected.
  size_t max_attribute_bytes = 64u << 10;
  // Most attributes on one span (or one resource). More: the span is rejected.
  size_t max_attributes = 1024;
  // Deepest nesting of array/kvlist values inside an attribute value (1 = a flat array).
  int max_value_depth = 16;
  // How many span rejects OtlpTraceResult keeps in full (all are counted).
  size_t keep_rejects = 20;
  // The caller guarantees kOtlpBodyPadding readable bytes after every body it passes (an
  // HTTP server reading bodies into padded buffers): JSON is then parsed in place instead
  // of being copied into a padded buffer first.
  bool body_padded = false;
};

// Readable bytes a padded body must have after its end (simdjson's SIMDJSON_PADDING).
inline constexpr size_t kOtlpBodyPadding = 64;

// Why one span was rejected, and where it was in the request (0-based indexes into
// resourceSpans / scopeSpans / spans).
struct OtlpSpanReject {
  uint32_t resource_index = 0;
  uint32_t scope_index = 0;
  uint32_t span_index = 0;
  std::string field;   // OTLP/JSON name of the offending field or attribute key, e.g.
                       // "endTimeUnixNano", "attributes[gen_ai.usage.input_tokens]"
  std::string reason;  // e.g. "ends before the span starts"

  // "resourceSpans[0].scopeSpans[1].spans[2]: endTimeUnixNano: ends before the span starts"
  std::string ToString() const;
};

// Outcome of parsing one OTLP trace export request whose body could be parsed. Spans are
// either accepted (handed to the sink as Events) or rejected with a reason; a rejected span
// never affects its neighbours.
struct OtlpTraceResult {
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  std::vector<OtlpSpanReject> first_rejects;  // the first OtlpLimits::keep_rejects

  void AddReject(OtlpSpanReject reject, size_t keep);

  // OTLP partialSuccess.errorMessage: empty when nothing was rejected, else the count and
  // the first few reasons ("2 of 5 spans rejected: ...; ...").
  std::string PartialSuccessMessage() const;

  // The OTLP/HTTP response body (ExportTraceServiceResponse) for this result, as JSON
  // (`{}` or `{"partialSuccess":{"rejectedSpans":"2","errorMessage":"..."}}`) or as
  // protobuf bytes. partialSuccess is set only when spans were rejected.
  std::string JsonResponse() const;
  std::string ProtobufResponse() const;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_OTLP_TRACE_RESULT_H_
