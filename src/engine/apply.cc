#include "engine/apply.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "core/log.h"
#include "core/text.h"
#include "core/time.h"

namespace adminauto::engine {
namespace {

using store::ActionState;

// Holds an exclusive flock() on a file while alive. The kernel drops the lock when the
// process dies, even by SIGKILL, so a crashed run never leaves a stale lock behind.
class PlanLock {
 public:
  PlanLock() = default;
  PlanLock(const PlanLock&) = delete;
  PlanLock& operator=(const PlanLock&) = delete;
  ~PlanLock() {
    if (fd_ >= 0) close(fd_);
  }

  Status Acquire(const std::string& dir, const std::string& plan_key) {
    if (dir.empty()) return Status::Ok();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::string path = dir + "/" + audit::Sha256Hex(plan_key).substr(0, 16) + ".lock";
    fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) return Internal("cannot open lock file " + path + ": " + strerror(errno));
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      return FailedPrecondition("another adminauto process is applying this plan (lock " + path +
                                "); wait for it to finish, then run the command again");
    }
    return Status::Ok();
  }

 private:
  int fd_ = -1;
};

Change ToChange(const store::JournalAction& action) {
  Change change;
  change.kind = ParseChangeKind(action.kind).value_or(ChangeKind::kSuspend);
  change.account_id = action.account_id;
  change.target = action.target;
  return change;
}

std::string AuditReason(const store::JournalAction& action) {
  std::string reason = "rule " + action.rule;
  if (!action.reason.empty()) reason += ": " + action.reason;
  if (!action.target.empty()) reason += "; target " + action.target;
  return reason;
}

std::string AuditResult(ActionState state, const std::string& detail) {
  std::string result(store::ToString(state));
  if (state != ActionState::kVerified && !detail.empty()) result += ": " + detail;
  return result;
}

// True when the API certainly did not act on the request, and the same error will stop
// every later request too.
bool StopsRun(atlassian::ApiErrorKind kind) {
  return kind == atlassian::ApiErrorKind::kCredentialInvalid ||
         kind == atlassian::ApiErrorKind::kRateLimited;
}

// True when a request may have been carried out although it returned an error.
bool OutcomeUnknown(atlassian::ApiErrorKind kind) {
  return kind == atlassian::ApiErrorKind::kServerError ||
         kind == atlassian::ApiErrorKind::kTimeout || kind == atlassian::ApiErrorKind::kNetwork ||
         kind == atlassian::ApiErrorKind::kMalformedResponse;
}

std::string Seconds(std::chrono::milliseconds duration) {
  return std::to_string(duration.count() / 1000.0).substr(0, 4) + " s";
}

}  // namespace

std::string NewRunId(Clock& clock) {
  Timestamp now = ToTimestamp(clock.Now());
  std::string iso = FormatIsoTimestamp(now);  // 2026-12-04T13:50:12Z
  std::string compact;
  for (char c : iso) {
    if (std::isdigit(static_cast<unsigned char>(c))) compact += c;
  }
  std::random_device random;
  char suffix[8];
  std::snprintf(suffix, sizeof(suffix), "%04x", static_cast<unsigned>(random() & 0xffff));
  return "run-" + compact.substr(0, 8) + "-" + compact.substr(8, 6) + "-" + suffix;
}

std::string DescribeChanges(const std::vector<PlannedChange>& changes) {
  std::map<std::string, int64_t> by_kind;
  std::set<std::string> accounts;
  for (const PlannedChange& planned : changes) {
    ++by_kind[std::string(ToString(planned.change.kind))];
    accounts.insert(planned.change.account_id);
  }
  std::string text = CountNoun(static_cast<int64_t>(changes.size()), "change") + " to " +
                     CountNoun(static_cast<int64_t>(accounts.size()), "account");
  const char* separator = ": ";
  for (const auto& [kind, count] : by_kind) {
    text += separator + kind + " " + std::to_string(count);
    separator = ", ";
  }
  return text;
}

