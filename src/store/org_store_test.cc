#include "store/org_store.h"

#include <gtest/gtest.h>

#include "store/key_store.h"

namespace adminauto::store {
namespace {

using namespace std::chrono_literals;

Timestamp At(int day) {
  return Timestamp(std::chrono::sys_days{std::chrono::year{2026} / 12 / day});
}

OrgRecord Acme() {
  OrgRecord org;
  org.name = "acme";
  org.org_id = "org-123";
  org.base_url = "http://127.0.0.1:8080";
  org.region = "eu";
  org.key_expires_at = At(8);
  org.key_updated_at = At(1);
  org.created_at = At(1);
  return org;
}

class OrgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = SqliteDb::Open(":memory:");
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    auto orgs = OrgStore::Open(*db_);
    ASSERT_TRUE(orgs.ok()) << orgs.status().ToString();
    orgs_ = std::move(orgs).value();
  }
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<OrgStore> orgs_;
};

TEST_F(OrgStoreTest, InsertedOrgReadsBack) {
  ASSERT_TRUE(orgs_->Insert(Acme()).ok());
  auto org = orgs_->Get("acme");
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->org_id, "org-123");
  EXPECT_EQ(org->base_url, "http://127.0.0.1:8080");
  EXPECT_EQ(org->region, "eu");
  EXPECT_EQ(org->key_expires_at, At(8));
  EXPECT_EQ(org->key_status, KeyStatus::kValid);
  auto by_id = orgs_->FindByOrgId("org-123");
  ASSERT_TRUE(by_id.ok());
  ASSERT_TRUE(by_id->has_value());
  EXPECT_EQ((*by_id)->name, "acme");
}

TEST_F(OrgStoreTest, DuplicateNameOrIdRejected) {
  ASSERT_TRUE(orgs_->Insert(Acme()).ok());
  OrgRecord same_id = Acme();
  same_id.name = "other";
  Status clash = orgs_->Insert(same_id);
  EXPECT_EQ(clash.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(clash.message().find("already connected as \"acme\""), std::string::npos);
  OrgRecord same_name = Acme();
  same_name.org_id = "org-999";
  EXPECT_EQ(orgs_->Insert(same_name).code(), StatusCode::kAlreadyExists);
}

TEST_F(OrgStoreTest, MissingOrgNamed) {
  auto org = orgs_->Get("nobody");
  ASSERT_FALSE(org.ok());
  EXPECT_EQ(org.status().code(), StatusCode::kNotFound);
  EXPECT_NE(org.status().message().find("\"nobody\""), std::string::npos);
}

TEST_F(OrgStoreTest, InvalidThenReplacedKey) {
  ASSERT_TRUE(orgs_->Insert(Acme()).ok());
  ASSERT_TRUE(orgs_->SetKeyStatus("acme", KeyStatus::kInvalid, "401 from the API").ok());
  auto invalid = orgs_->Get("acme");
  ASSERT_TRUE(invalid.ok());
  EXPECT_EQ(invalid->key_status, KeyStatus::kInvalid);
  EXPECT_EQ(invalid->key_status_reason, "401 from the API");
  ASSERT_TRUE(orgs_->UpdateKey("acme", At(20), At(13)).ok());
  auto valid = orgs_->Get("acme");
  ASSERT_TRUE(valid.ok());
  EXPECT_EQ(valid->key_status, KeyStatus::kValid);
  EXPECT_EQ(valid->key_status_reason, "");
  EXPECT_EQ(valid->key_expires_at, At(20));
  EXPECT_EQ(valid->key_updated_at, At(13));
}

TEST_F(OrgStoreTest, ExpiryMakesKeyExpired) {
  OrgRecord org = Acme();
  EXPECT_EQ(EffectiveKeyStatus(org, At(7)), KeyStatus::kValid);
  EXPECT_EQ(EffectiveKeyStatus(org, At(8)), KeyStatus::kExpired);
  org.key_status = KeyStatus::kInvalid;
  EXPECT_EQ(EffectiveKeyStatus(org, At(9)), KeyStatus::kInvalid);
}

TEST_F(OrgStoreTest, ListOrdersByName) {
  OrgRecord zeta = Acme();
  zeta.name = "zeta";
  zeta.org_id = "org-z";
  ASSERT_TRUE(orgs_->Insert(zeta).ok());
  ASSERT_TRUE(orgs_->Insert(Acme()).ok());
  auto list = orgs_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "acme");
  EXPECT_EQ((*list)[1].name, "zeta");
  ASSERT_TRUE(orgs_->Remove("acme").ok());
  EXPECT_EQ(orgs_->Remove("acme").code(), StatusCode::kNotFound);
  EXPECT_EQ(orgs_->List()->size(), 1u);
}

TEST(KeyStore, DataKeysAndSecretsRoundTrip) {
  auto db = SqliteDb::Open(":memory:");
  ASSERT_TRUE(db.ok());
  FakeClock clock(At(1));
  auto keys = KeyStore::Open(**db, clock);
  ASSERT_TRUE(keys.ok());
  ASSERT_TRUE((*keys)->InsertMasterKey(1, MasterKeyState::kActive).ok());
  ASSERT_TRUE((*keys)->CountMasterEncryption(1).ok());
  EXPECT_EQ((*keys)->CountMasterEncryption(5).code(), StatusCode::kNotFound);
  auto masters = (*keys)->ListMasterKeys();
  ASSERT_TRUE(masters.ok());
  ASSERT_EQ(masters->size(), 1u);
  EXPECT_EQ((*masters)[0].encryptions, 1);
  EXPECT_EQ((*masters)[0].state, MasterKeyState::kActive);

  DataKeyRow row{"org-a", 1, 1, {1, 2, 3}, 0, {}};
  ASSERT_TRUE((*keys)->InsertDataKey(row).ok());
  row.version = 2;
  row.wrapped = {4, 5};
  ASSERT_TRUE((*keys)->InsertDataKey(row).ok());
  auto latest = (*keys)->LatestDataKey("org-a");
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  EXPECT_EQ((*latest)->version, 2u);
  EXPECT_EQ((*latest)->wrapped, (std::vector<uint8_t>{4, 5}));
  ASSERT_TRUE((*keys)->DeleteDataKeysBefore("org-a", 2).ok());
  EXPECT_EQ((*keys)->ListDataKeys()->size(), 1u);

  ASSERT_TRUE((*keys)->PutSecret({"org-a", "api-key", 2, {9, 9}, {}}).ok());
  ASSERT_TRUE((*keys)->PutSecret({"org-a", "api-key", 2, {8}, {}}).ok());
  auto secret = (*keys)->GetSecret("org-a", "api-key");
  ASSERT_TRUE(secret.ok());
  ASSERT_TRUE(secret->has_value());
  EXPECT_EQ((*secret)->sealed, std::vector<uint8_t>{8});
  ASSERT_TRUE((*keys)->DeleteOrg("org-a").ok());
  EXPECT_FALSE((*keys)->GetSecret("org-a", "api-key")->has_value());
  EXPECT_TRUE((*keys)->ListDataKeys()->empty());
}

}  // namespace
}  // namespace adminauto::store
