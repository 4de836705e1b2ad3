// `adminauto init`: creates the data directory (mode 0700), the master key and the database.
// This file also disables core dumps for every adminauto command, because any of them may
// hold a decrypted key.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli/command.h"
#include "store/key_store.h"
#include "store/org_store.h"
#include "store/sqlite.h"
#include "vault/key_vault.h"
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

// Creates `dir` with mode 0700, or tightens an existing directory to 0700.
Status PrepareDataDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create the data directory " + dir + ": " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Internal("cannot set mode 0700 on the data directory " + dir);
  }
  return Status::Ok();
}

// Creates the key file if needed and opens the chosen provider.
Result<std::unique_ptr<vault::MasterKeyProvider>> PrepareProvider(const std::string& data_dir,
                                                                  store::VaultConfig& config,
                                                                  bool& created_key_file) {
  created_key_file = false;
  if (config.provider == "file") {
    const std::string path = (fs::path(data_dir) / vault::kMasterKeyFileName).string();
    if (!fs::exists(path)) {
      AA_RETURN_IF_ERROR(vault::CreateMasterKeyFile(path));
      created_key_file = true;
    }
    return vault::OpenMasterKeyFile(path);
  }
  if (config.provider == "env" &&
      std::getenv(std::string(vault::kMasterKeyEnv).c_str()) == nullptr) {
    return FailedPrecondition(
        "--master-key env needs " + std::string(vault::kMasterKeyEnv) +
        " set to a base64 32-byte key, for example from `head -c 32 /dev/urandom | base64`");
  }
  if (config.provider == "pkcs11" && config.pkcs11_token.empty()) {
    return InvalidArgument("--master-key pkcs11 needs --pkcs11-token LABEL");
  }
  return vault::OpenConfiguredProvider(data_dir, config);
}

Status RunInit(const GlobalOptions& global, const InitArgs& args) {
  const std::string& dir = global.data_dir;
  AA_RETURN_IF_ERROR(PrepareDataDir(dir));
  AA_ASSIGN_OR_RETURN(auto db, store::SqliteDb::Open(vault::DatabaseFile(dir)));
  AA_ASSIGN_OR_RETURN(auto orgs, store::OrgStore::Open(*db));
  AA_ASSIGN_OR_RETURN(auto keys, store::KeyStore::Open(*db, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(auto existing, keys->GetConfig());
  if (existing && existing->provider != args.master_key) {
    return FailedPrecondition("the data directory " + dir + " is already initialised with the " +
                              existing->provider + " master-key provider; it cannot switch to " +
                              args.master_key + " with init");
  }

  store::VaultConfig config{args.master_key, "", ""};
  if (args.master_key == "pkcs11") {
    config.pkcs11_module = args.pkcs11_module;
    config.pkcs11_token = args.pkcs11_token;
  }
  bool created_key_file = false;
  AA_ASSIGN_OR_RETURN(auto provider, PrepareProvider(dir, config, created_key_file));
  AA_ASSIGN_OR_RETURN(auto key_vault,
                      vault::KeyVault::Open(*db, std::move(provider), "", SystemClock::Instance()));
  AA_RETURN_IF_ERROR(key_vault->Initialize(config));

  vault::SealStatus status = key_vault->status();
  std::cout << (existing ? "already initialised " : "initialised ") << dir << "\n"
            << "  database:   " << vault::DatabaseFile(dir) << "\n"
            << "  master key: " << config.provider << " provider, active version "
            << status.active_master_version;
  if (config.provider == "file") {
    std::cout << " in " << (fs::path(dir) / vault::kMasterKeyFileName).string()
              << (created_key_file ? " (created, mode 0600)" : " (mode 0600)");
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
