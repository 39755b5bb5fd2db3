#include "store/user_rollup_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace inferscope {
namespace {

constexpr uint8_t kUserRollupVersion = 1;

}  // namespace

void UserRollupTable::Add(const Event& event) {
  const CellView key{BucketStart(event.timestamp_ns), event.model, event.user};
  auto it = cells_.find(key);
  if (it == cells_.end()) {
    it =
        cells_
            .emplace(Cell{key.start, std::string(key.model), std::string(key.user)}, UserCounters{})
            .first;
  }
  it->second.Add(event);
}

void UserRollupTable::Add(const StoredEvent& event) { Add(event.RollupView()); }

void UserRollupTable::Merge(TimestampNs start, std::string_view model, std::string_view user,
                            const UserCounters& counters) {
  const CellView key{BucketStart(start), model, user};
  auto it = cells_.find(key);
  if (it == cells_.end()) {
    cells_.emplace(Cell{key.start, std::string(model), std::string(user)}, counters);
  } else {
    it->second.Merge(counters);
  }
}

void UserRollupTable::MergeFrom(const UserRollupTable& other) {
  for (const auto& [cell, counters] : other.cells_) {
    Merge(cell.start, cell.model, cell.user, counters);
  }
}

void UserRollupTable::MergeRange(const UserRollupTable& other, TimestampNs from, TimestampNs to) {
  for (auto it = other.LowerBound(from); it != other.cells_.end() && it->first.start < to; ++it) {
    Merge(it->first.start, it->first.model, it->first.user, it->second);
  }
}

UserRollupTable::Map::const_iterator UserRollupTable::LowerBound(TimestampNs start) const {
  return cells_.lower_bound(CellView{start, {}, {}});
}

void UserRollupTable::EraseRange(TimestampNs from, TimestampNs to) {
  cells_.erase(cells_.lower_bound(CellView{from, {}, {}}),
               cells_.lower_bound(CellView{to, {}, {}}));
}

void UserRollupTable::Cap(size_t max_users) {
  max_users = std::max<size_t>(1, max_users);
  Map capped;
  std::vector<Map::iterator> group;
  for (auto it = cells_.begin(); it != cells_.end();) {
    // One (bucket, model) group: consecutive in the map's order.
    group.clear();
    auto end = it;
    while (end != cells_.end() && end->first.start == it->first.start &&
           end->first.model == it->first.model) {
      group.push_back(end++);
    }
    if (group.size() > max_users) {
      // kOtherUser (users merged by an earlier cap) ranks last: it is never a kept user.
      std::sort(group.begin(), group.end(), [](Map::iterator a, Map::iterator b) {
        const bool a_other = a->first.user == kOtherUser, b_other = b->first.user == kOtherUser;
        if (a_other != b_other) return b_other;
        return a->second.requests != b->second.requests ? a->second.requests > b->second.requests
                                                        : a->first.user < b->first.user;
      });
      UserCounters other;
      bool any_other = false;
      for (size_t i = 0; i < group.size(); ++i) {
        if (i < max_users && group[i]->first.user != kOtherUser) continue;
        other.Merge(group[i]->second);
        any_other = true;
      }
      for (size_t i = 0; i < max_users; ++i) {
        if (group[i]->first.user == kOtherUser) break;  // fewer real users than max_users
        capped.emplace(group[i]->first, group[i]->second);
      }
      if (any_other) {
        capped.emplace(Cell{it->first.start, it->first.model, std::string(kOtherUser)}, other);
      }
    } else {
      for (auto g : group) capped.emplace(g->first, g->second);
    }
    it = end;
  }
  cells_ = std::move(capped);
}

void UserRollupTable::Serialize(std::string* out) const {
  ByteSink sink(out);
  sink.U8(kUserRollupVersion);
  sink.I64(width_ns_);
  // String dictionary (models and users together), in first-use order.
  std::map<std::string_view, uint64_t> dict;
  std::vector<std::string_view> order;
  auto intern = [&](std::string_view s) {
    if (dict.try_emplace(s, dict.size()).second) order.push_back(s);
  };
  for (const auto& [cell, counters] : cells_) {
    intern(cell.model);
    intern(cell.user);
  }
  sink.Varint(order.size());
  for (std::string_view s : order) sink.Str(s);
  sink.Varint(cells_.size());
  TimestampNs prev = 0;
  for (const auto& [cell, counters] : cells_) {
    sink.SignedVarint((cell.start - prev) / width_ns_);
    prev = cell.start;
    sink.Varint(dict[cell.model]);
    sink.Varint(dict[cell.user]);
    counters.Save(sink);
  }
}

Status UserRollupTable::MergeSerialized(std::string_view bytes) {
  ByteSource src(bytes);
  uint8_t version = 0;
  int64_t width = 0;
  INFERSCOPE_RETURN_IF_ERROR(src.U8(&version));
  if (version != kUserRollupVersion) {
    return Status::DataLoss(fmt::format("user rollup table: unknown version {}", version));
  }
  INFERSCOPE_RETURN_IF_ERROR(src.I64(&width));
  if (width != width_ns_) {
    return Status::DataLoss(
        fmt::format("user rollup table: bucket width {} ns, expected {}", width, width_ns_));
  }
  uint64_t nstrings = 0;
  INFERSCOPE_RETURN_IF_ERROR(
      src.BoundedVarint(src.remaining(), &nstrings, "user rollup string count"));
  std::vector<std::string_view> strings(nstrings);
  for (auto& s : strings) INFERSCOPE_RETURN_IF_ERROR(src.Str(&s));
  uint64_t ncells = 0;
  INFERSCOPE_RETURN_IF_ERROR(
      src.BoundedVarint(src.remaining() / 7, &ncells, "user rollup cell count"));
  if (ncells > 0 && nstrings == 0) return Status::DataLoss("user rollup cells without strings");
  std::vector<std::pair<CellView, UserCounters>> decoded;
  decoded.reserve(ncells);
  TimestampNs prev = 0;
  for (uint64_t i = 0; i < ncells; ++i) {
    int64_t delta = 0;
    uint64_t model = 0, user = 0;
    INFERSCOPE_RETURN_IF_ERROR(src.SignedVarint(&delta));
    if (__builtin_mul_overflow(delta, width_ns_, &delta) ||
        __builtin_add_overflow(prev, delta, &prev)) {
      return Status::DataLoss(fmt::format("user rollup cell {}: time overflows", i));
    }
    INFERSCOPE_RETURN_IF_ERROR(src.BoundedVarint(nstrings - 1, &model, "model index"));
    INFERSCOPE_RETURN_IF_ERROR(src.BoundedVarint(nstrings - 1, &user, "user index"));
    UserCounters counters;
    if (Status st = counters.Load(src); !st.ok()) {
      return st.WithContext(fmt::format("user rollup cell {}", i));
    }
    const CellView cell{prev, strings[model], strings[user]};
    if (!decoded.empty() && !Less()(decoded.back().first, cell)) {
      return Status::DataLoss(fmt::format("user rollup cell {}: out of order or duplicate", i));
    }
    decoded.emplace_back(cell, counters);
  }
  if (src.remaining() != 0) {
    return Status::DataLoss(fmt::format("user rollup table: {} trailing bytes", src.remaining()));
  }
  for (const auto& [cell, counters] : decoded) Merge(cell.start, cell.model, cell.user, counters);
  return Status::Ok();
}

}  // namespace inferscope
