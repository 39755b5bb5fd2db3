#include "insight/number_format.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

namespace inferscope {
namespace {

// Inserts ',' every three digits in the integer part of a plain decimal number such as
// "-1234567.89".
std::string GroupThousands(std::string_view digits) {
  size_t begin = (!digits.empty() && digits[0] == '-') ? 1 : 0;
  size_t end = digits.find('.');
  if (end == std::string_view::npos) end = digits.size();
  std::string out(digits.substr(0, begin));
  out.reserve(digits.size() + (end - begin) / 3);
  for (size_t i = begin; i < end; ++i) {
    if (i > begin && (end - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  out.append(digits.substr(end));
  return out;
}

// fmt prints "-0.0" for tiny negative values; a human reader should see "0.0".
void DropNegativeZero(std::string* text) {
  if (text->empty() || (*text)[0] != '-') return;
  bool all_zero = std::all_of(text->begin() + 1, text->end(),
                              [](char c) { return c == '0' || c == '.' || c == ','; });
  if (all_zero) text->erase(0, 1);
}

}  // namespace

std::string FormatCount(uint64_t n) { return GroupThousands(fmt::format("{}", n)); }

std::string FormatNumber(double value, int decimals) {
  if (!std::isfinite(value)) return std::string(kMissingText);
  decimals = std::clamp(decimals, 0, 9);
  std::string text = GroupThousands(fmt::format("{:.{}f}", value, decimals));
  DropNegativeZero(&text);
  return text;
}

std::string FormatMs(double ms) { return FormatNumber(ms, 1); }

std::string FormatPercent(double fraction, int decimals) {
  if (!std::isfinite(fraction)) return std::string(kMissingText);
  return FormatNumber(fraction * 100.0, decimals) + "%";
}

std::string FormatChangePercent(double percent) {
  if (!std::isfinite(percent)) return std::string(kMissingText);
  std::string text = FormatNumber(percent, 1);
  if (text[0] != '-' && percent > 0 && text != "0.0") text = "+" + text;
  return text + "%";
}

std::string FormatUsd(double usd) {
  if (!std::isfinite(usd)) return std::string(kMissingText);
  double magnitude = std::fabs(usd);
  int decimals = 2;
  if (magnitude > 0 && magnitude < 0.01) {
    // Two significant digits: 0.0042 has floor(log10) = -3, so 4 decimals.
    int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
    decimals = std::min(8, 1 - exponent);
  }
  std::string text = FormatNumber(magnitude, decimals);
  bool negative = usd < 0 && text.find_first_not_of("0.,") != std::string::npos;
  return (negative ? "-$" : "$") + text;
}

std::string FormatBytes(uint64_t bytes) {
  static constexpr std::string_view kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes) / 1024.0;
  size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string FormatMetric(std::string_view name, double value) {
  if (!std::isfinite(value)) return std::string(kMissingText);
  if (name.ends_with("_ms")) return FormatMs(value) + " ms";
  if (name.ends_with("rate")) return FormatPercent(value);
  if (name.find("util") != std::string_view::npos) return FormatNumber(value, 1) + "%";
  if (name.find("usd") != std::string_view::npos) return FormatUsd(value);
  return FormatNumber(value, value == std::floor(value) ? 0 : 2);
}

std::string FormatExact(double value) {
  if (!std::isfinite(value)) return {};
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return fmt::format("{}", static_cast<int64_t>(value));
  }
  return fmt::format("{}", value);
}

}  // namespace inferscope
