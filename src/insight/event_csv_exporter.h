#ifndef INFERSCOPE_INSIGHT_EVENT_CSV_EXPORTER_H_
#define INFERSCOPE_INSIGHT_EVENT_CSV_EXPORTER_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "core/result.h"
#include "ingest/event_sink.h"

namespace inferscope {

// Writes events as normalised CSV (RFC 4180): one header row, then one row per event with
// the timestamp in ISO-8601 UTC (ms), the status normalised to ok/error/timeout, every
// numeric field (empty when absent) and the string fields. Buffers internally and writes in
// large blocks. Owns the FILE it opened. Not thread-safe.
class EventCsvExporter final : public EventSink {
 public:
  static Result<std::unique_ptr<EventCsvExporter>> Open(const std::string& path);
  ~EventCsvExporter() override;

  void OnEvent(const Event& event) override;
  // Flushes and closes; reports a failed write (disk full) as IoError.
  Status Close();
  uint64_t rows() const { return rows_; }

  // The header row, and one event's row, in this format (for writers other than files,
  // e.g. the API's CSV export).
  static void AppendHeader(std::string* out);
  static void AppendRow(const Event& event, std::string* out);

 private:
  EventCsvExporter(std::FILE* file, std::string path);
  void FlushBuffer();

  std::FILE* file_;
  std::string path_;
  std::string buffer_;
  uint64_t rows_ = 0;
  bool failed_ = false;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_EVENT_CSV_EXPORTER_H_
