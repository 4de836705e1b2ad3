#include "atlassian/rate_budget.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

#include "core/time.h"

namespace adminauto::atlassian {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Converts a parsed header time to the clock's nanosecond time point. Header times are any
// year from 0000 to 9999, and the clock covers only about 1678 to 2262, so a time outside
// that range is clamped to its end instead of overflowing.
TimePoint ToTimePoint(Timestamp t) {
  const auto latest = std::chrono::floor<seconds>(TimePoint::max());
  const auto earliest = std::chrono::ceil<seconds>(TimePoint::min());
  return TimePoint(
      std::clamp(t, Timestamp(earliest.time_since_epoch()), Timestamp(latest.time_since_epoch())));
}

// Parses an IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT".
std::optional<TimePoint> ParseHttpDate(std::string_view value) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char weekday[4] = {}, month[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  std::string text(value.substr(0, 64));
  if (std::sscanf(text.c_str(), "%3s, %d %3s %d %d:%d:%d GMT", weekday, &day, month, &year, &hour,
                  &minute, &second) != 7) {
    return std::nullopt;
  }
  auto it = std::find(kMonths.begin(), kMonths.end(), std::string_view(month));
  if (it == kMonths.end()) return std::nullopt;
  char iso[32];
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02dT%02d:%02d:%02dZ", year,
                static_cast<int>(it - kMonths.begin()) + 1, day, hour, minute, second);
  Result<Timestamp> t = ParseIsoTimestamp(iso);
  if (!t.ok()) return std::nullopt;
  return ToTimePoint(*t);
}

milliseconds Backoff(int attempt, const RetryPolicy& policy, std::mt19937_64& rng) {
  milliseconds base = std::max(policy.backoff_initial, milliseconds(1'000));
  milliseconds delay = base;
  for (int i = 1; i < attempt && delay < policy.backoff_max; ++i) delay *= 2;
  delay = std::min(delay, std::max(policy.backoff_max, base));
  // Jitter spreads retries of concurrent clients; it only shortens, never below the base.
  std::uniform_int_distribution<int64_t> jitter(0, delay.count() / 4);
  return std::max(base, delay - milliseconds(jitter(rng)));
}

}  // namespace

std::optional<SteadyDuration> ParseRetryAfter(std::string_view value, TimePoint now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  int64_t secs = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
  if (ec == std::errc() && end == value.data() + value.size()) {
    if (secs < 0) return std::nullopt;
    return duration_cast<milliseconds>(seconds(std::min<int64_t>(secs, 86'400 * 365)));
  }
  std::optional<TimePoint> at = ParseHttpDate(value);
  if (!at) return std::nullopt;
  return std::max(milliseconds(0), duration_cast<milliseconds>(*at - now));
}

RetryDelay ComputeRetryDelay(const HttpResponse* response, int attempt, TimePoint now,
                             const RetryPolicy& policy, std::mt19937_64& rng) {
  if (response != nullptr) {
    if (auto header = response->Header("Retry-After")) {
      if (auto wait = ParseRetryAfter(*header, now)) {
        return {std::max(*wait, policy.min_wait), DelaySource::kRetryAfter};
      }
    }
    if (auto header = response->Header("X-RateLimit-Reset")) {
      if (Result<Timestamp> reset = ParseIsoTimestamp(*header); reset.ok()) {
        milliseconds wait = duration_cast<milliseconds>(ToTimePoint(*reset) - now);
        return {std::max(wait, policy.min_wait), DelaySource::kRateLimitReset};
      }
    }
  }
  return {Backoff(attempt, policy, rng), DelaySource::kBackoff};
}

TimePoint RateBudget::NotBefore() const {
  std::lock_guard lock(mu_);
  return not_before_;
}

bool RateBudget::WaitTurn(SteadyDuration max_wait, TimePoint* resume_at) {
  TimePoint until = NotBefore();
  TimePoint now = clock_.Now();
  if (until <= now) return true;
  auto wait = duration_cast<milliseconds>(until - now);
  if (wait > max_wait) {
    if (resume_at != nullptr) *resume_at = until;
    return false;
  }
  // Round up so the wait never ends just before the limit resets.
  if (TimePoint(now + wait) < until) wait += milliseconds(1);
  clock_.SleepFor(wait);
  std::lock_guard lock(mu_);
  throttled_ += wait;
  return true;
}

void RateBudget::PauseUntil(TimePoint until) {
  std::lock_guard lock(mu_);
  not_before_ = std::max(not_before_, until);
}

void RateBudget::Observe(const HttpResponse& response) {
  auto remaining = response.Header("X-RateLimit-Remaining");
  auto reset_header = response.Header("X-RateLimit-Reset");
  if (!remaining || !reset_header) return;
  int64_t left = -1;
  auto [end, ec] = std::from_chars(remaining->data(), remaining->data() + remaining->size(), left);
  if (ec != std::errc() || left < 0) return;
  Result<Timestamp> reset = ParseIsoTimestamp(*reset_header);
  if (!reset.ok()) return;
  const TimePoint until = ToTimePoint(*reset);
  std::lock_guard lock(mu_);
  limit_seen_ = true;
  if (remaining_ && until < remaining_until_) return;  // from a window that has ended
  // Concurrent responses of one window arrive in any order, so the lowest count is the current
  // one; Spend() has already taken off the requests still in flight.
  if (remaining_ && until == remaining_until_) left = std::min(left, *remaining_);
  remaining_ = left;
  remaining_until_ = until;
  if (left == 0) not_before_ = std::max(not_before_, remaining_until_);
}

std::optional<int64_t> RateBudget::Allowance() const {
  std::lock_guard lock(mu_);
  if (!remaining_ || clock_.Now() >= remaining_until_) return std::nullopt;
  return *remaining_;
}

bool RateBudget::HasLimitInfo() const {
  std::lock_guard lock(mu_);
  return limit_seen_;
}

void RateBudget::Spend(int64_t n) {
  std::lock_guard lock(mu_);
  if (!remaining_) return;
  *remaining_ = std::max<int64_t>(0, *remaining_ - n);
  if (*remaining_ == 0) not_before_ = std::max(not_before_, remaining_until_);
}

SteadyDuration RateBudget::throttled() const {
  std::lock_guard lock(mu_);
  return throttled_;
}

}  // namespace adminauto::atlassian
