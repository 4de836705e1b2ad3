// The `adminauto` command line: global options, then the subcommands that registered
// themselves through RegisterCommand.
#include <cstdlib>
#include <iostream>
#include <vector>

#include "cli/command.h"
#include "core/log.h"

namespace adminauto::cli {
namespace {

std::vector<CommandSetup>& Registry() {
  static std::vector<CommandSetup> commands;
  return commands;
}

}  // namespace

bool RegisterCommand(CommandSetup setup) {
  Registry().push_back(std::move(setup));
  return true;
}

void Exit(int exit_code) { throw CLI::RuntimeError(exit_code); }

void Finish(const Status& status) {
  if (status.ok()) return;
  std::cerr << "error: " << status.message() << "\n";
  Exit(status.code() == StatusCode::kAborted ? kExitSafetyLimit : kExitError);
}

}  // namespace adminauto::cli

int main(int argc, char** argv) {
  using namespace adminauto;
  CLI::App app{"adminauto: automated user management for Atlassian Cloud organizations"};
  app.require_subcommand(1);
  app.fallthrough();
  cli::GlobalOptions global;
  const char* env_dir = std::getenv("ADMINAUTO_DATA_DIR");
  global.data_dir = env_dir && *env_dir ? env_dir : "adminauto-data";
  app.add_option("--data-dir", global.data_dir,
                 "Directory holding the database and key files (default $ADMINAUTO_DATA_DIR, "
                 "else ./adminauto-data)");
  app.add_option("--config", global.config_file, "TOML configuration file");
  app.add_option("--log-format", global.log_format, "Log format: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-v,--verbose", global.verbose, "Log debug messages");
  app.parse_complete_callback([&global] {
    LogFormat format = LogFormat::kText;
    ParseLogFormat(global.log_format, format);
    ConfigureLogging(format, global.verbose ? spdlog::level::debug : spdlog::level::info);
  });
  for (auto& setup : cli::Registry()) setup(app, global);

  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : cli::kExitUsage;
  }
  return cli::kExitOk;
}
