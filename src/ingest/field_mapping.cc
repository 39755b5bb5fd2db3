#include "ingest/field_mapping.h"

#include <fmt/format.h>

#include <algorithm>

namespace inferscope {

const std::vector<std::string_view>& FieldMapping::KnownTargets() {
  static const std::vector<std::string_view> kTargets = {
      "timestamp",        "request_id",     "model",          "status",      "latency_ms",
      "ttft_ms",          "input_tokens",   "output_tokens",  "cost_usd",    "batch_size",
      "batch_fill_ratio", "gpu_util",       "memory_used_gb", "queue_depth", "cache_hit",
      "cache_tier",       "task_type",      "user",           "service",     "trace_id",
      "span_id",          "parent_span_id", "quality_score",
  };
  return kTargets;
}

Result<FieldMapping> FieldMapping::FromSpecs(const std::vector<std::string>& specs,
                                             LatencyUnit latency_unit) {
  FieldMapping mapping;
  mapping.latency_unit_ = latency_unit;
  const auto& known = KnownTargets();
  for (const std::string& spec : specs) {
    size_t eq = spec.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument(
          fmt::format("invalid --map '{}': expected target=source.path", spec));
    }
    std::string_view target(spec.data(), eq);
    std::string_view source(spec.data() + eq + 1, spec.size() - eq - 1);
    if (std::find(known.begin(), known.end(), target) == known.end()) {
      return Status::InvalidArgument(
          fmt::format("invalid --map '{}': unknown target '{}' (valid: {})", spec, target,
                      fmt::join(known, ", ")));
    }
    Entry entry;
    entry.target = std::string(target);
    size_t start = 0;
    while (true) {
      size_t dot = source.find('.', start);
      std::string_view part =
          source.substr(start, dot == std::string_view::npos ? dot : dot - start);
      if (part.empty()) {
        return Status::InvalidArgument(
            fmt::format("invalid --map '{}': empty name in source path '{}'", spec, source));
      }
      entry.path.emplace_back(part);
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    for (const Entry& other : mapping.entries_) {
      if (other.target == entry.target) {
        return Status::InvalidArgument(
            fmt::format("invalid --map '{}': target '{}' is mapped twice", spec, target));
      }
      // One source value feeds one target: a path may not be a prefix of (or equal to)
      // another, since the parser reads each value once.
      size_t common = std::min(other.path.size(), entry.path.size());
      if (std::equal(other.path.begin(), other.path.begin() + common, entry.path.begin())) {
        return Status::InvalidArgument(
            fmt::format("invalid --map '{}': source '{}' overlaps the source of '{}'", spec, source,
                        other.target));
      }
    }
    mapping.entries_.push_back(std::move(entry));
  }
  return mapping;
}

}  // namespace inferscope
