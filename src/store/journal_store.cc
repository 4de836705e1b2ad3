#include "store/journal_store.h"

#include <sqlite3.h>

#include <array>

#include "core/time.h"

namespace adminauto::store {
namespace {

const std::vector<std::string_view> kMigrations = {
    R"sql(
CREATE TABLE journal_runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  org TEXT NOT NULL,
  org_id TEXT NOT NULL,
  plan_key TEXT NOT NULL,
  plan_fingerprint TEXT NOT NULL,
  source TEXT NOT NULL,
  reverts_run TEXT NOT NULL,
  actor TEXT NOT NULL,
  state TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL
);
CREATE INDEX journal_runs_plan_key ON journal_runs(plan_key);
CREATE TABLE journal_actions (
  run_id TEXT NOT NULL REFERENCES journal_runs(id),
  idx INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  email TEXT NOT NULL,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  irreversible INTEGER NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  detail TEXT NOT NULL,
  reverts_index INTEGER,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (run_id, idx)
);
)sql"};

constexpr std::string_view kRunColumns =
    "SELECT id, kind, org, org_id, plan_key, plan_fingerprint, source, reverts_run, actor, "
    "state, started_at, finished_at FROM journal_runs ";

constexpr std::string_view kActionColumns =
    "SELECT run_id, idx, account_id, email, kind, target, rule, reason, irreversible, state, "
    "attempts, detail, reverts_index, updated_at FROM journal_actions ";

constexpr std::array<std::string_view, 5> kStateNames = {"planned", "sent", "verified", "failed",
                                                         "skipped"};

std::string_view Sv(const std::string& text) { return text; }

JournalRun ReadRun(const Statement& stmt) {
  JournalRun run;
  run.id = stmt.Text(0);
  run.kind = stmt.Text(1) == "revert" ? RunKind::kRevert : RunKind::kApply;
  run.org = stmt.Text(2);
  run.org_id = stmt.Text(3);
  run.plan_key = stmt.Text(4);
  run.plan_fingerprint = stmt.Text(5);
  run.source = stmt.Text(6);
  run.reverts_run = stmt.Text(7);
  run.actor = stmt.Text(8);
  std::string state = stmt.Text(9);
  run.state = state == "finished"  ? RunState::kFinished
              : state == "stopped" ? RunState::kStopped
                                   : RunState::kRunning;
  run.started_at = stmt.Text(10);
  run.finished_at = stmt.Text(11);
  return run;
}

JournalAction ReadAction(const Statement& stmt) {
  JournalAction action;
  action.run_id = stmt.Text(0);
  action.index = stmt.Int(1);
  action.account_id = stmt.Text(2);
  action.email = stmt.Text(3);
  action.kind = stmt.Text(4);
  action.target = stmt.Text(5);
  action.rule = stmt.Text(6);
  action.reason = stmt.Text(7);
  action.irreversible = stmt.Int(8) != 0;
  // An unknown state string can only come from a hand-edited file. Treating it as sent makes
  // a resumed run read the account back before doing anything.
  action.state = ParseActionState(stmt.Text(9)).value_or(ActionState::kSent);
  action.attempts = stmt.Int(10);
  action.detail = stmt.Text(11);
  action.reverts_index = stmt.OptionalInt(12);
  action.updated_at = stmt.Text(13);
  return action;
}

bool TransitionAllowed(ActionState from, ActionState to) {
  switch (to) {
    case ActionState::kSent:
      return from == ActionState::kPlanned || from == ActionState::kSent ||
             from == ActionState::kFailed;
    case ActionState::kVerified:
      return from == ActionState::kSent || from == ActionState::kFailed;
    case ActionState::kFailed:
      return from == ActionState::kSent || from == ActionState::kPlanned ||
             from == ActionState::kFailed;
    case ActionState::kSkipped:
      return from == ActionState::kPlanned || from == ActionState::kFailed;
    case ActionState::kPlanned:
      return false;
  }
  return false;
}

// Runs `body` in a transaction of its own unless the connection already has one open.
template <typename Body>
Status InTransaction(SqliteDb& db, Body body) {
  if (sqlite3_get_autocommit(db.handle()) == 0) return body();
  Transaction tx(db);
  AA_RETURN_IF_ERROR(tx.status());
  AA_RETURN_IF_ERROR(body());
  return tx.Commit();
}

}  // namespace

