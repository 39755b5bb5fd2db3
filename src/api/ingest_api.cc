#include "api/ingest_api.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "api/error_envelope.h"
#include "core/json_writer.h"
#include "ingest/event_batch.h"
#include "ingest/jsonl_parser.h"
#include "ingest/otlp_gunzip.h"
#include "ingest/otlp_trace_parser.h"
#include "ingest/reject_log.h"

namespace inferscope {
namespace {

bool IsGzip(std::string_view encoding) { return encoding == "gzip" || encoding == "x-gzip"; }

// Media type without parameters, lower-cased.
std::string MediaType(std::string_view content_type) {
  std::string out;
  for (char c : content_type.substr(0, content_type.find(';'))) {
    if (c == ' ' || c == '\t') continue;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

bool IsJsonLinesType(std::string_view media) {
  return media.empty() || media == "application/x-ndjson" || media == "application/jsonl" ||
         media == "application/json" || media == "application/x-jsonlines" ||
         media == "text/plain" || media == "application/jsonlines";
}

void Overloaded(ApiResponse& res) {
  res.Error(503, "unavailable", "server is busy ingesting; retry after the given delay");
  res.headers.emplace_back("Retry-After", "1");
}

}  // namespace

void IngestApi::Register(HttpServer& server) {
  server.Route("POST", "/v1/events", AuthScope::kIngest, "ingest_events",
               [this](const ApiRequest& req, ApiResponse& res) { PostEvents(req, res); });
  server.Route("POST", "/v1/traces", AuthScope::kIngest, "ingest_traces",
               [this](const ApiRequest& req, ApiResponse& res) { PostTraces(req, res); });
}

bool IngestApi::Reserve(uint64_t bytes) {
  uint64_t current = inflight_bytes_.load();
  while (true) {
    // One request is always let through, however large, so progress is guaranteed.
    if (current != 0 && current + bytes > options_.max_inflight_bytes) return false;
    if (inflight_bytes_.compare_exchange_weak(current, current + bytes)) return true;
  }
}

Status IngestApi::Store(std::span<const Event> events) {
  if (events.empty()) return Status::Ok();
  INFERSCOPE_RETURN_IF_ERROR(store_->Append(events));
  for (const Observer& observer : observers_) observer(events);
  return Status::Ok();
}

void IngestApi::PostEvents(const ApiRequest& req, ApiResponse& res) {
  std::string media = MediaType(req.Header("Content-Type"));
  if (!IsJsonLinesType(media)) {
    return res.Error(
        415, "unsupported_media_type",
        "POST /v1/events takes JSON lines (application/x-ndjson), got '" + media + "'");
  }
  std::string_view encoding = req.Header("Content-Encoding");
  if (!encoding.empty() && encoding != "identity" && !IsGzip(encoding)) {
    return res.Error(415, "unsupported_media_type",
                     "Content-Encoding '" + std::string(encoding) + "' is not supported (gzip)");
  }
  const uint64_t reserved = req.body.size();
  if (!Reserve(reserved)) return Overloaded(res);

  // The parser reads kJsonlPadding bytes past the end: a POST body is followed by that
  // many zero bytes already (HttpServer); an inflated one is padded here.
  static_assert(kApiBodyPadding >= kJsonlPadding);
  std::string inflated;
  std::string_view text = req.body;
  if (IsGzip(encoding)) {
    Status st = GunzipBounded(req.body, options_.max_decoded_bytes, &inflated);
    if (!st.ok()) {
      Release(reserved);
      return res.Error(
          st.code() == StatusCode::kResourceExhausted ? 413 : 400,
          st.code() == StatusCode::kResourceExhausted ? "payload_too_large" : "invalid_argument",
          "gzip body: " + st.message());
    }
    const size_t length = inflated.size();
    inflated.append(kJsonlPadding, '\0');
    text = std::string_view(inflated.data(), length);
  }

  JsonlParserOptions parser_options;
  parser_options.keep_attributes = true;
  JsonlParser parser(parser_options);
  EventBatch batch;
  RejectLog rejects(options_.max_reported_rejects);
  JsonlParser::Counts counts =
      parser.ParseBuffer(text.data(), text.size(), "body", 1, batch, rejects);

  Status stored = Store(batch.events());
  Release(reserved);
  if (!stored.ok()) {
    // Nothing of this request was acknowledged; the client should retry it whole.
    res.Error(stored);
    if (stored.code() == StatusCode::kUnavailable) res.headers.emplace_back("Retry-After", "1");
    return;
  }
  if (metrics_ != nullptr) metrics_->AddIngested("events", counts.accepted, counts.rejected);

  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  if (counts.accepted == 0 && counts.rejected > 0) {
    w.Key("error").BeginObject();
    w.Key("code").String("invalid_argument");
    w.Key("message").String(
        "all " + std::to_string(counts.rejected) + " lines rejected; first: line " +
        std::to_string(rejects.first().front().line) + ": " + rejects.first().front().reason);
    w.EndObject();
  }
  w.Key("accepted").Uint(counts.accepted);
  w.Key("rejected").Uint(counts.rejected);
  w.Key("errors").BeginArray();
  for (const RecordReject& r : rejects.first()) {
    w.BeginObject().Key("line").Uint(r.line).Key("reason").String(r.reason).EndObject();
  }
  w.EndArray();
  w.EndObject();
  res.Json(counts.accepted == 0 && counts.rejected > 0 ? 400 : 200, std::move(out));
}

void IngestApi::PostTraces(const ApiRequest& req, ApiResponse& res) {
  std::string_view content_type = req.Header("Content-Type");
  std::optional<OtlpEncoding> encoding = OtlpTraceParser::EncodingForContentType(content_type);
  if (!encoding.has_value()) {
    return res.Error(415, "unsupported_media_type",
                     "POST /v1/traces takes application/json or application/x-protobuf, got '" +
                         std::string(content_type) + "'");
  }
  // Decoded protobuf takes ~30x its wire size in memory (docs/otlp.md): budget for that, and
  // keep its decoded limit lower.
  const bool protobuf = *encoding == OtlpEncoding::kProtobuf;
  const uint64_t reserved = req.body.size() * (protobuf ? 30 : 3);
  if (!Reserve(reserved)) return Overloaded(res);

  OtlpLimits limits;
  static_assert(kApiBodyPadding >= kOtlpBodyPadding);
  limits.body_padded = true;  // HttpServer pads POST bodies
  limits.max_body_bytes = protobuf ? std::min<uint64_t>(options_.max_decoded_bytes, 8ull << 20)
                                   : options_.max_decoded_bytes;
  OtlpTraceParser parser(limits);
  EventBatch batch;
  auto result = parser.Parse(req.body, content_type, req.Header("Content-Encoding"), batch);
  if (!result.ok()) {
    Release(reserved);
    const Status& st = result.status();
    int http = st.code() == StatusCode::kUnimplemented       ? 415
               : st.code() == StatusCode::kResourceExhausted ? 413
                                                             : 400;
    return res.Error(http, ErrorCodeForHttpStatus(http), st.message());
  }
  Status stored = Store(batch.events());
  Release(reserved);
  if (!stored.ok()) {
    res.Error(stored);
    if (stored.code() == StatusCode::kUnavailable) res.headers.emplace_back("Retry-After", "1");
    return;
  }
  if (metrics_ != nullptr) metrics_->AddIngested("traces", result->accepted, result->rejected);
  // OTLP/HTTP: answer in the request's encoding; partialSuccess only when spans were rejected.
  if (*encoding == OtlpEncoding::kProtobuf) {
    res.status = 200;
    res.content_type = "application/x-protobuf";
    res.body = result->ProtobufResponse();
  } else {
    res.Json(200, result->JsonResponse());
  }
}

}  // namespace inferscope
