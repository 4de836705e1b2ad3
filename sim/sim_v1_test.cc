// v1 endpoints: shapes, pagination, auth and the endpoints removed after 2026-06-30.
#include <regex>

#include "sim/sim_test_util.h"

namespace adminauto::sim::testing {
namespace {

namespace json = boost::json;

class SimV1Test : public SimTest {};

TEST_F(SimV1Test, UsersPaginateToEnd) {
  // Page size 50: 0 and 1 accounts fit one page, 50 fills it exactly, 51 needs a second.
  for (int count : {0, 1, 50, 51, 10'000}) {
    SimOptions options;
    options.state_file = WriteStateFile(count, "v1-" + std::to_string(count));
    Start(options);
    int pages = 0;
    auto users = V1UsersAll(&pages);
    ASSERT_EQ(users.size(), static_cast<size_t>(count)) << count;
    EXPECT_EQ(pages, count == 0 ? 1 : (count + 49) / 50) << count;
    std::set<std::string> ids;
    for (const auto& user : users) ids.insert(std::string(user.at("account_id").as_string()));
    EXPECT_EQ(ids.size(), static_cast<size_t>(count));
    sim_->Stop();
  }
}

TEST_F(SimV1Test, UsersPageShape) {
  SimOptions options;
  options.state_file = WriteStateFile(51, "v1-shape");
  Start(options);
  auto page = Json(Get(V1("/users")));
  const auto& user = page.at("data").at(0).as_object();
  EXPECT_EQ(user.at("account_id").as_string(), "acct-00000");
  EXPECT_EQ(user.at("account_type").as_string(), "atlassian");
  EXPECT_EQ(user.at("account_status").as_string(), "active");
  EXPECT_EQ(user.at("email").as_string(), "acct-00000@acme.example");
  EXPECT_TRUE(user.at("access_billable").is_bool());
  EXPECT_TRUE(user.at("product_access").is_array());
  EXPECT_EQ(page.at("meta").at("total").as_int64(), 51);
  std::string next(page.at("links").at("next").as_string());
  std::string prefix = sim_->base_url() + "/admin/v1/orgs/org-test/users?cursor=";
  EXPECT_TRUE(next.starts_with(prefix)) << next;
}

TEST_F(SimV1Test, TamperedCursorGives400) {
  SimOptions options;
  options.state_file = WriteStateFile(60, "v1-cursor");
  Start(options);
  auto page = Json(Get(V1("/users")));
  std::string next(page.at("links").at("next").as_string());
  std::string cursor = next.substr(next.find("cursor=") + 7);
  cursor[2] = cursor[2] == 'A' ? 'B' : 'A';
  auto response = Get(V1("/users?cursor=" + cursor));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ErrorCode(response), "ADMIN-400-1");
  EXPECT_EQ(Json(response).at("errors").at(0).at("status").as_string(), "400");
  EXPECT_EQ(Get(V1("/users?cursor=garbage")).status, 400);
}

TEST_F(SimV1Test, MissingOrUnknownKeyGives401) {
  Start();
  for (const std::string key : {"-", "wrong-key"}) {
    auto response = Call("GET", V1("/users"), "", key);
    EXPECT_EQ(response.status, 401);
    auto body = Json(response);
    EXPECT_EQ(body.at("code").as_int64(), 401);  // ProxyError: code is a number
    EXPECT_TRUE(body.at("message").is_string());
  }
}

TEST_F(SimV1Test, ExpiredKeyGives401) {
  Start();
  Timestamp expiry = ToTimestamp(clock_.Now()) + std::chrono::minutes(5);
  sim_->AddApiKey("short-lived", sim_->org_id(), expiry);
  EXPECT_EQ(Call("GET", V1(), "", "short-lived").status, 200);
  clock_.Advance(std::chrono::minutes(5));
  EXPECT_EQ(Call("GET", V1(), "", "short-lived").status, 401);
}

TEST_F(SimV1Test, OtherOrgKeyGives404) {
  Start();
  sim_->AddApiKey("other-key", "other-org");
  auto response = Call("GET", V1("/users"), "", "other-key");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(ErrorCode(response), "ADMIN-404-2");
  // The key works for its own org.
  EXPECT_EQ(Call("GET", "/admin/v1/orgs/other-org/users", "", "other-key").status, 200);
}

TEST_F(SimV1Test, OrgsAndDomains) {
  SimOptions options;
  options.users = 5;
  Start(options);
  auto orgs = Json(Get("/admin/v1/orgs"));
  ASSERT_EQ(orgs.at("data").as_array().size(), 1u);
  EXPECT_EQ(orgs.at("data").at(0).at("id").as_string(), sim_->org_id());
  EXPECT_EQ(orgs.at("data").at(0).at("type").as_string(), "orgs");
  auto org = Json(Get(V1()));
  EXPECT_EQ(org.at("data").at("attributes").at("name").as_string(), "Acme");
  auto domains = Json(Get(V1("/domains")));
  const auto& domain = domains.at("data").at(0);
  EXPECT_EQ(domain.at("attributes").at("name").as_string(), "acme.example");
  EXPECT_EQ(domain.at("attributes").at("claim").at("status").as_string(), "verified");
  std::string id(domain.at("id").as_string());
  EXPECT_EQ(Get(V1("/domains/" + id)).status, 200);
  auto missing = Get(V1("/domains/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "ADMIN-404-3");
}

TEST_F(SimV1Test, LastActiveDatesShape) {
  SimOptions options;
  options.users = 40;
  Start(options);
  // Pick an account with activity and one without from the seeded state.
  Directory directory = sim_->Snapshot();
  const Account* active = nullptr;
  const Account* never = nullptr;
  for (const auto& a : directory.accounts) {
    bool any = false;
    for (const auto& p : a.products) any = any || p.last_active.has_value();
    if (any && active == nullptr) active = &a;
    if (!any && never == nullptr && a.type == AccountType::kAtlassian) never = &a;
  }
  ASSERT_NE(active, nullptr);
  auto body = Json(Get(V1("/directory/users/" + active->id + "/last-active-dates")));
  const auto& data = body.at("data").as_object();
  ASSERT_FALSE(data.at("product_access").as_array().empty());
  const auto& item = data.at("product_access").at(0).as_object();
  std::string day(item.at("last_active").as_string());
  std::string timestamp(item.at("last_active_timestamp").as_string());
  EXPECT_TRUE(std::regex_match(day, std::regex(R"(\d{4}-\d{2}-\d{2})"))) << day;
  EXPECT_EQ(timestamp.substr(0, 10), day);
  EXPECT_TRUE(std::string(item.at("id").as_string()).starts_with("ari:cloud:"));
  EXPECT_TRUE(data.at("added_to_org").is_string());
  EXPECT_FALSE(body.at("links").as_object().contains("next"));
  if (never != nullptr) {
    auto empty = Json(Get(V1("/directory/users/" + never->id + "/last-active-dates")));
    EXPECT_TRUE(empty.at("data").at("product_access").as_array().empty());
  }
  auto missing = Get(V1("/directory/users/nobody/last-active-dates"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "ADMIN-404-8");
}

TEST_F(SimV1Test, RemovedEndpointsAnswer404) {
  SimOptions options;
  options.state_file = WriteStateFile(3, "v1-removed");
  Start(options);
  auto response = Post(V1("/directory/users/acct-00001/suspend-access"));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(ErrorCode(response), "ADMIN-404-1");
  EXPECT_EQ(Post(V1("/users/search"), "{}").status, 404);
  // Nothing changed.
  EXPECT_EQ(sim_->Snapshot().accounts[1].membership_status, MembershipStatus::kActive);
}

TEST_F(SimV1Test, RemovedEndpointsServedWhenEnabled) {
  SimOptions options;
  options.state_file = WriteStateFile(3, "v1-served");
  options.serve_removed_v1 = true;
  Start(options);
  auto response = Post(V1("/directory/users/acct-00001/suspend-access"));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(Json(response).at("message").as_string(),
            "Access to organization org-test was suspended for user acct-00001");
  EXPECT_EQ(sim_->Snapshot().accounts[1].membership_status, MembershipStatus::kSuspended);
  EXPECT_EQ(Post(V1("/directory/users/acct-00001/restore-access")).status, 200);
  EXPECT_EQ(Call("DELETE", V1("/directory/users/acct-00002")).status, 204);
  EXPECT_EQ(sim_->Snapshot().accounts[2].membership_status, MembershipStatus::kNoMembership);
  auto missing = Post(V1("/directory/users/nobody/suspend-access"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "ADMIN-404-8");

  auto created = Post(V1("/directory/groups"), R"({"name":"team-a"})");
  ASSERT_EQ(created.status, 200);
  std::string group_id(Json(created).at("groupId").as_string());
  auto added =
      Post(V1("/directory/groups/" + group_id + "/memberships"), R"({"account_id":"acct-00000"})");
  EXPECT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(Json(added).at("message").as_string(),
            "User acct-00000 was added to group " + group_id);
  auto bad_body = Post(V1("/directory/groups/" + group_id + "/memberships"), "{not json");
  EXPECT_EQ(bad_body.status, 400);
  EXPECT_EQ(ErrorCode(bad_body), "ADMIN-400-24");
  auto search = Json(Post(V1("/users/search"), R"({"limit":2,"expand":["NAME","EMAIL"]})"));
  EXPECT_EQ(search.at("data").as_array().size(), 2u);
  EXPECT_EQ(search.at("data").at(0).at("accountId").as_string(), "acct-00000");
  EXPECT_EQ(search.at("data").at(0).at("email").as_string(), "acct-00000@acme.example");
  EXPECT_TRUE(search.at("links").at("next").is_string());
  auto plain = Json(Post(V1("/users/search"), R"({"limit":1})"));
  EXPECT_FALSE(plain.at("data").at(0).as_object().contains("email"));
}

TEST_F(SimV1Test, ChangesAppearInEvents) {
  SimOptions options;
  options.state_file = WriteStateFile(3, "v1-events");
  Start(options);
  EXPECT_EQ(Post(V2("/users/acct-00001/suspend")).status, 204);
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(Post(V2("/users/acct-00001/restore")).status, 204);
  auto events = Json(Get(V1("/events")));
  const auto& data = events.at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  // Newest first.
  EXPECT_EQ(data[0].at("attributes").at("action").as_string(), "user_access_restored");
  EXPECT_EQ(data[1].at("attributes").at("action").as_string(), "user_access_suspended");
  EXPECT_EQ(data[1].at("attributes").at("context").at(0).at("id").as_string(), "acct-00001");
  EXPECT_EQ(data[1].at("attributes").at("time").as_string(), "2026-12-04T10:00:30Z");
  EXPECT_TRUE(events.at("meta").at("next").is_null());
  std::string id(data[0].at("id").as_string());
  EXPECT_EQ(Json(Get(V1("/events/" + id))).at("data").at("id").as_string(), id);
  EXPECT_EQ(ErrorCode(Get(V1("/events/nope"))), "ADMIN-404-4");
  EXPECT_EQ(ErrorCode(Get(V1("/events?from=yesterday"))), "ADMIN-400-3");
}

TEST_F(SimV1Test, EventsStreamPollsForNewEvents) {
  SimOptions options;
  options.state_file = WriteStateFile(3, "v1-stream");
  Start(options);
  EXPECT_EQ(Post(V2("/users/acct-00000/suspend")).status, 204);
  auto first = Json(Get(V1("/events-stream")));
  ASSERT_EQ(first.at("data").as_array().size(), 1u);
  EXPECT_TRUE(first.at("data").at(0).at("attributes").as_object().contains("processedAt"));
  std::string cursor(first.at("meta").at("next").as_string());
  auto empty = Json(Get(V1("/events-stream?cursor=" + cursor)));
  EXPECT_TRUE(empty.at("data").as_array().empty());
  EXPECT_EQ(Post(V2("/users/acct-00002/suspend")).status, 204);
  auto polled = Json(Get(V1("/events-stream?cursor=" + cursor)));
  ASSERT_EQ(polled.at("data").as_array().size(), 1u);
  EXPECT_EQ(polled.at("data").at(0).at("attributes").at("context").at(0).at("id").as_string(),
            "acct-00002");
}

TEST_F(SimV1Test, UserRoleGrantsProductAccess) {
  SimOptions options;
  options.state_file = WriteStateFile(2, "v1-roles");
  Start(options);
  std::string resource = "ari:cloud:confluence::site/abc";
  auto granted = Post(V1("/users/acct-00000/roles/assign"),
                      R"({"role":"atlassian/user","resource":")" + resource + "\"}");
  EXPECT_EQ(granted.status, 204) << granted.body;
  auto user = Json(Get(V1("/users"))).at("data").at(0);
  ASSERT_EQ(user.at("product_access").as_array().size(), 1u);
  EXPECT_EQ(user.at("product_access").at(0).at("key").as_string(), "confluence");
  EXPECT_EQ(Post(V1("/users/acct-00000/roles/assign"), R"({"role":"atlassian/user"})").status, 400);
  EXPECT_EQ(
      Post(V1("/users/acct-00000/role-assignments/assign"), R"({"role":"atlassian/org-admin"})")
          .status,
      204);
  EXPECT_TRUE(sim_->Snapshot().accounts[0].IsOrgAdmin());
}

}  // namespace
}  // namespace adminauto::sim::testing
