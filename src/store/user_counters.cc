#include "store/user_counters.h"

#include <fmt/format.h>

namespace inferscope {

void UserCounters::Save(ByteSink& sink) const {
  sink.Varint(requests);
  sink.Varint(errors);
  sink.Varint(timeouts);
  uint64_t mask = 0;
  for (int f = 0; f < kEventFieldCount; ++f) {
    if (present[f] != 0) mask |= uint64_t{1} << f;
  }
  sink.Varint(mask);
  for (int f = 0; f < kEventFieldCount; ++f) {
    if (present[f] == 0) continue;
    sink.Varint(present[f]);
    sink.F64(sum[f]);
  }
}

Status UserCounters::Load(ByteSource& source) {
  UserCounters c;
  INFERSCOPE_RETURN_IF_ERROR(source.Varint(&c.requests));
  INFERSCOPE_RETURN_IF_ERROR(source.Varint(&c.errors));
  INFERSCOPE_RETURN_IF_ERROR(source.Varint(&c.timeouts));
  if (c.errors > c.requests || c.timeouts > c.errors) {
    return Status::DataLoss("user counters: errors/timeouts exceed requests");
  }
  uint64_t mask = 0;
  INFERSCOPE_RETURN_IF_ERROR(source.Varint(&mask));
  if (mask >> kEventFieldCount != 0) {
    return Status::DataLoss(fmt::format("user counters: unknown fields in mask {:#x}", mask));
  }
  for (int f = 0; f < kEventFieldCount; ++f) {
    if ((mask >> f & 1) == 0) continue;
    uint64_t n = 0;
    INFERSCOPE_RETURN_IF_ERROR(source.Varint(&n));
    if (n == 0 || n > c.requests || n > UINT32_MAX) {
      return Status::DataLoss(
          fmt::format("user counters: field {} present {} times in {} requests", f, n, c.requests));
    }
    c.present[f] = static_cast<uint32_t>(n);
    INFERSCOPE_RETURN_IF_ERROR(source.F64(&c.sum[f]));
  }
  *this = c;
  return Status::Ok();
}

}  // namespace inferscope
