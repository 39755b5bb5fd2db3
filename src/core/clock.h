#ifndef INFERSCOPE_CORE_CLOCK_H_
#define INFERSCOPE_CORE_CLOCK_H_

#include <cstdint>

namespace inferscope {

// Nanoseconds since the Unix epoch, UTC. The one time unit inside the engine.
using TimestampNs = int64_t;

inline constexpr int64_t kNanosPerMicro = 1'000;
inline constexpr int64_t kNanosPerMilli = 1'000'000;
inline constexpr int64_t kNanosPerSecond = 1'000'000'000;
inline constexpr int64_t kNanosPerMinute = 60 * kNanosPerSecond;
inline constexpr int64_t kNanosPerHour = 60 * kNanosPerMinute;
inline constexpr int64_t kNanosPerDay = 24 * kNanosPerHour;

// The seam for "now": production code asks a Clock, tests inject a ManualClock instead of
// sleeping. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time, ns since the epoch (UTC).
  virtual TimestampNs Now() const = 0;
  // Monotonic time in ns from an arbitrary origin; for measuring durations only.
  virtual int64_t MonotonicNs() const = 0;
};

// The real clock (std::chrono::system_clock / steady_clock).
class SystemClock final : public Clock {
 public:
  TimestampNs Now() const override;
  int64_t MonotonicNs() const override;
  // A process-wide instance; never destroyed.
  static const SystemClock& Instance();
};

// A clock that moves only when told to. Not thread-safe: tests drive it from one thread.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimestampNs start = 0) : now_(start) {}
  TimestampNs Now() const override { return now_; }
  int64_t MonotonicNs() const override { return now_; }
  void Advance(int64_t ns) { now_ += ns; }
  void Set(TimestampNs t) { now_ = t; }

 private:
  TimestampNs now_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_CORE_CLOCK_H_
