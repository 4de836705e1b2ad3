// The org API key's leak test and the gateway worker test, end to end: the `adminauto`
// executable runs as child processes against the simulator on 127.0.0.1, in direct mode and
// in gateway mode. The simulator runs inside this test process, so the only processes that
// may know the key are this one and the gateway.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"
#include "sim/sim_server.h"
#include "store/sqlite.h"
#include "vault/test_util.h"

namespace adminauto {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kApiKey = "ATATT3xFfGF0LeakProbe_5d1e7a9b3c2f4e6081a7c0de";
constexpr std::string_view kMasterKeyEnv = "ADMINAUTO_MASTER_KEY";

// A rule that suspends the generated org's long-inactive accounts.
constexpr std::string_view kRules = R"(rules:
  - name: leak-probe
    select:
      inactive_days: 90
    actions: [suspend]
    limits: {max_accounts: 1000, max_fraction: 1.0}
)";

using vault::testing::ReadWholeFile;

// Names the first encoding of kApiKey found in `bytes`, or returns "".
std::string FindKey(std::string_view bytes) {
  for (const std::string& encoding : vault::testing::KeyEncodings(kApiKey)) {
    if (bytes.find(encoding) != std::string_view::npos) return encoding;
  }
  return "";
}

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class OrgKeyCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    std::string pattern = (fs::temp_directory_path() / "key-leak-XXXXXX").string();
    root_ = ::mkdtemp(pattern.data());
    fs::create_directories(root_ / "logs");
    std::ofstream(root_ / "rules.yaml") << kRules;

    rules_file_ = (root_ / "rules.yaml").string();
    sim::SimOptions options;
    options.users = 40;
    options.seed = 7;
    ASSERT_NO_FATAL_FAILURE(StartSim(options));
  }

  // Starts the simulator with `options`, serving kApiKey as the org's key. The latency added
  // to every call keeps each command running long enough to be sampled.
  void StartSim(sim::SimOptions options,
                std::chrono::milliseconds latency = std::chrono::milliseconds(5)) {
    if (sim_) sim_->Stop();
    options.api_key = std::string(kApiKey);
    options.log_requests = false;
    options.faults.endpoints["*"].latency = latency;
    auto sim = sim::SimServer::Start(options);
    ASSERT_TRUE(sim.ok()) << sim.status().ToString();
    sim_ = std::move(sim).value();
  }

  void TearDown() override {
    StopGateway();
    holders_.clear();
    if (sim_) sim_->Stop();
    fs::remove_all(root_);
  }

  // The environment of every child: no master key and no gateway unless `extra` adds them.
  std::vector<std::string> BaseEnv(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> env = {"PATH=/usr/bin:/bin", "HOME=" + root_.string(), "LANG=C"};
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
  }

  // Starts `adminauto ARGS` with `env`, standard input from `stdin_text`, and standard output
  // and error into files under logs/.
  pid_t Spawn(const std::vector<std::string>& args, const std::vector<std::string>& env,
              const std::string& stdin_text, const fs::path& out, const fs::path& err) {
    const fs::path in = root_ / "logs" / ("stdin-" + std::to_string(++spawned_));
    std::ofstream(in) << stdin_text;
    std::vector<std::string> argv = {ADMINAUTO_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> argv_ptrs;
    for (auto& arg : argv) argv_ptrs.push_back(arg.data());
    argv_ptrs.push_back(nullptr);
    std::vector<std::string> env_copy = env;
    std::vector<char*> env_ptrs;
    for (auto& entry : env_copy) env_ptrs.push_back(entry.data());
    env_ptrs.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
      int in_fd = ::open(in.c_str(), O_RDONLY);
      int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (in_fd < 0 || out_fd < 0 || err_fd < 0) ::_exit(126);
      ::dup2(in_fd, 0);
      ::dup2(out_fd, 1);
      ::dup2(err_fd, 2);
      ::execve(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
      ::_exit(127);
    }
    return pid;
  }

  // Appends what /proc shows of `pid`'s command line and environment to the samples.
  void Sample(pid_t pid) {
    const fs::path proc = fs::path("/proc") / std::to_string(pid);
    std::string cmdline = ReadWholeFile(proc / "cmdline");
    std::string environ = ReadWholeFile(proc / "environ");
    if (cmdline.find("adminauto") == std::string::npos) return;  // before exec or after exit
    ++samples_taken_;
    environ_samples_ += environ.find("PATH=") != std::string::npos;
    proc_samples_ += cmdline + "\n" + environ + "\n";
  }

  // Returns the soft "Max core file size" limit of `pid` from /proc/PID/limits.
  static std::string CoreFileLimit(pid_t pid) {
    std::istringstream limits(ReadWholeFile(fs::path("/proc") / std::to_string(pid) / "limits"));
    std::string line;
    while (std::getline(limits, line)) {
      if (!line.starts_with("Max core file size")) continue;
      std::istringstream fields(line.substr(std::string_view("Max core file size").size()));
      std::string soft;
      fields >> soft;
      return soft;
    }
    return "";
  }

  // Runs `adminauto --data-dir DIR ARGS` to completion, sampling it and the gateway meanwhile.
  Output Run(const fs::path& data_dir, std::vector<std::string> args,
             const std::vector<std::string>& env, const std::string& stdin_text = "") {
    args.insert(args.begin(), {"--data-dir", data_dir.string()});
    const std::string label = std::to_string(spawned_ + 1) + "-" + args[2];
    const fs::path out = root_ / "logs" / (label + ".out");
    const fs::path err = root_ / "logs" / (label + ".err");
    pid_t pid = Spawn(args, env, stdin_text, out, err);
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      Sample(pid);
      if (gateway_pid_ > 0) Sample(gateway_pid_);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    Output output;
    output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    output.out = ReadWholeFile(out);
    output.err = ReadWholeFile(err);
    return output;
  }

  // Starts `adminauto gateway` on DIR/gateway.sock and waits until it listens.
  void StartGateway(const fs::path& data_dir, const std::vector<std::string>& env) {
    gateway_socket_ = (data_dir / "gateway.sock").string();
    const fs::path out = root_ / "logs" / "gateway.out";
    const fs::path err = root_ / "logs" / "gateway.err";
    gateway_pid_ = Spawn({"--data-dir", data_dir.string(), "gateway", "--socket", gateway_socket_},
                         env, "", out, err);
    for (int i = 0; i < 500 && ReadWholeFile(out).find("listening") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_NE(ReadWholeFile(out).find("gateway listening on " + gateway_socket_), std::string::npos)
        << ReadWholeFile(err);
    Sample(gateway_pid_);
    // The gateway holds keys in memory, so it must not be able to write a core file.
    EXPECT_EQ(CoreFileLimit(gateway_pid_), "0");
  }

  void StopGateway() {
    if (gateway_pid_ <= 0) return;
    ::kill(gateway_pid_, SIGTERM);
    int status = 0;
    ::waitpid(gateway_pid_, &status, 0);
    gateway_pid_ = -1;
  }

  // Keeps a connection to DIR's database open, so SQLite keeps the -wal and -shm files the
  // commands write instead of removing them when their last connection closes.
  void HoldDatabase(const fs::path& data_dir) {
    auto db = store::SqliteDb::Open((data_dir / "adminauto.db").string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->Exec("SELECT count(*) FROM sqlite_master").ok());
    holders_.push_back(std::move(db).value());
  }

  // Writes the key to a file outside every data directory, connects org "acme" with it and
  // deletes the file, so the files searched later hold the key only if adminauto wrote it.
  void ConnectOrg(const fs::path& data_dir, const std::vector<std::string>& env,
                  const std::vector<std::string>& extra = {}) {
    const fs::path key_file = root_ / "api.key";
    std::ofstream(key_file) << kApiKey << "\n";
    std::vector<std::string> args = {
        "org",        "connect",        "acme",           "--org-id",       sim_->org_id(),
        "--base-url", sim_->base_url(), "--api-key-file", key_file.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    Output connect = Run(data_dir, args, env);
    fs::remove(key_file);
    ASSERT_EQ(connect.exit_code, 0) << connect.err;
  }

  // The job: sync, plan, apply the plan, revert the run, run the rule, and read the audit
  // log back. Returns the apply's run id.
  std::string RunJob(const fs::path& data_dir, const std::vector<std::string>& env,
                     const std::vector<std::string>& gateway_flag) {
    std::vector<std::string> sync = {"sync", "acme", "--last-active"};
    sync.insert(sync.end(), gateway_flag.begin(), gateway_flag.end());
    Output synced = Run(data_dir, sync, env);
    EXPECT_EQ(synced.exit_code, 0) << synced.err;
    EXPECT_NE(synced.out.find("synced acme"), std::string::npos) << synced.out;

    const std::string plan_file = (root_ / (data_dir.filename().string() + ".plan")).string();
    std::vector<std::string> plan_args = {"plan",     "--rules", rules_file_, "--org",  "acme",
                                          "--format", "json",    "--out",     plan_file};
    if (!at_.empty()) plan_args.insert(plan_args.end(), {"--at", at_});
    Output plan = Run(data_dir, plan_args, env);
    EXPECT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find("\"suspend\""), std::string::npos) << plan.out;

    std::vector<std::string> apply = {"apply", plan_file, "--yes", "--verify-timeout", "5"};
    apply.insert(apply.end(), gateway_flag.begin(), gateway_flag.end());
    Output applied = Run(data_dir, apply, env);
    EXPECT_EQ(applied.exit_code, 0) << applied.out << applied.err;
    const std::string marker = "undo with: adminauto revert ";
    const size_t at = applied.out.find(marker);
    EXPECT_NE(at, std::string::npos) << applied.out;
    if (at == std::string::npos) return "";
    std::string run_id = applied.out.substr(at + marker.size());
    run_id = run_id.substr(0, run_id.find('\n'));

    std::vector<std::string> revert = {"revert", run_id, "--yes", "--verify-timeout", "5"};
    revert.insert(revert.end(), gateway_flag.begin(), gateway_flag.end());
    Output reverted = Run(data_dir, revert, env);
    EXPECT_EQ(reverted.exit_code, 0) << reverted.out << reverted.err;
    EXPECT_NE(reverted.out.find("revert run"), std::string::npos) << reverted.out;

    std::vector<std::string> run = {"run",   rule_name_,         "--org",
                                    "acme",  "--rules",          rules_file_,
                                    "--yes", "--verify-timeout", "5"};
    if (!at_.empty()) run.insert(run.end(), {"--at", at_});
    run.insert(run.end(), gateway_flag.begin(), gateway_flag.end());
    Output ran = Run(data_dir, run, env);
    EXPECT_EQ(ran.exit_code, 0) << ran.out << ran.err;

    const std::string export_file = (root_ / (data_dir.filename().string() + ".audit")).string();
    EXPECT_EQ(Run(data_dir, {"audit", "export", "--out", export_file}, env).exit_code, 0);
    EXPECT_EQ(Run(data_dir, {"audit", "verify"}, env).exit_code, 0);
    EXPECT_EQ(Run(data_dir, {"audit", "export"}, env).exit_code, 0);
    EXPECT_EQ(Run(data_dir, {"org", "show", "acme", "--format", "json"}, env).exit_code, 0);
    return run_id;
  }

  // Counts the mutating calls on `route` that the simulator returned 2xx for.
  int Succeeded(const std::string& route) const {
    int count = 0;
    for (const sim::Mutation& m : sim_->Mutations()) {
      count += m.route == route && m.status >= 200 && m.status < 300;
    }
    return count;
  }

  // Master-key mode for gateway tests: the env provider, its value known only to the admin
  // commands and sent to the gateway over its socket.
  std::string NewMasterKey() const {
    unsigned char key[32];
    randombytes_buf(key, sizeof key);
    return vault::testing::Base64(std::string_view(reinterpret_cast<char*>(key), sizeof key),
                                  sodium_base64_VARIANT_ORIGINAL);
  }

  // Sets up DIR for gateway mode: init with the env provider, connect acme, start the gateway
  // sealed (no master key in its environment) and unseal it over the socket.
  void PrepareGateway(const fs::path& dir) {
    const std::string master_key = NewMasterKey();
    const std::vector<std::string> admin_env =
        BaseEnv({std::string(kMasterKeyEnv) + "=" + master_key});
    Output init = Run(dir, {"init", "--master-key", "env"}, admin_env);
    ASSERT_EQ(init.exit_code, 0) << init.err;
    HoldDatabase(dir);
    ConnectOrg(dir, admin_env);

    StartGateway(dir, BaseEnv());
    Output sealed = Run(dir, {"gateway", "--socket", gateway_socket_, "status"}, BaseEnv());
    ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
    EXPECT_NE(sealed.out.find("gateway sealed"), std::string::npos) << sealed.out;
    EXPECT_NE(sealed.out.find(kMasterKeyEnv), std::string::npos) << sealed.out;

    // While sealed, a worker's sync is refused with the reason.
    Output refused = Run(dir, {"sync", "acme", "--gateway", gateway_socket_}, BaseEnv());
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("gateway sealed"), std::string::npos) << refused.err;

    Output unsealed =
        Run(dir, {"gateway", "--socket", gateway_socket_, "unseal", "--master-key-stdin"},
            BaseEnv(), master_key + "\n");
    ASSERT_EQ(unsealed.exit_code, 0) << unsealed.err;
    EXPECT_NE(unsealed.out.find("gateway unsealed (env provider)"), std::string::npos)
        << unsealed.out;
  }

  fs::path root_;
  // The rule file, rule and evaluation day (empty: today) of the job that RunJob runs.
  std::string rules_file_;
  std::string rule_name_ = "leak-probe";
  std::string at_;
  std::unique_ptr<sim::SimServer> sim_;
  std::vector<std::unique_ptr<store::SqliteDb>> holders_;
  pid_t gateway_pid_ = -1;
  std::string gateway_socket_;
  int spawned_ = 0;
  int samples_taken_ = 0;
  // Samples whose environment could be read: adminauto makes itself non-dumpable, so only a
  // process with CAP_SYS_PTRACE (root) can read its /proc/PID/environ.
  int environ_samples_ = 0;
  std::string proc_samples_;
};

