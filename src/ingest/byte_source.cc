#include "ingest/byte_source.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

namespace inferscope {
namespace {

constexpr size_t kInputBytes = 1 << 20;

// A file descriptor with a few bytes pushed back (the sniffed magic of stdin).
class FdReader {
 public:
  FdReader(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FdReader() {
    if (fd_ > 0) ::close(fd_);
  }
  FdReader(const FdReader&) = delete;
  FdReader& operator=(const FdReader&) = delete;

  void Unread(const char* data, size_t n) { pushback_.assign(data, data + n); }

  // Fills dst with up to cap bytes, looping over short reads; 0 at end of file.
  Result<size_t> Read(char* dst, size_t cap) {
    size_t got = 0;
    if (!pushback_.empty()) {
      got = std::min(cap, pushback_.size());
      std::memcpy(dst, pushback_.data(), got);
      pushback_.erase(pushback_.begin(), pushback_.begin() + static_cast<ptrdiff_t>(got));
    }
    while (got < cap && !eof_) {
      ssize_t n = ::read(fd_, dst + got, cap - got);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::IoError(fmt::format("cannot read {}: {}", path_, std::strerror(errno)));
      }
      if (n == 0) {
        eof_ = true;
        break;
      }
      got += static_cast<size_t>(n);
      raw_ += static_cast<uint64_t>(n);
    }
    return got;
  }

  uint64_t raw_bytes() const { return raw_; }
  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
  std::vector<char> pushback_;
  uint64_t raw_ = 0;
  bool eof_ = false;
};

class PlainSource final : public ByteSource {
 public:
  explicit PlainSource(std::unique_ptr<FdReader> in) : in_(std::move(in)) {}
  Result<size_t> Read(char* dst, size_t cap) override { return in_->Read(dst, cap); }
  uint64_t raw_bytes() const override { return in_->raw_bytes(); }

 private:
  std::unique_ptr<FdReader> in_;
};

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<FdReader> in) : in_(std::move(in)), buf_(kInputBytes) {
    std::memset(&zs_, 0, sizeof(zs_));
    ok_ = inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipSource() override {
    if (ok_) inflateEnd(&zs_);
  }

  Result<size_t> Read(char* dst, size_t cap) override {
    if (!ok_) return Status::Internal("zlib: inflateInit2 failed");
    zs_.next_out = reinterpret_cast<Bytef*>(dst);
    zs_.avail_out = static_cast<uInt>(std::min<size_t>(cap, UINT32_MAX));
    const uInt out_start = zs_.avail_out;
    while (zs_.avail_out == out_start) {
      if (zs_.avail_in == 0 && !eof_) {
        Result<size_t> n = in_->Read(buf_.data(), buf_.size());
        if (!n.ok()) return n.status();
        eof_ = *n == 0;
        zs_.next_in = reinterpret_cast<Bytef*>(buf_.data());
        zs_.avail_in = static_cast<uInt>(*n);
      }
      if (zs_.avail_in == 0 && eof_ && !in_member_) return size_t{0};
      in_member_ = true;
      // With no input left, this still flushes output zlib holds back (a pending match).
      int ret = inflate(&zs_, Z_NO_FLUSH);
      if (ret == Z_STREAM_END) {
        // Concatenated members (`cat a.gz b.gz`) continue after a reset.
        in_member_ = false;
        if (inflateReset(&zs_) != Z_OK) return Status::Internal("zlib: inflateReset failed");
      } else if (ret == Z_BUF_ERROR && zs_.avail_in == 0 && eof_) {
        return Status::DataLoss(
            fmt::format("truncated gzip stream: {} ends inside a member", in_->path()));
      } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
        return Status::DataLoss(fmt::format("corrupt gzip stream in {}: {}", in_->path(),
                                            zs_.msg != nullptr ? zs_.msg : zError(ret)));
      }
    }
    return static_cast<size_t>(out_start - zs_.avail_out);
  }

