#include "core/time.h"

#include <array>
#include <cctype>
#include <cstdio>

namespace adminauto {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

// Reads exactly `width` ASCII digits at `pos`; advances `pos` on success.
bool ReadDigits(std::string_view text, size_t& pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += width;
  out = value;
  return true;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

Status BadTime(std::string_view text, std::string_view expected) {
  return InvalidArgument("invalid time \"" + std::string(text.substr(0, 64)) + "\": expected " +
                         std::string(expected));
}

std::optional<Day> MakeDay(int y, int m, int d) {
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return Day(ymd);
}

// Parses "YYYY-MM-DD" at `pos`.
std::optional<Day> ReadDate(std::string_view text, size_t& pos) {
  int y = 0, m = 0, d = 0;
  if (!ReadDigits(text, pos, 4, y) || !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, m) ||
      !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, d)) {
    return std::nullopt;
  }
  return MakeDay(y, m, d);
}

// Parses "Z", "+HH:MM", "+HHMM" or "+HH" at `pos` into seconds east of UTC.
std::optional<int> ReadOffset(std::string_view text, size_t& pos) {
  if (pos >= text.size()) return std::nullopt;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
    return 0;
  }
  if (text[pos] != '+' && text[pos] != '-') return std::nullopt;
  int sign = text[pos] == '-' ? -1 : 1;
  ++pos;
  int hours = 0, minutes = 0;
  if (!ReadDigits(text, pos, 2, hours)) return std::nullopt;
  if (pos < text.size() && text[pos] == ':') ++pos;
  if (pos < text.size() && !ReadDigits(text, pos, 2, minutes)) return std::nullopt;
  if (hours > 23 || minutes > 59) return std::nullopt;
  return sign * (hours * 3600 + minutes * 60);
}

}  // namespace

Result<Day> ParseIsoDay(std::string_view text) {
  size_t pos = 0;
  auto d = ReadDate(text, pos);
  if (!d || pos != text.size()) return BadTime(text, "a date like 2026-05-01");
  return *d;
}

Result<Timestamp> ParseIsoTimestamp(std::string_view text) {
  constexpr std::string_view kExpected = "ISO-8601 like 2026-05-01T10:12:13Z";
  size_t pos = 0;
  auto d = ReadDate(text, pos);
  if (!d) return BadTime(text, kExpected);
  if (pos == text.size()) return Timestamp(*d);
  if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return BadTime(text, kExpected);
  ++pos;
  int h = 0, m = 0, s = 0;
  if (!ReadDigits(text, pos, 2, h) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, m)) {
    return BadTime(text, kExpected);
  }
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!ReadDigits(text, pos, 2, s)) return BadTime(text, kExpected);
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      size_t digits = 0;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        ++pos;
        ++digits;
      }
      if (digits == 0) return BadTime(text, kExpected);
    }
  }
  if (h > 23 || m > 59 || s > 60) return BadTime(text, kExpected);
  auto offset = ReadOffset(text, pos);
  if (!offset || pos != text.size()) {
    return BadTime(text, "ISO-8601 ending in Z or an offset such as +02:00");
  }
  return Timestamp(*d) + std::chrono::hours(h) + std::chrono::minutes(m) +
         std::chrono::seconds(s) - std::chrono::seconds(*offset);
}

Result<Day> ParseExportDay(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  constexpr std::string_view kExpected = "a date like 3 Jan 2024";
  size_t pos = 0;
  int d = 0;
  size_t start = pos;
  while (pos < text.size() && pos - start < 2 && std::isdigit(static_cast<unsigned char>(text[pos]))) {
    d = d * 10 + (text[pos] - '0');
    ++pos;
  }
  if (pos == start || !Expect(text, pos, ' ')) return BadTime(text, kExpected);
  size_t name_start = pos;
  while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
  std::string name;
  for (char c : text.substr(name_start, pos - name_start)) {
    name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  int m = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (name.size() >= 3 && kMonths[i].substr(0, name.size()) == name &&
        (name.size() == 3 || name == kMonths[i])) {
      m = static_cast<int>(i) + 1;
    }
  }
  int y = 0;
  if (m == 0 || !Expect(text, pos, ' ') || !ReadDigits(text, pos, 4, y) || pos != text.size()) {
    return BadTime(text, kExpected);
  }
  auto day_value = MakeDay(y, m, d);
  if (!day_value) return BadTime(text, kExpected);
  return *day_value;
}

std::string FormatIsoDay(Day d) {
  year_month_day ymd(d);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string FormatIsoTimestamp(Timestamp t) {
  Day d = DayOf(t);
  auto secs = (t - Timestamp(d)).count();
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%sT%02lld:%02lld:%02lldZ", FormatIsoDay(d).c_str(),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  return buf;
}

}  // namespace adminauto
