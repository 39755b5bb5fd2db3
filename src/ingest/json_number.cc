#include "ingest/json_number.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace inferscope {

using json_number_detail::IsDigit;
using json_number_detail::kExactPowersOf10;

JsonNumber JsonNumber::ScanSlow(const char* p) {
  JsonNumber t;
  const char* start = p;
  bool negative = *p == '-';
  p += negative;
  uint64_t mantissa = 0;
  const char* digits_start = p;
  if (*p == '0') {
    ++p;
    if (IsDigit(*p)) return t;  // leading zero
  } else if (IsDigit(*p)) {
    while (IsDigit(*p)) mantissa = mantissa * 10 + static_cast<unsigned>(*p++ - '0');
  } else {
    return t;
  }
  size_t int_digits = static_cast<size_t>(p - digits_start);
  int64_t frac_digits = 0;
  bool is_float = false;
  if (*p == '.') {
    is_float = true;
    const char* frac_start = ++p;
    while (IsDigit(*p)) mantissa = mantissa * 10 + static_cast<unsigned>(*p++ - '0');
    frac_digits = p - frac_start;
    if (frac_digits == 0) return t;
  }
  int64_t exponent = 0;
  if ((*p | 0x20) == 'e') {
    is_float = true;
    ++p;
    bool exp_negative = *p == '-';
    if (*p == '-' || *p == '+') ++p;
    if (!IsDigit(*p)) return t;
    while (IsDigit(*p)) {
      if (exponent < 100000) exponent = exponent * 10 + (*p - '0');
      ++p;
    }
    if (exp_negative) exponent = -exponent;
  }
  size_t digits = int_digits + static_cast<size_t>(frac_digits);
  int64_t power = exponent - frac_digits;
  if (digits <= 19 && mantissa <= (uint64_t{1} << 53) && power >= -22 && power <= 22) {
    // Clinger's fast path: both operands exact, one rounding: correctly rounded.
    double m = static_cast<double>(mantissa);
    t.value = power < 0 ? m / kExactPowersOf10[-power] : m * kExactPowersOf10[power];
    if (negative) t.value = -t.value;
  } else {
    auto [ptr, ec] = std::from_chars(start, p, t.value);
    if (ec != std::errc() || ptr != p) return t;
    // Where libraries may disagree (underflow, overflow, subnormals): the caller decides.
    if (!std::isnormal(t.value) && (t.value != 0 || mantissa != 0 || digits > 19)) return t;
  }
  t.is_float = is_float;
  if (!is_float && int_digits <= 18) {
    t.integral = true;
    t.integer = negative ? -static_cast<int64_t>(mantissa) : static_cast<int64_t>(mantissa);
  }
  t.end = p;
  return t;
}

const char* JsonNumber::Skip(const char* p) {
  p += *p == '-';
  if (*p == '0') {
    ++p;
    if (IsDigit(*p)) return nullptr;  // leading zero
  } else if (IsDigit(*p)) {
    while (IsDigit(*p)) ++p;
  } else {
    return nullptr;
  }
  if (*p == '.') {
    ++p;
    if (!IsDigit(*p)) return nullptr;
    while (IsDigit(*p)) ++p;
  }
  if ((*p | 0x20) == 'e') {
    ++p;
    if (*p == '-' || *p == '+') ++p;
    if (!IsDigit(*p)) return nullptr;
    while (IsDigit(*p)) ++p;
  }
  return p;
}

}  // namespace inferscope
