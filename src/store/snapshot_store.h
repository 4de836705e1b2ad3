// Directory snapshots of orgs, as written by sync and read by planning. A snapshot is one
// consistent Directory written in one transaction; a failed sync records why and leaves the
// latest snapshot as it was. A snapshot with far fewer accounts than the accepted baseline
// (or none after a non-empty one) raises a drop flag that blocks destructive actions on the
// org until an admin confirms the drop.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/directory.h"
#include "core/status.h"
#include "core/time.h"
#include "store/sqlite.h"

namespace adminauto::store {

// Figures of one sync, stored with its snapshot.
struct SyncStats {
  int64_t accounts = 0;   // all accounts in the snapshot
  int64_t unmanaged = 0;  // accounts the org does not manage: stored, never evaluable
  int64_t groups = 0;
  int64_t calls = 0;  // API requests, retries included
  int64_t retries = 0;
  int64_t duplicate_accounts = 0;  // repeated across pages and dropped
  std::chrono::milliseconds throttled{0};
  std::chrono::milliseconds duration{0};
};

struct SnapshotInfo {
  int64_t id = 0;
  std::string org_id;
  Timestamp taken_at{};
  SyncStats stats;
};

// Sync state of one org.
struct SyncState {
  std::string org_id;
  std::optional<int64_t> latest_snapshot_id;
  std::optional<Timestamp> last_success_at;
  std::optional<Timestamp> last_failure_at;
  std::string last_failure_reason;  // empty when the last attempt succeeded
  bool drop_pending = false;        // flagged and not confirmed: destructive actions blocked
  std::string drop_reason;
  std::optional<Timestamp> drop_confirmed_at;
  int64_t baseline_accounts = 0;  // account count the next snapshot is compared with
};

// Returns why `current` accounts is a suspicious drop from `baseline`, or nullopt: zero after
// a non-empty baseline, or a loss of more than `max_drop_fraction` (0..1) of the baseline.
std::optional<std::string> DetectDrop(int64_t baseline, int64_t current, double max_drop_fraction);

struct SaveResult {
  int64_t snapshot_id = 0;
  std::optional<std::string> drop_reason;  // set when this snapshot raised the drop flag
};

// Snapshot storage on SQLite. Borrows the database, which must outlive the store. Not
// thread-safe, like SqliteDb.
class SnapshotStore {
 public:
  // Applies this store's migrations (component "snapshot") to `db`.
  static Result<std::unique_ptr<SnapshotStore>> Open(SqliteDb& db);

  // Writes `directory` and `stats` as the org's latest snapshot in one transaction, updates
  // the drop flag against the baseline (see DetectDrop) and clears the last failure. Keeps
  // the `keep` most recent snapshots of the org and deletes older ones.
  Result<SaveResult> Save(const Directory& directory, const SyncStats& stats,
                          double max_drop_fraction, int keep = 3);

  // Loads the org's latest snapshot, or nullopt when it has none.
  Result<std::optional<Directory>> LoadLatest(std::string_view org_id);
  Result<std::optional<SnapshotInfo>> LatestInfo(std::string_view org_id);

  // Records a failed sync attempt; the latest snapshot stays as it was.
  Status RecordFailure(std::string_view org_id, Timestamp at, std::string_view reason);

  // Returns the org's sync state (defaults when it never synced).
  Result<SyncState> GetState(std::string_view org_id);

  // Accepts the pending drop: the latest snapshot becomes the baseline and destructive
  // actions are allowed again. FailedPrecondition when no drop is pending.
  Status ConfirmDrop(std::string_view org_id, Timestamp at);

  // Returns OK when destructive actions (suspend, remove, revoke, disable) may run on the
  // org, or FailedPrecondition naming the drop and how to confirm it.
  Status CheckDestructiveAllowed(std::string_view org_id);

 private:
  explicit SnapshotStore(SqliteDb& db) : db_(db) {}
  SqliteDb& db_;
};

}  // namespace adminauto::store
