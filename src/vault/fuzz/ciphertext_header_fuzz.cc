// Feeds arbitrary bytes to the sealed-value header parser and, when a header parses, to the
// full open path with a fixed key, which must reject the value without crashing.
#include <cstddef>
#include <cstdint>

#include "vault/barrier.h"
#include "vault/ciphertext.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adminauto::vault;
  ByteView input(data, size);
  auto header = ParseHeader(input);
  if (!header.ok()) return 0;
  if (header->key_version == 0 || header->format_version != kFormatVersion) __builtin_trap();
  SecretBytes key(32);
  auto opened = Barrier::OpenSecret("fuzz-org", header->key_version, key, input);
  (void)opened;
  return 0;
}
