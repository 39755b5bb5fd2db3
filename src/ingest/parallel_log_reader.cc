#include "ingest/parallel_log_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>

#include "ingest/jsonl_parser.h"
#include "ingest/mapped_file.h"

namespace inferscope {
namespace {

bool IsPlainName(std::string_view name) {
  if (name == "-") return false;
  for (std::string_view comp : {".gz", ".zst"}) {
    if (name.size() >= comp.size() && name.substr(name.size() - comp.size()) == comp) return false;
  }
  return true;
}

bool IsEmptyRegularFile(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

// A byte range of one file within a part, and what parsing it found. Its rejects are
// numbered from the piece's first line (1); the newlines it holds fix up the pieces after it.
struct Piece {
  size_t file = 0;
  size_t begin = 0;
  size_t end = 0;
  uint64_t newlines = 0;
  JsonlParser::Counts counts;
  RejectLog rejects;
};

}  // namespace

bool ParallelLogReader::Splittable(const std::vector<std::string>& files) {
  return !files.empty() && std::all_of(files.begin(), files.end(),
                                       [](const std::string& f) { return IsPlainName(f); });
}

Status ParallelLogReader::Read(const std::vector<std::string>& files,
                               const std::vector<EventSink*>& sinks, RejectLog& rejects,
                               LogReadStats* stats, const ProgressFn& progress) {
  if (sinks.size() <= 1 || !Splittable(files)) {
    return LogReader(options_).Read(files, *sinks.at(0), rejects, stats, progress);
  }
  // Map everything first; anything that cannot be mapped (other than an empty file) sends
  // the whole input down the single-threaded path, which reports the error if there is one.
  std::vector<std::unique_ptr<MappedFile>> maps(files.size());
  std::vector<uint64_t> file_start(files.size() + 1, 0);
  for (size_t f = 0; f < files.size(); ++f) {
    maps[f] = MappedFile::Open(files[f], kJsonlPadding);
    if (maps[f] == nullptr && !IsEmptyRegularFile(files[f])) {
      return LogReader(options_).Read(files, *sinks[0], rejects, stats, progress);
    }
    file_start[f + 1] = file_start[f] + (maps[f] != nullptr ? maps[f]->size() : 0);
  }
  const uint64_t total = file_start.back();

  // The first line start at or after global offset `g`.
  auto line_start = [&](uint64_t g) -> uint64_t {
    if (g >= total) return total;
    // The file holding byte g: the last one starting at or before it (it is not empty).
    const auto f = static_cast<size_t>(std::upper_bound(file_start.begin(), file_start.end(), g) -
                                       file_start.begin() - 1);
    const auto x = static_cast<size_t>(g - file_start[f]);
    const char* data = maps[f]->data();
    if (x == 0 || data[x - 1] == '\n') return g;
    const void* nl = std::memchr(data + x, '\n', maps[f]->size() - x);
    if (nl == nullptr) return file_start[f + 1];
    return file_start[f] + static_cast<uint64_t>(static_cast<const char*>(nl) - data) + 1;
  };
  const size_t parts = sinks.size();
  std::vector<uint64_t> cuts(parts + 1, 0);
  cuts[parts] = total;
  for (size_t t = 1; t < parts; ++t) {
    const uint64_t target = total / parts * t + total % parts * t / parts;
    cuts[t] = std::max(line_start(target), cuts[t - 1]);
  }
  // Pieces by part, in input order.
  std::vector<std::vector<Piece>> pieces(parts);
  for (size_t t = 0; t < parts; ++t) {
    for (size_t f = 0; f < files.size(); ++f) {
      const uint64_t lo = std::max(cuts[t], file_start[f]);
      const uint64_t hi = std::min(cuts[t + 1], file_start[f + 1]);
      if (lo >= hi) continue;
      Piece& p = pieces[t].emplace_back();
      p.file = f;
      p.begin = static_cast<size_t>(lo - file_start[f]);
      p.end = static_cast<size_t>(hi - file_start[f]);
      p.rejects = RejectLog(rejects.keep_first());
    }
  }

  std::atomic<uint64_t> done{0};
  std::mutex mu;
  std::condition_variable finished;
  size_t running = 0;
  const size_t chunk = std::max<size_t>(options_.chunk_bytes, 1);
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  auto work = [&](size_t t) {
    JsonlParser parser(options_.parser);
    for (Piece& p : pieces[t]) {
      const MappedFile& map = *maps[p.file];
      const char* data = map.data();
      uint64_t line = 1;
      size_t pos = p.begin;
      size_t release_from = p.begin;
      while (pos < p.end) {
        size_t end = p.end;
        if (end - pos > chunk) {
          const void* nl = memrchr(data + pos, '\n', chunk);
          if (nl == nullptr) nl = std::memchr(data + pos + chunk, '\n', p.end - pos - chunk);
          if (nl != nullptr) end = static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
        }
        // The bytes after `end` are the file's next bytes or the mapping's zero padding.
        const JsonlParser::Counts c =
            parser.ParseBuffer(data + pos, end - pos, files[p.file], line, *sinks[t], p.rejects);
        const uint64_t newlines = parser.newlines_in_last_buffer();
        line += newlines;
        p.newlines += newlines;
        p.counts.lines += c.lines;
        p.counts.accepted += c.accepted;
        p.counts.rejected += c.rejected;
        // Whole pages only: a page shared with the neighbouring piece stays mapped.
        map.ReleaseRange(release_from, end);
        release_from = std::max(release_from, end / page * page);
        done.fetch_add(end - pos, std::memory_order_relaxed);
        pos = end;
      }
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      --running;
    }
    finished.notify_one();
  };

  std::vector<std::thread> threads;
  std::vector<size_t> inline_parts;  // parts no thread could be started for
  for (size_t t = 0; t < parts; ++t) {
    if (pieces[t].empty()) continue;
    {
      std::lock_guard<std::mutex> lock(mu);
      ++running;
    }
    try {
      threads.emplace_back(work, t);
    } catch (const std::system_error&) {
      inline_parts.push_back(t);
    }
  }
  for (size_t t : inline_parts) work(t);
  {
    std::unique_lock<std::mutex> lock(mu);
    while (running > 0) {
      finished.wait_for(lock, std::chrono::milliseconds(100));
      if (progress && running > 0) {
        lock.unlock();
        progress(done.load(std::memory_order_relaxed), total);
        lock.lock();
      }
    }
  }
  for (std::thread& th : threads) th.join();

  LogReadStats local;
  LogReadStats& st = stats != nullptr ? *stats : local;
  for (const std::string& f : files) st.sources.push_back(f);
  std::vector<uint64_t> next_line(files.size(), 1);  // first line of the next piece, per file
  for (const std::vector<Piece>& part : pieces) {
    for (const Piece& p : part) {
      rejects.Merge(p.rejects, next_line[p.file] - 1);
      next_line[p.file] += p.newlines;
      st.bytes += p.end - p.begin;
      st.lines += p.counts.lines;
      st.accepted += p.counts.accepted;
      st.rejected += p.counts.rejected;
    }
  }
  if (progress) progress(done.load(), total);
  return Status::Ok();
}

}  // namespace inferscope
