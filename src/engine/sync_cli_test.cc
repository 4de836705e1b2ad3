// `adminauto sync` run as a child process against the simulator on 127.0.0.1: the summary,
// progress as log lines or as a bar on a terminal, the drop flag and its confirmation, rules
// that turn on last-active dates, and the proxy setting.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/apply_session.h"
#include "sim/sim_server.h"
#include "store/data_dir.h"
#include "store/snapshot_store.h"

extern char** environ;

namespace adminauto::engine {
namespace {

namespace fs = std::filesystem;

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SyncCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sync_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "data");
  }

  void TearDown() override {
    sim_.reset();
    fs::remove_all(dir_);
  }

  void StartSim(int users) {
    sim_.reset();
    sim::SimOptions options;
    options.users = users;
    options.seed = 11;
    options.log_requests = false;
    auto started = sim::SimServer::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().message();
    sim_ = std::move(started).value();
    std::ofstream(dir_ / "key") << sim_->api_key() << "\n";
  }

  // The arguments of a sync of the simulator's org by id.
  std::vector<std::string> SyncArgs() const {
    return {"sync",           "--org-id",       sim_->org_id(),         "--base-url",
            sim_->base_url(), "--api-key-file", (dir_ / "key").string()};
  }

  // Runs adminauto with `args` after --data-dir. stderr goes to a pseudo-terminal when
  // `terminal`, else to a file; `env` entries are added to the environment.
  Output Run(std::vector<std::string> args, bool terminal = false,
             const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), {ADMINAUTO_BIN, "--data-dir", (dir_ / "data").string()});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view entry(*e);
      // Proxy variables of the machine running the test must not redirect these requests.
      if (entry.starts_with("http_proxy=") || entry.starts_with("HTTP_PROXY=") ||
          entry.starts_with("https_proxy=") || entry.starts_with("HTTPS_PROXY=") ||
          entry.starts_with("all_proxy=") || entry.starts_with("ALL_PROXY=") ||
          entry.starts_with("no_proxy=") || entry.starts_with("NO_PROXY=")) {
        continue;
      }
      env_strings.emplace_back(entry);
    }
    env_strings.insert(env_strings.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);

    const fs::path out_path = dir_ / "stdout", err_path = dir_ / "stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int master = -1, slave = -1;
    if (terminal) {
      EXPECT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
      posix_spawn_file_actions_adddup2(&actions, slave, STDERR_FILENO);
      posix_spawn_file_actions_addclose(&actions, master);
    } else {
      posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                       O_WRONLY | O_CREAT | O_TRUNC, 0600);
    }
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0);
    Output output;
    std::string terminal_text;
    std::thread reader;
    if (terminal) {
      ::close(slave);
      reader = std::thread([master, &terminal_text] {
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(master, buffer, sizeof buffer)) > 0) terminal_text.append(buffer, n);
      });
    }
    int status = 0;
    if (rc == 0) ::waitpid(pid, &status, 0);
    if (terminal) {
      reader.join();
      ::close(master);
    }
    output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    output.out = ReadFile(out_path);
    output.err = terminal ? terminal_text : ReadFile(err_path);
    return output;
  }

  // The sync state the command left in the store.
  store::SyncState State() {
    auto db = store::SqliteDb::Open(store::DatabasePath((dir_ / "data").string()));
    EXPECT_TRUE(db.ok());
    auto snapshots = store::SnapshotStore::Open(**db);
    EXPECT_TRUE(snapshots.ok());
    auto state = (*snapshots)->GetState(sim_->org_id());
    EXPECT_TRUE(state.ok()) << state.status().message();
    return state.ok() ? *state : store::SyncState{};
  }

  bool DestructiveAllowed() {
    auto db = store::SqliteDb::Open(store::DatabasePath((dir_ / "data").string()));
    EXPECT_TRUE(db.ok());
    auto snapshots = store::SnapshotStore::Open(**db);
    EXPECT_TRUE(snapshots.ok());
    return (*snapshots)->CheckDestructiveAllowed(sim_->org_id()).ok();
  }

  void ExpectNoKey(const Output& output) {
    EXPECT_EQ(output.out.find(sim_->api_key()), std::string::npos);
    EXPECT_EQ(output.err.find(sim_->api_key()), std::string::npos);
  }

  fs::path dir_;
  std::unique_ptr<sim::SimServer> sim_;
};

