#ifndef INFERSCOPE_STORE_BYTE_IO_H_
#define INFERSCOPE_STORE_BYTE_IO_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/status.h"

namespace inferscope {

// Appends little-endian fixed-width values, LEB128 varints and length-prefixed strings to
// a caller-owned std::string. Has the Writer shape of the stats Save templates (U8..F64),
// so sketches serialise straight into store buffers. Not thread-safe.
class ByteSink {
 public:
  explicit ByteSink(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Put(v); }
  void U64(uint64_t v) { Put(v); }
  void I64(int64_t v) { Put(v); }
  void F64(double v) { Put(v); }
  void F32(float v) { Put(v); }
  void Bytes(const void* data, size_t n) { out_->append(static_cast<const char*>(data), n); }
  void Varint(uint64_t v) {
    char buf[10];
    size_t n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    out_->append(buf, n);
  }
  // Zigzag-encoded signed varint (small magnitudes of either sign stay short).
  void SignedVarint(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  // Varint length, then the bytes.
  void Str(std::string_view s) {
    Varint(s.size());
    out_->append(s.data(), s.size());
  }
  size_t size() const { return out_->size(); }

 private:
  template <typename T>
  void Put(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));  // little-endian hosts only (x86-64, aarch64)
    out_->append(buf, sizeof(T));
  }
  std::string* out_;
};

// Reads what ByteSink wrote from a borrowed byte range, never past its end: a short or
// malformed input is DataLoss naming the offset. Has the Reader shape of the stats Load
// templates. The range must outlive the source and any string_view Str returned.
class ByteSource {
 public:
  explicit ByteSource(std::string_view bytes) : data_(bytes) {}
  Status U8(uint8_t* v) { return Get(v); }
  Status U32(uint32_t* v) { return Get(v); }
  Status U64(uint64_t* v) { return Get(v); }
  Status I64(int64_t* v) { return Get(v); }
  Status F64(double* v) { return Get(v); }
  Status F32(float* v) { return Get(v); }
  Status Bytes(void* out, size_t n);
  Status Varint(uint64_t* v);
  Status SignedVarint(int64_t* v);
  // A view of the next `n` bytes, without copying.
  Status View(size_t n, std::string_view* out);
  Status Str(std::string_view* out);
  // A varint that must not exceed `max` (counts that size allocations).
  Status BoundedVarint(uint64_t max, uint64_t* v, const char* what);

  size_t remaining() const { return data_.size() - pos_; }
  size_t offset() const { return pos_; }

 private:
  template <typename T>
  Status Get(T* v) {
    return Bytes(v, sizeof(T));
  }
  Status Truncated(size_t need) const;
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_BYTE_IO_H_
