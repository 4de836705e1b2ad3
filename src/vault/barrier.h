// The barrier: the only code that reads or writes ciphertext. It seals values into the format
// of ciphertext.h, with a fresh random nonce per encryption and the record's identity as
// associated data, and opens them again. Data keys are wrapped by a master key through the
// MasterKeyProvider; secrets (API keys) are sealed with a data key in this process.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"
#include "vault/ciphertext.h"
#include "vault/master_key.h"
#include "vault/secret.h"

namespace adminauto::vault {

// Stateless apart from the provider reference, which must outlive it; thread-safe when the
// provider is.
class Barrier {
 public:
  explicit Barrier(MasterKeyProvider& provider) : provider_(provider) {}

  // Wraps `data_key` (32 bytes), version `data_key_version` of `org_id`, with master key
  // `master_version`.
  Result<Bytes> WrapDataKey(std::string_view org_id, uint32_t data_key_version,
                            uint32_t master_version, const SecretBytes& data_key);

  // Unwraps a data key; the master version comes from the header. kDataLoss when the value
  // was changed or belongs to another org or data key version.
  Result<SecretBytes> UnwrapDataKey(std::string_view org_id, uint32_t data_key_version,
                                    ByteView wrapped);

  // Seals `secret` with `data_key` (version `data_key_version` of `org_id`).
  static Result<Bytes> SealSecret(std::string_view org_id, uint32_t data_key_version,
                                  const SecretBytes& data_key, ByteView secret);

  // Opens a sealed secret into guarded memory; kDataLoss when the value does not
  // authenticate for this org, purpose and data key version.
  static Result<SecretBytes> OpenSecret(std::string_view org_id, uint32_t data_key_version,
                                        const SecretBytes& data_key, ByteView sealed);

 private:
  MasterKeyProvider& provider_;
};

}  // namespace adminauto::vault
