#include "atlassian/api_error.h"

#include <boost/json.hpp>

namespace adminauto::atlassian {
namespace {

namespace json = boost::json;

// The interesting parts of any of the API's error bodies.
struct ErrorBody {
  std::string code;               // "ADMIN-404-8", "ADMIN-UAM-403-1", "forbidden.action", ...
  std::string message;            // title/detail/message
  bool gateway_no_perms = false;  // the gateway's 403 {"status":403,"error":"Forbidden",...}
};

std::string StringField(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  return {};
}

ErrorBody ReadErrorBody(std::string_view body) {
  ErrorBody out;
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) return out;
  const json::object& obj = parsed.as_object();

  // {"errors":[{code,title,detail,...}]}: application errors of v1 and v2.
  if (const json::value* errors = obj.if_contains("errors");
      errors != nullptr && errors->is_array() && !errors->as_array().empty() &&
      errors->as_array().front().is_object()) {
    const json::object& first = errors->as_array().front().as_object();
    out.code = StringField(first, "code");
    std::string title = StringField(first, "title");
    std::string detail = StringField(first, "detail");
    out.message = detail.empty() ? title : (title.empty() ? detail : title + ": " + detail);
    return out;
  }
  // {"key":"forbidden..."}: user-management API.
  if (std::string key = StringField(obj, "key"); !key.empty()) {
    out.code = key;
    out.message = StringField(obj, "message");
    return out;
  }
  // Gateway NoPerms: {"timestamp","path","status":403,"error":"Forbidden","message",...}.
  if (obj.contains("error") && obj.contains("status") && obj.contains("timestamp")) {
    out.gateway_no_perms = true;
    out.message = StringField(obj, "message");
    return out;
  }
  // Gateway ProxyError: {"code":401,"message":"..."}.
  out.message = StringField(obj, "message");
  return out;
}

ApiErrorKind KindForStatus(int status, const ErrorBody& body) {
  switch (status) {
    case 401:
      return ApiErrorKind::kCredentialInvalid;
    case 403:
      // The gateway returns 403 NoPerms when the key has no access to the org at all, which
      // in practice means a revoked key or one for another org.
      return body.gateway_no_perms ? ApiErrorKind::kCredentialInvalid : ApiErrorKind::kForbidden;
    case 404:
      return ApiErrorKind::kNotFound;
    case 409:
      return ApiErrorKind::kConflict;
    case 429:
      return ApiErrorKind::kRateLimited;
    default:
      break;
  }
  if (status >= 500) return ApiErrorKind::kServerError;
  if (status >= 400) return ApiErrorKind::kBadRequest;
  return ApiErrorKind::kMalformedResponse;  // 1xx/3xx: never expected from this API
}

std::string Advice(ApiErrorKind kind) {
  switch (kind) {
    case ApiErrorKind::kCredentialInvalid:
      return "the API key is invalid, expired or revoked; create a new key and replace it";
    case ApiErrorKind::kForbidden:
      return "the API key may not do this; use an org admin key without scopes";
    case ApiErrorKind::kRateLimited:
      return "rate limited; retry later";
    case ApiErrorKind::kServerError:
      return "the API failed; retry later";
    default:
      return {};
  }
}

}  // namespace

std::string_view ToString(ApiErrorKind kind) {
  switch (kind) {
    case ApiErrorKind::kCredentialInvalid:
      return "credential_invalid";
    case ApiErrorKind::kForbidden:
      return "forbidden";
    case ApiErrorKind::kNotFound:
      return "not_found";
    case ApiErrorKind::kBadRequest:
      return "bad_request";
    case ApiErrorKind::kConflict:
      return "conflict";
    case ApiErrorKind::kRateLimited:
      return "rate_limited";
    case ApiErrorKind::kServerError:
      return "server_error";
    case ApiErrorKind::kMalformedResponse:
      return "malformed_response";
    case ApiErrorKind::kTimeout:
      return "timeout";
    case ApiErrorKind::kNetwork:
      return "network";
  }
  return "unknown";
}

Status ApiError::ToStatus() const {
  StatusCode code = StatusCode::kInternal;
  switch (kind) {
    case ApiErrorKind::kCredentialInvalid:
      code = StatusCode::kUnauthenticated;
      break;
    case ApiErrorKind::kForbidden:
      code = StatusCode::kPermissionDenied;
      break;
    case ApiErrorKind::kNotFound:
      code = StatusCode::kNotFound;
      break;
    case ApiErrorKind::kBadRequest:
      code = StatusCode::kInvalidArgument;
      break;
    case ApiErrorKind::kConflict:
      code = StatusCode::kFailedPrecondition;
      break;
    case ApiErrorKind::kRateLimited:
      code = StatusCode::kResourceExhausted;
      break;
    case ApiErrorKind::kServerError:
    case ApiErrorKind::kNetwork:
      code = StatusCode::kUnavailable;
      break;
    case ApiErrorKind::kMalformedResponse:
      code = StatusCode::kInternal;
      break;
    case ApiErrorKind::kTimeout:
      code = StatusCode::kDeadlineExceeded;
      break;
  }
  return Status(code, message);
}

ApiError ClassifyErrorResponse(int http_status, std::string_view body, std::string_view endpoint) {
  ErrorBody parsed = ReadErrorBody(body);
  ApiError error;
  error.kind = KindForStatus(http_status, parsed);
  error.http_status = http_status;
  error.code = parsed.code;
  error.message = std::string(endpoint) + " failed with HTTP " + std::to_string(http_status);
  if (!parsed.code.empty()) error.message += " " + parsed.code;
  if (!parsed.message.empty()) error.message += " (" + parsed.message.substr(0, 200) + ")";
  if (std::string advice = Advice(error.kind); !advice.empty()) error.message += ": " + advice;
  return error;
}

ApiError MalformedResponse(std::string_view endpoint, std::string_view detail) {
  ApiError error;
  error.kind = ApiErrorKind::kMalformedResponse;
  error.http_status = 200;
  error.message = "malformed response from " + std::string(endpoint) + ": " + std::string(detail);
  return error;
}

}  // namespace adminauto::atlassian
