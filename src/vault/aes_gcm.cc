#include "vault/aes_gcm.h"

#include <openssl/evp.h>

#include <climits>
#include <memory>
#include <string>

namespace adminauto::vault {
namespace {

struct CtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter>;

Status CheckSizes(ByteView key, ByteView nonce) {
  if (key.size() != kAesKeySize) {
    return InvalidArgument("AES-256-GCM needs a 32-byte key, got " + std::to_string(key.size()) +
                           " bytes");
  }
  if (nonce.size() != kGcmNonceSize) {
    return InvalidArgument("AES-256-GCM needs a 12-byte nonce, got " +
                           std::to_string(nonce.size()) + " bytes");
  }
  return Status::Ok();
}

// Creates a context keyed for `encrypt` and feeds it the associated data.
Result<CipherCtx> Begin(bool encrypt, ByteView key, ByteView nonce, ByteView aad) {
  AA_RETURN_IF_ERROR(CheckSizes(key, nonce));
  if (aad.size() > INT_MAX) return InvalidArgument("associated data too large");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return Internal("EVP_CIPHER_CTX_new failed");
  int enc = encrypt ? 1 : 0;
  int len = 0;
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, enc) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmNonceSize, nullptr) != 1 ||
      EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data(), enc) != 1 ||
      (!aad.empty() &&
       EVP_CipherUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)) {
    return Internal("AES-256-GCM set-up failed");
  }
  return ctx;
}

}  // namespace

Result<Bytes> AesGcmSeal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext) {
  AA_ASSIGN_OR_RETURN(CipherCtx ctx, Begin(true, key, nonce, aad));
  if (plaintext.size() > INT_MAX - kGcmTagSize) return InvalidArgument("plaintext too large");
  Bytes out(plaintext.size() + kGcmTagSize);
  int len = 0;
  int total = 0;
  if (!plaintext.empty()) {
    if (EVP_EncryptUpdate(ctx.get(), out.data(), &len, plaintext.data(),
                          static_cast<int>(plaintext.size())) != 1) {
      return Internal("AES-256-GCM encryption failed");
    }
    total = len;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + total, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize,
                          out.data() + plaintext.size()) != 1) {
    return Internal("AES-256-GCM encryption failed");
  }
  return out;
}

Result<SecretBytes> AesGcmOpen(ByteView key, ByteView nonce, ByteView aad, ByteView sealed) {
  if (sealed.size() < kGcmTagSize) {
    return DataLoss("ciphertext of " + std::to_string(sealed.size()) +
                    " bytes is shorter than the 16-byte GCM tag");
  }
  AA_ASSIGN_OR_RETURN(CipherCtx ctx, Begin(false, key, nonce, aad));
  const size_t text_size = sealed.size() - kGcmTagSize;
  // One spare byte keeps the buffer non-empty for an empty plaintext.
  SecretBytes out(text_size + 1);
  if (!out.valid()) return Internal("cannot allocate guarded memory");
  int len = 0;
  if (text_size > 0 && EVP_DecryptUpdate(ctx.get(), out.data(), &len, sealed.data(),
                                         static_cast<int>(text_size)) != 1) {
    return Internal("AES-256-GCM decryption failed");
  }
  Bytes tag(sealed.end() - kGcmTagSize, sealed.end());
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize, tag.data()) != 1) {
    return Internal("AES-256-GCM decryption failed");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + len, &len) != 1) {
    return DataLoss(
        "authentication failed: the ciphertext, its associated data or the key "
        "does not match");
  }
  out.Truncate(text_size);
  return out;
}

}  // namespace adminauto::vault
