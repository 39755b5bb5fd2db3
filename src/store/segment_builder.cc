#include "store/segment_builder.h"

#include <bit>
#include <cstring>
#include <functional>
#include <utility>

#include "store/byte_io.h"
#include "store/segment_writer.h"

namespace inferscope {

SegmentBuilder::SegmentBuilder() = default;

void SegmentBuilder::Add(const EventRowView& row) {
  if (rows_ == 0) min_ts_ = prev_ts_ = row.timestamp_ns;
  ByteSink(&timestamps_).SignedVarint(row.timestamp_ns - prev_ts_);
  prev_ts_ = row.timestamp_ns;
  ByteSink(&ids_).SignedVarint(static_cast<int64_t>(row.id - prev_id_));
  prev_id_ = row.id;
  statuses_.push_back(static_cast<char>(row.status));
  const uint32_t present = row.present & ((1u << kEventFieldCount) - 1);
  ByteSink(&presence_).Varint(present);
  for (uint32_t bits = present; bits != 0; bits &= bits - 1) {
    const int f = std::countr_zero(bits);
    char buf[sizeof(double)];
    std::memcpy(buf, &row.values[f], sizeof buf);  // ByteSink::F64's little-endian bytes
    values_[f].append(buf, sizeof buf);
  }
  for (int i = 0; i < kStoredStringCount; ++i) strings_[i].Add(row.strings[i]);
  attributes_.append(row.encoded_attributes);
  ++rows_;
}

std::string SegmentBuilder::Finish(SegmentInfo info, const RollupTable& minutes,
                                   const RollupTable& hours, int zstd_level,
                                   const UserRollupTable* users) {
  info.rows = rows_;
  info.min_ts = rows_ == 0 ? 0 : min_ts_;
  info.max_ts = rows_ == 0 ? 0 : prev_ts_;
  std::vector<std::pair<uint32_t, std::string>> columns;
  columns.reserve(8 + kEventFieldCount + kStoredStringCount);
  columns.emplace_back(kTimestampColumn, std::move(timestamps_));
  columns.emplace_back(kIdColumn, std::move(ids_));
  columns.emplace_back(kStatusColumn, std::move(statuses_));
  columns.emplace_back(kPresenceColumn, std::move(presence_));
  for (int f = 0; f < kEventFieldCount; ++f) {
    columns.emplace_back(kValueColumnBase + static_cast<uint32_t>(f), std::move(values_[f]));
  }
  for (int i = 0; i < kStoredStringCount; ++i) {
    columns.emplace_back(kStringColumnBase + static_cast<uint32_t>(i), strings_[i].Take());
  }
  columns.emplace_back(kAttributeColumn, std::move(attributes_));
  std::string rollup;
  minutes.Serialize(&rollup);
  columns.emplace_back(kMinuteRollupColumn, std::move(rollup));
  rollup.clear();
  hours.Serialize(&rollup);
  columns.emplace_back(kHourRollupColumn, std::move(rollup));
  if (users != nullptr) {
    rollup.clear();
    users->Serialize(&rollup);
    columns.emplace_back(kUserRollupColumn, std::move(rollup));
  }
  *this = SegmentBuilder();
  return AssembleSegment(info, columns, zstd_level);
}

void SegmentBuilder::StringColumn::Add(std::string_view value) {
  uint32_t index = last_index_;
  if (index == UINT32_MAX || spans_[index].second != value.size() ||
      std::memcmp(values_.data() + spans_[index].first, value.data(), value.size()) != 0) {
    index = Find(value, std::hash<std::string_view>{}(value));
    last_index_ = index;
  }
  ByteSink(&indices_).Varint(index);
}

uint32_t SegmentBuilder::StringColumn::Find(std::string_view value, uint64_t hash) {
  if (slots_.empty()) {
    slots_.assign(64, 0);
    slot_hashes_.assign(64, 0);
  }
  const auto tag = static_cast<uint32_t>(hash);
  size_t mask = slots_.size() - 1;
  size_t i = (hash >> 32 ^ hash) & mask;
  for (; slots_[i] != 0; i = (i + 1) & mask) {
    if (slot_hashes_[i] != tag) continue;
    const auto& [offset, length] = spans_[slots_[i] - 1];
    if (length == value.size() && std::memcmp(values_.data() + offset, value.data(), length) == 0) {
      return slots_[i] - 1;
    }
  }
  const auto index = static_cast<uint32_t>(spans_.size());
  ByteSink sink(&values_);
  sink.Varint(value.size());
  spans_.emplace_back(values_.size(), static_cast<uint32_t>(value.size()));
  values_.append(value);
  slots_[i] = index + 1;
  slot_hashes_[i] = tag;
  if (2 * spans_.size() > slots_.size()) Grow();
  return index;
}

void SegmentBuilder::StringColumn::Grow() {
  std::vector<uint32_t> slots(slots_.size() * 2, 0);
  std::vector<uint32_t> hashes(slots.size(), 0);
  const size_t mask = slots.size() - 1;
  for (uint32_t index = 0; index < spans_.size(); ++index) {
    const auto& [offset, length] = spans_[index];
    const uint64_t hash =
        std::hash<std::string_view>{}(std::string_view(values_.data() + offset, length));
    size_t i = (hash >> 32 ^ hash) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = index + 1;
    hashes[i] = static_cast<uint32_t>(hash);
  }
  slots_ = std::move(slots);
  slot_hashes_ = std::move(hashes);
}

std::string SegmentBuilder::StringColumn::Take() {
  std::string out;
  out.reserve(10 + values_.size() + indices_.size());
  ByteSink(&out).Varint(spans_.size());
  out += values_;
  out += indices_;
  *this = StringColumn();
  return out;
}

}  // namespace inferscope
