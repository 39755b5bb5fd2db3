#ifndef INFERSCOPE_STORE_FROZEN_USER_ROLLUPS_H_
#define INFERSCOPE_STORE_FROZEN_USER_ROLLUPS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "store/user_counters.h"
#include "store/user_rollup_table.h"

namespace inferscope {

// A read-only, flat copy of a UserRollupTable for queries: the cells in the table's (start,
// model, user) order in one vector, model and user as indices into this copy's own name
// list. Iterating it reads memory in order, where the table's tree walks a node per cell and
// compares strings; the store keeps its day tier and cached hours this way between changes.
// Immutable after construction; safe to read from several threads.
class FrozenUserRollups {
 public:
  struct Cell {
    TimestampNs start;
    uint32_t model;  // index into names()
    uint32_t user;   // index into names()
    uint32_t pair;   // index into pairs(): the same for every cell of a (model, user)
    UserCounters counters;
  };

  FrozenUserRollups() = default;
  explicit FrozenUserRollups(const UserRollupTable& table);

  const std::vector<Cell>& cells() const { return cells_; }
  const std::vector<std::string>& names() const { return names_; }
  // Each distinct (model, user) of the cells, as indices into names(), in first-seen order:
  // a query resolves a key once per pair instead of once per cell.
  const std::vector<std::pair<uint32_t, uint32_t>>& pairs() const { return pairs_; }
  // Index of the first cell with start >= t (cells().size() when none).
  size_t LowerBound(TimestampNs t) const;

 private:
  std::vector<Cell> cells_;
  std::vector<std::string> names_;
  std::vector<std::pair<uint32_t, uint32_t>> pairs_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_FROZEN_USER_ROLLUPS_H_
