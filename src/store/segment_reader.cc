#include "store/segment_reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

#include "core/crc32c.h"
#include "store/byte_io.h"
#include "store/file_util.h"

namespace inferscope {

Result<std::unique_ptr<SegmentReader>> SegmentReader::OpenFile(const std::string& path,
                                                               const Options& options) {
  std::unique_ptr<SegmentReader> r(new SegmentReader());
  r->options_ = options;
  r->path_ = path;
  r->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r->fd_ < 0) {
    if (errno == ENOENT) return Status::NotFound(fmt::format("segment {} is missing", path));
    return Status::IoError(fmt::format("open {}: {}", path, std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(r->fd_, &st) != 0) {
    return Status::IoError(fmt::format("fstat {}: {}", path, std::strerror(errno)));
  }
  r->size_ = static_cast<uint64_t>(st.st_size);
  if (Status s = r->ParseFooter(); !s.ok()) return s.WithContext(path);
  return r;
}

Result<std::unique_ptr<SegmentReader>> SegmentReader::OpenBytes(std::string_view bytes,
                                                                const Options& options) {
  std::unique_ptr<SegmentReader> r(new SegmentReader());
  r->options_ = options;
  r->path_ = "<memory>";
  r->mem_ = bytes;
  r->size_ = bytes.size();
  INFERSCOPE_RETURN_IF_ERROR(r->ParseFooter());
  return r;
}

SegmentReader::~SegmentReader() {
  if (fd_ >= 0) ::close(fd_);
}

Status SegmentReader::ReadRange(uint64_t offset, uint64_t n, std::string* out) const {
  if (offset > size_ || n > size_ - offset) {
    return Status::DataLoss(
        fmt::format("range [{}, +{}) past the end ({} bytes)", offset, n, size_));
  }
  if (fd_ < 0) {
    out->assign(mem_.substr(offset, n));
    return Status::Ok();
  }
  return ReadAt(fd_, offset, n, out);
}

Status SegmentReader::ParseFooter() {
  const uint64_t min_size = kSegmentMagic.size() + kSegmentTrailerBytes;
  if (size_ < min_size) {
    return Status::DataLoss(fmt::format("{} bytes: too short for a segment", size_));
  }
  std::string buf;
  INFERSCOPE_RETURN_IF_ERROR(ReadRange(0, kSegmentMagic.size(), &buf));
  if (buf != kSegmentMagic) return Status::DataLoss("bad magic at offset 0: not a segment");
  INFERSCOPE_RETURN_IF_ERROR(ReadRange(size_ - kSegmentTrailerBytes, kSegmentTrailerBytes, &buf));
  uint32_t footer_len = 0, footer_crc = 0;
  std::memcpy(&footer_len, buf.data(), 4);
  std::memcpy(&footer_crc, buf.data() + 4, 4);
  if (std::string_view(buf).substr(8) != kSegmentMagic) {
    return Status::DataLoss("bad trailer magic: truncated or not a segment");
  }
  if (footer_len > size_ - min_size) {
    return Status::DataLoss(fmt::format("footer length {} past the start of the file", footer_len));
  }
  const uint64_t footer_start = size_ - kSegmentTrailerBytes - footer_len;
  std::string footer;
  INFERSCOPE_RETURN_IF_ERROR(ReadRange(footer_start, footer_len, &footer));
  if (Crc32c(footer.data(), footer.size()) != footer_crc) {
    return Status::DataLoss(fmt::format("footer CRC mismatch at offset {}", footer_start));
  }
  ByteSource f(footer);
  uint32_t version = 0, ncols = 0;
  INFERSCOPE_RETURN_IF_ERROR(f.U32(&version));
  if (version != kSegmentVersion) {
    return Status::DataLoss(
        fmt::format("segment version {} (this build reads {})", version, kSegmentVersion));
  }
  INFERSCOPE_RETURN_IF_ERROR(f.I64(&info_.partition_start_ns));
  INFERSCOPE_RETURN_IF_ERROR(f.I64(&info_.partition_width_ns));
  INFERSCOPE_RETURN_IF_ERROR(f.U64(&info_.rows));
  INFERSCOPE_RETURN_IF_ERROR(f.I64(&info_.min_ts));
  INFERSCOPE_RETURN_IF_ERROR(f.I64(&info_.max_ts));
  INFERSCOPE_RETURN_IF_ERROR(f.U64(&info_.wal_seq_hi));
  INFERSCOPE_RETURN_IF_ERROR(f.U32(&ncols));
  if (info_.partition_width_ns <= 0) return Status::DataLoss("footer: partition width <= 0");
  TimestampNs partition_end = 0;
  if (__builtin_add_overflow(info_.partition_start_ns, info_.partition_width_ns, &partition_end)) {
    return Status::DataLoss("footer: partition end overflows");
  }
  if (info_.rows > 0 && (info_.min_ts > info_.max_ts || info_.min_ts < info_.partition_start_ns ||
                         info_.max_ts >= partition_end)) {
    return Status::DataLoss("footer: row time range outside the partition");
  }
  constexpr size_t kEntryBytes = 4 + 1 + 8 + 8 + 8 + 4;
  if (ncols > f.remaining() / kEntryBytes) return Status::DataLoss("footer: bad column count");
  for (uint32_t i = 0; i < ncols; ++i) {
    uint32_t id = 0;
    Column c{};
    INFERSCOPE_RETURN_IF_ERROR(f.U32(&id));
    INFERSCOPE_RETURN_IF_ERROR(f.U8(&c.codec));
    INFERSCOPE_RETURN_IF_ERROR(f.U64(&c.offset));
    INFERSCOPE_RETURN_IF_ERROR(f.U64(&c.stored_len));
    INFERSCOPE_RETURN_IF_ERROR(f.U64(&c.raw_len));
    INFERSCOPE_RETURN_IF_ERROR(f.U32(&c.crc));
    if (c.offset < kSegmentMagic.size() || c.offset > footer_start ||
        c.stored_len > footer_start - c.offset) {
      return Status::DataLoss(fmt::format("column {}: block outside the data area", id));
    }
    if (c.codec > static_cast<uint8_t>(SegmentCodec::kZstd) ||
        (c.codec == static_cast<uint8_t>(SegmentCodec::kRaw) && c.raw_len != c.stored_len)) {
      return Status::DataLoss(fmt::format("column {}: bad codec {}", id, c.codec));
    }
    if (c.raw_len > options_.max_column_bytes) {
      return Status::DataLoss(fmt::format("column {}: {} bytes over the limit", id, c.raw_len));
    }
    if (!columns_.emplace(id, c).second) {
      return Status::DataLoss(fmt::format("column {} listed twice", id));
    }
  }
  if (f.remaining() != 0) return Status::DataLoss("footer: trailing bytes");
  return Status::Ok();
}

Result<std::string> SegmentReader::ReadColumn(uint32_t id) const {
  auto it = columns_.find(id);
  if (it == columns_.end()) return Status::DataLoss(fmt::format("column {} missing", id));
  const Column& c = it->second;
  std::string stored;
  INFERSCOPE_RETURN_IF_ERROR(ReadRange(c.offset, c.stored_len, &stored));
  if (Crc32c(stored.data(), stored.size()) != c.crc) {
    return Status::DataLoss(fmt::format("column {}: CRC mismatch at offset {}", id, c.offset));
  }
  if (c.codec == static_cast<uint8_t>(SegmentCodec::kRaw)) return stored;
  const unsigned long long declared = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (declared != c.raw_len) {
    return Status::DataLoss(
        fmt::format("column {}: zstd frame size does not match the footer", id));
  }
  std::string raw(c.raw_len, '\0');
  const size_t n = ZSTD_decompress(raw.data(), raw.size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != c.raw_len) {
    return Status::DataLoss(fmt::format("column {}: zstd: {}", id,
                                        ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short frame"));
  }
  return raw;
}

Status SegmentReader::ReadEvents(std::vector<StoredEvent>* out, const RowFilter& keep) const {
  const uint64_t rows = info_.rows;
  INFERSCOPE_ASSIGN_OR_RETURN(std::string ts_col, ReadColumn(kTimestampColumn));
  if (rows > ts_col.size()) return Status::DataLoss("timestamp column shorter than the rows");
  std::vector<StoredEvent> events(rows);
  {
    ByteSource s(ts_col);
    TimestampNs prev = info_.min_ts;
    for (auto& e : events) {
      int64_t d = 0;
      INFERSCOPE_RETURN_IF_ERROR(s.SignedVarint(&d));
      if (d < 0 || __builtin_add_overflow(prev, d, &prev) || prev > info_.max_ts) {
        return Status::DataLoss("timestamps out of order or outside the footer's range");
      }
      e.timestamp_ns = prev;
    }
    if (s.remaining() != 0) return Status::DataLoss("timestamp column: trailing bytes");
  }
  {
    INFERSCOPE_ASSIGN_OR_RETURN(std::string col, ReadColumn(kIdColumn));
    ByteSource s(col);
    uint64_t prev = 0;
    for (auto& e : events) {
      int64_t d = 0;
      INFERSCOPE_RETURN_IF_ERROR(s.SignedVarint(&d));
      prev += static_cast<uint64_t>(d);
      e.id = prev;
    }
    if (s.remaining() != 0) return Status::DataLoss("id column: trailing bytes");
  }
  {
    INFERSCOPE_ASSIGN_OR_RETURN(std::string col, ReadColumn(kStatusColumn));
    if (col.size() != rows) return Status::DataLoss("status column: wrong size");
    for (size_t i = 0; i < rows; ++i) {
      const auto v = static_cast<uint8_t>(col[i]);
      if (v > static_cast<uint8_t>(EventStatus::kTimeout)) {
        return Status::DataLoss(fmt::format("status column: bad status {} at row {}", v, i));
      }
      events[i].status = static_cast<EventStatus>(v);
    }
  }
  {
    INFERSCOPE_ASSIGN_OR_RETURN(std::string col, ReadColumn(kPresenceColumn));
    ByteSource s(col);
    for (auto& e : events) {
      uint64_t mask = 0;
      INFERSCOPE_RETURN_IF_ERROR(
          s.BoundedVarint((uint64_t{1} << kEventFieldCount) - 1, &mask, "presence mask"));
      e.present = static_cast<uint32_t>(mask);
    }
    if (s.remaining() != 0) return Status::DataLoss("presence column: trailing bytes");
  }
  for (int f = 0; f < kEventFieldCount; ++f) {
    INFERSCOPE_ASSIGN_OR_RETURN(std::string col,
                                ReadColumn(kValueColumnBase + static_cast<uint32_t>(f)));
    ByteSource s(col);
    for (auto& e : events) {
      if (e.Has(static_cast<EventField>(f))) {
        if (Status st = s.F64(&e.values[f]); !st.ok()) {
          return st.WithContext(
              fmt::format("values of {}", EventFieldName(static_cast<EventField>(f))));
        }
      }
    }
    if (s.remaining() != 0) return Status::DataLoss("value column: trailing bytes");
  }
  // String column i into the rows whose flag is set (all rows are parsed, to validate).
  auto read_strings = [&](int i, const std::vector<char>& wanted_rows) -> Status {
    INFERSCOPE_ASSIGN_OR_RETURN(std::string col,
                                ReadColumn(kStringColumnBase + static_cast<uint32_t>(i)));
    ByteSource s(col);
    uint64_t n = 0;
    INFERSCOPE_RETURN_IF_ERROR(s.BoundedVarint(s.remaining(), &n, "dictionary size"));
    std::vector<std::string_view> dict(n);
    for (auto& d : dict) INFERSCOPE_RETURN_IF_ERROR(s.Str(&d));
    for (size_t r = 0; r < events.size(); ++r) {
      uint64_t idx = 0;
      if (n == 0) return Status::DataLoss("string column: empty dictionary with rows");
      INFERSCOPE_RETURN_IF_ERROR(s.BoundedVarint(n - 1, &idx, "dictionary index"));
      if (wanted_rows[r]) events[r].*kStoredStrings[i] = dict[idx];
    }
    if (s.remaining() != 0) return Status::DataLoss("string column: trailing bytes");
    return Status::Ok();
  };
  constexpr int kModelString = 1;  // kStoredStrings order
  constexpr int kTraceIdString = 7;
  static_assert(kStoredStrings[kModelString] == &StoredEvent::model);
  static_assert(kStoredStrings[kTraceIdString] == &StoredEvent::trace_id);
  std::vector<char> kept(events.size(), 1);
  INFERSCOPE_RETURN_IF_ERROR(read_strings(kModelString, kept));
  INFERSCOPE_RETURN_IF_ERROR(read_strings(kTraceIdString, kept));
  size_t kept_count = events.size();
  if (keep) {
    kept_count = 0;
    for (size_t r = 0; r < events.size(); ++r) {
      kept[r] = keep(events[r]) ? 1 : 0;
      kept_count += kept[r];
    }
    if (kept_count == 0) return Status::Ok();
  }
  for (int i = 0; i < kStoredStringCount; ++i) {
    if (i == kModelString || i == kTraceIdString) continue;
    INFERSCOPE_RETURN_IF_ERROR(read_strings(i, kept));
  }
  {
    INFERSCOPE_ASSIGN_OR_RETURN(std::string col, ReadColumn(kAttributeColumn));
    ByteSource s(col);
    for (size_t r = 0; r < events.size(); ++r) {
      uint64_t n = 0;
      INFERSCOPE_RETURN_IF_ERROR(s.BoundedVarint(s.remaining() / 2, &n, "attribute count"));
      if (kept[r]) events[r].attributes.reserve(n);
      for (uint64_t a = 0; a < n; ++a) {
        std::string_view k, v;
        INFERSCOPE_RETURN_IF_ERROR(s.Str(&k));
        INFERSCOPE_RETURN_IF_ERROR(s.Str(&v));
        if (kept[r]) events[r].attributes.emplace_back(k, v);
      }
    }
    if (s.remaining() != 0) return Status::DataLoss("attribute column: trailing bytes");
  }
  out->reserve(out->size() + kept_count);
  for (size_t r = 0; r < events.size(); ++r) {
    if (kept[r]) out->push_back(std::move(events[r]));
  }
  return Status::Ok();
}

Status SegmentReader::ReadMinuteRollups(RollupTable* into) const {
  INFERSCOPE_ASSIGN_OR_RETURN(std::string col, ReadColumn(kMinuteRollupColumn));
  return into->MergeSerialized(col).WithContext("minute rollups");
}

Status SegmentReader::ReadHourRollups(RollupTable* into) const {
  INFERSCOPE_ASSIGN_OR_RETURN(std::string col, ReadColumn(kHourRollupColumn));
  return into->MergeSerialized(col).WithContext("hour rollups");
}

Status SegmentReader::ReadUserRollups(UserRollupTable* into) const {
  if (!has_user_rollups()) return Status::Ok();
  INFERSCOPE_ASSIGN_OR_RETURN(std::string col, ReadColumn(kUserRollupColumn));
  if (into->width_ns() == kNanosPerHour) {
    return into->MergeSerialized(col).WithContext("user rollups");
  }
  UserRollupTable hours(kNanosPerHour);
  INFERSCOPE_RETURN_IF_ERROR(hours.MergeSerialized(col).WithContext("user rollups"));
  into->MergeFrom(hours);
  return Status::Ok();
}

}  // namespace inferscope
