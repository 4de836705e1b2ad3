#include "store/snapshot_store.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace adminauto::store {
namespace {

using std::chrono::hours;

const Timestamp kT0 = Timestamp(std::chrono::sys_days(std::chrono::year{2026} / 12 / 1));

Account MakeAccount(std::string id, std::string name, std::string email) {
  Account a;
  a.id = std::move(id);
  a.name = std::move(name);
  a.email = std::move(email);
  return a;
}

Directory MakeDirectory(int accounts, Timestamp at = kT0) {
  Directory d;
  d.org_id = "org-1";
  d.directory_id = "dir-1";
  d.taken_at = at;
  for (int i = 0; i < accounts; ++i) {
    d.accounts.push_back(MakeAccount("u" + std::to_string(i), "User " + std::to_string(i),
                                     "u" + std::to_string(i) + "@acme.com"));
  }
  return d;
}

class SnapshotStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("snapshot_store_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    std::filesystem::remove(path_);
    auto db = SqliteDb::Open(path_.string());
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(db).value();
    auto store = SnapshotStore::Open(*db_);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    db_.reset();
    std::filesystem::remove(path_);
    std::filesystem::remove(path_.string() + "-wal");
    std::filesystem::remove(path_.string() + "-shm");
  }

  std::filesystem::path path_;
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<SnapshotStore> store_;
};

TEST_F(SnapshotStoreTest, RoundTripsEveryField) {
  Directory d = MakeDirectory(0);
  Account a = MakeAccount("557058:0f1e", "Юлия 山田 José 🚀", "élève@acme.com");
  a.type = AccountType::kApp;
  a.account_status = AccountStatus::kInactive;
  a.membership_status = MembershipStatus::kSuspended;
  a.claim_status = ClaimStatus::kUnmanaged;
  a.added_to_org = kT0 - hours(24 * 300);
  a.restored_at = kT0 - hours(5);
  a.platform_roles = {"atlassian/org-admin"};
  a.group_ids = {"g-1", "g-2"};
  a.products = {{"jira-software", "acme", "ari:cloud:jira::site/1", kT0 - hours(48)},
                {"confluence", "", "", std::nullopt}};
  d.accounts.push_back(a);
  d.groups.push_back(
      {"g-1", "ネバー・サスペンド 🛑", "Ä description", true, false, true});

  ASSERT_TRUE(store_->Save(d, SyncStats{}, 0.2).ok());
  auto loaded = store_->LoadLatest("org-1");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->has_value());
  const Directory& back = **loaded;
  EXPECT_EQ(back.directory_id, "dir-1");
  EXPECT_EQ(back.taken_at, kT0);
  ASSERT_EQ(back.accounts.size(), 1u);
  EXPECT_EQ(back.accounts[0], a);
  EXPECT_EQ(back.accounts[0].name,
            "\xD0\xAE\xD0\xBB\xD0\xB8\xD1\x8F \xE5\xB1\xB1\xE7\x94\xB0 "
            "Jos\xC3\xA9 \xF0\x9F\x9A\x80");
  ASSERT_EQ(back.groups.size(), 1u);
  EXPECT_EQ(back.groups[0], d.groups[0]);
}

TEST_F(SnapshotStoreTest, LatestIsNewest) {
  ASSERT_TRUE(store_->Save(MakeDirectory(3, kT0), SyncStats{}, 0.5).ok());
  ASSERT_TRUE(store_->Save(MakeDirectory(4, kT0 + hours(1)), SyncStats{}, 0.5).ok());
  auto loaded = store_->LoadLatest("org-1");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)->accounts.size(), 4u);
  EXPECT_EQ((*loaded)->taken_at, kT0 + hours(1));
}

TEST_F(SnapshotStoreTest, UnknownOrgHasNoSnapshot) {
  auto loaded = store_->LoadLatest("nobody");
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded->has_value());
  auto state = store_->GetState("nobody");
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(state->latest_snapshot_id.has_value());
  EXPECT_TRUE(store_->CheckDestructiveAllowed("nobody").ok());
}

TEST_F(SnapshotStoreTest, FailureKeepsPreviousSnapshot) {
  auto saved = store_->Save(MakeDirectory(5), SyncStats{}, 0.2);
  ASSERT_TRUE(saved.ok());
  ASSERT_TRUE(store_->RecordFailure("org-1", kT0 + hours(2), "HTTP 401 invalid key").ok());
  auto state = store_->GetState("org-1");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->latest_snapshot_id, saved->snapshot_id);
  EXPECT_EQ(state->last_failure_reason, "HTTP 401 invalid key");
  EXPECT_EQ(state->last_failure_at, kT0 + hours(2));
  auto loaded = store_->LoadLatest("org-1");
  EXPECT_EQ((*loaded)->accounts.size(), 5u);
}

TEST_F(SnapshotStoreTest, SuccessClearsFailure) {
  ASSERT_TRUE(store_->RecordFailure("org-1", kT0, "timeout").ok());
  ASSERT_TRUE(store_->Save(MakeDirectory(2), SyncStats{}, 0.2).ok());
  auto state = store_->GetState("org-1");
  EXPECT_TRUE(state->last_failure_reason.empty());
  EXPECT_FALSE(state->last_failure_at.has_value());
}

