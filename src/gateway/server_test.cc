#include "gateway/server.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <mutex>

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

TEST(GatewayTransport, MissingSocketIsConnectError) {
  auto transport = MakeGatewayTransport("/nonexistent-dir/gateway.sock", "org-1");
  auto result = transport->SendOne({"GET", "/admin/v1/orgs/org-1/users", "", {}});
  EXPECT_FALSE(result.response.has_value());
  EXPECT_EQ(result.error.kind, atlassian::TransportErrorKind::kConnect);
}

}  // namespace
}  // namespace adminauto::gateway
