#include "vault/key_vault.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "vault/master_key.h"

namespace adminauto::vault {
namespace {

namespace fs = std::filesystem;
using std::chrono::sys_days;
using namespace std::chrono_literals;

constexpr std::string_view kKeyA = "atlassian-key-for-org-a-0001";
constexpr std::string_view kKeyB = "atlassian-key-for-org-b-0002";
constexpr std::string_view kKeyC = "atlassian-key-for-org-c-0003";

class KeyVaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "key-vault-test-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data());
    key_file_ = (fs::path(dir_) / "master.key").string();
    ASSERT_TRUE(CreateMasterKeyFile(key_file_).ok());
    auto db = store::SqliteDb::Open((fs::path(dir_) / "test.db").string());
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
  }
  void TearDown() override {
    vault_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }

  void OpenVault(VaultOptions options = {}) {
    auto provider = OpenMasterKeyFile(key_file_);
    ASSERT_TRUE(provider.ok()) << provider.status().ToString();
    auto vault = KeyVault::Open(*db_, std::move(provider).value(), "", clock_, options);
    ASSERT_TRUE(vault.ok()) << vault.status().ToString();
    vault_ = std::move(vault).value();
    ASSERT_TRUE(vault_->Initialize({"file", "", ""}).ok());
  }

  std::string OpenKey(std::string_view org_id) {
    auto key = vault_->OpenApiKey(org_id);
    if (!key.ok()) return "error: " + key.status().ToString();
    return std::string(key->view());
  }

  // Opens the same database with another installation's key file of the same version number.
  std::unique_ptr<KeyVault> OpenWithOtherKeyFile() {
    const std::string other = (fs::path(dir_) / "other.key").string();
    EXPECT_TRUE(CreateMasterKeyFile(other).ok());
    auto provider = OpenMasterKeyFile(other);
    EXPECT_TRUE(provider.ok());
    if (!provider.ok()) return nullptr;
    auto vault = KeyVault::Open(*db_, std::move(provider).value(), "", clock_);
    EXPECT_TRUE(vault.ok());
    return vault.ok() ? std::move(vault).value() : nullptr;
  }

  std::vector<store::DataKeyRow> DataKeys() {
    auto rows = vault_->keys().ListDataKeys();
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<store::DataKeyRow>{};
  }

  std::string dir_;
  std::string key_file_;
  FakeClock clock_{sys_days{std::chrono::year{2026} / 12 / 1}};
  std::unique_ptr<store::SqliteDb> db_;
  std::unique_ptr<KeyVault> vault_;
};

TEST_F(KeyVaultTest, StoresAndOpensApiKey) {
  OpenVault();
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  EXPECT_EQ(OpenKey("org-a"), kKeyA);
  auto rows = DataKeys();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].version, 1u);
  EXPECT_EQ(rows[0].master_version, 1u);
  EXPECT_EQ(rows[0].encryptions, 1);
}

TEST_F(KeyVaultTest, MissingOrgIsNotFound) {
  OpenVault();
  EXPECT_EQ(vault_->OpenApiKey("org-x").status().code(), StatusCode::kNotFound);
}

TEST_F(KeyVaultTest, SecretMovedToAnotherOrgFails) {
  OpenVault();
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  ASSERT_TRUE(vault_->StoreApiKey("org-b", AsBytes(kKeyB)).ok());
  // Copy org A's sealed key over org B's row, as someone with write access to the database.
  ASSERT_TRUE(db_->Exec("UPDATE vault_secrets SET sealed = (SELECT sealed FROM vault_secrets "
                        "WHERE org_id = 'org-a') WHERE org_id = 'org-b'")
                  .ok());
  auto moved = vault_->OpenApiKey("org-b");
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(OpenKey("org-a"), kKeyA);
}

