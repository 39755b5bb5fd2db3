#include "ingest/otlp_trace_result.h"

#include <fmt/format.h>

#include <utility>

#include "core/json_writer.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"

namespace inferscope {

namespace {
// How many reasons PartialSuccessMessage() spells out.
constexpr size_t kReasonsInMessage = 3;
}  // namespace

std::string OtlpSpanReject::ToString() const {
  return fmt::format("resourceSpans[{}].scopeSpans[{}].spans[{}]: {}: {}", resource_index,
                     scope_index, span_index, field, reason);
}

void OtlpTraceResult::AddReject(OtlpSpanReject reject, size_t keep) {
  ++rejected;
  if (first_rejects.size() < keep) first_rejects.push_back(std::move(reject));
}

std::string OtlpTraceResult::PartialSuccessMessage() const {
  if (rejected == 0) return {};
  std::string msg =
      fmt::format("{} of {} spans rejected", rejected, static_cast<uint64_t>(accepted + rejected));
  for (size_t i = 0; i < first_rejects.size() && i < kReasonsInMessage; ++i) {
    msg += i == 0 ? ": " : "; ";
    msg += first_rejects[i].ToString();
  }
  if (rejected > kReasonsInMessage && first_rejects.size() >= kReasonsInMessage) msg += "; ...";
  return msg;
}

std::string OtlpTraceResult::JsonResponse() const {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  if (rejected > 0) {
    // OTLP/JSON writes int64 as a decimal string.
    w.Key("partialSuccess").BeginObject();
    w.Key("rejectedSpans").String(std::to_string(rejected));
    w.Key("errorMessage").String(PartialSuccessMessage());
    w.EndObject();
  }
  w.EndObject();
  return out;
}

std::string OtlpTraceResult::ProtobufResponse() const {
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
  if (rejected > 0) {
    auto* partial = response.mutable_partial_success();
    partial->set_rejected_spans(static_cast<int64_t>(rejected));
    partial->set_error_message(PartialSuccessMessage());
  }
  return response.SerializeAsString();
}

}  // namespace inferscope
