#include "store/segment_writer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/crc32c.h"
#include "store/byte_io.h"
#include "store/file_util.h"
#include "store/segment_builder.h"

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
                         const RollupTable& minutes, const RollupTable& hours, int zstd_level,
                         const UserRollupTable* users) {
  SegmentBuilder builder;
  std::string scratch;
  for (const StoredEvent* e : events) builder.Add(EventRowView::Of(*e, &scratch));
  return builder.Finish(info, minutes, hours, zstd_level, users);
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
