#include "store/segment_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "core/crc32c.h"
#include "store/byte_io.h"
#include "store/file_util.h"

namespace inferscope {
namespace {

struct ColumnEntry {
  uint32_t id;
  uint8_t codec;
  uint64_t offset;
  uint64_t stored_len;
  uint64_t raw_len;
  uint32_t crc;
};

void AppendColumn(uint32_t id, const std::string& raw, int level, std::string* file,
                  std::vector<ColumnEntry>* index) {
  ColumnEntry e{id, static_cast<uint8_t>(SegmentCodec::kRaw), file->size(), raw.size(), raw.size(),
                0};
  std::string packed;
  size_t n = 0;
  if (level >= 1) {
    packed.resize(ZSTD_compressBound(raw.size()));
    n = ZSTD_compress(packed.data(), packed.size(), raw.data(), raw.size(), level);
  }
  if (level >= 1 && !ZSTD_isError(n) && n < raw.size()) {
    packed.resize(n);
    e.codec = static_cast<uint8_t>(SegmentCodec::kZstd);
    e.stored_len = n;
    e.crc = Crc32c(packed.data(), packed.size());
    file->append(packed);
  } else {
    e.crc = Crc32c(raw.data(), raw.size());
    file->append(raw);
  }
  index->push_back(e);
}

}  // namespace

std::string BuildSegment(SegmentInfo info, std::span<const StoredEvent* const> events,
                         const RollupTable& minutes, const RollupTable& hours, int zstd_level) {
  info.rows = events.size();
  info.min_ts = events.empty() ? 0 : events.front()->timestamp_ns;
  info.max_ts = events.empty() ? 0 : events.back()->timestamp_ns;

  std::vector<std::pair<uint32_t, std::string>> columns;
  std::string col;
  auto add = [&](uint32_t id) {
    columns.emplace_back(id, std::move(col));
    col.clear();
  };
  {
    ByteSink s(&col);
    TimestampNs prev = info.min_ts;
    for (const auto* e : events) {
      s.SignedVarint(e->timestamp_ns - prev);
      prev = e->timestamp_ns;
    }
    add(kTimestampColumn);
  }
  col.clear();
  {
    ByteSink s(&col);
    uint64_t prev = 0;
    for (const auto* e : events) {
      s.SignedVarint(static_cast<int64_t>(e->id - prev));
      prev = e->id;
    }
    add(kIdColumn);
  }
  col.clear();
  for (const auto* e : events) col.push_back(static_cast<char>(e->status));
  add(kStatusColumn);
  col.clear();
  {
    ByteSink s(&col);
    for (const auto* e : events) s.Varint(e->present & ((1u << kEventFieldCount) - 1));
    add(kPresenceColumn);
  }
  for (int f = 0; f < kEventFieldCount; ++f) {
    col.clear();
    ByteSink s(&col);
    for (const auto* e : events) {
      if (e->Has(static_cast<EventField>(f))) s.F64(e->values[f]);
    }
    add(kValueColumnBase + static_cast<uint32_t>(f));
  }
  for (int i = 0; i < kStoredStringCount; ++i) {
    // Dictionary in first-seen order, then one index per row.
    std::unordered_map<std::string_view, uint64_t> dict;
    std::vector<std::string_view> order;
    std::string indices;
    ByteSink is(&indices);
    for (const auto* e : events) {
      std::string_view v = e->*kStoredStrings[i];
      auto [it, fresh] = dict.try_emplace(v, order.size());
      if (fresh) order.push_back(v);
      is.Varint(it->second);
    }
    col.clear();
    ByteSink s(&col);
    s.Varint(order.size());
    for (auto v : order) s.Str(v);
    col += indices;
    add(kStringColumnBase + static_cast<uint32_t>(i));
  }
  col.clear();
  {
    ByteSink s(&col);
    for (const auto* e : events) {
      s.Varint(e->attributes.size());
      for (const auto& [k, v] : e->attributes) {
        s.Str(k);
        s.Str(v);
      }
    }
    add(kAttributeColumn);
  }
  col.clear();
  minutes.Serialize(&col);
  add(kMinuteRollupColumn);
  col.clear();
  hours.Serialize(&col);
  add(kHourRollupColumn);

  return AssembleSegment(info, columns, zstd_level);
}

std::string AssembleSegment(const SegmentInfo& info,
                            const std::vector<std::pair<uint32_t, std::string>>& columns,
                            int zstd_level) {
  std::string file(kSegmentMagic);
  std::vector<ColumnEntry> index;
  for (const auto& [id, raw] : columns) AppendColumn(id, raw, zstd_level, &file, &index);
  std::string footer;
  ByteSink f(&footer);
  f.U32(kSegmentVersion);
  f.I64(info.partition_start_ns);
  f.I64(info.partition_width_ns);
  f.U64(info.rows);
  f.I64(info.min_ts);
  f.I64(info.max_ts);
  f.U64(info.wal_seq_hi);
  f.U32(static_cast<uint32_t>(index.size()));
  for (const auto& e : index) {
    f.U32(e.id);
    f.U8(e.codec);
    f.U64(e.offset);
    f.U64(e.stored_len);
    f.U64(e.raw_len);
    f.U32(e.crc);
  }
  file += footer;
  ByteSink t(&file);
  t.U32(static_cast<uint32_t>(footer.size()));
  t.U32(Crc32c(footer.data(), footer.size()));
  file += kSegmentMagic;
  return file;
}

Status WriteSegmentFile(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError(fmt::format("open {}: {}", path, std::strerror(errno)));
  Status st = WriteAllFd(fd, bytes, path);
  if (st.ok()) st = SyncFd(fd, path);
  ::close(fd);
  return st;
}

}  // namespace inferscope
