// Fuzz target: the user-export importer must return a Directory or an error for any bytes,
// never crash, and every account it returns must have an id.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "importer/user_export.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto result = adminauto::importer::ParseUserExport(text, "fuzz.csv");
  if (result.ok()) {
    for (const auto& account : result->directory.accounts) {
      if (account.id.empty()) std::abort();
    }
  } else if (result.status().message().empty()) {
    std::abort();
  }
  return 0;
}
