#include "ingest/prometheus/retry_policy.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

namespace inferscope {

void SleepThread(int64_t ns) {
  if (ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(ns));
}

int64_t RetryPolicy::DelayNs(int next_attempt, int64_t retry_after_ns) const {
  const int64_t cap = std::max<int64_t>(0, max_backoff_ns);
  int64_t delay = std::clamp<int64_t>(initial_backoff_ns, 0, cap);
  for (int i = 2; i < next_attempt && delay < cap; ++i) {
    delay = delay > cap / 2 ? cap : delay * 2;
  }
  if (retry_after_ns > delay) delay = std::min(retry_after_ns, cap);
  return delay;
}

int64_t ParseRetryAfterNs(std::string_view header) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  while (!header.empty() && header.back() == ' ') header.remove_suffix(1);
  int64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (header.empty() || ec != std::errc() || ptr != header.data() + header.size() || seconds <= 0) {
    return 0;
  }
  // A day is far beyond any sensible wait; clamping also keeps the product in range.
  return std::min<int64_t>(seconds, 86'400) * kNanosPerSecond;
}

bool IsRetryableHttpStatus(int status) {
  if (status == 429) return true;
  return status >= 500 && status <= 599 && status != 501 && status != 505;
}

}  // namespace inferscope
