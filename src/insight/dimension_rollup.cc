#include "insight/dimension_rollup.h"

#include <algorithm>
#include <cstring>
#include <functional>

#include "stats/time_rollup.h"

namespace inferscope {

uint64_t ValueDictionary::LongHash(std::string_view s) { return std::hash<std::string_view>{}(s); }

uint32_t ValueDictionary::InternSlow(std::string_view value, uint64_t hash) {
  if (names_.size() >= max_values_) return kOverflow;
  if (slots_.empty()) slots_.assign(64, Slot{});
  names_.emplace_back(value);
  const auto id = static_cast<uint32_t>(names_.size() - 1);
  if (2 * names_.size() > slots_.size()) {
    slots_.assign(slots_.size() * 2, Slot{});
    for (uint32_t j = 0; j < id; ++j) Insert(j, Hash(names_[j]));
  }
  Insert(id, hash);
  return id;
}

std::vector<uint32_t> ValueDictionary::MergeFrom(const ValueDictionary& other) {
  std::vector<uint32_t> map(other.names_.size());
  for (size_t i = 0; i < other.names_.size(); ++i) map[i] = Intern(other.names_[i]);
  return map;
}

void ValueDictionary::Insert(uint32_t id, uint64_t hash) {
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].id_plus_one != 0) i = (i + 1) & mask;
  slots_[i] = {static_cast<uint32_t>(hash >> 32), id + 1};
}

void DimensionBucket::Dimension::AddNew(uint32_t id, uint32_t n, double c) {
  if (id == ValueDictionary::kNone) return;
  if (id == ValueDictionary::kOverflow) {
    other_requests += n;
    other_cost += c;
    return;
  }
  if (used < kSlots) {
    slots[used++] = {id, n, c};
    return;
  }
  // Full: the value with the fewest requests makes room (to "other") unless it has more
  // than the newcomer, in which case the newcomer goes to "other".
  Slot* min = &slots[0];
  for (Slot& s : slots) {
    if (s.requests < min->requests) min = &s;
  }
  if (min->requests > n) {
    other_requests += n;
    other_cost += c;
    return;
  }
  other_requests += min->requests;
  other_cost += min->cost;
  *min = {id, n, c};
}

void DimensionBucket::Merge(const DimensionBucket& o) { Merge(o, DimensionIdMaps{}); }

void DimensionBucket::Merge(const DimensionBucket& o, const DimensionIdMaps& maps) {
  requests += o.requests;
  cost += o.cost;
  for (int d = 0; d < kDimensionCount; ++d) {
    Dimension& to = dims[d];
    const Dimension& from = o.dims[d];
    to.other_requests += from.other_requests;
    to.other_cost += from.other_cost;
    for (uint32_t i = 0; i < from.used; ++i) {
      to.Add(ValueDictionary::Remap(maps[d], from.slots[i].id), from.slots[i].requests,
             from.slots[i].cost);
    }
  }
}

DimensionRollup::DimensionRollup(int64_t width_ns, size_t max_buckets)
    : width_ns_(width_ns), max_buckets_(max_buckets) {}

void DimensionRollup::SetLast(TimestampNs ts) {
  last_ = &buckets_[FloorDiv(ts, width_ns_)];
  if (buckets_.size() > max_buckets_) {
    Coarsen(width_ns_ * 2);
    last_ = &buckets_[FloorDiv(ts, width_ns_)];
  }
  const int64_t index = FloorDiv(ts, width_ns_);
  if (__builtin_mul_overflow(index, width_ns_, &last_start_) ||
      __builtin_add_overflow(last_start_, width_ns_, &last_end_)) {
    // Not representable: no cached range, every event takes this path (harmless).
    last_start_ = INT64_MAX;
    last_end_ = INT64_MIN;
  }
}

