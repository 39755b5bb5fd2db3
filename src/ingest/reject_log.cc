#include "ingest/reject_log.h"

namespace inferscope {

void RejectLog::Add(std::string_view source, uint64_t line, std::string_view reason) {
  ++total_;
  if (first_.size() < keep_first_) {
    first_.push_back(RecordReject{std::string(source), line, std::string(reason)});
  }
}

void RejectLog::Merge(const RejectLog& other) { Merge(other, 0); }

void RejectLog::Merge(const RejectLog& other, uint64_t line_offset) {
  total_ += other.total_;
  for (const RecordReject& r : other.first_) {
    if (first_.size() >= keep_first_) break;
    first_.push_back(r);
    first_.back().line += line_offset;
  }
}

}  // namespace inferscope
