// Renders plans for people and tools: a table that fits a 100-column terminal, CSV, and the
// difference between an earlier plan and a new one.
#pragma once

#include <string>
#include <vector>

#include "core/plan.h"

namespace adminauto::rules {

inline constexpr size_t kTableWidth = 100;

// Renders the plan as text tables: planned actions, exclusions, limits, totals and warnings.
// No line is wider than kTableWidth characters (counted in code points); long values are cut
// and end in "~".
std::string PlanToTable(const Plan& plan);

// Renders one CSV row per planned action and per exclusion (RFC 4180, CRLF line ends), with
// a header row. The first column, "entry", is "action" or "excluded". Text cells that a
// spreadsheet would run as a formula (starting with = + - @) are prefixed with a quote.
std::string PlanToCsv(const Plan& plan);

// Actions that appear in only one of two plans, matched by rule, account id, action and its
// parameters.
struct PlanDiff {
  std::vector<PlannedAction> newly_qualified;  // in the new plan only
  std::vector<PlannedAction> dropped_out;      // in the earlier plan only
};

PlanDiff DiffPlans(const Plan& earlier, const Plan& current);

// Renders a diff as a table (kTableWidth wide) or as a JSON object with "newly_qualified" and
// "dropped_out" arrays of actions.
std::string PlanDiffToTable(const PlanDiff& diff, const Plan& earlier, const Plan& current);
std::string PlanDiffToJson(const PlanDiff& diff, const Plan& earlier, const Plan& current);

}  // namespace adminauto::rules
