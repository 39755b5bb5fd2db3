#ifndef INFERSCOPE_INGEST_OTLP_GUNZIP_H_
#define INFERSCOPE_INGEST_OTLP_GUNZIP_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace inferscope {

// Decompresses a gzip HTTP body (Content-Encoding: gzip) into `out` (replaced), refusing to
// produce more than `max_output_bytes`: decompression stops as soon as the output would
// exceed it, so a small "zip bomb" costs at most about twice that much memory (the output
// string grows geometrically) and the time to inflate that much.
// Concatenated gzip members are decoded one after the other.
// Errors: kResourceExhausted when the output is over the limit; kInvalidArgument when the
// input is not gzip, is truncated, fails its CRC or has trailing bytes that are not gzip.
// Thread-safe (no shared state).
Status GunzipBounded(std::string_view input, size_t max_output_bytes, std::string* out);

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_OTLP_GUNZIP_H_
