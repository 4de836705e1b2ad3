// Feeds arbitrary bytes to the user-page parsers (v1 snake_case, v2 camelCase, one user).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "atlassian/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)adminauto::atlassian::ParseV1UserPage(body);
  (void)adminauto::atlassian::ParseV2UserPage(body);
  (void)adminauto::atlassian::ParseV2UserEnvelope(body);
  return 0;
}
