#include "demo/line_buffer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>

namespace inferscope {
namespace {

constexpr int64_t kPow10[] = {1,      10,      100,      1000,      10000,
                              100000, 1000000, 10000000, 100000000, 1000000000};

}  // namespace

LineBuffer::LineBuffer(std::FILE* out, size_t capacity)
    : out_(out), data_(new char[capacity]), capacity_(capacity) {}

void LineBuffer::AppendUint(uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) data_[size_++] = tmp[--n];
}

void LineBuffer::AppendUintPadded(uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    data_[size_ + i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  size_ += width;
}

void LineBuffer::AppendHex(uint64_t v, int width) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = width - 1; i >= 0; --i) {
    data_[size_ + i] = kDigits[v & 0xF];
    v >>= 4;
  }
  size_ += width;
}

void LineBuffer::AppendFixed(double v, int decimals) {
  if (!std::isfinite(v)) v = 0;
  const int64_t scale = kPow10[decimals];
  int64_t n = std::llround(v * static_cast<double>(scale));
  if (n < 0) {
    Append('-');
    n = -n;
  }
  AppendUint(static_cast<uint64_t>(n / scale));
  if (decimals > 0) {
    Append('.');
    AppendUintPadded(static_cast<uint64_t>(n % scale), decimals);
  }
}

void LineBuffer::AppendFixedTrimmed(double v, int decimals) {
  AppendFixed(v, decimals);
  if (decimals == 0) return;
  while (data_[size_ - 1] == '0') --size_;
  if (data_[size_ - 1] == '.') --size_;
}

Status LineBuffer::Flush() {
  if (size_ > 0 && std::fwrite(data_.get(), 1, size_, out_) != size_) {
    return Status::IoError(fmt::format("write failed: {}", std::strerror(errno)));
  }
  size_ = 0;
  return Status::Ok();
}

}  // namespace inferscope