  uint64_t raw_bytes() const override { return in_->raw_bytes(); }

 private:
  std::unique_ptr<FdReader> in_;
  std::vector<char> buf_;
  z_stream zs_;
  bool ok_ = false;
  bool eof_ = false;
  bool in_member_ = false;
};

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(std::unique_ptr<FdReader> in)
      : in_(std::move(in)), buf_(kInputBytes), dctx_(ZSTD_createDCtx()) {}
  ~ZstdSource() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> Read(char* dst, size_t cap) override {
    if (dctx_ == nullptr) return Status::Internal("zstd: cannot create a decompression context");
    ZSTD_outBuffer out{dst, cap, 0};
    while (out.pos == 0) {
      if (in_buf_.pos == in_buf_.size && !eof_) {
        Result<size_t> n = in_->Read(buf_.data(), buf_.size());
        if (!n.ok()) return n.status();
        eof_ = *n == 0;
        in_buf_ = ZSTD_inBuffer{buf_.data(), *n, 0};
      }
      // With no input left, this still flushes output zstd holds back.
      size_t in_before = in_buf_.pos;
      size_t ret = ZSTD_decompressStream(dctx_, &out, &in_buf_);
      if (ZSTD_isError(ret)) {
        return Status::DataLoss(
            fmt::format("corrupt zstd stream in {}: {}", in_->path(), ZSTD_getErrorName(ret)));
      }
      bool progress = in_buf_.pos != in_before || out.pos > 0;
      // 0 means a frame just ended; the next bytes (if any) start another frame.
      if (progress) in_frame_ = ret != 0;
      if (!progress && eof_ && in_buf_.pos == in_buf_.size) {
        if (in_frame_) {
          return Status::DataLoss(
              fmt::format("truncated zstd stream: {} ends inside a frame", in_->path()));
        }
        return size_t{0};
      }
    }
    return out.pos;
  }

  uint64_t raw_bytes() const override { return in_->raw_bytes(); }

 private:
  std::unique_ptr<FdReader> in_;
  std::vector<char> buf_;
  ZSTD_DCtx* dctx_;
  ZSTD_inBuffer in_buf_{nullptr, 0, 0};
  bool eof_ = false;
  bool in_frame_ = false;
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Result<std::unique_ptr<ByteSource>> OpenByteSource(const std::string& path) {
  enum class Kind { kPlain, kGzip, kZstd } kind = Kind::kPlain;
  std::unique_ptr<FdReader> in;
  if (path == "-") {
    in = std::make_unique<FdReader>(STDIN_FILENO, "-");
    char magic[4];
    Result<size_t> n = in->Read(magic, sizeof(magic));
    if (!n.ok()) return n.status();
    if (*n >= 2 && static_cast<unsigned char>(magic[0]) == 0x1f &&
        static_cast<unsigned char>(magic[1]) == 0x8b) {
      kind = Kind::kGzip;
    } else if (*n == 4 && std::memcmp(magic, "\x28\xb5\x2f\xfd", 4) == 0) {
      kind = Kind::kZstd;
    }
    in->Unread(magic, *n);
  } else {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR) {
        return Status::NotFound("no such file or directory: " + path);
      }
      return Status::IoError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    }
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    in = std::make_unique<FdReader>(fd, path);
    if (EndsWith(path, ".gz")) kind = Kind::kGzip;
    if (EndsWith(path, ".zst")) kind = Kind::kZstd;
  }
  std::unique_ptr<ByteSource> src;
  switch (kind) {
    case Kind::kPlain:
      src = std::make_unique<PlainSource>(std::move(in));
      break;
    case Kind::kGzip:
      src = std::make_unique<GzipSource>(std::move(in));
      break;
    case Kind::kZstd:
      src = std::make_unique<ZstdSource>(std::move(in));
      break;
  }
  return src;
}

}  // namespace inferscope
