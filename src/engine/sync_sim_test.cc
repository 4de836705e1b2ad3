// Sync against the simulator over real HTTP on 127.0.0.1, one fault at a time. The simulator
// and the client share a FakeClock, so rate-limit waits take no real time; only the timeout
// test waits, for a few hundred milliseconds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "engine/sync.h"
#include "rules/rule_file.h"
#include "sim/sim_server.h"
#include "store/snapshot_store.h"

namespace adminauto::engine {
namespace {

using atlassian::ApiError;
using atlassian::ApiErrorKind;
using std::chrono::milliseconds;
using std::chrono::seconds;

// 2026-12-04T12:00:00Z, on a whole minute so the simulator's minute-rounded resets are exact.
const auto kStart = std::chrono::system_clock::time_point(
    std::chrono::sys_days(std::chrono::year{2026} / 12 / 4) + std::chrono::hours(12));

class SyncSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_path_ = std::filesystem::temp_directory_path() /
               ("sync_sim_test_" + std::to_string(::getpid()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    RemoveDb();
    auto db = store::SqliteDb::Open(db_path_.string());
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(db).value();
    auto snapshots = store::SnapshotStore::Open(*db_);
    ASSERT_TRUE(snapshots.ok());
    store_ = std::move(snapshots).value();
  }

  void TearDown() override {
    sim_.reset();
    store_.reset();
    db_.reset();
    RemoveDb();
  }

  void RemoveDb() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(db_path_.string() + suffix);
    }
  }

  void StartSim(int users, std::string export_csv = {}) {
    sim::SimOptions options;
    options.users = export_csv.empty() ? users : -1;
    options.export_csv = std::move(export_csv);
    options.seed = 7;
    options.clock = &clock_;
    options.log_requests = false;
    auto started = sim::SimServer::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().message();
    sim_ = std::move(started).value();
  }

  void SetFault(const std::string& route, sim::EndpointFaults faults) {
    sim::Faults all;
    all.endpoints[route] = std::move(faults);
    sim_->SetFaults(all);
  }

  std::unique_ptr<atlassian::OrgClient> MakeClient(milliseconds read_timeout = seconds(10),
                                                   bool one_attempt = false) {
    atlassian::CurlTransportOptions transport;
    transport.base_url = sim_->base_url();
    transport.api_key = sim_->api_key();
    // libcurl's transfer timeout covers connecting too, so a short read timeout needs a
    // short connect timeout; loopback connects at once.
    transport.connect_timeout = std::min<milliseconds>(seconds(5), read_timeout);
    transport.read_timeout = read_timeout;
    auto made = atlassian::MakeCurlTransport(std::move(transport));
    EXPECT_TRUE(made.ok());
    atlassian::ClientOptions options;
    options.base_url = sim_->base_url();
    options.org_id = sim_->org_id();
    options.users_page_size = 50;
    options.groups_page_size = 20;
    options.jitter_seed = 3;
    if (one_attempt) {
      options.retry.max_attempts_per_request = 1;
      options.retry.max_wait = milliseconds(0);
    }
    return std::make_unique<atlassian::OrgClient>(
        std::shared_ptr<atlassian::HttpTransport>(std::move(made).value()), options, clock_);
  }

  Result<SyncReport> Sync(std::optional<ApiError>* error = nullptr,
                          milliseconds read_timeout = seconds(10), bool last_active = false) {
    auto client = MakeClient(read_timeout);
    SyncOptions options;
    options.fetch_last_active = last_active;
    return RunSync(*client, *store_, options, clock_, error);
  }

  // Checks the latest snapshot contains exactly the simulator's accounts, each once.
  void ExpectSnapshotMatchesSim() {
    Directory expected = sim_->Snapshot();
    auto loaded = store_->LoadLatest(sim_->org_id());
    ASSERT_TRUE(loaded.ok());
    ASSERT_TRUE(loaded->has_value());
    std::multiset<std::string> got;
    for (const auto& a : (*loaded)->accounts) got.insert(a.id);
    std::multiset<std::string> want;
    for (const auto& a : expected.accounts) want.insert(a.id);
    EXPECT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want) << "every account exactly once";
    EXPECT_EQ((*loaded)->groups.size(), expected.groups.size());
  }

  // Uses up the users-search rate limit the way another client of the same key would, so the
  // next sync's first request gets a 429 before it has seen any rate-limit header.
  void DrainUsersSearch() {
    auto other = MakeClient(seconds(10), true);
    EXPECT_FALSE(other->SearchUsers().ok());
  }

  // Runs a clean sync whose snapshot the failing sync must leave in place.
  int64_t BaselineSync() {
    auto first = Sync();
    EXPECT_TRUE(first.ok()) << first.status().message();
    return first.ok() ? first->snapshot_id : 0;
  }

  void ExpectFailureKeptSnapshot(int64_t snapshot_id) {
    auto state = store_->GetState(sim_->org_id());
    ASSERT_TRUE(state.ok());
    EXPECT_EQ(state->latest_snapshot_id, snapshot_id);
    EXPECT_FALSE(state->last_failure_reason.empty());
    auto info = store_->LatestInfo(sim_->org_id());
    ASSERT_TRUE(info.ok());
    ASSERT_TRUE(info->has_value());
    EXPECT_EQ((*info)->id, snapshot_id);
  }

  FakeClock clock_{kStart};
  std::unique_ptr<sim::SimServer> sim_;
  std::filesystem::path db_path_;
  std::unique_ptr<store::SqliteDb> db_;
  std::unique_ptr<store::SnapshotStore> store_;
};

