// The client's request loop and retry decisions.
#include <cctype>

#include "atlassian/client_internal.h"

namespace adminauto::atlassian::internal {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

ApiError TransportFailure(const TransportError& error, std::string_view endpoint) {
  ApiError out;
  out.kind =
      error.kind == TransportErrorKind::kTimeout ? ApiErrorKind::kTimeout : ApiErrorKind::kNetwork;
  out.message = std::string(endpoint) + " failed: " + error.message;
  return out;
}

Outcome Fail(ApiError error) { return {Outcome::kFail, std::move(error)}; }

}  // namespace

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string OrgPath(const ClientOptions& options, std::string_view version) {
  return "/admin/" + std::string(version) + "/orgs/" + PercentEncode(options.org_id);
}

std::string DirPath(const ClientOptions& options) {
  return OrgPath(options, "v2") + "/directories/" + PercentEncode(options.directory_id);
}

HttpRequest MakeRequest(std::string method, std::string target, std::string body) {
  HttpRequest request;
  request.method = std::move(method);
  request.target = std::move(target);
  request.body = std::move(body);
  return request;
}

Outcome RetryDecider::Decide(const TransportResult& result, Attempts& attempts, bool is_write,
                             std::string_view endpoint) {
  ++attempts.total;
  if (!result.response) {
    ApiError error = TransportFailure(result.error, endpoint);
    if (is_write || result.error.kind == TransportErrorKind::kRejected ||
        ++attempts.server_errors > policy_.max_server_error_retries) {
      return Fail(std::move(error));
    }
    return Retry(nullptr, attempts, std::move(error), endpoint);
  }
  const HttpResponse& response = *result.response;
  impl_.budget->Observe(response);
  if (response.status >= 200 && response.status < 300) return {};
  ApiError error = ClassifyErrorResponse(response.status, response.body, endpoint);
  if (response.status == 429) return Retry(&response, attempts, std::move(error), endpoint);
  if (response.status >= 500 && !is_write &&
      ++attempts.server_errors <= policy_.max_server_error_retries) {
    return Retry(&response, attempts, std::move(error), endpoint);
  }
  return Fail(std::move(error));
}

std::optional<ApiError> RetryDecider::WaitTurn(std::string_view endpoint) {
  TimePoint before = impl_.clock.Now();
  TimePoint resume_at{};
  if (!impl_.budget->WaitTurn(policy_.max_wait, &resume_at)) {
    ApiError error;
    error.kind = ApiErrorKind::kRateLimited;
    error.http_status = 429;
    error.retry_at = resume_at;
    error.message = std::string(endpoint) + " is rate limited until " +
                    FormatIsoTimestamp(ToTimestamp(resume_at)) + "; retry after that time";
    return error;
  }
  stats_.throttled += duration_cast<milliseconds>(impl_.clock.Now() - before);
  return std::nullopt;
}

Outcome RetryDecider::Retry(const HttpResponse* response, const Attempts& attempts, ApiError error,
                            std::string_view endpoint) {
  if (attempts.total >= policy_.max_attempts_per_request) {
    error.message += " (gave up after " + std::to_string(attempts.total) + " attempts)";
    return Fail(std::move(error));
  }
  if (stats_.retries >= policy_.max_retries_per_sync) {
    error.message +=
        " (limit of " + std::to_string(policy_.max_retries_per_sync) + " retries per sync reached)";
    return Fail(std::move(error));
  }
  TimePoint now = impl_.clock.Now();
  RetryDelay delay = ComputeRetryDelay(response, attempts.total, now, policy_, impl_.rng);
  if (delay.delay > policy_.max_wait) {
    // A limit that resets this far ahead ends the operation rather than blocking it.
    error.kind = ApiErrorKind::kRateLimited;
    error.retry_at = now + delay.delay;
    error.message += "; the limit resets at " + FormatIsoTimestamp(ToTimestamp(*error.retry_at)) +
                     ", retry after that";
    return Fail(std::move(error));
  }
  ++stats_.retries;
  impl_.log->info("retrying endpoint=\"{}\" status={} attempt={} wait_ms={} reason=\"{}\"",
                  endpoint, response != nullptr ? response->status : 0, attempts.total,
                  delay.delay.count(), error.message);
  impl_.budget->PauseUntil(now + delay.delay);
  return {Outcome::kRetry, std::nullopt};
}

ApiResult<HttpResponse> Call(OrgClient::Impl& impl, RetryDecider& decider, ClientStats& stats,
                             const HttpRequest& request, bool is_write) {
  std::string endpoint = request.method + " " + request.target.substr(0, request.target.find('?'));
  Attempts attempts;
  for (;;) {
    if (auto error = decider.WaitTurn(endpoint)) return *error;
    ++stats.calls;
    TransportResult result = impl.transport->SendOne(request);
    Outcome outcome = decider.Decide(result, attempts, is_write, endpoint);
    if (outcome.kind == Outcome::kDone) return std::move(*result.response);
    if (outcome.kind == Outcome::kFail) return *outcome.error;
  }
}

}  // namespace adminauto::atlassian::internal
