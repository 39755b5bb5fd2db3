#include "ingest/log_reader.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>

#include "ingest/byte_source.h"
#include "ingest/mapped_file.h"

namespace inferscope {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kProgressEveryBytes = 4 << 20;

bool IsLogFileName(std::string_view name) {
  for (std::string_view comp : {".gz", ".zst"}) {
    if (name.size() > comp.size() && name.substr(name.size() - comp.size()) == comp) {
      name.remove_suffix(comp.size());
      break;
    }
  }
  for (std::string_view ext : {".jsonl", ".ndjson", ".json", ".log"}) {
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext) return true;
  }
  return false;
}

bool IsCompressedName(std::string_view name) {
  for (std::string_view comp : {".gz", ".zst"}) {
    if (name.size() >= comp.size() && name.substr(name.size() - comp.size()) == comp) return true;
  }
  return false;
}

// Parses a mapped file in pieces of about `chunk` bytes that end at a line end (a longer
// line makes a longer piece), releasing each piece once parsed. `progress(done, eof)`.
template <typename Progress>
void ParseMapped(MappedFile& mapped, const std::string& file, size_t chunk, JsonlParser& parser,
                 EventSink& sink, RejectLog& rejects, LogReadStats& st, Progress progress) {
  const char* data = mapped.data();
  const size_t size = mapped.size();
  uint64_t line = 1;
  size_t pos = 0;
  while (pos < size) {
    size_t end = size;
    if (size - pos > chunk) {
      const void* nl = memrchr(data + pos, '\n', chunk);
      if (nl == nullptr) nl = std::memchr(data + pos + chunk, '\n', size - pos - chunk);
      if (nl != nullptr) end = static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
    }
    // The bytes after `end` are the file's next bytes or the mapping's zero padding.
    JsonlParser::Counts c = parser.ParseBuffer(data + pos, end - pos, file, line, sink, rejects);
    line += parser.newlines_in_last_buffer();
    st.lines += c.lines;
    st.accepted += c.accepted;
    st.rejected += c.rejected;
    st.bytes += end - pos;
    pos = end;
    mapped.Release(pos);
    progress(pos, pos == size);
  }
}

uint64_t FileSize(const std::string& path) {
  struct stat st;
  if (path == "-" || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<uint64_t>(st.st_size);
}

// A growable byte buffer with kJsonlPadding readable bytes past its capacity.
class PaddedBuffer {
 public:
  char* data() { return data_.get(); }
  size_t capacity() const { return capacity_; }
  // Grows to hold at least `n` bytes plus padding, keeping the first `keep` bytes.
  void Reserve(size_t n, size_t keep) {
    if (n <= capacity_) return;
    size_t cap = std::max(n, capacity_ * 2);
    std::unique_ptr<char[]> bigger(new char[cap + kJsonlPadding]);
    if (keep > 0) std::memcpy(bigger.get(), data_.get(), keep);
    std::memset(bigger.get() + cap, 0, kJsonlPadding);
    data_ = std::move(bigger);
    capacity_ = cap;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
};

}  // namespace

LogReader::LogReader(LogReaderOptions options) : options_(std::move(options)) {
  if (options_.chunk_bytes == 0) options_.chunk_bytes = 1;
}

Result<std::vector<std::string>> LogReader::ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& path : paths) {
    if (path == "-") {
      out.push_back(path);
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
      if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory) {
        return Status::IoError(fmt::format("cannot access {}: {}", path, ec.message()));
      }
      return Status::NotFound("no such file or directory: " + path);
    }
    if (!fs::is_directory(st)) {
      out.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(path,
                                        fs::directory_options::skip_permission_denied |
                                            fs::directory_options::follow_directory_symlink,
                                        ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::directory_entry& entry = *it;
      std::error_code type_ec;
      if (entry.is_regular_file(type_ec) && IsLogFileName(entry.path().filename().string())) {
        found.push_back(entry.path().string());
      }
    }
    if (ec) return Status::IoError(fmt::format("cannot list {}: {}", path, ec.message()));
    if (found.empty()) {
      return Status::InvalidArgument(fmt::format(
          "no log files (*.jsonl, *.ndjson, *.json, *.log, optionally .gz/.zst) under {}", path));
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), std::make_move_iterator(found.begin()),
               std::make_move_iterator(found.end()));
  }
  return out;
}

Status LogReader::Read(const std::vector<std::string>& files, EventSink& sink, RejectLog& rejects,
                       LogReadStats* stats, const ProgressFn& progress) {
  LogReadStats local;
  LogReadStats& st = stats != nullptr ? *stats : local;
  uint64_t total = 0;
  for (const std::string& f : files) total += FileSize(f);

  JsonlParser parser(options_.parser);
  PaddedBuffer buf;
  const size_t chunk = options_.chunk_bytes;
  uint64_t done_before = 0;  // raw bytes of the files already finished
  uint64_t last_report = 0;

  for (const std::string& file : files) {
    // Plain regular files are mapped, not read: no copy through a buffer. Standard input,
    // pipes and compressed files are streams; so is anything that cannot be mapped (the
    // stream then reports the error, if any).
    std::unique_ptr<MappedFile> mapped;
    if (file != "-" && !IsCompressedName(file)) mapped = MappedFile::Open(file, kJsonlPadding);
    if (mapped != nullptr) {
      st.sources.push_back(file);
      ParseMapped(*mapped, file, chunk, parser, sink, rejects, st, [&](uint64_t done, bool eof) {
        if (progress && (done_before + done - last_report >= kProgressEveryBytes || eof)) {
          progress(done_before + done, total);
          last_report = done_before + done;
        }
      });
      done_before += mapped->size();
      continue;
    }
    Result<std::unique_ptr<ByteSource>> opened = OpenByteSource(file);
    if (!opened.ok()) return opened.status();
    std::unique_ptr<ByteSource> src = std::move(opened).value();
    st.sources.push_back(file);

    size_t filled = 0;  // bytes in buf: the carried partial line, then new data
    uint64_t line = 1;  // number of the line starting at buf[0]
    Status failed;
    bool eof = false;
    while (!eof) {
      buf.Reserve(filled + chunk, filled);
      Result<size_t> n = src->Read(buf.data() + filled, chunk);
      if (!n.ok()) {
        failed = n.status();
        eof = true;
      } else if (*n == 0) {
        eof = true;
      } else {
        filled += *n;
        st.bytes += *n;
      }
      // Parse whole lines; the partial last line waits for more bytes, except at the end
      // of a healthy input. After a read error, the torn last line is dropped.
      size_t end = 0;
      if (eof && failed.ok()) {
        end = filled;
      } else if (filled > 0) {
        const void* nl = memrchr(buf.data(), '\n', filled);
        if (nl != nullptr) end = static_cast<size_t>(static_cast<const char*>(nl) - buf.data()) + 1;
      }
      if (end > 0) {
        JsonlParser::Counts c = parser.ParseBuffer(buf.data(), end, file, line, sink, rejects);
        line += parser.newlines_in_last_buffer();
        st.lines += c.lines;
        st.accepted += c.accepted;
        st.rejected += c.rejected;
        std::memmove(buf.data(), buf.data() + end, filled - end);
        filled -= end;
      }
      uint64_t done = done_before + src->raw_bytes();
      if (progress && (done - last_report >= kProgressEveryBytes || eof)) {
        progress(done, total);
        last_report = done;
      }
    }
    done_before += src->raw_bytes();
    if (!failed.ok()) return failed;
  }
  return Status::Ok();
}

}  // namespace inferscope
