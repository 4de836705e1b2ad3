// Runs the real `adminauto demo` binary and checks its outcome. The applied plan is compared
// with a separate scan of the bundled export made here. The journal and audit log are read
// through the `runs` and `audit` commands, and the simulator's state over its control API.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli_process.h"
#include "http/test_client.h"

namespace adminauto {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using std::chrono::sys_days;
using SteadyClock = std::chrono::steady_clock;

// Splits one CSV line into fields. Quoted fields may contain commas and doubled quotes.
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

// Parses "13 Jun 2025", and returns nullopt for "Never accessed" and empty cells.
std::optional<sys_days> ParseExportDay(const std::string& text) {
  static const std::vector<std::string> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::istringstream in(text);
  int day = 0;
  int year = 0;
  std::string month;
  if (!(in >> day >> month >> year)) return std::nullopt;
  for (size_t m = 0; m < kMonths.size(); ++m) {
    if (kMonths[m] == month) {
      return sys_days(std::chrono::year(year) / std::chrono::month(m + 1) / std::chrono::day(day));
    }
  }
  return std::nullopt;
}

// Matches `text` against a glob with `*` and `?`. Every other character is literal.
bool Glob(const std::string& pattern, const std::string& text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '*') {
    for (size_t skip = 0; skip <= text.size(); ++skip) {
      if (Glob(pattern.substr(1), text.substr(skip))) return true;
    }
    return false;
  }
  if (text.empty()) return false;
  return (pattern[0] == '?' || pattern[0] == text[0]) && Glob(pattern.substr(1), text.substr(1));
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The bot patterns listed in docs/rules.md.
bool LooksLikeBot(const std::string& email, const std::string& name) {
  static const std::vector<std::string> kPatterns = {
      "svc-*",    "svc_*",     "svc.*",         "*-svc",  "service-*", "bot",
      "bot-*",    "*-bot",     "*_bot",         "*.bot",  "*[bot]",    "*automation*",
      "noreply*", "no-reply*", "*integration*", "*-sync", "*-backup"};
  std::string local = Lower(email.substr(0, email.find('@')));
  std::string lower_name = Lower(name);
  for (const auto& pattern : kPatterns) {
    if (Glob(pattern, local) || Glob(pattern, lower_name)) return true;
  }
  return false;
}

// Returns the accounts the bundled rule file should suspend on `day`, read from the export. An
// account qualifies with access to Jira or Confluence and a latest date in those two columns
// at least 90 days before `day`. The exclusions are the rule's group (members given in
// `protected_ids`) and email, org admins, bots, and deactivated and suspended accounts.
std::set<std::string> ExpectedSuspends(const std::string& export_path, sys_days day,
                                       const std::set<std::string>& protected_ids) {
  std::ifstream in(export_path);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header = SplitCsv(line);
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  std::set<std::string> expected;
  while (std::getline(in, line)) {
    std::vector<std::string> f = SplitCsv(line);
    if (f.size() != header.size()) continue;
    const std::string& jira = f[column.at("Last seen in Jira - acme")];
    const std::string& confluence = f[column.at("Last seen in Confluence - acme")];
    std::optional<sys_days> last;
    for (const std::string* cell : {&jira, &confluence}) {
      auto parsed = ParseExportDay(*cell);
      if (parsed && (!last || *parsed > *last)) last = parsed;
    }
    if (!last || (day - *last).count() < 90) continue;
    const std::string& id = f[column.at("User id")];
    const std::string& email = f[column.at("email")];
    const std::string& status = f[column.at("User status")];
    if (protected_ids.count(id) || Lower(email) == "svc-deploy@acme.example" ||
        f[column.at("Org role")] == "Organization admin" ||
        LooksLikeBot(email, f[column.at("User name")]) || status == "Deactivated" ||
        status == "Suspended") {
      continue;
    }
    expected.insert(id);
  }
  return expected;
}

class DemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* root = std::getenv("ADMINAUTO_SOURCE_DIR");
    ASSERT_NE(root, nullptr);
    export_ = std::string(root) + "/tests/data/acme-users-export.csv";
    dir_ = fs::temp_directory_path() /
           ("demo_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    data_dir_ = (dir_ / "data").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs the binary with `args` (already shell-quoted) on the test's data directory.
  testing::CommandOutput Run(const std::string& args) {
    return testing::RunShell(
        std::string(ADMINAUTO_BINARY) + " --data-dir " + data_dir_ + " " + args,
        (dir_ / "stderr.txt").string());
  }

  std::string export_;
  fs::path dir_;
  std::string data_dir_;
};

// A demo started with --wait. The test reads its stdout until the simulator is reported as still
// serving, so the simulator's state can be read before the demo stops.
class WaitingDemo {
 public:
  WaitingDemo(const std::string& data_dir, const std::string& err_file) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    std::vector<std::string> args = {ADMINAUTO_BINARY, "--data-dir", data_dir, "demo", "--wait"};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int err_fd = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    if (err_fd >= 0) ::close(err_fd);
    out_fd_ = fds[0];
  }
  ~WaitingDemo() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) ::close(out_fd_);
  }

  // Reads stdout until a line contains `marker`. Returns false when the output ends or `limit`
  // passes first.
  bool ReadUntil(const std::string& marker, std::chrono::seconds limit) {
    auto deadline = SteadyClock::now() + limit;
    while (out_.find(marker) == std::string::npos ||
           out_.find('\n', out_.find(marker)) == std::string::npos) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
      if (left.count() <= 0) return false;
      pollfd pfd{out_fd_, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return false;
      char buffer[4096];
      ssize_t n = ::read(out_fd_, buffer, sizeof buffer);
      if (n <= 0) return false;
      out_.append(buffer, static_cast<size_t>(n));
    }
    return true;
  }

  // Sends `signal` and returns the exit status, or -1 when the process did not exit normally.
  int Stop(int signal) {
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(out_fd_, buffer, sizeof buffer)) > 0) out_.append(buffer, n);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  const std::string& out() const { return out_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool reaped_ = false;
  std::string out_;
};

