#include "atlassian/rate_budget.h"

#include <gtest/gtest.h>

namespace adminauto::atlassian {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 2026-12-04T12:00:00Z
const TimePoint kNow =
    TimePoint(std::chrono::sys_days(std::chrono::year{2026} / 12 / 4)) + std::chrono::hours(12);

HttpResponse Throttled(HttpHeaders headers) {
  HttpResponse r;
  r.status = 429;
  r.headers = std::move(headers);
  return r;
}

TEST(ComputeRetryDelay, HonoursRetryAfterSeconds) {
  std::mt19937_64 rng(1);
  HttpResponse r = Throttled({{"retry-after", "3"}});
  RetryDelay d = ComputeRetryDelay(&r, 1, kNow, RetryPolicy{}, rng);
  EXPECT_EQ(d.delay, seconds(3));
  EXPECT_EQ(d.source, DelaySource::kRetryAfter);
}

TEST(ComputeRetryDelay, RetryAfterZeroWaitsMinimum) {
  std::mt19937_64 rng(1);
  HttpResponse r = Throttled({{"Retry-After", "0"}});
  RetryDelay d = ComputeRetryDelay(&r, 1, kNow, RetryPolicy{}, rng);
  EXPECT_EQ(d.delay, seconds(1)) << "a zero wait must not retry at once";
}

TEST(ComputeRetryDelay, RetryAfterHttpDate) {
  std::mt19937_64 rng(1);
  HttpResponse r = Throttled({{"Retry-After", "Fri, 04 Dec 2026 12:00:07 GMT"}});
  EXPECT_EQ(ComputeRetryDelay(&r, 1, kNow, RetryPolicy{}, rng).delay, seconds(7));
}

TEST(ComputeRetryDelay, ResetWithoutSeconds) {
  std::mt19937_64 rng(1);
  HttpResponse r = Throttled({{"X-RateLimit-Reset", "2026-12-04T12:02Z"}});
  RetryDelay d = ComputeRetryDelay(&r, 1, kNow, RetryPolicy{}, rng);
  EXPECT_EQ(d.delay, seconds(120));
  EXPECT_EQ(d.source, DelaySource::kRateLimitReset);
}

TEST(ComputeRetryDelay, ResetWithOffsetAndSeconds) {
  std::mt19937_64 rng(1);
  // 13:01:30 at +01:00 is 12:01:30 UTC.
  HttpResponse r = Throttled({{"x-ratelimit-reset", "2026-12-04T13:01:30+01:00"}});
  EXPECT_EQ(ComputeRetryDelay(&r, 1, kNow, RetryPolicy{}, rng).delay, seconds(90));
}

TEST(ComputeRetryDelay, ResetInPastWaitsMinimum) {
  std::mt19937_64 rng(1);
  HttpResponse r = Throttled({{"X-RateLimit-Reset", "2026-12-04T11:00:00Z"}});
  EXPECT_EQ(ComputeRetryDelay(&r, 1, kNow, RetryPolicy{}, rng).delay, seconds(1));
}

TEST(ComputeRetryDelay, RetryAfterBeatsReset) {
  std::mt19937_64 rng(1);
  HttpResponse r = Throttled({{"X-RateLimit-Reset", "2026-12-04T12:05:00Z"}, {"Retry-After", "2"}});
  EXPECT_EQ(ComputeRetryDelay(&r, 1, kNow, RetryPolicy{}, rng).delay, seconds(2));
}

// The clock's nanosecond time point ends in 2262, so these dates must not overflow it.
TEST(ComputeRetryDelay, FarFutureDatesWaitLong) {
  std::mt19937_64 rng(1);
  const auto two_centuries = std::chrono::hours(24 * 365 * 200);
  HttpResponse by_date = Throttled({{"Retry-After", "Fri, 04 Dec 4990 12:00:07 GMT"}});
  EXPECT_GT(ComputeRetryDelay(&by_date, 1, kNow, RetryPolicy{}, rng).delay, two_centuries);
  HttpResponse by_reset = Throttled({{"X-RateLimit-Reset", "9999-12-31T23:59:59Z"}});
  EXPECT_GT(ComputeRetryDelay(&by_reset, 1, kNow, RetryPolicy{}, rng).delay, two_centuries);
}

TEST(ComputeRetryDelay, BackoffGrowsWithJitterAndCap) {
  std::mt19937_64 rng(42);
  RetryPolicy policy;
  policy.backoff_initial = seconds(1);
  policy.backoff_max = seconds(8);
  HttpResponse r = Throttled({});
  for (int trial = 0; trial < 50; ++trial) {
    // Attempt n waits 2^(n-1) s minus at most a quarter, never below 1 s; capped at 8 s.
    for (int attempt = 1; attempt <= 6; ++attempt) {
      RetryDelay d = ComputeRetryDelay(&r, attempt, kNow, policy, rng);
      int64_t full = std::min<int64_t>(int64_t{1000} << (attempt - 1), 8000);
      EXPECT_EQ(d.source, DelaySource::kBackoff);
      EXPECT_LE(d.delay.count(), full);
      EXPECT_GE(d.delay.count(), std::max<int64_t>(1000, full - full / 4));
    }
  }
}

TEST(ComputeRetryDelay, BackoffNeverUnderOneSecond) {
  std::mt19937_64 rng(7);
  RetryPolicy policy;
  policy.backoff_initial = milliseconds(10);
  EXPECT_GE(ComputeRetryDelay(nullptr, 1, kNow, policy, rng).delay, seconds(1));
}

TEST(ParseRetryAfter, RejectsGarbage) {
  EXPECT_FALSE(ParseRetryAfter("soon", kNow).has_value());
  EXPECT_FALSE(ParseRetryAfter("-5", kNow).has_value());
  EXPECT_FALSE(ParseRetryAfter("", kNow).has_value());
  EXPECT_EQ(ParseRetryAfter(" 12 ", kNow), seconds(12));
}

TEST(RateBudget, WaitTurnSleepsUntilPause) {
  FakeClock clock(kNow);
  RateBudget budget(clock);
  budget.PauseUntil(kNow + seconds(3));
  TimePoint resume{};
  EXPECT_TRUE(budget.WaitTurn(seconds(180), &resume));
  EXPECT_EQ(clock.Now(), kNow + seconds(3));
  EXPECT_EQ(budget.throttled(), seconds(3));
  EXPECT_TRUE(budget.WaitTurn(seconds(180), &resume));
  EXPECT_EQ(clock.slept(), seconds(3)) << "no second wait once the pause is over";
}

TEST(RateBudget, WaitTurnRefusesLongWait) {
  FakeClock clock(kNow);
  RateBudget budget(clock);
  budget.PauseUntil(kNow + std::chrono::minutes(10));
  TimePoint resume{};
  EXPECT_FALSE(budget.WaitTurn(seconds(180), &resume));
  EXPECT_EQ(resume, kNow + std::chrono::minutes(10));
  EXPECT_EQ(clock.slept(), milliseconds(0));
}

TEST(RateBudget, RemainingZeroPausesUntilReset) {
  FakeClock clock(kNow);
  RateBudget budget(clock);
  HttpResponse ok;
  ok.status = 200;
  ok.headers = {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "2026-12-04T12:00:30Z"}};
  budget.Observe(ok);
  EXPECT_EQ(budget.NotBefore(), kNow + seconds(30));
}

