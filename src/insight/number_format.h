#ifndef INFERSCOPE_INSIGHT_NUMBER_FORMAT_H_
#define INFERSCOPE_INSIGHT_NUMBER_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace inferscope {

// Number formatting for human-facing output (terminal table, Markdown, HTML). Machine formats
// (JSON, CSV) print exact values instead; see FormatExact.
//
// Every function is pure and thread-safe. A NaN or infinite input means "not available"
// (see analysis_report.h) and yields kMissingText. Thousands are separated by ',' and the
// decimal point is '.', whatever the process locale.

inline constexpr std::string_view kMissingText = "-";

// 1234567 -> "1,234,567".
std::string FormatCount(uint64_t n);

// 1234.567, 2 -> "1,234.57". decimals is clamped to 0..9. A value that rounds to zero is
// printed without a minus sign.
std::string FormatNumber(double value, int decimals);

// Milliseconds with one decimal and no unit: 1234.56 -> "1,234.6". The unit belongs in the
// column header or the surrounding text.
std::string FormatMs(double ms);

// A fraction 0..1 as a percentage: 0.1234 -> "12.3%" (decimals = 1).
std::string FormatPercent(double fraction, int decimals = 1);

// A relative change already in percent, signed: 12.34 -> "+12.3%", -4 -> "-4.0%", 0 -> "0.0%".
std::string FormatChangePercent(double percent);

// US dollars: "$1,234.56" from one cent up; smaller non-zero amounts keep two significant
// digits ("$0.0042", at most 8 decimals) so per-request costs do not print as "$0.00".
// Negative amounts print as "-$1.50".
std::string FormatUsd(double usd);

// Bytes in binary units with one decimal: 512 -> "512 B", 1536 -> "1.5 KiB", "3.2 GiB".
std::string FormatBytes(uint64_t bytes);

// A metric value formatted by the convention its name follows, for tables that mix metrics
// (investigation, aggregate outliers): "*_ms" -> FormatMs plus " ms"; "*rate" -> FormatPercent
// of a 0..1 fraction; "*util*" -> a value already in percent ("97.5%"); "*usd*" -> FormatUsd;
// anything else -> FormatNumber with 0 decimals for integral values, 2 otherwise.
std::string FormatMetric(std::string_view name, double value);

// Shortest text that parses back to the same double ("0.1", "3", "1e+20"); integral values
// below 1e15 print without a decimal point, like JsonWriter. Empty for NaN/inf, so a CSV cell
// for an absent value is empty.
std::string FormatExact(double value);

}  // namespace inferscope

#endif  // INFERSCOPE_INSIGHT_NUMBER_FORMAT_H_
