#ifndef INFERSCOPE_DEMO_TRAFFIC_GENERATOR_H_
#define INFERSCOPE_DEMO_TRAFFIC_GENERATOR_H_

#include <cstdint>
#include <cstdio>
#include <vector>

#include "core/result.h"
#include "demo/demo_options.h"
#include "demo/incident.h"

namespace inferscope {

// Generates realistic inference-service logs (docs/log-format.md, one JSON object per line)
// with injected, labelled incidents; docs/demo.md describes the traffic model.
//
// Deterministic: the same options give byte-identical output on the same build. Requests
// draw from their own random streams, so output before the first incident window is the
// same with or without incidents. Timestamps (request arrival, ms precision) are
// non-decreasing and lie in [start_ns, start_ns + duration_ns).
//
// Single-threaded; not thread-safe. Allocation-free per line; writes in 1 MiB blocks.
class TrafficGenerator {
 public:
  explicit TrafficGenerator(DemoOptions options);

  // Writes the whole span as JSON lines to `out` (not owned, not closed; flushed at the
  // end) and returns the labels of the injected incidents in time order. InvalidArgument
  // for bad options (rate or duration <= 0, bad model names, a span too short for the
  // incidents), IoError when a write fails. Calling it again writes the same output again.
  Result<std::vector<IncidentLabel>> Write(std::FILE* out);

  // Lines written by the last Write.
  uint64_t lines_written() const { return lines_written_; }
  const DemoOptions& options() const { return options_; }

 private:
  DemoOptions options_;
  uint64_t lines_written_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DEMO_TRAFFIC_GENERATOR_H_
