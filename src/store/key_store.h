// Storage of the vault's sealed material: which master-key provider the data directory uses,
// master key versions and their use counts, each org's wrapped data keys and sealed secrets.
// Values are opaque bytes here; only vault::Barrier reads or writes their contents. Migration
// component: "vault_keys".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "core/time.h"
#include "store/sqlite.h"

namespace adminauto::store {

// The master-key provider configuration of this database. Not secret.
struct VaultConfig {
  std::string provider;  // "file", "env" or "pkcs11"
  std::string pkcs11_module;
  std::string pkcs11_token;
};

enum class MasterKeyState { kActive, kPrevious, kRetired };
std::string_view ToString(MasterKeyState state);

struct MasterKeyRow {
  uint32_t version = 0;
  MasterKeyState state = MasterKeyState::kPrevious;
  int64_t encryptions = 0;  // data keys wrapped with this version so far
  Timestamp created_at{};
};

struct DataKeyRow {
  std::string org_id;
  uint32_t version = 0;
  uint32_t master_version = 0;  // the master key that wrapped it
  std::vector<uint8_t> wrapped;
  int64_t encryptions = 0;  // secrets sealed with this data key so far
  Timestamp created_at{};
};

struct SecretRow {
  std::string org_id;
  std::string purpose;  // "api-key"
  uint32_t data_key_version = 0;
  std::vector<uint8_t> sealed;
  Timestamp updated_at{};
};

// Not thread-safe; `db` must outlive the store. Methods do not open transactions: callers
// group related writes in one store::Transaction.
class KeyStore {
 public:
  static Result<std::unique_ptr<KeyStore>> Open(SqliteDb& db, Clock& clock);

  Result<std::optional<VaultConfig>> GetConfig();
  Status SetConfig(const VaultConfig& config);

  // Master key versions, ascending.
  Result<std::vector<MasterKeyRow>> ListMasterKeys();
  Status InsertMasterKey(uint32_t version, MasterKeyState state);
  Status SetMasterKeyState(uint32_t version, MasterKeyState state);
  Status CountMasterEncryption(uint32_t version);

  // The highest data key version of `org_id`, if any.
  Result<std::optional<DataKeyRow>> LatestDataKey(std::string_view org_id);
  Result<std::optional<DataKeyRow>> GetDataKey(std::string_view org_id, uint32_t version);
  // Every data key of every org, ordered by org id and version.
  Result<std::vector<DataKeyRow>> ListDataKeys();
  Status InsertDataKey(const DataKeyRow& row);
  // Replaces a data key's wrapping (after a master key rotation).
  Status UpdateWrapping(std::string_view org_id, uint32_t version, uint32_t master_version,
                        const std::vector<uint8_t>& wrapped);
  Status CountDataKeyEncryption(std::string_view org_id, uint32_t version);
  // Deletes the data keys of `org_id` older than `keep_version`.
  Status DeleteDataKeysBefore(std::string_view org_id, uint32_t keep_version);

  Result<std::optional<SecretRow>> GetSecret(std::string_view org_id, std::string_view purpose);
  // Inserts or replaces the secret of (org id, purpose).
  Status PutSecret(const SecretRow& row);

  // Deletes every data key and secret of `org_id`.
  Status DeleteOrg(std::string_view org_id);

 private:
  KeyStore(SqliteDb& db, Clock& clock) : db_(db), clock_(clock) {}
  Timestamp Now() const { return ToTimestamp(clock_.Now()); }
  SqliteDb& db_;
  Clock& clock_;
};

}  // namespace adminauto::store
