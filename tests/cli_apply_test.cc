// Runs the built `adminauto` binary through a whole change on a simulator started here: init,
// org connect, sync, plan, then apply with and without a terminal, runs list and show, and
// revert. A pseudo-terminal replaces the admin's terminal, so the test types the org name and
// reads the progress bar. The simulator's record of mutating calls shows what reached the org.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli_process.h"
#include "sim/sim_server.h"
#include "sim/sim_test_util.h"

namespace adminauto {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr int kAccounts = 5;

// A rule that suspends every active account of the org.
constexpr const char* kRules =
    "rules:\n"
    "  - name: suspend-active\n"
    "    select: {statuses: [active]}\n"
    "    actions: [suspend]\n";

class CliApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("cli_apply_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    data_dir_ = (dir_ / "data").string();

    sim::SimOptions options;
    // acct-00000 to acct-00004: managed, active accounts that use no product.
    state_file_ = sim::testing::WriteStateFile(kAccounts, "cli-apply");
    options.state_file = state_file_;
    options.log_requests = false;
    auto started = sim::SimServer::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    sim_ = std::move(started).value();
    std::string key_file = (dir_ / "key.txt").string();
    std::ofstream(key_file) << sim_->api_key() << "\n";
    std::ofstream(dir_ / "rules.yaml") << kRules;
    plan_file_ = (dir_ / "plan.json").string();

    for (const std::string& args :
         {std::string("init"),
          "org connect acme --org-id " + sim_->org_id() + " --base-url " + sim_->base_url() +
              " --api-key-file " + key_file,
          std::string("sync acme"),
          "plan --rules " + (dir_ / "rules.yaml").string() + " --org acme --out " + plan_file_}) {
      testing::CommandOutput o = Run(args);
      ASSERT_EQ(o.exit_code, 0) << args << "\n" << o.out << o.err;
    }
    before_ = sim_->Snapshot();
  }

  void TearDown() override {
    if (sim_) sim_->Stop();
    fs::remove(state_file_);
    fs::remove_all(dir_);
  }

  // Runs the binary with `data_dir` and `args`, standard input from /dev/null.
  testing::CommandOutput RunIn(const std::string& data_dir, const std::string& args) {
    return testing::RunShell(std::string(ADMINAUTO_BINARY) + " --data-dir " + data_dir + " " + args,
                             (dir_ / "stderr.txt").string());
  }

  // Runs the binary with `args` (already shell-quoted), standard input from /dev/null.
  testing::CommandOutput Run(const std::string& args) { return RunIn(data_dir_, args); }

  // Runs `adminauto apply PLAN` on a terminal and types `answer` at the confirmation prompt.
  testing::CommandOutput ApplyOnTerminal(const std::string& answer) {
    return testing::RunOnTerminal({ADMINAUTO_BINARY, "--data-dir", data_dir_, "apply", plan_file_},
                                  "to continue: ", answer, std::chrono::seconds(60));
  }

  // Mutating calls per account: all of them, and those that succeeded.
  std::map<std::string, std::pair<int, int>> CallsByAccount() {
    std::map<std::string, std::pair<int, int>> calls;
    for (const sim::Mutation& m : sim_->Mutations()) {
      ++calls[m.account_id].first;
      calls[m.account_id].second += m.status >= 200 && m.status < 300;
    }
    return calls;
  }

  std::string OnlyRunId() {
    testing::CommandOutput runs = Run("runs list --format json");
    EXPECT_EQ(runs.exit_code, 0) << runs.err;
    json::array list = json::parse(runs.out).as_array();
    EXPECT_EQ(list.size(), 1u) << runs.out;
    return list.empty() ? "" : json::value_to<std::string>(list[0].at("id"));
  }

  fs::path dir_;
  std::string state_file_;
  std::string data_dir_;
  std::string plan_file_;
  std::unique_ptr<sim::SimServer> sim_;
  Directory before_;
};

TEST_F(CliApplyTest, ReadCommandsRejectMissingDataDir) {
  std::string typo = (dir_ / "dtaa").string();
  for (std::string args : {"audit verify", "audit export", "runs list", "runs show run-x"}) {
    testing::CommandOutput o = RunIn(typo, args);
    EXPECT_EQ(o.exit_code, 1) << args;
    EXPECT_NE(o.err.find("no database in " + typo), std::string::npos) << args << ": " << o.err;
    EXPECT_FALSE(fs::exists(typo)) << args << " created the directory";
  }
}

