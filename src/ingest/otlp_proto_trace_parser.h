#ifndef INFERSCOPE_INGEST_OTLP_PROTO_TRACE_PARSER_H_
#define INFERSCOPE_INGEST_OTLP_PROTO_TRACE_PARSER_H_

#include <memory>
#include <string_view>

#include "core/result.h"
#include "ingest/event_sink.h"
#include "ingest/otlp_trace_result.h"

namespace inferscope {

// Parses an OTLP/protobuf ExportTraceServiceRequest (the body of POST /v1/traces with
// Content-Type: application/x-protobuf) into Events, one per span, with the same mapping
// and the same span-level rejects as OtlpJsonTraceParser (docs/otlp.md): the same request
// in either encoding yields identical Events.
//
// Whole-body errors (nothing reaches the sink): a body over OtlpLimits::max_body_bytes
// (kResourceExhausted); bytes that are not a valid message, e.g. truncated, a wrong wire
// type, nesting past protobuf's recursion limit or invalid UTF-8 in a string field
// (kInvalidArgument). Unknown fields are skipped.
//
// Events handed to the sink are valid only during OnEvent (see core/event.h).
// Not thread-safe: one parser per thread. Reuses its buffers across calls, except after a
// body over 1 MiB, whose memory it releases.
class OtlpProtoTraceParser {
 public:
  explicit OtlpProtoTraceParser(OtlpLimits limits = {});
  ~OtlpProtoTraceParser();
  OtlpProtoTraceParser(const OtlpProtoTraceParser&) = delete;
  OtlpProtoTraceParser& operator=(const OtlpProtoTraceParser&) = delete;

  Result<OtlpTraceResult> Parse(std::string_view body, EventSink& sink);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_OTLP_PROTO_TRACE_PARSER_H_
