#include "atlassian/parse.h"

#include <gtest/gtest.h>

#include "atlassian/api_error.h"

namespace adminauto::atlassian {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Timestamp At(int y, unsigned m, unsigned d, int h = 0, int min = 0, int s = 0) {
  return Timestamp(std::chrono::sys_days(std::chrono::year{y} / m / d)) + hours(h) + minutes(min) +
         seconds(s);
}

TEST(ParseV2UserPage, ReadsExpandedUser) {
  constexpr std::string_view kBody = R"({"data":[{"accountId":"5b86","accountType":"atlassian",
    "status":"suspended","accountStatus":"active","membershipStatus":"suspended",
    "claimStatus":"managed","name":"Jane Doe","email":"jane@acme.com",
    "addedToOrg":"2024-02-10T09:00:00Z","platformRoles":["atlassian/org-admin"],
    "productAccess":[{"key":"jira-software","id":"ari:cloud:jira::site/1",
                      "lastActiveTimestamp":"2026-08-01T08:00:00Z"},
                     {"key":"confluence","id":"ari:cloud:confluence::site/1",
                      "lastActiveTimestamp":"1970-01-01T00:00:00Z"}],
    "groups":[{"id":"g1","name":"jira-users"}]}],
    "links":{"next":"CURSOR2"}})";
  auto page = ParseV2UserPage(kBody);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->accounts.size(), 1u);
  const Account& a = page->accounts[0];
  EXPECT_EQ(a.id, "5b86");
  EXPECT_EQ(a.name, "Jane Doe");
  EXPECT_EQ(a.email, "jane@acme.com");
  EXPECT_EQ(a.membership_status, MembershipStatus::kSuspended);
  EXPECT_EQ(a.claim_status, ClaimStatus::kManaged);
  EXPECT_EQ(a.added_to_org, At(2024, 2, 10, 9));
  ASSERT_EQ(a.products.size(), 2u);
  EXPECT_EQ(a.products[0].last_active, At(2026, 8, 1, 8));
  EXPECT_EQ(a.products[0].resource_id, "ari:cloud:jira::site/1");
  EXPECT_FALSE(a.products[1].last_active.has_value()) << "epoch zero means no activity";
  EXPECT_EQ(a.group_ids, std::vector<std::string>{"g1"});
  EXPECT_TRUE(a.IsOrgAdmin());
  EXPECT_EQ(page->next, "CURSOR2");
}

TEST(ParseV2UserPage, LastPageHasNoNext) {
  auto page = ParseV2UserPage(R"({"data":[],"links":{"next":null}})");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->accounts.empty());
  EXPECT_TRUE(page->next.empty());
}

TEST(ParseV2UserPage, KeepsUnicodeBytes) {
  // Cyrillic, CJK, an accent and an emoji, as UTF-8 in the body and as \u escapes.
  const std::string name = "Юлия 山田 José 🚀";
  std::string body = R"({"data":[{"accountId":"u1","accountType":"atlassian",
    "accountStatus":"active","membershipStatus":"active","claimStatus":"managed",
    "name":")" + name +
                     R"(","email":"\u00e9l\u00e8ve@acme.com"}]})";
  auto page = ParseV2UserPage(body);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->accounts[0].name, name);
  EXPECT_EQ(page->accounts[0].email, "\xC3\xA9l\xC3\xA8ve@acme.com");
}

TEST(ParseV2UserPage, RejectsMissingClaimStatus) {
  auto page = ParseV2UserPage(R"({"data":[{"accountId":"u1","accountType":"atlassian",
    "accountStatus":"active","membershipStatus":"active"}]})");
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().message().find("claimStatus"), std::string::npos);
  EXPECT_NE(page.status().message().find("user 0"), std::string::npos);
}

TEST(ParseV2UserPage, RejectsSnakeCaseFields) {
  // A v1-shaped row in a v2 page must fail, not read as an account without fields.
  auto page = ParseV2UserPage(R"({"data":[{"account_id":"u1","account_type":"atlassian",
    "account_status":"active"}]})");
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().message().find("accountId"), std::string::npos);
}

