// Sync benchmarks against adminauto-sim, run as a child process on 127.0.0.1 so this
// process's peak memory is the client's and the store's alone.
//
// 1. Full sync of --users accounts (default 100,000), faults off: API calls over the minimum
//    the page sizes allow, wall time, peak memory.
// 2. The same listing with jira.js's core client (bench/jira-js/list.mjs, needs
//    `npm install` there): adminauto's listing time over jira.js's.
// 3. Rate-limited last-active dates: a sync of a generated org of --rate-accounts accounts
//    that reads the last-active dates of its N managed accounts while the simulator allows R
//    (--rate) calls per minute on that endpoint must take at most 1.05 x N/R minutes with no
//    failed call.
//
// Usage: sync_bench [--users N] [--rate R] [--rate-accounts N] [--skip-node] [--skip-rate]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "atlassian/client.h"
#include "core/clock.h"
#include "core/log.h"
#include "engine/sync.h"
#include "store/snapshot_store.h"

extern char** environ;

namespace adminauto::bench {
namespace {

using Millis = std::chrono::duration<double, std::milli>;

struct Args {
  int users = 100'000;
  int rate = 60;           // last-active calls allowed per minute
  int rate_accounts = 90;  // accounts whose last-active dates are fetched
  bool skip_node = false;
  bool skip_rate = false;
};

// A running adminauto-sim child.
class SimProcess {
 public:
  static std::unique_ptr<SimProcess> Start(const std::vector<std::string>& extra) {
    int out[2];
    if (pipe(out) != 0) return nullptr;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> argv_s = {ADMINAUTO_SIM_PATH, "--port", "0"};
    argv_s.insert(argv_s.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    auto sim = std::make_unique<SimProcess>();
    int rc = posix_spawn(&sim->pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) return nullptr;
    FILE* in = fdopen(out[0], "r");
    char line[512];
    const std::string prefix = "listening on ";
    while (fgets(line, sizeof line, in) != nullptr) {
      std::string text(line);
      if (text.rfind(prefix, 0) == 0) {
        sim->base_url_ = text.substr(prefix.size());
        while (!sim->base_url_.empty() &&
               std::isspace(static_cast<unsigned char>(sim->base_url_.back()))) {
          sim->base_url_.pop_back();
        }
        break;
      }
    }
    sim->out_ = in;
    if (sim->base_url_.empty()) return nullptr;
    return sim;
  }

  ~SimProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) fclose(out_);
  }

