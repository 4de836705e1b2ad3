// Apply, resume and revert against the simulator over real HTTP on 127.0.0.1, with the
// simulator's record of mutating calls as the proof of what was sent.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "atlassian/transport.h"
#include "core/clock.h"
#include "engine/apply.h"
#include "engine/apply_plan.h"
#include "engine/apply_session.h"
#include "engine/sync.h"
#include "rules/evaluate.h"
#include "rules/fingerprint.h"
#include "rules/plan_io.h"
#include "rules/rule_file.h"
#include "sim/sim_server.h"

namespace adminauto {
namespace {

using engine::ChangeKind;

class ApplySimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("aa_apply_sim_" + std::string(info->name()) + "_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    sim::SimOptions options;
    options.users = 40;
    options.seed = 11;
    options.log_requests = false;
    auto started = sim::SimServer::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    sim_ = std::move(started).value();
    auto stores = engine::ApplyStores::Open(dir_.string(), SystemClock::Instance());
    ASSERT_TRUE(stores.ok()) << stores.status().ToString();
    stores_ = std::move(stores).value();

    atlassian::CurlTransportOptions transport;
    transport.base_url = sim_->base_url();
    transport.api_key = sim_->api_key();
    auto curl = atlassian::MakeCurlTransport(transport);
    ASSERT_TRUE(curl.ok()) << curl.status().ToString();
    atlassian::ClientOptions client_options;
    client_options.base_url = sim_->base_url();
    client_options.org_id = sim_->org_id();
    budget_ = std::make_shared<atlassian::RateBudget>(SystemClock::Instance());
    client_ = std::make_unique<atlassian::OrgClient>(
        std::shared_ptr<atlassian::HttpTransport>(std::move(curl).value()), client_options,
        SystemClock::Instance(), budget_);
    apply_options_.poll.first = std::chrono::milliseconds(20);
    apply_options_.poll.window = std::chrono::milliseconds(300);
    apply_options_.lock_dir = (dir_ / "locks").string();
  }

  void TearDown() override {
    client_.reset();
    stores_.reset();
    if (sim_) sim_->Stop();
    std::filesystem::remove_all(dir_);
  }

  engine::Applier MakeApplier(engine::SyncGuards guards = {}) {
    return engine::Applier(*stores_->db, *stores_->journal, *stores_->audit, *client_,
                           SystemClock::Instance(), std::move(guards), apply_options_);
  }

  // Active, managed, human accounts of the simulated org, in directory order.
  std::vector<std::string> ActiveAccounts(size_t count) {
    std::vector<std::string> ids;
    for (const Account& account : sim_->Snapshot().accounts) {
      if (account.type == AccountType::kAtlassian &&
          account.claim_status == ClaimStatus::kManaged &&
          account.account_status == AccountStatus::kActive &&
          account.membership_status == MembershipStatus::kActive && ids.size() < count) {
        ids.push_back(account.id);
      }
    }
    return ids;
  }

  engine::ApplyInput SuspendInput(const std::vector<std::string>& accounts) {
    engine::ApplyInput input;
    input.org = "acme";
    input.org_id = sim_->org_id();
    input.plan_key = "plan:test-" + std::to_string(accounts.size());
    input.source = "test plan";
    input.snapshot_hash = "unchecked";
    for (const std::string& id : accounts) {
      engine::PlannedChange planned;
      planned.change = {ChangeKind::kSuspend, id, ""};
      planned.rule = "licence-cleanup";
      planned.reason = "inactive";
      input.changes.push_back(planned);
    }
    return input;
  }

  // Mutating calls the simulator received on `route` for `account`, and how many succeeded.
  std::pair<int, int> Calls(const std::string& route, const std::string& account) {
    int all = 0;
    int succeeded = 0;
    for (const sim::Mutation& m : sim_->Mutations()) {
      if (m.route != route || m.account_id != account) continue;
      ++all;
      succeeded += m.status >= 200 && m.status < 300;
    }
    return {all, succeeded};
  }

  std::filesystem::path dir_;
  std::unique_ptr<sim::SimServer> sim_;
  std::unique_ptr<engine::ApplyStores> stores_;
  std::shared_ptr<atlassian::RateBudget> budget_;
  std::unique_ptr<atlassian::OrgClient> client_;
  engine::ApplyOptions apply_options_;
};

TEST_F(ApplySimTest, ServerErrorOnThirdOfFive) {
  std::vector<std::string> accounts = ActiveAccounts(5);
  ASSERT_EQ(accounts.size(), 5u);
  sim::Faults faults;
  faults.endpoints["v2.users.suspend"].error_on_calls = {3};
  sim_->SetFaults(faults);

  engine::Applier applier = MakeApplier();
  auto first = applier.Apply(SuspendInput(accounts));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->counts.verified, 4);
  EXPECT_EQ(first->counts.failed, 1);
  EXPECT_EQ(Calls("v2.users.suspend", accounts[2]), std::make_pair(1, 0));