sim::EndpointFaults RateLimited(int capacity, double per_minute, std::optional<int> retry_after) {
  sim::EndpointFaults f;
  f.rate_limit = sim::RateLimitFault{capacity, per_minute, retry_after, true};
  return f;
}

TEST_F(SyncSimTest, CleanSyncHasEveryAccount) {
  StartSim(230);
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->stats.accounts, 230);
  EXPECT_EQ(report->stats.retries, 0);
  EXPECT_EQ(report->stats.duplicate_accounts, 0);
  EXPECT_EQ(report->stats.unmanaged + report->managed, 230);
  EXPECT_FALSE(report->drop_reason.has_value());
  ExpectSnapshotMatchesSim();
}

TEST_F(SyncSimTest, RetryAfterThreeSeconds) {
  StartSim(230);
  // One token every 3 s; the limit is used up before the sync starts.
  SetFault("v2.users.search", RateLimited(1, 20, 3));
  DrainUsersSearch();
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_GT(report->stats.retries, 0);
  EXPECT_GE(report->stats.throttled, seconds(3));
  EXPECT_GE(clock_.slept(), seconds(3));
  ExpectSnapshotMatchesSim();
}

TEST_F(SyncSimTest, RetryAfterZeroDoesNotSpin) {
  StartSim(230);
  SetFault("v2.users.search", RateLimited(1, 60, 0));
  DrainUsersSearch();
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  // A token arrives every second; "Retry-After: 0" must still wait, not hammer the API.
  EXPECT_GE(report->stats.retries, 1);
  EXPECT_LE(report->stats.retries, 10);
  EXPECT_GE(clock_.slept(), seconds(1));
  ExpectSnapshotMatchesSim();
}

TEST_F(SyncSimTest, ResetNinetySecondsAheadWithoutRemainingWaits) {
  StartSim(120);
  // One token per 90 s, no Retry-After and no X-RateLimit-Remaining: the client has only
  // X-RateLimit-Reset to go by.
  auto limited = RateLimited(1, 60.0 / 90.0, std::nullopt);
  limited.rate_limit->send_remaining = false;
  SetFault("v2.users.search", limited);
  DrainUsersSearch();
  // 30 s later the next token is 60 s away, and the minute-rounded reset (12:02) 90 s away.
  clock_.Advance(seconds(30));
  const auto sync_start = clock_.Now();
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_GE(report->stats.retries, 1);
  EXPECT_LE(report->stats.retries, 6);
  EXPECT_GE(report->stats.throttled, seconds(90));
  EXPECT_GE(clock_.Now() - sync_start, seconds(90)) << "no request before the reset";
  ExpectSnapshotMatchesSim();
}

TEST_F(SyncSimTest, ResetTenMinutesAheadEndsCleanly) {
  StartSim(120);
  int64_t baseline = BaselineSync();
  SetFault("v2.users.search", RateLimited(1, 0.1, std::nullopt));
  std::optional<ApiError> error;
  auto report = Sync(&error);
  ASSERT_FALSE(report.ok());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ApiErrorKind::kRateLimited);
  ASSERT_TRUE(error->retry_at.has_value());
  EXPECT_GE(*error->retry_at, clock_.Now() + std::chrono::minutes(5));
  EXPECT_LT(clock_.slept(), seconds(180)) << "never waits past the maximum";
  ExpectFailureKeptSnapshot(baseline);
}

TEST_F(SyncSimTest, ServerErrorOnPageRecovers) {
  StartSim(230);
  sim::EndpointFaults f;
  f.error_on_calls = {3};
  SetFault("v2.users.search", f);
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->stats.retries, 1);
  ExpectSnapshotMatchesSim();
}

TEST_F(SyncSimTest, PersistentServerErrorKeepsSnapshot) {
  StartSim(120);
  int64_t baseline = BaselineSync();
  sim::EndpointFaults f;
  f.error_fraction = 1.0;
  SetFault("v2.groups.search", f);
  std::optional<ApiError> error;
  ASSERT_FALSE(Sync(&error).ok());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ApiErrorKind::kServerError);
  ExpectFailureKeptSnapshot(baseline);
}

