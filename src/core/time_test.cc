#include "core/time.h"

#include <gtest/gtest.h>

namespace adminauto {
namespace {

using std::chrono::days;
using std::chrono::seconds;

// 2026-05-01T00:00:00Z is 1777593600 seconds after the epoch (checked with `date -u -d`).
constexpr long long kMay1 = 1777593600;

TEST(ParseIsoTimestamp, AcceptsCommonForms) {
  EXPECT_EQ(ParseIsoTimestamp("2026-05-01")->time_since_epoch().count(), kMay1);
  EXPECT_EQ(ParseIsoTimestamp("2026-05-01T10:12Z")->time_since_epoch().count(),
            kMay1 + 10 * 3600 + 12 * 60);
  EXPECT_EQ(ParseIsoTimestamp("2026-05-01T10:12:13Z")->time_since_epoch().count(),
            kMay1 + 10 * 3600 + 12 * 60 + 13);
  EXPECT_EQ(ParseIsoTimestamp("2026-05-01T10:12:13.000Z")->time_since_epoch().count(),
            kMay1 + 10 * 3600 + 12 * 60 + 13);
}

TEST(ParseIsoTimestamp, AppliesOffsets) {
  EXPECT_EQ(ParseIsoTimestamp("2026-05-01T02:00:00+02:00")->time_since_epoch().count(), kMay1);
  EXPECT_EQ(ParseIsoTimestamp("2026-04-30T19:00-0500")->time_since_epoch().count(), kMay1);
}

TEST(ParseIsoTimestamp, RejectsMalformed) {
  for (const char* bad : {"", "2026-5-1", "2026-02-30", "2026-05-01T25:00Z", "2026-05-01T10:12",
                          "2026-05-01T10:12:13.Z", "2026-05-01T10:12Zjunk", "tomorrow"}) {
    auto r = ParseIsoTimestamp(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(ParseExportDay, ReadsExportDates) {
  EXPECT_EQ(FormatIsoDay(*ParseExportDay("3 Jan 2024")), "2024-01-03");
  EXPECT_EQ(FormatIsoDay(*ParseExportDay("25 May 2023")), "2023-05-25");
  EXPECT_EQ(FormatIsoDay(*ParseExportDay("16 nov 2026")), "2026-11-16");
  EXPECT_EQ(FormatIsoDay(*ParseExportDay("1 September 2025")), "2025-09-01");
}

TEST(ParseExportDay, RejectsMalformed) {
  for (const char* bad : {"", "Never accessed", "31 Feb 2024", "3 Janu 2024", "3 Jan 24",
                          "2024-01-03", "003 Jan 2024"}) {
    EXPECT_FALSE(ParseExportDay(bad).ok()) << bad;
  }
}

TEST(FormatIsoTimestamp, RoundTrips) {
  Timestamp t = Timestamp(seconds(kMay1 + 3723));
  EXPECT_EQ(FormatIsoTimestamp(t), "2026-05-01T01:02:03Z");
  EXPECT_EQ(*ParseIsoTimestamp(FormatIsoTimestamp(t)), t);
}

TEST(DayOf, TruncatesToUtcDay) {
  Timestamp late = Timestamp(seconds(kMay1 + 86399));
  EXPECT_EQ(FormatIsoDay(DayOf(late)), "2026-05-01");
  EXPECT_EQ(DayOf(late) + days(1), *ParseIsoDay("2026-05-02"));
}

}  // namespace
}  // namespace adminauto
