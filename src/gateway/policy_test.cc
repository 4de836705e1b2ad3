#include "gateway/policy.h"

#include <gtest/gtest.h>

namespace adminauto::gateway {
namespace {

TEST(GatewayPolicy, AllowsProductRequests) {
  const char* allowed[][2] = {
      {"GET", "/admin/v1/orgs/org-1/users"},
      {"GET", "/admin/v1/orgs/org-1/users?cursor=abc"},
      {"GET", "/admin/v1/orgs/org-1/directory/users/acc-9/last-active-dates"},
      {"POST", "/admin/v2/orgs/org-1/directories/-/users/search"},
      {"POST", "/admin/v2/orgs/org-1/directories/-/users/acc-9/suspend"},
      {"DELETE", "/admin/v2/orgs/org-1/directories/dir-2/groups/g-3/memberships/acc-9"},
      {"POST", "/users/acc-9/manage/lifecycle/disable"},
  };
  for (const auto& [method, target] : allowed) {
    SCOPED_TRACE(std::string(method) + " " + target);
    EXPECT_TRUE(CheckAllowed("org-1", method, target).ok());
  }
}

TEST(GatewayPolicy, RejectsOtherOrgsPath) {
  Status denied = CheckAllowed("org-1", "GET", "/admin/v1/orgs/org-2/users");
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("GET /admin/v1/orgs/org-2/users"), std::string::npos);
}

TEST(GatewayPolicy, RejectsUnlistedRequests) {
  const char* denied[][2] = {
      {"PUT", "/admin/v1/orgs/org-1/users"},
      {"DELETE", "/admin/v1/orgs/org-1/users"},
      {"GET", "/admin/v1/orgs/org-1/api-keys"},
      {"POST", "/admin/v2/orgs/org-1/directories/-/users/acc-9/suspend/extra"},
      {"GET", "https://evil.example/admin/v1/orgs/org-1/users"},
      {"GET", "/admin/v1/orgs/org-1/../org-2/users"},
      {"GET", "/admin/v1/orgs/org-1/users/"},
      {"GET", "/admin/v1/orgs/org%2D1/users"},
      {"GET", "//admin/v1/orgs/org-1/users"},
  };
  for (const auto& [method, target] : denied) {
    SCOPED_TRACE(std::string(method) + " " + target);
    EXPECT_EQ(CheckAllowed("org-1", method, target).code(), StatusCode::kPermissionDenied);
  }
}

TEST(GatewayPolicy, AllowsEscapedColonInAccountId) {
  // Account ids such as "712020:b3fd..." reach the gateway with the colon escaped.
  EXPECT_TRUE(CheckAllowed("org-1", "GET",
                           "/admin/v1/orgs/org-1/directory/users/712020%3Ab3fd-58a7/"
                           "last-active-dates")
                  .ok());
  EXPECT_TRUE(
      CheckAllowed("org-1", "POST", "/admin/v2/orgs/org-1/directories/-/users/712020%3a9f/suspend")
          .ok());
}

TEST(GatewayPolicy, RejectsEscapesThatChangeThePath) {
  const char* denied[] = {
      "/admin/v1/orgs/org-1/directory/users/a%2Fb/last-active-dates",
      "/admin/v1/orgs/org-1/directory/users/a%2fb/last-active-dates",
      "/admin/v1/orgs/org-1/directory/users/%2E%2E/last-active-dates",
      "/admin/v1/orgs/org-1/directory/users/a%5Cb/last-active-dates",
      "/admin/v1/orgs/org-1/directory/users/a%25b/last-active-dates",
      "/admin/v1/orgs/org-1/directory/users/a%00b/last-active-dates",
      "/admin/v1/orgs/org-1/directory/users/a%3/last-active-dates",
      "/admin/v1/orgs/org-1/directory/users/a%zz/last-active-dates",
  };
  for (const char* target : denied) {
    SCOPED_TRACE(target);
    EXPECT_EQ(CheckAllowed("org-1", "GET", target).code(), StatusCode::kPermissionDenied);
  }
}

TEST(GatewayPolicy, RejectsUnsafeOrgId) {
  EXPECT_FALSE(CheckAllowed("", "GET", "/admin/v1/orgs//users").ok());
  EXPECT_FALSE(CheckAllowed("..", "GET", "/admin/v1/orgs/../users").ok());
}

}  // namespace
}  // namespace adminauto::gateway
