#include "core/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace inferscope {
namespace {

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

}  // namespace

uint32_t Crc32cPortable(const void* data, size_t n, uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = kTable[(crc ^ p[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

#if defined(__x86_64__)
namespace {

// The crc32 instruction computes the same reflected CRC-32C as the table: bytes in memory
// order, 8 at a time as a little-endian word. Compiled for SSE4.2 whatever the build
// targets, and only called when the CPU has it.
[[gnu::target("sse4.2")]] uint32_t Crc32cSse42(const void* data, size_t n, uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t c = static_cast<uint32_t>(~crc);
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    c = _mm_crc32_u64(c, word);
  }
  auto c32 = static_cast<uint32_t>(c);
  for (; n > 0; --n, ++p) c32 = _mm_crc32_u8(c32, *p);
  return ~c32;
}

}  // namespace

uint32_t Crc32c(const void* data, size_t n, uint32_t crc) {
  // A function-local static: chosen on first use, safe from other translation units' static
  // initialisers.
  using CrcFn = uint32_t (*)(const void*, size_t, uint32_t);
  static const CrcFn impl = __builtin_cpu_supports("sse4.2") ? Crc32cSse42 : Crc32cPortable;
  return impl(data, n, crc);
}
#else
uint32_t Crc32c(const void* data, size_t n, uint32_t crc) { return Crc32cPortable(data, n, crc); }
#endif

}  // namespace inferscope
