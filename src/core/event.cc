#include "core/event.h"

namespace inferscope {

std::string_view EventStatusName(EventStatus status) {
  switch (status) {
    case EventStatus::kOk:
      return "ok";
    case EventStatus::kError:
      return "error";
    case EventStatus::kTimeout:
      return "timeout";
  }
  return "unknown";
}

std::string_view EventFieldName(EventField field) {
  switch (field) {
    case EventField::kLatencyMs:
      return "latency_ms";
    case EventField::kTtftMs:
      return "ttft_ms";
    case EventField::kInputTokens:
      return "input_tokens";
    case EventField::kOutputTokens:
      return "output_tokens";
    case EventField::kCostUsd:
      return "cost_usd";
    case EventField::kBatchSize:
      return "batch_size";
    case EventField::kBatchFillRatio:
      return "batch_fill_ratio";
    case EventField::kGpuUtil:
      return "gpu_util";
    case EventField::kMemoryUsedGb:
      return "memory_used_gb";
    case EventField::kQueueDepth:
      return "queue_depth";
    case EventField::kCacheHit:
      return "cache_hit";
    case EventField::kQualityScore:
      return "quality_score";
    case EventField::kCount:
      break;
  }
  return "unknown";
}

void Event::Reset() {
  timestamp_ns = 0;
  status = EventStatus::kOk;
  request_id = model = status_text = cache_tier = task_type = user = service = {};
  trace_id = span_id = parent_span_id = {};
  attributes.clear();
  present_ = 0;
}

}  // namespace inferscope
