// Parses arbitrary bytes as a faults file.
#include <cstdint>
#include <string_view>

#include "sim/sim_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto faults = adminauto::sim::Faults::FromJson(text, "fuzz");
  if (faults.ok()) (void)adminauto::sim::Faults::FromJson(faults->ToJson(), "fuzz-again");
  return 0;
}
