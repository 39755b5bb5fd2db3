// libFuzzer target for the WAL reader (store/wal_reader.h) and the event batch decoder
// (store/event_batch_codec.h). The first byte picks what the rest is:
//   even: a WAL file as found on disk (framing, torn tails, CRCs);
//   odd:  a record payload, framed with a valid CRC so the batch decoder sees it.
// Checks: no crash, the valid prefix rescans cleanly to the same records.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/event_batch_codec.h"
#include "store/wal_reader.h"

namespace {

size_t ScanAndDecode(std::string_view bytes, size_t* valid) {
  std::vector<inferscope::StoredEvent> events;
  auto r = inferscope::ScanWalRecords(bytes, [&](const inferscope::WalRecordView& rec) {
    events.clear();
    (void)inferscope::DecodeEventBatch(rec.payload, rec.seq, &events);
    return inferscope::Status::Ok();
  });
  *valid = r.valid_bytes;
  return r.records;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string framed;
  if (data[0] & 1) {
    if (rest.size() > inferscope::kMaxWalPayloadBytes) return 0;
    inferscope::AppendWalRecord(1 + data[0] / 2, rest, &framed);
    rest = framed;
  }
  size_t valid = 0;
  const size_t records = ScanAndDecode(rest, &valid);
  if (valid > rest.size()) __builtin_trap();
  size_t again = 0;
  if (ScanAndDecode(rest.substr(0, valid), &again) != records || again != valid) __builtin_trap();
  if ((data[0] & 1) && records != 1) __builtin_trap();
  return 0;
}
