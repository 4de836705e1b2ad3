// Subcommand registration for the `adminauto` executable. Each command lives in its own
// cmd_*.cc file and registers itself at static-initialisation time, so adding a command
// touches no shared file:
//
//   namespace {
//   const bool kRegistered = adminauto::cli::RegisterCommand(
//       [](CLI::App& app, adminauto::cli::GlobalOptions& global) {
//         auto* cmd = app.add_subcommand("sync", "Sync an org's directory into the store");
//         ...
//         cmd->callback([&global] { adminauto::cli::Finish(RunSync(global)); });
//       });
//   }  // namespace
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "core/status.h"

namespace adminauto::cli {

// Exit statuses shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitSafetyLimit = 3;

// Options every command accepts.
struct GlobalOptions {
  std::string data_dir;     // --data-dir, else $ADMINAUTO_DATA_DIR, else ./adminauto-data
  std::string config_file;  // --config
  std::string log_format = "text";
  bool verbose = false;
};

using CommandSetup = std::function<void(CLI::App& app, GlobalOptions& global)>;

// Adds a command to the executable. Returns true so it can initialise a namespace constant.
bool RegisterCommand(CommandSetup setup);

// Ends the running command with `exit_code`; main() returns it. Throws CLI::RuntimeError.
[[noreturn]] void Exit(int exit_code);

// Prints a failed status as "error: ..." on stderr and exits 1 (3 for kAborted, which a
// safety limit returns); returns normally on success.
void Finish(const Status& status);

}  // namespace adminauto::cli