Applier::Applier(store::SqliteDb& db, store::JournalStore& journal, audit::AuditLog& audit,
                 atlassian::OrgClient& client, Clock& clock, SyncGuards guards,
                 ApplyOptions options)
    : db_(db),
      journal_(journal),
      audit_(audit),
      client_(client),
      clock_(clock),
      guards_(std::move(guards)),
      options_(std::move(options)) {}

Status Applier::Preflight(const ApplyInput& input) {
  int64_t irreversible = 0;
  bool destructive = false;
  for (const PlannedChange& planned : input.changes) {
    if (planned.irreversible || !InverseOf(planned.change.kind)) ++irreversible;
    destructive = destructive || IsDestructive(planned.change.kind);
  }
  if (irreversible > 0 && !options_.allow_irreversible) {
    return {StatusCode::kAborted,
            "the plan has " + std::to_string(irreversible) +
                " irreversible changes (remove from directory), which revert cannot undo; "
                "review them and pass --allow-irreversible to apply them"};
  }
  AA_RETURN_IF_ERROR(CheckLimits(input));
  if (destructive && guards_.destructive_allowed) {
    Status allowed = guards_.destructive_allowed(input.org_id);
    if (!allowed.ok()) {
      return {StatusCode::kAborted,
              "destructive changes are blocked for org " + input.org + ": " + allowed.message()};
    }
  }
  return Status::Ok();
}

Status Applier::CheckLimits(const ApplyInput& input) {
  std::map<std::string, std::set<std::string>> accounts_by_rule;
  for (const PlannedChange& planned : input.changes) {
    accounts_by_rule[planned.rule].insert(planned.change.account_id);
  }
  for (const RuleLimits& limits : input.limits) {
    int64_t touched = static_cast<int64_t>(accounts_by_rule[limits.rule].size());
    if (limits.max_accounts && touched > *limits.max_accounts) {
      return {StatusCode::kAborted,
              "rule " + limits.rule + " would change " + std::to_string(touched) +
                  " accounts, more than its limit max_accounts=" +
                  std::to_string(*limits.max_accounts) + "; nothing was changed"};
    }
    if (limits.max_fraction && input.accounts_evaluated > 0) {
      double fraction =
          static_cast<double>(touched) / static_cast<double>(input.accounts_evaluated);
      if (fraction > *limits.max_fraction) {
        return {StatusCode::kAborted,
                "rule " + limits.rule + " would change " + std::to_string(touched) + " of " +
                    std::to_string(input.accounts_evaluated) + " accounts (" +
                    std::to_string(fraction) + "), more than its limit max_fraction=" +
                    std::to_string(*limits.max_fraction) + "; nothing was changed"};
      }
    }
  }
  return Status::Ok();
}

Status Applier::CheckSnapshot(const ApplyInput& input) {
  if (input.kind == store::RunKind::kRevert) return Status::Ok();
  if (!input.snapshot_hash) {
    return FailedPrecondition(
        "the plan was not made from a synced snapshot of org " + input.org +
        " (a plan made from an export file is for review only); run `adminauto sync " + input.org +
        "`, then plan again with --org");
  }
  if (!guards_.latest_snapshot_hash) return Status::Ok();
  AA_ASSIGN_OR_RETURN(std::optional<std::string> latest,
                      guards_.latest_snapshot_hash(input.org_id));
  if (!latest || *latest != *input.snapshot_hash) {
    return FailedPrecondition("the plan was made from an older snapshot of org " + input.org +
                              " (content " + input.snapshot_hash->substr(0, 12) + ", latest " +
                              (latest ? latest->substr(0, 12) : std::string("none")) +
                              "); make a fresh plan with `adminauto plan --org " + input.org +
                              "` or `adminauto run RULE --org " + input.org + "` and apply that");
  }
  return Status::Ok();
}