std::string_view ToString(ActionState state) { return kStateNames[static_cast<size_t>(state)]; }

std::optional<ActionState> ParseActionState(std::string_view text) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == text) return static_cast<ActionState>(i);
  }
  return std::nullopt;
}

std::string_view ToString(RunKind kind) { return kind == RunKind::kRevert ? "revert" : "apply"; }

std::string_view ToString(RunState state) {
  switch (state) {
    case RunState::kRunning:
      return "running";
    case RunState::kFinished:
      return "finished";
    case RunState::kStopped:
      return "stopped";
  }
  return "running";
}

Result<std::unique_ptr<JournalStore>> JournalStore::Open(SqliteDb& db, Clock& clock) {
  AA_RETURN_IF_ERROR(db.Migrate("journal", kMigrations));
  return std::unique_ptr<JournalStore>(new JournalStore(db, clock));
}

std::string JournalStore::Now() const { return FormatIsoTimestamp(ToTimestamp(clock_.Now())); }

Status JournalStore::CreateRun(JournalRun run, std::vector<JournalAction> actions) {
  if (run.started_at.empty()) run.started_at = Now();
  return InTransaction(db_, [&]() -> Status {
    AA_ASSIGN_OR_RETURN(
        Statement insert_run,
        db_.Prepare("INSERT INTO journal_runs(id, kind, org, org_id, plan_key, plan_fingerprint, "
                    "source, reverts_run, actor, state, started_at, finished_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"));
    insert_run.Bind(1, Sv(run.id))
        .Bind(2, ToString(run.kind))
        .Bind(3, Sv(run.org))
        .Bind(4, Sv(run.org_id))
        .Bind(5, Sv(run.plan_key))
        .Bind(6, Sv(run.plan_fingerprint))
        .Bind(7, Sv(run.source))
        .Bind(8, Sv(run.reverts_run))
        .Bind(9, Sv(run.actor))
        .Bind(10, ToString(run.state))
        .Bind(11, Sv(run.started_at))
        .Bind(12, Sv(run.finished_at));
    Status inserted = insert_run.Run();
    if (inserted.code() == StatusCode::kAlreadyExists) {
      return {StatusCode::kAlreadyExists, "run id " + run.id + " already exists"};
    }
    AA_RETURN_IF_ERROR(inserted);

    AA_ASSIGN_OR_RETURN(
        Statement insert_action,
        db_.Prepare("INSERT INTO journal_actions(run_id, idx, account_id, email, kind, target, "
                    "rule, reason, irreversible, state, attempts, detail, reverts_index, "
                    "updated_at) VALUES (?,?,?,?,?,?,?,?,?,'planned',0,'',?,?)"));
    std::string now = Now();
    for (size_t i = 0; i < actions.size(); ++i) {
      const JournalAction& action = actions[i];
      insert_action.Bind(1, Sv(run.id))
          .Bind(2, static_cast<int64_t>(i))
          .Bind(3, Sv(action.account_id))
          .Bind(4, Sv(action.email))
          .Bind(5, Sv(action.kind))
          .Bind(6, Sv(action.target))
          .Bind(7, Sv(action.rule))
          .Bind(8, Sv(action.reason))
          .Bind(9, static_cast<int64_t>(action.irreversible ? 1 : 0))
          .Bind(10, action.reverts_index)
          .Bind(11, Sv(now));
      AA_RETURN_IF_ERROR(insert_action.Run());
    }
    return Status::Ok();
  });
}

Result<std::optional<JournalRun>> JournalStore::GetRun(std::string_view run_id) {
  AA_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(std::string(kRunColumns) + "WHERE id = ?"));
  stmt.Bind(1, run_id);
  AA_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return std::optional<JournalRun>();
  return std::optional<JournalRun>(ReadRun(stmt));
}

Result<std::optional<JournalRun>> JournalStore::FindRunByPlanKey(std::string_view plan_key) {
  AA_ASSIGN_OR_RETURN(Statement stmt,
                      db_.Prepare(std::string(kRunColumns) +
                                  "WHERE plan_key = ? ORDER BY started_at DESC, rowid DESC "
                                  "LIMIT 1"));
  stmt.Bind(1, plan_key);
  AA_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return std::optional<JournalRun>();
  return std::optional<JournalRun>(ReadRun(stmt));
}