TEST_F(OrgKeyCliTest, KeyAppearsNowhereInDirectOrGatewayMode) {
  // Direct mode: the master key file provider, each command unseals the key itself.
  const fs::path direct = root_ / "direct";
  Output init = Run(direct, {"init"}, BaseEnv());
  ASSERT_EQ(init.exit_code, 0) << init.err;
  HoldDatabase(direct);
  ConnectOrg(direct, BaseEnv());
  RunJob(direct, BaseEnv(), {});

  // Gateway mode: workers select the gateway by the environment variable.
  const fs::path gateway = root_ / "gateway";
  ASSERT_NO_FATAL_FAILURE(PrepareGateway(gateway));
  RunJob(gateway, BaseEnv({"ADMINAUTO_GATEWAY_SOCKET=" + gateway_socket_}), {});
  StopGateway();

  EXPECT_GT(Succeeded("v2.users.suspend"), 0);
  EXPECT_GT(Succeeded("v2.users.restore"), 0);
  EXPECT_GT(samples_taken_, 20);
  if (::geteuid() == 0) {
    EXPECT_GT(environ_samples_, 20);
  } else {
    std::cerr << "not root: /proc/PID/environ of the non-dumpable adminauto processes is not "
                 "readable, so only their command lines were searched\n";
  }

  // Every file the commands left: both data directories with the database, its -wal and
  // -shm, the key file, locks, plan files, audit exports and every command's output.
  int files = 0;
  bool saw_wal = false;
  for (const auto& entry : fs::recursive_directory_iterator(root_)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    saw_wal = saw_wal || entry.path().filename() == "adminauto.db-wal";
    EXPECT_EQ(FindKey(ReadWholeFile(entry.path())), "") << entry.path();
  }
  EXPECT_GT(files, 30);
  EXPECT_TRUE(saw_wal);
  EXPECT_EQ(FindKey(proc_samples_), "") << "in /proc/PID/cmdline or /proc/PID/environ";
  // The search itself works: a request header that contains the key is found.
  EXPECT_EQ(FindKey("Bearer " + std::string(kApiKey)), std::string(kApiKey));
}

