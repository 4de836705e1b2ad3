#include "gateway/vault_backend.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "http/server.h"
#include "store/data_dir.h"
#include "store/org_store.h"
#include "vault/master_key.h"

namespace adminauto::gateway {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kGoodKey = "gateway-test-key-0123456789";
constexpr std::string_view kRevokedKey = "gateway-revoked-key-987654";

// An upstream on 127.0.0.1 that accepts only "Bearer <kGoodKey>".
http::Response Upstream(const http::Request& request) {
  auto auth = request.headers.find("Authorization");
  if (auth == request.headers.end() || auth->second != "Bearer " + std::string(kGoodKey)) {
    return http::Response::Json(401, R"({"message":"unauthorized"})");
  }
  return http::Response::Json(200, R"({"data":[],"links":{}})");
}

class VaultBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "gw-vault-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    server_ = std::make_unique<http::Server>(http::ServerOptions{}, Upstream);
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_TRUE(vault::CreateMasterKeyFile(dir_ + "/master.key").ok());
    auto db = store::SqliteDb::Open(store::DatabasePath(dir_));
    ASSERT_TRUE(db.ok());
    auto orgs = store::OrgStore::Open(**db);
    ASSERT_TRUE(orgs.ok());
    auto provider = vault::OpenMasterKeyFile(dir_ + "/master.key");
    ASSERT_TRUE(provider.ok());
    auto key_vault = vault::KeyVault::Open(**db, std::move(provider).value(), "", clock_);
    ASSERT_TRUE(key_vault.ok());
    ASSERT_TRUE((*key_vault)->Initialize({"file", "", ""}).ok());
    AddOrg(**orgs, **key_vault, "good", "org-good", kGoodKey);
    AddOrg(**orgs, **key_vault, "revoked", "org-revoked", kRevokedKey);
  }
  void TearDown() override {
    gateway_.reset();
    backend_.reset();
    server_.reset();
    fs::remove_all(dir_);
  }

  // Opens the backend on dir_ and serves it on dir_/gateway.sock.
  void StartGateway() {
    auto backend = VaultBackend::Open(dir_, clock_);
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    backend_ = std::move(backend).value();
    auto gateway = GatewayServer::Start(dir_ + "/gateway.sock", *backend_);
    ASSERT_TRUE(gateway.ok()) << gateway.status().ToString();
    gateway_ = std::move(gateway).value();
  }

  void AddOrg(store::OrgStore& orgs, vault::KeyVault& key_vault, const std::string& name,
              const std::string& org_id, std::string_view key) {
    store::OrgRecord org;
    org.name = name;
    org.org_id = org_id;
    org.base_url = server_->base_url();
    org.key_expires_at = ToTimestamp(clock_.Now()) + std::chrono::days(7);
    ASSERT_TRUE(orgs.Insert(org).ok());
    ASSERT_TRUE(key_vault.StoreApiKey(org_id, vault::AsBytes(key)).ok());
  }

  std::string dir_;
  SystemClock& clock_ = SystemClock::Instance();
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<VaultBackend> backend_;
  std::unique_ptr<GatewayServer> gateway_;
};

TEST_F(VaultBackendTest, InjectsKeyThroughSocket) {
  auto backend = VaultBackend::Open(dir_, clock_);
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  auto gateway = GatewayServer::Start(dir_ + "/gateway.sock", **backend);
  ASSERT_TRUE(gateway.ok()) << gateway.status().ToString();
  // The worker side has no key and no master key, only the socket.
  auto transport = MakeGatewayTransport(dir_ + "/gateway.sock", "org-good");
  auto result = transport->SendOne({"GET", "/admin/v1/orgs/org-good/users", "", {}});
  ASSERT_TRUE(result.response.has_value()) << result.error.message;
  EXPECT_EQ(result.response->status, 200);
  EXPECT_EQ(result.response->body, R"({"data":[],"links":{}})");
}

TEST_F(VaultBackendTest, UnauthorizedMarksKeyInvalid) {
  auto backend = VaultBackend::Open(dir_, clock_);
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  auto first =
      (*backend)->Forward("org-revoked", {"GET", "/admin/v1/orgs/org-revoked/users", "", {}});
  ASSERT_TRUE(first.response.has_value()) << first.error.message;
  EXPECT_EQ(first.response->status, 401);
  // The key is now invalid: the next request is stopped before it leaves the gateway.
  auto second =
      (*backend)->Forward("org-revoked", {"GET", "/admin/v1/orgs/org-revoked/users", "", {}});
  EXPECT_FALSE(second.response.has_value());
  EXPECT_NE(second.error.message.find("adminauto org replace-key revoked"), std::string::npos)
      << second.error.message;
}

// Sends one users request for `org_id` through the gateway at `socket`.
atlassian::TransportResult ListUsers(const std::string& socket, const std::string& org_id) {
  auto transport = MakeGatewayTransport(socket, org_id);
  return transport->SendOne({"GET", "/admin/v1/orgs/" + org_id + "/users", "", {}});
}

