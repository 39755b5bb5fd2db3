#ifndef INFERSCOPE_INSIGHT_INVESTIGATION_ACCUMULATOR_H_
#define INFERSCOPE_INSIGHT_INVESTIGATION_ACCUMULATOR_H_

#include <cstdint>
#include <map>
#include <string>

#include "core/clock.h"
#include "core/event.h"
#include "insight/analysis_report.h"
#include "stats/bucket_stats.h"

namespace inferscope {

// Compares a suspect window [from, to) with the baseline window [from - baseline, from)
// just before it: load, concurrency, batching, GPU, memory, tokens, queue, cache, cost, and
// which users / task types / cache tiers / services gained share. Fed every event (it
// ignores those outside both windows). Memory: two BucketStats plus one counter per distinct
// dimension value seen inside the two windows. Not thread-safe.
class InvestigationAccumulator {
 public:
  InvestigationAccumulator(TimestampNs from_ns, TimestampNs to_ns, int64_t baseline_ns);

  void Add(const Event& event);
  // Adds the events another accumulator over the same windows was fed (counts and dimension
  // tallies add exactly; sums up to rounding). No-op when the windows differ.
  void Merge(const InvestigationAccumulator& other);
  // `model` is "*" or the single model the input was filtered to.
  Investigation Finish(const std::string& model) const;

 private:
  struct Side {
    BucketStats stats;
    // dimension name -> value -> (requests, cost)
    std::map<std::string, std::map<std::string, std::pair<uint64_t, double>>, std::less<>> dims;
  };
  void AddDimension(Side& side, std::string_view dim, std::string_view value, const Event& e);

  TimestampNs from_ns_;
  TimestampNs to_ns_;
  TimestampNs baseline_from_ns_;
  Side window_;
  Side baseline_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_INVESTIGATION_ACCUMULATOR_H_
