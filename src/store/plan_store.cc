#include "store/plan_store.h"

namespace adminauto::store {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE plan_records (
  plan_hash TEXT NOT NULL,
  org_id TEXT NOT NULL,
  written_at INTEGER NOT NULL,
  PRIMARY KEY (plan_hash, org_id)
);
)sql";

}  // namespace

Result<std::unique_ptr<PlanStore>> PlanStore::Open(SqliteDb& db) {
  AA_RETURN_IF_ERROR(db.Migrate("plans", {kSchemaV1}));
  return std::unique_ptr<PlanStore>(new PlanStore(db));
}

Status PlanStore::Record(std::string_view plan_hash, std::string_view org_id,
                         Timestamp written_at) {
  AA_ASSIGN_OR_RETURN(
      Statement insert,
      db_.Prepare("INSERT OR IGNORE INTO plan_records(plan_hash, org_id, written_at) "
                  "VALUES(?, ?, ?)"));
  int64_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(written_at.time_since_epoch()).count();
  insert.Bind(1, plan_hash).Bind(2, org_id).Bind(3, seconds);
  return insert.Run();
}

Result<bool> PlanStore::Contains(std::string_view plan_hash, std::string_view org_id) {
  AA_ASSIGN_OR_RETURN(Statement query,
                      db_.Prepare("SELECT 1 FROM plan_records WHERE plan_hash = ? AND org_id = ?"));
  query.Bind(1, plan_hash).Bind(2, org_id);
  return query.Step();
}

}  // namespace adminauto::store
