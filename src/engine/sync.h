// Directory sync: reads an org's whole directory through the Organizations API and stores it
// as one snapshot. Either every page arrives and the snapshot is written in one transaction,
// or the sync fails, records why, and the previous snapshot stays the latest.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "atlassian/client.h"
#include "core/clock.h"
#include "core/status.h"
#include "rules/rule.h"
#include "store/snapshot_store.h"

namespace adminauto::engine {

struct SyncProgress {
  enum class Phase { kUsers, kGroups, kActivity };
  Phase phase = Phase::kUsers;
  size_t done = 0;   // items of this phase collected so far
  size_t total = 0;  // items expected, 0 when unknown
};

struct SyncOptions {
  // Reads per-site last-active dates of every managed account, one call per account. The
  // users search already carries per-product activity; this adds per-site precision and the
  // added-to-org day at the cost of one rate-limited call per account.
  bool fetch_last_active = false;
  // A snapshot with more than this fraction (0..1) fewer accounts than the accepted baseline
  // raises the drop flag. An empty snapshot after a non-empty baseline always raises it.
  double max_drop_fraction = 0.2;
  int keep_snapshots = 3;  // snapshots kept per org, the newest included
  // Called from the syncing thread after every page; may be null.
  std::function<void(const SyncProgress&)> progress;
};

struct SyncReport {
  int64_t snapshot_id = 0;
  store::SyncStats stats;
  int64_t managed = 0;                     // accounts rules can evaluate
  std::optional<std::string> drop_reason;  // set when this sync raised the drop flag
};

// Syncs the org of `client` into `store`. On failure, records the reason in the store, leaves
// the latest snapshot untouched, returns the error and, when it came from the API and
// `api_error` is not null, stores the typed error there. Uses `clock` for the snapshot time
// and the duration.
Result<SyncReport> RunSync(atlassian::OrgClient& client, store::SnapshotStore& store,
                           const SyncOptions& options, Clock& clock,
                           std::optional<atlassian::ApiError>* api_error = nullptr);

// Names of the rules that select on activity (inactive_days or never_active_days), in order.
// Such rules need per-site last-active dates, so a sync for them sets
// SyncOptions::fetch_last_active; empty when no rule needs them.
std::vector<std::string> RulesNeedingLastActive(const std::vector<rules::Rule>& rules);

// Merges per-site activity from the last-active-dates endpoint into `account`. A product with
// the same resource id (or the same key, when either has no id) takes the reported time, and
// an unknown product is added. The added-to-org time fills a missing one.
void MergeLastActive(const atlassian::LastActiveDates& dates, Account& account);

}  // namespace adminauto::engine