TEST_F(OrgKeyCliTest, GatewayWorkerRunsJobWithoutMasterKey) {
  // The demo's job: the bundled user export and licence clean-up rule, on the demo's day.
  sim::SimOptions demo;
  demo.export_csv = std::string(ADMINAUTO_SOURCE_DIR) + "/tests/data/acme-users-export.csv";
  ASSERT_NO_FATAL_FAILURE(StartSim(demo, std::chrono::milliseconds(0)));
  rules_file_ = std::string(ADMINAUTO_SOURCE_DIR) + "/docs/examples/licence-cleanup.yaml";
  rule_name_ = "licence-cleanup";
  at_ = "2026-12-01";

  const fs::path dir = root_ / "worker";
  ASSERT_NO_FATAL_FAILURE(PrepareGateway(dir));
  // The worker has neither a master key file nor the variable, and the vault is configured
  // for the env provider, so any attempt to open a key in the worker would fail.
  EXPECT_FALSE(fs::exists(dir / "master.key"));
  const std::vector<std::string> worker_env = BaseEnv();
  for (const std::string& entry : worker_env) EXPECT_FALSE(entry.starts_with(kMasterKeyEnv));
  Output direct_sync = Run(dir, {"sync", "acme"}, worker_env);
  EXPECT_EQ(direct_sync.exit_code, 1);
  EXPECT_NE(direct_sync.err.find(kMasterKeyEnv), std::string::npos) << direct_sync.err;

  const int suspends_before = Succeeded("v2.users.suspend");
  const std::string run_id = RunJob(dir, worker_env, {"--gateway", gateway_socket_});
  EXPECT_FALSE(run_id.empty());
  EXPECT_GT(Succeeded("v2.users.suspend"), suspends_before);
  EXPECT_GT(Succeeded("v2.users.restore"), 0);
  Output runs = Run(dir, {"runs", "show", run_id}, worker_env);
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
}

