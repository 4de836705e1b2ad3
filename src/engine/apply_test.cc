// Unit tests of the apply engine against an in-memory org behind the client's transport
// interface, with a fake clock so polling never sleeps. The integration tests in tests/ run
// the same flows against the simulator over HTTP.
#include "engine/apply.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <set>

namespace adminauto::engine {
namespace {

using store::ActionState;

struct FakeUser {
  MembershipStatus membership = MembershipStatus::kActive;
  std::set<std::string> groups;
  bool operator==(const FakeUser&) const = default;
};

// A directory of users served over the v2 paths the client uses.
class FakeOrgTransport final : public atlassian::HttpTransport {
 public:
  std::map<std::string, FakeUser> users;
  std::vector<std::string> mutations;  // "METHOD target" of every write that changed state
  int writes_seen = 0;
  int fail_write = 0;          // 1-based write that answers 500 without acting
  bool ignore_writes = false;  // answer 204 and change nothing

  std::vector<atlassian::TransportResult> Send(
      const std::vector<atlassian::HttpRequest>& requests) override {
    std::vector<atlassian::TransportResult> results;
    for (const auto& request : requests) results.push_back({Handle(request), {}});
    return results;
  }

 private:
  static atlassian::HttpResponse Reply(int status, std::string body = {}) {
    atlassian::HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    return response;
  }

  atlassian::HttpResponse UserJson(const std::string& id, const FakeUser& user) {
    boost::json::array groups;
    for (const auto& g : user.groups) groups.push_back(boost::json::object{{"id", g}});
    boost::json::object data{
        {"accountId", id},           {"accountType", "atlassian"},
        {"accountStatus", "active"}, {"membershipStatus", std::string(ToString(user.membership))},
        {"claimStatus", "managed"},  {"groups", groups}};
    return Reply(200, boost::json::serialize(boost::json::object{{"data", data}}));
  }

  atlassian::HttpResponse Handle(const atlassian::HttpRequest& request) {
    const std::string prefix = "/admin/v2/orgs/org-1/directories/-/";
    if (request.target.rfind(prefix, 0) != 0) return Reply(404, R"({"errors":[]})");
    std::string rest = request.target.substr(prefix.size());
    if (request.method == "GET") {
      std::string id = rest.substr(std::string("users/").size());
      auto it = users.find(id);
      if (it == users.end() || it->second.membership == MembershipStatus::kNoMembership) {
        return Reply(404, R"({"errors":[{"status":"404","code":"ADMIN-404-8"}]})");
      }
      return UserJson(id, it->second);
    }
    ++writes_seen;
    if (writes_seen == fail_write) return Reply(500, R"({"errors":[{"status":"500"}]})");
    if (ignore_writes) return Reply(204);
    return ApplyWrite(request, rest);
  }

