// Verification of applied changes: what each kind of change looks like when read back from
// the API, and bounded polling for it. The API is eventually consistent (role changes can take
// up to 30 s to show), so a change is read back several times with growing pauses, and never
// sent again while polling.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "atlassian/client.h"
#include "core/clock.h"
#include "core/directory.h"
#include "core/status.h"

namespace adminauto::engine {

// The changes apply can make. Each maps to one v2 write (roles: the user role API).
enum class ChangeKind {
  kSuspend,          // POST .../directories/DIR/users/ID/suspend
  kRestore,          // POST .../directories/DIR/users/ID/restore
  kRemove,           // DELETE .../directories/DIR/users/ID (irreversible)
  kAddToGroup,       // POST .../groups/GID/memberships
  kRemoveFromGroup,  // DELETE .../groups/GID/memberships/ID
  kGrantRole,        // POST .../users/ID/roles/assign
  kRevokeRole,       // POST .../users/ID/roles/revoke
};

// Journal and plan spelling: "suspend", "restore", "remove", "add_to_group",
// "remove_from_group", "grant_role", "revoke_role".
std::string_view ToString(ChangeKind kind);
std::optional<ChangeKind> ParseChangeKind(std::string_view text);

// The inverse change, or nullopt when the change cannot be undone (remove from directory).
std::optional<ChangeKind> InverseOf(ChangeKind kind);

// True for changes that take access away; the sync's drop flag blocks them.
bool IsDestructive(ChangeKind kind);

// One change to one account.
struct Change {
  ChangeKind kind = ChangeKind::kSuspend;
  std::string account_id;
  // Group id for group changes; "ROLE@RESOURCE" (role id and resource ARI) for role changes;
  // empty otherwise.
  std::string target;
};

// Splits a role target "ROLE@RESOURCE" at its first '@'. The resource is empty for a
// platform role such as "atlassian/org-admin".
std::pair<std::string, std::string> SplitRoleTarget(std::string_view target);

// The relation of an account, as read back, to a change.
enum class Effect {
  kPresent,  // the account shows the change
  kAbsent,   // the account does not show it (yet)
};

// Decides whether `account` shows `change`. `account` is nullopt when the read returned
// "not found", which is the effect of a removal and the absence of every other change.
Effect EffectOf(const Change& change, const std::optional<Account>& account);

// Pauses between read-backs: `first`, then doubling up to `max_interval`, until `window` has
// passed since the first read.
struct PollPolicy {
  std::chrono::milliseconds first{250};
  std::chrono::milliseconds max_interval{4'000};
  std::chrono::milliseconds window{30'000};
};

// The result of reading a change back.
struct ReadBack {
  Effect effect = Effect::kAbsent;
  int reads = 0;  // GET requests made
};

// Reads the account once; "not found" gives nullopt. Other API errors are returned.
atlassian::ApiResult<std::optional<Account>> ReadAccount(atlassian::OrgClient& client,
                                                         std::string_view account_id);

// Reads the account until it shows `change` or the policy's window ends, pausing on `clock`
// between reads. Returns kAbsent after the window; returns an error only when a read fails
// with something other than "not found".
Result<ReadBack> PollForEffect(atlassian::OrgClient& client, Clock& clock, const Change& change,
                               const PollPolicy& policy);

// Sends `change` through the client's v2 write for its kind.
atlassian::ApiStatus SendChange(atlassian::OrgClient& client, const Change& change);

}  // namespace adminauto::engine
