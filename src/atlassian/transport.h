// HTTP transport for the Organizations API. The client builds requests relative to the org
// API's base URL and hands them to an HttpTransport, which owns the connection details and the
// credential: the libcurl transport adds the bearer key itself, and a gateway transport can
// send the same requests over a Unix socket to a process that adds the key, so the calling
// process never holds it.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace adminauto::atlassian {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";  // GET, POST, DELETE, PUT, PATCH
  // Path and query relative to the base URL, starting with "/": "/admin/v1/orgs/X/users?cursor=Y".
  std::string target;
  std::string body;  // JSON for POST/PUT/PATCH; empty means no body
  HttpHeaders headers;
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names as received
  std::string body;

  // Returns the first header named `name`, compared case-insensitively.
  std::optional<std::string> Header(std::string_view name) const;
};

// Why a request got no HTTP response.
enum class TransportErrorKind {
  kTimeout,   // connect or read timeout
  kConnect,   // could not connect or resolve
  kOther,     // TLS, protocol or local failure
  kRejected,  // the key gateway rejected the request, and a retry gets the same reply
};

struct TransportError {
  TransportErrorKind kind = TransportErrorKind::kOther;
  std::string message;  // never contains the credential
};

// Either an HTTP response (any status) or a transport failure.
struct TransportResult {
  std::optional<HttpResponse> response;
  TransportError error;  // meaningful only when `response` is empty
};

// Sends requests to one org API endpoint. Implementations are thread-safe unless they say
// otherwise; the client calls Send from one thread per sync.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Sends every request, with up to the transport's concurrency limit in flight at once, and
  // returns one result per request in the same order.
  virtual std::vector<TransportResult> Send(const std::vector<HttpRequest>& requests) = 0;

  // Sends one request.
  TransportResult SendOne(const HttpRequest& request);
};

struct CurlTransportOptions {
  std::string base_url = "https://api.atlassian.com";  // scheme://host[:port][/prefix]
  // The org API key, sent as "Authorization: Bearer KEY". Empty sends no Authorization header
  // (for a gateway that adds it). The transport wipes its copy when destroyed.
  std::string api_key;
  std::chrono::milliseconds connect_timeout{10'000};
  // Time allowed for the whole exchange after connecting: sending, waiting and reading.
  std::chrono::milliseconds read_timeout{60'000};
  int max_concurrency = 4;  // requests in flight at once, at least 1
  // Proxy URL such as "http://proxy:3128". Empty uses the standard variables (https_proxy,
  // http_proxy, all_proxy, no_proxy) as libcurl reads them.
  std::string proxy;
  // Sends every request over this Unix socket instead of TCP; the URL still sets Host and path.
  std::string unix_socket_path;
  std::string user_agent = "adminauto/0.1";
};

// Creates the libcurl transport: keep-alive connections reused across calls, HTTP/2 where the
// server offers it, bounded concurrency through the multi interface. Fails on an invalid base
// URL. The returned transport is thread-safe (calls are serialised).
Result<std::unique_ptr<HttpTransport>> MakeCurlTransport(CurlTransportOptions options);

}  // namespace adminauto::atlassian
