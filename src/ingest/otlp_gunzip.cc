#include "ingest/otlp_gunzip.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>

namespace inferscope {

namespace {

// Owns a z_stream set up for gzip decoding.
class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  bool ok() const { return ok_; }
  z_stream* stream() { return &zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

constexpr size_t kMinChunk = 64 * 1024;

}  // namespace

Status GunzipBounded(std::string_view input, size_t max_output_bytes, std::string* out) {
  out->clear();
  if (input.size() < 2 || static_cast<unsigned char>(input[0]) != 0x1f ||
      static_cast<unsigned char>(input[1]) != 0x8b) {
    return Status::InvalidArgument("gzip: body does not start with the gzip magic bytes");
  }
  Inflater inflater;
  if (!inflater.ok()) return Status::Internal("zlib: inflateInit2 failed");
  z_stream* zs = inflater.stream();
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  size_t remaining_in = input.size();
  size_t produced = 0;
  for (;;) {
    // Feed at most UINT_MAX bytes at a time (z_stream counts in uInt).
    if (zs->avail_in == 0 && remaining_in > 0) {
      auto n = static_cast<uInt>(std::min<size_t>(remaining_in, UINT32_MAX));
      zs->avail_in = n;
      remaining_in -= n;
    }
    if (produced == out->size()) {
      // Grow geometrically, but never past one byte over the limit: that byte is how we
      // notice the limit was exceeded.
      size_t grow = std::max(kMinChunk, out->size());
      size_t cap = max_output_bytes + 1;
      out->resize(std::min(out->size() + grow, cap));
    }
    size_t space = std::min<size_t>(out->size() - produced, UINT32_MAX);
    zs->next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    zs->avail_out = static_cast<uInt>(space);
    int ret = inflate(zs, Z_NO_FLUSH);
    produced += space - zs->avail_out;
    if (produced > max_output_bytes) {
      out->clear();
      return Status::ResourceExhausted(
          fmt::format("gzip: body decompresses to more than {} bytes", max_output_bytes));
    }
    if (ret == Z_STREAM_END) {
      if (zs->avail_in == 0 && remaining_in == 0) break;
      // Another member follows (`cat a.gz b.gz`).
      if (zs->avail_in < 2 || zs->next_in[0] != 0x1f || zs->next_in[1] != 0x8b) {
        out->clear();
        return Status::InvalidArgument("gzip: trailing bytes after the compressed data");
      }
      if (inflateReset(zs) != Z_OK) return Status::Internal("zlib: inflateReset failed");
      continue;
    }
    if (ret == Z_BUF_ERROR && zs->avail_in == 0 && remaining_in == 0) {
      out->clear();
      return Status::InvalidArgument("gzip: truncated body");
    }
    if (ret != Z_OK && ret != Z_BUF_ERROR) {
      out->clear();
      return Status::InvalidArgument(
          fmt::format("gzip: corrupt body ({})", zs->msg != nullptr ? zs->msg : "zlib error"));
    }
  }
  out->resize(produced);
  return Status::Ok();
}

}  // namespace inferscope
