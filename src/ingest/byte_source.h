#ifndef INFERSCOPE_INGEST_BYTE_SOURCE_H_
#define INFERSCOPE_INGEST_BYTE_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"

namespace inferscope {

// Sequential reader of one input's bytes, decompressed. Private to ingest (LogReader).
// Not thread-safe.
class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Reads up to `cap` decompressed bytes into dst; fewer is not the end. Returns 0 only at
  // the end of the input. IoError when the OS refuses a read; DataLoss (naming the file)
  // when a compressed stream is corrupt or truncated.
  virtual Result<size_t> Read(char* dst, size_t cap) = 0;

  // Bytes taken from the underlying file so far (compressed bytes for .gz/.zst).
  virtual uint64_t raw_bytes() const = 0;
};

// Opens `path` ("-" = stdin). Decompresses by suffix: ".gz" with zlib (concatenated
// members too), ".zst" with zstd; stdin is sniffed for the gzip / zstd magic bytes.
// NotFound("no such file or directory: PATH") for a missing file, IoError otherwise.
Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path);

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_BYTE_SOURCE_H_
