// Steps that set up a data directory, shared by `adminauto init`, `adminauto org connect` and
// `adminauto demo`. Kept in a header because each command is its own translation unit.
#pragma once

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/status.h"
#include "store/data_dir.h"
#include "store/key_store.h"
#include "store/org_store.h"
#include "store/sqlite.h"
#include "vault/key_vault.h"
#include "vault/master_key.h"
#include "vault/org_keys.h"
#include "vault/secret.h"

namespace adminauto::cli {

// Outcome of InitializeDataDir: the provider set up and whether anything was created.
struct InitOutcome {
  bool already_initialised = false;
  bool created_key_file = false;
  store::VaultConfig config;
  uint32_t active_master_version = 0;
};

// Creates `dir` with mode 0700, or tightens an existing directory to 0700.
inline Status PrepareDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("cannot create the data directory " + dir + ": " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0) {
    return Internal("cannot set mode 0700 on the data directory " + dir);
  }
  return Status::Ok();
}

// Creates the key file if needed and opens the provider `config` names.
inline Result<std::unique_ptr<vault::MasterKeyProvider>> PrepareProvider(
    const std::string& data_dir, const store::VaultConfig& config, bool& created_key_file) {
  created_key_file = false;
  if (config.provider == "file") {
    const std::string path = (std::filesystem::path(data_dir) / vault::kMasterKeyFileName).string();
    if (!std::filesystem::exists(path)) {
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

// Creates the data directory, its master key (for the file provider) and its database, or
// checks an existing one. A directory initialised with another provider is rejected.
inline Result<InitOutcome> InitializeDataDir(const std::string& dir,
                                             const store::VaultConfig& config) {
  AA_RETURN_IF_ERROR(PrepareDataDir(dir));
  AA_ASSIGN_OR_RETURN(auto db, store::SqliteDb::Open(store::DatabasePath(dir)));
  AA_ASSIGN_OR_RETURN(auto orgs, store::OrgStore::Open(*db));
  AA_ASSIGN_OR_RETURN(auto keys, store::KeyStore::Open(*db, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(auto existing, keys->GetConfig());
  if (existing && existing->provider != config.provider) {
    return FailedPrecondition("the data directory " + dir + " is already initialised with the " +
                              existing->provider + " master-key provider; it cannot switch to " +
                              config.provider + " with init");
  }
  InitOutcome outcome;
  outcome.already_initialised = existing.has_value();
  outcome.config = config;
  AA_ASSIGN_OR_RETURN(auto provider, PrepareProvider(dir, config, outcome.created_key_file));
  AA_ASSIGN_OR_RETURN(auto key_vault,
                      vault::KeyVault::Open(*db, std::move(provider), "", SystemClock::Instance()));
  AA_RETURN_IF_ERROR(key_vault->Initialize(config));
  outcome.active_master_version = key_vault->status().active_master_version;
  return outcome;
}

// Registers `org` in the open data directory `dir` and seals its API key, in one transaction.
inline Status StoreOrgConnection(vault::DataDirVault& dir, const store::OrgRecord& org,
                                 const vault::SecretBytes& key) {
  store::Transaction tx(*dir.db);
  AA_RETURN_IF_ERROR(tx.status());
  AA_RETURN_IF_ERROR(dir.orgs->Insert(org));
  AA_RETURN_IF_ERROR(dir.vault->StoreApiKey(org.org_id, key.bytes()));
  return tx.Commit();
}

}  // namespace adminauto::cli
