#ifndef INFERSCOPE_STORE_FSYNC_POLICY_H_
#define INFERSCOPE_STORE_FSYNC_POLICY_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace inferscope {

// When the WAL makes acknowledged records durable (trade-offs: docs/format/wal.md).
//   always        ack after fdatasync: an acknowledged batch survives kill -9 and power loss.
//   interval=Nms  ack after write(2); fdatasync every N ms: survives kill -9 (the page cache
//                 outlives the process), loses up to N ms of acks on power loss / OS crash.
//   never         ack after write(2); the OS decides: survives kill -9 only.
struct FsyncPolicy {
  enum class Mode { kAlways, kInterval, kNever };
  Mode mode = Mode::kAlways;
  int64_t interval_ns = 0;  // kInterval only; > 0

  static FsyncPolicy Always() { return {}; }
  static FsyncPolicy Never() { return {Mode::kNever, 0}; }
  static FsyncPolicy Interval(int64_t ns) { return {Mode::kInterval, ns}; }
};

// "always", "never", "interval=<duration>" (core ParseDuration: "10ms", "1s").
Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text);
// The inverse ("interval=10ms" for whole milliseconds, else nanoseconds "interval=1500us"...).
std::string FormatFsyncPolicy(const FsyncPolicy& policy);

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_FSYNC_POLICY_H_
