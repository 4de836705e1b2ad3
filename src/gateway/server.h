// The gateway's Unix socket server and the worker-side transport that talks to it.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "atlassian/transport.h"
#include "core/status.h"

namespace adminauto::gateway {

// Sends one allowed request for an org to the org's API with the org's key. The production
// backend opens the key from the vault; tests use a fake. Must be thread-safe: the server
// calls it from one thread per connection.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual atlassian::TransportResult Forward(const std::string& org_id,
                                             const atlassian::HttpRequest& request) = 0;
};

// Accepts connections on a Unix socket (created with mode 0600) and serves frames: decode,
// check the allowlist, forward through the backend, reply. Requests outside the allowlist get
// a "denied" error and never reach the backend.
class GatewayServer {
 public:
  // Binds `socket_path` (an existing socket file there is replaced) and starts accepting.
  // `backend` must outlive the server.
  static Result<std::unique_ptr<GatewayServer>> Start(const std::string& socket_path,
                                                      Backend& backend);
  ~GatewayServer();  // stops accepting and joins the accept thread
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

 private:
  GatewayServer(int listen_fd, std::string path, Backend& backend)
      : listen_fd_(listen_fd), path_(std::move(path)), backend_(backend) {}
  void AcceptLoop();
  void Serve(int fd);

  int listen_fd_;
  std::string path_;
  Backend& backend_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};
  std::thread accept_thread_;
};

// The worker side: an HttpTransport that sends each request for `org_id` to the gateway at
// `socket_path`. The worker never holds the key or the master key. Thread-safe: each Send
// uses its own connection.
std::unique_ptr<atlassian::HttpTransport> MakeGatewayTransport(std::string socket_path,
                                                               std::string org_id);

}  // namespace adminauto::gateway
