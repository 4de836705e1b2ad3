// The gateway's Unix socket server and the worker-side transport that talks to it.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "atlassian/transport.h"
#include "core/status.h"
#include "gateway/protocol.h"

namespace adminauto::gateway {

// Sends one allowed request for an org to the org's API with the org's key. The production
// backend opens the key from the vault; tests use a fake. Must be thread-safe: the server
// calls it from one thread per connection.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual atlassian::TransportResult Forward(const std::string& org_id,
                                             const atlassian::HttpRequest& request) = 0;

  // Reports whether the backend can open keys. The server forwards nothing while it is sealed and
  // replies to API requests with a "sealed" error carrying the reason. A backend without a
  // master key of its own is never sealed.
  virtual GatewayHealth Health() { return {false, "", ""}; }

  // Tries to unseal: with `master_key` (the environment provider's value) when given, else by
  // opening the configured provider again. Returns the health afterwards, or why it failed.
  virtual Result<GatewayHealth> Unseal(std::string_view master_key) {
    (void)master_key;
    return Health();
  }
};

struct GatewayServerOptions {
  // User ids whose processes may use the socket, checked with SO_PEERCRED on every
  // connection. Empty: only the gateway's own effective user id.
  std::vector<uid_t> allowed_uids;
};

// Accepts connections on a Unix socket (created with mode 0600) and serves frames: decode,
// check the allowlist, forward through the backend, reply. Requests outside the allowlist, and
// every request of a peer whose user id is not allowed, get a "denied" error and never reach
// the backend. While the backend is sealed only health and unseal requests are served.
class GatewayServer {
 public:
  // Binds `socket_path` (an existing socket file there is replaced) and starts accepting.
  // `backend` must outlive the server.
  static Result<std::unique_ptr<GatewayServer>> Start(const std::string& socket_path,
                                                      Backend& backend,
                                                      GatewayServerOptions options = {});
  ~GatewayServer();  // stops accepting and joins the accept thread
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

 private:
  GatewayServer(int listen_fd, std::string path, Backend& backend, GatewayServerOptions options)
      : listen_fd_(listen_fd),
        path_(std::move(path)),
        backend_(backend),
        options_(std::move(options)) {}
  void AcceptLoop();
  void Serve(int fd);
  // Empty when the peer of `fd` may use the gateway, else the reason it may not.
  std::string CheckPeer(int fd) const;
  GatewayResponse Answer(GatewayRequest& request);

  int listen_fd_;
  std::string path_;
  Backend& backend_;
  GatewayServerOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};
  std::thread accept_thread_;
};

// The worker side: an HttpTransport that sends each request for `org_id` to the gateway at
// `socket_path`. The worker never holds the key or the master key. Thread-safe: each Send
// uses its own connection.
std::unique_ptr<atlassian::HttpTransport> MakeGatewayTransport(std::string socket_path,
                                                               std::string org_id);

// Asks the gateway at `socket_path` whether it is sealed and why.
Result<GatewayHealth> QueryGatewayHealth(const std::string& socket_path);

// Asks the gateway to unseal, with `master_key` (the environment provider's value) or, when
// it is empty, by opening its configured provider again. Fails with the reason it stays sealed.
Result<GatewayHealth> UnsealGateway(const std::string& socket_path, std::string_view master_key);

}  // namespace adminauto::gateway
