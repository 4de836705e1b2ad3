// Parses arbitrary bytes as a simulator state file and writes back what it accepted.
#include <cstdint>
#include <string_view>

#include "sim/sim_state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto org = adminauto::sim::StateFromJson(text, "fuzz");
  if (org.ok()) (void)adminauto::sim::StateToJson(*org);
  return 0;
}
