#include "vault/barrier.h"

#include "vault/aes_gcm.h"

namespace adminauto::vault {
namespace {

// The header bytes of a new value with a fresh random nonce. A random 96-bit nonce is safe
// while each key encrypts far fewer than 2^32 values; KeyVault counts encryptions and
// rotates keys long before that.
Bytes NewHeader(uint32_t key_version) {
  CiphertextHeader header;
  header.key_version = key_version;
  RandomFill(header.nonce);
  Bytes out;
  AppendHeader(header, out);
  return out;
}

ByteView NonceOf(ByteView header_bytes) { return header_bytes.subspan(7, kGcmNonceSize); }

Status CheckDataKey(const SecretBytes& key) {
  if (key.size() != kAesKeySize) {
    return InvalidArgument("a data key must be 32 bytes, got " + std::to_string(key.size()));
  }
  return Status::Ok();
}

}  // namespace

Result<Bytes> Barrier::WrapDataKey(std::string_view org_id, uint32_t data_key_version,
                                   uint32_t master_version, const SecretBytes& data_key) {
  AA_RETURN_IF_ERROR(CheckDataKey(data_key));
  Bytes out = NewHeader(master_version);
  const ByteView header(out.data(), kHeaderSize);
  Bytes aad = AssociatedData({org_id, Purpose::kDataKey, data_key_version}, header);
  AA_ASSIGN_OR_RETURN(Bytes sealed,
                      provider_.Seal(master_version, NonceOf(header), aad, data_key.bytes()));
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

Result<SecretBytes> Barrier::UnwrapDataKey(std::string_view org_id, uint32_t data_key_version,
                                           ByteView wrapped) {
  AA_ASSIGN_OR_RETURN(CiphertextHeader parsed, ParseHeader(wrapped));
  const ByteView header = wrapped.first(kHeaderSize);
  Bytes aad = AssociatedData({org_id, Purpose::kDataKey, data_key_version}, header);
  AA_ASSIGN_OR_RETURN(SecretBytes key, provider_.Open(parsed.key_version, NonceOf(header), aad,
                                                      wrapped.subspan(kHeaderSize)));
  if (key.size() != kAesKeySize) return DataLoss("unwrapped data key has the wrong length");
  return key;
}

Result<Bytes> Barrier::SealSecret(std::string_view org_id, uint32_t data_key_version,
                                  const SecretBytes& data_key, ByteView secret) {
  AA_RETURN_IF_ERROR(CheckDataKey(data_key));
  Bytes out = NewHeader(data_key_version);
  const ByteView header(out.data(), kHeaderSize);
  Bytes aad = AssociatedData({org_id, Purpose::kApiKey, data_key_version}, header);
  AA_ASSIGN_OR_RETURN(Bytes sealed, AesGcmSeal(data_key.bytes(), NonceOf(header), aad, secret));
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

Result<SecretBytes> Barrier::OpenSecret(std::string_view org_id, uint32_t data_key_version,
                                        const SecretBytes& data_key, ByteView sealed) {
  AA_RETURN_IF_ERROR(CheckDataKey(data_key));
  AA_ASSIGN_OR_RETURN(CiphertextHeader parsed, ParseHeader(sealed));
  if (parsed.key_version != data_key_version) {
    return DataLoss("sealed value names data key version " + std::to_string(parsed.key_version) +
                    " but its row names version " + std::to_string(data_key_version));
  }
  const ByteView header = sealed.first(kHeaderSize);
  Bytes aad = AssociatedData({org_id, Purpose::kApiKey, data_key_version}, header);
  return AesGcmOpen(data_key.bytes(), NonceOf(header), aad, sealed.subspan(kHeaderSize));
}

}  // namespace adminauto::vault
