#ifndef INFERSCOPE_INGEST_JSONL_PARSER_H_
#define INFERSCOPE_INGEST_JSONL_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "ingest/event_sink.h"
#include "ingest/field_mapping.h"
#include "ingest/reject_log.h"

namespace inferscope {

// Bytes that must be readable (any content) after the end of a buffer handed to the parser.
inline constexpr size_t kJsonlPadding = 64;

struct JsonlParserOptions {
  FieldMapping mapping;
  // Keep unknown top-level fields as Event::attributes (costs time; off for analyze).
  bool keep_attributes = false;
  // Parse common lines (a flat object on one line, no escapes in the fields we read) with a
  // hand-written scanner, and everything else with simdjson. Off: simdjson for every line
  // (same results, slower; for differential tests and benchmarks).
  bool line_scanner = true;
};

// Parses JSON-lines request logs (format: docs/log-format.md) into Events.
//
// Transport-free: it sees bytes, never files or sockets. One record per line; a malformed
// line, or a record whose known field has the wrong type or an impossible value, is
// reported to the RejectLog with its line number and a reason and skipped: it never drops
// its neighbours. Empty / whitespace-only lines are skipped silently.
// Not thread-safe: use one parser per thread. Reuses its internal buffers across calls.
class JsonlParser {
 public:
  explicit JsonlParser(JsonlParserOptions options = {});
  ~JsonlParser();
  JsonlParser(const JsonlParser&) = delete;
  JsonlParser& operator=(const JsonlParser&) = delete;

  struct Counts {
    uint64_t lines = 0;     // non-empty lines seen
    uint64_t accepted = 0;  // events handed to the sink
    uint64_t rejected = 0;
  };

  // Parses every line in data[0, len). A last line without '\n' is parsed too.
  // Requires kJsonlPadding readable bytes after data + len.
  // `first_line` is the 1-based number of the buffer's first line, for reject reports.
  Counts ParseBuffer(const char* data, size_t len, std::string_view source, uint64_t first_line,
                     EventSink& sink, RejectLog& rejects);

  // Number of '\n' bytes in the buffer of the last ParseBuffer call: the next buffer's
  // `first_line` is that call's first_line plus this. Lets a reader that splits a stream
  // into buffers keep exact line numbers without scanning the bytes again.
  uint64_t newlines_in_last_buffer() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_JSONL_PARSER_H_
