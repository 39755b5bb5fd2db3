#ifndef INFERSCOPE_INGEST_ONDEMAND_DOUBLE_H_
#define INFERSCOPE_INGEST_ONDEMAND_DOUBLE_H_

#include <simdjson.h>

#include <charconv>
#include <string_view>
#include <system_error>

#include "ingest/json_number.h"

namespace inferscope {

// Reads a JSON number from a simdjson On Demand value, correctly rounded.
//
// Why not plain get_double(): simdjson before 3.6.3 (Debian bookworm ships 3.0.1) mis-reads
// numbers with 20 or more significant digits whose integer part is small, e.g.
// 0.95000000000000000000 reads as 0.0277 (upstream issue #2093: the overflow check counts
// integer digits only). The DOM API is not affected.
//
// Contract: the same errors as get_double() (which still validates the grammar); tokens of
// 20 or more bytes are re-read with std::from_chars. `v` must point into a simdjson padded
// buffer (true for any value simdjson hands out).
inline simdjson::error_code GetOnDemandDouble(simdjson::ondemand::value& v, double* out) {
  if (auto e = v.get_double().get(*out)) return e;
  std::string_view token = v.raw_json_token();
  if (token.size() < 20) return simdjson::SUCCESS;  // fewer than 20 digits: exact already
  const char* end = JsonNumber::Skip(token.data());
  if (end == nullptr) return simdjson::SUCCESS;
  double exact = 0;
  auto [ptr, ec] = std::from_chars(token.data(), end, exact);
  // Out of range: keep simdjson's answer (it decides over- and underflow as before).
  if (ec == std::errc() && ptr == end) *out = exact;
  return simdjson::SUCCESS;
}

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_ONDEMAND_DOUBLE_H_