TEST_F(CliApplyTest, ApplyWithoutTerminalNeedsYes) {
  testing::CommandOutput o = Run("apply " + plan_file_);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.out.find("suspend 5"), std::string::npos) << o.out;
  EXPECT_NE(o.err.find("--yes"), std::string::npos) << o.err;
  EXPECT_TRUE(sim_->Mutations().empty());
}

TEST_F(CliApplyTest, EditedPlanIsRejected) {
  // The fingerprint stays valid, but one action now grants the org-admin role.
  std::ifstream in(plan_file_);
  json::value plan = json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
  json::object& action = plan.at("actions").as_array().at(0).as_object();
  action["action"] = "grant_role";
  action["role"] = "atlassian/org-admin";
  std::string edited = (dir_ / "edited.json").string();
  std::ofstream(edited) << json::serialize(plan);

  testing::CommandOutput o = Run("apply --yes " + edited);
  EXPECT_EQ(o.exit_code, 1) << o.out << o.err;
  EXPECT_NE(o.err.find("was changed after `adminauto plan` wrote it"), std::string::npos) << o.err;
  EXPECT_TRUE(sim_->Mutations().empty());

  // The file as written still applies.
  EXPECT_EQ(Run("apply --yes " + plan_file_).exit_code, 0);
}

TEST_F(CliApplyTest, WrongTypedNameChangesNothing) {
  testing::CommandOutput o = ApplyOnTerminal("acme-prod");
  EXPECT_EQ(o.exit_code, 1) << o.out;
  EXPECT_NE(o.out.find("Type 'acme' to continue"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("not confirmed"), std::string::npos) << o.out;
  EXPECT_TRUE(sim_->Mutations().empty());
}

TEST_F(CliApplyTest, TypedNameAppliesWithProgressBar) {
  testing::CommandOutput o = ApplyOnTerminal("acme");
  ASSERT_EQ(o.exit_code, 0) << o.out;
  // The totals come before the prompt, then the progress bar fills, then the summary.
  size_t totals = o.out.find("5 changes to 5 accounts: suspend 5");
  size_t prompt = o.out.find("Type 'acme' to continue");
  size_t bar = o.out.find("[" + std::string(30, '#') + "] 5/5  done 5  failed 0");
  size_t summary = o.out.find("5 actions, 5 done, 0 failed");
  ASSERT_NE(totals, std::string::npos) << o.out;
  ASSERT_NE(prompt, std::string::npos) << o.out;
  ASSERT_NE(bar, std::string::npos) << o.out;
  ASSERT_NE(summary, std::string::npos) << o.out;
  EXPECT_LT(totals, prompt);
  EXPECT_LT(prompt, bar);
  EXPECT_LT(bar, summary);

  auto calls = CallsByAccount();
  EXPECT_EQ(calls.size(), static_cast<size_t>(kAccounts));
  for (const auto& [account, count] : calls) {
    EXPECT_EQ(count, std::make_pair(1, 1)) << account;
  }
}

TEST_F(CliApplyTest, RunsListAndShowTheRun) {
  ASSERT_EQ(Run("apply --yes " + plan_file_).exit_code, 0);
  std::string run_id = OnlyRunId();
  ASSERT_FALSE(run_id.empty());

  testing::CommandOutput list = Run("runs list");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(run_id), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("5/0/0/5"), std::string::npos) << list.out;

  testing::CommandOutput table = Run("runs show " + run_id);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("5 done, 0 failed, 0 skipped of 5"), std::string::npos) << table.out;
  for (int i = 0; i < kAccounts; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "acct-%05d", i);
    EXPECT_NE(table.out.find(id), std::string::npos) << id << "\n" << table.out;
  }

  // The journal and the audit trail agree: one intent and one verified entry per action.
  testing::CommandOutput shown = Run("runs show " + run_id + " --format json");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  json::object run = json::parse(shown.out).as_object();
  ASSERT_EQ(run.at("actions").as_array().size(), static_cast<size_t>(kAccounts));
  for (const auto& action : run.at("actions").as_array()) {
    EXPECT_EQ(action.at("state").as_string(), "verified");
    int intents = 0;
    int verified = 0;
    for (const auto& entry : run.at("audit").as_array()) {
      if (entry.at("account").as_string() != action.at("account_id").as_string()) continue;
      intents += entry.at("result").as_string() == "intent";
      verified += entry.at("result").as_string() == "verified";
    }
    EXPECT_EQ(intents, 1) << action.at("account_id");
    EXPECT_EQ(verified, 1) << action.at("account_id");
  }
}