TEST_F(VaultBackendTest, SealedGatewayAnswersOnlyHealthAndUnseal) {
  ASSERT_EQ(::chmod((dir_ + "/master.key").c_str(), 0644), 0);
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  const std::string socket = dir_ + "/gateway.sock";

  auto health = QueryGatewayHealth(socket);
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_TRUE(health->sealed);
  EXPECT_EQ(health->provider, "file");
  EXPECT_NE(health->reason.find("chmod 600"), std::string::npos) << health->reason;

  auto refused = ListUsers(socket, "org-good");
  EXPECT_FALSE(refused.response.has_value());
  EXPECT_NE(refused.error.message.find("gateway sealed"), std::string::npos)
      << refused.error.message;
  EXPECT_NE(refused.error.message.find("adminauto gateway unseal"), std::string::npos);

  // Unsealing fails while the file is still readable by others, and the error gives the reason.
  auto still_sealed = UnsealGateway(socket, "");
  ASSERT_FALSE(still_sealed.ok());
  EXPECT_NE(still_sealed.status().message().find("chmod 600"), std::string::npos);

  ASSERT_EQ(::chmod((dir_ + "/master.key").c_str(), 0600), 0);
  auto unsealed = UnsealGateway(socket, "");
  ASSERT_TRUE(unsealed.ok()) << unsealed.status().ToString();
  EXPECT_FALSE(unsealed->sealed);
  auto served = ListUsers(socket, "org-good");
  ASSERT_TRUE(served.response.has_value()) << served.error.message;
  EXPECT_EQ(served.response->status, 200);
}

// A data directory whose master key lives in the environment provider, unset here.
class EnvVaultBackendTest : public VaultBackendTest {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "gw-env-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    server_ = std::make_unique<http::Server>(http::ServerOptions{}, Upstream);
    ASSERT_TRUE(server_->Start().ok());
    master_key_ = vault::NewBase64MasterKey();
    auto db = store::SqliteDb::Open(store::DatabasePath(dir_));
    ASSERT_TRUE(db.ok());
    auto orgs = store::OrgStore::Open(**db);
    ASSERT_TRUE(orgs.ok());
    auto provider = vault::ParseMasterKeyList(master_key_.view());
    ASSERT_TRUE(provider.ok()) << provider.status().ToString();
    auto key_vault = vault::KeyVault::Open(**db, std::move(provider).value(), "", clock_);
    ASSERT_TRUE(key_vault.ok());
    ASSERT_TRUE((*key_vault)->Initialize({"env", "", ""}).ok());
    AddOrg(**orgs, **key_vault, "good", "org-good", kGoodKey);
    ::unsetenv(std::string(vault::kMasterKeyEnv).c_str());
  }
  vault::SecretBytes master_key_;
};

TEST_F(EnvVaultBackendTest, UnsealsWithKeySentOverSocket) {
  ASSERT_NO_FATAL_FAILURE(StartGateway());
  const std::string socket = dir_ + "/gateway.sock";
  auto health = QueryGatewayHealth(socket);
  ASSERT_TRUE(health.ok()) << health.status().ToString();
  EXPECT_TRUE(health->sealed);
  EXPECT_NE(health->reason.find("ADMINAUTO_MASTER_KEY"), std::string::npos) << health->reason;
  EXPECT_FALSE(ListUsers(socket, "org-good").response.has_value());

  // Another valid 32-byte key does not open the stored data keys: the gateway stays sealed.
  vault::SecretBytes other = vault::NewBase64MasterKey();
  auto wrong = UnsealGateway(socket, other.view());
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("different key"), std::string::npos)
      << wrong.status().message();
  EXPECT_TRUE(QueryGatewayHealth(socket)->sealed);

  auto unsealed = UnsealGateway(socket, master_key_.view());
  ASSERT_TRUE(unsealed.ok()) << unsealed.status().ToString();
  EXPECT_FALSE(unsealed->sealed);
  EXPECT_EQ(unsealed->provider, "env");
  auto served = ListUsers(socket, "org-good");
  ASSERT_TRUE(served.response.has_value()) << served.error.message;
  EXPECT_EQ(served.response->status, 200);
}

TEST_F(VaultBackendTest, KeySentWhenUnsealedRejected) {
  auto backend = VaultBackend::Open(dir_, clock_);
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  ASSERT_FALSE((*backend)->Health().sealed);
  vault::SecretBytes key = vault::NewBase64MasterKey();
  auto sent = (*backend)->Unseal(key.view());
  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.status().message().find("already unsealed"), std::string::npos)
      << sent.status().message();
  auto without_key = (*backend)->Unseal("");
  ASSERT_TRUE(without_key.ok()) << without_key.status().ToString();
  EXPECT_FALSE(without_key->sealed);
}

TEST_F(VaultBackendTest, KeySentForFileProviderRejected) {
  ASSERT_EQ(::chmod((dir_ + "/master.key").c_str(), 0644), 0);
  auto backend = VaultBackend::Open(dir_, clock_);
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  vault::SecretBytes key = vault::NewBase64MasterKey();
  auto unsealed = (*backend)->Unseal(key.view());
  ASSERT_FALSE(unsealed.ok());
  EXPECT_NE(unsealed.status().message().find("only for the env provider"), std::string::npos)
      << unsealed.status().message();
  EXPECT_TRUE((*backend)->Health().sealed);
}

}  // namespace
}  // namespace adminauto::gateway
