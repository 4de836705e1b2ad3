// `adminauto init`: creates the data directory (mode 0700), the master key and the database.
// This file also disables core dumps for every adminauto command, because any of them may
// hold a decrypted key.
#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "cli/data_dir_setup.h"
#include "store/data_dir.h"
#include "vault/master_key.h"
#include "vault/org_keys.h"
#include "vault/secret.h"

namespace adminauto::cli {
namespace {

namespace fs = std::filesystem;

// Runs before main(): a core file of a process holding a key would contain the key.
const bool kCoreDumpsDisabled = [] {
  Status status = vault::DisableCoreDumps();
  if (!status.ok()) std::cerr << "warning: " << status.message() << "\n";
  return status.ok();
}();

struct InitArgs {
  std::string master_key = "file";
  std::string pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so";
  std::string pkcs11_token;
};

Status RunInit(const GlobalOptions& global, const InitArgs& args) {
  const std::string& dir = global.data_dir;
  store::VaultConfig config{args.master_key, "", ""};
  if (args.master_key == "pkcs11") {
    config.pkcs11_module = args.pkcs11_module;
    config.pkcs11_token = args.pkcs11_token;
  }
  AA_ASSIGN_OR_RETURN(InitOutcome outcome, InitializeDataDir(dir, config));
  std::cout << (outcome.already_initialised ? "already initialised " : "initialised ") << dir
            << "\n"
            << "  database:   " << store::DatabasePath(dir) << "\n"
            << "  master key: " << config.provider << " provider, active version "
            << outcome.active_master_version;
  if (config.provider == "file") {
    std::cout << " in " << (fs::path(dir) / vault::kMasterKeyFileName).string()
              << (outcome.created_key_file ? " (created, mode 0600)" : " (mode 0600)");
  } else if (config.provider == "pkcs11") {
    std::cout << " on token \"" << config.pkcs11_token << "\"";
  }
  std::cout << "\n";
  if (config.provider == "file") {
    std::cout << "Back up the master key file apart from the database: without it no stored "
                 "API key can be opened.\n";
  }
  return Status::Ok();
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<InitArgs>();
  auto* cmd = app.add_subcommand(
      "init", "Create the data directory (mode 0700), its master key and its database");
  cmd->add_option("--master-key", args->master_key,
                  "Where the master key lives: file (DATA_DIR/master.key, mode 0600; the "
                  "default), env (ADMINAUTO_MASTER_KEY, base64) or pkcs11 (an HSM token)")
      ->check(CLI::IsMember({"file", "env", "pkcs11"}));
  cmd->add_option("--pkcs11-module", args->pkcs11_module,
                  "PKCS#11 module path (default /usr/lib/softhsm/libsofthsm2.so); the PIN comes "
                  "from ADMINAUTO_PKCS11_PIN or the file named by ADMINAUTO_PKCS11_PIN_FILE");
  cmd->add_option("--pkcs11-token", args->pkcs11_token, "Label of the PKCS#11 token");
  cmd->callback([args, &global] { Finish(RunInit(global, *args)); });
});

}  // namespace
}  // namespace adminauto::cli
