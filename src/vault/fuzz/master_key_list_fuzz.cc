// Feeds arbitrary text to the ADMINAUTO_MASTER_KEY parser and to the API key shape check,
// the two parsers of operator-supplied secret text. Neither may crash, and a parsed key list
// must hold at least one version.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "vault/key_input.h"
#include "vault/master_key.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace adminauto::vault;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto provider = ParseMasterKeyList(text);
  if (provider.ok()) {
    auto versions = (*provider)->Versions();
    if (!versions.ok() || versions->empty()) __builtin_trap();
  }
  SecretBytes key = SecretBytes::CopyOf(text);
  (void)ValidateApiKey(key, "fuzz input");
  return 0;
}
