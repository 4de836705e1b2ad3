// The rate budget of one org, shared by every request to that org's API, and the retry delay
// rules. A 429 or an exhausted X-RateLimit-Remaining pauses all requests to the org until the
// limit resets, so concurrent requests do not each run into the limit.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "atlassian/transport.h"
#include "core/clock.h"

namespace adminauto::atlassian {

using SteadyDuration = std::chrono::milliseconds;
using TimePoint = std::chrono::system_clock::time_point;

struct RetryPolicy {
  int max_attempts_per_request = 8;       // all attempts of one request, 429s included
  int max_server_error_retries = 3;       // retries of a read after 5xx or a timeout
  int max_retries_per_sync = 500;         // retries of all requests made by one client
  SteadyDuration backoff_initial{1'000};  // first backoff without a hint; at least 1 s
  SteadyDuration backoff_max{60'000};     // cap of the exponential backoff
  // A hinted wait (Retry-After or X-RateLimit-Reset) longer than this ends the operation with
  // kRateLimited and the time to retry, rather than blocking.
  SteadyDuration max_wait{180'000};
  // Floor for a hinted wait, so "Retry-After: 0" or a reset in the past cannot spin.
  SteadyDuration min_wait{1'000};
};

// Source of a retry delay.
enum class DelaySource { kRetryAfter, kRateLimitReset, kBackoff };

struct RetryDelay {
  SteadyDuration delay{0};
  DelaySource source = DelaySource::kBackoff;
};

// Computes how long to wait before retrying after `response` (a 429 or 5xx), for the
// `attempt`-th retry (1-based). Uses Retry-After (seconds or an HTTP date), else
// X-RateLimit-Reset (ISO-8601), else exponential backoff from policy.backoff_initial doubling
// up to backoff_max with up to 25% random jitter subtracted. Hinted waits are raised to
// policy.min_wait. Pure apart from `rng`.
RetryDelay ComputeRetryDelay(const HttpResponse* response, int attempt, TimePoint now,
                             const RetryPolicy& policy, std::mt19937_64& rng);

// Parses an HTTP Retry-After value: delta-seconds or an IMF-fixdate such as
// "Wed, 21 Oct 2015 07:28:00 GMT". Returns the wait relative to `now`, never negative.
std::optional<SteadyDuration> ParseRetryAfter(std::string_view value, TimePoint now);

// Shared pacing state of one org. Thread-safe.
class RateBudget {
 public:
  explicit RateBudget(Clock& clock) : clock_(clock) {}

  // Returns the time before which no request may start (the past when none is pending).
  TimePoint NotBefore() const;

  // Waits on the clock until NotBefore(). Returns false without waiting when that is more
  // than `max_wait` ahead; `*resume_at` is then set to it.
  bool WaitTurn(SteadyDuration max_wait, TimePoint* resume_at);

  // Pauses every request to this org until `until`, and adds the pause to the throttled time.
  void PauseUntil(TimePoint until);

  // Reads X-RateLimit-Remaining and X-RateLimit-Reset from any response: when nothing remains
  // the org pauses until the reset, so the next call does not earn a 429. Within one reset
  // window the lowest Remaining seen counts, whatever order concurrent answers arrive in.
  void Observe(const HttpResponse& response);

  // Requests that may start now without exceeding X-RateLimit-Remaining, as last reported
  // before the reset it names; nullopt when no limit is known.
  std::optional<int64_t> Allowance() const;

  // True once any response carried X-RateLimit-Remaining and X-RateLimit-Reset.
  bool HasLimitInfo() const;

  // Counts `n` requests started against the last reported X-RateLimit-Remaining.
  void Spend(int64_t n);

  // Total time requests were held back by this budget.
  SteadyDuration throttled() const;

  Clock& clock() { return clock_; }

 private:
  Clock& clock_;
  mutable std::mutex mu_;
  TimePoint not_before_{};
  std::optional<int64_t> remaining_;
  TimePoint remaining_until_{};
  bool limit_seen_ = false;  // the reset time that `remaining_` is valid until
  SteadyDuration throttled_{0};
};

}  // namespace adminauto::atlassian
