#ifndef INFERSCOPE_STORE_PACKED_USER_ROLLUPS_H_
#define INFERSCOPE_STORE_PACKED_USER_ROLLUPS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/name_pool.h"
#include "store/user_counters.h"
#include "store/user_rollup_table.h"

namespace inferscope {

// One bucket (an hour) of per-user rollups, packed for a long stay in memory: the counters
// in their compact encoding (UserCounters::Save, ~60-110 bytes a cell, where a decoded one
// takes 168 and a table node ~250 more), model and user as ids of a NamePool shared by every
// packed bucket, and the cells sorted by (model id, user id). A key looked up once in the
// pool is then found in each bucket by one binary search over integers, and its counters
// decoded alone: a query for the top users of a month reads a few dozen cells per hour
// instead of decoding a thousand.
//
// The bucket holds a reference in the pool per cell for its model and its user; the owner
// calls ReleaseNames on the same pool before destroying it (the pool must outlive it).
// Immutable after construction; safe to read from several threads (the pool is not).
class PackedUserRollups {
 public:
  static constexpr uint32_t kNotFound = UINT32_MAX;

  PackedUserRollups() = default;
  // Packs the cells of `table` whose bucket starts at `start`, interning names in `pool`.
  PackedUserRollups(const UserRollupTable& table, TimestampNs start, NamePool* pool);

  TimestampNs start() const { return start_; }
  size_t size() const { return cells_.size(); }
  bool empty() const { return cells_.empty(); }
  // The model ids of the cells, sorted, each once, and per model the merge of its cells
  // (kept decoded: what is left of a model once some users are shown apart).
  const std::vector<uint32_t>& models() const { return models_; }
  const UserCounters& model_total(size_t i) const { return model_totals_[i]; }
  // Index of the cell of (model id, user id), or kNotFound. `hint`: where the key is
  // likely to be (e.g. its index in the previous hour, whose users are mostly these),
  // checked first; anything else, kNotFound included, is a binary search.
  uint32_t FindCell(uint32_t model, uint32_t user, uint32_t hint = kNotFound) const;
  uint32_t model_of(size_t cell) const { return cells_[cell].model; }
  uint32_t user_of(size_t cell) const { return cells_[cell].user; }
  // The cell's counters, decoded on each call.
  UserCounters Counters(size_t cell) const;
  // Asks the CPU to start fetching what a lookup reads first: the models, their totals and
  // the start of the cells (no effect on results).
  void PrefetchIndex() const {
    __builtin_prefetch(models_.data());
    __builtin_prefetch(model_totals_.data());
    __builtin_prefetch(cells_.data());
  }
  // Asks the CPU to start fetching the cell at `index` (a FindCell hint; any value).
  void PrefetchCell(uint32_t index) const {
    if (index < cells_.size()) __builtin_prefetch(&cells_[index]);
  }
  // Asks the CPU to start fetching the cell's counters (no effect on results).
  void Prefetch(size_t cell) const {
    const char* p = bytes_.data() + cells_[cell].offset;
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
  }
  // Merges every cell into `table` (of an hour's width) at start(); `pool` as constructed.
  void MergeInto(UserRollupTable* table, const NamePool& pool) const;
  // Drops this bucket's references in `pool`; call once, before destruction.
  void ReleaseNames(NamePool* pool) const;
  // Heap bytes held, the pool's excluded (for the cache's memory budget).
  size_t MemoryBytes() const;

 private:
  struct Cell {
    uint32_t model;   // NamePool id
    uint32_t user;    // NamePool id
    uint32_t offset;  // of the counters' encoding in bytes_
  };
  TimestampNs start_ = 0;
  std::vector<Cell> cells_;  // sorted by (model, user)
  std::vector<uint32_t> models_;
  std::vector<UserCounters> model_totals_;  // parallel to models_
  std::string bytes_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_PACKED_USER_ROLLUPS_H_
