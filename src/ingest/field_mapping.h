#ifndef INFERSCOPE_INGEST_FIELD_MAPPING_H_
#define INFERSCOPE_INGEST_FIELD_MAPPING_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace inferscope {

// Unit of the `latency` alias only. `latency_ms`/`duration_ms`, and any field mapped onto
// latency_ms/ttft_ms with --map, are always milliseconds.
enum class LatencyUnit { kSeconds, kMilliseconds };

// Maps source field names onto inferscope's fields (docs/log-format.md).
//
// Built-in aliases (always on): model_name -> model, duration_ms -> latency_ms,
// latency (in `latency_unit`, default seconds) -> latency_ms, ts/time -> timestamp.
// User mappings come from `--map ours=theirs` where theirs is a dotted path into nested
// objects ("usage.prompt_tokens", "resource.attrs.model"); a user mapping wins over the
// built-in name for the same target field.
class FieldMapping {
 public:
  struct Entry {
    std::string target;             // our field name, e.g. "input_tokens"
    std::vector<std::string> path;  // their path, split on '.'
  };

  FieldMapping() = default;

  // Parses "--map" specs of the form "target=dotted.path". Unknown targets are rejected
  // with the list of valid ones.
  static Result<FieldMapping> FromSpecs(const std::vector<std::string>& specs,
                                        LatencyUnit latency_unit = LatencyUnit::kSeconds);

  const std::vector<Entry>& entries() const { return entries_; }
  LatencyUnit latency_unit() const { return latency_unit_; }

  // The names accepted as targets (our fields).
  static const std::vector<std::string_view>& KnownTargets();

 private:
  std::vector<Entry> entries_;
  LatencyUnit latency_unit_ = LatencyUnit::kSeconds;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_FIELD_MAPPING_H_
