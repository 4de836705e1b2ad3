// Client of the Atlassian Organizations REST API for one org: the reads a directory sync needs
// and the writes that applying a plan needs. It paginates every listing to the end, retries
// 429s and a few 5xx within a rate budget shared by the org, and checks the shape of every
// response, so a caller gets either complete data or a typed ApiError.
//
// Paths used (relative to the base URL; DIR is the directory id, "-" for all directories):
//   GET    /admin/v1/orgs/ORG/users                                   managed accounts (v1)
//   GET    /admin/v1/orgs/ORG/directory/users/ID/last-active-dates    per-site activity
//   GET    /admin/v2/orgs/ORG/directories                             directories
//   POST   /admin/v2/orgs/ORG/directories/DIR/users/search            users, expanded
//   GET    /admin/v2/orgs/ORG/directories/DIR/users/ID                one user
//   POST   /admin/v2/orgs/ORG/directories/DIR/groups/search           groups
//   POST   /admin/v2/orgs/ORG/directories/DIR/users/ID/suspend|restore
//   DELETE /admin/v2/orgs/ORG/directories/DIR/users/ID
//   POST   /admin/v2/orgs/ORG/directories/DIR/groups                  create group
//   POST   /admin/v2/orgs/ORG/directories/DIR/groups/GID/memberships
//   DELETE /admin/v2/orgs/ORG/directories/DIR/groups/GID/memberships/ID
//   POST   /admin/v2/orgs/ORG/directories/DIR/groups/GID/role-assignments/assign|revoke
//   POST   /admin/v1/orgs/ORG/users/ID/roles/assign|revoke
//   POST   /users/ID/manage/lifecycle/disable|enable
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atlassian/api_error.h"
#include "atlassian/rate_budget.h"
#include "atlassian/transport.h"
#include "core/clock.h"
#include "core/directory.h"

namespace adminauto::atlassian {

inline constexpr std::string_view kDefaultBaseUrl = "https://api.atlassian.com";

struct ClientOptions {
  // Origin and optional path prefix of the API. A v1 `links.next` URL is followed only when
  // it has this scheme, host and port, so the key is never sent to another host.
  std::string base_url = std::string(kDefaultBaseUrl);
  std::string org_id;              // opaque; not validated as a UUID
  std::string directory_id = "-";  // "-" means every directory the key can manage
  int users_page_size = 100;       // `limit` of a v2 users search page
  int groups_page_size = 100;      // `limit` of a v2 groups search page
  int max_concurrency = 4;         // per-account reads sent at once (last-active dates)
  RetryPolicy retry;
  uint64_t jitter_seed = 0;  // 0 seeds the backoff jitter from std::random_device
};

// Counters of one client, cumulative over its lifetime.
struct ClientStats {
  int64_t calls = 0;                       // HTTP requests sent, retries included
  int64_t retries = 0;                     // requests sent again after a 429, 5xx or timeout
  int64_t duplicate_accounts = 0;          // accounts seen again on a later page and dropped
  std::chrono::milliseconds throttled{0};  // time spent waiting for the rate budget
};

// Activity of one account per product site, from the last-active-dates endpoint.
struct LastActiveDates {
  std::vector<ProductAccess> products;  // last_active nullopt: access, no recorded activity
  std::optional<Timestamp> added_to_org;
};

struct DirectoryInfo {
  std::string id;
  std::string name;
};

// Called after each page of a listing with the number of items collected so far.
using PageProgress = std::function<void(size_t items)>;

class OrgClient {
 public:
  // `transport` sends the requests (and holds the credential); `budget` is the org's shared
  // rate budget, or null for a private one; `clock` paces retries. Not thread-safe: use one
  // client per thread, sharing the budget.
  OrgClient(std::shared_ptr<HttpTransport> transport, ClientOptions options, Clock& clock,
            std::shared_ptr<RateBudget> budget = nullptr);
  ~OrgClient();
  OrgClient(const OrgClient&) = delete;
  OrgClient& operator=(const OrgClient&) = delete;

  // --- Reads ---

  // Lists managed accounts (v1, snake_case, `links.next` is a full URL). Accounts repeated
  // across pages are kept once and counted in stats().duplicate_accounts.
  ApiResult<std::vector<Account>> ListManagedAccounts(const PageProgress& progress = nullptr);

  // Searches users of the directory with productAccess, groups and platformRoles expanded
  // (v2, camelCase, cursor in the body). Duplicates are handled as above.
  ApiResult<std::vector<Account>> SearchUsers(const PageProgress& progress = nullptr);

  // Searches the directory's groups (v2, cursor in the body).
  ApiResult<std::vector<Group>> SearchGroups(const PageProgress& progress = nullptr);

  // Lists the directories the key can manage.
  ApiResult<std::vector<DirectoryInfo>> ListDirectories();

  // Reads one account's per-site activity, following `links.next` cursors.
  ApiResult<LastActiveDates> GetLastActiveDates(std::string_view account_id);

  // Reads the activity of many accounts with up to options.max_concurrency requests in
  // flight. Returns one entry per id, in order, or the first error that ends the batch
  // (credential, rate limit beyond max_wait, retries exhausted). A 404 for one account gives
  // an empty entry rather than failing the batch.
  ApiResult<std::vector<LastActiveDates>> GetLastActiveDatesBatch(
      const std::vector<std::string>& account_ids, const PageProgress& progress = nullptr);

  // Reads one user of the directory (v2), for verifying a change.
  ApiResult<Account> GetUser(std::string_view account_id);

  // --- Writes ---
  // Writes are retried only after a 429, which means the API did not act. After a 5xx or a
  // timeout the outcome is unknown, so the error is returned and the caller verifies with
  // GetUser. Any 2xx counts as success, with or without a body.

  ApiStatus SuspendUser(std::string_view account_id);
  ApiStatus RestoreUser(std::string_view account_id);
  ApiStatus RemoveUser(std::string_view account_id);  // from the directory
  ApiStatus AddToGroup(std::string_view group_id, std::string_view account_id);
  ApiStatus RemoveFromGroup(std::string_view group_id, std::string_view account_id);
  // Creates a group; returns it with the id the API assigned.
  ApiResult<Group> CreateGroup(std::string_view name, std::string_view description);
  // Grants or revokes a product role on a resource (an ARI) to one user (v1 role API).
  ApiStatus AssignUserRole(std::string_view account_id, std::string_view role,
                           std::string_view resource_id);
  ApiStatus RevokeUserRole(std::string_view account_id, std::string_view role,
                           std::string_view resource_id);
  // Grants or revokes a role on a resource to every member of a group (v2).
  ApiStatus AssignGroupRole(std::string_view group_id, std::string_view role,
                            std::string_view resource_id);
  ApiStatus RevokeGroupRole(std::string_view group_id, std::string_view role,
                            std::string_view resource_id);
  // Deactivates or reactivates the whole Atlassian account (user-management API).
  ApiStatus DisableAccount(std::string_view account_id, std::string_view message = {});
  ApiStatus EnableAccount(std::string_view account_id);

  const ClientStats& stats() const { return stats_; }
  const ClientOptions& options() const { return options_; }

  // Implementation detail, public so the .cc helpers can name it.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  ClientOptions options_;
  ClientStats stats_;
};

}  // namespace adminauto::atlassian
