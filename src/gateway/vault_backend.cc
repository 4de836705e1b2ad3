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
  vault::SealStatus status = dir.vault->status();
  if (status.sealed) return FailedPrecondition("the vault is sealed: " + status.reason);
  return std::unique_ptr<VaultBackend>(new VaultBackend(std::move(dir), clock));
}

Result<VaultBackend::Unsealed> VaultBackend::Unseal(const std::string& org_id) {
  std::lock_guard lock(mu_);
  AA_ASSIGN_OR_RETURN(auto org, dir_.orgs->FindByOrgId(org_id));
  if (!org) return NotFound("org id " + org_id + " is not connected");
  const store::KeyStatus status = store::EffectiveKeyStatus(*org, ToTimestamp(clock_.Now()));
  if (status != store::KeyStatus::kValid) {
    return Status(StatusCode::kUnauthenticated, vault::KeyUnusableMessage(*org, status));
  }
  AA_ASSIGN_OR_RETURN(vault::SecretBytes key, dir_.vault->OpenApiKey(org_id));
  auto& budget = budgets_[org_id];
  if (!budget) budget = std::make_shared<atlassian::RateBudget>(clock_);
  return Unsealed{org->name, org->base_url, std::move(key), budget};
}

atlassian::TransportResult VaultBackend::Forward(const std::string& org_id,
                                                 const atlassian::HttpRequest& request) {
  auto unsealed = Unseal(org_id);
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
