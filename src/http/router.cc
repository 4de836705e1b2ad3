#include "http/router.h"

#include <algorithm>
#include <boost/json.hpp>

namespace adminauto::http {
namespace {

std::vector<std::string> SplitPattern(const std::string& pattern) {
  std::vector<std::string> parts;
  size_t start = pattern.starts_with('/') ? 1 : 0;
  while (start <= pattern.size()) {
    size_t end = pattern.find('/', start);
    if (end == std::string::npos) end = pattern.size();
    parts.push_back(pattern.substr(start, end - start));
    start = end + 1;
  }
  if (parts.size() == 1 && parts[0].empty()) parts.clear();
  return parts;
}

bool IsParam(const std::string& s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }
bool IsRest(const std::string& s) { return IsParam(s) && s.ends_with("...}"); }

Response ErrorJson(int status, std::string_view message) {
  boost::json::object body{{"code", status}, {"message", message}};
  return Response::Json(status, boost::json::serialize(body));
}

}  // namespace

void Router::Add(std::string method, std::string pattern, std::string name, Handler handler) {
  routes_.push_back(
      {std::move(method), SplitPattern(pattern), std::move(name), std::move(handler)});
}

// Scores a match so that literal segments beat parameters, which beat a rest capture.
bool Router::MatchRoute(const Route& route, const std::vector<std::string>& segments,
                        std::map<std::string, std::string>& params, int& score) {
  score = 0;
  size_t i = 0;
  for (; i < route.segments.size(); ++i) {
    const std::string& part = route.segments[i];
    if (IsRest(part)) {
      std::string rest;
      for (size_t j = i; j < segments.size(); ++j) {
        if (j > i) rest += '/';
        rest += segments[j];
      }
      params[part.substr(1, part.size() - 5)] = rest;
      return true;
    }
    if (i >= segments.size()) return false;
    if (IsParam(part)) {
      if (segments[i].empty()) return false;
      params[part.substr(1, part.size() - 2)] = segments[i];
      score += 1;
    } else if (part == segments[i]) {
      score += 2;
    } else {
      return false;
    }
  }
  return i == segments.size();
}

Router::Match Router::Find(std::string_view method,
                           const std::vector<std::string>& segments) const {
  Match best;
  int best_score = -1;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> params;
    int score = 0;
    if (!MatchRoute(route, segments, params, score)) continue;
    if (route.method != method) {
      best.path_matched = true;
      if (std::find(best.allowed.begin(), best.allowed.end(), route.method) == best.allowed.end()) {
        best.allowed.push_back(route.method);
      }
      continue;
    }
    if (score > best_score) {
      best_score = score;
      best.handler = &route.handler;
      best.name = route.name;
      best.params = std::move(params);
    }
  }
  return best;
}

Response Router::Dispatch(Request& request) const {
  Match match = Find(request.method, request.segments);
  if (match.handler != nullptr) {
    request.path_params = std::move(match.params);
    return (*match.handler)(request);
  }
  if (match.path_matched) {
    Response response =
        ErrorJson(405, "method " + request.method + " is not allowed on " + request.path);
    std::string allow;
    for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
    response.SetHeader("Allow", allow);
    return response;
  }
  return ErrorJson(404, "no resource at " + request.path);
}

std::string Router::RouteName(const Request& request) const {
  return Find(request.method, request.segments).name;
}

}  // namespace adminauto::http
