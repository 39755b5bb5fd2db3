#ifndef INFERSCOPE_CORE_TIME_FORMAT_H_
#define INFERSCOPE_CORE_TIME_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace inferscope {

// Parses an ISO-8601 / RFC 3339 timestamp: "2024-05-01T12:00:00", optional fraction (up to
// 9 digits), optional "Z" or "+hh:mm"/"-hhmm" offset (no offset means UTC). A space may stand
// for "T". Also accepts a plain date "2024-05-01". Returns ns since the epoch, UTC.
// Allocation-free on success.
Result<TimestampNs> ParseIso8601(std::string_view text);

// Interprets an epoch number whose unit is guessed from its magnitude, as log shippers do:
// |v| < 1e11 seconds, < 1e14 milliseconds, < 1e17 microseconds, else nanoseconds.
// Fractions are kept (1714560000.5 is half a second past). Fails on NaN/inf or overflow.
Result<TimestampNs> EpochNumberToNs(double value);

// Parses a time given by a user on the command line: ISO-8601 (as above) or an epoch number
// (unit by magnitude, as EpochNumberToNs).
Result<TimestampNs> ParseUserTime(std::string_view text);

// Parses a duration "500ms", "30s", "5m", "1h", "1d", "2w" (one number, one unit) into ns.
// A bare number is seconds. Must be > 0.
Result<int64_t> ParseDuration(std::string_view text);

// "2024-05-01T12:00:00Z", or with milliseconds "2024-05-01T12:00:00.123Z" when
// with_millis is true. UTC always.
std::string FormatIso8601(TimestampNs ts, bool with_millis = false);

// Human duration for text: "45 s", "12 min", "3.5 h", "2.0 d".
std::string FormatDurationHuman(int64_t ns);

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace inferscope

#endif  // INFERSCOPE_CORE_TIME_FORMAT_H_
