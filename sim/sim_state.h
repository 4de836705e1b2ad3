// The simulator's in-memory model of orgs: directory accounts and groups (the shared Directory
// model), group role assignments, domains, audit events, API keys and the mutation record.
// Not thread-safe by itself; SimServer guards one SimState with a mutex.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/directory.h"
#include "core/status.h"
#include "sim/sim_server.h"

namespace adminauto::sim {

struct RoleAssignment {
  std::string resource_id;  // site ARI; empty for org-level roles
  std::string role_id;      // "atlassian/user", ...
  bool operator==(const RoleAssignment&) const = default;
};

struct SimGroup {
  Group group;
  std::vector<RoleAssignment> roles;
};

// Accounts and groups of one directory. Copyable, so a stale-read fault can keep the state
// from before a write.
struct DirectoryData {
  std::vector<Account> accounts;  // never shrinks, so positions in cursors stay valid
  std::unordered_map<std::string, size_t> account_index;
  std::vector<SimGroup> groups;

  Account* FindAccount(const std::string& id);
  const Account* FindAccount(const std::string& id) const;
  SimGroup* FindGroup(const std::string& id);
  const SimGroup* FindGroup(const std::string& id) const;
  void AddAccount(Account account);
};

struct Domain {
  std::string id;
  std::string name;
  std::string claim_type = "dns";  // "dns" or "http"
  std::string status = "verified";
};

struct Event {
  std::string id;
  Timestamp time{};
  std::string action;      // "user_suspended", "group_created", ...
  std::string account_id;  // subject account, when there is one
  std::string account_name;
  std::string account_email;
  std::string group_id;  // subject group, when there is one
  std::string group_name;
  std::string message;  // human-readable summary
};

struct Org {
  std::string id;
  std::string name;
  std::string directory_id;
  std::string directory_name;
  std::vector<Domain> domains;
  DirectoryData data;
  std::vector<Event> events;  // in time order
  uint64_t next_event = 1;

  // Appends an event at `now` and returns it.
  Event& AddEvent(Timestamp now, std::string action, std::string message);
};

struct ApiKey {
  std::string org_id;
  std::optional<Timestamp> expires_at;
  bool scoped = false;
};

struct SimState {
  std::map<std::string, Org> orgs;
  std::map<std::string, ApiKey> keys;
  std::vector<Mutation> mutations;
  // The primary org's data as it was before the latest write, kept only while a stale-read
  // fault is configured; null otherwise.
  std::shared_ptr<const DirectoryData> before_last_write;
  uint64_t write_generation = 0;
};

// Lowercases ASCII letters; other bytes are kept.
std::string LowerAscii(std::string text);
// Display names and site URLs of the API's product keys.
std::string ProductDisplayName(const std::string& key);
// A stable UUID-shaped id derived from `text`, so seeded ids repeat across runs.
std::string StableUuid(std::string_view text);
// Site ARI for product `key` on `site`.
std::string SiteResourceId(const std::string& key, const std::string& site);
// The product key of a site ARI ("ari:cloud:confluence::site/x" gives "confluence").
std::string ProductKeyOfResource(const std::string& resource_id);
// Fills missing resource ids, adds the groups a real org has (a default access group per
// product, an org-admins group, an identity-provider synced group and two plain groups) with
// memberships following each account's access and roles.
void CompleteDirectory(const std::string& org_name, Directory& directory);
// Builds an Org from a directory.
Org MakeOrg(const std::string& org_id, const std::string& org_name, const std::string& domain,
            Directory directory);
// Copies an org's directory back into the shared model.
Directory ToDirectory(const Org& org);

// Deterministic generated org: `users` accounts drawn from `seed`, with dates relative to the
// UTC day of `now`. Mix: mostly active, some stale, never active, suspended, deactivated,
// app and unmanaged accounts; names in several scripts, including emoji.
Directory GenerateDirectory(int users, uint64_t seed, Timestamp now, const std::string& domain);

// State file: JSON with the org, its directory and group role assignments.
std::string StateToJson(const Org& org);
// Parses a state file; InvalidArgument names `source`, line, column and field.
Result<Org> StateFromJson(std::string_view text, std::string_view source);

}  // namespace adminauto::sim