TEST(ParseJsonObject, RejectsErrorBodyWithSuccess) {
  auto page = ParseV2UserPage(R"({"errors":[{"status":"500","code":"ADMIN-500-1"}]})");
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().message().find("error body"), std::string::npos);
}

TEST(ParseJsonObject, RejectsNonJson) {
  EXPECT_FALSE(ParseV2UserPage("<html>Service Unavailable</html>").ok());
  EXPECT_FALSE(ParseV2UserPage("").ok());
  EXPECT_FALSE(ParseV2UserPage("[]").ok());
}

TEST(ParseV2UserPage, RejectsPageWithoutData) {
  auto page = ParseV2UserPage(R"({"links":{}})");
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().message().find("\"data\" is missing"), std::string::npos);
}

TEST(ParseV1UserPage, ReadsSnakeCaseUser) {
  constexpr std::string_view kBody = R"({"data":[{"account_id":"5b86",
    "account_type":"atlassian","account_status":"inactive","name":"Jane","picture":"p",
    "access_billable":true,"last_active":"2026-05-01T10:12:13.000Z",
    "product_access":[{"key":"jira-software","name":"Jira","url":"https://acme.atlassian.net",
                       "last_active":"2026-05-01"}]}],
    "links":{"next":"https://api.atlassian.com/admin/v1/orgs/o/users?cursor=abc"}})";
  auto page = ParseV1UserPage(kBody);
  ASSERT_TRUE(page.ok()) << page.status().message();
  const Account& a = page->accounts[0];
  EXPECT_EQ(a.account_status, AccountStatus::kInactive);
  EXPECT_TRUE(a.email.empty()) << "email is absent when hidden";
  ASSERT_EQ(a.products.size(), 1u);
  EXPECT_EQ(a.products[0].site, "acme");
  EXPECT_EQ(a.products[0].last_active, At(2026, 5, 1)) << "a date is that UTC day";
  EXPECT_EQ(page->next, "https://api.atlassian.com/admin/v1/orgs/o/users?cursor=abc");
}

TEST(ParseLastActivePage, PrefersTimestampOverDate) {
  constexpr std::string_view kBody = R"({"data":{"product_access":[
      {"id":"ari:cloud:confluence::site/c1","key":"confluence","last_active":"2026-08-03",
       "last_active_timestamp":"2026-08-03T14:22:05+02:00"},
      {"id":"ari:cloud:jira::site/c1","key":"jira-software","last_active":"2026-07-01"},
      {"id":"ari:cloud:jira::site/c2","key":"jira-software","last_active":""}],
    "added_to_org":"2024-02-10","added_to_org_timestamp":"2024-02-10T09:00Z"},
    "links":{}})";
  auto page = ParseLastActivePage(kBody);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->dates.products.size(), 3u);
  EXPECT_EQ(page->dates.products[0].last_active, At(2026, 8, 3, 12, 22, 5));
  EXPECT_EQ(page->dates.products[1].last_active, At(2026, 7, 1));
  EXPECT_FALSE(page->dates.products[2].last_active.has_value());
  EXPECT_EQ(page->dates.added_to_org, At(2024, 2, 10, 9));
  EXPECT_TRUE(page->next.empty());
}

TEST(ParseLastActivePage, RejectsMissingProductAccess) {
  EXPECT_FALSE(ParseLastActivePage(R"({"data":{"added_to_org":null}})").ok());
  EXPECT_FALSE(ParseLastActivePage(R"({"data":[]})").ok());
}

TEST(ParseLastActivePage, RejectsBadDate) {
  auto page = ParseLastActivePage(
      R"({"data":{"product_access":[{"id":"x","key":"jira","last_active":"01/08/2026"}]}})");
  ASSERT_FALSE(page.ok());
  EXPECT_NE(page.status().message().find("01/08/2026"), std::string::npos);
}

TEST(ParseGroupPage, ReadsGroups) {
  auto page = ParseGroupPage(R"({"data":[{"id":"g1","name":"never-suspend",
      "description":null,"externalSynced":true},{"id":"g2","name":"jira-users",
      "managementAccess":{"deletable":false}}],"links":{"next":"n"}})");
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->groups.size(), 2u);
  EXPECT_TRUE(page->groups[0].external_synced);
  EXPECT_EQ(page->groups[0].description, "");
  EXPECT_TRUE(page->groups[1].is_default);
  EXPECT_EQ(page->next, "n");
}

