// Typed errors of the Organizations API client. Every failed call ends as one ApiError whose
// kind tells the caller what to do: replace the key, fix permissions, retry later, or report a
// broken response. Messages name the endpoint and the API's error code, never the key.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/status.h"

namespace adminauto::atlassian {

enum class ApiErrorKind {
  kCredentialInvalid,  // 401, or the gateway's 403 NoPerms body: key invalid, expired or revoked
  kForbidden,          // 403 with an application error: the key may not do this
  kNotFound,           // 404: org, user, group or directory unknown
  kBadRequest,         // 400, 405, 415: the request was rejected as invalid
  kConflict,           // 409: the target is in a state that forbids the change
  kRateLimited,        // 429 retries exhausted, or the limit resets too far ahead
  kServerError,        // 5xx after the allowed retries
  kMalformedResponse,  // a 2xx whose body is not the expected JSON shape, or broken pagination
  kTimeout,            // connect or read timeout
  kNetwork,            // connection refused, DNS, TLS or other transport failure
};

std::string_view ToString(ApiErrorKind kind);

struct ApiError {
  ApiErrorKind kind = ApiErrorKind::kServerError;
  int http_status = 0;  // 0 when no response arrived
  std::string code;     // API error code such as "ADMIN-404-8", when the body had one
  std::string message;  // what failed, on which endpoint, and what to do
  // For kRateLimited: the earliest time a retry can succeed, when the API said so.
  std::optional<std::chrono::system_clock::time_point> retry_at;

  // Maps the kind to a Status code (kUnauthenticated, kPermissionDenied, kNotFound,
  // kInvalidArgument, kFailedPrecondition, kResourceExhausted, kUnavailable, kInternal,
  // kDeadlineExceeded) and keeps the message.
  Status ToStatus() const;
};

// A value or an ApiError.
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : data_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : data_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(data_); }
  const ApiError& error() const { return std::get<ApiError>(data_); }
  Status status() const { return ok() ? Status::Ok() : error().ToStatus(); }

  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, ApiError> data_;
};

// Success of a call that returns nothing, or an ApiError.
class [[nodiscard]] ApiStatus {
 public:
  ApiStatus() = default;
  ApiStatus(ApiError error) : error_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !error_.has_value(); }
  const ApiError& error() const { return *error_; }
  Status status() const { return ok() ? Status::Ok() : error_->ToStatus(); }

 private:
  std::optional<ApiError> error_;
};

// Classifies a non-2xx response by status and body. Understands the API's error bodies:
// {"errors":[{"status":"404","code":"ADMIN-404-8","title","detail"}]}, the gateway's
// {"code":401,"message":…} and 403 {"status":403,"error":"Forbidden","message":…}, and the
// user-management {"key":"forbidden…"}. `endpoint` names the call in the message.
ApiError ClassifyErrorResponse(int http_status, std::string_view body, std::string_view endpoint);

// Builds a kMalformedResponse error for `endpoint` with `detail`.
ApiError MalformedResponse(std::string_view endpoint, std::string_view detail);

}  // namespace adminauto::atlassian
