// adminauto-sim: serves the simulated Organizations API until SIGINT or SIGTERM.
#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "core/log.h"
#include "sim/sim_server.h"

namespace {

int WaitForSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

}  // namespace

int main(int argc, char** argv) {
  using adminauto::sim::SimOptions;
  SimOptions options;
  std::string faults_file;
  std::string log_format = "text";
  int port = 0;
  CLI::App app{"adminauto-sim: a local simulator of the Atlassian Organizations REST API"};
  app.add_option("--port", port, "TCP port to listen on; 0 picks a free port")
      ->check(CLI::Range(0, 65535));
  app.add_option("--host", options.host, "Address to listen on (default 127.0.0.1)");
  app.add_option("--org-id", options.org_id, "Organization id the simulator serves");
  app.add_option("--org-name", options.org_name, "Organization name");
  app.add_option("--api-key", options.api_key,
                 "API key the simulator accepts (a test key, not a real credential)")
      ->capture_default_str();
  auto* export_opt = app.add_option("--export", options.export_csv,
                                    "Seed from a user export CSV (admin.atlassian.com format)");
  auto* users_opt = app.add_option("--users", options.users,
                                   "Seed N generated accounts (deterministic for a --seed)")
                        ->check(CLI::Range(0, 10'000'000));
  app.add_option("--seed", options.seed, "Random seed of --users (default 1)");
  auto* state_opt = app.add_option("--state", options.state_file, "Seed from a state file (JSON)");
  export_opt->excludes(users_opt)->excludes(state_opt);
  users_opt->excludes(state_opt);
  app.add_option("--faults", faults_file, "Faults to inject, a JSON file");
  app.add_flag("--serve-removed-v1", options.serve_removed_v1,
               "Serve the v1 write and search endpoints removed after 2026-06-30");
  app.add_option("--threads", options.threads, "Worker threads (default 2)")
      ->check(CLI::Range(1, 64));
  app.add_option("--log-format", log_format, "Log format on stderr: text or json");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  adminauto::LogFormat format;
  if (!adminauto::ParseLogFormat(log_format, format)) {
    std::cerr << "error: invalid --log-format \"" << log_format << "\"; use text or json\n";
    return 2;
  }
  adminauto::ConfigureLogging(format);
  options.port = static_cast<uint16_t>(port);
  if (!faults_file.empty()) {
    std::ifstream in(faults_file, std::ios::binary);
    if (!in) {
      std::cerr << "error: cannot open faults file \"" << faults_file << "\"; check the path\n";
      return 1;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto faults = adminauto::sim::Faults::FromJson(text.str(), faults_file);
    if (!faults.ok()) {
      std::cerr << "error: " << faults.status().message() << "\n";
      return 1;
    }
    options.faults = std::move(*faults);
  }
  // Block the stop signals before threads start, so only the watcher's sigwait receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Seeding a large generated org takes minutes. A stop signal during seeding ends the process
  // at once, because nothing is served or saved yet.
  std::atomic<bool> serving{false};
  std::atomic<int> stop_signal{0};
  std::thread watcher([&] {
    int received = WaitForSignal();
    if (!serving.load()) std::_Exit(128 + received);
    stop_signal.store(received);
    stop_signal.notify_one();
  });
  watcher.detach();
  auto sim = adminauto::sim::SimServer::Start(std::move(options));
  if (!sim.ok()) {
    std::cerr << "error: " << sim.status().message() << "\n";
    return 1;
  }
  serving.store(true);
  std::cout << "listening on " << (*sim)->base_url() << std::endl;
  std::cout << "org " << (*sim)->org_id() << ", directory " << (*sim)->directory_id() << std::endl;
  stop_signal.wait(0);
  adminauto::GetLogger("sim")->info("stopping signal={}", stop_signal.load());
  (*sim)->Stop();
  return 0;
}
