// Maps method + path pattern to a handler. Patterns are literal segments and `{name}`
// segments, which capture one decoded segment into Request::path_params; a final `{name...}`
// segment captures the rest of the path (zero or more segments, joined with '/'). Literal
// segments win over parameters when both match.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/message.h"

namespace adminauto::http {

using Handler = std::function<Response(const Request&)>;

class Router {
 public:
  // Adds a route. `name` is a stable label for logs and per-route settings, for example
  // "v1.users.list"; it is returned by Match(). Not thread-safe: add every route before
  // the router serves requests.
  void Add(std::string method, std::string pattern, std::string name, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null when nothing matched
    std::string name;
    std::map<std::string, std::string> params;
    bool path_matched = false;         // the path matched a route of another method
    std::vector<std::string> allowed;  // methods allowed on that path, for 405
  };

  // Finds the route for `method` and decoded `segments`. Thread-safe once routes are added.
  Match Find(std::string_view method, const std::vector<std::string>& segments) const;

  // Dispatches: fills request.path_params and calls the handler, or returns a JSON 404 or
  // 405 (with an Allow header) when nothing matches. Thread-safe once routes are added.
  Response Dispatch(Request& request) const;

  // The route name that would serve `request`, or "" when none.
  std::string RouteName(const Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{x}" for a parameter, "{x...}" for the rest
    std::string name;
    Handler handler;
  };
  static bool MatchRoute(const Route& route, const std::vector<std::string>& segments,
                         std::map<std::string, std::string>& params, int& score);
  std::vector<Route> routes_;
};

}  // namespace adminauto::http
