#include "gateway/policy.h"

#include <string>
#include <vector>

namespace adminauto::gateway {
namespace {

// One allowed request shape. In `path`, "{org}" matches the requesting org id exactly and
// "{id}" matches one non-empty path segment.
struct Rule {
  std::string_view method;
  std::string_view path;
};

// The requests of the Organizations API client (atlassian/client.h), and nothing else.
constexpr Rule kRules[] = {
    {"GET", "/admin/v1/orgs/{org}/users"},
    {"GET", "/admin/v1/orgs/{org}/directory/users/{id}/last-active-dates"},
    {"GET", "/admin/v2/orgs/{org}/directories"},
    {"POST", "/admin/v2/orgs/{org}/directories/{id}/users/search"},
    {"GET", "/admin/v2/orgs/{org}/directories/{id}/users/{id}"},
    {"POST", "/admin/v2/orgs/{org}/directories/{id}/groups/search"},
    {"POST", "/admin/v2/orgs/{org}/directories/{id}/users/{id}/suspend"},
    {"POST", "/admin/v2/orgs/{org}/directories/{id}/users/{id}/restore"},
    {"DELETE", "/admin/v2/orgs/{org}/directories/{id}/users/{id}"},
    {"POST", "/admin/v2/orgs/{org}/directories/{id}/groups"},
    {"POST", "/admin/v2/orgs/{org}/directories/{id}/groups/{id}/memberships"},
    {"DELETE", "/admin/v2/orgs/{org}/directories/{id}/groups/{id}/memberships/{id}"},
    {"POST", "/admin/v2/orgs/{org}/directories/{id}/groups/{id}/role-assignments/assign"},
    {"POST", "/admin/v2/orgs/{org}/directories/{id}/groups/{id}/role-assignments/revoke"},
    {"POST", "/admin/v1/orgs/{org}/users/{id}/roles/assign"},
    {"POST", "/admin/v1/orgs/{org}/users/{id}/roles/revoke"},
    {"POST", "/users/{id}/manage/lifecycle/disable"},
    {"POST", "/users/{id}/manage/lifecycle/enable"},
};

std::vector<std::string_view> Segments(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A byte that could change the path's meaning after decoding or normalisation.
bool IsUnsafeByte(unsigned char byte) {
  return byte == '\\' || byte == '/' || byte == '%' || byte <= 0x20 || byte >= 0x7f;
}

// A segment that could change the path's meaning after decoding or normalisation. Percent
// escapes are allowed only for bytes that are safe themselves and not a dot: account ids
// hold a colon, which the client sends as %3A.
bool IsUnsafeSegment(std::string_view segment) {
  if (segment.empty() || segment == "." || segment == "..") return true;
  for (size_t i = 0; i < segment.size(); ++i) {
    const auto byte = static_cast<unsigned char>(segment[i]);
    if (byte != '%') {
      if (IsUnsafeByte(byte)) return true;
      continue;
    }
    if (i + 2 >= segment.size()) return true;
    const int high = HexDigit(segment[i + 1]);
    const int low = HexDigit(segment[i + 2]);
    if (high < 0 || low < 0) return true;
    const auto decoded = static_cast<unsigned char>(high * 16 + low);
    if (decoded == '.' || IsUnsafeByte(decoded)) return true;
    i += 2;
  }
  return false;
}

bool Matches(const Rule& rule, std::string_view org_id,
             const std::vector<std::string_view>& segments) {
  const std::vector<std::string_view> pattern = Segments(rule.path);
  if (pattern.size() != segments.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == "{org}") {
      if (segments[i] != org_id) return false;
    } else if (pattern[i] != "{id}" && pattern[i] != segments[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

Status CheckAllowed(std::string_view org_id, std::string_view method, std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  const std::string shown = std::string(method) + " " + std::string(path);
  if (org_id.empty() || IsUnsafeSegment(org_id)) {
    return Status(StatusCode::kPermissionDenied, "invalid org id for " + shown);
  }
  if (!path.starts_with("/")) {
    return Status(StatusCode::kPermissionDenied,
                  "request target " + shown + " must be a path starting with /");
  }
  const std::vector<std::string_view> segments = Segments(path);
  for (std::string_view segment : segments) {
    if (IsUnsafeSegment(segment)) {
      return Status(StatusCode::kPermissionDenied,
                    "request " + shown + " has an empty, dot or escaped path segment");
    }
  }
  for (const Rule& rule : kRules) {
    if (rule.method == method && Matches(rule, org_id, segments)) return Status::Ok();
  }
  return Status(StatusCode::kPermissionDenied,
                "request " + shown +
                    " is not an Organizations API call of this product for "
                    "org " +
                    std::string(org_id));
}

}  // namespace adminauto::gateway
