#include "store/snapshot_store.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

namespace adminauto::store {
namespace {

namespace json = boost::json;

// Account lists (products, groups, roles) are stored as JSON text in the account row: a
// snapshot is always read and written whole, and one row per account keeps a 200,000-account
// snapshot to 200,000 inserts.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE sync_snapshots (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id TEXT NOT NULL,
  directory_id TEXT NOT NULL,
  taken_at INTEGER NOT NULL,
  accounts INTEGER NOT NULL,
  unmanaged INTEGER NOT NULL,
  groups_count INTEGER NOT NULL,
  calls INTEGER NOT NULL,
  retries INTEGER NOT NULL,
  duplicate_accounts INTEGER NOT NULL,
  throttled_ms INTEGER NOT NULL,
  duration_ms INTEGER NOT NULL
);
CREATE INDEX sync_snapshots_by_org ON sync_snapshots(org_id, id);
CREATE TABLE sync_snapshot_accounts (
  snapshot_id INTEGER NOT NULL REFERENCES sync_snapshots(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  account_type TEXT NOT NULL,
  account_status TEXT NOT NULL,
  membership_status TEXT NOT NULL,
  claim_status TEXT NOT NULL,
  added_to_org INTEGER,
  restored_at INTEGER,
  platform_roles TEXT NOT NULL,
  group_ids TEXT NOT NULL,
  products TEXT NOT NULL,
  PRIMARY KEY (snapshot_id, position)
);
CREATE TABLE sync_snapshot_groups (
  snapshot_id INTEGER NOT NULL REFERENCES sync_snapshots(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  group_id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  is_default INTEGER NOT NULL,
  external_synced INTEGER NOT NULL,
  grants_admin INTEGER NOT NULL,
  PRIMARY KEY (snapshot_id, position)
);
CREATE TABLE sync_state (
  org_id TEXT PRIMARY KEY,
  latest_snapshot_id INTEGER,
  last_success_at INTEGER,
  last_failure_at INTEGER,
  last_failure_reason TEXT NOT NULL DEFAULT '',
  drop_pending INTEGER NOT NULL DEFAULT 0,
  drop_reason TEXT NOT NULL DEFAULT '',
  drop_confirmed_at INTEGER,
  baseline_accounts INTEGER NOT NULL DEFAULT 0
);
)sql";

int64_t Seconds(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp FromSeconds(int64_t s) { return Timestamp(std::chrono::seconds(s)); }

std::optional<int64_t> OptionalSeconds(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return Seconds(*t);
}

std::optional<Timestamp> OptionalTime(const std::optional<int64_t>& s) {
  if (!s) return std::nullopt;
  return FromSeconds(*s);
}

std::string StringsToJson(const std::vector<std::string>& items) {
  json::array array;
  for (const auto& item : items) array.emplace_back(item);
  return json::serialize(array);
}

std::string ProductsToJson(const std::vector<ProductAccess>& products) {
  json::array array;
  for (const auto& p : products) {
    json::object obj;
    obj["key"] = p.key;
    obj["site"] = p.site;
    obj["resource_id"] = p.resource_id;
    if (p.last_active) {
      obj["last_active"] = Seconds(*p.last_active);
    } else {
      obj["last_active"] = nullptr;
    }
    array.push_back(std::move(obj));
  }
  return json::serialize(array);
}

Result<json::array> ParseArray(const std::string& text, std::string_view column) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_array()) {
    return DataLoss("snapshot column " + std::string(column) + " is not a JSON array");
  }
  return std::move(value.as_array());
}

Result<std::vector<std::string>> StringsFromJson(const std::string& text, std::string_view column) {
  AA_ASSIGN_OR_RETURN(json::array array, ParseArray(text, column));
  std::vector<std::string> out;
  for (const auto& v : array) {
    if (!v.is_string()) return DataLoss("snapshot column " + std::string(column) + " is corrupt");
    out.emplace_back(v.as_string());
  }
  return out;
}

Result<std::vector<ProductAccess>> ProductsFromJson(const std::string& text) {
  AA_ASSIGN_OR_RETURN(json::array array, ParseArray(text, "products"));
  std::vector<ProductAccess> out;
  for (const auto& v : array) {
    const json::object* obj = v.if_object();
    if (obj == nullptr) return DataLoss("snapshot column products is corrupt");
    ProductAccess p;
    try {
      p.key = std::string(obj->at("key").as_string());
      p.site = std::string(obj->at("site").as_string());
      p.resource_id = std::string(obj->at("resource_id").as_string());
      const json::value& last = obj->at("last_active");
      if (!last.is_null()) p.last_active = FromSeconds(last.as_int64());
    } catch (const std::exception&) {
      return DataLoss("snapshot column products is corrupt");
    }
    out.push_back(std::move(p));
  }
  return out;
}

Status InsertAccounts(SqliteDb& db, int64_t snapshot_id, const std::vector<Account>& accounts) {
  AA_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO sync_snapshot_accounts(snapshot_id, position, account_id, name, "
                 "email, account_type, account_status, membership_status, claim_status, "
                 "added_to_org, restored_at, platform_roles, group_ids, products) "
                 "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
  int64_t position = 0;
  for (const Account& a : accounts) {
    insert.Bind(1, snapshot_id)
        .Bind(2, position++)
        .Bind(3, std::string_view(a.id))
        .Bind(4, std::string_view(a.name))
        .Bind(5, std::string_view(a.email))
        .Bind(6, ToString(a.type))
        .Bind(7, ToString(a.account_status))
        .Bind(8, ToString(a.membership_status))
        .Bind(9, ToString(a.claim_status))
        .Bind(10, OptionalSeconds(a.added_to_org))
        .Bind(11, OptionalSeconds(a.restored_at))
        .Bind(12, std::string_view(StringsToJson(a.platform_roles)))
        .Bind(13, std::string_view(StringsToJson(a.group_ids)))
        .Bind(14, std::string_view(ProductsToJson(a.products)));
    AA_RETURN_IF_ERROR(insert.Run());
    AA_RETURN_IF_ERROR(insert.Reset());
  }
  return Status::Ok();
}

Status InsertGroups(SqliteDb& db, int64_t snapshot_id, const std::vector<Group>& groups) {
  AA_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO sync_snapshot_groups(snapshot_id, position, group_id, name, "
                 "description, is_default, external_synced, grants_admin) "
                 "VALUES(?,?,?,?,?,?,?,?)"));
  int64_t position = 0;
  for (const Group& g : groups) {
    insert.Bind(1, snapshot_id)
        .Bind(2, position++)
        .Bind(3, std::string_view(g.id))
        .Bind(4, std::string_view(g.name))
        .Bind(5, std::string_view(g.description))
        .Bind(6, int64_t{g.is_default})
        .Bind(7, int64_t{g.external_synced})
        .Bind(8, int64_t{g.grants_admin});
    AA_RETURN_IF_ERROR(insert.Run());
    AA_RETURN_IF_ERROR(insert.Reset());
  }
  return Status::Ok();
}

Result<int64_t> InsertSnapshotRow(SqliteDb& db, const Directory& d, const SyncStats& s) {
  AA_ASSIGN_OR_RETURN(
      Statement insert,
      db.Prepare("INSERT INTO sync_snapshots(org_id, directory_id, taken_at, accounts, "
                 "unmanaged, groups_count, calls, retries, duplicate_accounts, throttled_ms, "
                 "duration_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
  insert.Bind(1, std::string_view(d.org_id))
      .Bind(2, std::string_view(d.directory_id))
      .Bind(3, Seconds(d.taken_at))
      .Bind(4, static_cast<int64_t>(d.accounts.size()))
      .Bind(5, s.unmanaged)
      .Bind(6, static_cast<int64_t>(d.groups.size()))
      .Bind(7, s.calls)
      .Bind(8, s.retries)
      .Bind(9, s.duplicate_accounts)
      .Bind(10, static_cast<int64_t>(s.throttled.count()))
      .Bind(11, static_cast<int64_t>(s.duration.count()));
  AA_RETURN_IF_ERROR(insert.Run());
  return db.LastInsertRowId();
}

Status EnsureStateRow(SqliteDb& db, std::string_view org_id) {
  AA_ASSIGN_OR_RETURN(Statement insert, db.Prepare("INSERT INTO sync_state(org_id) VALUES(?) "
                                                   "ON CONFLICT(org_id) DO NOTHING"));
  insert.Bind(1, org_id);
  return insert.Run();
}

Status PruneSnapshots(SqliteDb& db, std::string_view org_id, int keep) {
  AA_ASSIGN_OR_RETURN(
      Statement prune,
      db.Prepare("DELETE FROM sync_snapshots WHERE org_id = ?1 AND id NOT IN "
                 "(SELECT id FROM sync_snapshots WHERE org_id = ?1 ORDER BY id DESC LIMIT ?2)"));
  prune.Bind(1, org_id).Bind(2, static_cast<int64_t>(std::max(1, keep)));
  return prune.Run();
}

}  // namespace

std::optional<std::string> DetectDrop(int64_t baseline, int64_t current, double max_drop_fraction) {
  if (baseline <= 0 || current >= baseline) return std::nullopt;
  if (current == 0) {
    return "the directory is empty, after a sync that found " + std::to_string(baseline) +
           " accounts";
  }
  double lost = static_cast<double>(baseline - current) / static_cast<double>(baseline);
  if (lost <= max_drop_fraction) return std::nullopt;
  char percent[32];
  std::snprintf(percent, sizeof percent, "%.1f%%", lost * 100.0);
  char limit[32];
  std::snprintf(limit, sizeof limit, "%.1f%%", max_drop_fraction * 100.0);
  return "the directory shrank from " + std::to_string(baseline) + " to " +
         std::to_string(current) + " accounts (" + percent + " fewer, more than the allowed " +
         limit + ")";
}

Result<std::unique_ptr<SnapshotStore>> SnapshotStore::Open(SqliteDb& db) {
  AA_RETURN_IF_ERROR(db.Migrate("snapshot", {kSchemaV1}));
  return std::unique_ptr<SnapshotStore>(new SnapshotStore(db));
}

Result<SaveResult> SnapshotStore::Save(const Directory& directory, const SyncStats& stats,
                                       double max_drop_fraction, int keep) {
  Transaction tx(db_);
  AA_RETURN_IF_ERROR(tx.status());
  AA_RETURN_IF_ERROR(EnsureStateRow(db_, std::string_view(directory.org_id)));
  AA_ASSIGN_OR_RETURN(SyncState state, GetState(directory.org_id));

  SaveResult result;
  AA_ASSIGN_OR_RETURN(result.snapshot_id, InsertSnapshotRow(db_, directory, stats));
  AA_RETURN_IF_ERROR(InsertAccounts(db_, result.snapshot_id, directory.accounts));
  AA_RETURN_IF_ERROR(InsertGroups(db_, result.snapshot_id, directory.groups));

  // Compare with the accepted baseline, not with the previous snapshot: otherwise a second
  // sync after a drop would compare with the shrunken picture and clear the flag unconfirmed.
  const int64_t count = static_cast<int64_t>(directory.accounts.size());
  result.drop_reason = DetectDrop(state.baseline_accounts, count, max_drop_fraction);
  AA_ASSIGN_OR_RETURN(
      Statement update,
      db_.Prepare("UPDATE sync_state SET latest_snapshot_id = ?, last_success_at = ?, "
                  "last_failure_at = NULL, last_failure_reason = '', drop_pending = ?, "
                  "drop_reason = ?, baseline_accounts = ? WHERE org_id = ?"));
  update.Bind(1, result.snapshot_id)
      .Bind(2, Seconds(directory.taken_at))
      .Bind(3, int64_t{result.drop_reason.has_value()})
      .Bind(4, std::string_view(result.drop_reason.value_or("")))
      .Bind(5, result.drop_reason ? state.baseline_accounts : count)
      .Bind(6, std::string_view(directory.org_id));
  AA_RETURN_IF_ERROR(update.Run());
  AA_RETURN_IF_ERROR(PruneSnapshots(db_, directory.org_id, keep));
  AA_RETURN_IF_ERROR(tx.Commit());
  return result;
}

Result<std::optional<SnapshotInfo>> SnapshotStore::LatestInfo(std::string_view org_id) {
  AA_ASSIGN_OR_RETURN(
      Statement query,
      db_.Prepare("SELECT id, taken_at, accounts, unmanaged, groups_count, calls, retries, "
                  "duplicate_accounts, throttled_ms, duration_ms FROM sync_snapshots "
                  "WHERE org_id = ? ORDER BY id DESC LIMIT 1"));
  query.Bind(1, org_id);
  AA_ASSIGN_OR_RETURN(bool has_row, query.Step());
  if (!has_row) return std::optional<SnapshotInfo>();
  SnapshotInfo info;
  info.id = query.Int(0);
  info.org_id = std::string(org_id);
  info.taken_at = FromSeconds(query.Int(1));
  info.stats.accounts = query.Int(2);
  info.stats.unmanaged = query.Int(3);
  info.stats.groups = query.Int(4);
  info.stats.calls = query.Int(5);
  info.stats.retries = query.Int(6);
  info.stats.duplicate_accounts = query.Int(7);
  info.stats.throttled = std::chrono::milliseconds(query.Int(8));
  info.stats.duration = std::chrono::milliseconds(query.Int(9));
  return std::optional<SnapshotInfo>(std::move(info));
}

namespace {

Result<Account> ReadAccount(const Statement& row) {
  Account a;
  a.id = row.Text(0);
  a.name = row.Text(1);
  a.email = row.Text(2);
  auto type = ParseAccountType(row.Text(3));
  auto status = ParseAccountStatus(row.Text(4));
  auto membership = ParseMembershipStatus(row.Text(5));
  auto claim = ParseClaimStatus(row.Text(6));
  if (!type || !status || !membership || !claim) {
    return DataLoss("snapshot account " + a.id + " has an unknown status value");
  }
  a.type = *type;
  a.account_status = *status;
  a.membership_status = *membership;
  a.claim_status = *claim;
  a.added_to_org = OptionalTime(row.OptionalInt(7));
  a.restored_at = OptionalTime(row.OptionalInt(8));
  AA_ASSIGN_OR_RETURN(a.platform_roles, StringsFromJson(row.Text(9), "platform_roles"));
  AA_ASSIGN_OR_RETURN(a.group_ids, StringsFromJson(row.Text(10), "group_ids"));
  AA_ASSIGN_OR_RETURN(a.products, ProductsFromJson(row.Text(11)));
  return a;
}

}  // namespace

Result<std::optional<Directory>> SnapshotStore::LoadLatest(std::string_view org_id) {
  AA_ASSIGN_OR_RETURN(
      Statement head,
      db_.Prepare("SELECT id, directory_id, taken_at FROM sync_snapshots WHERE org_id = ? "
                  "ORDER BY id DESC LIMIT 1"));
  head.Bind(1, org_id);
  AA_ASSIGN_OR_RETURN(bool has_row, head.Step());
  if (!has_row) return std::optional<Directory>();
  Directory d;
  const int64_t id = head.Int(0);
  d.org_id = std::string(org_id);
  d.directory_id = head.Text(1);
  d.taken_at = FromSeconds(head.Int(2));

  AA_ASSIGN_OR_RETURN(
      Statement accounts,
      db_.Prepare("SELECT account_id, name, email, account_type, account_status, "
                  "membership_status, claim_status, added_to_org, restored_at, platform_roles, "
                  "group_ids, products FROM sync_snapshot_accounts WHERE snapshot_id = ? "
                  "ORDER BY position"));
  accounts.Bind(1, id);
  for (;;) {
    AA_ASSIGN_OR_RETURN(bool row, accounts.Step());
    if (!row) break;
    AA_ASSIGN_OR_RETURN(Account a, ReadAccount(accounts));
    d.accounts.push_back(std::move(a));
  }

  AA_ASSIGN_OR_RETURN(
      Statement groups,
      db_.Prepare("SELECT group_id, name, description, is_default, external_synced, "
                  "grants_admin FROM sync_snapshot_groups WHERE snapshot_id = ? "
                  "ORDER BY position"));
  groups.Bind(1, id);
  for (;;) {
    AA_ASSIGN_OR_RETURN(bool row, groups.Step());
    if (!row) break;
    Group g;
    g.id = groups.Text(0);
    g.name = groups.Text(1);
    g.description = groups.Text(2);
    g.is_default = groups.Int(3) != 0;
    g.external_synced = groups.Int(4) != 0;
    g.grants_admin = groups.Int(5) != 0;
    d.groups.push_back(std::move(g));
  }
  return std::optional<Directory>(std::move(d));
}

Status SnapshotStore::RecordFailure(std::string_view org_id, Timestamp at,
                                    std::string_view reason) {
  AA_RETURN_IF_ERROR(EnsureStateRow(db_, org_id));
  AA_ASSIGN_OR_RETURN(Statement update, db_.Prepare("UPDATE sync_state SET last_failure_at = ?, "
                                                    "last_failure_reason = ? WHERE org_id = ?"));
  update.Bind(1, Seconds(at)).Bind(2, reason).Bind(3, org_id);
  return update.Run();
}

Result<SyncState> SnapshotStore::GetState(std::string_view org_id) {
  AA_ASSIGN_OR_RETURN(
      Statement query,
      db_.Prepare("SELECT latest_snapshot_id, last_success_at, last_failure_at, "
                  "last_failure_reason, drop_pending, drop_reason, drop_confirmed_at, "
                  "baseline_accounts FROM sync_state WHERE org_id = ?"));
  query.Bind(1, org_id);
  SyncState state;
  state.org_id = std::string(org_id);
  AA_ASSIGN_OR_RETURN(bool has_row, query.Step());
  if (!has_row) return state;
  state.latest_snapshot_id = query.OptionalInt(0);
  state.last_success_at = OptionalTime(query.OptionalInt(1));
  state.last_failure_at = OptionalTime(query.OptionalInt(2));
  state.last_failure_reason = query.Text(3);
  state.drop_pending = query.Int(4) != 0;
  state.drop_reason = query.Text(5);
  state.drop_confirmed_at = OptionalTime(query.OptionalInt(6));
  state.baseline_accounts = query.Int(7);
  return state;
}

Status SnapshotStore::ConfirmDrop(std::string_view org_id, Timestamp at) {
  Transaction tx(db_);
  AA_RETURN_IF_ERROR(tx.status());
  AA_ASSIGN_OR_RETURN(SyncState state, GetState(org_id));
  if (!state.drop_pending) {
    return FailedPrecondition("org " + std::string(org_id) + " has no drop to confirm");
  }
  AA_ASSIGN_OR_RETURN(std::optional<SnapshotInfo> latest, LatestInfo(org_id));
  AA_ASSIGN_OR_RETURN(Statement update,
                      db_.Prepare("UPDATE sync_state SET drop_pending = 0, drop_confirmed_at = ?, "
                                  "baseline_accounts = ? WHERE org_id = ?"));
  update.Bind(1, Seconds(at)).Bind(2, latest ? latest->stats.accounts : 0).Bind(3, org_id);
  AA_RETURN_IF_ERROR(update.Run());
  return tx.Commit();
}

Status SnapshotStore::CheckDestructiveAllowed(std::string_view org_id) {
  AA_ASSIGN_OR_RETURN(SyncState state, GetState(org_id));
  if (!state.drop_pending) return Status::Ok();
  return FailedPrecondition("destructive actions on org " + std::string(org_id) +
                            " are blocked because " + state.drop_reason +
                            "; check the org, then confirm with `adminauto sync NAME "
                            "--confirm-drop`");
}

}  // namespace adminauto::store
