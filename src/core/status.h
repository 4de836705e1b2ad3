// Status and Result<T>: the error type at every module boundary. Exceptions thrown by
// libraries are caught at the edge of the module that calls them and turned into a Status.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace adminauto {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad input from a user, a file or a request
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,  // the operation is not allowed in the current state
  kPermissionDenied,
  kUnauthenticated,    // credential missing, invalid or expired
  kResourceExhausted,  // rate limited or a bound was reached
  kUnavailable,        // transient: a retry may succeed
  kDeadlineExceeded,
  kDataLoss,  // stored data is corrupt or was tampered with
  kAborted,   // stopped by a safety limit
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns "CODE_NAME: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context` and ": ".
  Status WithContext(std::string_view context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(data_).ok() && "Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  // Returns the error, or OK when a value is present.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(data_); }

  T& value() & {
    assert(ok());
    return std::get<T>(data_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(data_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(data_));
  }
  // Returns a copy of the value, or `fallback` when this holds an error.
  T value_or(T fallback) const& { return ok() ? std::get<T>(data_) : std::move(fallback); }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace adminauto

// Returns the Status of `expr` from the enclosing function when it is not OK.
#define AA_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::adminauto::Status aa_status_ = (expr); \
    if (!aa_status_.ok()) return aa_status_; \
  } while (false)

#define AA_CONCAT_INNER(a, b) a##b
#define AA_CONCAT(a, b) AA_CONCAT_INNER(a, b)

// Declares `lhs` from the value of a Result, or returns its error from the enclosing function.
#define AA_ASSIGN_OR_RETURN(lhs, expr) \
  AA_ASSIGN_OR_RETURN_IMPL(AA_CONCAT(aa_result_, __LINE__), lhs, expr)
#define AA_ASSIGN_OR_RETURN_IMPL(result, lhs, expr) \
  auto result = (expr);                             \
  if (!result.ok()) return result.status();         \
  lhs = std::move(result).value()