  const std::string& base_url() const { return base_url_; }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  std::string base_url_;
};

// The simulator's defaults: its org id and primary API key.
constexpr const char* kOrgId = "6665kc2j-4644-14k8-j32c-68cc0b1d15b8";
constexpr const char* kApiKey = "ATCTT3xSimulatorKey0000000000000000";

std::unique_ptr<atlassian::OrgClient> MakeClient(const std::string& base_url, Clock& clock) {
  atlassian::CurlTransportOptions transport;
  transport.base_url = base_url;
  transport.api_key = kApiKey;
  auto made = atlassian::MakeCurlTransport(std::move(transport));
  if (!made.ok()) return nullptr;
  atlassian::ClientOptions options;
  options.base_url = base_url;
  options.org_id = kOrgId;
  options.users_page_size = 100;  // the simulator's maximum, like the real API's
  options.groups_page_size = 100;
  return std::make_unique<atlassian::OrgClient>(
      std::shared_ptr<atlassian::HttpTransport>(std::move(made).value()), options, clock);
}

long PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// Runs `command` and returns its first output line.
std::string RunCommand(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  char line[1024];
  std::string out;
  if (fgets(line, sizeof line, pipe) != nullptr) out = line;
  pclose(pipe);
  return out;
}

double JsonNumber(const std::string& line, const std::string& key) {
  size_t at = line.find("\"" + key + "\":");
  if (at == std::string::npos) return -1;
  return std::atof(line.c_str() + at + key.size() + 3);
}

int FullSync(const Args& args) {
  auto sim = SimProcess::Start({"--users", std::to_string(args.users), "--seed", "1"});
  if (!sim) {
    std::cerr << "error: adminauto-sim did not start\n";
    return 1;
  }
  std::printf("simulator with %d accounts at %s\n", args.users, sim->base_url().c_str());
  Clock& clock = SystemClock::Instance();

  // Sync into a throwaway database.
  auto db_path =
      std::filesystem::temp_directory_path() / ("sync_bench_" + std::to_string(getpid()) + ".db");
  auto db = store::SqliteDb::Open(db_path.string());
  auto snapshots = store::SnapshotStore::Open(**db);
  auto client = MakeClient(sim->base_url(), clock);
  auto started = std::chrono::steady_clock::now();
  auto report = engine::RunSync(*client, **snapshots, engine::SyncOptions{}, clock);
  double sync_ms = Millis(std::chrono::steady_clock::now() - started).count();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(db_path.string() + suffix);
  }
  if (!report.ok()) {
    std::cerr << "error: sync failed: " << report.status().message() << "\n";
    return 1;
  }
  // One directories call, then the user and group pages the page size needs.
  int64_t minimum = 1 + (report->stats.accounts + 99) / 100 +
                    std::max<int64_t>(1, (report->stats.groups + 99) / 100);
  std::printf(
      "sync: %lld accounts, %lld groups, %lld calls (minimum %lld, ratio %.2f), "
      "%lld retries, %.0f ms, peak RSS %ld MiB\n",
      static_cast<long long>(report->stats.accounts), static_cast<long long>(report->stats.groups),
      static_cast<long long>(report->stats.calls), static_cast<long long>(minimum),
      static_cast<double>(report->stats.calls) / static_cast<double>(minimum),
      static_cast<long long>(report->stats.retries), sync_ms, PeakRssMiB());
  if (args.skip_node) return 0;

  // The same listing, adminauto then jira.js, twice each; the faster run of each counts.
  const std::string script = std::string(ADMINAUTO_SOURCE_DIR) + "/bench/jira-js/list.mjs";
  auto key_path =
      std::filesystem::temp_directory_path() / ("sync_bench_key_" + std::to_string(getpid()));
  std::ofstream(key_path) << kApiKey << "\n";
  double best_ours = 1e18, best_theirs = 1e18;
  for (int round = 0; round < 2; ++round) {
    auto lister = MakeClient(sim->base_url(), clock);
    auto t0 = std::chrono::steady_clock::now();
    auto users = lister->SearchUsers();
    auto groups = lister->SearchGroups();
    double ours = Millis(std::chrono::steady_clock::now() - t0).count();
    if (!users.ok() || !groups.ok()) {
      std::cerr << "error: listing failed\n";
      return 1;
    }
    std::string line = RunCommand("node " + script + " " + sim->base_url() + " " + kOrgId + " " +
                                  key_path.string() + " 100");
    double theirs = JsonNumber(line, "ms");
    if (theirs < 0 || JsonNumber(line, "accounts") != static_cast<double>(users->size())) {
      std::cerr << "error: jira.js listing failed: " << line << "\n";
      std::filesystem::remove(key_path);
      return 1;
    }
    std::printf("listing round %d: adminauto %.0f ms (%zu accounts), jira.js %.0f ms (%s)\n",
                round + 1, ours, users->size(), theirs, line.substr(0, line.size() - 1).c_str());
    best_ours = std::min(best_ours, ours);
    best_theirs = std::min(best_theirs, theirs);
  }
  std::filesystem::remove(key_path);
  std::printf("adminauto time / jira.js time: %.2f\n", best_ours / best_theirs);
  return 0;
}