TEST(RateBudget, FarFutureResetPausesLong) {
  FakeClock clock(kNow);
  RateBudget budget(clock);
  HttpResponse ok;
  ok.status = 200;
  ok.headers = {{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "9999-12-31T23:59Z"}};
  budget.Observe(ok);
  EXPECT_GT(budget.NotBefore(), kNow + std::chrono::hours(24 * 365 * 200));
  TimePoint resume_at{};
  EXPECT_FALSE(budget.WaitTurn(seconds(60), &resume_at));
  EXPECT_EQ(resume_at, budget.NotBefore());
}

TEST(RateBudget, AllowanceCountsSpentRequests) {
  FakeClock clock(kNow);
  RateBudget budget(clock);
  EXPECT_FALSE(budget.Allowance().has_value());
  HttpResponse ok;
  ok.status = 200;
  ok.headers = {{"X-RateLimit-Remaining", "3"}, {"X-RateLimit-Reset", "2026-12-04T12:01:00Z"}};
  budget.Observe(ok);
  EXPECT_EQ(budget.Allowance(), 3);
  budget.Spend(3);
  EXPECT_EQ(budget.Allowance(), 0);
  EXPECT_EQ(budget.NotBefore(), kNow + seconds(60));
  clock.Advance(seconds(61));
  EXPECT_FALSE(budget.Allowance().has_value()) << "the count expires with its reset";
}

TEST(RateBudget, LowestRemainingOfWindowCounts) {
  FakeClock clock(kNow);
  RateBudget budget(clock);
  auto answer = [](const char* remaining, const char* reset) {
    HttpResponse response;
    response.status = 200;
    response.headers = {{"X-RateLimit-Remaining", remaining}, {"X-RateLimit-Reset", reset}};
    return response;
  };
  // Four concurrent requests; the server answered the last one first.
  budget.Observe(answer("5", "2026-12-04T12:01Z"));
  budget.Observe(answer("6", "2026-12-04T12:01Z"));
  budget.Observe(answer("8", "2026-12-04T12:01Z"));
  EXPECT_EQ(budget.Allowance(), 5);
  // An answer from the previous window changes nothing.
  budget.Observe(answer("9", "2026-12-04T12:00Z"));
  EXPECT_EQ(budget.Allowance(), 5);
  // The next window starts with the count it reports.
  clock.Advance(seconds(60));
  budget.Observe(answer("9", "2026-12-04T12:02Z"));
  EXPECT_EQ(budget.Allowance(), 9);
}

}  // namespace
}  // namespace adminauto::atlassian
