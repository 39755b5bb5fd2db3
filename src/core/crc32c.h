#ifndef INFERSCOPE_CORE_CRC32C_H_
#define INFERSCOPE_CORE_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace inferscope {

// CRC-32C (Castagnoli, the polynomial of iSCSI, ext4 and LevelDB) of data[0, n), continuing
// from `crc` (0 to start). Uses the SSE4.2 crc32 instruction when the CPU has it (checked
// once at start-up; ~8 bytes per 3 cycles), the portable table otherwise. Pure function,
// thread-safe.
uint32_t Crc32c(const void* data, size_t n, uint32_t crc = 0);

// The same function, table-driven one byte at a time (~0.5 GB/s) whatever the CPU has:
// the reference the fast path is tested against.
uint32_t Crc32cPortable(const void* data, size_t n, uint32_t crc = 0);

}  // namespace inferscope

#endif  // INFERSCOPE_CORE_CRC32C_H_
