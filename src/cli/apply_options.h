// Options and steps shared by the commands that change an org: apply, run and revert. Kept in a
// header because each command is its own translation unit.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "core/clock.h"
#include "engine/apply.h"
#include "engine/apply_session.h"
#include "gateway/server.h"
#include "store/data_dir.h"
#include "store/org_store.h"
#include "vault/org_keys.h"

namespace adminauto::cli {

struct ChangeCommandOptions {
  bool yes = false;
  bool allow_irreversible = false;
  double verify_timeout_seconds = 30;
  // Direct connection, used instead of an org stored by `adminauto org connect`: the key is
  // read for this command and never stored.
  std::string org_id;
  std::string base_url = "https://api.atlassian.com";
  std::string api_key_file;
  // Gateway mode: the key-holding gateway's socket. Empty for direct mode.
  std::string gateway;
};

// Environment variable naming the gateway socket when --gateway is not given.
inline constexpr const char* kGatewaySocketEnv = "ADMINAUTO_GATEWAY_SOCKET";

inline constexpr const char* kGatewayHelp =
    "Gateway mode: send the org's API calls through the key-holding `adminauto gateway` on "
    "this Unix socket (default $ADMINAUTO_GATEWAY_SOCKET); this process then never loads the "
    "master key or opens a stored key";

// Returns the gateway socket a command uses: `flag` when given, else $ADMINAUTO_GATEWAY_SOCKET,
// else empty (direct mode).
inline std::string GatewaySocket(const std::string& flag) {
  if (!flag.empty()) return flag;
  const char* env = std::getenv(kGatewaySocketEnv);
  return env != nullptr ? std::string(env) : std::string();
}

// The connected-org registry of a data directory, opened without the vault, so looking an
// org up never loads the master key.
struct OrgRegistry {
  std::unique_ptr<store::SqliteDb> db;
  std::unique_ptr<store::OrgStore> orgs;

