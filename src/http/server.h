// An asynchronous HTTP/1.1 server on Boost.Beast: a few worker threads, keep-alive, explicit
// limits on header size, body size and read time, and a graceful stop. Each request is parsed
// into a Request and passed to one handler (usually Router::Dispatch); the handler runs on a
// worker thread and must not block for long.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/message.h"
#include "http/router.h"

namespace adminauto::http {

struct ServerOptions {
  std::string host = "127.0.0.1";                  // address to bind; never a wildcard by default
  uint16_t port = 0;                               // 0 picks a free port; see Server::port()
  int threads = 2;                                 // worker threads running handlers
  size_t max_header_bytes = 16 * 1024;             // larger request headers get 431
  size_t max_body_bytes = 1024 * 1024;             // larger bodies get 413
  std::chrono::milliseconds read_timeout{30'000};  // per request, from its first byte wait
  std::string server_header = "adminauto";
  // Called after each response is sent (not for never-answered requests), with the time the
  // handler took plus any delay. Runs on a worker thread.
  std::function<void(const Request&, const Response&, std::chrono::microseconds)> on_response;
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();  // stops the server
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the worker threads. Unavailable names the address when the bind
  // fails. Call once.
  Status Start();
  // The bound port, valid after Start() succeeded.
  uint16_t port() const;
  // "http://HOST:PORT", valid after Start().
  std::string base_url() const;
  // Stops accepting, closes open connections and joins the worker threads. Idempotent;
  // thread-safe; do not call from a handler.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace adminauto::http
