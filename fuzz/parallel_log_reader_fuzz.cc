// Fuzzes ParallelLogReader against LogReader: the input bytes, cut into two files, are read
// once by the single-threaded reader and once split into 2..8 parts (with small parse chunks),
// and the two must agree exactly: the events in input order (sinks concatenated in index
// order), the read stats, and the rejects (total, and the first ones with file:line and
// reason). Checks the cuts at line starts, the line-number fix-up across parts and files,
// and lines longer than a part or a chunk.

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/log_reader.h"
#include "ingest/parallel_log_reader.h"

namespace {

using inferscope::Event;
using inferscope::EventField;

class RecordingSink : public inferscope::EventSink {
 public:
  explicit RecordingSink(std::vector<std::string>* out) : out_(out) {}
  void OnEvent(const Event& e) override {
    std::string r(e.request_id);
    r += '|';
    r += e.model;
    r += '|';
    r += std::to_string(e.timestamp_ns);
    r += '|';
    r += std::to_string(e.present_mask());
    for (int f = 0; f < inferscope::kEventFieldCount; ++f) {
      const auto field = static_cast<EventField>(f);
      if (!e.Has(field)) continue;
      const double v = e.Get(field);
      char bits[sizeof v];
      std::memcpy(bits, &v, sizeof v);
      r.append(bits, sizeof v);
    }
    out_->push_back(std::move(r));
  }

 private:
  std::vector<std::string>* out_;
};

// Two scratch files, made once per process and removed at exit; named .jsonl so neither
// counts as compressed.
struct ScratchFiles {
  ScratchFiles() {
    for (std::string& name : names) {
      char tmpl[] = "/tmp/inferscope-parallel-fuzz-XXXXXX.jsonl";
      const int fd = ::mkstemps(tmpl, 6);
      if (fd < 0) std::abort();
      ::close(fd);
      name = tmpl;
    }
  }
  ~ScratchFiles() {
    for (const std::string& name : names) ::unlink(name.c_str());
  }
  std::array<std::string, 2> names;
};

const std::string& ScratchFile(size_t which) {
  static const ScratchFiles files;
  return files.names[which];
}

void WriteFile(const std::string& path, const uint8_t* data, size_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC);
  if (fd < 0) std::abort();
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) std::abort();
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

struct Outcome {
  std::vector<std::string> events;
  inferscope::LogReadStats stats;
  inferscope::RejectLog rejects{6};
  bool ok = false;
};

bool Same(const Outcome& a, const Outcome& b) {
  if (a.ok != b.ok || a.events != b.events) return false;
  if (a.stats.sources != b.stats.sources || a.stats.bytes != b.stats.bytes ||
      a.stats.lines != b.stats.lines || a.stats.accepted != b.stats.accepted ||
      a.stats.rejected != b.stats.rejected) {
    return false;
  }
  if (a.rejects.total() != b.rejects.total() ||
      a.rejects.first().size() != b.rejects.first().size()) {
    return false;
  }
  for (size_t i = 0; i < a.rejects.first().size(); ++i) {
    const auto& x = a.rejects.first()[i];
    const auto& y = b.rejects.first()[i];
    if (x.source != y.source || x.line != y.line || x.reason != y.reason) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t parts = 2 + data[0] % 7;
  const size_t chunk = 1 + static_cast<size_t>(data[0] / 7) * 13;
  const size_t body = size - 2;
  const size_t cut = body * data[1] / 255;  // the first file's share of the bytes
  WriteFile(ScratchFile(0), data + 2, cut);
  WriteFile(ScratchFile(1), data + 2 + cut, body - cut);
  const std::vector<std::string> files = {ScratchFile(0), ScratchFile(1)};
  inferscope::LogReaderOptions options;
  options.chunk_bytes = chunk;

  Outcome one;
  {
    RecordingSink sink(&one.events);
    one.ok = inferscope::LogReader(options).Read(files, sink, one.rejects, &one.stats).ok();
  }
  Outcome many;
  {
    std::vector<std::vector<std::string>> per_sink(parts);
    std::vector<std::unique_ptr<RecordingSink>> owned;
    std::vector<inferscope::EventSink*> sinks;
    for (size_t i = 0; i < parts; ++i) {
      owned.push_back(std::make_unique<RecordingSink>(&per_sink[i]));
      sinks.push_back(owned.back().get());
    }
    many.ok =
        inferscope::ParallelLogReader(options).Read(files, sinks, many.rejects, &many.stats).ok();
    for (auto& events : per_sink) {
      for (std::string& e : events) many.events.push_back(std::move(e));
    }
  }
  if (!Same(one, many)) __builtin_trap();
  return 0;
}