TEST_F(CliApplyTest, ServerErrorOnThirdOfFive) {
  sim::Faults faults;
  faults.endpoints["v2.users.suspend"].error_on_calls = {3};
  sim_->SetFaults(faults);
  // A failed write is read back until the verify timeout, in case it took effect after all.
  testing::CommandOutput first = Run("apply --yes --verify-timeout 1 " + plan_file_);
  EXPECT_EQ(first.exit_code, 1);
  EXPECT_NE(first.out.find("5 actions, 4 done, 1 failed"), std::string::npos) << first.out;
  std::string failed_account;
  for (const sim::Mutation& m : sim_->Mutations()) {
    if (m.status == 500) failed_account = m.account_id;
  }
  ASSERT_FALSE(failed_account.empty());
  EXPECT_NE(first.out.find("failed: suspend " + failed_account), std::string::npos) << first.out;

  sim_->SetFaults({});
  testing::CommandOutput second = Run("apply --yes " + plan_file_);
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.out.find("(resumed): 5 actions, 5 done, 0 failed"), std::string::npos)
      << second.out;
  EXPECT_NE(second.out.find("1 change sent by this invocation"), std::string::npos) << second.out;
  // The four accounts done in the first run got no second request.
  for (const auto& [account, count] : CallsByAccount()) {
    EXPECT_EQ(count, account == failed_account ? std::make_pair(2, 1) : std::make_pair(1, 1))
        << account;
  }
}

TEST_F(CliApplyTest, RevertRestoresFullState) {
  ASSERT_EQ(Run("apply --yes " + plan_file_).exit_code, 0);
  ASSERT_NE(sim_->Snapshot().accounts, before_.accounts);
  std::string run_id = OnlyRunId();
  testing::CommandOutput reverted = Run("revert --yes " + run_id);
  ASSERT_EQ(reverted.exit_code, 0) << reverted.out << reverted.err;

  // Every account is as it was, field by field, apart from restored_at, which the simulator
  // stamps on each restore as the record of the revert itself.
  Directory after = sim_->Snapshot();
  ASSERT_EQ(after.accounts.size(), before_.accounts.size());
  for (size_t i = 0; i < after.accounts.size(); ++i) {
    Account actual = after.accounts[i];
    EXPECT_TRUE(actual.restored_at.has_value()) << actual.id;
    actual.restored_at = before_.accounts[i].restored_at;
    EXPECT_EQ(actual, before_.accounts[i]) << actual.id;
  }
  EXPECT_EQ(after.groups, before_.groups);
  EXPECT_EQ(Run("audit verify").exit_code, 0);
}

TEST_F(CliApplyTest, RevertOneActionThenTheRest) {
  ASSERT_EQ(Run("apply --yes " + plan_file_).exit_code, 0);
  std::string run_id = OnlyRunId();
  testing::CommandOutput shown = Run("runs show " + run_id + " --format json");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  json::array actions = json::parse(shown.out).at("actions").as_array();
  ASSERT_EQ(actions.size(), static_cast<size_t>(kAccounts));
  std::string chosen = json::value_to<std::string>(actions[2].at("account_id"));
  sim_->ClearMutations();

  testing::CommandOutput one = Run("revert --yes --action 2 " + run_id);
  ASSERT_EQ(one.exit_code, 0) << one.out << one.err;
  for (const Account& account : sim_->Snapshot().accounts) {
    EXPECT_EQ(account.status(), account.id == chosen ? UserStatus::kActive : UserStatus::kSuspended)
        << account.id;
  }
  auto calls = CallsByAccount();
  EXPECT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[chosen], std::make_pair(1, 1));

  // The whole-run revert is a run of its own: it restores the other four and sends nothing
  // for the account that is already back.
  testing::CommandOutput rest = Run("revert --yes " + run_id);
  ASSERT_EQ(rest.exit_code, 0) << rest.out << rest.err;
  for (const Account& account : sim_->Snapshot().accounts) {
    EXPECT_EQ(account.status(), UserStatus::kActive) << account.id;
  }
  calls = CallsByAccount();
  EXPECT_EQ(calls.size(), static_cast<size_t>(kAccounts));
  for (const auto& [account, count] : calls) {
    EXPECT_EQ(count, std::make_pair(1, 1)) << account;
  }

  testing::CommandOutput missing = Run("revert --yes --action 9 " + run_id);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("has no action 9"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace adminauto
