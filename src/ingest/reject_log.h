#ifndef INFERSCOPE_INGEST_REJECT_LOG_H_
#define INFERSCOPE_INGEST_REJECT_LOG_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace inferscope {

// One rejected input record and why.
struct RecordReject {
  std::string source;  // file path, "-" for stdin, or a request description
  uint64_t line = 0;   // 1-based line number within source
  std::string reason;  // e.g. "field 'latency_ms': expected a number, got a string"
};

// Counts every reject and keeps the first `keep_first` in full. Rejects past that are
// counted only, so memory stays bounded on a file full of garbage. Not thread-safe.
class RejectLog {
 public:
  explicit RejectLog(size_t keep_first = 20) : keep_first_(keep_first) {}

  void Add(std::string_view source, uint64_t line, std::string_view reason);
  // Adds another log's rejects (counts all, keeps its first ones while room is left).
  void Merge(const RejectLog& other);
  // The same, with the other's line numbers shifted by `line_offset` (a log of one part of a
  // file, numbered from the part's first line).
  void Merge(const RejectLog& other, uint64_t line_offset);

  size_t keep_first() const { return keep_first_; }
  uint64_t total() const { return total_; }
  const std::vector<RecordReject>& first() const { return first_; }

 private:
  size_t keep_first_;
  uint64_t total_ = 0;
  std::vector<RecordReject> first_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_REJECT_LOG_H_
