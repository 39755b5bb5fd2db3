#include "store/frozen_user_rollups.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace inferscope {

FrozenUserRollups::FrozenUserRollups(const UserRollupTable& table) {
  std::unordered_map<std::string_view, uint32_t> ids;  // views into the table's keys
  auto intern = [&](const std::string& name) {
    auto [it, added] = ids.try_emplace(name, static_cast<uint32_t>(names_.size()));
    if (added) names_.push_back(name);
    return it->second;
  };
  std::unordered_map<uint64_t, uint32_t> pair_ids;
  cells_.reserve(table.size());
  for (const auto& [cell, counters] : table.cells()) {
    const uint32_t model = intern(cell.model);
    const uint32_t user = intern(cell.user);
    auto [pair, added] =
        pair_ids.try_emplace(uint64_t{model} << 32 | user, static_cast<uint32_t>(pairs_.size()));
    if (added) pairs_.emplace_back(model, user);
    cells_.push_back(Cell{cell.start, model, user, pair->second, counters});
  }
}

size_t FrozenUserRollups::LowerBound(TimestampNs t) const {
  return static_cast<size_t>(
      std::lower_bound(cells_.begin(), cells_.end(), t,
                       [](const Cell& c, TimestampNs value) { return c.start < value; }) -
      cells_.begin());
}

}  // namespace inferscope
