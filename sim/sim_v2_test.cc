// v2 directory endpoints and the user-management lifecycle endpoints.
#include "sim/sim_test_util.h"

namespace adminauto::sim::testing {
namespace {

namespace json = boost::json;

class SimV2Test : public SimTest {
 protected:
  // Generated org: has default, synced and admin groups and a mix of statuses.
  void StartGenerated(int users = 60) {
    SimOptions options;
    options.users = users;
    Start(options);
  }

  std::string GroupId(const std::string& name) {
    for (const auto& g : sim_->Snapshot().groups) {
      if (g.name == name) return g.id;
    }
    ADD_FAILURE() << "no group " << name;
    return "";
  }

  json::object User(const std::string& id) {
    auto body = Json(Get(V2("/users/" + id)));
    return body.at("data").as_object();
  }
};

TEST_F(SimV2Test, SearchPaginatesToEnd) {
  for (int count : {0, 1, 50, 51, 10'000}) {
    SimOptions options;
    options.state_file = WriteStateFile(count, "v2-" + std::to_string(count));
    Start(options);
    int pages = 0;
    auto users = SearchAll({}, &pages);
    ASSERT_EQ(users.size(), static_cast<size_t>(count));
    EXPECT_EQ(pages, count == 0 ? 1 : (count + 49) / 50) << count;  // default limit 50
    if (count > 0) {
      char last[16];
      std::snprintf(last, sizeof last, "acct-%05d", count - 1);
      EXPECT_EQ(users.back().at("accountId").as_string(), last);
    }
  }
}

TEST_F(SimV2Test, GetListCursorIgnoresOtherParameters) {
  SimOptions options;
  options.state_file = WriteStateFile(5, "v2-get");
  Start(options);
  auto first =
      Json(Get(V2("/users?limit=2&accountIds=acct-00001,acct-00003&accountIds=acct-00004")));
  ASSERT_EQ(first.at("data").as_array().size(), 2u);
  EXPECT_EQ(first.at("data").at(0).at("accountId").as_string(), "acct-00001");
  std::string cursor(first.at("links").at("next").as_string());
  auto second = Json(Get(V2("/users?limit=50&accountIds=acct-00000&cursor=" + cursor)));
  ASSERT_EQ(second.at("data").as_array().size(), 1u);
  EXPECT_EQ(second.at("data").at(0).at("accountId").as_string(), "acct-00004");
  EXPECT_TRUE(second.at("links").at("next").is_null());
}

TEST_F(SimV2Test, StatusDerivedFromAccountAndMembership) {
  StartGenerated(200);
  std::map<std::string, int> seen;
  for (const auto& u : SearchAll({{"limit", 100}})) {
    std::string account(u.at("accountStatus").as_string());
    std::string membership(u.at("membershipStatus").as_string());
    std::string status(u.at("status").as_string());
    std::string expected = account != "active"             ? "deactivated"
                           : membership == "suspended"     ? "suspended"
                           : membership == "no_membership" ? "not_invited"
                                                           : "active";
    EXPECT_EQ(status, expected) << u.at("accountId").as_string();
    ++seen[status];
  }
  EXPECT_GT(seen["active"], 0);
  EXPECT_GT(seen["suspended"], 0);
  EXPECT_GT(seen["deactivated"], 0);
}

TEST_F(SimV2Test, ExpandAddsProductAccessAndGroups) {
  StartGenerated();
  auto plain = SearchAll({{"limit", 5}});
  EXPECT_FALSE(plain[0].contains("productAccess"));
  EXPECT_FALSE(plain[0].contains("groups"));
  auto expanded = SearchAll({{"expand", json::array{"productAccess", "groups"}}});
  bool any_products = false;
  for (const auto& u : expanded) {
    ASSERT_TRUE(u.contains("productAccess"));
    ASSERT_TRUE(u.contains("groups"));
    for (const auto& p : u.at("productAccess").as_array()) {
      any_products = true;
      EXPECT_TRUE(p.as_object().contains("lastActiveTimestamp"));
      EXPECT_TRUE(std::string(p.at("id").as_string()).starts_with("ari:cloud:"));
    }
  }
  EXPECT_TRUE(any_products);
  auto bad = Post(V2("/users/search"), R"({"expand":["everything"]})");
  EXPECT_EQ(bad.status, 400);
}

TEST_F(SimV2Test, SearchFiltersAndExclusiveFields) {
  StartGenerated(100);
  auto suspended = SearchAll({{"status", json::array{"suspended"}}});
  for (const auto& u : suspended) EXPECT_EQ(u.at("status").as_string(), "suspended");
  auto unmanaged = SearchAll({{"claimStatus", "unmanaged"}});
  for (const auto& u : unmanaged) EXPECT_EQ(u.at("claimStatus").as_string(), "unmanaged");
  auto both = Post(V2("/users/search"), R"({"searchTerm":"a","emails":["x@acme.example"]})");
  EXPECT_EQ(both.status, 400);
  EXPECT_EQ(ErrorCode(both), "ADMIN-UAM-400-1");
  EXPECT_EQ(Post(V2("/users/search"), "[1,2]").status, 400);
  EXPECT_EQ(Post(V2("/users/search"), R"({"limit":0})").status, 400);
  auto wrong_dir = Post("/admin/v2/orgs/" + sim_->org_id() + "/directories/nope/users/search");
  EXPECT_EQ(wrong_dir.status, 404);
}

TEST_F(SimV2Test, SuspendRestoreRemoveShowInReads) {
  SimOptions options;
  options.state_file = WriteStateFile(3, "v2-suspend");
  Start(options);
  EXPECT_EQ(Post(V2("/users/acct-00001/suspend")).status, 204);
  EXPECT_EQ(User("acct-00001").at("status").as_string(), "suspended");
  EXPECT_EQ(User("acct-00001").at("accountStatus").as_string(), "active");
  EXPECT_EQ(Post(V2("/users/acct-00001/restore")).status, 204);
  EXPECT_EQ(User("acct-00001").at("status").as_string(), "active");
  EXPECT_EQ(Call("DELETE", V2("/users/acct-00002")).status, 204);
  EXPECT_EQ(User("acct-00002").at("membershipStatus").as_string(), "no_membership");
  EXPECT_EQ(User("acct-00002").at("status").as_string(), "not_invited");
  auto missing = Post(V2("/users/nobody/suspend"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "ADMIN-UAM-404-1");
  // Every mutating call is recorded with its outcome.
  auto mutations = sim_->Mutations();
  ASSERT_EQ(mutations.size(), 4u);
  EXPECT_EQ(mutations[0].route, "v2.users.suspend");
  EXPECT_EQ(mutations[0].account_id, "acct-00001");
  EXPECT_EQ(mutations[0].status, 204);
  EXPECT_EQ(mutations[3].status, 404);
}

TEST_F(SimV2Test, ProtectedGroupsRejectChanges) {
  StartGenerated();
  std::string account = sim_->Snapshot().accounts[3].id;
  for (const std::string name :
       {"jira-software-users-acme", "org-admins", "acme-okta-engineering"}) {
    std::string id = GroupId(name);
    auto add = Post(V2("/groups/" + id + "/memberships"), R"({"accountId":")" + account + "\"}");
    EXPECT_EQ(add.status, 403) << name;
    EXPECT_EQ(ErrorCode(add), "ADMIN-UAM-403-1");
    EXPECT_EQ(Call("DELETE", V2("/groups/" + id)).status, 403) << name;
  }
  auto missing = Call("DELETE", V2("/groups/nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(ErrorCode(missing), "ADMIN-UAM-404-3");
}

TEST_F(SimV2Test, GroupLifecycleAndMemberships) {
  StartGenerated();
  std::string account = sim_->Snapshot().accounts[4].id;
  auto created = Post(V2("/groups"), R"({"name":"rotation","description":"On call"})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id(Json(created).at("id").as_string());
  EXPECT_EQ(Post(V2("/groups"), R"({"name":"ROTATION"})").status, 409);
  EXPECT_EQ(
      Post(V2("/groups/" + id + "/memberships"), R"({"accountId":")" + account + "\"}").status,
      204);
  auto search = Json(Post(V2("/groups/search"), R"({"groupNames":["Rotation"]})"));
  ASSERT_EQ(search.at("data").as_array().size(), 1u);
  EXPECT_EQ(search.at("data").at(0).at("counts").at("users").as_int64(), 1);
  auto expanded = SearchAll(
      {{"accountIds", json::array{json::string(account)}}, {"expand", json::array{"groups"}}});
  bool listed = false;
  for (const auto& g : expanded.at(0).at("groups").as_array())
    listed |= g.at("id").as_string() == id;
  EXPECT_TRUE(listed);
  EXPECT_EQ(Post(V2("/groups/search"), R"({"groupNames":["x"],"searchTerm":"y"})").status, 400);
  EXPECT_EQ(Call("DELETE", V2("/groups/" + id + "/memberships/" + account)).status, 204);
  EXPECT_EQ(Call("DELETE", V2("/groups/" + id + "/memberships/" + account)).status, 404);
  EXPECT_EQ(Call("DELETE", V2("/groups/" + id)).status, 204);
  EXPECT_EQ(Get(V2("/groups/" + id)).status, 404);
}

TEST_F(SimV2Test, GroupRoleGrantsMembersAccess) {
  StartGenerated();
  std::string group = GroupId("contractors");
  std::string resource = "ari:cloud:jira-product-discovery::site/new-site";
  auto assigned = Post(V2("/groups/" + group + "/role-assignments/assign"),
                       R"({"resourceId":")" + resource + R"(","roleId":"atlassian/user"})");
  EXPECT_EQ(assigned.status, 204) << assigned.body;
  auto roles = Json(Get(V2("/groups/" + group + "/role-assignments")));
  ASSERT_EQ(roles.at("data").as_array().size(), 1u);
  EXPECT_EQ(roles.at("data").at(0).at("resourceId").as_string(), resource);
  int members = 0;
  for (const auto& a : sim_->Snapshot().accounts) {
    if (std::find(a.group_ids.begin(), a.group_ids.end(), group) == a.group_ids.end()) continue;
    ++members;
    bool has = false;
    for (const auto& p : a.products) has |= p.resource_id == resource;
    EXPECT_TRUE(has) << a.id;
  }
  EXPECT_GT(members, 0);
  EXPECT_EQ(Post(V2("/groups/" + group + "/role-assignments/revoke"),
                 R"({"resourceId":")" + resource + R"(","roleId":"atlassian/user"})")
                .status,
            204);
  EXPECT_TRUE(
      Json(Get(V2("/groups/" + group + "/role-assignments"))).at("data").as_array().empty());
}

TEST_F(SimV2Test, UserRoleAssignmentsAndDirectories) {
  StartGenerated(5);
  auto dirs = Json(Get("/admin/v2/orgs/" + sim_->org_id() + "/directories"));
  EXPECT_EQ(dirs.at("data").at(0).at("directoryId").as_string(), sim_->directory_id());
  Directory directory = sim_->Snapshot();
  const Account& admin = directory.accounts[0];  // the generator makes it an org admin
  auto roles = Json(Get(V2("/users/" + admin.id + "/role-assignments")));
  bool org_admin = false;
  for (const auto& r : roles.at("data").as_array())
    org_admin |= r.at("roleId").as_string() == kOrgAdminRole;
  EXPECT_TRUE(org_admin);
}

TEST_F(SimV2Test, LifecycleDisableAndEnable) {
  StartGenerated(100);
  Directory directory = sim_->Snapshot();
  const Account* managed = nullptr;
  const Account* unmanaged = nullptr;
  for (const auto& a : directory.accounts) {
    if (a.claim_status == ClaimStatus::kManaged && a.account_status == AccountStatus::kActive &&
        managed == nullptr) {
      managed = &a;
    }
    if (a.claim_status == ClaimStatus::kUnmanaged && unmanaged == nullptr) unmanaged = &a;
  }
  ASSERT_NE(managed, nullptr);
  ASSERT_NE(unmanaged, nullptr);
  EXPECT_EQ(Post("/users/" + managed->id + "/manage/lifecycle/disable").status, 204);
  EXPECT_EQ(User(managed->id).at("status").as_string(), "deactivated");
  EXPECT_EQ(Post("/users/" + managed->id + "/manage/lifecycle/enable").status, 204);
  EXPECT_EQ(User(managed->id).at("accountStatus").as_string(), "active");
  auto forbidden = Post("/users/" + unmanaged->id + "/manage/lifecycle/disable");
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_EQ(Json(forbidden).at("key").as_string(), "forbidden.targetUnverified");
  auto missing = Post("/users/nobody/manage/lifecycle/disable");
  EXPECT_EQ(Json(missing).at("key").as_string(), "accountNotFound");
  sim_->AddApiKey("scoped", sim_->org_id(), std::nullopt, /*scoped=*/true);
  EXPECT_EQ(
      Call("POST", "/users/" + managed->id + "/manage/lifecycle/disable", "", "scoped").status,
      403);
  EXPECT_EQ(Call("GET", V2("/users/" + managed->id), "", "scoped").status, 200);
  EXPECT_EQ(Json(Call("POST", "/users/x/manage/lifecycle/enable", "", "-")).at("key").as_string(),
            "unauthorized");
}

}  // namespace
}  // namespace adminauto::sim::testing
