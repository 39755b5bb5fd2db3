#include "store/packed_user_rollups.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "store/byte_io.h"

namespace inferscope {
namespace {

// Cells are encoded by UserCounters::Save (the segment column's layout) and decoded here
// without bounds or validity checks: nothing but the constructor writes these bytes, from
// valid counters, so the checked UserCounters::Load would only add its cost.
inline uint64_t GetVarint(const unsigned char*& p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const unsigned char byte = *p++;
    v |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return v;
  }
}

}  // namespace

PackedUserRollups::PackedUserRollups(const UserRollupTable& table, TimestampNs start,
                                     NamePool* pool)
    : start_(start) {
  const TimestampNs end = start + table.width_ns();
  ByteSink sink(&bytes_);
  for (auto it = table.LowerBound(start); it != table.cells().end() && it->first.start < end;
       ++it) {
    const uint32_t model = pool->Intern(it->first.model);  // one reference per cell each
    // The table is sorted by model: each model's cells are one run.
    if (models_.empty() || models_.back() != model) {
      models_.push_back(model);
      model_totals_.emplace_back();
    }
    model_totals_.back().Merge(it->second);
    cells_.push_back(
        Cell{model, pool->Intern(it->first.user), static_cast<uint32_t>(bytes_.size())});
    it->second.Save(sink);
  }
  std::sort(cells_.begin(), cells_.end(), [](const Cell& a, const Cell& b) {
    return a.model != b.model ? a.model < b.model : a.user < b.user;
  });
  std::vector<size_t> order(models_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return models_[a] < models_[b]; });
  std::vector<uint32_t> models;
  std::vector<UserCounters> totals;
  for (size_t i : order) {
    models.push_back(models_[i]);
    totals.push_back(model_totals_[i]);
  }
  models_ = std::move(models);
  model_totals_ = std::move(totals);
  cells_.shrink_to_fit();
  models_.shrink_to_fit();
  bytes_.shrink_to_fit();
}

uint32_t PackedUserRollups::FindCell(uint32_t model, uint32_t user, uint32_t hint) const {
  const uint64_t key = uint64_t{model} << 32 | user;
  auto key_at = [&](size_t i) { return uint64_t{cells_[i].model} << 32 | cells_[i].user; };
  // [lo, hi): where the first cell >= key is. From a hint, gallop outwards: a key moves by
  // a few places between hours, so this reads one or two cache lines, not a dozen.
  size_t lo = 0;
  size_t hi = cells_.size();
  if (hint < cells_.size()) {
    const uint64_t at = key_at(hint);
    if (at == key) return hint;
    size_t bound = 1;
    if (at < key) {
      while (hint + bound < cells_.size() && key_at(hint + bound) < key) bound *= 2;
      lo = hint + bound / 2 + 1;
      hi = std::min(cells_.size(), hint + bound + 1);
    } else {
      while (bound <= hint && key_at(hint - bound) >= key) bound *= 2;
      lo = bound <= hint ? hint - bound + 1 : 0;
      hi = hint - bound / 2 + 1;
    }
  }
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (key_at(mid) < key) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo == cells_.size() || key_at(lo) != key) return kNotFound;
  return static_cast<uint32_t>(lo);
}

UserCounters PackedUserRollups::Counters(size_t cell) const {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data()) + cells_[cell].offset;
  UserCounters c;
  c.requests = GetVarint(p);
  c.errors = GetVarint(p);
  c.timeouts = GetVarint(p);
  for (uint64_t mask = GetVarint(p); mask != 0; mask &= mask - 1) {
    const int f = std::countr_zero(mask);
    c.present[f] = static_cast<uint32_t>(GetVarint(p));
    std::memcpy(&c.sum[f], p, sizeof(double));
    p += sizeof(double);
  }
  return c;
}

void PackedUserRollups::MergeInto(UserRollupTable* table, const NamePool& pool) const {
  for (size_t i = 0; i < cells_.size(); ++i) {
    table->Merge(start_, pool.Name(cells_[i].model), pool.Name(cells_[i].user), Counters(i));
  }
}

void PackedUserRollups::ReleaseNames(NamePool* pool) const {
  for (const Cell& cell : cells_) {
    pool->Release(cell.model);
    pool->Release(cell.user);
  }
}

size_t PackedUserRollups::MemoryBytes() const {
  return sizeof(*this) + cells_.capacity() * sizeof(Cell) + models_.capacity() * sizeof(uint32_t) +
         model_totals_.capacity() * sizeof(UserCounters) + bytes_.capacity();
}

}  // namespace inferscope
