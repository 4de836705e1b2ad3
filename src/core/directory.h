// The directory model shared by the simulator, the export importer, sync and rule evaluation:
// accounts with their statuses and per-product activity, and groups. Values only, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace adminauto {

enum class AccountType { kAtlassian, kApp, kCustomer };
enum class AccountStatus { kActive, kInactive, kClosed };
enum class MembershipStatus { kActive, kSuspended, kNoMembership };
enum class ClaimStatus { kManaged, kUnmanaged };
// The v2 API's composite `status`, derived from account and membership status.
enum class UserStatus { kActive, kSuspended, kNotInvited, kDeactivated, kForDeletion };

// API spellings: "atlassian", "inactive", "no_membership", "unmanaged", "not_invited", ...
std::string_view ToString(AccountType v);
std::string_view ToString(AccountStatus v);
std::string_view ToString(MembershipStatus v);
std::string_view ToString(ClaimStatus v);
std::string_view ToString(UserStatus v);
std::optional<AccountType> ParseAccountType(std::string_view text);
std::optional<AccountStatus> ParseAccountStatus(std::string_view text);
std::optional<MembershipStatus> ParseMembershipStatus(std::string_view text);
std::optional<ClaimStatus> ParseClaimStatus(std::string_view text);
std::optional<UserStatus> ParseUserStatus(std::string_view text);

// Derives the v2 `status`: deactivated when the account is not active, else from membership.
UserStatus DeriveUserStatus(AccountStatus account, MembershipStatus membership,
                            bool for_deletion = false);

inline constexpr std::string_view kOrgAdminRole = "atlassian/org-admin";

// Access to one product on one site.
struct ProductAccess {
  std::string key;          // API product key: "jira-software", "confluence", ...
  std::string site;         // site name, "acme" for acme.atlassian.net; empty when unknown
  std::string resource_id;  // site ARI such as "ari:cloud:jira-software::site/<cloudId>"
  // Last activity; nullopt means access with no recorded activity.
  std::optional<Timestamp> last_active;

  bool operator==(const ProductAccess&) const = default;
};

struct Account {
  std::string id;
  std::string name;
  std::string email;  // empty when the user hides it
  AccountType type = AccountType::kAtlassian;
  AccountStatus account_status = AccountStatus::kActive;
  MembershipStatus membership_status = MembershipStatus::kActive;
  ClaimStatus claim_status = ClaimStatus::kManaged;
  std::optional<Timestamp> added_to_org;
  std::vector<ProductAccess> products;
  std::vector<std::string> group_ids;
  std::vector<std::string> platform_roles;  // "atlassian/org-admin", "atlassian/site-admin", ...
  // Last time access was restored, by anyone; used to protect just-restored accounts.
  std::optional<Timestamp> restored_at;

  UserStatus status() const { return DeriveUserStatus(account_status, membership_status); }
  bool IsOrgAdmin() const;

  bool operator==(const Account&) const = default;
};

struct Group {
  std::string id;
  std::string name;
  std::string description;
  bool is_default = false;       // a product's default access group
  bool external_synced = false;  // managed by an identity provider (SCIM)
  bool grants_admin = false;     // membership grants an admin role
  bool operator==(const Group&) const = default;
};

// One complete, consistent picture of an org's directory.
struct Directory {
  std::string org_id;
  std::string directory_id;
  Timestamp taken_at{};
  std::vector<Account> accounts;
  std::vector<Group> groups;
};

// Maps a product name used by admin.atlassian.com's user export ("Jira", "Confluence", "Jira
// Service Management", "Jira Product Discovery") to its API key; unknown names give nullopt.
std::optional<std::string> ProductKeyForExportName(std::string_view name);

}  // namespace adminauto