  atlassian::HttpResponse ApplyWrite(const atlassian::HttpRequest& request,
                                     const std::string& rest) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (start <= rest.size()) {
      size_t slash = rest.find('/', start);
      if (slash == std::string::npos) slash = rest.size();
      parts.push_back(rest.substr(start, slash - start));
      start = slash + 1;
    }
    if (parts[0] == "users" && users.count(parts[1])) {
      FakeUser& user = users[parts[1]];
      if (request.method == "DELETE") {
        user.membership = MembershipStatus::kNoMembership;
      } else if (parts.size() > 2 && parts[2] == "suspend") {
        user.membership = MembershipStatus::kSuspended;
      } else if (parts.size() > 2 && parts[2] == "restore") {
        user.membership = MembershipStatus::kActive;
      }
    } else if (parts[0] == "groups" && parts.size() >= 3) {
      if (request.method == "POST") {
        auto body = boost::json::parse(request.body).as_object();
        users[std::string(body.at("accountId").as_string())].groups.insert(parts[1]);
      } else {
        users[parts[3]].groups.erase(parts[1]);
      }
    } else {
      return Reply(404, R"({"errors":[]})");
    }
    mutations.push_back(request.method + " " + rest);
    return Reply(204);
  }
};

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("aa_apply_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = std::move(store::SqliteDb::Open((dir_ / "db.sqlite").string())).value();
    journal_ = std::move(store::JournalStore::Open(*db_, clock_)).value();
    audit_.emplace(std::move(audit::AuditLog::Open(*db_, clock_)).value());
    transport_ = std::make_shared<FakeOrgTransport>();
    for (int i = 0; i < 5; ++i) transport_->users["acc-" + std::to_string(i)] = FakeUser{};
    atlassian::ClientOptions options;
    options.base_url = "http://127.0.0.1:1";
    options.org_id = "org-1";
    client_ = std::make_unique<atlassian::OrgClient>(transport_, options, clock_);
    guards_.latest_snapshot_hash = [this](std::string_view) -> Result<std::optional<std::string>> {
      return latest_hash_;
    };
    guards_.destructive_allowed = [this](std::string_view) { return drop_status_; };
    options_.poll.window = std::chrono::milliseconds(2'000);
    options_.lock_dir = (dir_ / "locks").string();
  }
  void TearDown() override {
    client_.reset();
    audit_.reset();
    journal_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  Applier MakeApplier() {
    return Applier(*db_, *journal_, *audit_, *client_, clock_, guards_, options_);
  }

  static ApplyInput SuspendPlan(int count) {
    ApplyInput input;
    input.org = "acme";
    input.org_id = "org-1";
    input.plan_key = "plan-" + std::to_string(count);
    input.source = "plan.json";
    input.snapshot_hash = "aaaaaaaaaaaaaaaa";
    input.accounts_evaluated = 100;
    for (int i = 0; i < count; ++i) {
      PlannedChange planned;
      planned.change = {ChangeKind::kSuspend, "acc-" + std::to_string(i), ""};
      planned.rule = "licence-cleanup";
      planned.reason = "inactive 120 days";
      input.changes.push_back(planned);
    }
    return input;
  }

  int CountMutations(const std::string& needle) {
    int n = 0;
    for (const auto& m : transport_->mutations) n += m.find(needle) != std::string::npos;
    return n;
  }

  FakeClock clock_{std::chrono::system_clock::time_point(std::chrono::seconds(1796000000))};
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteDb> db_;
  std::unique_ptr<store::JournalStore> journal_;
  std::optional<audit::AuditLog> audit_;
  std::shared_ptr<FakeOrgTransport> transport_;
  std::unique_ptr<atlassian::OrgClient> client_;
  std::optional<std::string> latest_hash_ = "aaaaaaaaaaaaaaaa";
  Status drop_status_;
  SyncGuards guards_;
  ApplyOptions options_;
};

TEST_F(ApplyTest, AppliesAndVerifiesEachChange) {
  Applier applier = MakeApplier();
  auto summary = applier.Apply(SuspendPlan(3));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_FALSE(summary->stopped()) << summary->stopped_reason;
  EXPECT_EQ(summary->counts.verified, 3);
  EXPECT_EQ(summary->sent, 3);
  EXPECT_EQ(transport_->mutations.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(transport_->users["acc-" + std::to_string(i)].membership,
              MembershipStatus::kSuspended);
  }
  EXPECT_EQ(transport_->users["acc-3"].membership, MembershipStatus::kActive);
  auto report = audit_->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problem;
}

TEST_F(ApplyTest, ServerErrorOnThirdOfFive) {
  transport_->fail_write = 3;
  Applier applier = MakeApplier();
  auto first = applier.Apply(SuspendPlan(5));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->counts.verified, 4);
  EXPECT_EQ(first->counts.failed, 1);
  EXPECT_EQ(transport_->mutations.size(), 4u);
  EXPECT_EQ(CountMutations("users/acc-2/suspend"), 0);

  auto second = applier.Apply(SuspendPlan(5));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->resumed);
  EXPECT_EQ(second->run_id, first->run_id);
  EXPECT_EQ(second->counts.verified, 5);
  EXPECT_EQ(second->sent, 1);
  // Each account was suspended exactly once over both runs.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(CountMutations("users/acc-" + std::to_string(i) + "/suspend"), 1) << i;
  }
}

