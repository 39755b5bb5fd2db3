#ifndef INFERSCOPE_INGEST_OTLP_TRACE_PARSER_H_
#define INFERSCOPE_INGEST_OTLP_TRACE_PARSER_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ingest/event_sink.h"
#include "ingest/otlp_json_trace_parser.h"
#include "ingest/otlp_proto_trace_parser.h"
#include "ingest/otlp_trace_result.h"

namespace inferscope {

enum class OtlpEncoding { kJson, kProtobuf };

// The transport-free core of POST /v1/traces: takes the raw request body with its
// Content-Type and Content-Encoding header values, decompresses, picks the JSON or
// protobuf parser and hands one Event per accepted span to the sink (docs/otlp.md).
//
// Errors and the HTTP status an OTLP/HTTP server answers with:
//   kUnimplemented      unsupported Content-Type or Content-Encoding       415
//   kResourceExhausted  body (compressed or decompressed) over the limit   413
//   kInvalidArgument    unparseable body (bad gzip, JSON, protobuf)        400
// A parsed body yields an OtlpTraceResult: 200, with partialSuccess when spans were
// rejected (OtlpTraceResult::JsonResponse / ProtobufResponse give the body).
// Not thread-safe: one parser per thread (or per request). Reuses its buffers.
class OtlpTraceParser {
 public:
  explicit OtlpTraceParser(OtlpLimits limits = {});

  // The encoding a Content-Type header names: application/json, application/x-protobuf
  // (also application/protobuf), case-insensitive, parameters such as charset ignored.
  static std::optional<OtlpEncoding> EncodingForContentType(std::string_view content_type);

  // `content_encoding` is the Content-Encoding header value: "" or "identity" (as is) or
  // "gzip" (also "x-gzip").
  Result<OtlpTraceResult> Parse(std::string_view body, std::string_view content_type,
                                std::string_view content_encoding, EventSink& sink);

  // Same, for a body whose encoding is already known and which is not compressed.
  Result<OtlpTraceResult> Parse(std::string_view body, OtlpEncoding encoding, EventSink& sink);

 private:
  OtlpLimits limits_;
  OtlpJsonTraceParser json_;
  OtlpProtoTraceParser proto_;
  std::string inflated_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_OTLP_TRACE_PARSER_H_
