#ifndef INFERSCOPE_INGEST_OTLP_TEXT_H_
#define INFERSCOPE_INGEST_OTLP_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace inferscope {

// Small text codecs shared by the OTLP/JSON and OTLP/protobuf trace parsers. Pure functions
// of their arguments; thread-safe.

// Appends the lowercase hex form of `bytes` (2 digits per byte) to out.
void AppendLowerHex(std::string* out, std::string_view bytes);

// Checks that `hex` is exactly 2*n_bytes hex digits (either case) and appends it to out in
// lowercase. Returns false (out unchanged) otherwise.
bool AppendNormalizedHex(std::string* out, std::string_view hex, size_t n_bytes);

// True when every character of `hex` is '0' (an all-zero, i.e. invalid, OTLP id).
bool IsAllZeroHex(std::string_view hex);

// Appends standard base64 (RFC 4648, with '=' padding) of `bytes` to out.
void AppendBase64(std::string* out, std::string_view bytes);

// Decodes standard or URL-safe base64, padded or not. Returns false on any other character
// or an impossible length; out then holds a partial result.
bool DecodeBase64(std::string_view text, std::string* out);

// The longest prefix of `text` of at most max_bytes that does not end inside a UTF-8
// sequence, for quoting untrusted keys in error messages. Adds "..." when cut.
std::string ShortForMessage(std::string_view text, size_t max_bytes = 64);

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_OTLP_TEXT_H_
