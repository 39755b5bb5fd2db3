#ifndef INFERSCOPE_INGEST_PARALLEL_LOG_READER_H_
#define INFERSCOPE_INGEST_PARALLEL_LOG_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "ingest/event_sink.h"
#include "ingest/log_reader.h"
#include "ingest/reject_log.h"

namespace inferscope {

// Reads JSON-lines logs on several threads, with the results LogReader::Read would give.
//
// When every input is a plain regular file (not "-", not .gz/.zst) and more than one sink is
// given, the files, taken as one sequence of bytes, are cut into sinks.size() parts of about
// equal size at line starts (a line longer than a part moves the cut past its end; parts can
// be empty). Part i runs on a thread of its own, with its own JsonlParser, feeding only
// sinks[i]; every event of part i comes before every event of part i + 1 in the input, so
// sinks merged in index order see the input's order. Each piece of a file in a part counts
// its newlines, so reject line numbers are fixed up once the pieces before it are counted:
// `rejects` ends up with the exact total and the first keep_first() rejects in file order,
// with their file:line, as a single pass gives; `stats` (sources, bytes, lines, accepted,
// rejected) are exact too.
//
// Otherwise (one sink, stdin, a compressed file, or a file that cannot be mapped) it is
// LogReader::Read on sinks[0], on the calling thread.
//
// Progress is summed from the threads through an atomic and reported from the calling
// thread about ten times a second (and at the end), so `progress` needs no locking.
// Memory: one parser per thread (its buffers grow to the longest line in a chunk) and the
// file mappings, whose parsed pages are released as the threads go.
class ParallelLogReader {
 public:
  explicit ParallelLogReader(LogReaderOptions options = {}) : options_(std::move(options)) {}

  // Whether Read would use more than one thread for `files` given more than one sink: all of
  // them plain files by name (not "-", not .gz/.zst).
  static bool Splittable(const std::vector<std::string>& files);

  // `sinks`: at least one; each is called from one thread only. Returns the first error (a
  // file that vanished or cannot be read) as LogReader::Read does.
  Status Read(const std::vector<std::string>& files, const std::vector<EventSink*>& sinks,
              RejectLog& rejects, LogReadStats* stats, const ProgressFn& progress = nullptr);

 private:
  LogReaderOptions options_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_PARALLEL_LOG_READER_H_
