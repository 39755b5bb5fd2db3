#ifndef INFERSCOPE_INGEST_OTLP_JSON_TRACE_PARSER_H_
#define INFERSCOPE_INGEST_OTLP_JSON_TRACE_PARSER_H_

#include <memory>
#include <string_view>

#include "core/result.h"
#include "ingest/event_sink.h"
#include "ingest/otlp_trace_result.h"

namespace inferscope {

// Parses an OTLP/JSON ExportTraceServiceRequest (the body of POST /v1/traces with
// Content-Type: application/json) into Events, one per span (mapping: docs/otlp.md).
//
// Transport-free: it sees the (already decompressed) body, never a socket. OTLP/JSON rules:
// lowerCamelCase field names (snake_case accepted too), trace/span ids as hex strings,
// 64-bit integers as numbers or decimal strings, enums as numbers or names, null as absent,
// unknown fields ignored.
//
// Whole-body errors (nothing reaches the sink): a body over OtlpLimits::max_body_bytes
// (kResourceExhausted); invalid JSON or invalid UTF-8 anywhere (kInvalidArgument); a wrong
// type above span level, e.g. "resourceSpans" not an array (kInvalidArgument).
// Span errors (the span is rejected with its position, field and reason; its neighbours
// are parsed as usual): a missing or malformed id, a missing time, an end before the start,
// a field or GenAI attribute of the wrong type, an attribute over the size limits, a bad
// resource or scope (rejects each span under it).
//
// Events handed to the sink are valid only during OnEvent (see core/event.h).
// Not thread-safe: one parser per thread. Reuses its buffers across calls, except after a
// body over 1 MiB, whose memory it releases.
class OtlpJsonTraceParser {
 public:
  explicit OtlpJsonTraceParser(OtlpLimits limits = {});
  ~OtlpJsonTraceParser();
  OtlpJsonTraceParser(const OtlpJsonTraceParser&) = delete;
  OtlpJsonTraceParser& operator=(const OtlpJsonTraceParser&) = delete;

  // `padded`: kOtlpBodyPadding readable bytes follow the body, so it is parsed in place.
  Result<OtlpTraceResult> Parse(std::string_view body, EventSink& sink, bool padded = false);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_OTLP_JSON_TRACE_PARSER_H_
