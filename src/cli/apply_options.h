// Options and steps shared by the commands that change an org: apply, run and revert. Kept in a
// header because each command is its own translation unit.
#pragma once

#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "cli/command.h"
#include "core/clock.h"
#include "engine/apply.h"
#include "engine/apply_session.h"
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
};

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
}

// Returns the org id of the connected org `name`, or nullopt when no org by that name is
// connected (or the data directory was never initialised).
inline std::optional<std::string> LookupConnectedOrgId(const GlobalOptions& global,
                                                       const std::string& name) {
  auto dir = vault::OpenDataDirVault(global.data_dir, SystemClock::Instance());
  if (!dir.ok()) return std::nullopt;
  auto org = dir->orgs->Get(name);
  if (!org.ok()) return std::nullopt;
  return org->org_id;
}

// Connects to the org for a command: directly with --api-key-file when given, else through
// the org registry, by `name` or, without one, by `org_id`. The registry's key is unsealed
// for this command only.
inline Result<std::unique_ptr<engine::OrgSession>> ConnectForChange(
    const GlobalOptions& global, const ChangeCommandOptions& options, std::string name,
    const std::string& org_id) {
  Clock& clock = SystemClock::Instance();
  if (!options.org_id.empty() && !org_id.empty() && options.org_id != org_id) {
    return InvalidArgument("--org-id " + options.org_id + " does not match the org id " + org_id +
                           " that the plan or run belongs to");
  }
  if (!options.api_key_file.empty()) {
    std::string id = org_id.empty() ? options.org_id : org_id;
    return engine::ConnectWithKeyFile(name, id, options.base_url, options.api_key_file, clock);
  }

  if (name.empty()) {
    AA_ASSIGN_OR_RETURN(vault::DataDirVault dir, vault::OpenDataDirVault(global.data_dir, clock));
    AA_ASSIGN_OR_RETURN(std::optional<store::OrgRecord> org, dir.orgs->FindByOrgId(org_id));
    if (!org) {
      return NotFound("org id " + org_id +
                      " is not connected; connect it with `adminauto org connect NAME --org-id " +
                      org_id + " ...`, or pass --api-key-file FILE for a direct connection");
    }
    name = org->name;
  }
  AA_ASSIGN_OR_RETURN(vault::OrgCredential credential,
                      vault::UnsealOrgApiKey(global.data_dir, name, clock));
  if (!org_id.empty() && credential.org.org_id != org_id) {
    return InvalidArgument("org " + name + " is connected with org id " + credential.org.org_id +
                           ", but the plan or run belongs to org id " + org_id);
  }
  std::string key(credential.api_key.view());
  return engine::ConnectWithKey(credential.org.name, credential.org.org_id, credential.org.base_url,
                                key, clock);
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
