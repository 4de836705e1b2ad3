#include "vault/key_vault.h"

#include <algorithm>
#include <optional>
#include <set>

#include "core/log.h"
#include "vault/barrier.h"

namespace adminauto::vault {
namespace {

using store::MasterKeyState;

std::shared_ptr<spdlog::logger> Log() { return GetLogger("vault"); }

// A transaction that joins the caller's open transaction instead of failing on a nested
// BEGIN, so `org connect` can insert the org row and its sealed key atomically.
class JoinedTransaction {
 public:
  explicit JoinedTransaction(store::SqliteDb& db) {
    if (sqlite3_get_autocommit(db.handle()) != 0) tx_.emplace(db);
  }
  Status status() const { return tx_ ? tx_->status() : Status::Ok(); }
  Status Commit() { return tx_ ? tx_->Commit() : Status::Ok(); }

 private:
  std::optional<store::Transaction> tx_;
};

}  // namespace

Result<std::unique_ptr<KeyVault>> KeyVault::Open(store::SqliteDb& db,
                                                 std::unique_ptr<MasterKeyProvider> provider,
                                                 std::string sealed_reason, Clock& clock,
                                                 VaultOptions options) {
  AA_ASSIGN_OR_RETURN(auto keys, store::KeyStore::Open(db, clock));
  std::unique_ptr<KeyVault> vault(
      new KeyVault(db, std::move(provider), std::move(sealed_reason), options));
  vault->keys_ = std::move(keys);
  return vault;
}

Status KeyVault::CheckUnsealed() const {
  if (provider_ == nullptr) {
    return FailedPrecondition(
        "the vault is sealed: " +
        (sealed_reason_.empty() ? std::string("no master key is available") : sealed_reason_));
  }
  return Status::Ok();
}

Status KeyVault::Initialize(const store::VaultConfig& config) {
  AA_RETURN_IF_ERROR(CheckUnsealed());
  JoinedTransaction tx(db_);
  AA_RETURN_IF_ERROR(tx.status());
  AA_RETURN_IF_ERROR(keys_->SetConfig(config));
  AA_ASSIGN_OR_RETURN(auto rows, keys_->ListMasterKeys());
  if (rows.empty()) {
    AA_ASSIGN_OR_RETURN(std::vector<uint32_t> versions, provider_->Versions());
    if (versions.empty()) {
      AA_RETURN_IF_ERROR(provider_->CreateVersion(1));
      versions.push_back(1);
    }
    for (uint32_t version : versions) {
      MasterKeyState state =
          version == versions.back() ? MasterKeyState::kActive : MasterKeyState::kPrevious;
      AA_RETURN_IF_ERROR(keys_->InsertMasterKey(version, state));
    }
  }
  return tx.Commit();
}

SealStatus KeyVault::status() {
  SealStatus status;
  auto config = keys_->GetConfig();
  if (config.ok() && config->has_value()) status.provider = (*config)->provider;
  if (!CheckUnsealed().ok()) {
    status.reason = sealed_reason_.empty() ? "no master key is available" : sealed_reason_;
    return status;
  }
  auto rows = keys_->ListMasterKeys();
  if (!rows.ok() || rows->empty()) {
    status.reason = "the vault is not initialised; run `adminauto init`";
    return status;
  }
  status.sealed = false;
  for (const auto& row : *rows) {
    if (row.state != MasterKeyState::kActive) continue;
    status.active_master_version = row.version;
    status.master_rotation_due = row.encryptions >= options_.rotate_after_encryptions;
  }
  return status;
}

Status KeyVault::VerifyMasterKey() {
  AA_RETURN_IF_ERROR(CheckUnsealed());
  AA_ASSIGN_OR_RETURN(uint32_t active, ActiveMasterVersion());
  AA_ASSIGN_OR_RETURN(std::vector<uint32_t> held, provider_->Versions());
  if (std::find(held.begin(), held.end(), active) == held.end()) {
    return FailedPrecondition(
        "the master key provider does not hold the active master key version " +
        std::to_string(active));
  }
  AA_ASSIGN_OR_RETURN(std::vector<store::DataKeyRow> rows, keys_->ListDataKeys());
  std::set<uint32_t> checked;
  for (const store::DataKeyRow& row : rows) {
    if (!checked.insert(row.master_version).second) continue;
    auto opened = UnwrapRow(row);
    if (!opened.ok()) {
      return Status(StatusCode::kDataLoss,
                    "the master key does not open the data keys wrapped by master key version " +
                        std::to_string(row.master_version) + ": it is a different key");
    }
  }
  return Status::Ok();
}

Result<uint32_t> KeyVault::ActiveMasterVersion() {
  AA_ASSIGN_OR_RETURN(auto rows, keys_->ListMasterKeys());
  for (const auto& row : rows) {
    if (row.state != MasterKeyState::kActive) continue;
    if (row.encryptions >= options_.max_encryptions) {
      return Status(StatusCode::kResourceExhausted,
                    "master key version " + std::to_string(row.version) + " has wrapped " +
                        std::to_string(row.encryptions) +
                        " data keys, the limit for one key; rotate the master key");
    }
    if (row.encryptions >= options_.rotate_after_encryptions) {
      Log()->warn("master key rotation due version={} encryptions={}", row.version,
                  row.encryptions);
    }
    return row.version;
  }
  return FailedPrecondition("no active master key version; run `adminauto init`");
}

Result<SecretBytes> KeyVault::CreateDataKey(std::string_view org_id, uint32_t version) {
  AA_ASSIGN_OR_RETURN(uint32_t master_version, ActiveMasterVersion());
  SecretBytes data_key = RandomSecret(32);
  if (!data_key.valid()) return Internal("cannot allocate guarded memory for a data key");
  Barrier barrier(*provider_);
  AA_ASSIGN_OR_RETURN(Bytes wrapped,
                      barrier.WrapDataKey(org_id, version, master_version, data_key));
  store::DataKeyRow row;
  row.org_id = std::string(org_id);
  row.version = version;
  row.master_version = master_version;
  row.wrapped = std::move(wrapped);
  AA_RETURN_IF_ERROR(keys_->InsertDataKey(row));
  AA_RETURN_IF_ERROR(keys_->CountMasterEncryption(master_version));
  return data_key;
}

Result<SecretBytes> KeyVault::UnwrapRow(const store::DataKeyRow& row) {
  Barrier barrier(*provider_);
  return barrier.UnwrapDataKey(row.org_id, row.version, row.wrapped);
}

Status KeyVault::SealWith(std::string_view org_id, uint32_t version, const SecretBytes& data_key,
                          ByteView secret) {
  AA_ASSIGN_OR_RETURN(Bytes sealed, Barrier::SealSecret(org_id, version, data_key, secret));
  AA_RETURN_IF_ERROR(keys_->CountDataKeyEncryption(org_id, version));
  store::SecretRow row;
  row.org_id = std::string(org_id);
  row.purpose = std::string(kApiKeyPurpose);
  row.data_key_version = version;
  row.sealed = std::move(sealed);
  return keys_->PutSecret(row);
}

Status KeyVault::StoreApiKey(std::string_view org_id, ByteView secret) {
  AA_RETURN_IF_ERROR(CheckUnsealed());
  if (secret.empty()) return InvalidArgument("the API key is empty");
  JoinedTransaction tx(db_);
  AA_RETURN_IF_ERROR(tx.status());
  AA_ASSIGN_OR_RETURN(auto latest, keys_->LatestDataKey(org_id));

  // Reuse the current data key unless it reached its rotation count.
  uint32_t version = latest ? latest->version : 1;
  SecretBytes data_key;
  if (latest && latest->encryptions < options_.rotate_after_encryptions) {
    AA_ASSIGN_OR_RETURN(data_key, UnwrapRow(*latest));
  } else {
    if (latest) {
      version = latest->version + 1;
      Log()->info("data key rotation org_id={} version={} reason=encryption-count", org_id,
                  version);
    }
    AA_ASSIGN_OR_RETURN(data_key, CreateDataKey(org_id, version));
  }

  AA_RETURN_IF_ERROR(SealWith(org_id, version, data_key, secret));
  AA_RETURN_IF_ERROR(keys_->DeleteDataKeysBefore(org_id, version));
  return tx.Commit();
}

Result<SecretBytes> KeyVault::OpenApiKey(std::string_view org_id) {
  AA_RETURN_IF_ERROR(CheckUnsealed());
  AA_ASSIGN_OR_RETURN(auto secret, keys_->GetSecret(org_id, kApiKeyPurpose));
  if (!secret) return NotFound("no API key is stored for org id " + std::string(org_id));
  AA_ASSIGN_OR_RETURN(auto row, keys_->GetDataKey(org_id, secret->data_key_version));
  if (!row) {
    return DataLoss("data key version " + std::to_string(secret->data_key_version) + " of org id " +
                    std::string(org_id) + " is missing from the key store");
  }
  AA_ASSIGN_OR_RETURN(SecretBytes data_key, UnwrapRow(*row));
  return Barrier::OpenSecret(org_id, secret->data_key_version, data_key, secret->sealed);
}

Status KeyVault::RotateDataKey(std::string_view org_id) {
  AA_RETURN_IF_ERROR(CheckUnsealed());
  JoinedTransaction tx(db_);
  AA_RETURN_IF_ERROR(tx.status());
  AA_ASSIGN_OR_RETURN(auto latest, keys_->LatestDataKey(org_id));
  if (!latest) return NotFound("org id " + std::string(org_id) + " has no data key");
  AA_ASSIGN_OR_RETURN(SecretBytes api_key, OpenApiKey(org_id));
  const uint32_t version = latest->version + 1;
  AA_ASSIGN_OR_RETURN(SecretBytes data_key, CreateDataKey(org_id, version));
  AA_RETURN_IF_ERROR(SealWith(org_id, version, data_key, api_key.bytes()));
  AA_RETURN_IF_ERROR(keys_->DeleteDataKeysBefore(org_id, version));
  AA_RETURN_IF_ERROR(tx.Commit());
  Log()->info("data key rotated org_id={} version={}", org_id, version);
  return Status::Ok();
}

Result<uint32_t> KeyVault::AddMasterKeyVersion() {
  AA_RETURN_IF_ERROR(CheckUnsealed());
  AA_ASSIGN_OR_RETURN(auto rows, keys_->ListMasterKeys());
  AA_ASSIGN_OR_RETURN(std::vector<uint32_t> held, provider_->Versions());
  uint32_t next = 1;
  for (const auto& row : rows) next = std::max(next, row.version + 1);
  for (uint32_t version : held) next = std::max(next, version + 1);
  AA_RETURN_IF_ERROR(provider_->CreateVersion(next));
  AA_RETURN_IF_ERROR(keys_->InsertMasterKey(next, MasterKeyState::kPrevious));
  Log()->info("master key version added version={}", next);
  return next;
}

Status KeyVault::PromoteMasterKey(uint32_t version) {
  AA_RETURN_IF_ERROR(CheckUnsealed());
  AA_ASSIGN_OR_RETURN(std::vector<uint32_t> held, provider_->Versions());
  if (std::find(held.begin(), held.end(), version) == held.end()) {
    return FailedPrecondition("master key version " + std::to_string(version) +
                              " is not held by the " + provider_->kind() + " provider");
  }
  JoinedTransaction tx(db_);
  AA_RETURN_IF_ERROR(tx.status());
  AA_ASSIGN_OR_RETURN(auto rows, keys_->ListMasterKeys());
  bool known = false;
  for (const auto& row : rows) {
    if (row.version == version) {
      known = true;
      if (row.state == MasterKeyState::kRetired) {
        return FailedPrecondition("master key version " + std::to_string(version) +
                                  " is retired and cannot be promoted");
      }
    } else if (row.state == MasterKeyState::kActive) {
      AA_RETURN_IF_ERROR(keys_->SetMasterKeyState(row.version, MasterKeyState::kPrevious));
    }
  }
  if (!known) AA_RETURN_IF_ERROR(keys_->InsertMasterKey(version, MasterKeyState::kActive));
  AA_RETURN_IF_ERROR(keys_->SetMasterKeyState(version, MasterKeyState::kActive));
  AA_RETURN_IF_ERROR(tx.Commit());
  Log()->info("master key promoted version={}", version);
  return Status::Ok();
}

Result<int> KeyVault::RewrapDataKeys() {
  AA_RETURN_IF_ERROR(CheckUnsealed());
  AA_ASSIGN_OR_RETURN(uint32_t active, ActiveMasterVersion());
  AA_ASSIGN_OR_RETURN(auto rows, keys_->ListDataKeys());
  int rewrapped = 0;
  Barrier barrier(*provider_);
  for (const auto& row : rows) {
    if (row.master_version == active) continue;
    // One short transaction per data key keeps the database available to other processes
    // while a large key store is re-wrapped.
    JoinedTransaction tx(db_);
    AA_RETURN_IF_ERROR(tx.status());
    AA_ASSIGN_OR_RETURN(SecretBytes data_key, UnwrapRow(row));
    AA_ASSIGN_OR_RETURN(Bytes wrapped,
                        barrier.WrapDataKey(row.org_id, row.version, active, data_key));
    AA_RETURN_IF_ERROR(keys_->UpdateWrapping(row.org_id, row.version, active, wrapped));
    AA_RETURN_IF_ERROR(keys_->CountMasterEncryption(active));
    AA_RETURN_IF_ERROR(tx.Commit());
    ++rewrapped;
  }
  Log()->info("data keys re-wrapped count={} master_version={}", rewrapped, active);
  return rewrapped;
}

Status KeyVault::RetireMasterKey(uint32_t version) {
  AA_RETURN_IF_ERROR(CheckUnsealed());
  AA_ASSIGN_OR_RETURN(auto masters, keys_->ListMasterKeys());
  for (const auto& row : masters) {
    if (row.version == version && row.state == MasterKeyState::kActive) {
      return FailedPrecondition("master key version " + std::to_string(version) +
                                " is active; promote another version first");
    }
  }
  AA_ASSIGN_OR_RETURN(auto rows, keys_->ListDataKeys());
  int still_wrapped = 0;
  for (const auto& row : rows) still_wrapped += row.master_version == version ? 1 : 0;
  if (still_wrapped > 0) {
    return FailedPrecondition(std::to_string(still_wrapped) +
                              " data keys are still wrapped by master key version " +
                              std::to_string(version) + "; re-wrap them first");
  }
  AA_RETURN_IF_ERROR(provider_->DestroyVersion(version));
  Status marked = keys_->SetMasterKeyState(version, MasterKeyState::kRetired);
  if (!marked.ok() && marked.code() != StatusCode::kNotFound) return marked;
  Log()->info("master key retired version={}", version);
  return Status::Ok();
}

Status KeyVault::DeleteOrgKeys(std::string_view org_id) { return keys_->DeleteOrg(org_id); }

}  // namespace adminauto::vault
