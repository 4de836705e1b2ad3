// Internals shared by the client's source files: request building and the retry loop.
#pragma once

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "atlassian/client.h"
#include "core/log.h"

namespace adminauto::atlassian {

struct OrgClient::Impl {
  std::shared_ptr<HttpTransport> transport;
  Clock& clock;
  std::shared_ptr<RateBudget> budget;
  std::mt19937_64 rng;
  std::shared_ptr<spdlog::logger> log = GetLogger("atlassian");

  Impl(std::shared_ptr<HttpTransport> t, Clock& c, std::shared_ptr<RateBudget> b)
      : transport(std::move(t)), clock(c), budget(std::move(b)) {}
};

namespace internal {

// Percent-encodes everything but RFC 3986 unreserved characters, for path segments and
// query values.
std::string PercentEncode(std::string_view text);

// "/admin/VERSION/orgs/ORG".
std::string OrgPath(const ClientOptions& options, std::string_view version);
// "/admin/v2/orgs/ORG/directories/DIR".
std::string DirPath(const ClientOptions& options);

HttpRequest MakeRequest(std::string method, std::string target, std::string body = {});

// Retry bookkeeping of one request.
struct Attempts {
  int total = 0;
  int server_errors = 0;
};

// What follows one attempt.
struct Outcome {
  enum Kind { kDone, kRetry, kFail } kind = kDone;
  std::optional<ApiError> error;
};

// Applies the retry policy: 429 always retried within the attempt bounds; 5xx and timeouts
// retried a few times for reads and never for writes; other 4xx never. Delays go through the
// org's shared budget.
class RetryDecider {
 public:
  RetryDecider(OrgClient::Impl& impl, const ClientOptions& options, ClientStats& stats)
      : impl_(impl), policy_(options.retry), stats_(stats) {}

  // Decides what follows `result` for a request with `attempts` so far, and on a retry pauses
  // the budget for the delay.
  Outcome Decide(const TransportResult& result, Attempts& attempts, bool is_write,
                 std::string_view endpoint);

  // Waits for the org's budget; returns kRateLimited when the wait would exceed max_wait.
  std::optional<ApiError> WaitTurn(std::string_view endpoint);

 private:
  Outcome Retry(const HttpResponse* response, const Attempts& attempts, ApiError error,
                std::string_view endpoint);

  OrgClient::Impl& impl_;
  const RetryPolicy& policy_;
  ClientStats& stats_;
};

// Sends one request until it succeeds or fails for good.
ApiResult<HttpResponse> Call(OrgClient::Impl& impl, RetryDecider& decider, ClientStats& stats,
                             const HttpRequest& request, bool is_write);

}  // namespace internal
}  // namespace adminauto::atlassian
