// The gateway's production backend: opens the org's key from the data directory's vault for
// each request, paces it with the org's rate budget, sends it with the libcurl transport and
// wipes the key. A 401 marks the org's key invalid, which pauses the org's automation.
//
// Without its master key the backend starts sealed: Health() returns the reason, the server rejects
// API requests, and Unseal() opens the configured provider again (a key file whose mode was fixed,
// a token that became available) or takes the environment provider's key sent over the socket.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "atlassian/rate_budget.h"
#include "core/clock.h"
#include "gateway/server.h"
#include "vault/org_keys.h"

namespace adminauto::gateway {

class VaultBackend final : public Backend {
 public:
  // Opens the vault of `data_dir`, sealed when its master key is not available. Fails only
  // when the directory has no database. `clock` must outlive the backend. Thread-safe.
  static Result<std::unique_ptr<VaultBackend>> Open(const std::string& data_dir, Clock& clock);

  atlassian::TransportResult Forward(const std::string& org_id,
                                     const atlassian::HttpRequest& request) override;
  GatewayHealth Health() override;
  Result<GatewayHealth> Unseal(std::string_view master_key) override;

 private:
  VaultBackend(std::string data_dir, vault::DataDirVault dir, Clock& clock)
      : data_dir_(std::move(data_dir)), dir_(std::move(dir)), clock_(clock) {}

  GatewayHealth HealthLocked();
  // A provider for Unseal: from `master_key` for the environment provider, else the
  // configured one opened again.
  Result<std::unique_ptr<vault::MasterKeyProvider>> UnsealProvider(std::string_view master_key);

  // The org's base URL, name and decrypted key, or an error message for the worker.
  struct Unsealed {
    std::string name;
    std::string base_url;
    vault::SecretBytes key;
    std::shared_ptr<atlassian::RateBudget> budget;
  };
  Result<Unsealed> OpenOrgKey(const std::string& org_id);

  const std::string data_dir_;
  std::mutex mu_;  // guards dir_ (one SQLite connection) and budgets_
  vault::DataDirVault dir_;
  std::map<std::string, std::shared_ptr<atlassian::RateBudget>> budgets_;
  Clock& clock_;
};

}  // namespace adminauto::gateway
