// Options and steps shared by the commands that change an org: apply, run and revert. Kept in a
// header because each command is its own translation unit.
#pragma once

#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "core/clock.h"
#include "engine/apply.h"
#include "engine/apply_session.h"

namespace adminauto::cli {

struct ChangeCommandOptions {
  bool yes = false;
  bool allow_irreversible = false;
  double verify_timeout_seconds = 30;
  // Direct connection, used instead of a connected org: the key is read and never stored.
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

// Connects to the org named `name` (or with id `org_id`) for a command.
// NOTE: only the direct connection (--api-key-file with --org-id or the plan's org id) is
// wired; orgs stored by `adminauto org connect` are not looked up here yet.
inline Result<std::unique_ptr<engine::OrgSession>> ConnectForChange(
    const ChangeCommandOptions& options, const std::string& name, const std::string& org_id) {
  if (options.api_key_file.empty()) {
    return FailedPrecondition("no API key for org " + (name.empty() ? org_id : name) +
                              "; pass --api-key-file FILE (with --base-url for a non-default "
                              "API endpoint)");
  }
  if (!options.org_id.empty() && !org_id.empty() && options.org_id != org_id) {
    return InvalidArgument("--org-id " + options.org_id + " does not match the org id " + org_id +
                           " that the plan or run belongs to");
  }
  std::string id = org_id.empty() ? options.org_id : org_id;
  return engine::ConnectWithKeyFile(name, id, options.base_url, options.api_key_file,
                                    SystemClock::Instance());
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
