// The glue between plans and the apply engine: turning a Plan into an ApplyInput, evaluating
// a fresh plan for `adminauto run`, and the sync guards backed by the snapshot store.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/plan.h"
#include "core/status.h"
#include "engine/apply.h"
#include "store/snapshot_store.h"

namespace adminauto::engine {

// Builds the apply input of `plan` for the org connected as `org_name`. `source` names the
// plan for the journal (a file path or "rule NAME"). The run's identity is the SHA-256 of the
// plan's canonical JSON, so the same plan always resumes the same run. Rejects with kAborted a
// plan whose limits stopped it, and with InvalidArgument a group action whose group has no id.
Result<ApplyInput> InputFromPlan(const Plan& plan, const std::string& org_name,
                                 const std::string& source);

// Returns guards that read the drop flag and the latest snapshot from `snapshots`, which
// must outlive them.
SyncGuards GuardsFor(store::SnapshotStore& snapshots);

// Evaluates the rule named `rule_name` from `rule_files` over the org's latest snapshot on
// `day` and returns the plan with its fingerprint filled in. NotFound when the org never
// synced or the rule is not in the files.
Result<Plan> MakeFreshPlan(store::SnapshotStore& snapshots, const std::string& org_id,
                           const std::vector<std::string>& rule_files, const std::string& rule_name,
                           Day day);

}  // namespace adminauto::engine
