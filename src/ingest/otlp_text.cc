#include "ingest/otlp_text.h"

#include <array>
#include <cstdint>

namespace inferscope {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kBase64Chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

}  // namespace

void AppendLowerHex(std::string* out, std::string_view bytes) {
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out->push_back(kHexDigits[b >> 4]);
    out->push_back(kHexDigits[b & 15]);
  }
}

bool AppendNormalizedHex(std::string* out, std::string_view hex, size_t n_bytes) {
  // Lower-case digit for each byte value, 0 where the byte is not a hex digit.
  static constexpr auto kLower = [] {
    std::array<char, 256> t{};
    for (int c = 0; c < 256; ++c) {
      const int v = HexValue(static_cast<char>(c));
      if (v >= 0) t[c] = kHexDigits[v];
    }
    return t;
  }();
  if (hex.size() != 2 * n_bytes) return false;
  const size_t base = out->size();
  out->resize(base + hex.size());
  char* dst = out->data() + base;
  for (size_t i = 0; i < hex.size(); ++i) {
    const char c = kLower[static_cast<unsigned char>(hex[i])];
    if (c == 0) {
      out->resize(base);
      return false;
    }
    dst[i] = c;
  }
  return true;
}

bool IsAllZeroHex(std::string_view hex) {
  for (char c : hex) {
    if (c != '0') return false;
  }
  return true;
}

void AppendBase64(std::string* out, std::string_view bytes) {
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                 (static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                 static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 2]));
    out->push_back(kBase64Chars[(v >> 18) & 63]);
    out->push_back(kBase64Chars[(v >> 12) & 63]);
    out->push_back(kBase64Chars[(v >> 6) & 63]);
    out->push_back(kBase64Chars[v & 63]);
  }
  size_t rest = bytes.size() - i;
  if (rest == 0) return;
  uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
  if (rest == 2) v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
  out->push_back(kBase64Chars[(v >> 18) & 63]);
  out->push_back(kBase64Chars[(v >> 12) & 63]);
  out->push_back(rest == 2 ? kBase64Chars[(v >> 6) & 63] : '=');
  out->push_back('=');
}

bool DecodeBase64(std::string_view text, std::string* out) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return false;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = Base64Value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

std::string ShortForMessage(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t n = max_bytes;
  // Back off continuation bytes (10xxxxxx) so the cut lands on a sequence start.
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80) --n;
  return std::string(text.substr(0, n)) + "...";
}

}  // namespace inferscope
