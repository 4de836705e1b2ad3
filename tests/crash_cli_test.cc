// The crash test on the command itself: `adminauto apply PLAN --yes` is killed with SIGKILL at
// a random point and run again to resume, 50 times against the simulator. After each resume
// every planned change must have reached the simulator exactly once (its record of mutating
// calls proves it). `runs show` must report every action verified, with one audit intent per
// attempt and one verified entry, and `audit verify` must pass.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "cli_process.h"
#include "core/file.h"
#include "sim/sim_server.h"
#include "sim/sim_test_util.h"

namespace adminauto {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr int kRuns = 50;
constexpr int kAccounts = 4;

constexpr const char* kRules =
    "rules:\n"
    "  - name: suspend-active\n"
    "    select: {statuses: [active]}\n"
    "    actions: [suspend]\n";

class CrashCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("aa_crash_cli_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    state_file_ = sim::testing::WriteStateFile(kAccounts, "crash-cli");
    rules_file_ = (root_ / "rules.yaml").string();
    std::ofstream(rules_file_) << kRules;
  }
  void TearDown() override {
    fs::remove(state_file_);
    fs::remove_all(root_);
  }

  testing::CommandOutput Run(const std::string& data_dir, const std::string& args) {
    return testing::RunShell(std::string(ADMINAUTO_BINARY) + " --data-dir " + data_dir + " " + args,
                             (root_ / "stderr.txt").string());
  }

  // Connects `data_dir` to `sim`, syncs it and writes the plan that suspends every account.
  void Prepare(const sim::SimServer& sim, const std::string& data_dir, const std::string& plan) {
    std::string key_file = (root_ / "key.txt").string();
    std::ofstream(key_file) << sim.api_key() << "\n";
    for (const std::string& args :
         {std::string("init"),
          "org connect acme --org-id " + sim.org_id() + " --base-url " + sim.base_url() +
              " --api-key-file " + key_file,
          std::string("sync acme"), "plan --rules " + rules_file_ + " --org acme --out " + plan}) {
      testing::CommandOutput o = Run(data_dir, args);
      ASSERT_EQ(o.exit_code, 0) << args << "\n" << o.out << o.err;
    }
  }

  // Checks one run. Each account got exactly one mutating call, which succeeded. The journal
  // has every action verified, and its audit trail has one intent per attempt and one
  // verified entry per action. The audit log verifies.
  void CheckRun(const sim::SimServer& sim, const std::string& data_dir, int run) {
    std::map<std::string, std::pair<int, int>> calls;
    for (const sim::Mutation& m : sim.Mutations()) {
      ++calls[m.account_id].first;
      calls[m.account_id].second += m.status >= 200 && m.status < 300;
    }
    ASSERT_EQ(calls.size(), static_cast<size_t>(kAccounts)) << "run " << run;
    for (const auto& [account, count] : calls) {
      EXPECT_EQ(count, std::make_pair(1, 1)) << "run " << run << " account " << account;
    }

    testing::CommandOutput list = Run(data_dir, "runs list --format json");
    ASSERT_EQ(list.exit_code, 0) << list.err;
    json::array runs = json::parse(list.out).as_array();
    ASSERT_EQ(runs.size(), 1u) << "run " << run << ": " << list.out;
    EXPECT_EQ(runs[0].at("state").as_string(), "finished") << "run " << run;
    std::string run_id = json::value_to<std::string>(runs[0].at("id"));
    testing::CommandOutput shown = Run(data_dir, "runs show " + run_id + " --format json");
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    json::object journal = json::parse(shown.out).as_object();
    const json::array& actions = journal.at("actions").as_array();
    ASSERT_EQ(actions.size(), static_cast<size_t>(kAccounts)) << "run " << run;
    for (const auto& action : actions) {
      const auto& account = action.at("account_id").as_string();
      EXPECT_EQ(action.at("state").as_string(), "verified") << "run " << run << " " << account;
      int64_t intents = 0;
      int64_t verified = 0;
      for (const auto& entry : journal.at("audit").as_array()) {
        if (entry.at("account").as_string() != account) continue;
        intents += entry.at("result").as_string() == "intent";
        verified += entry.at("result").as_string() == "verified";
      }
      EXPECT_GE(action.at("attempts").as_int64(), 1) << "run " << run << " " << account;
      EXPECT_EQ(intents, action.at("attempts").as_int64()) << "run " << run << " " << account;
      EXPECT_EQ(verified, 1) << "run " << run << " " << account;
    }
    testing::CommandOutput verify = Run(data_dir, "audit verify");
    EXPECT_EQ(verify.exit_code, 0) << "run " << run << ": " << verify.err;
  }

