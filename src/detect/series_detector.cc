#include "detect/series_detector.h"

#include <cstring>

namespace inferscope {
namespace {

template <typename T>
void Append(std::string* out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));  // little-endian hosts only (x86-64, aarch64)
  out->append(buf, sizeof(T));
}

}  // namespace

void StateWriter::U8(uint8_t v) { Append(out_, v); }
void StateWriter::U32(uint32_t v) { Append(out_, v); }
void StateWriter::U64(uint64_t v) { Append(out_, v); }
void StateWriter::I64(int64_t v) { Append(out_, v); }
void StateWriter::F64(double v) { Append(out_, v); }
void StateWriter::F32(float v) { Append(out_, v); }
void StateWriter::Bytes(const void* data, size_t n) {
  out_->append(static_cast<const char*>(data), n);
}

void StateWriter::String(std::string_view s) {
  U32(static_cast<uint32_t>(s.size()));
  Bytes(s.data(), s.size());
}

Status StateReader::String(std::string* s) {
  uint32_t n = 0;
  INFERSCOPE_RETURN_IF_ERROR(U32(&n));
  if (n > remaining()) return Status::DataLoss("checkpoint string runs past the end");
  s->resize(n);
  return Bytes(s->data(), n);
}

Status StateReader::Bytes(void* data, size_t n) {
  if (remaining() < n) return Status::DataLoss("detector state is truncated");
  std::memcpy(data, p_, n);
  p_ += n;
  return Status::Ok();
}
Status StateReader::U8(uint8_t* v) { return Bytes(v, sizeof(*v)); }
Status StateReader::U32(uint32_t* v) { return Bytes(v, sizeof(*v)); }
Status StateReader::U64(uint64_t* v) { return Bytes(v, sizeof(*v)); }
Status StateReader::I64(int64_t* v) { return Bytes(v, sizeof(*v)); }
Status StateReader::F64(double* v) { return Bytes(v, sizeof(*v)); }
Status StateReader::F32(float* v) { return Bytes(v, sizeof(*v)); }

}  // namespace inferscope
