#include "store/byte_io.h"

#include <fmt/format.h>

namespace inferscope {

Status ByteSource::Truncated(size_t need) const {
  return Status::DataLoss(
      fmt::format("truncated at offset {}: need {} bytes, {} left", pos_, need, remaining()));
}

Status ByteSource::Bytes(void* out, size_t n) {
  if (remaining() < n) return Truncated(n);
  if (n > 0) std::memcpy(out, data_.data() + pos_, n);
  pos_ += n;
  return Status::Ok();
}

Status ByteSource::Varint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Truncated(1);
    const auto byte = static_cast<uint8_t>(data_[pos_++]);
    if (shift == 63 && byte > 1) {
      return Status::DataLoss(fmt::format("varint overflows 64 bits at offset {}", pos_ - 1));
    }
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return Status::Ok();
    }
  }
  return Status::DataLoss(fmt::format("varint longer than 10 bytes at offset {}", pos_));
}

Status ByteSource::SignedVarint(int64_t* v) {
  uint64_t u = 0;
  INFERSCOPE_RETURN_IF_ERROR(Varint(&u));
  *v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  return Status::Ok();
}

Status ByteSource::View(size_t n, std::string_view* out) {
  if (remaining() < n) return Truncated(n);
  *out = data_.substr(pos_, n);
  pos_ += n;
  return Status::Ok();
}

Status ByteSource::Str(std::string_view* out) {
  uint64_t n = 0;
  INFERSCOPE_RETURN_IF_ERROR(Varint(&n));
  if (n > remaining()) return Truncated(n);
  return View(static_cast<size_t>(n), out);
}

Status ByteSource::BoundedVarint(uint64_t max, uint64_t* v, const char* what) {
  const size_t at = pos_;
  INFERSCOPE_RETURN_IF_ERROR(Varint(v));
  if (*v > max) {
    return Status::DataLoss(fmt::format("{} {} exceeds limit {} at offset {}", what, *v, max, at));
  }
  return Status::Ok();
}

}  // namespace inferscope
