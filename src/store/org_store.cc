#include "store/org_store.h"

namespace adminauto::store {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE orgs (
  name TEXT PRIMARY KEY,
  org_id TEXT NOT NULL UNIQUE,
  base_url TEXT NOT NULL,
  region TEXT NOT NULL,
  key_expires_at INTEGER NOT NULL,
  key_status TEXT NOT NULL,
  key_status_reason TEXT NOT NULL DEFAULT '',
  key_updated_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
)sql";

constexpr std::string_view kColumns =
    "name, org_id, base_url, region, key_expires_at, key_status, key_status_reason, "
    "key_updated_at, created_at";

std::string_view Sv(const std::string& text) { return text; }
int64_t Seconds(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp FromSeconds(int64_t s) { return Timestamp(std::chrono::seconds(s)); }

OrgRecord ReadRow(const Statement& row) {
  OrgRecord org;
  org.name = row.Text(0);
  org.org_id = row.Text(1);
  org.base_url = row.Text(2);
  org.region = row.Text(3);
  org.key_expires_at = FromSeconds(row.Int(4));
  org.key_status = ParseKeyStatus(row.Text(5)).value_or(KeyStatus::kInvalid);
  org.key_status_reason = row.Text(6);
  org.key_updated_at = FromSeconds(row.Int(7));
  org.created_at = FromSeconds(row.Int(8));
  return org;
}

}  // namespace

std::string_view ToString(KeyStatus status) {
  switch (status) {
    case KeyStatus::kValid:
      return "valid";
    case KeyStatus::kInvalid:
      return "invalid";
    case KeyStatus::kExpired:
      return "expired";
  }
  return "invalid";
}

std::optional<KeyStatus> ParseKeyStatus(std::string_view text) {
  if (text == "valid") return KeyStatus::kValid;
  if (text == "invalid") return KeyStatus::kInvalid;
  if (text == "expired") return KeyStatus::kExpired;
  return std::nullopt;
}

KeyStatus EffectiveKeyStatus(const OrgRecord& org, Timestamp now) {
  if (org.key_status == KeyStatus::kValid && org.key_expires_at <= now) return KeyStatus::kExpired;
  return org.key_status;
}

Result<std::unique_ptr<OrgStore>> OrgStore::Open(SqliteDb& db) {
  AA_RETURN_IF_ERROR(db.Migrate("orgs", {kSchemaV1}));
  return std::unique_ptr<OrgStore>(new OrgStore(db));
}

Status OrgStore::Insert(const OrgRecord& org) {
  AA_ASSIGN_OR_RETURN(Statement clash,
                      db_.Prepare("SELECT name, org_id FROM orgs WHERE name = ? OR org_id = ?"));
  clash.Bind(1, Sv(org.name)).Bind(2, Sv(org.org_id));
  AA_ASSIGN_OR_RETURN(bool exists, clash.Step());
  if (exists) {
    std::string message =
        clash.Text(0) == org.name
            ? "an org named \"" + org.name + "\" is already connected"
            : "org id " + org.org_id + " is already connected as \"" + clash.Text(0) + "\"";
    return Status(StatusCode::kAlreadyExists,
                  message + "; use `adminauto org replace-key` to change its key");
  }
  AA_ASSIGN_OR_RETURN(Statement insert, db_.Prepare("INSERT INTO orgs(" + std::string(kColumns) +
                                                    ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, Sv(org.name))
      .Bind(2, Sv(org.org_id))
      .Bind(3, Sv(org.base_url))
      .Bind(4, Sv(org.region))
      .Bind(5, Seconds(org.key_expires_at))
      .Bind(6, ToString(org.key_status))
      .Bind(7, Sv(org.key_status_reason))
      .Bind(8, Seconds(org.key_updated_at))
      .Bind(9, Seconds(org.created_at));
  return insert.Run();
}

Result<OrgRecord> OrgStore::Get(std::string_view name) {
  AA_ASSIGN_OR_RETURN(Statement query,
                      db_.Prepare("SELECT " + std::string(kColumns) + " FROM orgs WHERE name = ?"));
  query.Bind(1, name);
  AA_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) {
    return NotFound("no org named \"" + std::string(name) +
                    "\" is connected; run `adminauto org list` to see connected orgs");
  }
  return ReadRow(query);
}

Result<std::optional<OrgRecord>> OrgStore::FindByOrgId(std::string_view org_id) {
  AA_ASSIGN_OR_RETURN(Statement query, db_.Prepare("SELECT " + std::string(kColumns) +
                                                   " FROM orgs WHERE org_id = ?"));
  query.Bind(1, org_id);
  AA_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<OrgRecord>();
  return std::optional<OrgRecord>(ReadRow(query));
}

Result<std::vector<OrgRecord>> OrgStore::List() {
  AA_ASSIGN_OR_RETURN(Statement query,
                      db_.Prepare("SELECT " + std::string(kColumns) + " FROM orgs ORDER BY name"));
  std::vector<OrgRecord> orgs;
  while (true) {
    AA_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    orgs.push_back(ReadRow(query));
  }
  return orgs;
}

Status OrgStore::UpdateKey(std::string_view name, Timestamp expires_at, Timestamp now) {
  AA_ASSIGN_OR_RETURN(Statement update,
                      db_.Prepare("UPDATE orgs SET key_expires_at = ?, key_status = 'valid', "
                                  "key_status_reason = '', key_updated_at = ? WHERE name = ?"));
  update.Bind(1, Seconds(expires_at)).Bind(2, Seconds(now)).Bind(3, name);
  AA_RETURN_IF_ERROR(update.Run());
  if (db_.Changes() == 0) return Get(name).status();
  return Status::Ok();
}

Status OrgStore::SetKeyStatus(std::string_view name, KeyStatus status, std::string_view reason) {
  AA_ASSIGN_OR_RETURN(
      Statement update,
      db_.Prepare("UPDATE orgs SET key_status = ?, key_status_reason = ? WHERE name = ?"));
  update.Bind(1, ToString(status)).Bind(2, reason).Bind(3, name);
  AA_RETURN_IF_ERROR(update.Run());
  if (db_.Changes() == 0) return Get(name).status();
  return Status::Ok();
}

Status OrgStore::Remove(std::string_view name) {
  AA_ASSIGN_OR_RETURN(Statement remove, db_.Prepare("DELETE FROM orgs WHERE name = ?"));
  remove.Bind(1, name);
  AA_RETURN_IF_ERROR(remove.Run());
  if (db_.Changes() == 0) return Get(name).status();
  return Status::Ok();
}

}  // namespace adminauto::store
