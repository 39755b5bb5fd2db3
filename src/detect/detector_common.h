#ifndef INFERSCOPE_DETECT_DETECTOR_COMMON_H_
#define INFERSCOPE_DETECT_DETECTOR_COMMON_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/status.h"
#include "detect/series_detector.h"

namespace inferscope {

// What every streaming statistical detector shares: the score convention, the direction and
// min_abs_deviation gates, and the checkpoint header. See docs/detectors.md.

// The score at which a detector's configured threshold is crossed: score >= kFireScore means
// "the classic rule of this detector fires".
inline constexpr double kFireScore = 0.5;

// Maps ratio = |native statistic| / configured threshold (>= 0) onto [0, 1]:
//   score = 0                       for ratio <= 0.5
//   score = 1 - 2^-(2 * ratio - 1)  above (0.5 at ratio 1, 0.75 at 1.5, 0.875 at 2, -> 1)
// Monotone, so score >= 0.5 <=> ratio >= 1; half the threshold and below scores exactly 0.
// NaN maps to 0, +inf to 1.
double ScoreFromRatio(double ratio);

// Builds the output for a scored point. deviation is value - expected (or the detector's
// native signed deviation); it decides the side. Score is 0 when |deviation| <
// min_abs_deviation, when deviation is 0, or when its side is not watched.
DetectorOutput ScoreDeviation(double deviation, double ratio, Direction watch,
                              double min_abs_deviation, double expected, double lower,
                              double upper);

// Output for a skipped (NaN) point or a point seen while learning.
DetectorOutput QuietOutput(bool learning);

// "above" / "below" / "both".
std::string_view DirectionName(Direction d);
std::optional<Direction> DirectionByName(std::string_view name);

// Checkpoint header: a 4-byte tag naming the detector and a format version. ReadStateHeader
// reports InvalidArgument for another detector's state or an unknown version, DataLoss when
// truncated.
void WriteStateHeader(StateWriter& w, uint32_t tag, uint8_t version);
Status ReadStateHeader(StateReader& r, uint32_t tag, uint8_t version);

// The state shared by the window-based detectors (robust_z, iqr, cusum, ...): the header,
// the number of points seen and one window (RollingWindow / RollingMedian). Extra fields
// follow in the caller.
template <typename Window>
void SaveCountedWindow(StateWriter& w, uint32_t tag, uint8_t version, uint64_t seen,
                       const Window& window) {
  WriteStateHeader(w, tag, version);
  w.U64(seen);
  window.Save(w);
}

template <typename Window>
Status LoadCountedWindow(StateReader& r, uint32_t tag, uint8_t version, uint64_t* seen,
                         Window* window) {
  INFERSCOPE_RETURN_IF_ERROR(ReadStateHeader(r, tag, version));
  INFERSCOPE_RETURN_IF_ERROR(r.U64(seen));
  return window->Load(r);
}

// Tag from four characters, e.g. StateTag("rbz1").
constexpr uint32_t StateTag(const char (&s)[5]) {
  return static_cast<uint32_t>(static_cast<uint8_t>(s[0])) |
         static_cast<uint32_t>(static_cast<uint8_t>(s[1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(s[3])) << 24;
}

// A scale that is never 0: max(sigma, 1e-9 * |level|, 1e-300), so a perfectly flat
// baseline makes any deviation infinitely significant instead of dividing by zero
// (min_abs_deviation is the knob that keeps such series quiet).
double FloorSigma(double sigma, double level);

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_DETECTOR_COMMON_H_
