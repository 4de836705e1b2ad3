// Feeds raw bytes through the Beast request parser with the server's limits, then through
// target parsing and route matching, as the server does for each request.
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>

#include "http/router.h"

namespace {

const adminauto::http::Router& FuzzRouter() {
  static const adminauto::http::Router* router = [] {
    auto* r = new adminauto::http::Router();
    auto ok = [](const adminauto::http::Request&) {
      return adminauto::http::Response::Text(200, "");
    };
    r->Add("GET", "/admin/v1/orgs/{orgId}/users", "users", ok);
    r->Add("POST", "/admin/v2/orgs/{orgId}/directories/{dir}/users/search", "search", ok);
    r->Add("GET", "/__sim/{rest...}", "control", ok);
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace bhttp = boost::beast::http;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  const auto& message = parser.get();
  adminauto::http::Request request;
  request.method = std::string(message.method_string());
  if (!adminauto::http::ParseTarget(message.target(), request).ok()) return 0;
  for (const auto& field : message) {
    request.headers.emplace(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = message.body();
  FuzzRouter().Dispatch(request);
  return 0;
}
