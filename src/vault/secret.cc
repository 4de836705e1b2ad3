#include "vault/secret.h"

#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace adminauto::vault {

Status InitSodium() {
  static const int rc = sodium_init();
  if (rc < 0) return Internal("libsodium failed to initialise");
  return Status::Ok();
}

SecretBytes::SecretBytes(size_t size) {
  if (size == 0 || !InitSodium().ok()) return;
  void* memory = sodium_malloc(size);
  if (memory == nullptr) return;
  data_ = static_cast<uint8_t*>(memory);
  size_ = size;
  sodium_memzero(data_, size_);
}

SecretBytes SecretBytes::CopyOf(ByteView bytes) {
  SecretBytes secret(bytes.size());
  if (secret.data_ != nullptr) std::memcpy(secret.data_, bytes.data(), bytes.size());
  return secret;
}

SecretBytes::~SecretBytes() { Release(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

void SecretBytes::Release() {
  if (data_ != nullptr) {
    // sodium_free wipes the region before unmapping it; it needs write access to do so.
    sodium_mprotect_readwrite(data_);
    sodium_free(data_);
  }
  data_ = nullptr;
  size_ = 0;
}

void SecretBytes::MakeReadOnly() {
  if (data_ != nullptr) sodium_mprotect_readonly(data_);
}

void SecretBytes::Truncate(size_t size) {
  if (size >= size_) return;
  sodium_memzero(data_ + size, size_ - size);
  size_ = size;
}

void RandomFill(std::span<uint8_t> out) {
  (void)InitSodium();
  randombytes_buf(out.data(), out.size());
}

SecretBytes RandomSecret(size_t size) {
  SecretBytes secret(size);
  if (secret.data() != nullptr) RandomFill({secret.data(), secret.size()});
  return secret;
}

void Wipe(std::string& text) {
  if (!text.empty()) sodium_memzero(text.data(), text.size());
  text.clear();
}

void Wipe(Bytes& bytes) {
  if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
  bytes.clear();
}

bool ConstantTimeEqual(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status DisableCoreDumps() {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return Internal(std::string("prctl(PR_SET_DUMPABLE, 0) failed: ") + std::strerror(errno));
  }
  struct rlimit none = {0, 0};
  if (setrlimit(RLIMIT_CORE, &none) != 0) {
    return Internal(std::string("setrlimit(RLIMIT_CORE, 0) failed: ") + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace adminauto::vault