TEST_F(ApplyTest, ResumesSentActionsWithoutResending) {
  Applier applier = MakeApplier();
  ApplyInput input = SuspendPlan(2);
  // Simulate a crash: both actions recorded as sent, only the first reached the API.
  store::JournalRun run;
  run.id = "run-crashed";
  run.org = "acme";
  run.org_id = "org-1";
  run.plan_key = input.plan_key;
  run.actor = "cli";
  std::vector<store::JournalAction> actions(2);
  for (int i = 0; i < 2; ++i) {
    actions[i].account_id = "acc-" + std::to_string(i);
    actions[i].kind = "suspend";
  }
  ASSERT_TRUE(journal_->CreateRun(run, actions).ok());
  ASSERT_TRUE(journal_->Transition("run-crashed", 0, ActionState::kSent).ok());
  ASSERT_TRUE(journal_->Transition("run-crashed", 1, ActionState::kSent).ok());
  transport_->users["acc-0"].membership = MembershipStatus::kSuspended;

  auto summary = applier.Apply(input);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->run_id, "run-crashed");
  EXPECT_EQ(summary->counts.verified, 2);
  EXPECT_EQ(CountMutations("users/acc-0/suspend"), 0);
  EXPECT_EQ(CountMutations("users/acc-1/suspend"), 1);
}

TEST_F(ApplyTest, SkipsAccountAlreadyInTargetState) {
  transport_->users["acc-1"].membership = MembershipStatus::kSuspended;
  Applier applier = MakeApplier();
  auto summary = applier.Apply(SuspendPlan(2));
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->counts.verified, 1);
  EXPECT_EQ(summary->counts.skipped, 1);
  EXPECT_EQ(transport_->mutations.size(), 1u);
}

TEST_F(ApplyTest, AcceptedWriteWithoutEffectFails) {
  transport_->ignore_writes = true;
  Applier applier = MakeApplier();
  auto summary = applier.Apply(SuspendPlan(1));
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->counts.failed, 1);
  EXPECT_EQ(summary->counts.verified, 0);
  // Polling read the account back but never sent the change again.
  EXPECT_EQ(transport_->writes_seen, 1);
  auto actions = journal_->Actions(summary->run_id);
  ASSERT_TRUE(actions.ok());
  EXPECT_NE((*actions)[0].detail.find("did not show"), std::string::npos) << (*actions)[0].detail;
}

TEST_F(ApplyTest, LimitStopsBeforeFirstChange) {
  ApplyInput input = SuspendPlan(3);
  input.limits.push_back({"licence-cleanup", 2, std::nullopt});
  Applier applier = MakeApplier();
  auto summary = applier.Apply(input);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), StatusCode::kAborted);
  EXPECT_NE(summary.status().message().find("3 accounts"), std::string::npos);
  EXPECT_NE(summary.status().message().find("max_accounts=2"), std::string::npos);
  EXPECT_EQ(transport_->writes_seen, 0);
  auto runs = journal_->ListRuns();
  ASSERT_TRUE(runs.ok());
  EXPECT_TRUE(runs->empty());
}

TEST_F(ApplyTest, FractionLimitStopsRun) {
  ApplyInput input = SuspendPlan(3);
  input.accounts_evaluated = 20;  // 3 of 20 is 0.15
  input.limits.push_back({"licence-cleanup", std::nullopt, 0.10});
  Applier applier = MakeApplier();
  auto summary = applier.Apply(input);
  ASSERT_FALSE(summary.ok());
  EXPECT_EQ(summary.status().code(), StatusCode::kAborted);
  EXPECT_NE(summary.status().message().find("3 of 20"), std::string::npos);
  EXPECT_EQ(transport_->writes_seen, 0);
}

TEST_F(ApplyTest, IrreversibleNeedsExplicitFlag) {
  ApplyInput input = SuspendPlan(1);
  input.changes[0].change.kind = ChangeKind::kRemove;
  input.changes[0].irreversible = true;
  auto refused = MakeApplier().Apply(input);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kAborted);
  EXPECT_NE(refused.status().message().find("--allow-irreversible"), std::string::npos);
  EXPECT_EQ(transport_->writes_seen, 0);

  options_.allow_irreversible = true;
  auto applied = MakeApplier().Apply(input);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->counts.verified, 1);
  EXPECT_EQ(transport_->users["acc-0"].membership, MembershipStatus::kNoMembership);
}

