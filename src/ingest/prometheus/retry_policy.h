#ifndef INFERSCOPE_INGEST_PROMETHEUS_RETRY_POLICY_H_
#define INFERSCOPE_INGEST_PROMETHEUS_RETRY_POLICY_H_

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/clock.h"

namespace inferscope {

// Waits `ns` nanoseconds. Production code sleeps the thread; tests pass a function that
// advances a ManualClock, so retry tests never sleep.
using SleepFunction = std::function<void(int64_t ns)>;

// Sleeps the calling thread (std::this_thread::sleep_for).
void SleepThread(int64_t ns);

// Bounded exponential backoff for the Prometheus clients (query API and remote_write).
//
// Attempt n (n >= 2) waits min(max_backoff_ns, initial_backoff_ns * 2^(n-2)) after the
// failure of attempt n-1; a server's Retry-After (seconds) raises that wait, still capped by
// max_backoff_ns. No jitter: one inferscope process talks to one server, there is no herd
// to spread. The whole exchange is bounded twice: at most `max_attempts` requests, and no
// new attempt is started once `total_budget_ns` has passed since the first one (measured
// on the injected Clock). Plain value; thread-compatible.
struct RetryPolicy {
  int max_attempts = 4;
  int64_t initial_backoff_ns = 500 * kNanosPerMilli;
  int64_t max_backoff_ns = 10 * kNanosPerSecond;
  int64_t total_budget_ns = 2 * kNanosPerMinute;

  // The wait before attempt `next_attempt` (>= 2); `retry_after_ns` (0 = none) is the
  // server's Retry-After. Never overflows.
  int64_t DelayNs(int next_attempt, int64_t retry_after_ns = 0) const;
};

// Retry-After as a number of seconds (the HTTP-date form is ignored); 0 when absent or
// unparsable.
int64_t ParseRetryAfterNs(std::string_view header);

// Whether an HTTP status says "try again later": 429 and every 5xx except 501 (not
// implemented) and 505 (version not supported), which no retry can fix.
bool IsRetryableHttpStatus(int status);

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_PROMETHEUS_RETRY_POLICY_H_
