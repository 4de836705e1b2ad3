// The action journal: every run that changes an org and every action of that run, with its
// state, written durably (SQLite WAL, synchronous=FULL) before the change is sent. After a
// crash the journal shows which actions may have reached the API (state "sent"), so a resumed
// run reads those back before deciding and applies nothing twice. The format is described in
// docs/journal-format.md.
//
// Action states and their allowed transitions:
//   planned -> sent -> verified | failed
//   planned -> skipped            (no change needed, or blocked before sending)
//   sent    -> sent               (sent again after a read-back showed it did not apply)
//   failed  -> sent | verified | skipped   (a later run of the same plan retries it)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "store/sqlite.h"

namespace adminauto::store {

enum class ActionState { kPlanned, kSent, kVerified, kFailed, kSkipped };
std::string_view ToString(ActionState state);
std::optional<ActionState> ParseActionState(std::string_view text);

enum class RunKind { kApply, kRevert };
std::string_view ToString(RunKind kind);

enum class RunState { kRunning, kFinished, kStopped };
std::string_view ToString(RunState state);

struct JournalRun {
  std::string id;  // "run-20261204-135012-3fa9"
  RunKind kind = RunKind::kApply;
  std::string org;  // org name as connected
  std::string org_id;
  // Identity of the plan: runs with the same key apply the same plan, so a second apply of
  // one plan file resumes the first run. For reverts: "revert:<run id>".
  std::string plan_key;
  std::string plan_fingerprint;  // the plan's input fingerprint (snapshot and rules)
  std::string source;            // plan file path, or "rule NAME", or the reverted run id
  std::string reverts_run;       // for a revert run: the run it undoes; empty otherwise
  std::string actor;             // who started it
  RunState state = RunState::kRunning;
  std::string started_at;   // UTC ISO-8601
  std::string finished_at;  // empty while running
};

struct JournalAction {
  std::string run_id;
  int64_t index = 0;  // 0-based position in the run
  std::string account_id;
  std::string email;   // for people reading the journal; may be empty
  std::string kind;    // suspend, restore, remove, add_to_group, remove_from_group, ...
  std::string target;  // group id, or "ROLE@RESOURCE" for roles; empty for user actions
  std::string rule;    // rule that planned it
  std::string reason;  // the condition that selected the account
  bool irreversible = false;
  ActionState state = ActionState::kPlanned;
  int64_t attempts = 0;                  // times marked sent
  std::string detail;                    // error, skip reason or verification note
  std::optional<int64_t> reverts_index;  // revert runs: the action of the reverted run it undoes
  std::string updated_at;
};

// Number of actions of a run in each state.
struct RunCounts {
  int64_t planned = 0;
  int64_t sent = 0;
  int64_t verified = 0;
  int64_t failed = 0;
  int64_t skipped = 0;
  int64_t total() const { return planned + sent + verified + failed + skipped; }
};

// Journal storage on SQLite. Borrows the database and the clock, which must outlive the
// store. Not thread-safe, like SqliteDb. Every method commits before it returns unless the
// connection already has a transaction open, in which case it joins that transaction.
class JournalStore {
 public:
  // Applies this store's migrations (component "journal") to `db`.
  static Result<std::unique_ptr<JournalStore>> Open(SqliteDb& db, Clock& clock);

  // Writes a run and all its actions (state planned) in one transaction. AlreadyExists when
  // the run id is taken.
  Status CreateRun(JournalRun run, std::vector<JournalAction> actions);

  Result<std::optional<JournalRun>> GetRun(std::string_view run_id);
  // Returns the most recent run with `plan_key`, or nullopt.
  Result<std::optional<JournalRun>> FindRunByPlanKey(std::string_view plan_key);
  // Returns up to `limit` runs, newest first.
  Result<std::vector<JournalRun>> ListRuns(int64_t limit = 100);
  // Returns the actions of a run ordered by index.
  Result<std::vector<JournalAction>> Actions(std::string_view run_id);
  Result<RunCounts> Counts(std::string_view run_id);

  // Moves one action to `to` with `detail`, if the transition is allowed (see the file
  // comment); FailedPrecondition names the current state otherwise. Marking sent also counts
  // an attempt.
  Status Transition(std::string_view run_id, int64_t index, ActionState to,
                    std::string_view detail = {});

  // Sets the run's state; a finished or stopped run gets its finish time.
  Status SetRunState(std::string_view run_id, RunState state);

 private:
  JournalStore(SqliteDb& db, Clock& clock) : db_(db), clock_(clock) {}
  std::string Now() const;

  SqliteDb& db_;
  Clock& clock_;
};

}  // namespace adminauto::store
