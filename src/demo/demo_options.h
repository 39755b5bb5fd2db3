#ifndef INFERSCOPE_DEMO_DEMO_OPTIONS_H_
#define INFERSCOPE_DEMO_DEMO_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "demo/incident.h"

namespace inferscope {

// 2026-01-05T00:00:00Z, a Monday: the fixed default start so output is reproducible.
inline constexpr TimestampNs kDefaultDemoStartNs = 1'767'571'200 * kNanosPerSecond;

// What the demo generator produces. Same options -> byte-identical output.
struct DemoOptions {
  TimestampNs start_ns = kDefaultDemoStartNs;
  int64_t duration_ns = kNanosPerDay;  // > 0
  // Mean request rate over a whole day (the instantaneous rate follows a daily curve and
  // a mild weekday/weekend effect). > 0.
  double requests_per_s = 5.0;
  uint64_t seed = 1;
  // Each is injected once at a seeded time, windows not overlapping and none in the first
  // 20% of the span (detectors need a baseline).
  std::vector<IncidentKind> incidents;
  // Empty -> the built-in fleet (see BuiltinModelProfiles). Names may use letters, digits
  // and . _ - : / only.
  std::vector<std::string> models;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DEMO_DEMO_OPTIONS_H_
