// `adminauto gateway`: runs the key-holding gateway on a Unix socket until SIGINT or SIGTERM.
// `adminauto gateway status` and `adminauto gateway unseal` talk to a running gateway.
#include <signal.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "gateway/gateway.h"
#include "vault/key_input.h"

namespace adminauto::cli {
namespace {

struct GatewayArgs {
  std::string socket_path;
  std::vector<uid_t> allowed_uids;
  bool master_key_stdin = false;
  std::string format = "text";
};

std::string SocketPath(const GlobalOptions& global, const GatewayArgs& args) {
  if (!args.socket_path.empty()) return args.socket_path;
  return (std::filesystem::path(global.data_dir) / "gateway.sock").string();
}

void PrintHealth(const gateway::GatewayHealth& health, const std::string& format) {
  if (format == "json") {
    std::cout << "{\"sealed\":" << (health.sealed ? "true" : "false") << ",\"provider\":\""
              << health.provider
              << "\",\"reason\":" << boost::json::serialize(boost::json::value(health.reason))
              << "}\n";
    return;
  }
  if (health.sealed) {
    std::cout << "gateway sealed: " << health.reason
              << "\nunseal it with `adminauto gateway unseal`\n";
  } else {
    std::cout << "gateway unsealed (" << health.provider << " provider)\n";
  }
}

Status RunGateway(const GlobalOptions& global, const GatewayArgs& args) {
  const std::string socket_path = SocketPath(global, args);
  AA_ASSIGN_OR_RETURN(auto backend,
                      gateway::VaultBackend::Open(global.data_dir, SystemClock::Instance()));

  // Block the stop signals before any thread starts, so only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  gateway::GatewayServerOptions options;
  options.allowed_uids = args.allowed_uids;
  AA_ASSIGN_OR_RETURN(auto server,
                      gateway::GatewayServer::Start(socket_path, *backend, std::move(options)));
  std::cout << "gateway listening on " << socket_path << std::endl;
  if (gateway::GatewayHealth health = backend->Health(); health.sealed) {
    std::cout << "gateway sealed: " << health.reason
              << "; it answers only status and unseal requests until `adminauto gateway "
                 "unseal` succeeds"
              << std::endl;
  }
  int received = 0;
  sigwait(&stop_signals, &received);
  std::cout << "gateway stopping (signal " << received << ")" << std::endl;
  server.reset();
  return Status::Ok();
}

Status RunStatus(const GlobalOptions& global, const GatewayArgs& args) {
  AA_ASSIGN_OR_RETURN(gateway::GatewayHealth health,
                      gateway::QueryGatewayHealth(SocketPath(global, args)));
  PrintHealth(health, args.format);
  return Status::Ok();
}

Status RunUnseal(const GlobalOptions& global, const GatewayArgs& args) {
  vault::SecretBytes master_key;
  if (args.master_key_stdin) {
    AA_ASSIGN_OR_RETURN(master_key, vault::ReadApiKeyFd(STDIN_FILENO, "standard input"));
  }
  AA_ASSIGN_OR_RETURN(gateway::GatewayHealth health,
                      gateway::UnsealGateway(SocketPath(global, args), master_key.view()));
  PrintHealth(health, args.format);
  return Status::Ok();
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<GatewayArgs>();
  auto* cmd = app.add_subcommand(
      "gateway",
      "Hold the master key and forward workers' org API calls with the org's key. Workers use "
      "it with `--gateway SOCKET` (or ADMINAUTO_GATEWAY_SOCKET) on sync, apply, run and revert");
  cmd->add_option("--socket", args->socket_path,
                  "Unix socket path, created mode 0600 (default DATA_DIR/gateway.sock)");
  cmd->add_option("--allow-uid", args->allowed_uids,
                  "User id allowed to connect, checked on every connection; repeat for several "
                  "(default: the gateway's own user id only)");
  cmd->require_subcommand(0, 1);

  auto* status =
      cmd->add_subcommand("status", "Ask a running gateway whether it is sealed and why");
  status->add_option("--format", args->format, "Output format: text or json (default text)")
      ->check(CLI::IsMember({"text", "json"}));
  status->callback([args, &global] { Finish(RunStatus(global, *args)); });

  auto* unseal = cmd->add_subcommand(
      "unseal",
      "Unseal a running gateway: it opens its master-key provider again (after the key file's "
      "mode was fixed or the token became available), or takes the env provider's key");
  unseal->add_flag("--master-key-stdin", args->master_key_stdin,
                   "Read the env provider's key (the ADMINAUTO_MASTER_KEY value) from standard "
                   "input and send it to the gateway");
  unseal->add_option("--format", args->format, "Output format: text or json (default text)")
      ->check(CLI::IsMember({"text", "json"}));
  unseal->callback([args, &global] { Finish(RunUnseal(global, *args)); });

  cmd->callback([cmd, args, &global] {
    if (!cmd->get_subcommands().empty()) return;
    Finish(RunGateway(global, *args));
  });
});

}  // namespace
}  // namespace adminauto::cli
