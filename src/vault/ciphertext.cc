#include "vault/ciphertext.h"

#include <cstring>
#include <string>

namespace adminauto::vault {
namespace {

constexpr uint8_t kMagic[2] = {'a', 'v'};
constexpr std::string_view kDomainLabel = "adminauto-vault-record-v1";

void AppendU32(uint32_t value, Bytes& out) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

}  // namespace

std::string_view ToString(Purpose purpose) {
  switch (purpose) {
    case Purpose::kApiKey:
      return "api-key";
    case Purpose::kDataKey:
      return "data-key";
  }
  return "unknown";
}

Result<CiphertextHeader> ParseHeader(ByteView sealed) {
  if (sealed.size() < kMinSealedSize) {
    return DataLoss("sealed value of " + std::to_string(sealed.size()) +
                    " bytes is shorter than the minimum of " + std::to_string(kMinSealedSize) +
                    " (19-byte header and 16-byte tag)");
  }
  if (sealed[0] != kMagic[0] || sealed[1] != kMagic[1]) {
    return DataLoss("sealed value does not start with the magic bytes \"av\"");
  }
  CiphertextHeader header;
  header.format_version = sealed[2];
  if (header.format_version != kFormatVersion) {
    return DataLoss("sealed value has format version " + std::to_string(header.format_version) +
                    "; this build reads only version 1");
  }
  header.key_version = (uint32_t{sealed[3]} << 24) | (uint32_t{sealed[4]} << 16) |
                       (uint32_t{sealed[5]} << 8) | uint32_t{sealed[6]};
  if (header.key_version == 0) return DataLoss("sealed value has key version 0, which is invalid");
  std::memcpy(header.nonce, sealed.data() + 7, sizeof header.nonce);
  return header;
}

void AppendHeader(const CiphertextHeader& header, Bytes& out) {
  out.push_back(kMagic[0]);
  out.push_back(kMagic[1]);
  out.push_back(header.format_version);
  AppendU32(header.key_version, out);
  out.insert(out.end(), std::begin(header.nonce), std::end(header.nonce));
}

Bytes AssociatedData(const RecordId& record, ByteView header_bytes) {
  const std::string_view purpose = ToString(record.purpose);
  // Sized up front and filled with memcpy: vector::insert into an empty vector trips a GCC 12
  // -Wstringop-overflow false positive.
  Bytes aad(kDomainLabel.size() + 1 + 4 + record.org_id.size() + 4 + purpose.size() + 4 +
            header_bytes.size());
  uint8_t* out = aad.data();
  auto put = [&out](const void* data, size_t size) {
    if (size > 0) std::memcpy(out, data, size);
    out += size;
  };
  auto put_u32 = [&put](uint32_t value) {
    const uint8_t bytes[4] = {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
                              static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
    put(bytes, 4);
  };
  put(kDomainLabel.data(), kDomainLabel.size());
  put("", 1);
  put_u32(static_cast<uint32_t>(record.org_id.size()));
  put(record.org_id.data(), record.org_id.size());
  put_u32(static_cast<uint32_t>(purpose.size()));
  put(purpose.data(), purpose.size());
  put_u32(record.record_version);
  put(header_bytes.data(), header_bytes.size());
  return aad;
}

}  // namespace adminauto::vault
