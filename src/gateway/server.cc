#include "gateway/server.h"

#include <openssl/crypto.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/log.h"
#include "gateway/policy.h"
#include "gateway/protocol.h"

namespace adminauto::gateway {
namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool ReadExactly(int fd, size_t size, std::string& out) {
  out.resize(size);
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::recv(fd, out.data() + done, size - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads one frame's body. Returns nullopt at the end of the stream and an error on a bad
// length.
Result<std::optional<std::string>> ReadFrame(int fd) {
  std::string prefix;
  if (!ReadExactly(fd, 4, prefix)) return std::optional<std::string>();
  AA_ASSIGN_OR_RETURN(std::optional<size_t> length, FrameLength(prefix));
  std::string body;
  if (!ReadExactly(fd, *length, body)) return Unavailable("gateway connection closed mid-frame");
  return std::optional<std::string>(std::move(body));
}

sockaddr_un Address(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  return address;
}

GatewayResponse ErrorResponse(std::string kind, std::string message) {
  GatewayResponse response;
  response.error = {std::move(kind), std::move(message)};
  return response;
}

}  // namespace

Result<std::unique_ptr<GatewayServer>> GatewayServer::Start(const std::string& socket_path,
                                                            Backend& backend,
                                                            GatewayServerOptions options) {
  if (socket_path.size() >= sizeof(sockaddr_un::sun_path)) {
    return InvalidArgument("gateway socket path " + socket_path + " is too long");
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal(std::string("socket() failed: ") + std::strerror(errno));
  ::unlink(socket_path.c_str());
  sockaddr_un address = Address(socket_path);
  // The umask makes the socket file 0600 from the moment it exists.
  mode_t old_mask = ::umask(0177);
  int bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::umask(old_mask);
  if (bound != 0 || ::listen(fd, 64) != 0) {
    std::string error = std::strerror(errno);
    ::close(fd);
    return Internal("cannot listen on gateway socket " + socket_path + ": " + error);
  }
  if (options.allowed_uids.empty()) options.allowed_uids.push_back(::geteuid());
  std::unique_ptr<GatewayServer> server(
      new GatewayServer(fd, socket_path, backend, std::move(options)));
  server->accept_thread_ = std::thread([raw = server.get()] { raw->AcceptLoop(); });
  GetLogger("gateway")->info("gateway listening socket={}", socket_path);
  return server;
}

GatewayServer::~GatewayServer() {
  stopping_ = true;
  if (accept_thread_.joinable()) accept_thread_.join();
  ::close(listen_fd_);
  ::unlink(path_.c_str());
  // Connection threads are detached; wait for them so none outlives the backend.
  while (active_.load() > 0) std::this_thread::yield();
}

void GatewayServer::AcceptLoop() {
  while (!stopping_) {
    pollfd ready{listen_fd_, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++active_;
    std::thread([this, fd] {
      Serve(fd);
      ::close(fd);
      --active_;
    }).detach();
  }
}

std::string GatewayServer::CheckPeer(int fd) const {
  ucred peer{};
  socklen_t size = sizeof peer;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0) {
    return std::string("cannot read the peer's credentials: ") + std::strerror(errno);
  }
  const auto& allowed = options_.allowed_uids;
  if (std::find(allowed.begin(), allowed.end(), peer.uid) != allowed.end()) return "";
  GetLogger("gateway")->warn("connection refused: user id not allowed uid={} pid={}", peer.uid,
                             peer.pid);
  return "user id " + std::to_string(peer.uid) +
         " may not use this gateway; start it with --allow-uid " + std::to_string(peer.uid) +
         " to allow it";
}

GatewayResponse GatewayServer::Answer(GatewayRequest& request) {
  if (request.op == GatewayOp::kHealth) {
    GatewayResponse response;
    response.health = backend_.Health();
    return response;
  }
  if (request.op == GatewayOp::kUnseal) {
    auto health = backend_.Unseal(request.master_key);
    OPENSSL_cleanse(request.master_key.data(), request.master_key.size());
    if (!health.ok()) return ErrorResponse("sealed", health.status().message());
    GatewayResponse response;
    response.health = std::move(health).value();
    return response;
  }
  if (Status allowed = CheckAllowed(request.org_id, request.request.method, request.request.target);
      !allowed.ok()) {
    GetLogger("gateway")->warn("request denied org_id={} reason=\"{}\"", request.org_id,
                               allowed.message());
    return ErrorResponse("denied", allowed.message());
  }
  if (GatewayHealth health = backend_.Health(); health.sealed) {
    return ErrorResponse("sealed", "the gateway has no master key (" + health.reason +
                                       "); unseal it with `adminauto gateway unseal`");
  }
  atlassian::TransportResult result = backend_.Forward(request.org_id, request.request);
  GatewayResponse response;
  if (result.response) {
    response.response = std::move(result.response);
  } else {
    response = ErrorResponse("transport", result.error.message);
  }
  return response;
}

void GatewayServer::Serve(int fd) {
  // A peer that stalls mid-frame times out after 5 s, and an idle connection is polled so the
  // destructor, which waits for every connection, is never blocked by an open worker socket.
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const std::string refused = CheckPeer(fd);
  while (!stopping_) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;
    auto frame = ReadFrame(fd);
    if (!frame.ok() || !frame->has_value()) return;
    GatewayResponse response;
    if (!refused.empty()) {
      response = ErrorResponse("denied", refused);
    } else if (auto request = DecodeRequest(**frame); !request.ok()) {
      response = ErrorResponse("denied", request.status().message());
    } else {
      response = Answer(*request);
    }
    // An unseal frame carries the master key; wipe the buffer it was read into.
    OPENSSL_cleanse((*frame)->data(), (*frame)->size());
    if (!WriteAll(fd, Frame(EncodeResponse(response)))) return;
  }
}

namespace {

int ConnectSocket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un address = Address(path);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends one request frame on `fd` and reads the response frame.
Result<GatewayResponse> RoundTrip(int fd, const GatewayRequest& request) {
  std::string frame = Frame(EncodeRequest(request));
  const bool sent = WriteAll(fd, frame);
  OPENSSL_cleanse(frame.data(), frame.size());
  if (!sent) return Unavailable("gateway connection closed");
  auto reply = ReadFrame(fd);
  if (!reply.ok() || !reply->has_value()) return Unavailable("gateway sent no response");
  return DecodeResponse(**reply);
}

// Sends a health or unseal request on a connection of its own and returns the health.
Result<GatewayHealth> Control(const std::string& socket_path, const GatewayRequest& request) {
  int fd = ConnectSocket(socket_path);
  if (fd < 0) {
    return Unavailable("cannot connect to the gateway at " + socket_path + ": " +
                       std::strerror(errno) + "; is `adminauto gateway` running?");
  }
  auto response = RoundTrip(fd, request);
  ::close(fd);
  AA_RETURN_IF_ERROR(response.status());
  if (!response->health) {
    return FailedPrecondition("gateway " + response->error.kind + ": " + response->error.message);
  }
  return *response->health;
}

class GatewayTransport final : public atlassian::HttpTransport {
 public:
  GatewayTransport(std::string socket_path, std::string org_id)
      : socket_path_(std::move(socket_path)), org_id_(std::move(org_id)) {}

  std::vector<atlassian::TransportResult> Send(
      const std::vector<atlassian::HttpRequest>& requests) override {
    std::vector<atlassian::TransportResult> results(requests.size());
    int fd = Connect();
    for (size_t i = 0; i < requests.size(); ++i) {
      results[i] = fd < 0 ? Failure(atlassian::TransportErrorKind::kConnect,
                                    "cannot connect to the gateway at " + socket_path_)
                          : Exchange(fd, requests[i]);
    }
    if (fd >= 0) ::close(fd);
    return results;
  }

 private:
  static atlassian::TransportResult Failure(atlassian::TransportErrorKind kind,
                                            std::string message) {
    atlassian::TransportResult result;
    result.error = {kind, std::move(message)};
    return result;
  }

  int Connect() const { return ConnectSocket(socket_path_); }

  atlassian::TransportResult Exchange(int fd, const atlassian::HttpRequest& request) const {
    GatewayRequest framed;
    framed.org_id = org_id_;
    framed.request = request;
    auto response = RoundTrip(fd, framed);
    if (!response.ok()) {
      return Failure(atlassian::TransportErrorKind::kOther, response.status().message());
    }
    if (!response->response) {
      // A "denied", "sealed" or "key" reply stays the same on a retry, so the client fails at once.
      return Failure(atlassian::TransportErrorKind::kRejected,
                     "gateway " + response->error.kind + ": " + response->error.message);
    }
    atlassian::TransportResult result;
    result.response = std::move(response->response);
    return result;
  }

  std::string socket_path_;
  std::string org_id_;
};

}  // namespace

std::unique_ptr<atlassian::HttpTransport> MakeGatewayTransport(std::string socket_path,
                                                               std::string org_id) {
  return std::make_unique<GatewayTransport>(std::move(socket_path), std::move(org_id));
}

Result<GatewayHealth> QueryGatewayHealth(const std::string& socket_path) {
  GatewayRequest request;
  request.op = GatewayOp::kHealth;
  return Control(socket_path, request);
}

Result<GatewayHealth> UnsealGateway(const std::string& socket_path, std::string_view master_key) {
  GatewayRequest request;
  request.op = GatewayOp::kUnseal;
  request.master_key = std::string(master_key);
  auto health = Control(socket_path, request);
  OPENSSL_cleanse(request.master_key.data(), request.master_key.size());
  return health;
}

}  // namespace adminauto::gateway
