// The crash test: an apply process is killed with SIGKILL at a random point, then run again
// to resume, 50 times against the simulator. After each resume every planned change must have
// reached the simulator exactly once (its record of mutating calls proves it), and the
// journal and the audit log must agree on what was sent and how it ended.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "cli_process.h"
#include "core/clock.h"
#include "engine/apply_session.h"
#include "sim/sim_server.h"

namespace adminauto {
namespace {

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr int kRuns = 50;
constexpr size_t kChangesPerRun = 4;

// Waits up to `limit` for `pid`; kills it when the limit passes. Returns the wait status.
int WaitFor(pid_t pid, milliseconds limit) {
  bool timed_out = false;
  int status = testing::WaitOrKill(pid, limit, &timed_out);
  if (timed_out) {
    ADD_FAILURE() << "driver " << pid << " did not finish within " << limit.count() << " ms";
  }
  return status;
}

class CrashApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("aa_crash_" + std::to_string(getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::filesystem::path root_;
};

std::vector<std::string> ActiveAccounts(const sim::SimServer& sim, size_t count) {
  std::vector<std::string> ids;
  for (const Account& account : sim.Snapshot().accounts) {
    if (account.type == AccountType::kAtlassian && account.claim_status == ClaimStatus::kManaged &&
        account.account_status == AccountStatus::kActive &&
        account.membership_status == MembershipStatus::kActive && ids.size() < count) {
      ids.push_back(account.id);
    }
  }
  return ids;
}

// Checks that every change of the run was sent exactly once and that the journal and the audit
// log tell the same story.
void CheckRun(const sim::SimServer& sim, const std::string& data_dir,
              const std::vector<std::string>& accounts, int run) {
  for (const std::string& id : accounts) {
    int succeeded = 0;
    int all = 0;
    for (const sim::Mutation& m : sim.Mutations()) {
      if (m.account_id != id) continue;
      ++all;
      succeeded += m.status >= 200 && m.status < 300;
    }
    EXPECT_EQ(succeeded, 1) << "run " << run << " account " << id;
    EXPECT_EQ(all, 1) << "run " << run << " account " << id;
  }

  auto stores = engine::ApplyStores::Open(data_dir, SystemClock::Instance());
  ASSERT_TRUE(stores.ok()) << stores.status().ToString();
  auto report = (*stores)->audit->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << "run " << run << ": " << report->problem;
  auto runs = (*stores)->journal->ListRuns();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u) << "run " << run;
  const store::JournalRun& journal_run = (*runs)[0];
  EXPECT_EQ(journal_run.state, store::RunState::kFinished) << "run " << run;
  auto actions = (*stores)->journal->Actions(journal_run.id);
  auto trail = (*stores)->audit->ReadRun(journal_run.id);
  ASSERT_TRUE(actions.ok());
  ASSERT_TRUE(trail.ok());
  ASSERT_EQ(actions->size(), accounts.size());
  for (const store::JournalAction& action : *actions) {
    EXPECT_EQ(action.state, store::ActionState::kVerified) << "run " << run << " " << action.detail;
    int intents = 0;
    int verified = 0;
    for (const audit::AuditEntry& entry : *trail) {
      if (entry.record.account != action.account_id) continue;
      intents += entry.record.result == "intent";
      verified += entry.record.result == "verified";
    }
    // One intent entry per time the journal marked the change sent, and one final entry.
    EXPECT_EQ(intents, action.attempts) << "run " << run << " account " << action.account_id;
    EXPECT_GE(action.attempts, 1) << "run " << run << " account " << action.account_id;
    EXPECT_EQ(verified, 1) << "run " << run << " account " << action.account_id;
  }
}

TEST_F(CrashApplyTest, KilledApplyResumesExactlyOnce) {
  std::mt19937 rng(20261204);
  int killed_mid_run = 0;
  milliseconds full_run{0};
  for (int run = 0; run < kRuns; ++run) {
    sim::SimOptions options;
    options.users = 12;
    options.seed = static_cast<uint64_t>(run + 1);
    options.log_requests = false;
    // A little latency on the writes and reads widens the windows a kill can land in.
    options.faults.endpoints["v2.users.suspend"].latency = milliseconds(8);
    options.faults.endpoints["v2.users.get"].latency = milliseconds(2);
    auto sim = sim::SimServer::Start(options);
    ASSERT_TRUE(sim.ok()) << sim.status().ToString();
    std::vector<std::string> accounts = ActiveAccounts(**sim, kChangesPerRun);
    ASSERT_EQ(accounts.size(), kChangesPerRun);

    std::string data_dir = (root_ / ("run" + std::to_string(run))).string();
    std::string key_file = (root_ / "key").string();
    std::ofstream(key_file) << (*sim)->api_key();
    std::vector<std::string> args = {APPLY_CRASH_DRIVER, data_dir, (*sim)->base_url(),
                                     (*sim)->org_id(), key_file};
    args.insert(args.end(), accounts.begin(), accounts.end());

    if (run == 0) {
      // Measure one uninterrupted run to scale the kill times to it.
      auto start = SteadyClock::now();
      int status = WaitFor(testing::StartProcess(args), milliseconds(30'000));
      full_run = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
      ASSERT_TRUE(WIFEXITED(status));
      ASSERT_EQ(WEXITSTATUS(status), 0);
      CheckRun(**sim, data_dir, accounts, run);
      continue;
    }

    std::uniform_int_distribution<int64_t> kill_after(0, full_run.count());
    pid_t pid = testing::StartProcess(args);
    std::this_thread::sleep_for(milliseconds(kill_after(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    killed_mid_run += WIFSIGNALED(status);

    int resumed = WaitFor(testing::StartProcess(args), milliseconds(30'000));
    ASSERT_TRUE(WIFEXITED(resumed)) << "run " << run;
    EXPECT_EQ(WEXITSTATUS(resumed), 0) << "run " << run;
    CheckRun(**sim, data_dir, accounts, run);
    if (HasFailure()) break;
  }
  RecordProperty("killed_mid_run", killed_mid_run);
  std::cout << "uninterrupted run " << full_run.count() << " ms; " << killed_mid_run << " of "
            << kRuns - 1 << " runs were killed before they finished\n";
  // The kill times span one uninterrupted run, so many kills must land before a run ends. The
  // bound is loose because a busy machine makes some runs slower or faster than the measured one.
  EXPECT_GE(killed_mid_run, (kRuns - 1) / 4);
}

}  // namespace
}  // namespace adminauto
