#ifndef INFERSCOPE_INGEST_MAPPED_FILE_H_
#define INFERSCOPE_INGEST_MAPPED_FILE_H_

#include <cstddef>
#include <memory>
#include <string>

#include "core/result.h"

namespace inferscope {

// A whole regular file mapped read-only, followed by at least `padding` readable zero
// bytes (a parser's padding, so the bytes need no copy). Private to ingest (LogReader).
//
// The mapping is taken at Open: bytes appended to the file later are not seen; a file
// truncated by someone else while mapped makes reads past its new end fault (SIGBUS),
// which is why readers of live, rotating files should use a stream instead.
// Thread-compatible: const access from several threads is fine.
class MappedFile {
 public:
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  // Maps `path`. Returns nullptr (not an error) when the path is not a non-empty regular
  // file, or cannot be mapped: the caller reads it as a stream, which reports any error.
  static std::unique_ptr<MappedFile> Open(const std::string& path, size_t padding);

  const char* data() const { return data_; }
  size_t size() const { return size_; }

  // Hints that bytes [0, offset) will not be read again (lets the kernel drop them from
  // this process's resident set).
  void Release(size_t offset);
  // Hints that the whole pages inside [begin, end) will not be read again. Safe to call from
  // several threads on disjoint ranges (it does not touch Release's bookkeeping).
  void ReleaseRange(size_t begin, size_t end) const;

 private:
  MappedFile(char* base, size_t mapped, size_t size) : data_(base), mapped_(mapped), size_(size) {}

  char* data_;
  size_t mapped_;  // bytes reserved (file + padding, whole pages)
  size_t size_;    // file bytes
  size_t released_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_MAPPED_FILE_H_