void DimensionRollup::Coarsen(int64_t new_width_ns) {
  if (new_width_ns <= width_ns_ || new_width_ns % width_ns_ != 0) return;
  std::unordered_map<int64_t, DimensionBucket> old;
  old.swap(buckets_);
  const int64_t old_width = width_ns_;
  width_ns_ = new_width_ns;
  // Merge in time order so the result does not depend on hash iteration order.
  std::vector<int64_t> indices;
  indices.reserve(old.size());
  for (const auto& [index, b] : old) indices.push_back(index);
  std::sort(indices.begin(), indices.end());
  for (int64_t index : indices) {
    buckets_[FloorDiv(index * old_width, width_ns_)].Merge(old.at(index));
  }
  last_ = nullptr;
  last_start_ = INT64_MAX;
  last_end_ = INT64_MIN;
  if (buckets_.size() > max_buckets_) Coarsen(width_ns_ * 2);
}

void DimensionRollup::Merge(const DimensionRollup& other, const DimensionIdMaps& maps) {
  if (other.width_ns_ > width_ns_) Coarsen(other.width_ns_);
  // In time order, so the result does not depend on hash iteration order.
  std::vector<int64_t> indices;
  indices.reserve(other.buckets_.size());
  for (const auto& [index, b] : other.buckets_) indices.push_back(index);
  std::sort(indices.begin(), indices.end());
  for (int64_t index : indices) {
    buckets_[FloorDiv(index * other.width_ns_, width_ns_)].Merge(other.buckets_.at(index), maps);
  }
  last_ = nullptr;
  last_start_ = INT64_MAX;
  last_end_ = INT64_MIN;
  if (buckets_.size() > max_buckets_) Coarsen(width_ns_ * 2);
}

void DimensionRollup::Collect(TimestampNs from, TimestampNs to, DimensionTotals* out) const {
  if (to <= from || buckets_.empty()) return;
  int64_t first = FloorDiv(from, width_ns_);
  if (first * width_ns_ < from) ++first;
  const int64_t last = FloorDiv(to - 1, width_ns_);
  auto add = [&](const DimensionBucket& b) {
    out->requests += b.requests;
    out->cost += b.cost;
    for (int d = 0; d < kDimensionCount; ++d) {
      const DimensionBucket::Dimension& dim = b.dims[d];
      out->other[d].requests += dim.other_requests;
      out->other[d].cost += dim.other_cost;
      for (uint32_t i = 0; i < dim.used; ++i) {
        ShareCount& c = out->values[d][dim.slots[i].id];
        c.requests += dim.slots[i].requests;
        c.cost += dim.slots[i].cost;
      }
    }
  };
  if (last < first) return;
  // Sums are taken in time order either way, so results do not depend on the hash layout.
  if (static_cast<uint64_t>(last - first) < buckets_.size()) {
    for (int64_t i = first; i <= last; ++i) {
      auto it = buckets_.find(i);
      if (it != buckets_.end()) add(it->second);
    }
  } else {
    std::vector<int64_t> indices;
    for (const auto& [index, b] : buckets_) {
      if (index >= first && index <= last) indices.push_back(index);
    }
    std::sort(indices.begin(), indices.end());
    for (int64_t i : indices) add(buckets_.at(i));
  }
}

std::vector<ShareShift> DimensionShareShifts(const DimensionTotals& window,
                                             const DimensionTotals& baseline,
                                             const DimensionDictionaries& dictionaries,
                                             const ShareShiftOptions& options) {
  std::vector<ShareShift> shifts;
  for (int d = 0; d < kDimensionCount; ++d) {
    auto counts = [&](const DimensionTotals& t, double* cost) {
      ShareCounts out;
      *cost = t.other[d].cost;
      for (const auto& [id, c] : t.values[d]) {
        out.emplace(std::string(dictionaries[d].Name(id)), c);
        *cost += c.cost;
      }
      return out;
    };
    double win_cost = 0, base_cost = 0;
    ShareCounts win = counts(window, &win_cost);
    ShareCounts base = counts(baseline, &base_cost);
    FindShareShifts(kDimensionNames[d], {&win, window.requests, win_cost},
                    {&base, baseline.requests, base_cost}, &shifts, options);
  }
  std::stable_sort(shifts.begin(), shifts.end(),
                   [](const ShareShift& a, const ShareShift& b) { return a.points > b.points; });
  return shifts;
}

}  // namespace inferscope
