#include "store/fsync_policy.h"

#include <fmt/format.h>

#include "core/time_format.h"

namespace inferscope {

Result<FsyncPolicy> ParseFsyncPolicy(std::string_view text) {
  if (text == "always") return FsyncPolicy::Always();
  if (text == "never") return FsyncPolicy::Never();
  constexpr std::string_view kPrefix = "interval=";
  if (text.substr(0, kPrefix.size()) == kPrefix) {
    auto d = ParseDuration(text.substr(kPrefix.size()));
    if (!d.ok()) {
      return Status::InvalidArgument(
          fmt::format("fsync policy '{}': {}", text, d.status().message()));
    }
    return FsyncPolicy::Interval(*d);
  }
  return Status::InvalidArgument(
      fmt::format("fsync policy '{}': expected always, never or interval=<duration>", text));
}

std::string FormatFsyncPolicy(const FsyncPolicy& policy) {
  switch (policy.mode) {
    case FsyncPolicy::Mode::kAlways:
      return "always";
    case FsyncPolicy::Mode::kNever:
      return "never";
    case FsyncPolicy::Mode::kInterval:
      if (policy.interval_ns % kNanosPerMilli == 0) {
        return fmt::format("interval={}ms", policy.interval_ns / kNanosPerMilli);
      }
      return fmt::format("interval={}ns", policy.interval_ns);
  }
  return "always";
}

}  // namespace inferscope
