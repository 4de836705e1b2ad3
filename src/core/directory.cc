#include "core/directory.h"

#include <algorithm>
#include <array>
#include <utility>

namespace adminauto {
namespace {

template <typename E, size_t N>
std::optional<E> Lookup(const std::array<std::pair<E, std::string_view>, N>& table,
                        std::string_view text) {
  for (const auto& [value, name] : table) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename E, size_t N>
std::string_view Name(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<AccountType, std::string_view>, 3> kAccountTypes{{
    {AccountType::kAtlassian, "atlassian"},
    {AccountType::kApp, "app"},
    {AccountType::kCustomer, "customer"},
}};
constexpr std::array<std::pair<AccountStatus, std::string_view>, 3> kAccountStatuses{{
    {AccountStatus::kActive, "active"},
    {AccountStatus::kInactive, "inactive"},
    {AccountStatus::kClosed, "closed"},
}};
constexpr std::array<std::pair<MembershipStatus, std::string_view>, 3> kMembershipStatuses{{
    {MembershipStatus::kActive, "active"},
    {MembershipStatus::kSuspended, "suspended"},
    {MembershipStatus::kNoMembership, "no_membership"},
}};
constexpr std::array<std::pair<ClaimStatus, std::string_view>, 2> kClaimStatuses{{
    {ClaimStatus::kManaged, "managed"},
    {ClaimStatus::kUnmanaged, "unmanaged"},
}};
constexpr std::array<std::pair<UserStatus, std::string_view>, 5> kUserStatuses{{
    {UserStatus::kActive, "active"},
    {UserStatus::kSuspended, "suspended"},
    {UserStatus::kNotInvited, "not_invited"},
    {UserStatus::kDeactivated, "deactivated"},
    {UserStatus::kForDeletion, "for_deletion"},
}};

}  // namespace

std::string_view ToString(AccountType v) { return Name(kAccountTypes, v); }
std::string_view ToString(AccountStatus v) { return Name(kAccountStatuses, v); }
std::string_view ToString(MembershipStatus v) { return Name(kMembershipStatuses, v); }
std::string_view ToString(ClaimStatus v) { return Name(kClaimStatuses, v); }
std::string_view ToString(UserStatus v) { return Name(kUserStatuses, v); }
std::optional<AccountType> ParseAccountType(std::string_view t) { return Lookup(kAccountTypes, t); }
std::optional<AccountStatus> ParseAccountStatus(std::string_view t) {
  return Lookup(kAccountStatuses, t);
}
std::optional<MembershipStatus> ParseMembershipStatus(std::string_view t) {
  return Lookup(kMembershipStatuses, t);
}
std::optional<ClaimStatus> ParseClaimStatus(std::string_view t) {
  return Lookup(kClaimStatuses, t);
}
std::optional<UserStatus> ParseUserStatus(std::string_view t) { return Lookup(kUserStatuses, t); }

UserStatus DeriveUserStatus(AccountStatus account, MembershipStatus membership,
                            bool for_deletion) {
  if (for_deletion) return UserStatus::kForDeletion;
  if (account != AccountStatus::kActive) return UserStatus::kDeactivated;
  switch (membership) {
    case MembershipStatus::kActive: return UserStatus::kActive;
    case MembershipStatus::kSuspended: return UserStatus::kSuspended;
    case MembershipStatus::kNoMembership: return UserStatus::kNotInvited;
  }
  return UserStatus::kNotInvited;
}

bool Account::IsOrgAdmin() const {
  return std::find(platform_roles.begin(), platform_roles.end(), kOrgAdminRole) !=
         platform_roles.end();
}

std::optional<std::string> ProductKeyForExportName(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kProducts{{
      {"Jira", "jira-software"},
      {"Confluence", "confluence"},
      {"Jira Service Management", "jira-servicedesk"},
      {"Jira Product Discovery", "jira-product-discovery"},
  }};
  for (const auto& [export_name, key] : kProducts) {
    if (export_name == name) return std::string(key);
  }
  return std::nullopt;
}

}  // namespace adminauto
