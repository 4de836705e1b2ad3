// Fuzz target: plan-file parsing returns a Plan or an error for any bytes, and a parsed plan
// survives a write and re-read unchanged.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/plan_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto plan = adminauto::rules::PlanFromJson(text);
  if (!plan.ok()) return 0;
  auto again = adminauto::rules::PlanFromJson(adminauto::rules::PlanToJson(*plan));
  if (!again.ok()) std::abort();
  // The stopped flag is derived from the limits, so compare everything else field by field.
  if (again->actions != plan->actions || again->excluded != plan->excluded ||
      again->totals != plan->totals || again->fingerprint != plan->fingerprint) {
    std::abort();
  }
  return 0;
}
