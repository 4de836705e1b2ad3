// Applying a plan to an org, and reverting an applied run. Every change goes through four
// steps. First the journal records the action as planned. Then the journal marks it sent and
// the audit log records the intent, both committed before the request leaves. Then the change
// is sent through the org client within its rate budget. Last it is read back, and the journal
// and audit log record it as verified or failed in one transaction.
//
// A run is identified by its plan: applying the same plan again resumes the same run. Actions
// already verified or skipped are left alone; an action left in state "sent" by a crash is
// read back before anything is sent, so nothing is lost and nothing is applied twice.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atlassian/client.h"
#include "atlassian/rate_budget.h"
#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/status.h"
#include "engine/verify.h"
#include "store/journal_store.h"
#include "store/sqlite.h"

namespace adminauto::engine {

// One change of a plan with the reason it was planned.
struct PlannedChange {
  Change change;
  std::string email;
  std::string rule;
  std::string reason;
  bool irreversible = false;             // remove from directory
  std::optional<int64_t> reverts_index;  // revert runs: the action of the reverted run
};

// Limits of one rule: the most accounts one run may touch, as a count and as a fraction of
// the accounts the plan evaluated.
struct RuleLimits {
  std::string rule;
  std::optional<int64_t> max_accounts;
  std::optional<double> max_fraction;  // 0..1
};

// Everything apply needs from a plan.
struct ApplyInput {
  store::RunKind kind = store::RunKind::kApply;
  std::string org;  // org name as connected
  std::string org_id;
  std::string plan_key;     // identity of the plan: the same key resumes the same run
  std::string fingerprint;  // the plan's input fingerprint
  std::string source;       // plan file, "rule NAME", or the reverted run id
  std::string reverts_run;  // revert runs only
  // Content hash of the snapshot the plan was evaluated on. A plan made from an export file
  // has none, so it can be reviewed but not applied.
  std::optional<std::string> snapshot_hash;
  int64_t accounts_evaluated = 0;  // denominator of max_fraction
  std::vector<RuleLimits> limits;
  std::vector<PlannedChange> changes;
};

// Hooks into the sync's state, so apply can refuse a stale plan and destructive changes
// while a sudden drop in the directory's size is unconfirmed.
struct SyncGuards {
  // Returns OK when destructive changes may run on the org, FailedPrecondition otherwise.
  std::function<Status(std::string_view org_id)> destructive_allowed;
  // Returns the content hash of the org's latest snapshot, or nullopt when it never synced.
  std::function<Result<std::optional<std::string>>(std::string_view org_id)> latest_snapshot_hash;
};

// The outcome of one invocation of Apply().
struct RunSummary {
  std::string run_id;
  store::RunKind kind = store::RunKind::kApply;
  bool resumed = false;        // an existing run of the same plan was continued
  store::RunCounts counts;     // states of all the run's actions at the end
  int64_t sent = 0;            // changes sent by this invocation
  std::string stopped_reason;  // why the run stopped early; empty when it ran to the end
  bool stopped() const { return !stopped_reason.empty(); }
};

// Progress of a run, reported after every action and while waiting for the rate budget.
struct Progress {
  int64_t total = 0;
  int64_t verified = 0;
  int64_t failed = 0;
  int64_t skipped = 0;
  // Set while the org's rate budget delays requests.
  std::optional<std::chrono::system_clock::time_point> waiting_until;
  std::string last_account;  // account of the last finished action
  std::string last_outcome;  // "verified", "failed: ...", "skipped: ..."
};

using ProgressCallback = std::function<void(const Progress&)>;

struct ApplyOptions {
  std::string actor = "cli";  // recorded in the journal and audit log
  bool allow_irreversible = false;
  PollPolicy poll;
  // Directory for per-plan lock files that stop two processes applying one plan at once;
  // empty disables locking.
  std::string lock_dir;
  // The org's rate budget, to report waits; may be null.
  std::shared_ptr<atlassian::RateBudget> budget;
  ProgressCallback progress;
};

// The inverse of an applied run, ready for Apply(), and what it cannot undo.
struct RevertPlan {
  ApplyInput input;
  std::vector<std::string> not_revertible;  // one line per verified change that has no inverse
};

// Applies plans and reverts runs for one org. Borrows everything it is given; all of it must
// outlive the Applier. Not thread-safe.
class Applier {
 public:
  Applier(store::SqliteDb& db, store::JournalStore& journal, audit::AuditLog& audit,
          atlassian::OrgClient& client, Clock& clock, SyncGuards guards, ApplyOptions options);

  // Checks the plan before any change. Irreversible changes need allow_irreversible, each
  // rule's limits must hold, and destructive changes need the sync's drop flag to be clear.
  // A safety stop returns kAborted with the numbers. Apply() also rejects a new run whose plan
  // was not made from the org's latest snapshot, with kFailedPrecondition.
  Status Preflight(const ApplyInput& input);

  // Starts a run for `input`, or resumes the run of the same plan, and processes every action
  // that is not final. Returns the summary; an error only when the journal or audit log
  // cannot be written, or Preflight stops the run before it starts.
  Result<RunSummary> Apply(const ApplyInput& input);

  // Builds the revert of run `run_id`: the inverse of each verified change, newest first.
  // FailedPrecondition when the run still has changes in state "sent"; NotFound for an
  // unknown run. With `only_action` (a 0-based index in the run), the revert covers that one
  // action and is a run of its own, apart from a later revert of the whole run. NotFound when
  // the run has no such action.
  Result<RevertPlan> PlanRevert(std::string_view run_id,
                                std::optional<int64_t> only_action = std::nullopt);

 private:
  Result<store::JournalRun> StartOrResume(const ApplyInput& input, bool* resumed);
  Status ProcessAction(const store::JournalRun& run, const store::JournalAction& action,
                       int64_t* sent);
  Status SendAndVerify(const store::JournalRun& run, const store::JournalAction& action,
                       const Change& change, int64_t* sent);
  Status Record(const store::JournalRun& run, const store::JournalAction& action,
                store::ActionState to, const std::string& detail);
  Status CheckLimits(const ApplyInput& input);
  Status CheckSnapshot(const ApplyInput& input);
  void ReportProgress(const store::JournalRun& run, const std::string& account,
                      const std::string& outcome);
  void WaitNotice(const store::JournalRun& run);

  store::SqliteDb& db_;
  store::JournalStore& journal_;
  audit::AuditLog& audit_;
  atlassian::OrgClient& client_;
  Clock& clock_;
  SyncGuards guards_;
  ApplyOptions options_;
};

// Builds a run id such as "run-20261204-135012-3fa9" from the time and 16 random bits.
std::string NewRunId(Clock& clock);

// Formats the one-line totals of a plan: "12 changes to 11 accounts: suspend 10, remove 2".
std::string DescribeChanges(const std::vector<PlannedChange>& changes);

}  // namespace adminauto::engine
