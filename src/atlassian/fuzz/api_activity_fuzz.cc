// Feeds arbitrary bytes to the last-active-dates and directories parsers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "atlassian/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)adminauto::atlassian::ParseLastActivePage(body);
  (void)adminauto::atlassian::ParseDirectoryPage(body);
  return 0;
}
