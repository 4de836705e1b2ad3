#include "engine/apply_plan.h"

#include "rules/evaluate.h"
#include "rules/fingerprint.h"
#include "rules/plan_io.h"
#include "rules/rule_file.h"

namespace adminauto::engine {
namespace {

// Maps a plan action to the change apply makes; nullopt for actions that change nothing in
// the directory (report, notify).
std::optional<ChangeKind> ChangeKindOf(ActionKind kind) {
  if (!ChangesDirectory(kind)) return std::nullopt;
  return ParseChangeKind(ToString(kind));
}

Result<PlannedChange> ChangeOf(const PlannedAction& action, size_t index, ChangeKind kind) {
  PlannedChange planned;
  planned.change.kind = kind;
  planned.change.account_id = action.account_id;
  planned.email = action.email;
  planned.rule = action.rule;
  planned.reason = action.reason;
  planned.irreversible = !action.revertible || kind == ChangeKind::kRemove;
  if (kind == ChangeKind::kAddToGroup || kind == ChangeKind::kRemoveFromGroup) {
    if (action.group_id.empty()) {
      return InvalidArgument("plan action " + std::to_string(index) + " (" +
                             std::string(ToString(action.action)) + " for " + action.account_id +
                             ") names group '" + action.group +
                             "', which the synced directory does not contain; create the group, "
                             "sync and plan again");
    }
    planned.change.target = action.group_id;
  } else if (kind == ChangeKind::kGrantRole || kind == ChangeKind::kRevokeRole) {
    planned.change.target = action.role;
  }
  return planned;
}

}  // namespace

Result<ApplyInput> InputFromPlan(const Plan& plan, const std::string& org_name,
                                 const std::string& source) {
  for (const RuleLimitStatus& limit : plan.limits) {
    if (limit.stopped) {
      return Status(StatusCode::kAborted, "the plan exceeds a limit of rule " + limit.rule + ": " +
                                              limit.reason + "; nothing was changed");
    }
  }
  ApplyInput input;
  input.kind = store::RunKind::kApply;
  input.org = org_name;
  input.org_id = plan.fingerprint.org_id;
  input.plan_key = "plan:" + rules::Sha256Hex(rules::PlanToJson(plan));
  input.fingerprint = plan.fingerprint.source + ":" + plan.fingerprint.source_hash +
                      " rules:" + plan.fingerprint.rules_hash;
  input.source = source;
  if (plan.fingerprint.source == "snapshot") input.snapshot_hash = plan.fingerprint.source_hash;
  input.accounts_evaluated = plan.totals.accounts;
  for (const RuleLimitStatus& limit : plan.limits) {
    input.limits.push_back({limit.rule, limit.max_accounts, limit.max_fraction});
  }
  for (size_t i = 0; i < plan.actions.size(); ++i) {
    std::optional<ChangeKind> kind = ChangeKindOf(plan.actions[i].action);
    if (!kind) continue;
    AA_ASSIGN_OR_RETURN(PlannedChange planned, ChangeOf(plan.actions[i], i, *kind));
    input.changes.push_back(std::move(planned));
  }
  return input;
}

SyncGuards GuardsFor(store::SnapshotStore& snapshots) {
  SyncGuards guards;
  guards.destructive_allowed = [&snapshots](std::string_view org_id) {
    return snapshots.CheckDestructiveAllowed(org_id);
  };
  guards.latest_snapshot_hash =
      [&snapshots](std::string_view org_id) -> Result<std::optional<std::string>> {
    AA_ASSIGN_OR_RETURN(std::optional<Directory> latest, snapshots.LoadLatest(org_id));
    if (!latest) return std::optional<std::string>();
    return std::optional<std::string>(rules::DirectoryContentHash(*latest));
  };
  return guards;
}

Result<Plan> MakeFreshPlan(store::SnapshotStore& snapshots, const std::string& org_id,
                           const std::vector<std::string>& rule_files, const std::string& rule_name,
                           Day day) {
  AA_ASSIGN_OR_RETURN(rules::RuleSet rule_set, rules::LoadRuleFiles(rule_files));
  std::vector<rules::Rule> selected;
  for (const rules::Rule& rule : rule_set.rules) {
    if (rule.name == rule_name) selected.push_back(rule);
  }
  if (selected.empty()) {
    std::string names;
    for (const rules::Rule& rule : rule_set.rules) names += (names.empty() ? "" : ", ") + rule.name;
    return NotFound("rule '" + rule_name + "' is not in the rule files (rules found: " +
                    (names.empty() ? std::string("none") : names) + ")");
  }
  AA_ASSIGN_OR_RETURN(std::optional<Directory> directory, snapshots.LoadLatest(org_id));
  if (!directory) {
    return NotFound("org " + org_id + " has no synced snapshot; run `adminauto sync` first");
  }
  Plan plan = rules::Evaluate(*directory, selected, day);
  plan.fingerprint.source = "snapshot";
  plan.fingerprint.source_hash = rules::DirectoryContentHash(*directory);
  plan.fingerprint.rules_hash = rules::RulesContentHash(rule_set.file_contents);
  return plan;
}

}  // namespace adminauto::engine