// Returns the text after `prefix` up to the next space or line end.
std::string WordAfter(const std::string& text, const std::string& prefix) {
  size_t at = text.find(prefix);
  if (at == std::string::npos) return "";
  at += prefix.size();
  size_t end = text.find_first_of(" \n", at);
  return text.substr(at, end - at);
}

TEST_F(DemoTest, AppliesAuditsAndRevertsOne) {
  const std::string err_file = (dir_ / "demo-stderr.txt").string();
  auto start = SteadyClock::now();
  WaitingDemo demo(data_dir_, err_file);
  ASSERT_TRUE(demo.ReadUntil("keeps serving at", std::chrono::seconds(120))) << demo.out();
  auto elapsed = SteadyClock::now() - start;
  // The demo's help and the README promise the whole main job in under a minute.
  EXPECT_LT(elapsed, std::chrono::seconds(60));

  // The simulator's state as the demo left it, read over its control API.
  std::string base_url = WordAfter(demo.out(), "keeps serving at ");
  ASSERT_EQ(base_url.rfind("http://127.0.0.1:", 0), 0u) << demo.out();
  http::TestClient client;
  auto state_response = client.Call("GET", base_url + "/__sim/state");
  ASSERT_TRUE(state_response.ok()) << state_response.status().ToString();
  ASSERT_EQ(state_response->status, 200);
  json::object state = json::parse(state_response->body).as_object();
  EXPECT_EQ(demo.Stop(SIGTERM), 0) << demo.out();

  // Members of never-suspend, which the rule file excludes, as the simulator seeded them.
  std::string never_suspend_id;
  for (const auto& group : state.at("groups").as_array()) {
    if (group.at("name").as_string() == "never-suspend") {
      never_suspend_id = json::value_to<std::string>(group.at("id"));
    }
  }
  ASSERT_FALSE(never_suspend_id.empty());
  std::set<std::string> protected_ids;
  std::map<std::string, std::string> membership;  // account id -> membership status
  for (const auto& value : state.at("accounts").as_array()) {
    const json::object& account = value.as_object();
    std::string id = json::value_to<std::string>(account.at("id"));
    membership[id] = json::value_to<std::string>(account.at("membership_status"));
    for (const auto& group : account.at("groups").as_array()) {
      if (group.as_string() == never_suspend_id) protected_ids.insert(id);
    }
  }
  ASSERT_FALSE(protected_ids.empty());

  using namespace std::chrono;
  std::set<std::string> expected =
      ExpectedSuspends(export_, sys_days(year(2026) / December / day(1)), protected_ids);
  ASSERT_GT(expected.size(), 100u) << "the bundled export should give a sizeable plan";
  EXPECT_NE(demo.out().find("suspend " + std::to_string(expected.size()) + " of 2000 accounts"),
            std::string::npos)
      << demo.out();

  // The journal: one apply run holding exactly the expected accounts, all verified, and one
  // revert run of one action.
  testing::CommandOutput runs = Run("runs list --format json");
  ASSERT_EQ(runs.exit_code, 0) << runs.err;
  json::array run_list = json::parse(runs.out).as_array();
  ASSERT_EQ(run_list.size(), 2u) << runs.out;
  std::string apply_run;
  std::string revert_run;
  for (const auto& run : run_list) {
    std::string kind = json::value_to<std::string>(run.at("kind"));
    (kind == "apply" ? apply_run : revert_run) = json::value_to<std::string>(run.at("id"));
  }
  ASSERT_FALSE(apply_run.empty());
  ASSERT_FALSE(revert_run.empty());

  testing::CommandOutput shown = Run("runs show " + apply_run + " --format json");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  json::object applied = json::parse(shown.out).as_object();
  std::set<std::string> suspended;
  for (const auto& action : applied.at("actions").as_array()) {
    EXPECT_EQ(action.at("action").as_string(), "suspend");
    EXPECT_EQ(action.at("state").as_string(), "verified");
    suspended.insert(json::value_to<std::string>(action.at("account_id")));
  }
  EXPECT_EQ(suspended, expected);

  testing::CommandOutput reverted = Run("runs show " + revert_run + " --format json");
  ASSERT_EQ(reverted.exit_code, 0) << reverted.err;
  json::array revert_actions = json::parse(reverted.out).at("actions").as_array();
  ASSERT_EQ(revert_actions.size(), 1u);
  EXPECT_EQ(revert_actions[0].at("action").as_string(), "restore");
  EXPECT_EQ(revert_actions[0].at("state").as_string(), "verified");
  std::string restored = json::value_to<std::string>(revert_actions[0].at("account_id"));
  EXPECT_TRUE(suspended.count(restored)) << restored;

  // The simulator: every planned account suspended, except the reverted one, active again.
  for (const std::string& id : expected) {
    EXPECT_EQ(membership[id], id == restored ? "active" : "suspended") << id;
  }

  testing::CommandOutput verify = Run("audit verify");
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("audit log intact"), std::string::npos) << verify.out;
}

TEST_F(DemoTest, HelpDescribesTheMainJob) {
  testing::CommandOutput help = Run("demo --help");
  ASSERT_EQ(help.exit_code, 0) << help.err;
  for (const char* word : {"simulator", "sync", "plan", "apply", "audit", "revert", "--data-dir"}) {
    EXPECT_NE(help.out.find(word), std::string::npos) << word << " missing from\n" << help.out;
  }
}

TEST_F(DemoTest, RefusesADataDirectoryInUse) {
  ASSERT_EQ(Run("init").exit_code, 0);
  testing::CommandOutput o = Run("demo");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("already holds a database"), std::string::npos) << o.err;
}

}  // namespace
}  // namespace adminauto
