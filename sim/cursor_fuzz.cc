// Decodes arbitrary bytes as a page cursor; a decoded cursor must encode back to the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sim/sim_service.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view token(reinterpret_cast<const char*>(data), size);
  auto cursor = adminauto::sim::DecodeCursor(token, "fuzz-secret");
  if (cursor && adminauto::sim::EncodeCursor(*cursor, "fuzz-secret").empty()) std::abort();
  return 0;
}
