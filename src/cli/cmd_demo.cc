// `adminauto demo`: the main job end to end on the built-in defaults. It starts the
// Organizations API simulator in-process, seeded from the bundled user export. Then it runs the
// library code of init, org connect, sync, plan, apply, audit verify and revert on a scratch
// data directory, and prints one short numbered step per command.
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <streambuf>

#include "cli/apply_options.h"
#include "cli/command.h"
#include "cli/data_dir_setup.h"
#include "core/log.h"
#include "core/time.h"
#include "engine/apply_plan.h"
#include "engine/apply_session.h"
#include "engine/sync.h"
#include "engine/verify.h"
#include "rules/plan_io.h"
#include "sim/sim_server.h"
#include "store/data_dir.h"
#include "vault/key_input.h"

namespace adminauto::cli {
namespace {

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;

constexpr const char* kBundledExport = "tests/data/acme-users-export.csv";
constexpr const char* kBundledRules = "docs/examples/licence-cleanup.yaml";
constexpr const char* kRuleName = "licence-cleanup";
constexpr const char* kOrgName = "acme";
// The day after the bundled export's last recorded activity (2026-11-30). A fixed day keeps
// the plan the same whenever the demo runs.
constexpr const char* kDefaultDay = "2026-12-01";
constexpr const char* kKeyFileName = "demo-api-key";

struct DemoOptions {
  std::string export_path;
  std::string rules_path;
  std::string at = kDefaultDay;
  int port = 0;
  bool wait = false;
  std::string data_dir;  // --data-dir when given, else empty for a scratch directory
};

// Looks for `relative` under $ADMINAUTO_SOURCE_DIR, then in the directories above the
// executable (a build tree sits inside the source tree), then in the current directory.
Result<std::string> FindBundled(const std::string& relative, const std::string& option) {
  std::vector<fs::path> roots;
  if (const char* dir = std::getenv("ADMINAUTO_SOURCE_DIR"); dir != nullptr && *dir) {
    roots.emplace_back(dir);
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (fs::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
      roots.push_back(dir);
    }
  }
  roots.push_back(fs::current_path(ec));
  for (const auto& root : roots) {
    fs::path candidate = root / relative;
    if (fs::exists(candidate, ec)) return candidate.lexically_normal().string();
  }
  return NotFound("cannot find the bundled file " + relative +
                  "; run from the source tree, set ADMINAUTO_SOURCE_DIR or pass " + option);
}

// Returns `path` relative to the current directory when it lies below it, so the commands
// the demo prints can be copied as they are.
std::string DisplayPath(const std::string& path) {
  std::error_code ec;
  fs::path relative = fs::relative(path, fs::current_path(ec), ec);
  if (ec || relative.empty() || *relative.begin() == "..") return path;
  return relative.string();
}

// The data directory of one demo. A directory given with --data-dir must not contain a
// database yet and is kept. Otherwise a new scratch directory is removed at the end.
class DemoDir {
 public:
  static Result<std::unique_ptr<DemoDir>> Make(const std::string& given) {
    if (!given.empty()) {
      if (fs::exists(store::DatabasePath(given))) {
        return FailedPrecondition("the demo needs a new data directory, and " + given +
                                  " already holds a database; pick another --data-dir");
      }
      return std::unique_ptr<DemoDir>(new DemoDir(given, false));
    }
    std::string pattern = (fs::temp_directory_path() / "adminauto-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      return Internal("cannot create a scratch directory under " +
                      fs::temp_directory_path().string());
    }
    return std::unique_ptr<DemoDir>(new DemoDir(pattern, true));
  }
  ~DemoDir() {
    std::error_code ec;
    if (scratch_) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  bool scratch() const { return scratch_; }

 private:
  DemoDir(std::string path, bool scratch) : path_(std::move(path)), scratch_(scratch) {}
  std::string path_;
  bool scratch_;
};

// Everything the steps share.
struct Demo {
  DemoOptions options;
  GlobalOptions global;  // global.data_dir is the demo's directory
  std::unique_ptr<sim::SimServer> sim;
  std::unique_ptr<engine::ApplyStores> stores;
  std::unique_ptr<engine::OrgSession> session;
  Day day{};  // the evaluation day, from --at
  std::string org_id;
  std::string plan_file;
  std::string run_id;  // the apply run; empty when the plan changes nothing
};

void Step(int number, const std::string& title) { std::cout << number << ". " << title << "\n"; }
void Line(const std::string& text) { std::cout << "   " << text << "\n"; }
void Command(const std::string& text) { std::cout << "   $ adminauto " << text << "\n\n"; }

// A stream buffer that indents every line written through it under the current step, and
// passes it on to `target` as it is written.
class IndentingBuffer : public std::streambuf {
 public:
  explicit IndentingBuffer(std::streambuf* target) : target_(target) {}

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    if (line_start_ && target_->sputn("   ", 3) != 3) return traits_type::eof();
    line_start_ = c == '\n';
    return target_->sputc(static_cast<char>(c));
  }
  int sync() override { return target_->pubsync(); }

