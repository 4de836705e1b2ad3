// Fuzz target for the time parsers, which read dates from export files, rule files and API
// responses. Each parser must return a value or an error for any bytes, and every value it
// returns must survive a round trip through the matching formatter.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/time.h"

namespace {

using std::chrono::year;
using std::chrono::year_month_day;

// The formatters write four-digit years, so only days in years 0 to 9999 can be reparsed.
// Offsets can move a parsed timestamp just outside that range.
bool HasFourDigitYear(adminauto::Day day) {
  const year y = year_month_day(day).year();
  return y >= year(0) && y <= year(9999);
}

void CheckIsoTimestamp(std::string_view text) {
  auto parsed = adminauto::ParseIsoTimestamp(text);
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) std::abort();
    return;
  }
  if (!HasFourDigitYear(adminauto::DayOf(*parsed))) return;
  auto again = adminauto::ParseIsoTimestamp(adminauto::FormatIsoTimestamp(*parsed));
  if (!again.ok() || *again != *parsed) std::abort();
}

void CheckDay(adminauto::Result<adminauto::Day> parsed) {
  if (!parsed.ok()) {
    if (parsed.status().message().empty()) std::abort();
    return;
  }
  if (!HasFourDigitYear(*parsed)) std::abort();  // Both day parsers read exactly four digits.
  auto again = adminauto::ParseIsoDay(adminauto::FormatIsoDay(*parsed));
  if (!again.ok() || *again != *parsed) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckIsoTimestamp(text);
  CheckDay(adminauto::ParseIsoDay(text));
  CheckDay(adminauto::ParseExportDay(text));
  return 0;
}