TEST_F(KeyVaultTest, DataKeyMovedToAnotherOrgFails) {
  OpenVault();
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  ASSERT_TRUE(vault_->StoreApiKey("org-b", AsBytes(kKeyB)).ok());
  ASSERT_TRUE(db_->Exec("UPDATE vault_data_keys SET wrapped = (SELECT wrapped FROM "
                        "vault_data_keys WHERE org_id = 'org-a') WHERE org_id = 'org-b'")
                  .ok());
  EXPECT_EQ(vault_->OpenApiKey("org-b").status().code(), StatusCode::kDataLoss);
}

TEST_F(KeyVaultTest, OldVersionDecryptsAfterPromotion) {
  OpenVault();
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  auto added = vault_->AddMasterKeyVersion();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(*added, 2u);
  ASSERT_TRUE(vault_->PromoteMasterKey(2).ok());
  EXPECT_EQ(vault_->status().active_master_version, 2u);
  // Still wrapped by version 1, and still readable.
  EXPECT_EQ(DataKeys()[0].master_version, 1u);
  EXPECT_EQ(OpenKey("org-a"), kKeyA);
  // A new org gets a data key wrapped by version 2.
  ASSERT_TRUE(vault_->StoreApiKey("org-b", AsBytes(kKeyB)).ok());
  EXPECT_EQ(DataKeys()[1].master_version, 2u);
}

TEST_F(KeyVaultTest, RotationRewrapsEveryDataKey) {
  OpenVault();
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  ASSERT_TRUE(vault_->StoreApiKey("org-b", AsBytes(kKeyB)).ok());
  ASSERT_TRUE(vault_->StoreApiKey("org-c", AsBytes(kKeyC)).ok());
  const auto before = DataKeys();
  ASSERT_EQ(before.size(), 3u);

  ASSERT_TRUE(vault_->AddMasterKeyVersion().ok());
  ASSERT_TRUE(vault_->PromoteMasterKey(2).ok());
  auto count = vault_->RewrapDataKeys();
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*count, 3);

  const auto after = DataKeys();
  ASSERT_EQ(after.size(), 3u);
  for (size_t i = 0; i < after.size(); ++i) {
    SCOPED_TRACE(after[i].org_id);
    EXPECT_EQ(after[i].master_version, 2u);
    EXPECT_NE(after[i].wrapped, before[i].wrapped);
  }
  ASSERT_TRUE(vault_->RetireMasterKey(1).ok());
  auto provider = OpenMasterKeyFile(key_file_);
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ(*(*provider)->Versions(), std::vector<uint32_t>{2});
  EXPECT_EQ(OpenKey("org-a"), kKeyA);
  EXPECT_EQ(OpenKey("org-b"), kKeyB);
  EXPECT_EQ(OpenKey("org-c"), kKeyC);
}

TEST_F(KeyVaultTest, RetireRejectedWhileKeysWrapped) {
  OpenVault();
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  ASSERT_TRUE(vault_->AddMasterKeyVersion().ok());
  Status active = vault_->RetireMasterKey(1);
  EXPECT_EQ(active.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(active.message().find("active"), std::string::npos);
  ASSERT_TRUE(vault_->PromoteMasterKey(2).ok());
  Status wrapped = vault_->RetireMasterKey(1);
  EXPECT_EQ(wrapped.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(wrapped.message().find("1 data keys are still wrapped"), std::string::npos);
  EXPECT_EQ(OpenKey("org-a"), kKeyA);
}

TEST_F(KeyVaultTest, DataKeyRotatesAtEncryptionCount) {
  VaultOptions options;
  options.rotate_after_encryptions = 2;
  OpenVault(options);
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyB)).ok());
  ASSERT_EQ(DataKeys().size(), 1u);
  EXPECT_EQ(DataKeys()[0].version, 1u);
  EXPECT_EQ(DataKeys()[0].encryptions, 2);
  // The third encryption would pass the count: a new data key seals it and the old one goes.
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyC)).ok());
  ASSERT_EQ(DataKeys().size(), 1u);
  EXPECT_EQ(DataKeys()[0].version, 2u);
  EXPECT_EQ(DataKeys()[0].encryptions, 1);
  EXPECT_EQ(OpenKey("org-a"), kKeyC);
}

