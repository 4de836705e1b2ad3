#include "store/key_store.h"

namespace adminauto::store {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE vault_config (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  provider TEXT NOT NULL,
  pkcs11_module TEXT NOT NULL DEFAULT '',
  pkcs11_token TEXT NOT NULL DEFAULT ''
);
CREATE TABLE vault_master_keys (
  version INTEGER PRIMARY KEY,
  state TEXT NOT NULL,
  encryptions INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE TABLE vault_data_keys (
  org_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  master_version INTEGER NOT NULL,
  wrapped BLOB NOT NULL,
  encryptions INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (org_id, version)
);
CREATE TABLE vault_secrets (
  org_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  data_key_version INTEGER NOT NULL,
  sealed BLOB NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (org_id, purpose)
);
)sql";

constexpr std::string_view kDataKeyColumns =
    "org_id, version, master_version, wrapped, encryptions, created_at";

int64_t Seconds(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp FromSeconds(int64_t s) { return Timestamp(std::chrono::seconds(s)); }
std::string_view Sv(const std::string& text) { return text; }

MasterKeyState ParseState(std::string_view text) {
  if (text == "active") return MasterKeyState::kActive;
  if (text == "retired") return MasterKeyState::kRetired;
  return MasterKeyState::kPrevious;
}

DataKeyRow ReadDataKey(const Statement& row) {
  DataKeyRow key;
  key.org_id = row.Text(0);
  key.version = static_cast<uint32_t>(row.Int(1));
  key.master_version = static_cast<uint32_t>(row.Int(2));
  key.wrapped = row.Blob(3);
  key.encryptions = row.Int(4);
  key.created_at = FromSeconds(row.Int(5));
  return key;
}

// Runs `statement` and fails with kNotFound naming `what` when it changed no row.
Status RunExpectingChange(SqliteDb& db, Statement& statement, const std::string& what) {
  AA_RETURN_IF_ERROR(statement.Run());
  if (db.Changes() == 0) return NotFound(what + " not found");
  return Status::Ok();
}

}  // namespace

std::string_view ToString(MasterKeyState state) {
  switch (state) {
    case MasterKeyState::kActive:
      return "active";
    case MasterKeyState::kPrevious:
      return "previous";
    case MasterKeyState::kRetired:
      return "retired";
  }
  return "previous";
}

Result<std::unique_ptr<KeyStore>> KeyStore::Open(SqliteDb& db, Clock& clock) {
  AA_RETURN_IF_ERROR(db.Migrate("vault_keys", {kSchemaV1}));
  return std::unique_ptr<KeyStore>(new KeyStore(db, clock));
}

Result<std::optional<VaultConfig>> KeyStore::GetConfig() {
  AA_ASSIGN_OR_RETURN(
      Statement query,
      db_.Prepare("SELECT provider, pkcs11_module, pkcs11_token FROM vault_config WHERE id = 1"));
  AA_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<VaultConfig>();
  return std::optional<VaultConfig>(VaultConfig{query.Text(0), query.Text(1), query.Text(2)});
}

Status KeyStore::SetConfig(const VaultConfig& config) {
  AA_ASSIGN_OR_RETURN(
      Statement upsert,
      db_.Prepare("INSERT INTO vault_config(id, provider, pkcs11_module, pkcs11_token) "
                  "VALUES(1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET provider = excluded.provider, "
                  "pkcs11_module = excluded.pkcs11_module, pkcs11_token = excluded.pkcs11_token"));
  upsert.Bind(1, Sv(config.provider))
      .Bind(2, Sv(config.pkcs11_module))
      .Bind(3, Sv(config.pkcs11_token));
  return upsert.Run();
}

Result<std::vector<MasterKeyRow>> KeyStore::ListMasterKeys() {
  AA_ASSIGN_OR_RETURN(Statement query, db_.Prepare("SELECT version, state, encryptions, created_at "
                                                   "FROM vault_master_keys ORDER BY version"));
  std::vector<MasterKeyRow> rows;
  while (true) {
    AA_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    rows.push_back(MasterKeyRow{static_cast<uint32_t>(query.Int(0)), ParseState(query.Text(1)),
                                query.Int(2), FromSeconds(query.Int(3))});
  }
  return rows;
}

Status KeyStore::InsertMasterKey(uint32_t version, MasterKeyState state) {
  AA_ASSIGN_OR_RETURN(Statement insert,
                      db_.Prepare("INSERT INTO vault_master_keys(version, state, created_at) "
                                  "VALUES(?, ?, ?)"));
  insert.Bind(1, int64_t{version}).Bind(2, ToString(state)).Bind(3, Seconds(Now()));
  return insert.Run();
}

Status KeyStore::SetMasterKeyState(uint32_t version, MasterKeyState state) {
  AA_ASSIGN_OR_RETURN(Statement update,
                      db_.Prepare("UPDATE vault_master_keys SET state = ? WHERE version = ?"));
  update.Bind(1, ToString(state)).Bind(2, int64_t{version});
  return RunExpectingChange(db_, update, "master key version " + std::to_string(version));
}

Status KeyStore::CountMasterEncryption(uint32_t version) {
  AA_ASSIGN_OR_RETURN(
      Statement update,
      db_.Prepare("UPDATE vault_master_keys SET encryptions = encryptions + 1 WHERE version = ?"));
  update.Bind(1, int64_t{version});
  return RunExpectingChange(db_, update, "master key version " + std::to_string(version));
}

Result<std::optional<DataKeyRow>> KeyStore::LatestDataKey(std::string_view org_id) {
  AA_ASSIGN_OR_RETURN(Statement query, db_.Prepare("SELECT " + std::string(kDataKeyColumns) +
                                                   " FROM vault_data_keys WHERE org_id = ? "
                                                   "ORDER BY version DESC LIMIT 1"));
  query.Bind(1, org_id);
  AA_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<DataKeyRow>();
  return std::optional<DataKeyRow>(ReadDataKey(query));
}

Result<std::optional<DataKeyRow>> KeyStore::GetDataKey(std::string_view org_id, uint32_t version) {
  AA_ASSIGN_OR_RETURN(Statement query,
                      db_.Prepare("SELECT " + std::string(kDataKeyColumns) +
                                  " FROM vault_data_keys WHERE org_id = ? AND version = ?"));
  query.Bind(1, org_id).Bind(2, int64_t{version});
  AA_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<DataKeyRow>();
  return std::optional<DataKeyRow>(ReadDataKey(query));
}

Result<std::vector<DataKeyRow>> KeyStore::ListDataKeys() {
  AA_ASSIGN_OR_RETURN(Statement query, db_.Prepare("SELECT " + std::string(kDataKeyColumns) +
                                                   " FROM vault_data_keys "
                                                   "ORDER BY org_id, version"));
  std::vector<DataKeyRow> rows;
  while (true) {
    AA_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    rows.push_back(ReadDataKey(query));
  }
  return rows;
}

Status KeyStore::InsertDataKey(const DataKeyRow& row) {
  AA_ASSIGN_OR_RETURN(Statement insert,
                      db_.Prepare("INSERT INTO vault_data_keys(" + std::string(kDataKeyColumns) +
                                  ") VALUES(?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, Sv(row.org_id))
      .Bind(2, int64_t{row.version})
      .Bind(3, int64_t{row.master_version})
      .BindBlob(4, row.wrapped.data(), row.wrapped.size())
      .Bind(5, row.encryptions)
      .Bind(6, Seconds(Now()));
  return insert.Run();
}

Status KeyStore::UpdateWrapping(std::string_view org_id, uint32_t version, uint32_t master_version,
                                const std::vector<uint8_t>& wrapped) {
  AA_ASSIGN_OR_RETURN(Statement update,
                      db_.Prepare("UPDATE vault_data_keys SET master_version = ?, wrapped = ? "
                                  "WHERE org_id = ? AND version = ?"));
  update.Bind(1, int64_t{master_version})
      .BindBlob(2, wrapped.data(), wrapped.size())
      .Bind(3, org_id)
      .Bind(4, int64_t{version});
  return RunExpectingChange(
      db_, update, "data key " + std::to_string(version) + " of org " + std::string(org_id));
}

Status KeyStore::CountDataKeyEncryption(std::string_view org_id, uint32_t version) {
  AA_ASSIGN_OR_RETURN(Statement update,
                      db_.Prepare("UPDATE vault_data_keys SET encryptions = encryptions + 1 "
                                  "WHERE org_id = ? AND version = ?"));
  update.Bind(1, org_id).Bind(2, int64_t{version});
  return RunExpectingChange(
      db_, update, "data key " + std::to_string(version) + " of org " + std::string(org_id));
}

Status KeyStore::DeleteDataKeysBefore(std::string_view org_id, uint32_t keep_version) {
  AA_ASSIGN_OR_RETURN(Statement remove,
                      db_.Prepare("DELETE FROM vault_data_keys WHERE org_id = ? AND version < ?"));
  remove.Bind(1, org_id).Bind(2, int64_t{keep_version});
  return remove.Run();
}

Result<std::optional<SecretRow>> KeyStore::GetSecret(std::string_view org_id,
                                                     std::string_view purpose) {
  AA_ASSIGN_OR_RETURN(Statement query,
                      db_.Prepare("SELECT org_id, purpose, data_key_version, sealed, updated_at "
                                  "FROM vault_secrets WHERE org_id = ? AND purpose = ?"));
  query.Bind(1, org_id).Bind(2, purpose);
  AA_ASSIGN_OR_RETURN(bool found, query.Step());
  if (!found) return std::optional<SecretRow>();
  return std::optional<SecretRow>(SecretRow{query.Text(0), query.Text(1),
                                            static_cast<uint32_t>(query.Int(2)), query.Blob(3),
                                            FromSeconds(query.Int(4))});
}

Status KeyStore::PutSecret(const SecretRow& row) {
  AA_ASSIGN_OR_RETURN(
      Statement upsert,
      db_.Prepare("INSERT INTO vault_secrets(org_id, purpose, data_key_version, sealed, "
                  "updated_at) VALUES(?, ?, ?, ?, ?) ON CONFLICT(org_id, purpose) DO UPDATE SET "
                  "data_key_version = excluded.data_key_version, sealed = excluded.sealed, "
                  "updated_at = excluded.updated_at"));
  upsert.Bind(1, Sv(row.org_id))
      .Bind(2, Sv(row.purpose))
      .Bind(3, int64_t{row.data_key_version})
      .BindBlob(4, row.sealed.data(), row.sealed.size())
      .Bind(5, Seconds(Now()));
  return upsert.Run();
}

Status KeyStore::DeleteOrg(std::string_view org_id) {
  AA_ASSIGN_OR_RETURN(Statement secrets, db_.Prepare("DELETE FROM vault_secrets WHERE org_id = ?"));
  secrets.Bind(1, org_id);
  AA_RETURN_IF_ERROR(secrets.Run());
  AA_ASSIGN_OR_RETURN(Statement keys, db_.Prepare("DELETE FROM vault_data_keys WHERE org_id = ?"));
  keys.Bind(1, org_id);
  return keys.Run();
}

}  // namespace adminauto::store
