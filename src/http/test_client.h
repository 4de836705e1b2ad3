// A small blocking HTTP client on libcurl for tests and benchmarks that talk to a server on
// 127.0.0.1. One client reuses its connection (keep-alive) across calls. Not for product code:
// the product's client lives in the atlassian module.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "http/message.h"

namespace adminauto::http {

struct ClientResponse {
  long status = 0;
  HeaderMap headers;
  std::string body;

  std::optional<std::string> Header(std::string_view name) const;
};

class TestClient {
 public:
  TestClient();
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Sends one request. `headers` are "Name: value" lines. Unavailable or DeadlineExceeded when
  // no response arrives. Not thread-safe: use one client per thread.
  Result<ClientResponse> Call(const std::string& method, const std::string& url,
                              const std::string& body = "",
                              const std::vector<std::string>& headers = {},
                              std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Number of new TCP connections opened so far, to check keep-alive.
  long connects() const { return connects_; }

 private:
  void* curl_;
  long connects_ = 0;
};

}  // namespace adminauto::http
