// Hashes of the plan files that `adminauto plan --out` wrote from this data directory's
// snapshots. `adminauto apply` applies only a plan whose hash is recorded, so a plan file
// edited after it was written (an action added, a role changed) is rejected: the fingerprint
// in the file covers the plan's inputs, not its actions. This detects edits by anyone who can
// write the plan file but not the database. Migration component: "plans".
#pragma once

#include <memory>
#include <string_view>

#include "core/status.h"
#include "core/time.h"
#include "store/sqlite.h"

namespace adminauto::store {

// Plan records in one database. Not thread-safe, like the SqliteDb it uses; the db must
// outlive it.
class PlanStore {
 public:
  // Applies the "plans" migrations to `db`.
  static Result<std::unique_ptr<PlanStore>> Open(SqliteDb& db);

  // Records that a plan with SHA-256 `plan_hash` (hex) was written for `org_id`. Recording the
  // same plan again keeps the first record.
  Status Record(std::string_view plan_hash, std::string_view org_id, Timestamp written_at);
  // Whether a plan with `plan_hash` was recorded for `org_id`.
  Result<bool> Contains(std::string_view plan_hash, std::string_view org_id);

 private:
  explicit PlanStore(SqliteDb& db) : db_(db) {}
  SqliteDb& db_;
};

}  // namespace adminauto::store