TEST_F(KeyVaultTest, RotateDataKeyKeepsApiKey) {
  OpenVault();
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  const auto before = DataKeys();
  ASSERT_TRUE(vault_->RotateDataKey("org-a").ok());
  const auto after = DataKeys();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].version, 2u);
  EXPECT_NE(after[0].wrapped, before[0].wrapped);
  EXPECT_EQ(OpenKey("org-a"), kKeyA);
}

TEST_F(KeyVaultTest, MasterKeyStopsAtHardLimit) {
  VaultOptions options;
  options.rotate_after_encryptions = 1;
  options.max_encryptions = 2;
  OpenVault(options);
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  EXPECT_TRUE(vault_->status().master_rotation_due);
  ASSERT_TRUE(vault_->StoreApiKey("org-b", AsBytes(kKeyB)).ok());
  Status refused = vault_->StoreApiKey("org-c", AsBytes(kKeyC));
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("rotate the master key"), std::string::npos);
  // After a rotation new data keys can be wrapped again.
  ASSERT_TRUE(vault_->AddMasterKeyVersion().ok());
  ASSERT_TRUE(vault_->PromoteMasterKey(2).ok());
  EXPECT_TRUE(vault_->StoreApiKey("org-c", AsBytes(kKeyC)).ok());
  EXPECT_EQ(OpenKey("org-c"), kKeyC);
}

TEST_F(KeyVaultTest, SealedVaultSaysWhy) {
  auto vault = KeyVault::Open(*db_, nullptr, "the master key file is missing", clock_);
  ASSERT_TRUE(vault.ok());
  SealStatus status = (*vault)->status();
  EXPECT_TRUE(status.sealed);
  EXPECT_EQ(status.reason, "the master key file is missing");
  Status stored = (*vault)->StoreApiKey("org-a", AsBytes(kKeyA));
  EXPECT_EQ(stored.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(stored.message().find("sealed: the master key file is missing"), std::string::npos);
}

TEST_F(KeyVaultTest, WrongMasterKeyCannotOpen) {
  OpenVault();
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  std::unique_ptr<KeyVault> vault = OpenWithOtherKeyFile();
  ASSERT_NE(vault, nullptr);
  EXPECT_EQ(vault->OpenApiKey("org-a").status().code(), StatusCode::kDataLoss);
}

TEST_F(KeyVaultTest, VerifyRejectsDifferentMasterKey) {
  OpenVault();
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  EXPECT_TRUE(vault_->VerifyMasterKey().ok());

  std::unique_ptr<KeyVault> vault = OpenWithOtherKeyFile();
  ASSERT_NE(vault, nullptr);
  Status verified = vault->VerifyMasterKey();
  EXPECT_EQ(verified.code(), StatusCode::kDataLoss);
  EXPECT_NE(verified.message().find("different key"), std::string::npos) << verified.message();
}

TEST_F(KeyVaultTest, VerifyRejectsMissingActiveVersion) {
  OpenVault();
  ASSERT_TRUE(vault_->StoreApiKey("org-a", AsBytes(kKeyA)).ok());
  auto added = vault_->AddMasterKeyVersion();
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_TRUE(vault_->PromoteMasterKey(*added).ok());
  // A provider that contains only version 1 while the database expects version 2 to be active.
  auto version_one = ParseMasterKeyList("1:" + std::string(NewBase64MasterKey().view()));
  ASSERT_TRUE(version_one.ok()) << version_one.status().ToString();
  auto vault = KeyVault::Open(*db_, std::move(version_one).value(), "", clock_);
  ASSERT_TRUE(vault.ok());
  Status verified = (*vault)->VerifyMasterKey();
  EXPECT_EQ(verified.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(verified.message().find("active master key version 2"), std::string::npos)
      << verified.message();
}

}  // namespace
}  // namespace adminauto::vault
