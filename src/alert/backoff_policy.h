#ifndef INFERSCOPE_ALERT_BACKOFF_POLICY_H_
#define INFERSCOPE_ALERT_BACKOFF_POLICY_H_

#include <cstdint>

#include "core/clock.h"

namespace inferscope {

// Exponential backoff with full jitter (the AWS Architecture Blog's "Exponential Backoff And
// Jitter"): after the n-th consecutive failure (n >= 1) the next attempt waits
//
//   delay = u * min(max_ns, initial_ns * 2^(n-1)),   u uniform in [0, 1)
//
// Full jitter spreads the retries of many senders that failed together (a receiver that was
// down for everyone) instead of having them return in lockstep. Pure and thread-safe; the
// caller supplies u, so tests fix it.
struct BackoffPolicy {
  int64_t initial_ns = kNanosPerSecond;
  int64_t max_ns = 5 * kNanosPerMinute;

  // min(max_ns, initial_ns * 2^(failures-1)); failures < 1 counts as 1. Never overflows.
  int64_t CeilingNs(int failures) const;
  // u * CeilingNs(failures); u is clamped to [0, 1].
  int64_t DelayNs(int failures, double u) const;
};

}  // namespace inferscope

#endif  // INFERSCOPE_ALERT_BACKOFF_POLICY_H_
