// A byte writer/reader with the StateWriter/StateReader shape (detect/series_detector.h),
// for checkpoint tests of stats primitives, which must not depend on detect.
#ifndef INFERSCOPE_TESTS_STATS_BYTE_STATE_IO_H_
#define INFERSCOPE_TESTS_STATS_BYTE_STATE_IO_H_

#include <cstdint>
#include <cstring>
#include <string>

#include "core/status.h"

namespace inferscope {

class ByteWriter {
 public:
  void U8(uint8_t v) { Put(v); }
  void U32(uint32_t v) { Put(v); }
  void U64(uint64_t v) { Put(v); }
  void I64(int64_t v) { Put(v); }
  void F64(double v) { Put(v); }
  void F32(float v) { Put(v); }
  void Bytes(const void* p, size_t n) { bytes.append(static_cast<const char*>(p), n); }
  std::string bytes;

 private:
  template <typename T>
  void Put(T v) {
    Bytes(&v, sizeof(v));
  }
};

class ByteReader {
 public:
  ByteReader(const std::string& s, size_t limit)
      : s_(s), end_(limit < s.size() ? limit : s.size()) {}
  explicit ByteReader(const std::string& s) : ByteReader(s, s.size()) {}
  Status U8(uint8_t* v) { return Bytes(v, sizeof(*v)); }
  Status U32(uint32_t* v) { return Bytes(v, sizeof(*v)); }
  Status U64(uint64_t* v) { return Bytes(v, sizeof(*v)); }
  Status I64(int64_t* v) { return Bytes(v, sizeof(*v)); }
  Status F64(double* v) { return Bytes(v, sizeof(*v)); }
  Status F32(float* v) { return Bytes(v, sizeof(*v)); }
  Status Bytes(void* p, size_t n) {
    if (end_ - pos_ < n) return Status::DataLoss("truncated");
    std::memcpy(p, s_.data() + pos_, n);
    pos_ += n;
    return Status::Ok();
  }
  size_t remaining() const { return end_ - pos_; }

 private:
  const std::string& s_;
  size_t end_;
  size_t pos_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_TESTS_STATS_BYTE_STATE_IO_H_
