// The Plan: what rule evaluation decided for one org on one evaluation day. Every planned
// action carries its reason; every account a rule selected but did not act on carries the
// exclusion that stopped it. Apply reads plans back from plan files, so the fields here are
// also the plan file's contents. Values only, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"

namespace adminauto {

enum class ActionKind {
  kSuspend,          // suspend the account's access to the org
  kRestore,          // restore suspended access
  kRemove,           // remove the account from the org's directory
  kReport,           // list only, change nothing
  kAddToGroup,       // parameter: group
  kRemoveFromGroup,  // parameter: group
  kGrantRole,        // parameter: role
  kRevokeRole,       // parameter: role
  kNotify,           // parameter: notify_to (and grace_days, message)
};

inline constexpr std::array<std::pair<ActionKind, std::string_view>, 9> kActionKindNames{{
    {ActionKind::kSuspend, "suspend"},
    {ActionKind::kRestore, "restore"},
    {ActionKind::kRemove, "remove"},
    {ActionKind::kReport, "report"},
    {ActionKind::kAddToGroup, "add_to_group"},
    {ActionKind::kRemoveFromGroup, "remove_from_group"},
    {ActionKind::kGrantRole, "grant_role"},
    {ActionKind::kRevokeRole, "revoke_role"},
    {ActionKind::kNotify, "notify"},
}};

// Returns the rule-file spelling: "suspend", "add_to_group", ...
inline std::string_view ToString(ActionKind kind) {
  for (const auto& [value, name] : kActionKindNames) {
    if (value == kind) return name;
  }
  return "unknown";
}

inline std::optional<ActionKind> ParseActionKind(std::string_view text) {
  for (const auto& [value, name] : kActionKindNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

// True when a later revert can undo the action (suspend, restore, group and role changes).
// Remove cannot be undone through the API, and report and notify change nothing.
inline bool IsRevertible(ActionKind kind) {
  return kind != ActionKind::kRemove && kind != ActionKind::kReport && kind != ActionKind::kNotify;
}

// True when the action changes the directory (everything but report and notify).
inline bool ChangesDirectory(ActionKind kind) {
  return kind != ActionKind::kReport && kind != ActionKind::kNotify;
}

// One action on one account.
struct PlannedAction {
  std::string account_id;
  std::string email;
  std::string name;
  ActionKind action = ActionKind::kReport;
  std::string group;                 // add_to_group, remove_from_group: the group's name
  std::string group_id;              // the group's id when the directory contains it, else empty
  std::string role;                  // grant_role, revoke_role
  std::string notify_to;             // notify: "user", "admins", an email address or a webhook URL
  int grace_days = 0;                // notify: days between the notice and the follow-up action
  std::string message;               // notify: optional text
  std::string rule;                  // the rule's name
  std::string reason;                // the condition that selected the account, in words
  std::optional<Day> last_active;    // latest activity over the rule's products, if any
  std::optional<int> days_inactive;  // evaluation day minus last_active (or added-to-org day
                                     // for never-active accounts)
  bool revertible = false;

  bool operator==(const PlannedAction&) const = default;
};

// An account a rule selected but left alone, with the reason.
struct PlanExclusion {
  std::string account_id;
  std::string email;
  std::string rule;
  std::string exclusion;  // machine name: "org_admins", "bots", "target_state", ...
  std::string reason;     // in words: "org admin", "already suspended", ...

  bool operator==(const PlanExclusion&) const = default;
};

// A rule's limits checked against what the plan would do.
struct RuleLimitStatus {
  std::string rule;
  std::optional<int64_t> max_accounts;
  std::optional<double> max_fraction;  // of all accounts in the directory, 0..1
  int64_t planned_accounts = 0;        // distinct accounts with an action other than report
  int64_t total_accounts = 0;          // accounts in the directory
  bool stopped = false;                // a limit is exceeded, so apply must reject the plan
  std::string reason;                  // why it stopped, with the numbers; empty otherwise

  bool operator==(const RuleLimitStatus&) const = default;
};

// The inputs a plan was computed from. Apply recomputes the same values from the current inputs
// and rejects a plan whose fingerprint differs.
struct PlanFingerprint {
  std::string org_id;       // empty for a plan made from an export file
  std::string source;       // "snapshot" or "export"
  std::string source_hash;  // hex SHA-256 of the export file or of the snapshot's content
  std::string rules_hash;   // hex SHA-256 over the rule files' contents, in order
  Day evaluation_day{};

  bool operator==(const PlanFingerprint&) const = default;
};

struct PlanTotals {
  std::map<std::string, int64_t> actions;  // action name -> planned actions
  int64_t excluded = 0;                    // exclusion entries
  int64_t accounts = 0;                    // accounts in the directory
  // Product seats of active accounts the plan suspends or removes; one per account and
  // product it has access to.
  int64_t billable_seats_freed = 0;
  std::map<std::string, int64_t> seats_freed_by_product;

  bool operator==(const PlanTotals&) const = default;
};

struct Plan {
  static constexpr int kFormatVersion = 1;

  Day evaluated_at{};
  PlanFingerprint fingerprint;
  std::vector<std::string> rules;  // names of the evaluated rules, in file order
  std::vector<PlannedAction> actions;
  std::vector<PlanExclusion> excluded;
  std::vector<RuleLimitStatus> limits;  // one entry per rule that sets a limit
  // Problems that did not stop planning, such as an excluded group the directory lacks.
  std::vector<std::string> warnings;
  PlanTotals totals;

  // True when any rule's limit stopped the plan.
  bool stopped() const {
    for (const auto& limit : limits) {
      if (limit.stopped) return true;
    }
    return false;
  }

  bool operator==(const Plan&) const = default;
};

}  // namespace adminauto