TEST_F(SyncSimTest, NeverAnsweringTimesOut) {
  StartSim(60);
  int64_t baseline = BaselineSync();
  sim::EndpointFaults f;
  f.never_answer = true;
  SetFault("v2.users.search", f);
  std::optional<ApiError> error;
  ASSERT_FALSE(Sync(&error, milliseconds(150)).ok());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ApiErrorKind::kTimeout);
  ExpectFailureKeptSnapshot(baseline);
}

TEST_F(SyncSimTest, RepeatedCursorFails) {
  StartSim(230);
  int64_t baseline = BaselineSync();
  sim::EndpointFaults f;
  f.repeat_cursor = true;
  SetFault("v2.users.search", f);
  std::optional<ApiError> error;
  ASSERT_FALSE(Sync(&error).ok());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ApiErrorKind::kMalformedResponse);
  ExpectFailureKeptSnapshot(baseline);
}

TEST_F(SyncSimTest, RepeatedAccountKeptOnce) {
  StartSim(230);
  sim::EndpointFaults f;
  f.repeat_account = true;
  SetFault("v2.users.search", f);
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->stats.accounts, 230);
  EXPECT_GT(report->stats.duplicate_accounts, 0);
  ExpectSnapshotMatchesSim();
}

TEST_F(SyncSimTest, NonJsonSuccessIsMalformed) {
  StartSim(60);
  int64_t baseline = BaselineSync();
  sim::EndpointFaults f;
  f.non_json = true;
  SetFault("v2.groups.search", f);
  std::optional<ApiError> error;
  ASSERT_FALSE(Sync(&error).ok());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ApiErrorKind::kMalformedResponse);
  ExpectFailureKeptSnapshot(baseline);
}

TEST_F(SyncSimTest, ErrorBodySuccessIsMalformed) {
  StartSim(60);
  int64_t baseline = BaselineSync();
  sim::EndpointFaults f;
  f.error_body_200 = true;
  SetFault("v2.users.search", f);
  std::optional<ApiError> error;
  ASSERT_FALSE(Sync(&error).ok());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ApiErrorKind::kMalformedResponse);
  ExpectFailureKeptSnapshot(baseline);
}

TEST_F(SyncSimTest, KeyExpiringMidSyncFails) {
  StartSim(230);
  int64_t baseline = BaselineSync();
  // Pages 3 and later wait 10 s for the limit; the key expires 5 s after the sync starts.
  sim::Faults faults;
  faults.endpoints["v2.users.search"] = RateLimited(2, 6, 10);
  faults.key_expires_at = ToTimestamp(clock_.Now() + seconds(5));
  sim_->SetFaults(faults);
  std::optional<ApiError> error;
  ASSERT_FALSE(Sync(&error).ok());
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ApiErrorKind::kCredentialInvalid);
  EXPECT_EQ(error->http_status, 401);
  ExpectFailureKeptSnapshot(baseline);
}

TEST_F(SyncSimTest, UnicodeRoundTripsByteForByte) {
  const std::string csv = (std::filesystem::temp_directory_path() /
                           ("sync_unicode_" + std::to_string(::getpid()) + ".csv"))
                              .string();
  {
    std::ofstream out(csv);
    out << "User id,User name,email,User status,Added to org,Org role,Last seen in Jira - acme\n"
        << "u-1,Юлия Петрова,юлия@acme.example,Active,3 Jan 2024,,4 Oct 2026\n"
        << "u-2,山田 太郎,taro@acme.example,Active,3 Jan 2024,,Never accessed\n"
        << "u-3,José Müller-Øster,josé@acme.example,Active,3 Jan 2024,,1 Nov 2026\n"
        << "u-4,Rocket 🚀 Person,rocket@acme.example,Active,3 Jan 2024,,1 Nov 2026\n";
  }
  StartSim(-1, csv);
  std::filesystem::remove(csv);
  auto client = MakeClient();
  auto group = client->CreateGroup("никогда-不-suspendé 🛑", "Ωμέγα");
  ASSERT_TRUE(group.ok()) << group.error().message;

  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  Directory expected = sim_->Snapshot();
  auto loaded = store_->LoadLatest(sim_->org_id());
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  ASSERT_EQ((*loaded)->accounts.size(), expected.accounts.size());
  for (size_t i = 0; i < expected.accounts.size(); ++i) {
    const Account& want = expected.accounts[i];
    auto it = std::find_if((*loaded)->accounts.begin(), (*loaded)->accounts.end(),
                           [&](const Account& a) { return a.id == want.id; });
    ASSERT_NE(it, (*loaded)->accounts.end()) << want.id;
    EXPECT_EQ(it->name, want.name);
    EXPECT_EQ(it->email, want.email);
  }
  bool found = false;
  for (const Group& g : (*loaded)->groups) {
    if (g.id != group->id) continue;
    found = true;
    EXPECT_EQ(g.name,
              "\xD0\xBD\xD0\xB8\xD0\xBA\xD0\xBE\xD0\xB3\xD0\xB4\xD0\xB0-\xE4\xB8\x8D-"
              "suspend\xC3\xA9 \xF0\x9F\x9B\x91");
    EXPECT_EQ(g.description, "\xCE\xA9\xCE\xBC\xCE\xAD\xCE\xB3\xCE\xB1");
  }
  EXPECT_TRUE(found);
  auto yulia = std::find_if((*loaded)->accounts.begin(), (*loaded)->accounts.end(),
                            [](const Account& a) { return a.id == "u-1"; });
  ASSERT_NE(yulia, (*loaded)->accounts.end());
  EXPECT_EQ(yulia->name,
            "\xD0\xAE\xD0\xBB\xD0\xB8\xD1\x8F \xD0\x9F\xD0\xB5\xD1\x82\xD1\x80\xD0\xBE"
            "\xD0\xB2\xD0\xB0");
}

