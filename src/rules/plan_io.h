// Plan files: a Plan as one JSON object, the shape `adminauto plan --format json` prints and
// `adminauto apply` reads back. Top-level fields: "format_version", "evaluated_at" (a UTC
// day, "2026-12-01"), "stopped", "fingerprint", "rules", "actions", "excluded", "limits" and
// "totals". The field names of each entry are those of the structs in core/plan.h.
#pragma once

#include <string>
#include <string_view>

#include "core/plan.h"
#include "core/status.h"

namespace adminauto::rules {

// Serialises `plan` as compact JSON followed by a newline. Thread-safe.
std::string PlanToJson(const Plan& plan);

// Parses a plan file's text. InvalidArgument names the JSON path of the bad field, such as
// `actions[3].action`, and the expected value; an unknown format_version is rejected.
// Thread-safe.
Result<Plan> PlanFromJson(std::string_view text);

// Writes the plan to `path` atomically (a temporary file renamed over it), readable only by
// the owner because a plan lists people's email addresses.
Status WritePlanFile(const Plan& plan, const std::string& path);

// Reads a plan file. NotFound when it cannot be opened; InvalidArgument (with the file name)
// when it is not a valid plan.
Result<Plan> ReadPlanFile(const std::string& path);

// Returns the SHA-256 (hex) of the plan as PlanToJson serializes it. A plan read back from
// its file has the same hash as the plan that was written.
std::string PlanHash(const Plan& plan);

}  // namespace adminauto::rules
