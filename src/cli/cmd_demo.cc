// `adminauto demo`: starts the Organizations API simulator in-process, seeded from the bundled
// user export, and prints what it serves. A stand-in until the main job exists.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/command.h"
#include "sim/sim_server.h"

namespace adminauto::cli {
namespace {

namespace fs = std::filesystem;

constexpr const char* kBundledExport = "tests/data/acme-users-export.csv";

// Looks for the bundled export under $ADMINAUTO_SOURCE_DIR, then in the directories above
// the executable (a build tree sits inside the source tree), then in the current directory.
Result<std::string> FindBundledExport() {
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
    fs::path candidate = root / kBundledExport;
    if (fs::exists(candidate, ec)) return candidate.string();
  }
  return NotFound(std::string("cannot find the bundled user export ") + kBundledExport +
                  "; run from the source tree, set ADMINAUTO_SOURCE_DIR or pass --export");
}

void PrintSummary(const sim::SimServer& sim, const std::string& export_path) {
  Directory directory = sim.Snapshot();
  std::map<std::string, int> by_status;
  int managed = 0;
  for (const auto& a : directory.accounts) {
    ++by_status[std::string(ToString(a.status()))];
    managed += a.claim_status == ClaimStatus::kManaged ? 1 : 0;
  }
  std::cout << "adminauto demo: Organizations API simulator\n"
            << "  seeded from  " << export_path << "\n"
            << "  base URL     " << sim.base_url() << "\n"
            << "  org id       " << sim.org_id() << "\n"
            << "  directory    " << sim.directory_id() << "\n"
            << "  accounts     " << directory.accounts.size() << " (" << managed << " managed)\n";
  for (const auto& [status, count] : by_status) {
    std::cout << "    " << status << std::string(14 - std::min<size_t>(status.size(), 13), ' ')
              << count << "\n";
  }
  std::cout << "  groups       " << directory.groups.size() << "\n\nSample accounts:\n";
  for (size_t i = 0; i < directory.accounts.size() && i < 5; ++i) {
    const Account& a = directory.accounts[i];
    std::optional<Timestamp> last;
    for (const auto& p : a.products) {
      if (p.last_active && (!last || *p.last_active > *last)) last = p.last_active;
    }
    std::cout << "  " << a.id << "  " << a.name << " <" << a.email << ">  " << ToString(a.status())
              << "  last active " << (last ? FormatIsoDay(DayOf(*last)) : std::string("never"))
              << "\n";
  }
  std::string org = "/admin/v1/orgs/" + sim.org_id();
  std::string v2 = "/admin/v2/orgs/" + sim.org_id() + "/directories/-";
  std::cout << "\nEndpoints (Authorization: Bearer <the simulator's test key>):\n"
            << "  GET  " << org << "/users\n"
            << "  GET  " << org << "/directory/users/{accountId}/last-active-dates\n"
            << "  GET  " << org << "/events, " << org << "/events-stream\n"
            << "  POST " << v2 << "/users/search\n"
            << "  POST " << v2 << "/users/{accountId}/suspend | /restore\n"
            << "  POST " << v2 << "/groups/search\n"
            << "  GET|PUT|DELETE /__sim/faults, GET /__sim/mutations (control API)\n";
}

Status RunDemo(const std::string& export_option, int port, bool wait) {
  std::string export_path = export_option;
  if (export_path.empty()) {
    AA_ASSIGN_OR_RETURN(export_path, FindBundledExport());
  }
  sim::SimOptions options;
  options.export_csv = export_path;
  options.port = static_cast<uint16_t>(port);
  options.log_requests = wait;
  // Block the stop signals before the server threads start, so only sigwait receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (wait) pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  AA_ASSIGN_OR_RETURN(auto sim, sim::SimServer::Start(options));
  PrintSummary(*sim, export_path);
  if (wait) {
    std::cout << "\nServing until Ctrl-C." << std::endl;
    int received = 0;
    sigwait(&signals, &received);
  }
  sim->Stop();
  return Status::Ok();
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions&) {
  auto* cmd = app.add_subcommand(
      "demo",
      "Start the Organizations API simulator seeded from the bundled user export and "
      "show what it serves");
  static std::string export_path;
  static int port = 0;
  static bool wait = false;
  cmd->add_option("--export", export_path,
                  "User export CSV to seed from (default: the bundled acme export)");
  cmd->add_option("--port", port, "TCP port on 127.0.0.1; 0 picks a free port")
      ->check(CLI::Range(0, 65535));
  cmd->add_flag("--wait", wait, "Keep serving until Ctrl-C instead of exiting");
  cmd->callback([] { Finish(RunDemo(export_path, port, wait)); });
});

}  // namespace
}  // namespace adminauto::cli
