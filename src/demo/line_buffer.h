#ifndef INFERSCOPE_DEMO_LINE_BUFFER_H_
#define INFERSCOPE_DEMO_LINE_BUFFER_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/status.h"

namespace inferscope {

// A fixed-capacity output block for writing many short text lines fast: appenders for the
// few number shapes the demo log uses (integers, fixed decimals, hex), with no format-string
// parsing and no allocation after construction. The caller makes room with
// FlushIfFuller(max_line_bytes) before each line. Writes to a FILE* it does not own.
// Not thread-safe.
class LineBuffer {
 public:
  LineBuffer(std::FILE* out, size_t capacity);

  void Append(std::string_view text) {
    std::memcpy(data_.get() + size_, text.data(), text.size());
    size_ += text.size();
  }
  void Append(char c) { data_[size_++] = c; }
  void AppendUint(uint64_t v);
  void AppendInt(int64_t v) {
    if (v < 0) {
      Append('-');
      AppendUint(static_cast<uint64_t>(0) - static_cast<uint64_t>(v));
    } else {
      AppendUint(static_cast<uint64_t>(v));
    }
  }
  // v rounded to `width` digits, zero-padded on the left.
  void AppendUintPadded(uint64_t v, int width);
  // v as exactly `width` lowercase hex digits (the low 4*width bits).
  void AppendHex(uint64_t v, int width);
  // v rounded half away from zero to `decimals` (0..9) digits after the point, always
  // written with that many ("0.000183", "412.5"). |v| must be below 9e18 / 10^decimals;
  // NaN and infinities are written as 0.
  void AppendFixed(double v, int decimals);
  // As AppendFixed, with trailing zeros (and a bare point) removed: 0.5, 0.156, 1.
  void AppendFixedTrimmed(double v, int decimals);

  size_t size() const { return size_; }
  std::string_view view() const { return {data_.get(), size_}; }
  // Writes the buffered bytes if fewer than `room` bytes are free.
  Status FlushIfFuller(size_t room) { return capacity_ - size_ < room ? Flush() : Status::Ok(); }
  // Writes the buffered bytes to the FILE*; IoError when fwrite comes up short.
  Status Flush();

 private:
  std::FILE* out_;
  std::unique_ptr<char[]> data_;
  size_t capacity_;
  size_t size_ = 0;
};

}  // namespace inferscope

#endif  // INFERSCOPE_DEMO_LINE_BUFFER_H_
