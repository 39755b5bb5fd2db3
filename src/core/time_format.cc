#include "core/time_format.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace inferscope {
namespace {

// Reads exactly n digits at text[pos..]; returns -1 when they are not all digits.
int ReadDigits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<TimestampNs> ParseIso8601(std::string_view text) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument(fmt::format("invalid timestamp '{}': {}", text, why));
  };
  int year = ReadDigits(text, 0, 4);
  if (year < 0 || text.size() < 10 || text[4] != '-' || text[7] != '-') {
    return bad("expected YYYY-MM-DD");
  }
  int month = ReadDigits(text, 5, 2);
  int day = ReadDigits(text, 8, 2);
  if (month < 1 || month > 12) return bad("month out of range");
  if (day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, month)) {
    return bad("day out of range");
  }
  int64_t days = DaysFromCivil(year, month, day);
  // TimestampNs (int64 ns) spans 1677-09-21 .. 2262-04-11; outside it the multiplication
  // below would overflow.
  if (year < 1678 || year > 2261) return bad("year out of range (1678..2261)");
  int64_t secs = days * 86400;
  int64_t frac_ns = 0;
  size_t pos = 10;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return bad("expected 'T'");
    int hh = ReadDigits(text, pos + 1, 2);
    if (hh < 0 || pos + 3 >= text.size() || text[pos + 3] != ':') return bad("expected hh:mm");
    int mm = ReadDigits(text, pos + 4, 2);
    if (mm < 0) return bad("expected hh:mm");
    pos += 6;
    int ss = 0;
    if (pos < text.size() && text[pos] == ':') {
      ss = ReadDigits(text, pos + 1, 2);
      if (ss < 0) return bad("expected seconds");
      pos += 3;
    }
    if (hh > 23 || mm > 59 || ss > 60) return bad("time out of range");
    secs += hh * 3600 + mm * 60 + ss;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      int digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 9) {
          frac_ns = frac_ns * 10 + (text[pos] - '0');
          ++digits;
        }
        ++pos;
      }
      if (digits == 0) return bad("empty fraction");
      for (int i = digits; i < 9; ++i) frac_ns *= 10;
    }
    if (pos < text.size()) {
      char c = text[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        int oh = ReadDigits(text, pos + 1, 2);
        if (oh < 0) return bad("bad UTC offset");
        size_t p = pos + 3;
        if (p < text.size() && text[p] == ':') ++p;
        int om = ReadDigits(text, p, 2);
        if (om < 0 || oh > 23 || om > 59) return bad("bad UTC offset");
        int64_t off = oh * 3600 + om * 60;
        secs += c == '+' ? -off : off;
        pos = p + 2;
      }
    }
  }
  if (pos != text.size()) return bad("trailing characters");
  return secs * kNanosPerSecond + frac_ns;
}

Result<TimestampNs> EpochNumberToNs(double v) {
  if (!std::isfinite(v)) return Status::InvalidArgument("timestamp is not a finite number");
  double a = std::fabs(v);
  int64_t unit_ns;
  if (a < 1e11) {
    unit_ns = kNanosPerSecond;
  } else if (a < 1e14) {
    unit_ns = kNanosPerMilli;
  } else if (a < 1e17) {
    unit_ns = kNanosPerMicro;
  } else {
    unit_ns = 1;
  }
  if (a * static_cast<double>(unit_ns) > 9.2e18) {
    return Status::InvalidArgument("timestamp out of range");
  }
  // Whole units and the fraction separately: v * 1e9 in double loses up to ~128 ns
  // (1714560000.25 s would become ...249999872 ns).
  double whole = std::trunc(v);
  int64_t ns = static_cast<int64_t>(whole) * unit_ns;
  return ns + static_cast<int64_t>(std::llround((v - whole) * static_cast<double>(unit_ns)));
}

Result<TimestampNs> ParseUserTime(std::string_view text) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc() && ptr == text.data() + text.size() && !text.empty()) {
    return EpochNumberToNs(v);
  }
  return ParseIso8601(text);
}

Result<int64_t> ParseDuration(std::string_view text) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || text.empty()) {
    return Status::InvalidArgument(fmt::format("invalid duration '{}': expected e.g. 5m", text));
  }
  std::string_view unit(ptr, text.data() + text.size() - ptr);
  double mult;
  if (unit.empty() || unit == "s") {
    mult = 1e9;
  } else if (unit == "ms") {
    mult = 1e6;
  } else if (unit == "m" || unit == "min") {
    mult = 60e9;
  } else if (unit == "h") {
    mult = 3600e9;
  } else if (unit == "d") {
    mult = 86400e9;
  } else if (unit == "w") {
    mult = 7 * 86400e9;
  } else {
    return Status::InvalidArgument(
        fmt::format("invalid duration '{}': unit must be ms, s, m, h, d or w", text));
  }
  double ns = v * mult;
  if (!(ns >= 1) || ns > 9e18) {
    return Status::InvalidArgument(fmt::format("invalid duration '{}': out of range", text));
  }
  return static_cast<int64_t>(ns);
}

std::string FormatIso8601(TimestampNs ts, bool with_millis) {
  int64_t secs = ts / kNanosPerSecond;
  int64_t rem = ts % kNanosPerSecond;
  if (rem < 0) {
    rem += kNanosPerSecond;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  // civil_from_days (Howard Hinnant)
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  if (with_millis) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d, sod / 3600,
                       (sod / 60) % 60, sod % 60, rem / kNanosPerMilli);
  }
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d, sod / 3600, (sod / 60) % 60,
                     sod % 60);
}

std::string FormatDurationHuman(int64_t ns) {
  double s = static_cast<double>(ns) / 1e9;
  if (s < 120) return fmt::format("{:.0f} s", s);
  if (s < 2 * 3600) return fmt::format("{:.0f} min", s / 60);
  if (s < 2 * 86400) return fmt::format("{:.1f} h", s / 3600);
  return fmt::format("{:.1f} d", s / 86400);
}

}  // namespace inferscope
