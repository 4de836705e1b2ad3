// Guarded memory for secrets: API keys, data keys and master keys in plaintext live only in
// SecretBytes, which libsodium allocates between guard pages, locks out of swap where the
// system allows it and wipes when freed. A SecretBytes cannot be copied or printed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace adminauto::vault {

using ByteView = std::span<const uint8_t>;
using Bytes = std::vector<uint8_t>;

inline ByteView AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// A fixed-size secret in sodium_malloc memory. Move-only; the memory is wiped and freed by the
// destructor. There is no operator<< and no conversion to std::string, so a secret cannot be
// logged by accident; view() exists for the one call that must pass the bytes on. Not
// thread-safe.
class SecretBytes {
 public:
  SecretBytes() = default;
  // Allocates `size` zeroed bytes. A failed allocation leaves the object empty(); check
  // valid() when size > 0 matters.
  explicit SecretBytes(size_t size);
  // Copies `bytes` into guarded memory. The caller still owns, and should wipe, its copy.
  static SecretBytes CopyOf(ByteView bytes);
  static SecretBytes CopyOf(std::string_view text) { return CopyOf(AsBytes(text)); }

  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  bool valid() const { return data_ != nullptr || size_ == 0; }
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  ByteView bytes() const { return {data_, size_}; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

  // Makes the memory read-only, so a stray write faults instead of corrupting the key.
  void MakeReadOnly();

  // Shrinks the visible size to `size` (<= size()); the bytes past it are wiped.
  void Truncate(size_t size);

 private:
  void Release();
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Fills `out` with bytes from the operating system's CSPRNG (libsodium randombytes).
void RandomFill(std::span<uint8_t> out);
SecretBytes RandomSecret(size_t size);

// Wipes `text` in place with sodium_memzero and clears it.
void Wipe(std::string& text);
void Wipe(Bytes& bytes);

// Constant-time comparison of two equal-length byte strings; false when lengths differ.
bool ConstantTimeEqual(ByteView a, ByteView b);

// Disables core dumps for this process (prctl PR_SET_DUMPABLE 0 and RLIMIT_CORE 0), which
// also keeps other unprivileged processes from attaching with ptrace. Call once at start-up
// of every process that may hold a key.
Status DisableCoreDumps();

// Initialises libsodium; safe to call many times and from several threads.
Status InitSodium();

}  // namespace adminauto::vault