TEST_F(ApplyTest, DropFlagBlocksDestructiveChanges) {
  drop_status_ = FailedPrecondition("snapshot lost 80% of accounts; confirm the drop");
  auto refused = MakeApplier().Apply(SuspendPlan(2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kAborted);
  EXPECT_NE(refused.status().message().find("confirm the drop"), std::string::npos);
  EXPECT_EQ(transport_->writes_seen, 0);
}

TEST_F(ApplyTest, StalePlanIsRejected) {
  latest_hash_ = "bbbbbbbbbbbbbbbb";
  auto refused = MakeApplier().Apply(SuspendPlan(2));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("older snapshot"), std::string::npos);
  EXPECT_NE(refused.status().message().find("latest bbbbbbbbbbbb"), std::string::npos);
  EXPECT_EQ(transport_->writes_seen, 0);
}

TEST_F(ApplyTest, RevertRestoresPreRunState) {
  transport_->users["acc-3"].groups = {"g-licensed"};
  std::map<std::string, FakeUser> before = transport_->users;
  ApplyInput input = SuspendPlan(3);
  PlannedChange leave;
  leave.change = {ChangeKind::kRemoveFromGroup, "acc-3", "g-licensed"};
  leave.rule = "licence-cleanup";
  input.changes.push_back(leave);
  Applier applier = MakeApplier();
  auto applied = applier.Apply(input);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_EQ(applied->counts.verified, 4);
  ASSERT_NE(transport_->users, before);

  auto revert = applier.PlanRevert(applied->run_id);
  ASSERT_TRUE(revert.ok()) << revert.status().ToString();
  EXPECT_EQ(revert->input.changes.size(), 4u);
  EXPECT_TRUE(revert->not_revertible.empty());
  auto reverted = applier.Apply(revert->input);
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  EXPECT_EQ(reverted->counts.verified, 4);
  EXPECT_EQ(transport_->users, before);
  auto run = journal_->GetRun(reverted->run_id);
  ASSERT_TRUE(run.ok() && run->has_value());
  EXPECT_EQ((*run)->kind, store::RunKind::kRevert);
  EXPECT_EQ((*run)->reverts_run, applied->run_id);
}

TEST_F(ApplyTest, RevertListsIrreversibleChanges) {
  options_.allow_irreversible = true;
  ApplyInput input = SuspendPlan(2);
  input.changes[1].change.kind = ChangeKind::kRemove;
  Applier applier = MakeApplier();
  auto applied = applier.Apply(input);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  auto revert = applier.PlanRevert(applied->run_id);
  ASSERT_TRUE(revert.ok());
  ASSERT_EQ(revert->input.changes.size(), 1u);
  EXPECT_EQ(revert->input.changes[0].change.kind, ChangeKind::kRestore);
  ASSERT_EQ(revert->not_revertible.size(), 1u);
  EXPECT_NE(revert->not_revertible[0].find("acc-1"), std::string::npos);
}

TEST_F(ApplyTest, JournalAndAuditAgree) {
  transport_->fail_write = 2;
  transport_->users["acc-2"].membership = MembershipStatus::kSuspended;
  auto summary = MakeApplier().Apply(SuspendPlan(4));
  ASSERT_TRUE(summary.ok());
  auto actions = journal_->Actions(summary->run_id);
  auto entries = audit_->ReadRun(summary->run_id);
  ASSERT_TRUE(actions.ok());
  ASSERT_TRUE(entries.ok());
  for (const auto& action : *actions) {
    int intents = 0;
    std::string last_result;
    for (const auto& entry : *entries) {
      if (entry.record.account != action.account_id) continue;
      if (entry.record.result == "intent") {
        ++intents;
      } else {
        last_result = entry.record.result;
      }
    }
    EXPECT_EQ(intents, action.attempts) << action.account_id;
    EXPECT_EQ(last_result.substr(0, last_result.find(':')), store::ToString(action.state))
        << action.account_id;
  }
  EXPECT_EQ(summary->counts.verified, 2);
  EXPECT_EQ(summary->counts.failed, 1);
  EXPECT_EQ(summary->counts.skipped, 1);
}

}  // namespace
}  // namespace adminauto::engine
