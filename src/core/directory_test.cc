#include "core/directory.h"

#include <gtest/gtest.h>

namespace adminauto {
namespace {

TEST(DeriveUserStatus, FollowsApiRules) {
  EXPECT_EQ(DeriveUserStatus(AccountStatus::kActive, MembershipStatus::kActive),
            UserStatus::kActive);
  EXPECT_EQ(DeriveUserStatus(AccountStatus::kActive, MembershipStatus::kSuspended),
            UserStatus::kSuspended);
  EXPECT_EQ(DeriveUserStatus(AccountStatus::kActive, MembershipStatus::kNoMembership),
            UserStatus::kNotInvited);
  EXPECT_EQ(DeriveUserStatus(AccountStatus::kInactive, MembershipStatus::kActive),
            UserStatus::kDeactivated);
  EXPECT_EQ(DeriveUserStatus(AccountStatus::kClosed, MembershipStatus::kSuspended),
            UserStatus::kDeactivated);
}

TEST(DirectoryEnums, RoundTripApiSpellings) {
  EXPECT_EQ(ToString(MembershipStatus::kNoMembership), "no_membership");
  EXPECT_EQ(ParseUserStatus("not_invited"), UserStatus::kNotInvited);
  EXPECT_EQ(ParseAccountType("app"), AccountType::kApp);
  EXPECT_FALSE(ParseAccountType("robot").has_value());
  EXPECT_FALSE(ParseClaimStatus("Managed").has_value());
}

TEST(ProductKeyForExportName, MapsExportNames) {
  EXPECT_EQ(ProductKeyForExportName("Jira"), "jira-software");
  EXPECT_EQ(ProductKeyForExportName("Jira Service Management"), "jira-servicedesk");
  EXPECT_EQ(ProductKeyForExportName("Jira Product Discovery"), "jira-product-discovery");
  EXPECT_FALSE(ProductKeyForExportName("Trello").has_value());
}

TEST(Account, OrgAdminFromPlatformRoles) {
  Account a;
  EXPECT_FALSE(a.IsOrgAdmin());
  a.platform_roles = {"atlassian/site-admin", "atlassian/org-admin"};
  EXPECT_TRUE(a.IsOrgAdmin());
}

}  // namespace
}  // namespace adminauto
