// AES-256-GCM through OpenSSL's EVP interface, with a 96-bit nonce and a 128-bit tag. This is
// the raw primitive; Barrier adds the header, the associated data and nonce generation.
#pragma once

#include "core/status.h"
#include "vault/secret.h"

namespace adminauto::vault {

inline constexpr size_t kAesKeySize = 32;    // AES-256
inline constexpr size_t kGcmNonceSize = 12;  // 96 bits, the size GCM handles without GHASH
inline constexpr size_t kGcmTagSize = 16;    // 128 bits

// Encrypts `plaintext` and returns ciphertext || tag. Fails with kInvalidArgument when the key
// is not 32 bytes or the nonce not 12. Thread-safe.
Result<Bytes> AesGcmSeal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext);

// Checks the tag and decrypts `sealed` (ciphertext || tag) into guarded memory. Fails with
// kDataLoss when the tag does not match: wrong key, wrong associated data or changed bytes.
// Thread-safe.
Result<SecretBytes> AesGcmOpen(ByteView key, ByteView nonce, ByteView aad, ByteView sealed);

}  // namespace adminauto::vault
