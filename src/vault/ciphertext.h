// The sealed-value format (docs/ciphertext-format.md): a 19-byte header, then the AES-256-GCM
// ciphertext and its 16-byte tag.
//
//   offset size  field
//   0      2     magic "av"
//   2      1     format version, 1
//   3      4     key version, big-endian uint32, at least 1: the version of the key that
//                encrypted this value (master key for a wrapped data key, data key otherwise)
//   7      12    nonce, random
//   19     n     ciphertext (n = plaintext length)
//   19+n   16    GCM tag
//
// The associated data binds the value to its record: see AssociatedData().
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"
#include "vault/secret.h"

namespace adminauto::vault {

inline constexpr uint8_t kFormatVersion = 1;
inline constexpr size_t kHeaderSize = 19;
inline constexpr size_t kMinSealedSize = kHeaderSize + 16;

struct CiphertextHeader {
  uint8_t format_version = kFormatVersion;
  uint32_t key_version = 0;
  uint8_t nonce[12] = {};
};

// What a sealed value is, so one kind cannot stand in for another.
enum class Purpose { kApiKey, kDataKey };
std::string_view ToString(Purpose purpose);

// The identity of the row a sealed value belongs to. `record_version` is the data-key
// version of the row: for an API key, the data key that sealed it; for a wrapped data key,
// that data key's own version.
struct RecordId {
  std::string_view org_id;
  Purpose purpose = Purpose::kApiKey;
  uint32_t record_version = 0;
};

// Parses the header of a sealed value without decrypting it. Fails with kDataLoss naming the
// bad field (magic, format version, key version, length). Thread-safe; reads only `sealed`.
Result<CiphertextHeader> ParseHeader(ByteView sealed);

// Appends the 19 header bytes of `header` to `out`.
void AppendHeader(const CiphertextHeader& header, Bytes& out);

// Builds the associated data: a domain label, the record identity (length-prefixed org id and
// purpose, big-endian record version) and the header bytes, so changing any of them fails
// authentication.
Bytes AssociatedData(const RecordId& record, ByteView header_bytes);

}  // namespace adminauto::vault
