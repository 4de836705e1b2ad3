// Feeds arbitrary bytes to the group parsers and the write-response check.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "atlassian/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)adminauto::atlassian::ParseGroupPage(body);
  (void)adminauto::atlassian::ParseCreatedGroup(body, "name", "description");
  (void)adminauto::atlassian::CheckWriteResponse(body);
  return 0;
}