  fs::path root_;
  std::string state_file_;
  std::string rules_file_;
};

TEST_F(CrashCliTest, KilledApplyResumesExactlyOnce) {
  std::mt19937 rng(20261204);
  int killed_mid_run = 0;
  int interrupted = 0;
  milliseconds full_run{0};
  auto test_start = SteadyClock::now();
  for (int run = 0; run < kRuns; ++run) {
    sim::SimOptions options;
    options.state_file = state_file_;
    options.log_requests = false;
    // A little latency on the writes and reads widens the windows a kill can land in.
    options.faults.endpoints["v2.users.suspend"].latency = milliseconds(8);
    options.faults.endpoints["v2.users.get"].latency = milliseconds(2);
    auto sim = sim::SimServer::Start(options);
    ASSERT_TRUE(sim.ok()) << sim.status().ToString();
    std::string data_dir = (root_ / ("run" + std::to_string(run))).string();
    std::string plan = data_dir + "-plan.json";
    Prepare(**sim, data_dir, plan);
    if (HasFatalFailure()) return;
    // A change left in state "sent" is read back for the whole verify window before it is
    // sent again. The simulator applies a change at once, so a short window is enough.
    std::vector<std::string> apply = {ADMINAUTO_BINARY, "--data-dir",       data_dir, "apply",
                                      "--yes",          "--verify-timeout", "1",      plan};
    bool timed_out = false;

    if (run == 0) {
      // Measure one uninterrupted apply to scale the kill times to it.
      auto start = SteadyClock::now();
      int status =
          testing::WaitOrKill(testing::StartProcess(apply), milliseconds(60'000), &timed_out);
      full_run = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - start);
      ASSERT_FALSE(timed_out);
      ASSERT_TRUE(WIFEXITED(status));
      ASSERT_EQ(WEXITSTATUS(status), 0);
      CheckRun(**sim, data_dir, run);
      continue;
    }

    std::uniform_int_distribution<int64_t> kill_after(0, full_run.count());
    pid_t pid = testing::StartProcess(apply);
    std::this_thread::sleep_for(milliseconds(kill_after(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    killed_mid_run += WIFSIGNALED(status);
    // A kill that left the run in state "running" landed after the run was recorded and before
    // it finished, which is where resuming matters most.
    testing::CommandOutput before = Run(data_dir, "runs list --format json");
    ASSERT_EQ(before.exit_code, 0) << before.err;
    json::value listed_runs = json::parse(before.out);
    for (const auto& listed : listed_runs.as_array()) {
      interrupted += listed.at("state").as_string() == "running";
    }

    std::string resume_log = data_dir + "-resume.log";
    int resumed = testing::WaitOrKill(testing::StartProcess(apply, resume_log),
                                      milliseconds(60'000), &timed_out);
    ASSERT_FALSE(timed_out) << "run " << run << "; the resumed apply wrote:\n"
                            << ReadWholeFile(resume_log, "apply output").value_or("");
    ASSERT_TRUE(WIFEXITED(resumed)) << "run " << run;
    EXPECT_EQ(WEXITSTATUS(resumed), 0) << "run " << run;
    CheckRun(**sim, data_dir, run);
    if (HasFailure()) break;
  }
  auto seconds = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - test_start);
  std::cout << "uninterrupted apply " << full_run.count() << " ms; " << killed_mid_run << " of "
            << kRuns - 1 << " runs killed before they finished, " << interrupted
            << " of them with the run in the journal still running; " << seconds.count()
            << " ms in all\n";
  // The kill times span one uninterrupted apply, so many kills must land before it ends. The
  // bound is loose because a busy machine makes some runs slower or faster than the measured one.
  EXPECT_GE(killed_mid_run, (kRuns - 1) / 4);
  EXPECT_GE(interrupted, (kRuns - 1) / 10);
}

}  // namespace
}  // namespace adminauto
