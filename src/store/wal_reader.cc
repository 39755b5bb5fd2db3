#include "store/wal_reader.h"

#include <fmt/format.h>

#include <cstring>

#include "core/crc32c.h"

namespace inferscope {
namespace {

uint32_t RecordCrc(uint32_t len, uint64_t seq, std::string_view payload) {
  uint32_t crc = Crc32c(&len, sizeof(len));
  crc = Crc32c(&seq, sizeof(seq), crc);
  return Crc32c(payload.data(), payload.size(), crc);
}

}  // namespace

void AppendWalRecord(uint64_t seq, std::string_view payload, std::string* out) {
  const auto len = static_cast<uint32_t>(payload.size());
  const uint32_t crc = RecordCrc(len, seq, payload);
  char header[kWalHeaderBytes];
  std::memcpy(header, &len, 4);
  std::memcpy(header + 4, &crc, 4);
  std::memcpy(header + 8, &seq, 8);
  out->append(header, sizeof(header));
  out->append(payload.data(), payload.size());
}

WalScanResult ScanWalRecords(std::string_view bytes,
                             const std::function<Status(const WalRecordView&)>& fn) {
  WalScanResult result;
  size_t pos = 0;
  uint64_t prev_seq = 0;
  while (pos < bytes.size()) {
    const size_t left = bytes.size() - pos;
    if (left < kWalHeaderBytes) {
      result.tail_error = fmt::format("offset {}: {} bytes, short of a record header", pos, left);
      break;
    }
    uint32_t len = 0, crc = 0;
    uint64_t seq = 0;
    std::memcpy(&len, bytes.data() + pos, 4);
    std::memcpy(&crc, bytes.data() + pos + 4, 4);
    std::memcpy(&seq, bytes.data() + pos + 8, 8);
    if (len > kMaxWalPayloadBytes) {
      result.tail_error = fmt::format("offset {}: record length {} over the limit", pos, len);
      break;
    }
    if (len > left - kWalHeaderBytes) {
      result.tail_error = fmt::format("offset {}: record of {} bytes, only {} written", pos,
                                      len + kWalHeaderBytes, left);
      break;
    }
    const std::string_view payload = bytes.substr(pos + kWalHeaderBytes, len);
    if (RecordCrc(len, seq, payload) != crc) {
      result.tail_error = fmt::format("offset {}: CRC mismatch", pos);
      break;
    }
    if (seq <= prev_seq && result.records > 0) {
      result.tail_error =
          fmt::format("offset {}: sequence {} not above the previous {}", pos, seq, prev_seq);
      break;
    }
    if (fn) {
      Status st = fn(WalRecordView{seq, pos, payload});
      if (!st.ok()) {
        result.callback_status =
            st.WithContext(fmt::format("WAL record {} at offset {}", seq, pos));
        break;
      }
    }
    prev_seq = seq;
    pos += kWalHeaderBytes + len;
    ++result.records;
    result.valid_bytes = pos;
  }
  return result;
}

}  // namespace inferscope