Result<store::JournalRun> Applier::StartOrResume(const ApplyInput& input, bool* resumed) {
  AA_ASSIGN_OR_RETURN(std::optional<store::JournalRun> existing,
                      journal_.FindRunByPlanKey(input.plan_key));
  if (existing) {
    *resumed = true;
    // A run that never finished is continued as it is. A finished run is applied again only
    // if its plan is still current, because its failed changes are sent again.
    if (existing->state != store::RunState::kRunning) AA_RETURN_IF_ERROR(CheckSnapshot(input));
    AA_RETURN_IF_ERROR(journal_.SetRunState(existing->id, store::RunState::kRunning));
    AA_RETURN_IF_ERROR(
        audit_
            .Append({options_.actor, std::string(ToString(input.kind)) + ".resume", input.org, "",
                     "source " + input.source, "resumed", existing->id})
            .status());
    existing->state = store::RunState::kRunning;
    return *existing;
  }

  *resumed = false;
  AA_RETURN_IF_ERROR(CheckSnapshot(input));
  store::JournalRun run;
  run.id = NewRunId(clock_);
  run.kind = input.kind;
  run.org = input.org;
  run.org_id = input.org_id;
  run.plan_key = input.plan_key;
  run.plan_fingerprint = input.fingerprint;
  run.source = input.source;
  run.reverts_run = input.reverts_run;
  run.actor = options_.actor;
  std::vector<store::JournalAction> actions;
  for (const PlannedChange& planned : input.changes) {
    store::JournalAction action;
    action.account_id = planned.change.account_id;
    action.email = planned.email;
    action.kind = std::string(ToString(planned.change.kind));
    action.target = planned.change.target;
    action.rule = planned.rule;
    action.reason = planned.reason;
    action.irreversible = planned.irreversible || !InverseOf(planned.change.kind);
    action.reverts_index = planned.reverts_index;
    actions.push_back(std::move(action));
  }

  // The run, its planned actions and the audit entry that opens it commit together.
  store::Transaction tx(db_);
  AA_RETURN_IF_ERROR(tx.status());
  AA_RETURN_IF_ERROR(journal_.CreateRun(run, std::move(actions)));
  AA_RETURN_IF_ERROR(
      audit_
          .Append({options_.actor, std::string(ToString(input.kind)) + ".start", input.org, "",
                   "source " + input.source + "; " + DescribeChanges(input.changes), "started",
                   run.id})
          .status());
  AA_RETURN_IF_ERROR(tx.Commit());
  return run;
}

Result<RunSummary> Applier::Apply(const ApplyInput& input) {
  PlanLock lock;
  AA_RETURN_IF_ERROR(lock.Acquire(options_.lock_dir, input.plan_key));
  Status preflight = Preflight(input);
  if (!preflight.ok()) {
    (void)audit_.Append({options_.actor, std::string(ToString(input.kind)) + ".reject", input.org,
                         "", "source " + input.source, "rejected: " + preflight.message(), ""});
    return preflight;
  }

  RunSummary summary;
  summary.kind = input.kind;
  AA_ASSIGN_OR_RETURN(store::JournalRun run, StartOrResume(input, &summary.resumed));
  summary.run_id = run.id;
  auto logger = GetLogger("apply");
  logger->info("{} run={} org={} resumed={}", ToString(input.kind), run.id, input.org,
               summary.resumed);

  AA_ASSIGN_OR_RETURN(std::vector<store::JournalAction> actions, journal_.Actions(run.id));
  for (const store::JournalAction& action : actions) {
    Status processed = ProcessAction(run, action, &summary.sent);
    if (!processed.ok()) {
      summary.stopped_reason = processed.message();
      logger->error("run={} stopped at action={} account={}: {}", run.id, action.index,
                    action.account_id, processed.message());
      break;
    }
  }

  AA_ASSIGN_OR_RETURN(summary.counts, journal_.Counts(run.id));
  store::RunState end = summary.stopped() ? store::RunState::kStopped : store::RunState::kFinished;
  std::string result = "verified=" + std::to_string(summary.counts.verified) +
                       " failed=" + std::to_string(summary.counts.failed) +
                       " skipped=" + std::to_string(summary.counts.skipped);
  if (summary.stopped()) result = "stopped: " + summary.stopped_reason + "; " + result;
  store::Transaction tx(db_);
  AA_RETURN_IF_ERROR(tx.status());
  AA_RETURN_IF_ERROR(journal_.SetRunState(run.id, end));
  AA_RETURN_IF_ERROR(audit_
                         .Append({options_.actor, std::string(ToString(input.kind)) + ".finish",
                                  input.org, "", "source " + input.source, result, run.id})
                         .status());
  AA_RETURN_IF_ERROR(tx.Commit());
  return summary;
}

