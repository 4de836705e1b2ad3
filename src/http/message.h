// Transport-independent HTTP request and response values used by the Router and the Server.
// Handlers see only these types, so they can be tested without a socket.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace adminauto::http {

// Orders header names case-insensitively, as HTTP field names compare.
struct CaseInsensitiveLess {
  bool operator()(std::string_view a, std::string_view b) const;
};

using HeaderMap = std::multimap<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;                 // upper case, as sent: "GET", "POST", ...
  std::string target;                 // the raw request target, "/a/b?x=1"
  std::string path;                   // percent-decoded path without the query
  std::vector<std::string> segments;  // percent-decoded path segments
  // Decoded query parameters in request order; a repeated key appears once per occurrence.
  std::vector<std::pair<std::string, std::string>> query;
  std::map<std::string, std::string> path_params;  // filled by the Router from `{name}` segments
  HeaderMap headers;
  std::string body;
  std::string peer;  // "127.0.0.1:54321"

  // First value of query parameter `name`, if present.
  std::optional<std::string> QueryParam(std::string_view name) const;
  // Every value of query parameter `name`, in request order.
  std::vector<std::string> QueryParams(std::string_view name) const;
  // First value of header `name` (case-insensitive), if present.
  std::optional<std::string> Header(std::string_view name) const;
  // Path parameter captured by the route; empty when absent.
  const std::string& PathParam(const std::string& name) const;
};

struct Response {
  int status = 200;
  HeaderMap headers;
  std::string body;
  // The server waits this long (without blocking a worker thread) before sending.
  std::chrono::milliseconds delay{0};
  // When true the server sends no response and keeps the connection open until Stop(), to
  // simulate a hung upstream.
  bool never_answer = false;

  // A response with `body` and Content-Type application/json.
  static Response Json(int status, std::string body);
  // A response with a plain-text body.
  static Response Text(int status, std::string body);
  // Sets (replaces) header `name`.
  void SetHeader(const std::string& name, std::string value);
};

// Splits a request target ("/a/b%20c?x=1&x=2", or the absolute form a proxy is sent,
// "http://host/a/b%20c?x=1&x=2") into its decoded path, segments and query. InvalidArgument
// names the problem when the target is in neither form or its percent-encoding is malformed.
// Thread-safe.
Status ParseTarget(std::string_view target, Request& request);

}  // namespace adminauto::http
