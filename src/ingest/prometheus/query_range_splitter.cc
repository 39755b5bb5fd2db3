#include "ingest/prometheus/query_range_splitter.h"

#include <string>

namespace inferscope {

Result<std::vector<QueryRangePiece>> SplitQueryRange(TimestampNs start, TimestampNs end,
                                                     int64_t step_ns, int64_t max_points) {
  if (step_ns <= 0) {
    return Status::InvalidArgument("query_range step must be positive, got " +
                                   std::to_string(step_ns) + " ns");
  }
  if (end < start) {
    return Status::InvalidArgument("query_range end (" + std::to_string(end) +
                                   " ns) is before start (" + std::to_string(start) + " ns)");
  }
  if (max_points < 1) {
    return Status::InvalidArgument("max points per query_range request must be >= 1");
  }
  // end - start may not fit in int64 for absurd inputs; unsigned arithmetic is exact here.
  const uint64_t span = static_cast<uint64_t>(end) - static_cast<uint64_t>(start);
  const uint64_t last_index = span / static_cast<uint64_t>(step_ns);  // points - 1
  const auto per_piece = static_cast<uint64_t>(max_points);
  const uint64_t piece_count = last_index / per_piece + 1;
  if (piece_count > kMaxQueryRangePieces) {
    return Status::ResourceExhausted("query_range of " + std::to_string(span / kNanosPerSecond) +
                                     " s at step " + std::to_string(step_ns) + " ns needs " +
                                     std::to_string(piece_count) + " requests (limit " +
                                     std::to_string(kMaxQueryRangePieces) + "); use a larger step");
  }
  std::vector<QueryRangePiece> pieces;
  pieces.reserve(static_cast<size_t>(piece_count));
  for (uint64_t first = 0; first <= last_index; first += per_piece) {
    uint64_t last = last_index - first < per_piece ? last_index : first + per_piece - 1;
    QueryRangePiece piece;
    piece.start = static_cast<TimestampNs>(static_cast<uint64_t>(start) +
                                           first * static_cast<uint64_t>(step_ns));
    piece.end = static_cast<TimestampNs>(static_cast<uint64_t>(start) +
                                         last * static_cast<uint64_t>(step_ns));
    pieces.push_back(piece);
    if (last == last_index) break;
  }
  return pieces;
}

}  // namespace inferscope
