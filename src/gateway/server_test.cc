#include "gateway/server.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <mutex>

#include "gateway/protocol.h"

namespace adminauto::gateway {
namespace {

namespace fs = std::filesystem;

// Records what reaches it and returns 200 with the request's target as the body.
class RecordingBackend : public Backend {
 public:
  atlassian::TransportResult Forward(const std::string& org_id,
                                     const atlassian::HttpRequest& request) override {
    std::lock_guard lock(mu_);
    seen_.push_back(org_id + " " + request.method + " " + request.target);
    atlassian::TransportResult result;
    result.response = atlassian::HttpResponse{200, {{"X-Org", org_id}}, request.target};
    return result;
  }
  std::vector<std::string> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> seen_;
};

class GatewayServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "gw-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    socket_ = dir_ + "/gateway.sock";
    auto server = GatewayServer::Start(socket_, backend_);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  std::string dir_;
  std::string socket_;
  RecordingBackend backend_;
  std::unique_ptr<GatewayServer> server_;
};

TEST_F(GatewayServerTest, SocketIsOwnerOnly) {
  struct stat info;
  ASSERT_EQ(::stat(socket_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(GatewayServerTest, ForwardsAllowedRequests) {
  auto transport = MakeGatewayTransport(socket_, "org-1");
  atlassian::HttpRequest first{"GET", "/admin/v1/orgs/org-1/users", "", {}};
  atlassian::HttpRequest second{
      "POST", "/admin/v2/orgs/org-1/directories/-/users/a-1/suspend", "", {}};
  auto results = transport->Send({first, second});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_TRUE(results[0].response.has_value()) << results[0].error.message;
  EXPECT_EQ(results[0].response->status, 200);
  EXPECT_EQ(results[0].response->body, "/admin/v1/orgs/org-1/users");
  EXPECT_EQ(results[0].response->Header("x-org"), "org-1");
  ASSERT_TRUE(results[1].response.has_value());
  EXPECT_EQ(backend_.seen().size(), 2u);
}

TEST_F(GatewayServerTest, DeniedRequestNeverForwarded) {
  auto transport = MakeGatewayTransport(socket_, "org-1");
  auto result = transport->SendOne({"GET", "/admin/v1/orgs/org-2/users", "", {}});
  EXPECT_FALSE(result.response.has_value());
  EXPECT_NE(result.error.message.find("gateway denied"), std::string::npos) << result.error.message;
  auto api_keys = transport->SendOne({"GET", "/admin/v1/orgs/org-1/api-keys", "", {}});
  EXPECT_FALSE(api_keys.response.has_value());
  EXPECT_TRUE(backend_.seen().empty());
}

TEST_F(GatewayServerTest, StopsWithIdleConnectionOpen) {
  // A worker that connected and sent nothing must not keep the server from stopping.
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  server_.reset();
  ::close(fd);
  SUCCEED();
}

// Starts a second server on its own socket that admits only `allowed_uids`.
std::unique_ptr<GatewayServer> StartRestricted(const std::string& socket, Backend& backend,
                                               std::vector<uid_t> allowed_uids) {
  GatewayServerOptions options;
  options.allowed_uids = std::move(allowed_uids);
  auto server = GatewayServer::Start(socket, backend, options);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return server.ok() ? std::move(server).value() : nullptr;
}

TEST_F(GatewayServerTest, PeerWithUnlistedUidDenied) {
  // Only another user id is allowed, so this process's own connection is refused.
  const std::string socket = dir_ + "/restricted.sock";
  auto restricted = StartRestricted(socket, backend_, {::geteuid() + 1});
  ASSERT_NE(restricted, nullptr);
  auto result =
      MakeGatewayTransport(socket, "org-1")->SendOne({"GET", "/admin/v1/orgs/org-1/users", "", {}});
  EXPECT_FALSE(result.response.has_value());
  EXPECT_NE(result.error.message.find("user id " + std::to_string(::geteuid()) +
                                      " may not use this gateway"),
            std::string::npos)
      << result.error.message;
  EXPECT_FALSE(QueryGatewayHealth(socket).ok());
  EXPECT_TRUE(backend_.seen().empty());
}

// Connects to `socket` as user `uid` in a child process and sends `frame`. Returns the
// child's exit status: 0 when the reply is an HTTP response, 1 when it is an error, 2 when
// the child could not connect or read. Needs root to change the user id.
int ExchangeAsUser(const std::string& socket, uid_t uid, const std::string& frame) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket.c_str(), sizeof(address.sun_path) - 1);
  pid_t child = ::fork();
  if (child == 0) {
    // Only async-signal-safe calls from here: the parent has other threads.
    if (::setgid(65534) != 0 || ::setuid(uid) != 0) ::_exit(3);
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::_exit(2);
    }
    if (::write(fd, frame.data(), frame.size()) != static_cast<ssize_t>(frame.size())) ::_exit(2);
    char reply[64];
    ssize_t got = 0;
    ssize_t n = 0;
    while (got < 12 && (n = ::read(fd, reply + got, sizeof reply - static_cast<size_t>(got))) > 0) {
      got += n;
    }
    // The body after the 4-byte length starts {"error" for a refusal, {"status" otherwise.
    if (got < 10) ::_exit(2);
    ::_exit(std::memcmp(reply + 4, "{\"error\"", 8) == 0 ? 1 : 0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(GatewayServerTest, OtherUserRefusedEvenWhenSocketIsOpen) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to connect as another user";
  // With the file modes opened up, the SO_PEERCRED check alone keeps user 65534 out.
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  ASSERT_EQ(::chmod(socket_.c_str(), 0666), 0);
  const std::string frame = Frame(EncodeRequest(
      {GatewayOp::kForward, "org-1", {"GET", "/admin/v1/orgs/org-1/users", "", {}}, ""}));
  EXPECT_EQ(ExchangeAsUser(socket_, 65534, frame), 1);
  EXPECT_TRUE(backend_.seen().empty());

  const std::string socket = dir_ + "/allowed.sock";
  auto allowed = StartRestricted(socket, backend_, {65534});
  ASSERT_NE(allowed, nullptr);
  ASSERT_EQ(::chmod(socket.c_str(), 0666), 0);
  EXPECT_EQ(ExchangeAsUser(socket, 65534, frame), 0);
  EXPECT_EQ(backend_.seen().size(), 1u);
}

TEST(GatewayTransport, MissingSocketIsConnectError) {
  auto transport = MakeGatewayTransport("/nonexistent-dir/gateway.sock", "org-1");
  auto result = transport->SendOne({"GET", "/admin/v1/orgs/org-1/users", "", {}});
  EXPECT_FALSE(result.response.has_value());
  EXPECT_EQ(result.error.kind, atlassian::TransportErrorKind::kConnect);
}

}  // namespace
}  // namespace adminauto::gateway