Status Applier::Record(const store::JournalRun& run, const store::JournalAction& action,
                       ActionState to, const std::string& detail) {
  store::Transaction tx(db_);
  AA_RETURN_IF_ERROR(tx.status());
  AA_RETURN_IF_ERROR(journal_.Transition(run.id, action.index, to, detail));
  std::string result = to == ActionState::kSent ? "intent" : AuditResult(to, detail);
  AA_RETURN_IF_ERROR(audit_
                         .Append({options_.actor, action.kind, run.org, action.account_id,
                                  AuditReason(action), result, run.id})
                         .status());
  AA_RETURN_IF_ERROR(tx.Commit());
  if (to != ActionState::kSent) ReportProgress(run, action.account_id, result);
  return Status::Ok();
}

Status Applier::ProcessAction(const store::JournalRun& run, const store::JournalAction& action,
                              int64_t* sent) {
  Change change = ToChange(action);
  if (!ParseChangeKind(action.kind)) {
    return Record(run, action, ActionState::kFailed, "unknown change kind " + action.kind);
  }
  switch (action.state) {
    case ActionState::kVerified:
    case ActionState::kSkipped:
      return Status::Ok();

    case ActionState::kSent: {
      // The run stopped after recording this change as sent: it may or may not have reached
      // the API. Read it back for the whole consistency window before sending it again.
      AA_ASSIGN_OR_RETURN(ReadBack read, PollForEffect(client_, clock_, change, options_.poll));
      if (read.effect == Effect::kPresent) {
        return Record(run, action, ActionState::kVerified,
                      "read back after the run was interrupted: the change had been applied");
      }
      return SendAndVerify(run, action, change, sent);
    }

    case ActionState::kPlanned:
    case ActionState::kFailed: {
      auto current = ReadAccount(client_, change.account_id);
      if (!current.ok()) {
        if (StopsRun(current.error().kind)) return current.status();
        return Record(run, action, ActionState::kFailed,
                      "cannot read the account before the change: " + current.error().message);
      }
      if (EffectOf(change, current.value()) == Effect::kPresent) {
        // A failed change that shows now was carried out late by the API after an error; a
        // change never sent that shows already needs nothing.
        if (action.state == ActionState::kFailed && action.attempts > 0) {
          return Record(run, action, ActionState::kVerified,
                        "read back on a later run: the change had been applied");
        }
        return Record(run, action, ActionState::kSkipped,
                      "already in the target state, nothing sent");
      }
      if (!current.value()) {
        return Record(run, action, ActionState::kFailed, "account not found in the directory");
      }
      if (action.irreversible && !options_.allow_irreversible) {
        return Record(run, action, ActionState::kSkipped,
                      "irreversible change not allowed (--allow-irreversible not given)");
      }
      return SendAndVerify(run, action, change, sent);
    }
  }
  return Status::Ok();
}

Status Applier::SendAndVerify(const store::JournalRun& run, const store::JournalAction& action,
                              const Change& change, int64_t* sent) {
  // The journal and the audit log record the intent durably before the request leaves.
  AA_RETURN_IF_ERROR(Record(run, action, ActionState::kSent, ""));
  WaitNotice(run);
  atlassian::ApiStatus result = SendChange(client_, change);
  ++*sent;

  std::string error_text;
  if (!result.ok()) {
    const atlassian::ApiError& error = result.error();
    error_text = error.message;
    if (!OutcomeUnknown(error.kind)) {
      AA_RETURN_IF_ERROR(Record(run, action, ActionState::kFailed, error.message));
      // A rate limit or a rejected key stops the run; the next apply continues from here.
      if (StopsRun(error.kind)) return error.ToStatus();
      return Status::Ok();
    }
  }

  // A read-back that fails leaves the action in "sent", so the next apply decides it.
  AA_ASSIGN_OR_RETURN(ReadBack read, PollForEffect(client_, clock_, change, options_.poll));
  if (read.effect == Effect::kPresent) {
    std::string note =
        error_text.empty() ? std::string() : "applied although the request failed: " + error_text;
    return Record(run, action, ActionState::kVerified, note);
  }
  if (!error_text.empty()) return Record(run, action, ActionState::kFailed, error_text);
  return Record(run, action, ActionState::kFailed,
                "the API accepted the change but the account did not show it within " +
                    Seconds(options_.poll.window) + " (" + std::to_string(read.reads) + " reads)");
}

