#ifndef INFERSCOPE_INGEST_JSON_NUMBER_H_
#define INFERSCOPE_INGEST_JSON_NUMBER_H_

#include <cstdint>
#include <cstring>

namespace inferscope {

// A JSON number token, read strictly by the grammar (RFC 8259: `-? (0 | [1-9][0-9]*)
// (. [0-9]+)? ([eE] [+-]? [0-9]+)?`), and its value correctly rounded to the nearest double
// (ties to even), as simdjson and strtod compute it. Private to ingest (the JSON-lines
// scanner); the value contract is checked against strtod in json_number_test.cc and against
// simdjson by fuzz/jsonl_parser_fuzz.cc.
struct JsonNumber {
  const char* end = nullptr;  // nullptr: not a number we take (malformed, or out of range)
  double value = 0;
  bool is_float = false;  // has a fraction or an exponent (simdjson's floating_point_number)
  bool integral = false;  // not is_float and at most 18 digits: `integer` is exact
  int64_t integer = 0;

  // Scans the number at p, which must be followed by readable bytes up to the next byte that
  // is not part of a number plus 8 (a parser's padding). The common shape (at most 7 integer
  // and 7 fraction digits, no exponent) is read 8 bytes at a time; anything else goes to
  // ScanSlow.
  static JsonNumber Scan(const char* p);

  // Scan for any shape. Numbers whose value libraries may round differently (subnormals,
  // overflow to infinity, zero from underflow) are refused (end == nullptr): the caller's
  // reference parser decides them.
  static JsonNumber ScanSlow(const char* p);

  // Only the grammar: the end of the number at p, or nullptr.
  static const char* Skip(const char* p);
};

// --- inline hot path -----------------------------------------------------------------------

namespace json_number_detail {

inline bool IsDigit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// 0x80 in every byte of w (8 input bytes, the first one lowest) that is not an ASCII
// digit. Carries and borrows only start at non-digit bytes and move up, so the lowest
// flag is exactly the first non-digit.
[[gnu::always_inline]] inline uint64_t NonDigitFlags(uint64_t w) {
  return ((w + 0x4646464646464646ULL) | (w - 0x3030303030303030ULL)) & 0x8080808080808080ULL;
}

// The value of the first n (1..8) bytes of w, all ASCII digits.
[[gnu::always_inline]] inline uint64_t DigitsValue(uint64_t w, unsigned n) {
  uint64_t v = (w - 0x3030303030303030ULL) << (8 * (8 - n));  // leading zero digits
  v = v * 10 + (v >> 8);
  return (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
          (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
         32;
}

inline constexpr uint64_t kPowersOf10[] = {1,      10,      100,      1000,     10000,
                                           100000, 1000000, 10000000, 100000000};

inline constexpr double kExactPowersOf10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                              1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                              1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

}  // namespace json_number_detail

[[gnu::always_inline]] inline JsonNumber JsonNumber::Scan(const char* p) {
  using namespace json_number_detail;
  const char* start = p;
  const bool negative = *p == '-';
  p += negative;
  uint64_t w;
  std::memcpy(&w, p, 8);
  uint64_t flags = NonDigitFlags(w);
  if (flags == 0) return ScanSlow(start);
  const auto int_digits = static_cast<unsigned>(__builtin_ctzll(flags)) / 8;
  if (int_digits == 0 || (int_digits > 1 && *p == '0')) return JsonNumber{};
  JsonNumber t;
  if (p[int_digits] == '.') {
    // Short numbers ("1797.2", "0.00033") end within w: drop the dot from w (the bytes
    // after it move down one, the top byte becomes 0, a non-digit) and read all the digits
    // at once. When those 7 bytes are all digits, the fraction may go on past w: load it.
    const uint64_t low = (uint64_t{1} << (8 * int_digits)) - 1;  // int_digits <= 7
    const uint64_t joined = (w & low) | ((w >> 8) & ~low);
    const auto digits = static_cast<unsigned>(__builtin_ctzll(NonDigitFlags(joined))) / 8;
    unsigned frac_digits;
    uint64_t mantissa;
    if (digits < 7) [[likely]] {
      frac_digits = digits - int_digits;
      if (frac_digits == 0) return JsonNumber{};
      mantissa = DigitsValue(joined, digits);
    } else {
      std::memcpy(&w, p + int_digits + 1, 8);
      flags = NonDigitFlags(w);
      if (flags == 0) return ScanSlow(start);
      frac_digits = static_cast<unsigned>(__builtin_ctzll(flags)) / 8;
      if (frac_digits == 0) return JsonNumber{};
      mantissa =
          DigitsValue(joined, int_digits) * kPowersOf10[frac_digits] + DigitsValue(w, frac_digits);
    }
    p += int_digits + 1 + frac_digits;
    if ((*p | 0x20) == 'e') return ScanSlow(start);
    // At most 14 digits: exact in a double, and one correctly rounded division (Clinger).
    // A division-free conversion (128-bit multiply by a truncated 10^-k with a rounding
    // check) measured 7% slower end to end here: the scanner is bound by instruction count,
    // not by the divider's latency.
    t.value = static_cast<double>(mantissa) / kExactPowersOf10[frac_digits];
    t.is_float = true;
  } else {
    const uint64_t mantissa = DigitsValue(w, int_digits);
    p += int_digits;
    if ((*p | 0x20) == 'e') return ScanSlow(start);
    t.value = static_cast<double>(mantissa);
    t.integral = true;
    t.integer = static_cast<int64_t>(mantissa);
  }
  if (negative) {
    t.value = -t.value;
    t.integer = -t.integer;
  }
  t.end = p;
  return t;
}

}  // namespace inferscope

#endif  // INFERSCOPE_INGEST_JSON_NUMBER_H_