// Runs a sync with last-active dates (engine::RunSync, as `adminauto sync` does when a rule
// selects on inactivity) while the simulator allows R last-active calls a minute per key: a
// bucket of R tokens refilled at R per minute. Every managed account costs one call.
int RateLimited(const Args& args) {
  auto faults_path = std::filesystem::temp_directory_path() /
                     ("sync_bench_faults_" + std::to_string(getpid()) + ".json");
  const int capacity = args.rate;
  std::ofstream(faults_path) << R"({"endpoints":{"v1.last_active":{"rate_limit":{"capacity":)"
                             << capacity << R"(,"refill_per_minute":)" << args.rate << "}}}}";
  auto sim = SimProcess::Start({"--users", std::to_string(args.rate_accounts), "--seed", "2",
                                "--faults", faults_path.string()});
  std::filesystem::remove(faults_path);
  if (!sim) {
    std::cerr << "error: adminauto-sim did not start\n";
    return 1;
  }
  Clock& clock = SystemClock::Instance();
  auto db_path = std::filesystem::temp_directory_path() /
                 ("sync_bench_rate_" + std::to_string(getpid()) + ".db");
  auto db = store::SqliteDb::Open(db_path.string());
  auto snapshots = store::SnapshotStore::Open(**db);
  auto client = MakeClient(sim->base_url(), clock);
  engine::SyncOptions options;
  options.fetch_last_active = true;
  // Every retry is logged with its reason, so a failed call shows what failed.
  spdlog::set_level(spdlog::level::info);
  auto t0 = std::chrono::steady_clock::now();
  auto report = engine::RunSync(*client, **snapshots, options, clock);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(db_path.string() + suffix);
  }
  if (!report.ok()) {
    std::printf("rate-limited: sync failed after %.1f s: %s\n", seconds,
                report.status().message().c_str());
    return 1;
  }
  // One last-active call per managed account; the listing takes the other calls.
  const int64_t n = report->managed;
  const int64_t listing_calls = report->stats.calls - report->stats.retries - n;
  double limit = 1.05 * static_cast<double>(n) / args.rate * 60.0;
  std::printf(
      "rate-limited: sync of %lld accounts with last-active dates for %lld managed at %d "
      "calls/min: %.1f s (limit 1.05 x N/R = %.1f s, ratio %.3f), %lld calls (%lld listing), "
      "time throttled %.1f s, failed calls (429 or other errors, each retried) %lld\n",
      static_cast<long long>(report->stats.accounts), static_cast<long long>(n), args.rate, seconds,
      limit, seconds / limit, static_cast<long long>(report->stats.calls),
      static_cast<long long>(listing_calls),
      static_cast<double>(report->stats.throttled.count()) / 1000.0,
      static_cast<long long>(report->stats.retries));
  // The fastest the limit allows: the bucket at once, then one call per 60/R seconds.
  double floor_s = std::max<double>(0.0, static_cast<double>(n - capacity)) * 60.0 / args.rate;
  if (seconds < 0.9 * floor_s) {
    std::printf(
        "NOTE: finished faster than %.1f s, so the simulator did not enforce one limit "
        "across accounts; this run does not measure pacing\n",
        floor_s);
    return 1;
  }
  return report->stats.retries == 0 && seconds <= limit ? 0 : 1;
}

}  // namespace
}  // namespace adminauto::bench

int main(int argc, char** argv) {
  using adminauto::bench::Args;
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (a == "--users") {
      args.users = next();
    } else if (a == "--rate") {
      args.rate = next();
    } else if (a == "--rate-accounts") {
      args.rate_accounts = next();
    } else if (a == "--skip-node") {
      args.skip_node = true;
    } else if (a == "--skip-rate") {
      args.skip_rate = true;
    } else {
      std::cerr << "usage: sync_bench [--users N] [--rate R] [--rate-accounts N] [--skip-node] "
                   "[--skip-rate]\n";
      return 2;
    }
  }
  if (args.users < 1 || args.rate < 1 || args.rate_accounts < 1) {
    std::cerr << "error: --users, --rate and --rate-accounts must be positive\n";
    return 2;
  }
  adminauto::ConfigureLogging(adminauto::LogFormat::kText, spdlog::level::warn);
  int rc = adminauto::bench::FullSync(args);
  if (rc == 0 && !args.skip_rate) rc = adminauto::bench::RateLimited(args);
  return rc;
}