void Applier::ReportProgress(const store::JournalRun& run, const std::string& account,
                             const std::string& outcome) {
  if (!options_.progress) return;
  auto counts = journal_.Counts(run.id);
  if (!counts.ok()) return;
  Progress progress;
  progress.total = counts->total();
  progress.verified = counts->verified;
  progress.failed = counts->failed;
  progress.skipped = counts->skipped;
  progress.last_account = account;
  progress.last_outcome = outcome;
  options_.progress(progress);
}

void Applier::WaitNotice(const store::JournalRun& run) {
  if (!options_.progress || !options_.budget) return;
  auto not_before = options_.budget->NotBefore();
  if (not_before <= clock_.Now()) return;
  auto counts = journal_.Counts(run.id);
  if (!counts.ok()) return;
  Progress progress;
  progress.total = counts->total();
  progress.verified = counts->verified;
  progress.failed = counts->failed;
  progress.skipped = counts->skipped;
  progress.waiting_until = not_before;
  options_.progress(progress);
}

Result<RevertPlan> Applier::PlanRevert(std::string_view run_id,
                                       std::optional<int64_t> only_action) {
  AA_ASSIGN_OR_RETURN(std::optional<store::JournalRun> run, journal_.GetRun(run_id));
  if (!run) {
    return NotFound("run " + std::string(run_id) +
                    " is not in the journal; list runs with `adminauto runs list`");
  }
  AA_ASSIGN_OR_RETURN(std::vector<store::JournalAction> actions, journal_.Actions(run_id));
  RevertPlan plan;
  plan.input.kind = store::RunKind::kRevert;
  plan.input.org = run->org;
  plan.input.org_id = run->org_id;
  plan.input.plan_key = "revert:" + run->id;
  plan.input.fingerprint = run->plan_fingerprint;
  plan.input.source = run->id;
  plan.input.reverts_run = run->id;
  if (only_action) {
    if (*only_action < 0 || *only_action >= static_cast<int64_t>(actions.size())) {
      return NotFound("run " + run->id + " has no action " + std::to_string(*only_action) +
                      "; `adminauto runs show " + run->id + "` lists its actions");
    }
    // A key of its own, so a later revert of the whole run is a new run too.
    plan.input.plan_key += ":action:" + std::to_string(*only_action);
  }

  // Undo newest first, so changes to one account are unwound in reverse order.
  for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
    const store::JournalAction& action = *it;
    if (only_action && action.index != *only_action) continue;
    if (action.state == ActionState::kSent) {
      return FailedPrecondition("run " + run->id + " has a change in state sent (action " +
                                std::to_string(action.index) + ", account " + action.account_id +
                                ") whose outcome is unknown; apply its plan again to resume and "
                                "settle it, then revert");
    }
    if (action.state != ActionState::kVerified) continue;
    std::optional<ChangeKind> kind = ParseChangeKind(action.kind);
    std::optional<ChangeKind> inverse = kind ? InverseOf(*kind) : std::nullopt;
    if (!inverse) {
      plan.not_revertible.push_back("account " + action.account_id + ": " + action.kind +
                                    " cannot be undone; invite the user again to bring them back");
      continue;
    }
    PlannedChange undo;
    undo.change = {*inverse, action.account_id, action.target};
    undo.email = action.email;
    undo.rule = action.rule;
    undo.reason =
        "undo " + action.kind + " of " + run->id + " action " + std::to_string(action.index);
    undo.reverts_index = action.index;
    plan.input.changes.push_back(std::move(undo));
  }
  return plan;
}

}  // namespace adminauto::engine
