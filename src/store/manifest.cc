#include "store/manifest.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstring>

#include "core/crc32c.h"
#include "store/byte_io.h"
#include "store/file_util.h"

namespace inferscope {
namespace {

constexpr std::string_view kMagic = "ISMANI01";
constexpr size_t kSegmentBytes = 6 * 8;

}  // namespace

std::string SegmentFileName(uint64_t id) { return fmt::format("seg-{:016x}.isg", id); }

std::string EncodeManifest(const Manifest& m) {
  std::string out(kMagic);
  ByteSink s(&out);
  s.U64(m.flushed_seq);
  s.U64(m.next_segment_id);
  s.U32(static_cast<uint32_t>(m.segments.size()));
  for (const auto& g : m.segments) {
    s.U64(g.id);
    s.I64(g.partition_start_ns);
    s.I64(g.min_ts);
    s.I64(g.max_ts);
    s.U64(g.rows);
    s.U64(g.bytes);
  }
  s.U32(Crc32c(out.data(), out.size()));
  return out;
}

Result<Manifest> DecodeManifest(std::string_view bytes) {
  if (bytes.size() < kMagic.size() + 8 + 8 + 4 + 4) {
    return Status::DataLoss(fmt::format("MANIFEST: {} bytes, too short", bytes.size()));
  }
  uint32_t crc = 0;
  std::memcpy(&crc, bytes.data() + bytes.size() - 4, 4);
  if (Crc32c(bytes.data(), bytes.size() - 4) != crc) {
    return Status::DataLoss("MANIFEST: CRC mismatch");
  }
  if (bytes.substr(0, kMagic.size()) != kMagic) return Status::DataLoss("MANIFEST: bad magic");
  ByteSource s(bytes.substr(kMagic.size(), bytes.size() - kMagic.size() - 4));
  Manifest m;
  uint32_t n = 0;
  INFERSCOPE_RETURN_IF_ERROR(s.U64(&m.flushed_seq));
  INFERSCOPE_RETURN_IF_ERROR(s.U64(&m.next_segment_id));
  INFERSCOPE_RETURN_IF_ERROR(s.U32(&n));
  if (n != s.remaining() / kSegmentBytes || s.remaining() % kSegmentBytes != 0) {
    return Status::DataLoss("MANIFEST: segment count does not match its size");
  }
  m.segments.resize(n);
  for (auto& g : m.segments) {
    INFERSCOPE_RETURN_IF_ERROR(s.U64(&g.id));
    INFERSCOPE_RETURN_IF_ERROR(s.I64(&g.partition_start_ns));
    INFERSCOPE_RETURN_IF_ERROR(s.I64(&g.min_ts));
    INFERSCOPE_RETURN_IF_ERROR(s.I64(&g.max_ts));
    INFERSCOPE_RETURN_IF_ERROR(s.U64(&g.rows));
    INFERSCOPE_RETURN_IF_ERROR(s.U64(&g.bytes));
    if (g.id >= m.next_segment_id) {
      return Status::DataLoss(fmt::format("MANIFEST: segment id {} not below next id", g.id));
    }
  }
  return m;
}

Status WriteManifest(const std::string& dir, const Manifest& manifest) {
  return WriteFileAtomic(dir, std::string(kManifestName), EncodeManifest(manifest));
}

Result<Manifest> ReadManifest(const std::string& dir) {
  const std::string path = dir + "/" + std::string(kManifestName);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Manifest{};
  INFERSCOPE_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(path));
  auto m = DecodeManifest(bytes);
  if (!m.ok()) return m.status().WithContext(path);
  return m;
}

}  // namespace inferscope
