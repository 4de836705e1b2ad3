// `adminauto gateway`: runs the key-holding gateway on a Unix socket until SIGINT or SIGTERM.
#include <signal.h>

#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "gateway/gateway.h"

namespace adminauto::cli {
namespace {

Status RunGateway(const GlobalOptions& global, std::string socket_path) {
  if (socket_path.empty()) {
    socket_path = (std::filesystem::path(global.data_dir) / "gateway.sock").string();
  }
  AA_ASSIGN_OR_RETURN(auto backend,
                      gateway::VaultBackend::Open(global.data_dir, SystemClock::Instance()));

  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  AA_ASSIGN_OR_RETURN(auto server, gateway::GatewayServer::Start(socket_path, *backend));
  std::cout << "gateway listening on " << socket_path << std::endl;
  int received = 0;
  sigwait(&stop_signals, &received);
  std::cout << "gateway stopping (signal " << received << ")" << std::endl;
  server.reset();
  return Status::Ok();
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto socket_path = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "gateway", "Hold the master key and forward workers' org API calls with the org's key");
  cmd->add_option("--socket", *socket_path,
                  "Unix socket path, created mode 0600 (default DATA_DIR/gateway.sock)");
  cmd->callback([socket_path, &global] { Finish(RunGateway(global, *socket_path)); });
});

}  // namespace
}  // namespace adminauto::cli