TEST_F(OrgKeyCliTest, RejectedKeyPausesOrg) {
  // Direct mode: the key works for sync and plan, then the API starts rejecting it.
  const fs::path direct = root_ / "direct";
  ASSERT_EQ(Run(direct, {"init"}, BaseEnv()).exit_code, 0);
  ConnectOrg(direct, BaseEnv());
  ASSERT_EQ(Run(direct, {"sync", "acme", "--last-active"}, BaseEnv()).exit_code, 0);
  const std::string plan_file = (root_ / "direct.plan").string();
  ASSERT_EQ(
      Run(direct,
          {"plan", "--rules", (root_ / "rules.yaml").string(), "--org", "acme", "--out", plan_file},
          BaseEnv())
          .exit_code,
      0);
  sim::Faults revoked;
  revoked.key_expires_at = ToTimestamp(std::chrono::system_clock::now()) - std::chrono::hours(1);
  sim_->SetFaults(revoked);

  Output applied = Run(direct, {"apply", plan_file, "--yes"}, BaseEnv());
  EXPECT_NE(applied.exit_code, 0);
  EXPECT_NE(applied.err.find("automation for this org is paused"), std::string::npos)
      << applied.err;
  EXPECT_NE(applied.err.find("adminauto org replace-key acme"), std::string::npos);
  Output shown = Run(direct, {"org", "show", "acme"}, BaseEnv());
  EXPECT_NE(shown.out.find("invalid"), std::string::npos) << shown.out;
  // Paused: the next command stops before it sends anything.
  const size_t mutations = sim_->Mutations().size();
  Output again = Run(direct, {"apply", plan_file, "--yes"}, BaseEnv());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("is invalid"), std::string::npos) << again.err;
  EXPECT_EQ(sim_->Mutations().size(), mutations);

  // Gateway mode: the gateway marks the key invalid, and the worker reports the pause.
  const fs::path gateway = root_ / "gateway";
  ASSERT_NO_FATAL_FAILURE(PrepareGateway(gateway));
  Output synced = Run(gateway, {"sync", "acme", "--gateway", gateway_socket_}, BaseEnv());
  EXPECT_EQ(synced.exit_code, 1);
  EXPECT_NE(synced.err.find("automation for this org is paused"), std::string::npos) << synced.err;
  Output gateway_shown = Run(gateway, {"org", "show", "acme"}, BaseEnv());
  EXPECT_NE(gateway_shown.out.find("invalid"), std::string::npos) << gateway_shown.out;
}