TEST(ParseCreatedGroup, ReadsBothForms) {
  auto v2 = ParseCreatedGroup(R"({"id":"g9","name":"new"})", "new", "d");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->id, "g9");
  auto v1 = ParseCreatedGroup(R"({"message":"Group new was created","groupId":"g8"})", "new", "");
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->id, "g8");
  EXPECT_EQ(v1->name, "new");
}

TEST(CheckWriteResponse, AcceptsEmptyOrObject) {
  EXPECT_TRUE(CheckWriteResponse("").ok());
  EXPECT_TRUE(CheckWriteResponse("{\"message\":\"ok\"}").ok());
  EXPECT_FALSE(CheckWriteResponse("not json").ok());
  EXPECT_FALSE(CheckWriteResponse("{\"errors\":[]}").ok());
}

TEST(SiteFromUrl, StripsAtlassianSuffix) {
  EXPECT_EQ(SiteFromUrl("https://acme.atlassian.net"), "acme");
  EXPECT_EQ(SiteFromUrl("https://acme.atlassian.net/wiki"), "acme");
  EXPECT_EQ(SiteFromUrl("https://jira.example.com:8443/x"), "jira.example.com");
  EXPECT_EQ(SiteFromUrl(""), "");
}

TEST(ClassifyErrorResponse, ProxyError401IsCredential) {
  ApiError e = ClassifyErrorResponse(401, R"({"code":401,"message":"Unauthorized"})", "GET /x");
  EXPECT_EQ(e.kind, ApiErrorKind::kCredentialInvalid);
  EXPECT_EQ(e.http_status, 401);
  EXPECT_NE(e.message.find("GET /x"), std::string::npos);
}

TEST(ClassifyErrorResponse, GatewayNoPermsIsCredential) {
  ApiError e = ClassifyErrorResponse(
      403,
      R"({"timestamp":"2025-06-06T06:03:27.122+00:00","path":"/api/admin/v1/orgs/o/users",
          "status":403,"error":"Forbidden","message":"User has no permission to access resource.",
          "requestId":"r"})",
      "GET /x");
  EXPECT_EQ(e.kind, ApiErrorKind::kCredentialInvalid);
}

TEST(ClassifyErrorResponse, ApplicationForbiddenIsForbidden) {
  ApiError e = ClassifyErrorResponse(
      403, R"({"errors":[{"status":"403","code":"ADMIN-403-3","title":"Forbidden"}]})", "GET /x");
  EXPECT_EQ(e.kind, ApiErrorKind::kForbidden);
  EXPECT_EQ(e.code, "ADMIN-403-3");
}

TEST(ClassifyErrorResponse, MapsOtherStatuses) {
  EXPECT_EQ(ClassifyErrorResponse(404, R"({"key":"accountNotFound"})", "x").kind,
            ApiErrorKind::kNotFound);
  EXPECT_EQ(ClassifyErrorResponse(404, R"({"key":"accountNotFound"})", "x").code,
            "accountNotFound");
  EXPECT_EQ(ClassifyErrorResponse(429, R"({"code":429,"message":"slow"})", "x").kind,
            ApiErrorKind::kRateLimited);
  EXPECT_EQ(ClassifyErrorResponse(503, "<html>", "x").kind, ApiErrorKind::kServerError);
  EXPECT_EQ(ClassifyErrorResponse(400, "", "x").kind, ApiErrorKind::kBadRequest);
  EXPECT_EQ(ClassifyErrorResponse(409, "", "x").kind, ApiErrorKind::kConflict);
}

TEST(ApiError, MapsToStatusCodes) {
  ApiError e;
  e.kind = ApiErrorKind::kCredentialInvalid;
  EXPECT_EQ(e.ToStatus().code(), StatusCode::kUnauthenticated);
  e.kind = ApiErrorKind::kRateLimited;
  EXPECT_EQ(e.ToStatus().code(), StatusCode::kResourceExhausted);
  e.kind = ApiErrorKind::kTimeout;
  EXPECT_EQ(e.ToStatus().code(), StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace adminauto::atlassian
