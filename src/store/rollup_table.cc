#include "store/rollup_table.h"

#include <fmt/format.h>

#include <vector>

#include "stats/time_rollup.h"
#include "store/byte_io.h"

namespace inferscope {
namespace {

constexpr uint8_t kRollupVersion = 1;

}  // namespace

TimestampNs RollupTable::BucketStart(TimestampNs ts) const {
  return FloorDiv(ts, width_ns_) * width_ns_;
}

BucketStats& RollupTable::Slot(TimestampNs start, std::string_view model,
                               std::string_view task_type, std::string_view cache_tier) {
  if (last_ != nullptr && last_cell_.start == start && last_cell_.key.model == model &&
      last_cell_.key.task_type == task_type && last_cell_.key.cache_tier == cache_tier) {
    return *last_;
  }
  Cell cell{start, RollupKey{std::string(model), std::string(task_type), std::string(cache_tier)}};
  auto it = cells_.try_emplace(cell).first;
  last_ = &it->second;
  last_cell_ = std::move(cell);
  return *last_;
}

void RollupTable::Add(const StoredEvent& event) { Add(event.RollupView()); }

void RollupTable::Add(const Event& event) {
  Slot(BucketStart(event.timestamp_ns), event.model, event.task_type, event.cache_tier).Add(event);
}

void RollupTable::Merge(TimestampNs start, const RollupKey& key, const BucketStats& stats) {
  Slot(BucketStart(start), key.model, key.task_type, key.cache_tier).Merge(stats);
}

void RollupTable::MergeFrom(const RollupTable& other) {
  for (const auto& [cell, stats] : other.cells_) Merge(cell.start, cell.key, stats);
}

void RollupTable::MergeRange(const RollupTable& other, TimestampNs from, TimestampNs to) {
  for (auto it = other.LowerBound(from); it != other.cells_.end() && it->first.start < to; ++it) {
    Merge(it->first.start, it->first.key, it->second);
  }
}

RollupTable::Map::const_iterator RollupTable::LowerBound(TimestampNs start) const {
  return cells_.lower_bound(Cell{start, RollupKey{}});
}

void RollupTable::EraseRange(TimestampNs from, TimestampNs to) {
  auto first = cells_.lower_bound(Cell{from, RollupKey{}});
  auto last = cells_.lower_bound(Cell{to, RollupKey{}});
  cells_.erase(first, last);
  last_ = nullptr;
}

void RollupTable::Serialize(std::string* out, TimestampNs from, TimestampNs to) const {
  ByteSink sink(out);
  sink.U8(kRollupVersion);
  sink.I64(width_ns_);
  auto first = LowerBound(from);
  auto last = to == INT64_MAX ? cells_.end() : LowerBound(to);
  // Key dictionary, in first-use order.
  std::map<RollupKey, uint64_t> dict;
  std::vector<const RollupKey*> order;
  uint64_t count = 0;
  for (auto it = first; it != last; ++it, ++count) {
    if (dict.try_emplace(it->first.key, dict.size()).second) order.push_back(&it->first.key);
  }
  sink.Varint(order.size());
  for (const RollupKey* k : order) {
    sink.Str(k->model);
    sink.Str(k->task_type);
    sink.Str(k->cache_tier);
  }
  sink.Varint(count);
  TimestampNs prev = 0;
  for (auto it = first; it != last; ++it) {
    sink.SignedVarint((it->first.start - prev) / width_ns_);
    prev = it->first.start;
    sink.Varint(dict[it->first.key]);
    it->second.Save(sink);
  }
}

Status RollupTable::MergeSerialized(std::string_view bytes) {
  ByteSource src(bytes);
  uint8_t version = 0;
  int64_t width = 0;
  INFERSCOPE_RETURN_IF_ERROR(src.U8(&version));
  if (version != kRollupVersion) {
    return Status::DataLoss(fmt::format("rollup table: unknown version {}", version));
  }
  INFERSCOPE_RETURN_IF_ERROR(src.I64(&width));
  if (width != width_ns_) {
    return Status::DataLoss(
        fmt::format("rollup table: bucket width {} ns, expected {}", width, width_ns_));
  }
  uint64_t nkeys = 0;
  INFERSCOPE_RETURN_IF_ERROR(src.BoundedVarint(src.remaining() / 3, &nkeys, "rollup key count"));
  std::vector<RollupKey> keys(nkeys);
  for (auto& k : keys) {
    std::string_view m, t, c;
    INFERSCOPE_RETURN_IF_ERROR(src.Str(&m));
    INFERSCOPE_RETURN_IF_ERROR(src.Str(&t));
    INFERSCOPE_RETURN_IF_ERROR(src.Str(&c));
    k = RollupKey{std::string(m), std::string(t), std::string(c)};
  }
  uint64_t ncells = 0;
  INFERSCOPE_RETURN_IF_ERROR(src.BoundedVarint(src.remaining() / 8, &ncells, "rollup cell count"));
  const double accuracy = DDSketch().relative_accuracy();
  Map decoded;
  TimestampNs prev = 0;
  for (uint64_t i = 0; i < ncells; ++i) {
    int64_t delta = 0;
    uint64_t key = 0;
    INFERSCOPE_RETURN_IF_ERROR(src.SignedVarint(&delta));
    if (__builtin_mul_overflow(delta, width_ns_, &delta) ||
        __builtin_add_overflow(prev, delta, &prev)) {
      return Status::DataLoss(fmt::format("rollup cell {}: time overflows", i));
    }
    INFERSCOPE_RETURN_IF_ERROR(src.BoundedVarint(nkeys == 0 ? 0 : nkeys - 1, &key, "key index"));
    if (nkeys == 0) return Status::DataLoss("rollup cell without keys");
    BucketStats stats;
    if (Status st = stats.Load(src); !st.ok()) {
      return st.WithContext(fmt::format("rollup cell {}", i));
    }
    for (const DDSketch* sketch : {&stats.latency_ms, &stats.ttft_ms}) {
      if (sketch->relative_accuracy() != accuracy) {
        return Status::DataLoss(fmt::format("rollup cell {}: sketch accuracy {} (expected {})", i,
                                            sketch->relative_accuracy(), accuracy));
      }
    }
    if (!decoded.try_emplace(Cell{prev, keys[key]}, std::move(stats)).second) {
      return Status::DataLoss(fmt::format("rollup cell {}: duplicate", i));
    }
  }
  if (src.remaining() != 0) {
    return Status::DataLoss(fmt::format("rollup table: {} trailing bytes", src.remaining()));
  }
  for (const auto& [cell, stats] : decoded) Merge(cell.start, cell.key, stats);
  return Status::Ok();
}

}  // namespace inferscope