TEST_F(OrgKeyCliTest, ExpiringKeyWarnsOnUse) {
  const fs::path dir = root_ / "expiring";
  ASSERT_EQ(Run(dir, {"init"}, BaseEnv()).exit_code, 0);
  const Timestamp expires = ToTimestamp(std::chrono::system_clock::now()) + std::chrono::hours(48);
  ConnectOrg(dir, BaseEnv(), {"--key-expires", FormatIsoTimestamp(expires)});

  Output listed = Run(dir, {"org", "list"}, BaseEnv());
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.err.find("warning: the API key of org \"acme\" expires at"), std::string::npos)
      << listed.err;
  EXPECT_NE(listed.err.find("adminauto org replace-key acme"), std::string::npos);

  Output synced = Run(dir, {"sync", "acme"}, BaseEnv());
  EXPECT_EQ(synced.exit_code, 0) << synced.err;
  EXPECT_NE(synced.err.find("org API key expires soon org=acme"), std::string::npos) << synced.err;

  // A key with more than the warning window left gets no warning.
  const fs::path later = root_ / "later";
  ASSERT_EQ(Run(later, {"init"}, BaseEnv()).exit_code, 0);
  ConnectOrg(later, BaseEnv());
  Output quiet = Run(later, {"sync", "acme"}, BaseEnv());
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("expires soon"), std::string::npos) << quiet.err;
}

}  // namespace
}  // namespace adminauto
