#ifndef INFERSCOPE_INGEST_LOG_READER_H_
#define INFERSCOPE_INGEST_LOG_READER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ingest/event_sink.h"
#include "ingest/jsonl_parser.h"
#include "ingest/reject_log.h"

namespace inferscope {

struct LogReaderOptions {
  JsonlParserOptions parser;
  size_t chunk_bytes = 8 << 20;  // read size; lines longer than this still parse (buffer grows)
};

struct LogReadStats {
  std::vector<std::string> sources;  // files actually read, in order
  uint64_t bytes = 0;                // decompressed bytes
  uint64_t lines = 0;
  uint64_t accepted = 0;
  uint64_t rejected = 0;
};

// Called now and then with (bytes consumed so far, total bytes or 0 if unknown), counting
// bytes as stored on disk (compressed bytes for .gz/.zst). From the reading thread.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

// Reads JSON-lines logs from files, directories and stdin, decompressing .gz and .zst by
// file name (and by magic bytes for stdin), and feeds them through a JsonlParser.
class LogReader {
 public:
  explicit LogReader(LogReaderOptions options = {});

  // Expands the user's paths into the files to read, in a stable order: a file is taken as
  // is; a directory is walked recursively and yields *.jsonl, *.ndjson, *.json, *.log and
  // those with .gz/.zst appended, sorted by path; "-" means stdin.
  // NotFound for a missing path; InvalidArgument for a directory holding no log files.
  static Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths);

  // Reads everything single-threaded. Returns NotFound / IoError / DataLoss (corrupt
  // compressed stream) for the source that failed; records already delivered stay delivered.
  Status Read(const std::vector<std::string>& files, EventSink& sink, RejectLog& rejects,
              LogReadStats* stats, const ProgressFn& progress = nullptr);

 private:
  LogReaderOptions options_;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_LOG_READER_H_
