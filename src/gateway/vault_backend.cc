#include "gateway/vault_backend.h"

#include "core/log.h"

namespace adminauto::gateway {
namespace {

constexpr atlassian::SteadyDuration kMaxBudgetWait{180'000};

atlassian::TransportResult Failure(std::string message) {
  atlassian::TransportResult result;
  result.error = {atlassian::TransportErrorKind::kOther, std::move(message)};
  return result;
}

}  // namespace

Result<std::unique_ptr<VaultBackend>> VaultBackend::Open(const std::string& data_dir,
                                                         Clock& clock) {
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir, vault::OpenDataDirVault(data_dir, clock));
  std::unique_ptr<VaultBackend> backend(new VaultBackend(data_dir, std::move(dir), clock));
  GatewayHealth health = backend->Health();
  if (health.sealed) {
    GetLogger("gateway")->warn("gateway sealed reason=\"{}\"", health.reason);
  }
  return backend;
}

GatewayHealth VaultBackend::HealthLocked() {
  vault::SealStatus status = dir_.vault->status();
  return {status.sealed, status.provider, status.reason};
}

GatewayHealth VaultBackend::Health() {
  std::lock_guard lock(mu_);
  return HealthLocked();
}

Result<std::unique_ptr<vault::MasterKeyProvider>> VaultBackend::UnsealProvider(
    std::string_view master_key) {
  AA_ASSIGN_OR_RETURN(std::optional<store::VaultConfig> config, dir_.vault->keys().GetConfig());
  if (!config) return FailedPrecondition("the data directory has no vault; run `adminauto init`");
  if (master_key.empty()) return vault::OpenConfiguredProvider(data_dir_, *config);
  if (config->provider != "env") {
    return InvalidArgument("this data directory keeps its master key in the " + config->provider +
                           " provider; a key is sent only for the env provider. Make the "
                           "provider available and unseal without a key");
  }
  return vault::ParseMasterKeyList(master_key);
}

Result<GatewayHealth> VaultBackend::Unseal(std::string_view master_key) {
  std::lock_guard lock(mu_);
  if (!HealthLocked().sealed) {
    // Reporting success for a key that was never checked would tell the operator it is right.
    if (!master_key.empty()) {
      return FailedPrecondition(
          "the gateway is already unsealed; the master key sent was not "
          "checked or used");
    }
    return HealthLocked();
  }
  AA_ASSIGN_OR_RETURN(auto provider, UnsealProvider(master_key));
  AA_ASSIGN_OR_RETURN(auto opened,
                      vault::KeyVault::Open(*dir_.db, std::move(provider), "", clock_));
  // A wrong key would leave every org unopenable; keep the sealed vault instead.
  AA_RETURN_IF_ERROR(opened->VerifyMasterKey());
  dir_.vault = std::move(opened);
  GatewayHealth health = HealthLocked();
  GetLogger("gateway")->info("gateway unsealed provider={}", health.provider);
  return health;
}

Result<VaultBackend::Unsealed> VaultBackend::OpenOrgKey(const std::string& org_id) {
  std::lock_guard lock(mu_);
  AA_ASSIGN_OR_RETURN(auto org, dir_.orgs->FindByOrgId(org_id));
  if (!org) return NotFound("org id " + org_id + " is not connected");
  AA_RETURN_IF_ERROR(vault::CheckOrgKeyUsable(*org, clock_));
  AA_ASSIGN_OR_RETURN(vault::SecretBytes key, dir_.vault->OpenApiKey(org_id));
  auto& budget = budgets_[org_id];
  if (!budget) budget = std::make_shared<atlassian::RateBudget>(clock_);
  return Unsealed{org->name, org->base_url, std::move(key), budget};
}

atlassian::TransportResult VaultBackend::Forward(const std::string& org_id,
                                                 const atlassian::HttpRequest& request) {
  auto unsealed = OpenOrgKey(org_id);
  if (!unsealed.ok()) return Failure(unsealed.status().message());

  // Every worker's request for this org waits on the same budget.
  atlassian::TimePoint resume_at{};
  if (!unsealed->budget->WaitTurn(kMaxBudgetWait, &resume_at)) {
    return Failure("the rate budget of org id " + org_id + " is exhausted until " +
                   FormatIsoTimestamp(ToTimestamp(resume_at)));
  }

  atlassian::CurlTransportOptions options;
  options.base_url = unsealed->base_url;
  // The transport wipes its copy of the key when destroyed, at the end of this call.
  options.api_key = std::string(unsealed->key.view());
  unsealed->key = vault::SecretBytes();
  auto transport = atlassian::MakeCurlTransport(std::move(options));
  if (!transport.ok()) return Failure(transport.status().message());
  atlassian::TransportResult result = (*transport)->SendOne(request);
  if (!result.response) return result;
  unsealed->budget->Observe(*result.response);

  if (result.response->status == 401) {
    std::lock_guard lock(mu_);
    Status marked = dir_.orgs->SetKeyStatus(unsealed->name, store::KeyStatus::kInvalid,
                                            "the API returned 401 Unauthorized");
    GetLogger("gateway")->warn("org API key rejected with 401; key marked invalid org={} {}",
                               unsealed->name, marked.ok() ? "" : marked.message());
  }
  return result;
}

}  // namespace adminauto::gateway