 private:
  std::streambuf* target_;
  bool line_start_ = true;
};

std::string Seconds(Steady::duration elapsed) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", std::chrono::duration<double>(elapsed).count());
  return text;
}

// Starts the simulator with the stop signals blocked, so its threads never receive them. The
// calling thread gets its signal mask back.
Status StartSimulator(Demo& demo) {
  sim::SimOptions options;
  options.export_csv = demo.options.export_path;
  options.port = static_cast<uint16_t>(demo.options.port);
  options.log_requests = false;
  sigset_t signals, previous;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  auto started = sim::SimServer::Start(options);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (!started.ok()) return started.status();
  demo.sim = std::move(started).value();
  demo.org_id = demo.sim->org_id();
  Step(1, "Start adminauto-sim, a local stand-in for the Atlassian Organizations API");
  Line("org Acme at " + demo.sim->base_url() + ", " +
       std::to_string(demo.sim->Snapshot().accounts.size()) + " accounts from " +
       fs::path(demo.options.export_path).filename().string());
  std::cout << "\n";
  return Status::Ok();
}

Status InitStep(Demo& demo) {
  store::VaultConfig config{"file", "", ""};
  AA_ASSIGN_OR_RETURN(InitOutcome outcome, InitializeDataDir(demo.global.data_dir, config));
  Step(2, "Create the data directory, its database and master key");
  Line(demo.global.data_dir + ": " +
       fs::path(store::DatabasePath(demo.global.data_dir)).filename().string() +
       ", master key file " + std::string(vault::kMasterKeyFileName) +
       (outcome.created_key_file ? " (mode 0600)" : ""));
  Command("init");
  return Status::Ok();
}

// Writes the simulator's key to a file of mode 0600, as an admin saves a key created in
// admin.atlassian.com, and returns its path.
Result<std::string> WriteKeyFile(const Demo& demo) {
  std::string path = (fs::path(demo.global.data_dir) / kKeyFileName).string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot create the key file " + path);
  const std::string& key = demo.sim->api_key();
  bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  ::close(fd);
  if (!written) return Internal("cannot write the key file " + path);
  return path;
}

