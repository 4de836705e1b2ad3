#include "http/message.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

namespace adminauto::http {

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) <
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::vector<std::string> Request::QueryParams(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, value] : query) {
    if (key == name) values.push_back(value);
  }
  return values;
}

std::optional<std::string> Request::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

const std::string& Request::PathParam(const std::string& name) const {
  static const std::string kEmpty;
  auto it = path_params.find(name);
  return it == path_params.end() ? kEmpty : it->second;
}

Response Response::Json(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.SetHeader("Content-Type", "application/json");
  return response;
}

Response Response::Text(int status, std::string body) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  response.SetHeader("Content-Type", "text/plain; charset=utf-8");
  return response;
}

void Response::SetHeader(const std::string& name, std::string value) {
  headers.erase(name);
  headers.emplace(name, std::move(value));
}

Status ParseTarget(std::string_view target, Request& request) {
  // A request sent through a forward proxy carries the absolute form,
  // "http://host:port/path?query", which a server must accept as well (RFC 9112, 3.2.2).
  // Only its path and query are used.
  if (target.starts_with("http://") || target.starts_with("https://")) {
    auto absolute = boost::urls::parse_absolute_uri(target);
    if (!absolute) {
      return InvalidArgument("invalid request target: " + absolute.error().message() +
                             "; send an absolute path such as /admin/v1/orgs");
    }
    std::string origin(absolute->encoded_target());
    if (origin.empty() || origin.front() != '/') origin.insert(0, "/");
    AA_RETURN_IF_ERROR(ParseTarget(origin, request));
    request.target = std::string(target);
    return Status::Ok();
  }
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) {
    return InvalidArgument("invalid request target: " + parsed.error().message() +
                           "; send an absolute path such as /admin/v1/orgs");
  }
  const boost::urls::url_view& url = *parsed;
  request.target = std::string(target);
  request.path = url.path();
  request.segments.clear();
  for (auto segment : url.segments()) request.segments.emplace_back(segment);
  request.query.clear();
  for (auto param : url.params()) {
    request.query.emplace_back(param.key, param.has_value ? param.value : std::string());
  }
  return Status::Ok();
}

}  // namespace adminauto::http