Result<std::vector<JournalRun>> JournalStore::ListRuns(int64_t limit) {
  AA_ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(std::string(kRunColumns) +
                                                  "ORDER BY started_at DESC, rowid DESC LIMIT ?"));
  stmt.Bind(1, limit);
  std::vector<JournalRun> runs;
  while (true) {
    AA_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    runs.push_back(ReadRun(stmt));
  }
  return runs;
}

Result<std::vector<JournalAction>> JournalStore::Actions(std::string_view run_id) {
  AA_ASSIGN_OR_RETURN(Statement stmt,
                      db_.Prepare(std::string(kActionColumns) + "WHERE run_id = ? ORDER BY idx"));
  stmt.Bind(1, run_id);
  std::vector<JournalAction> actions;
  while (true) {
    AA_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    actions.push_back(ReadAction(stmt));
  }
  return actions;
}

Result<RunCounts> JournalStore::Counts(std::string_view run_id) {
  AA_ASSIGN_OR_RETURN(
      Statement stmt,
      db_.Prepare("SELECT state, COUNT(*) FROM journal_actions WHERE run_id = ? GROUP BY state"));
  stmt.Bind(1, run_id);
  RunCounts counts;
  while (true) {
    AA_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) break;
    int64_t n = stmt.Int(1);
    switch (ParseActionState(stmt.Text(0)).value_or(ActionState::kSent)) {
      case ActionState::kPlanned:
        counts.planned += n;
        break;
      case ActionState::kSent:
        counts.sent += n;
        break;
      case ActionState::kVerified:
        counts.verified += n;
        break;
      case ActionState::kFailed:
        counts.failed += n;
        break;
      case ActionState::kSkipped:
        counts.skipped += n;
        break;
    }
  }
  return counts;
}

Status JournalStore::Transition(std::string_view run_id, int64_t index, ActionState to,
                                std::string_view detail) {
  return InTransaction(db_, [&]() -> Status {
    AA_ASSIGN_OR_RETURN(
        Statement read,
        db_.Prepare("SELECT state FROM journal_actions WHERE run_id = ? AND idx = ?"));
    read.Bind(1, run_id).Bind(2, index);
    AA_ASSIGN_OR_RETURN(bool has_row, read.Step());
    std::string where = "action " + std::to_string(index) + " of run " + std::string(run_id);
    if (!has_row) return NotFound(where + " is not in the journal");
    std::string from_text = read.Text(0);
    std::optional<ActionState> from = ParseActionState(from_text);
    if (!from || !TransitionAllowed(*from, to)) {
      return FailedPrecondition(where + " cannot move from " + from_text + " to " +
                                std::string(ToString(to)));
    }
    AA_ASSIGN_OR_RETURN(
        Statement update,
        db_.Prepare("UPDATE journal_actions SET state = ?, detail = ?, updated_at = ?, "
                    "attempts = attempts + ? WHERE run_id = ? AND idx = ?"));
    // An empty string_view may have a null data pointer, which SQLite would store as NULL.
    std::string detail_text(detail);
    update.Bind(1, ToString(to))
        .Bind(2, Sv(detail_text))
        .Bind(3, Sv(Now()))
        .Bind(4, static_cast<int64_t>(to == ActionState::kSent ? 1 : 0))
        .Bind(5, run_id)
        .Bind(6, index);
    return update.Run();
  });
}

Status JournalStore::SetRunState(std::string_view run_id, RunState state) {
  AA_ASSIGN_OR_RETURN(
      Statement update,
      db_.Prepare("UPDATE journal_runs SET state = ?, finished_at = ? WHERE id = ?"));
  std::string finished = state == RunState::kRunning ? std::string() : Now();
  update.Bind(1, ToString(state)).Bind(2, Sv(finished)).Bind(3, run_id);
  AA_RETURN_IF_ERROR(update.Run());
  if (db_.Changes() != 1) return NotFound("run " + std::string(run_id) + " is not in the journal");
  return Status::Ok();
}

}  // namespace adminauto::store
