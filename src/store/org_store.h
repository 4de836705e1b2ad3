// The org registry: one row per connected Atlassian org with its API endpoint, region and the
// state of its API key (expiry and validity). The sealed key itself lives in the key store;
// this table holds no secret. Migration component: "orgs".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "core/time.h"
#include "store/sqlite.h"

namespace adminauto::store {

// State of an org's API key as recorded. kExpired is also reported by EffectiveKeyStatus()
// once the expiry time has passed, whatever the stored value.
enum class KeyStatus { kValid, kInvalid, kExpired };
std::string_view ToString(KeyStatus status);
std::optional<KeyStatus> ParseKeyStatus(std::string_view text);

struct OrgRecord {
  std::string name;    // local name chosen at connect time, unique
  std::string org_id;  // Atlassian org id, unique
  std::string base_url = "https://api.atlassian.com";
  std::string region = "us";
  Timestamp key_expires_at{};
  KeyStatus key_status = KeyStatus::kValid;
  std::string key_status_reason;  // why the key is invalid; empty while valid
  Timestamp key_updated_at{};     // when the current key was connected
  Timestamp created_at{};
};

// The key status at `now`: the stored status, or kExpired once key_expires_at <= now.
KeyStatus EffectiveKeyStatus(const OrgRecord& org, Timestamp now);

// Org rows in one database. Not thread-safe, like the SqliteDb it uses; the db must outlive it.
class OrgStore {
 public:
  // Applies the "orgs" migrations to `db`.
  static Result<std::unique_ptr<OrgStore>> Open(SqliteDb& db);

  // Adds an org. kAlreadyExists names the clashing name or org id.
  Status Insert(const OrgRecord& org);
  // kNotFound names the org and says how to list connected orgs.
  Result<OrgRecord> Get(std::string_view name);
  Result<std::optional<OrgRecord>> FindByOrgId(std::string_view org_id);
  // Every org, ordered by name.
  Result<std::vector<OrgRecord>> List();
  // Records a newly connected key: new expiry, status valid, reason cleared.
  Status UpdateKey(std::string_view name, Timestamp expires_at, Timestamp now);
  Status SetKeyStatus(std::string_view name, KeyStatus status, std::string_view reason);
  // Deletes the org row; kNotFound if absent.
  Status Remove(std::string_view name);

 private:
  explicit OrgStore(SqliteDb& db) : db_(db) {}
  SqliteDb& db_;
};

}  // namespace adminauto::store
