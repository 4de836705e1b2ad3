// Helpers shared by the apply, run, revert, runs and audit commands: opening the data
// directory's stores, connecting to an org's API, naming the actor, printing progress and
// summaries.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "atlassian/client.h"
#include "atlassian/rate_budget.h"
#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/status.h"
#include "engine/apply.h"
#include "store/data_dir.h"
#include "store/journal_store.h"
#include "store/snapshot_store.h"
#include "store/sqlite.h"

namespace adminauto::engine {

// The stores one apply, revert or listing uses, on one database connection.
struct ApplyStores {
  std::unique_ptr<store::SqliteDb> db;
  std::unique_ptr<store::JournalStore> journal;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<store::SnapshotStore> snapshots;

  // Opens (creating if needed) the database in `data_dir` and applies the journal, audit and
  // snapshot migrations. `clock` must outlive the stores.
  static Result<std::unique_ptr<ApplyStores>> Open(const std::string& data_dir, Clock& clock);

  // Opens the database only when `data_dir` already has one, for commands that only read it:
  // a mistyped directory is an error, not a new empty database whose audit log verifies.
  static Result<std::unique_ptr<ApplyStores>> OpenExisting(const std::string& data_dir,
                                                           Clock& clock);
};

// A client for one org with its shared rate budget.
struct OrgSession {
  std::string name;  // org name as connected; the org id when it has none
  std::string org_id;
  std::shared_ptr<atlassian::RateBudget> budget;
  std::unique_ptr<atlassian::OrgClient> client;
  // Set once the API returns HTTP 401 to any request of this session, so the key was rejected.
  std::shared_ptr<std::atomic<bool>> key_rejected = std::make_shared<std::atomic<bool>>(false);
};

// Connects to the org `org_id` at `base_url` with `api_key`. The key goes to the HTTP
// transport only, and this function wipes the caller's string. `clock` must outlive the
// session.
Result<std::unique_ptr<OrgSession>> ConnectWithKey(const std::string& name,
                                                   const std::string& org_id,
                                                   const std::string& base_url,
                                                   std::string& api_key, Clock& clock);

// Connects to the org `org_id` at `base_url` through `transport`, which adds the credential
// itself (the key-holding gateway's transport). Every response passes through a check that
// sets `key_rejected` on HTTP 401. `clock` must outlive the session.
Result<std::unique_ptr<OrgSession>> ConnectWithTransport(
    const std::string& name, const std::string& org_id, const std::string& base_url,
    std::unique_ptr<atlassian::HttpTransport> transport, Clock& clock);

// The same with the API key read from `api_key_file`.
Result<std::unique_ptr<OrgSession>> ConnectWithKeyFile(const std::string& name,
                                                       const std::string& org_id,
                                                       const std::string& base_url,
                                                       const std::string& api_key_file,
                                                       Clock& clock);

// Returns "cli:USER" for the operating-system user running the process.
std::string CurrentActor();

// Returns a progress callback that redraws one status line on `out` when `terminal` is true,
// and prints one log line per finished action otherwise. `out` must outlive the callback.
ProgressCallback MakeProgressPrinter(std::ostream& out, bool terminal, Clock& clock);

// Formats the end of a run: totals, each failed action with its error, and the next step.
std::string FormatSummary(const RunSummary& summary,
                          const std::vector<store::JournalAction>& actions);

// Formats what a run is about to do, for the confirmation prompt and --dry-run.
std::string FormatIntent(const ApplyInput& input);

// Asks on `in`/`out` for the word `expected` to be typed. Returns true only on an exact match.
bool ConfirmTyped(std::istream& in, std::ostream& out, const std::string& prompt,
                  const std::string& expected);

// The terminal streams and flags ConfirmAndApply uses.
struct Interaction {
  bool yes = false;      // --yes: apply without asking
  bool dry_run = false;  // show what would change, change nothing
  bool input_is_terminal = false;
  bool output_is_terminal = false;
  std::istream* in = nullptr;        // confirmation answers
  std::ostream* out = nullptr;       // intent and summary
  std::ostream* progress = nullptr;  // progress bar or progress lines
};

// Prints what `input` would change, checks it with Preflight, prompts for the org name to be
// typed (unless `yes`), applies it and prints the summary. Returns kAborted for a safety stop,
// FailedPrecondition when confirmation is needed but cannot be asked or is refused, and an
// error when any action failed or the run stopped early.
Status ConfirmAndApply(Applier& applier, store::JournalStore& journal, const ApplyInput& input,
                       const Interaction& interaction);

}  // namespace adminauto::engine