TEST_F(SnapshotStoreTest, EmptyAfterNonEmptyBlocks) {
  ASSERT_TRUE(store_->Save(MakeDirectory(10), SyncStats{}, 0.9).ok());
  auto saved = store_->Save(MakeDirectory(0), SyncStats{}, 0.9);
  ASSERT_TRUE(saved.ok());
  ASSERT_TRUE(saved->drop_reason.has_value());
  Status blocked = store_->CheckDestructiveAllowed("org-1");
  EXPECT_EQ(blocked.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(blocked.message().find("--confirm-drop"), std::string::npos);
}

TEST_F(SnapshotStoreTest, DropFlagSurvivesNextSync) {
  ASSERT_TRUE(store_->Save(MakeDirectory(100), SyncStats{}, 0.2).ok());
  ASSERT_TRUE(store_->Save(MakeDirectory(50), SyncStats{}, 0.2)->drop_reason.has_value());
  // Another sync with the same shrunken picture must not clear the flag by itself.
  auto again = store_->Save(MakeDirectory(50), SyncStats{}, 0.2);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->drop_reason.has_value());
  EXPECT_FALSE(store_->CheckDestructiveAllowed("org-1").ok());
}

TEST_F(SnapshotStoreTest, RecoveryClearsDropFlag) {
  ASSERT_TRUE(store_->Save(MakeDirectory(100), SyncStats{}, 0.2).ok());
  ASSERT_TRUE(store_->Save(MakeDirectory(0), SyncStats{}, 0.2)->drop_reason.has_value());
  auto back = store_->Save(MakeDirectory(99), SyncStats{}, 0.2);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->drop_reason.has_value());
  EXPECT_TRUE(store_->CheckDestructiveAllowed("org-1").ok());
}

TEST_F(SnapshotStoreTest, ConfirmDropUnblocks) {
  ASSERT_TRUE(store_->Save(MakeDirectory(100), SyncStats{}, 0.2).ok());
  ASSERT_TRUE(store_->Save(MakeDirectory(40), SyncStats{}, 0.2).ok());
  EXPECT_FALSE(store_->CheckDestructiveAllowed("org-1").ok());
  ASSERT_TRUE(store_->ConfirmDrop("org-1", kT0 + hours(3)).ok());
  EXPECT_TRUE(store_->CheckDestructiveAllowed("org-1").ok());
  auto state = store_->GetState("org-1");
  EXPECT_EQ(state->baseline_accounts, 40);
  EXPECT_EQ(state->drop_confirmed_at, kT0 + hours(3));
  // The confirmed picture is the new baseline: 40 -> 38 is no drop.
  EXPECT_FALSE(store_->Save(MakeDirectory(38), SyncStats{}, 0.2)->drop_reason.has_value());
}

TEST_F(SnapshotStoreTest, ConfirmWithoutDropFails) {
  EXPECT_EQ(store_->ConfirmDrop("org-1", kT0).code(), StatusCode::kFailedPrecondition);
}

TEST_F(SnapshotStoreTest, KeepsRecentSnapshotsOnly) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(store_->Save(MakeDirectory(i), SyncStats{}, 1.0, 2).ok());
  }
  auto count = db_->Prepare("SELECT COUNT(*) FROM sync_snapshots WHERE org_id = 'org-1'");
  ASSERT_TRUE(count.ok());
  ASSERT_TRUE(*count->Step());
  EXPECT_EQ(count->Int(0), 2);
  auto rows = db_->Prepare("SELECT COUNT(*) FROM sync_snapshot_accounts");
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->Int(0), 4 + 5) << "accounts of pruned snapshots are deleted too";
}

TEST_F(SnapshotStoreTest, StatsStored) {
  SyncStats stats;
  stats.calls = 12;
  stats.retries = 3;
  stats.unmanaged = 1;
  stats.duplicate_accounts = 2;
  stats.throttled = std::chrono::milliseconds(4500);
  stats.duration = std::chrono::milliseconds(900);
  ASSERT_TRUE(store_->Save(MakeDirectory(3), stats, 0.2).ok());
  auto info = store_->LatestInfo("org-1");
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(info->has_value());
  EXPECT_EQ((*info)->stats.accounts, 3);
  EXPECT_EQ((*info)->stats.calls, 12);
  EXPECT_EQ((*info)->stats.retries, 3);
  EXPECT_EQ((*info)->stats.unmanaged, 1);
  EXPECT_EQ((*info)->stats.duplicate_accounts, 2);
  EXPECT_EQ((*info)->stats.throttled, std::chrono::milliseconds(4500));
}

TEST(DetectDrop, Thresholds) {
  EXPECT_FALSE(DetectDrop(0, 0, 0.2).has_value()) << "first sync of an empty org";
  EXPECT_TRUE(DetectDrop(1, 0, 0.99).has_value());
  EXPECT_FALSE(DetectDrop(100, 80, 0.2).has_value()) << "exactly 20% is allowed";
  EXPECT_TRUE(DetectDrop(100, 79, 0.2).has_value());
  EXPECT_FALSE(DetectDrop(100, 150, 0.2).has_value());
}

}  // namespace
}  // namespace adminauto::store
