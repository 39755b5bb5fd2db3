#ifndef INFERSCOPE_INGEST_PROMETHEUS_QUERY_RANGE_SPLITTER_H_
#define INFERSCOPE_INGEST_PROMETHEUS_QUERY_RANGE_SPLITTER_H_

#include <cstdint>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace inferscope {

// The most requests one split may produce (110 million points per series at 11,000 each).
inline constexpr uint64_t kMaxQueryRangePieces = 10'000;

// One query_range request: evaluation at start, start + step, ..., up to end (inclusive).
struct QueryRangePiece {
  TimestampNs start = 0;
  TimestampNs end = 0;
  friend bool operator==(const QueryRangePiece&, const QueryRangePiece&) = default;
};

// Cuts [start, end] at resolution `step_ns` into consecutive pieces of at most
// `max_points` evaluation points each, on the same grid (start + k * step), without overlap:
// piece i+1 starts one step after piece i ends, so stitching the answers never duplicates a
// boundary point. The last piece ends on the last grid point <= end (a range query never
// evaluates past it anyway).
//
// Prometheus refuses a query_range whose (end - start) / step exceeds 11,000 ("exceeded
// maximum resolution of 11,000 points per timeseries"); VictoriaMetrics' default limit
// (-search.maxPointsPerTimeseries) is 30,000 points. max_points = 11,000 satisfies both.
//
// InvalidArgument when step_ns <= 0, end < start, or max_points < 1; ResourceExhausted
// when more than kMaxQueryRangePieces requests would be needed (a step far too small for the
// range, e.g. 1 ms over a month). Pure function.
Result<std::vector<QueryRangePiece>> SplitQueryRange(TimestampNs start, TimestampNs end,
                                                     int64_t step_ns, int64_t max_points);

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_PROMETHEUS_QUERY_RANGE_SPLITTER_H_
