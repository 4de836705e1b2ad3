// UTC time values and their text forms. All stored and compared times are UTC; a date-only
// value is that UTC day. Parsing never depends on the process's time zone or locale.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace adminauto {

using Timestamp = std::chrono::sys_seconds;
using Day = std::chrono::sys_days;

// Parses ISO-8601: "2026-05-01", "2026-05-01T10:12Z", "2026-05-01T10:12:13Z",
// "2026-05-01T10:12:13.123Z" and the same with an offset such as "+02:00" or "-0530".
// Fractions of a second are dropped. A date alone means midnight UTC.
Result<Timestamp> ParseIsoTimestamp(std::string_view text);

// Parses "YYYY-MM-DD" into a UTC day.
Result<Day> ParseIsoDay(std::string_view text);

// Parses the user export's dates, such as "3 Jan 2024" (English month abbreviations or full
// names, any case).
Result<Day> ParseExportDay(std::string_view text);

// Formats as "2026-05-01T10:12:13Z".
std::string FormatIsoTimestamp(Timestamp t);
// Formats as "2026-05-01".
std::string FormatIsoDay(Day d);

inline Day DayOf(Timestamp t) { return std::chrono::floor<std::chrono::days>(t); }
inline Timestamp ToTimestamp(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

// True for the Unix epoch, which the API uses in place of "no activity".
inline bool IsEpochZero(Timestamp t) { return t.time_since_epoch().count() == 0; }

}  // namespace adminauto
