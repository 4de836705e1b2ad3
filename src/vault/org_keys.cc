#include "vault/org_keys.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/log.h"
#include "store/data_dir.h"

namespace adminauto::vault {
namespace {

std::string EnvOr(std::string_view name, const std::string& fallback) {
  const char* value = std::getenv(std::string(name).c_str());
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// Reads the token PIN from ADMINAUTO_PKCS11_PIN, or from the file ADMINAUTO_PKCS11_PIN_FILE.
Result<std::string> ReadPin() {
  if (const char* pin = std::getenv(std::string(kPkcs11PinEnv).c_str()); pin != nullptr) {
    return std::string(pin);
  }
  const std::string file = EnvOr(kPkcs11PinFileEnv, "");
  if (file.empty()) {
    return FailedPrecondition("no PKCS#11 PIN: set " + std::string(kPkcs11PinEnv) + " or " +
                              std::string(kPkcs11PinFileEnv));
  }
  std::ifstream in(file);
  std::string pin;
  if (!in || !std::getline(in, pin)) {
    return FailedPrecondition("cannot read the PKCS#11 PIN file " + file);
  }
  return pin;
}

}  // namespace

Result<std::unique_ptr<MasterKeyProvider>> OpenConfiguredProvider(
    const std::string& data_dir, const store::VaultConfig& config) {
  if (config.provider == "file") {
    return OpenMasterKeyFile((std::filesystem::path(data_dir) / kMasterKeyFileName).string());
  }
  if (config.provider == "env") {
    auto provider = OpenEnvMasterKey();
    if (!provider.ok() && provider.status().code() == StatusCode::kNotFound) {
      return FailedPrecondition(
          "this data directory keeps its master key in the environment "
          "variable " +
          std::string(kMasterKeyEnv) + ", which is not set; set it");
    }
    return provider;
  }
  if (config.provider == "pkcs11") {
    Pkcs11Options options;
    options.module_path = EnvOr(kPkcs11ModuleEnv, config.pkcs11_module);
    options.token_label = EnvOr(kPkcs11TokenEnv, config.pkcs11_token);
    AA_ASSIGN_OR_RETURN(options.pin, ReadPin());
    return OpenPkcs11MasterKey(std::move(options));
  }
  return FailedPrecondition("unknown master-key provider \"" + config.provider +
                            "\" recorded in the database");
}

Result<DataDirVault> OpenDataDirVault(const std::string& data_dir, Clock& clock) {
  const std::string path = store::DatabasePath(data_dir);
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return FailedPrecondition("no database in " + data_dir + "; run `adminauto init --data-dir " +
                              data_dir + "` first");
  }
  DataDirVault dir;
  AA_ASSIGN_OR_RETURN(dir.db, store::SqliteDb::Open(path));
  AA_ASSIGN_OR_RETURN(dir.orgs, store::OrgStore::Open(*dir.db));
  AA_ASSIGN_OR_RETURN(auto keys, store::KeyStore::Open(*dir.db, clock));
  AA_ASSIGN_OR_RETURN(auto config, keys->GetConfig());
  std::unique_ptr<MasterKeyProvider> provider;
  std::string reason;
  if (!config) {
    reason = "the data directory " + data_dir + " has no vault; run `adminauto init`";
  } else {
    auto opened = OpenConfiguredProvider(data_dir, *config);
    if (opened.ok()) {
      provider = std::move(opened).value();
    } else {
      reason = opened.status().message();
    }
  }
  AA_ASSIGN_OR_RETURN(dir.vault, KeyVault::Open(*dir.db, std::move(provider), reason, clock));
  return dir;
}

std::string KeyUnusableMessage(const store::OrgRecord& org, store::KeyStatus status) {
  const std::string fix =
      "Create a new org API key in admin.atlassian.com (Settings > API "
      "keys) and run `adminauto org replace-key " +
      org.name + " --api-key-file FILE`.";
  if (status == store::KeyStatus::kExpired) {
    return "the API key of org \"" + org.name + "\" expired at " +
           FormatIsoTimestamp(org.key_expires_at) + "; automation for this org is paused. " + fix;
  }
  return "the API key of org \"" + org.name + "\" is invalid (" +
         (org.key_status_reason.empty() ? std::string("rejected by the API")
                                        : org.key_status_reason) +
         "); automation for this org is paused. " + fix;
}

Status CheckOrgKeyUsable(const store::OrgRecord& org, Clock& clock) {
  const Timestamp now = ToTimestamp(clock.Now());
  const store::KeyStatus status = store::EffectiveKeyStatus(org, now);
  if (status != store::KeyStatus::kValid) {
    return Status(StatusCode::kUnauthenticated, KeyUnusableMessage(org, status));
  }
  if (org.key_expires_at - now <= std::chrono::days(kExpiryWarningDays)) {
    GetLogger("vault")->warn("org API key expires soon org={} expires_at={}", org.name,
                             FormatIsoTimestamp(org.key_expires_at));
  }
  return Status::Ok();
}

Result<OrgCredential> UnsealOrgApiKey(DataDirVault& dir, std::string_view org_name, Clock& clock) {
  AA_ASSIGN_OR_RETURN(store::OrgRecord org, dir.orgs->Get(org_name));
  AA_RETURN_IF_ERROR(CheckOrgKeyUsable(org, clock));
  AA_ASSIGN_OR_RETURN(SecretBytes key, dir.vault->OpenApiKey(org.org_id));
  return OrgCredential{std::move(org), std::move(key)};
}

Result<OrgCredential> UnsealOrgApiKey(const std::string& data_dir, std::string_view org_name,
                                      Clock& clock) {
  AA_ASSIGN_OR_RETURN(DataDirVault dir, OpenDataDirVault(data_dir, clock));
  return UnsealOrgApiKey(dir, org_name, clock);
}

Result<std::string> MarkOrgApiKeyInvalid(const std::string& data_dir, std::string_view org_name,
                                         std::string_view reason) {
  const std::string path = store::DatabasePath(data_dir);
  AA_ASSIGN_OR_RETURN(auto db, store::SqliteDb::Open(path));
  AA_ASSIGN_OR_RETURN(auto orgs, store::OrgStore::Open(*db));
  AA_RETURN_IF_ERROR(orgs->SetKeyStatus(org_name, store::KeyStatus::kInvalid, reason));
  AA_ASSIGN_OR_RETURN(store::OrgRecord org, orgs->Get(org_name));
  std::string message = KeyUnusableMessage(org, store::KeyStatus::kInvalid);
  GetLogger("vault")->warn("org API key marked invalid org={} reason=\"{}\"", org.name, reason);
  return message;
}

}  // namespace adminauto::vault
