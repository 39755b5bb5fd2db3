#include "ingest/otlp_trace_parser.h"

#include <fmt/format.h>

#include "ingest/otlp_gunzip.h"
#include "ingest/otlp_text.h"

namespace inferscope {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

OtlpTraceParser::OtlpTraceParser(OtlpLimits limits)
    : limits_(limits), json_(limits), proto_(limits) {}

std::optional<OtlpEncoding> OtlpTraceParser::EncodingForContentType(std::string_view content_type) {
  std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  if (EqualsIgnoreCase(media, "application/json")) return OtlpEncoding::kJson;
  if (EqualsIgnoreCase(media, "application/x-protobuf") ||
      EqualsIgnoreCase(media, "application/protobuf")) {
    return OtlpEncoding::kProtobuf;
  }
  return std::nullopt;
}

Result<OtlpTraceResult> OtlpTraceParser::Parse(std::string_view body, std::string_view content_type,
                                               std::string_view content_encoding, EventSink& sink) {
  std::optional<OtlpEncoding> encoding = EncodingForContentType(content_type);
  if (!encoding) {
    return Status(StatusCode::kUnimplemented,
                  fmt::format("unsupported Content-Type \"{}\" (use application/json or "
                              "application/x-protobuf)",
                              ShortForMessage(content_type)));
  }
  std::string_view coding = Trim(content_encoding);
  if (coding.empty() || EqualsIgnoreCase(coding, "identity")) {
    return Parse(body, *encoding, sink);
  }
  if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
    if (body.size() > limits_.max_body_bytes) {
      return Status::ResourceExhausted(fmt::format("body is {} bytes, over the limit of {}",
                                                   body.size(), limits_.max_body_bytes));
    }
    INFERSCOPE_RETURN_IF_ERROR(GunzipBounded(body, limits_.max_body_bytes, &inflated_));
    const size_t inflated_size = inflated_.size();
    inflated_.append(kOtlpBodyPadding, '\0');  // so the JSON is parsed in place
    const std::string_view inflated(inflated_.data(), inflated_size);
    return *encoding == OtlpEncoding::kJson ? json_.Parse(inflated, sink, /*padded=*/true)
                                            : proto_.Parse(inflated, sink);
  }
  return Status(StatusCode::kUnimplemented,
                fmt::format("unsupported Content-Encoding \"{}\" (use gzip or identity)",
                            ShortForMessage(content_encoding)));
}

Result<OtlpTraceResult> OtlpTraceParser::Parse(std::string_view body, OtlpEncoding encoding,
                                               EventSink& sink) {
  return encoding == OtlpEncoding::kJson ? json_.Parse(body, sink, limits_.body_padded)
                                         : proto_.Parse(body, sink);
}

}  // namespace inferscope