Status ConnectStep(Demo& demo) {
  AA_ASSIGN_OR_RETURN(std::string key_file, WriteKeyFile(demo));
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir,
                      vault::OpenDataDirVault(demo.global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(vault::SecretBytes key, vault::ReadApiKeyFile(key_file));
  const Timestamp now = ToTimestamp(SystemClock::Instance().Now());
  store::OrgRecord org;
  org.name = kOrgName;
  org.org_id = demo.org_id;
  org.base_url = demo.sim->base_url();
  org.region = "us";
  org.key_expires_at = now + std::chrono::days(7);
  org.key_updated_at = now;
  org.created_at = now;
  AA_RETURN_IF_ERROR(StoreOrgConnection(dir, org, key));
  std::error_code ec;
  fs::remove(key_file, ec);
  Step(3, "Connect the org: its API key is read from a file and sealed in the database");
  Line("the key file is then deleted; no command takes a key as an argument");
  Command(std::string("org connect ") + kOrgName + " --org-id " + demo.org_id + " --base-url " +
          demo.sim->base_url() + " --api-key-file " + kKeyFileName);
  return Status::Ok();
}

// Opens the stores and a client with the org's sealed key, as apply and revert do.
Status OpenSession(Demo& demo) {
  Clock& clock = SystemClock::Instance();
  AA_ASSIGN_OR_RETURN(demo.stores, engine::ApplyStores::Open(demo.global.data_dir, clock));
  AA_ASSIGN_OR_RETURN(vault::OrgCredential credential,
                      vault::UnsealOrgApiKey(demo.global.data_dir, kOrgName, clock));
  std::string key(credential.api_key.view());
  AA_ASSIGN_OR_RETURN(demo.session,
                      engine::ConnectWithKey(credential.org.name, credential.org.org_id,
                                             credential.org.base_url, key, clock));
  return Status::Ok();
}

Status SyncStep(Demo& demo) {
  AA_ASSIGN_OR_RETURN(engine::SyncReport report,
                      engine::RunSync(*demo.session->client, *demo.stores->snapshots,
                                      engine::SyncOptions{}, SystemClock::Instance()));
  Step(4, "Sync the org's directory into the database");
  Line(std::to_string(report.stats.accounts) + " accounts (" + std::to_string(report.managed) +
       " managed), " + std::to_string(report.stats.groups) + " groups; " +
       std::to_string(report.stats.calls) + " API calls in " + Seconds(report.stats.duration));
  Command(std::string("sync ") + kOrgName);
  return Status::Ok();
}

std::string ExclusionLabel(const std::string& name) {
  static const std::map<std::string, std::string> kLabels = {
      {"target_state", "already suspended"},
      {"deactivated", "deactivated"},
      {"groups", "in an excluded group"},
      {"org_admins", "org admins"},
      {"bots", "bots and apps"},
      {"emails", "excluded by email"},
      {"accounts", "excluded by id"},
      {"unmanaged", "not managed"},
      {"recently_restored", "restored recently"}};
  auto it = kLabels.find(name);
  return it == kLabels.end() ? name : it->second;
}

std::string DescribeExclusions(const Plan& plan) {
  std::map<std::string, int> counts;
  for (const PlanExclusion& e : plan.excluded) ++counts[e.exclusion];
  std::string text = std::to_string(plan.excluded.size()) + " left alone";
  const char* separator = ": ";
  for (const auto& [name, count] : counts) {
    text += separator + std::to_string(count) + " " + ExclusionLabel(name);
    separator = ", ";
  }
  return text;
}

Status PlanStep(Demo& demo) {
  const Day day = demo.day;
  AA_ASSIGN_OR_RETURN(Plan plan, engine::MakeFreshPlan(*demo.stores->snapshots, demo.org_id,
                                                       {demo.options.rules_path}, kRuleName, day));
  demo.plan_file = (fs::path(demo.global.data_dir) / "plan.json").string();
  AA_RETURN_IF_ERROR(rules::WritePlanFile(plan, demo.plan_file));
  Step(5, std::string("Plan the licence clean-up: rule ") + kRuleName + " on " + FormatIsoDay(day));
  std::string actions;
  for (const auto& [name, count] : plan.totals.actions) {
    actions += (actions.empty() ? "" : ", ") + name + " " + std::to_string(count);
  }
  if (actions.empty()) {
    Line("no changes among " + std::to_string(plan.totals.accounts) + " accounts");
  } else {
    Line(actions + " of " + std::to_string(plan.totals.accounts) + " accounts, " +
         std::to_string(plan.totals.billable_seats_freed) + " product seats freed");
  }
  Line(DescribeExclusions(plan));
  for (const std::string& warning : plan.warnings) Line("warning: " + warning);
  Command(std::string("plan --rules ") + DisplayPath(demo.options.rules_path) + " --org " +
          kOrgName + " --at " + FormatIsoDay(day) + " --out plan.json");
  return Status::Ok();
}

// Returns apply options as `adminauto apply` makes them, with the progress bar only on a
// terminal, because a line per action would bury the demo's steps.
engine::ApplyOptions DemoApplyOptions(const Demo& demo) {
  engine::ApplyOptions options =
      MakeApplyOptions(demo.global, ChangeCommandOptions{}, *demo.session);
  if (::isatty(STDERR_FILENO) != 1) options.progress = nullptr;
  return options;
}

// Runs `input` through the confirmation-and-apply path of the apply and revert commands, as
// with --yes, and prints its report under the current step.
Status RunChanges(Demo& demo, const engine::ApplyInput& input) {
  engine::Applier applier(*demo.stores->db, *demo.stores->journal, *demo.stores->audit,
                          *demo.session->client, SystemClock::Instance(),
                          engine::GuardsFor(*demo.stores->snapshots), DemoApplyOptions(demo));
  IndentingBuffer indented(std::cout.rdbuf());
  std::ostream report(&indented);
  engine::Interaction interaction;
  interaction.yes = true;
  interaction.out = &report;
  interaction.progress = &std::cerr;
  Status applied = engine::ConfirmAndApply(applier, *demo.stores->journal, input, interaction);
  report.flush();
  return applied;
}

Status ApplyStep(Demo& demo) {
  AA_ASSIGN_OR_RETURN(Plan plan, rules::ReadPlanFile(demo.plan_file));
  AA_ASSIGN_OR_RETURN(engine::ApplyInput input,
                      engine::InputFromPlan(plan, kOrgName, demo.plan_file));
  Step(6, "Apply the plan: each change is journaled and audited, sent, then read back");
  if (input.changes.empty()) {
    Line("nothing to change on " + FormatIsoDay(demo.day) +
         "; a later --at finds accounts inactive for longer");
    std::cout << "\n";
    return Status::Ok();
  }
  Line("(no confirmation prompt here: the org is the demo's own)");
  auto start = Steady::now();
  AA_RETURN_IF_ERROR(RunChanges(demo, input));
  AA_ASSIGN_OR_RETURN(std::optional<store::JournalRun> run,
                      demo.stores->journal->FindRunByPlanKey(input.plan_key));
  if (!run) return Internal("the applied run is missing from the journal");
  demo.run_id = run->id;
  Line("applied in " + Seconds(Steady::now() - start));
  Command("apply plan.json");
  return Status::Ok();
}

Status AuditStep(Demo& demo) {
  AA_ASSIGN_OR_RETURN(audit::VerifyReport report, demo.stores->audit->Verify());
  AA_ASSIGN_OR_RETURN(std::vector<audit::AuditEntry> last,
                      demo.stores->audit->Read(std::max<int64_t>(0, report.entries - 3)));
  Step(7, "Check the audit log: every change is on a hash-chained record");
  if (!last.empty()) {
    Line("the last " + std::to_string(last.size()) + " of " + std::to_string(report.entries) +
         " entries:");
  }
  for (const audit::AuditEntry& entry : last) {
    const audit::AuditRecord& r = entry.record;
    Line("  #" + std::to_string(entry.seq) + " " + entry.time + " " + r.actor + " " + r.action +
         (r.account.empty() ? "" : " " + r.account) + " " + r.result);
  }
  if (!report.ok()) {
    return DataLoss("audit log check failed at entry " + std::to_string(*report.first_bad) + ": " +
                    report.problem);
  }
  Line("audit log intact: " + std::to_string(report.entries) + " entries, head " +
       report.head_hash.substr(0, 16) + "...");
  Command("audit verify");
  return Status::Ok();
}

// Picks the first verified action of the run to undo.
Result<store::JournalAction> FirstVerified(Demo& demo) {
  AA_ASSIGN_OR_RETURN(std::vector<store::JournalAction> actions,
                      demo.stores->journal->Actions(demo.run_id));
  for (const store::JournalAction& action : actions) {
    if (action.state == store::ActionState::kVerified) return action;
  }
  return NotFound("run " + demo.run_id + " has no verified action to revert");
}

Status RevertStep(Demo& demo) {
  if (demo.run_id.empty()) return Status::Ok();
  AA_ASSIGN_OR_RETURN(store::JournalAction action, FirstVerified(demo));
  engine::Applier planner(*demo.stores->db, *demo.stores->journal, *demo.stores->audit,
                          *demo.session->client, SystemClock::Instance(),
                          engine::GuardsFor(*demo.stores->snapshots), DemoApplyOptions(demo));
  AA_ASSIGN_OR_RETURN(engine::RevertPlan revert, planner.PlanRevert(demo.run_id, action.index));
  Step(8, "Revert one change: " + action.kind + " of " + action.email + " (action " +
              std::to_string(action.index) + " of the run)");
  AA_RETURN_IF_ERROR(RunChanges(demo, revert.input));
  auto read = engine::ReadAccount(*demo.session->client, action.account_id);
  if (!read.ok()) return read.status().WithContext("reading back " + action.account_id);
  if (!read.value()) return NotFound("account " + action.account_id + " is gone from the org");
  Line("the API now reads " + action.email + " as " +
       std::string(ToString(read.value()->status())));
  Command("revert " + demo.run_id + " --action " + std::to_string(action.index) +
          "   (without --action: every change of the run)");
  return Status::Ok();
}

void PrintNextSteps(const Demo& demo, const DemoDir& dir, Steady::duration elapsed) {
  std::cout << "Done in " << Seconds(elapsed) << ". ";
  if (dir.scratch()) {
    std::cout << "The scratch data directory is removed; pass --data-dir DIR to keep it.\n";
  } else {
    std::cout << "Runs, journal and audit log stay in " << dir.path() << ":\n"
              << "   adminauto --data-dir " << dir.path()
              << (demo.run_id.empty() ? " runs list" : " runs show " + demo.run_id) << "\n";
  }
  std::cout << "\nOn your own org (an org API key from admin.atlassian.com, saved to a file):\n"
               "   adminauto init\n"
               "   adminauto org connect acme --org-id ORG_ID --api-key-file key.txt\n"
               "   adminauto sync acme\n"
               "   adminauto plan --rules "
            << DisplayPath(demo.options.rules_path)
            << " --org acme --out plan.json\n"
               "   adminauto apply plan.json      (shows the totals and asks you to type the org "
               "name)\n"
               "   adminauto runs list\n"
               "   adminauto revert RUN_ID\n"
               "   adminauto audit verify\n";
}

// Keeps the simulator serving until SIGINT or SIGTERM.
void WaitForStop(const Demo& demo) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::cout << "\nadminauto-sim keeps serving at " << demo.sim->base_url()
            << " until Ctrl-C; its state: GET " << demo.sim->base_url() << "/__sim/state"
            << std::endl;
  int received = 0;
  sigwait(&signals, &received);
}

