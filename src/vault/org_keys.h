// The org key API for other modules: open a data directory's vault, get one org's decrypted
// API key for one use, and mark a key invalid after the API returned 401.
//
// Typical use (sync, apply):
//
//   AA_ASSIGN_OR_RETURN(vault::OrgCredential cred,
//                       vault::UnsealOrgApiKey(global.data_dir, name, clock));
//   transport_options.base_url = cred.org.base_url;
//   transport_options.api_key = std::string(cred.api_key.view());   // wiped by the transport
//   ... // cred goes out of scope: the guarded copy is wiped and freed
//
//   // After a 401 from the org API:
//   vault::MarkOrgApiKeyInvalid(global.data_dir, name, "the API returned 401 Unauthorized");
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "store/key_store.h"
#include "store/org_store.h"
#include "store/sqlite.h"
#include "vault/key_vault.h"
#include "vault/master_key.h"
#include "vault/secret.h"

namespace adminauto::vault {

// An org's registry row and its decrypted API key in guarded memory. Move-only; the key is
// wiped when the credential is destroyed, so keep it only for the calls that need it.
struct OrgCredential {
  store::OrgRecord org;
  SecretBytes api_key;
};

// Keys expiring within this many days get a warning on stderr and in `org list`/`org show`.
inline constexpr int kExpiryWarningDays = 3;

// The database, org registry and vault of one data directory. Not thread-safe.
struct DataDirVault {
  std::unique_ptr<store::SqliteDb> db;
  std::unique_ptr<store::OrgStore> orgs;
  std::unique_ptr<KeyVault> vault;
};

// Opens the master-key provider that `config` names: the key file in `data_dir`, the
// ADMINAUTO_MASTER_KEY environment variable, or the PKCS#11 token (module and label from the
// config, overridable by ADMINAUTO_PKCS11_MODULE / ADMINAUTO_PKCS11_TOKEN; PIN from
// ADMINAUTO_PKCS11_PIN or the file named by ADMINAUTO_PKCS11_PIN_FILE).
Result<std::unique_ptr<MasterKeyProvider>> OpenConfiguredProvider(const std::string& data_dir,
                                                                  const store::VaultConfig& config);

// Opens the data directory's database and vault. When the master key is unavailable the vault
// opens sealed (vault->status() gives the reason) rather than failing, so callers that only list
// orgs still work. Fails with kFailedPrecondition when the directory was never initialised.
Result<DataDirVault> OpenDataDirVault(const std::string& data_dir, Clock& clock);

// Looks up `org_name`, checks that its key is usable (valid and not expired; a message says
// what to do otherwise) and returns the decrypted key for one use. Logs a warning when the
// key expires within kExpiryWarningDays. Thread-safe as long as each call opens its own
// database connection, which it does.
Result<OrgCredential> UnsealOrgApiKey(const std::string& data_dir, std::string_view org_name,
                                      Clock& clock = SystemClock::Instance());
// The same on an already open data directory.
Result<OrgCredential> UnsealOrgApiKey(DataDirVault& dir, std::string_view org_name,
                                      Clock& clock = SystemClock::Instance());

// Marks the org's key invalid with `reason` (for example "the API returned 401
// Unauthorized"), which pauses the org's automation: UnsealOrgApiKey fails until
// `adminauto org replace-key` stores a new key. Returns the message to show the user.
Result<std::string> MarkOrgApiKeyInvalid(const std::string& data_dir, std::string_view org_name,
                                         std::string_view reason);

// Checks that `org`'s key is usable now: valid and not expired (kUnauthenticated with a
// message naming the fix otherwise). Logs a warning when it expires within
// kExpiryWarningDays. Reads only the registry row, never the key.
Status CheckOrgKeyUsable(const store::OrgRecord& org, Clock& clock = SystemClock::Instance());

// The message shown while a key cannot be used: what happened and the command that fixes it.
std::string KeyUnusableMessage(const store::OrgRecord& org, store::KeyStatus status);

}  // namespace adminauto::vault