TEST_F(SyncSimTest, LastActiveDatesMerged) {
  StartSim(40);
  auto report = Sync(nullptr, seconds(10), true);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_GE(report->stats.calls, report->managed) << "one call per managed account";
  Directory expected = sim_->Snapshot();
  auto loaded = store_->LoadLatest(sim_->org_id());
  ASSERT_TRUE(loaded.ok());
  ASSERT_TRUE(loaded->has_value());
  for (const Account& want : expected.accounts) {
    if (want.claim_status != ClaimStatus::kManaged) continue;
    auto it = std::find_if((*loaded)->accounts.begin(), (*loaded)->accounts.end(),
                           [&](const Account& a) { return a.id == want.id; });
    ASSERT_NE(it, (*loaded)->accounts.end());
    EXPECT_EQ(it->added_to_org, want.added_to_org) << want.id;
  }
}

// The simulator allows 10 last-active calls a minute per key, for every account together. The
// sync reads the dates of every managed account without a 429 and within 1.05 x N/R minutes.
TEST_F(SyncSimTest, LastActiveDatesWithinSharedRateLimit) {
  StartSim(60);
  constexpr int kPerMinute = 10;
  SetFault("v1.last_active", RateLimited(kPerMinute, kPerMinute, std::nullopt));
  const auto started = clock_.Now();
  auto report = Sync(nullptr, seconds(10), true);
  ASSERT_TRUE(report.ok()) << report.status().message();
  const auto elapsed = clock_.Now() - started;
  const double n = static_cast<double>(report->managed);
  ASSERT_GT(n, 2.0 * kPerMinute) << "enough accounts to need more than one minute";
  EXPECT_EQ(report->stats.retries, 0) << "no call earned a 429";
  // The bucket allows 10 at once, then one call every 6 s.
  EXPECT_GE(elapsed, seconds(static_cast<int64_t>((n - kPerMinute) * 6)));
  EXPECT_LE(elapsed, milliseconds(static_cast<int64_t>(1.05 * n / kPerMinute * 60'000)));
  ExpectSnapshotMatchesSim();
}

TEST(RulesNeedingLastActive, OnlyRulesSelectingOnActivity) {
  auto parsed = rules::ParseRuleFile(R"(rules:
  - name: stale
    select: {inactive_days: 90}
    actions: [suspend]
  - name: contractors
    select: {email_domains: [contractor.example]}
    actions: [report]
  - name: never-used
    select: {never_active_days: 30}
    actions: [report]
)",
                                     "rules.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(RulesNeedingLastActive(*parsed), (std::vector<std::string>{"stale", "never-used"}));
  parsed->erase(parsed->begin());
  parsed->pop_back();
  EXPECT_TRUE(RulesNeedingLastActive(*parsed).empty());
}

TEST_F(SyncSimTest, EmptyDirectoryAfterNonEmptyFlagsDrop) {
  StartSim(50);
  ASSERT_TRUE(Sync().ok());
  const std::string org = sim_->org_id();
  StartSim(0);
  ASSERT_EQ(sim_->org_id(), org);
  auto report = Sync();
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->drop_reason.has_value());
  EXPECT_EQ(store_->CheckDestructiveAllowed(org).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store_->ConfirmDrop(org, ToTimestamp(clock_.Now())).ok());
  EXPECT_TRUE(store_->CheckDestructiveAllowed(org).ok());
}

}  // namespace
}  // namespace adminauto::engine