Status RunDemo(const GlobalOptions& global, DemoOptions options) {
  const auto start = Steady::now();
  // Check the inputs before anything is started or created.
  if (options.export_path.empty()) {
    AA_ASSIGN_OR_RETURN(options.export_path, FindBundled(kBundledExport, "--export"));
  }
  if (options.rules_path.empty()) {
    AA_ASSIGN_OR_RETURN(options.rules_path, FindBundled(kBundledRules, "--rules"));
  }
  auto day = ParseIsoDay(options.at);
  if (!day.ok()) return day.status().WithContext("--at");

  AA_ASSIGN_OR_RETURN(std::unique_ptr<DemoDir> dir, DemoDir::Make(options.data_dir));
  Demo demo;
  demo.day = *day;
  demo.options = options;
  demo.global = global;
  demo.global.data_dir = dir->path();
  std::cout << "adminauto demo: a licence clean-up on a simulated Atlassian org, start to "
               "finish\n\n";

  // One numbered step per command a user would run.
  AA_RETURN_IF_ERROR(StartSimulator(demo));
  AA_RETURN_IF_ERROR(InitStep(demo));
  AA_RETURN_IF_ERROR(ConnectStep(demo));
  AA_RETURN_IF_ERROR(OpenSession(demo));
  AA_RETURN_IF_ERROR(SyncStep(demo));
  AA_RETURN_IF_ERROR(PlanStep(demo));
  AA_RETURN_IF_ERROR(ApplyStep(demo));
  AA_RETURN_IF_ERROR(AuditStep(demo));
  AA_RETURN_IF_ERROR(RevertStep(demo));
  PrintNextSteps(demo, *dir, Steady::now() - start);

  // The client goes before the wait, so no thread it started can receive the stop signals.
  demo.session.reset();
  demo.stores.reset();
  if (options.wait) WaitForStop(demo);
  demo.sim->Stop();
  return Status::Ok();
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "demo",
      "Run the main job on a simulated org, start to finish: start adminauto-sim seeded from "
      "the bundled user export, init a scratch data directory, connect the org, sync, plan "
      "a licence clean-up (suspend accounts inactive 90 days in Jira Software and "
      "Confluence), apply it, show the run and the audit trail, and revert one change. "
      "Touches nothing outside 127.0.0.1 and the data directory");
  auto options = std::make_shared<DemoOptions>();
  cmd->add_option("--export", options->export_path,
                  "User export CSV to seed the simulator from (default: the bundled " +
                      std::string(kBundledExport) + ")");
  cmd->add_option(
      "--rules", options->rules_path,
      "Rule file with a rule named licence-cleanup (default: " + std::string(kBundledRules) + ")");
  cmd->add_option("--at", options->at,
                  "Evaluation day, YYYY-MM-DD (default " + std::string(kDefaultDay) +
                      ", the day after the bundled export's last activity)");
  cmd->add_option("--port", options->port, "Simulator port on 127.0.0.1; 0 picks a free port")
      ->check(CLI::Range(0, 65535));
  cmd->add_flag("--wait", options->wait, "Keep the simulator serving after the demo until Ctrl-C");
  // Only an explicit --data-dir is used, because $ADMINAUTO_DATA_DIR may name a real one.
  CLI::Option* data_dir = app.get_option("--data-dir");
  cmd->footer(
      "The demo works in a new scratch directory that it removes at the end; the global "
      "--data-dir DIR (a new directory) keeps the database, journal and audit log.");
  cmd->callback([&global, options, data_dir] {
    DemoOptions run = *options;
    if (data_dir->count() > 0) run.data_dir = global.data_dir;
    // Library log lines would interleave with the steps, so only -v shows them.
    LogFormat format = LogFormat::kText;
    ParseLogFormat(global.log_format, format);
    ConfigureLogging(format, global.verbose ? spdlog::level::debug : spdlog::level::warn);
    Finish(RunDemo(global, run));
  });
});

}  // namespace
}  // namespace adminauto::cli
