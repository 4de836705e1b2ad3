// `adminauto version`: prints the program version.
#include <iostream>

#include "cli/command.h"

namespace {

const bool kRegistered = adminauto::cli::RegisterCommand([](CLI::App& app,
                                                             adminauto::cli::GlobalOptions&) {
  auto* cmd = app.add_subcommand("version", "Print the adminauto version");
  cmd->callback([] { std::cout << "adminauto 0.1.0\n"; });
});

}  // namespace