TEST_F(SyncCliTest, SummaryAndLogLinesOffTerminal) {
  StartSim(120);
  // The second users page fails once with a 500, so the summary has a retry to count.
  sim::Faults faults;
  faults.endpoints["v2.users.search"].error_on_calls = {2};
  sim_->SetFaults(faults);
  Output run = Run(SyncArgs());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string org = sim_->org_id();
  EXPECT_NE(run.out.find("synced " + org + ": 120 accounts ("), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(" groups\n"), std::string::npos) << run.out;
  // 1 directories call, users pages of 100 (2, one of them twice), 1 groups page.
  EXPECT_NE(run.out.find("API calls: 5, retries: 1, time throttled: "), std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find(", duration: "), std::string::npos) << run.out;
  EXPECT_NE(run.err.find("progress phase=users"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("progress phase=groups"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("total=0"), std::string::npos) << "an unknown total is left out";
  EXPECT_EQ(run.err.find('\r'), std::string::npos) << "no bar redraws in a log";
  ExpectNoKey(run);
  EXPECT_TRUE(State().latest_snapshot_id.has_value());
}

TEST_F(SyncCliTest, ProgressBarOnTerminal) {
  StartSim(30);
  std::vector<std::string> args = SyncArgs();
  args.push_back("--last-active");
  Output run = Run(args, true);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("\rsyncing users: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("\rsyncing last-active dates: "), std::string::npos) << run.err;
  // The bar of the last phase ends full.
  EXPECT_NE(run.err.find("[##############################]"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("progress phase="), std::string::npos) << "no log lines on a terminal";
  EXPECT_NE(run.out.find("synced "), std::string::npos);
  ExpectNoKey(run);
}

TEST_F(SyncCliTest, RuleOnInactivityReadsLastActiveDates) {
  StartSim(20);
  std::ofstream(dir_ / "data" / "rules.yaml") << "rules:\n"
                                                 "  - name: stale\n"
                                                 "    select: {inactive_days: 90}\n"
                                                 "    actions: [report]\n";
  Output with_rule = Run(SyncArgs());
  ASSERT_EQ(with_rule.exit_code, 0) << with_rule.err;
  EXPECT_NE(with_rule.err.find("reading last-active dates"), std::string::npos);
  EXPECT_NE(with_rule.err.find("rule stale selects on inactivity"), std::string::npos);
  EXPECT_NE(with_rule.err.find("progress phase=last-active dates"), std::string::npos);

  std::ofstream(dir_ / "other.yaml") << "rules:\n"
                                        "  - name: everyone\n"
                                        "    select: {statuses: [active]}\n"
                                        "    actions: [report]\n";
  std::vector<std::string> args = SyncArgs();
  args.insert(args.end(), {"--rules", (dir_ / "other.yaml").string()});
  Output without = Run(args);
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(without.err.find("last-active dates"), std::string::npos) << without.err;
}

TEST_F(SyncCliTest, DropBlocksUntilConfirmed) {
  StartSim(50);
  ASSERT_EQ(Run(SyncArgs()).exit_code, 0);
  EXPECT_TRUE(DestructiveAllowed());
  const std::string org = sim_->org_id();
  StartSim(0);  // the same org id, now with an empty directory
  ASSERT_EQ(sim_->org_id(), org);
  Output empty = Run(SyncArgs());
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.err.find("warning: "), std::string::npos) << empty.err;
  EXPECT_NE(empty.err.find("--confirm-drop"), std::string::npos) << empty.err;
  EXPECT_FALSE(DestructiveAllowed());
  EXPECT_TRUE(State().drop_pending);

  Output confirm = Run({"sync", "--org-id", org, "--confirm-drop"});
  ASSERT_EQ(confirm.exit_code, 0) << confirm.err;
  EXPECT_NE(confirm.out.find("confirmed for " + org), std::string::npos) << confirm.out;
  EXPECT_TRUE(DestructiveAllowed());
}

TEST_F(SyncCliTest, RequestsGoThroughConfiguredProxy) {
  StartSim(40);
  // The API host is under .invalid, which never resolves, so only a proxy can reach it. The
  // simulator acts as the proxy and serves the absolute-form requests itself.
  std::vector<std::string> args = {"sync",
                                   "--org-id",
                                   sim_->org_id(),
                                   "--base-url",
                                   "http://org-api.invalid",
                                   "--api-key-file",
                                   (dir_ / "key").string()};
  std::vector<std::string> with_option = args;
  with_option.insert(with_option.end(), {"--proxy", sim_->base_url()});
  Output proxied = Run(with_option);
  ASSERT_EQ(proxied.exit_code, 0) << proxied.err;
  EXPECT_NE(proxied.out.find(": 40 accounts"), std::string::npos) << proxied.out;

  Output from_env = Run(args, false, {"http_proxy=" + sim_->base_url()});
  ASSERT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_NE(from_env.out.find(": 40 accounts"), std::string::npos) << from_env.out;
  ExpectNoKey(from_env);
}

}  // namespace
}  // namespace adminauto::engine
