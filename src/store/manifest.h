#ifndef INFERSCOPE_STORE_MANIFEST_H_
#define INFERSCOPE_STORE_MANIFEST_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace inferscope {

// One live segment as the manifest lists it.
struct SegmentMeta {
  uint64_t id = 0;  // file name seg-<id, 16 hex>.isg
  TimestampNs partition_start_ns = 0;
  TimestampNs min_ts = 0;
  TimestampNs max_ts = 0;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  bool operator==(const SegmentMeta&) const = default;
};

// The store's commit point (docs/format/segment.md, "MANIFEST"): which segments are live
// and up to which WAL sequence number their events reach. Replaced atomically (write a
// temporary file, fsync, rename, fsync the directory), so after a crash the store sees
// either the old or the new set; segment files it does not list are leftovers of an
// unfinished flush and are deleted on open.
struct Manifest {
  uint64_t flushed_seq = 0;  // WAL records <= this are in segments; replay skips them
  uint64_t next_segment_id = 1;
  std::vector<SegmentMeta> segments;
  bool operator==(const Manifest&) const = default;
};

inline constexpr std::string_view kManifestName = "MANIFEST";

std::string SegmentFileName(uint64_t id);
std::string EncodeManifest(const Manifest& manifest);
// DataLoss on a bad magic, CRC or layout.
Result<Manifest> DecodeManifest(std::string_view bytes);
Status WriteManifest(const std::string& dir, const Manifest& manifest);
// An empty Manifest when the directory has none yet.
Result<Manifest> ReadManifest(const std::string& dir);

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_MANIFEST_H_
