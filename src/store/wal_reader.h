#ifndef INFERSCOPE_STORE_WAL_READER_H_
#define INFERSCOPE_STORE_WAL_READER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace inferscope {

// WAL record framing (docs/format/wal.md): a 16-byte header
//   u32 payload length | u32 CRC-32C of (length, seq, payload) | u64 sequence number
// followed by the payload. Sequence numbers increase strictly within a log.
inline constexpr size_t kWalHeaderBytes = 16;
inline constexpr uint32_t kMaxWalPayloadBytes = 256u << 20;

// Appends one framed record to `out`.
void AppendWalRecord(uint64_t seq, std::string_view payload, std::string* out);

struct WalRecordView {
  uint64_t seq = 0;
  uint64_t offset = 0;  // of the header within the scanned bytes
  std::string_view payload;
};

struct WalScanResult {
  size_t records = 0;
  // Bytes from the start up to the end of the last good record; everything after is a torn
  // or corrupt tail.
  size_t valid_bytes = 0;
  // Why the scan stopped early ("" when it reached the end cleanly), with the offset.
  std::string tail_error;
  // A non-ok status returned by the callback (the scan stops there; valid_bytes ends before
  // that record).
  Status callback_status;
};

// Parses framed records from the front of `bytes` until the end or the first bad record
// (short header, length past the end or over kMaxWalPayloadBytes, CRC mismatch, sequence
// number not above the previous one), calling `fn` for each good record in order. Pure:
// reads only `bytes`; safe on arbitrary input.
WalScanResult ScanWalRecords(std::string_view bytes,
                             const std::function<Status(const WalRecordView&)>& fn);

}  // namespace inferscope

#endif  // INFERSCOPE_STORE_WAL_READER_H_
