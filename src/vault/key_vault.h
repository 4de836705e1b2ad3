// KeyVault: envelope encryption of org secrets on top of the key store. Each org has a 256-bit
// data key that seals its API key; data keys are wrapped by the active master key version.
// It counts encryptions per key, rotates data keys automatically and master keys on request,
// and reports itself sealed when its master-key provider is not available.
//
// Encryption limits: every key here encrypts with a random 96-bit nonce, which AES-GCM allows
// for at most 2^32 encryptions per key. A data key is replaced once it has sealed
// `rotate_after_encryptions` values (default 2^24, 256 times below that bound, where the
// chance of a repeated nonce is below 2^-48). A master key past that count is reported as due
// for rotation, and past `max_encryptions` (default 2^30) it wraps nothing more until rotated.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/key_store.h"
#include "store/sqlite.h"
#include "vault/master_key.h"
#include "vault/secret.h"

namespace adminauto::vault {

inline constexpr int64_t kRotateAfterEncryptions = int64_t{1} << 24;
inline constexpr int64_t kMaxEncryptions = int64_t{1} << 30;

struct VaultOptions {
  int64_t rotate_after_encryptions = kRotateAfterEncryptions;
  int64_t max_encryptions = kMaxEncryptions;
};

// What the server reports while the vault cannot open keys: it then serves only health and
// unseal requests, with `reason` as the explanation.
struct SealStatus {
  bool sealed = true;
  std::string provider;  // "file", "env", "pkcs11" or empty before init
  std::string reason;    // why it is sealed and how to unseal; empty when unsealed
  uint32_t active_master_version = 0;
  bool master_rotation_due = false;
};

inline constexpr std::string_view kApiKeyPurpose = "api-key";

class KeyVault {
 public:
  // Opens the key store in `db`. `provider` may be null, in which case the vault is sealed and
  // `sealed_reason` gives the reason. `db` and `clock` must outlive the vault. Not thread-safe.
  static Result<std::unique_ptr<KeyVault>> Open(store::SqliteDb& db,
                                                std::unique_ptr<MasterKeyProvider> provider,
                                                std::string sealed_reason, Clock& clock,
                                                VaultOptions options = {});

  // Records `config` and makes the provider's highest key version the active master key,
  // creating version 1 on the provider when it holds none. Idempotent.
  Status Initialize(const store::VaultConfig& config);

  SealStatus status();

  // Checks that the provider contains the master key the database expects: it has the active
  // version, and it opens one stored data key wrapped by each version in use. kDataLoss when
  // a data key does not open (a different master key), kFailedPrecondition when sealed.
  Status VerifyMasterKey();

  // Seals `secret` for `org_id`, replacing the previous one, in one transaction (joining the
  // caller's transaction when one is open, as every writing method here does). Creates the
  // org's first data key, or a new one when the current key reached the rotation count.
  Status StoreApiKey(std::string_view org_id, ByteView secret);

  // Opens the org's API key into guarded memory. kNotFound when none is stored.
  Result<SecretBytes> OpenApiKey(std::string_view org_id);

  // Replaces the org's data key: a new version, the secret sealed again under it, the old
  // versions deleted.
  Status RotateDataKey(std::string_view org_id);

  // --- Master key rotation: add, promote, re-wrap, retire. Each step is safe online: at every
  // point every data key is wrapped by a version the provider still holds. ---

  // Creates the next master key version on the provider (not yet active); returns it.
  Result<uint32_t> AddMasterKeyVersion();
  // Makes `version` wrap every new data key from now on.
  Status PromoteMasterKey(uint32_t version);
  // Re-wraps every data key not wrapped by the active version, one transaction per key;
  // returns how many were re-wrapped.
  Result<int> RewrapDataKeys();
  // Destroys `version` on the provider. Rejected while it is active or still wraps a data key.
  Status RetireMasterKey(uint32_t version);

  // Deletes the org's data keys and secrets.
  Status DeleteOrgKeys(std::string_view org_id);

  store::KeyStore& keys() { return *keys_; }

 private:
  KeyVault(store::SqliteDb& db, std::unique_ptr<MasterKeyProvider> provider, std::string reason,
           VaultOptions options)
      : db_(db),
        provider_(std::move(provider)),
        sealed_reason_(std::move(reason)),
        options_(options) {}

  Status CheckUnsealed() const;
  Result<uint32_t> ActiveMasterVersion();
  // Creates data key `version` for `org_id`, wrapped by the active master key.
  Result<SecretBytes> CreateDataKey(std::string_view org_id, uint32_t version);
  Result<SecretBytes> UnwrapRow(const store::DataKeyRow& row);
  Status SealWith(std::string_view org_id, uint32_t version, const SecretBytes& data_key,
                  ByteView secret);

  store::SqliteDb& db_;
  std::unique_ptr<store::KeyStore> keys_;
  std::unique_ptr<MasterKeyProvider> provider_;
  std::string sealed_reason_;
  VaultOptions options_;
};

}  // namespace adminauto::vault
