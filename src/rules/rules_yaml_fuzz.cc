// Fuzz target: rule-file parsing returns rules or an error naming the file for any bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/rule_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;  // yaml-cpp recursion on deep nesting is bounded by size
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = adminauto::rules::ParseRuleFile(text, "fuzz.yaml");
  if (rules.ok()) {
    for (const auto& rule : *rules) {
      if (rule.name.empty() || rule.actions.empty()) std::abort();
    }
  } else if (rules.status().message().rfind("fuzz.yaml:", 0) != 0) {
    std::abort();
  }
  return 0;
}
