#ifndef INFERSCOPE_DETECT_SCENARIO_FILE_H_
#define INFERSCOPE_DETECT_SCENARIO_FILE_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "detect/anomaly.h"
#include "detect/anomaly_tracker.h"
#include "detect/ensemble_detector.h"
#include "detect/series_detector.h"

namespace inferscope {

// A detector scenario: a synthetic series, one detector, and what it must (not) flag.
// Plain text, one directive per line, '#' starts a comment (the first comment line is the
// scenario's description). The language is documented in docs/detectors.md ("Scenario
// files"); in short:
//
//   # latency spike on a noisy flat baseline is caught at once
//   detector: robust_z window=64 threshold=3.5 direction=above min_points=30
//   step: 1m                          (time between points; default 1m; start: at t=0)
//   series: noise(mean=200, sd=10, n=300, seed=1) then set(300..309, 600)
//   expect: fire_between 300 302      (some point in [300, 302] scores >= 0.5)
//   expect: quiet 0..299              (no point there scores >= 0.5; "320.." = to the end)
//   expect: learning_until 30         (points < 30 are learning, point 30 is not)
//   expect: max_score_in 0..299 0.2   (no score above 0.2 there)
//
// Lifecycle: the scores also go through an AnomalyTracker (detect/anomaly_tracker.h), set
// with an optional `tracker: pending_for=2m resolve_after=5m cooldown=15m fire=0.5
// resolve=0.3` line (defaults as in AnomalyTracker::Options), and these expectations check
// the incidents it reports (points are indices, as above):
//   expect: incidents 1               (exactly this many incidents reached firing)
//   expect: incident 300..309         (one started at point 300 and resolved with its last
//                                      bad point at 309; "300.." = still firing at the end)
//   expect: fired_at 302              (one became firing at point 302)
//
// Generators append points: constant(value, n), noise(mean, sd, n, seed), ramp(from, to, n),
// sine(mean, amp, period, n, phase) -- phase from the global index, so consecutive sines
// continue -- values(1, 2, nan, ...), nan(n). All generators take sd= and seed= for added
// Gaussian noise. Modifiers change points already generated: set(a..b, v), add(a..b, v).
// Segments are joined by "then"; several series: lines continue each other.
//
// For engine scenarios (tests/detect/scenarios/series/, run through SeriesEngine):
//   labels: model=llama instance=a    (the series' labels; its metric name is "value")
//   ensemble: direction=above min_abs_deviation=5 min_rel_deviation=0.3
// The detector line is then the ensemble's only member.
struct ScenarioExpectation {
  enum class Kind {
    kFireBetween,
    kQuiet,
    kLearningUntil,
    kMaxScoreIn,
    kIncidents,
    kIncident,
    kFiredAt
  };
  Kind kind;
  size_t begin = 0;
  size_t end = 0;  // inclusive; SIZE_MAX means the last point
  double value = 0;
  int line = 0;
  std::string text;  // the directive as written, for messages
};

struct Scenario {
  std::string path;
  std::string description;
  std::string detector_spec;
  int detector_line = 0;
  int64_t step_ns = kNanosPerMinute;
  AnomalyTracker::Options tracker;
  TimestampNs start_ns = 0;
  std::vector<double> values;
  std::vector<ScenarioExpectation> expectations;
  std::vector<std::pair<std::string, std::string>> labels;  // `labels:`, in file order
  EnsembleOptions ensemble;                                 // `ensemble:`

  TimestampNs TimeOf(size_t i) const { return start_ns + static_cast<int64_t>(i) * step_ns; }
};

// Parses a scenario; errors are InvalidArgument "path:line: what".
Result<Scenario> ParseScenario(std::string_view text, std::string_view path);
Result<Scenario> LoadScenarioFile(const std::string& path);

// Feeds every point to the detector, in order.
std::vector<DetectorOutput> RunScenario(const Scenario& scenario, SeriesDetector& detector);

// Checks the expectations and the invariants every detector must keep (score in [0, 1],
// score 0 while learning and on NaN points). Returns one "path:line: ..." message per
// failure; empty when the scenario passes. Lifecycle expectations are checked against
// `incidents` when given (an engine's own), else against an AnomalyTracker run here over
// the outputs.
std::vector<std::string> CheckScenario(const Scenario& scenario,
                                       std::span<const DetectorOutput> outputs,
                                       const std::vector<Anomaly>* incidents = nullptr);

}  // namespace inferscope

#endif  // INFERSCOPE_DETECT_SCENARIO_FILE_H_