  auto second = applier.Apply(SuspendInput(accounts));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->run_id, first->run_id);
  EXPECT_EQ(second->counts.verified, 5);
  EXPECT_EQ(second->sent, 1);
  // The four accounts done in the first run got no second request.
  for (size_t i = 0; i < accounts.size(); ++i) {
    auto calls = Calls("v2.users.suspend", accounts[i]);
    EXPECT_EQ(calls.second, 1) << accounts[i];
    EXPECT_EQ(calls.first, i == 2 ? 2 : 1) << accounts[i];
  }
  auto report = stores_->audit->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problem;
}

TEST_F(ApplySimTest, RevertRestoresFullState) {
  std::vector<std::string> accounts = ActiveAccounts(6);
  ASSERT_EQ(accounts.size(), 6u);
  Directory before = sim_->Snapshot();

  engine::Applier applier = MakeApplier();
  auto applied = applier.Apply(SuspendInput(accounts));
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  ASSERT_EQ(applied->counts.verified, 6);
  Directory during = sim_->Snapshot();
  ASSERT_NE(during.accounts, before.accounts);

  auto revert = applier.PlanRevert(applied->run_id);
  ASSERT_TRUE(revert.ok()) << revert.status().ToString();
  ASSERT_EQ(revert->input.changes.size(), 6u);
  auto reverted = applier.Apply(revert->input);
  ASSERT_TRUE(reverted.ok()) << reverted.status().ToString();
  EXPECT_EQ(reverted->counts.verified, 6);

  // Every account is as it was, field by field. The simulator stamps restored_at on each
  // restore, which is the record of the revert itself, so it is checked separately.
  Directory after = sim_->Snapshot();
  ASSERT_EQ(after.accounts.size(), before.accounts.size());
  std::set<std::string> changed(accounts.begin(), accounts.end());
  for (size_t i = 0; i < before.accounts.size(); ++i) {
    Account expected = before.accounts[i];
    Account actual = after.accounts[i];
    if (changed.count(actual.id)) {
      EXPECT_TRUE(actual.restored_at.has_value()) << actual.id;
      actual.restored_at = expected.restored_at;
    }
    EXPECT_EQ(actual, expected) << actual.id;
  }
  EXPECT_EQ(after.groups, before.groups);
}

TEST_F(ApplySimTest, SyncedPlanAppliesAndStalePlanIsRejected) {
  // Sync the simulated org, plan a licence clean-up on it and write the plan file.
  auto sync = engine::RunSync(*client_, *stores_->snapshots, engine::SyncOptions{},
                              SystemClock::Instance());
  ASSERT_TRUE(sync.ok()) << sync.status().ToString();
  std::string rules_text =
      "rules:\n"
      "  - name: licence-cleanup\n"
      "    select: {inactive_days: 90}\n"
      "    actions: [suspend]\n";
  auto parsed = rules::ParseRuleFile(rules_text, "rules.yaml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto latest = stores_->snapshots->LoadLatest(sim_->org_id());
  ASSERT_TRUE(latest.ok());
  ASSERT_TRUE(latest->has_value());
  Plan plan = rules::Evaluate(**latest, *parsed, DayOf(ToTimestamp(SystemClock::Instance().Now())));
  plan.fingerprint.source = "snapshot";
  plan.fingerprint.source_hash = rules::DirectoryContentHash(**latest);
  plan.fingerprint.rules_hash = rules::RulesContentHash({rules_text});
  ASSERT_GT(plan.actions.size(), 0u);
  std::string plan_file = (dir_ / "plan.json").string();
  ASSERT_TRUE(rules::WritePlanFile(plan, plan_file).ok());
  auto read_back = rules::ReadPlanFile(plan_file);
  ASSERT_TRUE(read_back.ok()) << read_back.status().ToString();
  auto input = engine::InputFromPlan(*read_back, "acme", plan_file);
  ASSERT_TRUE(input.ok()) << input.status().ToString();

  engine::Applier applier = MakeApplier(engine::GuardsFor(*stores_->snapshots));
  auto applied = applier.Apply(*input);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(applied->counts.verified, static_cast<int64_t>(plan.actions.size()));
  for (const PlannedAction& action : plan.actions) {
    EXPECT_EQ(Calls("v2.users.suspend", action.account_id).second, 1) << action.account_id;
  }

  // After a new sync reads those changes, the old plan no longer matches the org.
  auto resync = engine::RunSync(*client_, *stores_->snapshots, engine::SyncOptions{},
                                SystemClock::Instance());
  ASSERT_TRUE(resync.ok()) << resync.status().ToString();
  sim_->ClearMutations();
  engine::ApplyInput again = *input;
  again.plan_key += ":second";  // a new run, so the snapshot check applies
  auto stale = applier.Apply(again);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(stale.status().message().find("older snapshot"), std::string::npos);
  EXPECT_TRUE(sim_->Mutations().empty());
}

}  // namespace
}  // namespace adminauto