  static Result<OrgRegistry> Open(const std::string& data_dir) {
    OrgRegistry registry;
    AA_ASSIGN_OR_RETURN(registry.db, store::SqliteDb::Open(store::DatabasePath(data_dir)));
    AA_ASSIGN_OR_RETURN(registry.orgs, store::OrgStore::Open(*registry.db));
    return registry;
  }
};

// Checks the org's key status in the registry (the gateway checks it again) and returns a
// transport that sends the org's calls through the gateway at `socket`, which adds the key.
inline Result<std::unique_ptr<atlassian::HttpTransport>> GatewayTransportFor(
    const std::string& socket, const store::OrgRecord& org) {
  AA_RETURN_IF_ERROR(vault::CheckOrgKeyUsable(org));
  return gateway::MakeGatewayTransport(socket, org.org_id);
}

inline void AddChangeOptions(CLI::App* cmd, ChangeCommandOptions& options) {
  cmd->add_flag("--yes", options.yes,
                "Apply without showing the totals and asking for the org name to be typed");
  cmd->add_flag("--allow-irreversible", options.allow_irreversible,
                "Allow changes that revert cannot undo (remove from directory)");
  cmd->add_option("--verify-timeout", options.verify_timeout_seconds,
                  "Seconds to keep reading a change back before it counts as failed, for the "
                  "API's eventual consistency (default 30)")
      ->check(CLI::Range(0.0, 600.0));
  cmd->add_option("--org-id", options.org_id,
                  "Atlassian org id, for a direct connection without `org connect`");
  cmd->add_option("--base-url", options.base_url,
                  "Organizations API base URL for a direct connection (default "
                  "https://api.atlassian.com)");
  cmd->add_option("--api-key-file", options.api_key_file,
                  "File holding the org API key for a direct connection; the key is used for "
                  "this command only and never stored");
  cmd->add_option("--gateway", options.gateway, kGatewayHelp);
}

// Returns the org id of the connected org `name`, or nullopt when no org by that name is
// connected (or the data directory was never initialised).
inline std::optional<std::string> LookupConnectedOrgId(const GlobalOptions& global,
                                                       const std::string& name) {
  if (!std::filesystem::exists(store::DatabasePath(global.data_dir))) return std::nullopt;
  auto registry = OrgRegistry::Open(global.data_dir);
  if (!registry.ok()) return std::nullopt;
  auto org = registry->orgs->Get(name);
  if (!org.ok()) return std::nullopt;
  return org->org_id;
}

// Connects to the org for a command: directly with --api-key-file when given, else through
// the org registry, by `name` or, without one, by `org_id`. In gateway mode the gateway adds
// the key; in direct mode the registry's key is unsealed for this command only.
inline Result<std::unique_ptr<engine::OrgSession>> ConnectForChange(
    const GlobalOptions& global, const ChangeCommandOptions& options, std::string name,
    const std::string& org_id) {
  Clock& clock = SystemClock::Instance();
  if (!options.org_id.empty() && !org_id.empty() && options.org_id != org_id) {
    return InvalidArgument("--org-id " + options.org_id + " does not match the org id " + org_id +
                           " that the plan or run belongs to");
  }
  const std::string socket = GatewaySocket(options.gateway);
  if (!options.api_key_file.empty()) {
    if (!socket.empty()) {
      return InvalidArgument(
          "--api-key-file is for a direct connection and cannot be combined with the gateway (" +
          socket + "); connect the org with `adminauto org connect` for gateway mode");
    }
    std::string id = org_id.empty() ? options.org_id : org_id;
    return engine::ConnectWithKeyFile(name, id, options.base_url, options.api_key_file, clock);
  }

  AA_ASSIGN_OR_RETURN(OrgRegistry registry, OrgRegistry::Open(global.data_dir));
  std::optional<store::OrgRecord> org;
  if (name.empty()) {
    AA_ASSIGN_OR_RETURN(org, registry.orgs->FindByOrgId(org_id));
    if (!org) {
      return NotFound("org id " + org_id +
                      " is not connected; connect it with `adminauto org connect NAME --org-id " +
                      org_id + " ...`, or pass --api-key-file FILE for a direct connection");
    }
  } else {
    AA_ASSIGN_OR_RETURN(org, registry.orgs->Get(name));
  }
  if (!org_id.empty() && org->org_id != org_id) {
    return InvalidArgument("org " + org->name + " is connected with org id " + org->org_id +
                           ", but the plan or run belongs to org id " + org_id);
  }
  if (!socket.empty()) {
    AA_ASSIGN_OR_RETURN(auto transport, GatewayTransportFor(socket, *org));
    return engine::ConnectWithTransport(org->name, org->org_id, org->base_url, std::move(transport),
                                        clock);
  }
  AA_ASSIGN_OR_RETURN(vault::OrgCredential credential,
                      vault::UnsealOrgApiKey(global.data_dir, org->name, clock));
  std::string key(credential.api_key.view());
  return engine::ConnectWithKey(credential.org.name, credential.org.org_id, credential.org.base_url,
                                key, clock);
}

// Ends a command that changed an org: when the API rejected the stored key (HTTP 401), marks
// it invalid, which pauses the org's automation, and adds to `status` what to do. A key from
// --api-key-file is not stored, so nothing is marked for it.
inline Status PauseIfKeyRejected(const GlobalOptions& global, const ChangeCommandOptions& options,
                                 const engine::OrgSession& session, Status status) {
  if (!*session.key_rejected || !options.api_key_file.empty()) return status;
  auto marked = vault::MarkOrgApiKeyInvalid(global.data_dir, session.name,
                                            "the API returned HTTP 401 Unauthorized");
  const std::string message = marked.ok() ? *marked : marked.status().message();
  if (status.ok()) return Status(StatusCode::kUnauthenticated, message);
  return Status(status.code(), status.message() + "\n" + message);
}

inline engine::ApplyOptions MakeApplyOptions(const GlobalOptions& global,
                                             const ChangeCommandOptions& options,
                                             const engine::OrgSession& session) {
  engine::ApplyOptions apply;
  apply.actor = engine::CurrentActor();
  apply.allow_irreversible = options.allow_irreversible;
  apply.poll.window =
      std::chrono::milliseconds(static_cast<int64_t>(options.verify_timeout_seconds * 1000));
  apply.lock_dir = global.data_dir + "/locks";
  apply.budget = session.budget;
  apply.progress =
      engine::MakeProgressPrinter(std::cerr, isatty(STDERR_FILENO) != 0, SystemClock::Instance());
  return apply;
}

inline engine::Interaction MakeInteraction(const ChangeCommandOptions& options, bool dry_run) {
  engine::Interaction interaction;
  interaction.yes = options.yes;
  interaction.dry_run = dry_run;
  interaction.input_is_terminal = isatty(STDIN_FILENO) != 0;
  interaction.output_is_terminal = isatty(STDOUT_FILENO) != 0;
  interaction.in = &std::cin;
  interaction.out = &std::cout;
  interaction.progress = &std::cerr;
  return interaction;
}

}  // namespace adminauto::cli
