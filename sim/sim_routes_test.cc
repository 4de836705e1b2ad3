// Every API route of the simulator, one table: a success response, the 401 of a missing key, the
// 404 of an unknown id in the route's error shape, and the 400 of a malformed JSON body.
#include <set>

#include "sim/sim_test_util.h"

namespace adminauto::sim::testing {
namespace {

namespace json = boost::json;

enum class Family { kV1, kV2, kManage };

struct RouteCase {
  std::string route;  // route name, as faults and the mutation record name it
  std::string method;
  std::string path;  // with {acct} and {group} to fill in
  std::string body;  // empty: no body
  Family family;
  // Path of the same call with an unknown id (empty when the route has no id), and the error
  // code it returns. For v2 the code is "", because only the ADMIN-UAM-404 prefix is checked.
  std::string unknown_path;
  std::string unknown_code;
};

class SimRoutesTest : public SimTest {
 protected:
  std::string Fill(std::string path) const {
    for (auto [key, value] : {std::pair<std::string, std::string>{"{acct}", "acct-00001"},
                              {"{group}", group_id_},
                              {"{domain}", domain_id_}}) {
      for (size_t at; (at = path.find(key)) != std::string::npos;)
        path.replace(at, key.size(), value);
    }
    return path;
  }

  std::vector<RouteCase> Cases() const {
    const std::string v1 = V1(), v2 = V2();
    const std::string org_v2 = "/admin/v2/orgs/" + sim_->org_id();
    const std::string role =
        R"({"role":"atlassian/user","resource":"ari:cloud:confluence::site/s1"})";
    const std::string group_role =
        R"({"resourceId":"ari:cloud:confluence::site/s1","roleId":"atlassian/user"})";
    return {
        {"v1.orgs.list", "GET", "/admin/v1/orgs", "", Family::kV1, "", ""},
        {"v1.orgs.get", "GET", v1, "", Family::kV1, "/admin/v1/orgs/no-such-org", "ADMIN-404-2"},
        {"v1.users.list", "GET", v1 + "/users", "", Family::kV1, "", ""},
        {"v1.last_active", "GET", v1 + "/directory/users/{acct}/last-active-dates", "", Family::kV1,
         v1 + "/directory/users/nobody/last-active-dates", "ADMIN-404-8"},
        {"v1.domains.list", "GET", v1 + "/domains", "", Family::kV1, "", ""},
        {"v1.domains.get", "GET", v1 + "/domains/{domain}", "", Family::kV1, v1 + "/domains/nope",
         "ADMIN-404-3"},
        {"v1.events.list", "GET", v1 + "/events", "", Family::kV1, "", ""},
        {"v1.events.stream", "GET", v1 + "/events-stream", "", Family::kV1, "", ""},
        {"v1.users.roles.assign", "POST", v1 + "/users/{acct}/roles/assign", role, Family::kV1,
         v1 + "/users/nobody/roles/assign", "ADMIN-404-8"},
        {"v1.users.roles.revoke", "POST", v1 + "/users/{acct}/roles/revoke", role, Family::kV1,
         v1 + "/users/nobody/roles/revoke", "ADMIN-404-8"},
        {"v1.users.org_roles.assign", "POST", v1 + "/users/{acct}/role-assignments/assign",
         R"({"role":"atlassian/org-admin"})", Family::kV1,
         v1 + "/users/nobody/role-assignments/assign", "ADMIN-404-8"},
        {"v1.users.org_roles.revoke", "POST", v1 + "/users/{acct}/role-assignments/revoke",
         R"({"role":"atlassian/org-admin"})", Family::kV1,
         v1 + "/users/nobody/role-assignments/revoke", "ADMIN-404-8"},
        {"v2.directories.list", "GET", org_v2 + "/directories", "", Family::kV2, "", ""},
        {"v2.users.list", "GET", v2 + "/users", "", Family::kV2, "", ""},
        {"v2.users.search", "POST", v2 + "/users/search", "{}", Family::kV2, "", ""},
        {"v2.users.get", "GET", v2 + "/users/{acct}", "", Family::kV2, v2 + "/users/nobody", ""},
        {"v2.users.role_assignments", "GET", v2 + "/users/{acct}/role-assignments", "", Family::kV2,
         v2 + "/users/nobody/role-assignments", ""},
        {"v2.users.suspend", "POST", v2 + "/users/{acct}/suspend", "", Family::kV2,
         v2 + "/users/nobody/suspend", ""},
        {"v2.users.restore", "POST", v2 + "/users/{acct}/restore", "", Family::kV2,
         v2 + "/users/nobody/restore", ""},
        {"v2.groups.list", "GET", v2 + "/groups", "", Family::kV2, "", ""},
        {"v2.groups.search", "POST", v2 + "/groups/search", "{}", Family::kV2, "", ""},
        {"v2.groups.create", "POST", v2 + "/groups", R"({"name":"route-table-new"})", Family::kV2,
         "", ""},
        {"v2.groups.get", "GET", v2 + "/groups/{group}", "", Family::kV2, v2 + "/groups/nope", ""},
        {"v2.memberships.add", "POST", v2 + "/groups/{group}/memberships",
         R"({"accountId":"acct-00001"})", Family::kV2, v2 + "/groups/nope/memberships", ""},
        {"v2.memberships.remove", "DELETE", v2 + "/groups/{group}/memberships/{acct}", "",
         Family::kV2, v2 + "/groups/nope/memberships/acct-00001", ""},
        {"v2.groups.role_assignments", "GET", v2 + "/groups/{group}/role-assignments", "",
         Family::kV2, v2 + "/groups/nope/role-assignments", ""},
        {"v2.groups.roles.assign", "POST", v2 + "/groups/{group}/role-assignments/assign",
         group_role, Family::kV2, v2 + "/groups/nope/role-assignments/assign", ""},
        {"v2.groups.roles.revoke", "POST", v2 + "/groups/{group}/role-assignments/revoke",
         group_role, Family::kV2, v2 + "/groups/nope/role-assignments/revoke", ""},
        {"manage.lifecycle.disable", "POST", "/users/{acct}/manage/lifecycle/disable", "{}",
         Family::kManage, "/users/nobody/manage/lifecycle/disable", "accountNotFound"},
        {"manage.lifecycle.enable", "POST", "/users/{acct}/manage/lifecycle/enable", "",
         Family::kManage, "/users/nobody/manage/lifecycle/enable", "accountNotFound"},
        {"v2.groups.delete", "DELETE", v2 + "/groups/{group}", "", Family::kV2, v2 + "/groups/nope",
         ""},
        {"v2.users.remove", "DELETE", v2 + "/users/{acct}", "", Family::kV2, v2 + "/users/nobody",
         ""},
    };
  }

  // Checks an error body in the route family's shape: {"errors":[{id,status,code,title,
  // detail}]} with `status` a string for v1 and v2, {"key": ...} for user management.
  void ExpectErrorShape(const http::ClientResponse& response, Family family, int status,
                        const std::string& code, const std::string& where) {
    EXPECT_EQ(response.status, status) << where << " " << response.body;
    json::value body = Json(response);
    if (family == Family::kManage) {
      EXPECT_TRUE(body.at("key").is_string()) << where;
      if (!code.empty()) {
        EXPECT_EQ(body.at("key").as_string(), code) << where;
      }
      return;
    }
    const json::object& error = body.at("errors").at(0).as_object();
    EXPECT_EQ(error.at("status").as_string(), std::to_string(status)) << where;
    EXPECT_TRUE(error.at("id").is_string()) << where;
    EXPECT_TRUE(error.at("title").is_string()) << where;
    EXPECT_TRUE(error.at("detail").is_string()) << where;
    std::string got(error.at("code").as_string());
    std::string prefix = family == Family::kV2 ? "ADMIN-UAM-" : "ADMIN-";
    EXPECT_TRUE(got.starts_with(prefix + std::to_string(status) + "-")) << where << " " << got;
    if (!code.empty()) {
      EXPECT_EQ(got, code) << where;
    }
  }

  std::string group_id_;
  std::string domain_id_;
};

TEST_F(SimRoutesTest, EveryRouteAnswersSuccessAndErrorShapes) {
  SimOptions options;
  options.state_file = WriteStateFile(3, "routes");
  Start(options);
  auto created = Post(V2("/groups"), R"({"name":"route-table"})");
  ASSERT_EQ(created.status / 100, 2) << created.body;
  group_id_ = std::string(Json(created).at("id").as_string());
  domain_id_ = std::string(Json(Get(V1("/domains"))).at("data").at(0).at("id").as_string());

  std::set<std::string> covered;
  for (const RouteCase& c : Cases()) {
    const std::string where = c.route;
    covered.insert(c.route);
    // Success is a 2xx, and a read returns a JSON object with `data`.
    auto ok = Call(c.method, Fill(c.path), c.body);
    EXPECT_EQ(ok.status / 100, 2) << where << " " << ok.body;
    if (c.method == "GET") {
      EXPECT_TRUE(Json(ok).as_object().contains("data")) << where;
    }

    // No key: the gateway's 401, {"code": 401, "message": ...}, or {"key": ...} for user
    // management.
    auto unauthorized = Call(c.method, Fill(c.path), c.body, "-");
    EXPECT_EQ(unauthorized.status, 401) << where;
    json::value body = Json(unauthorized);
    if (c.family == Family::kManage) {
      EXPECT_TRUE(body.at("key").is_string()) << where;
    } else {
      EXPECT_EQ(body.at("code").as_int64(), 401) << where;
      EXPECT_TRUE(body.at("message").is_string()) << where;
    }

    if (!c.unknown_path.empty()) {
      ExpectErrorShape(Call(c.method, c.unknown_path, c.body), c.family, 404, c.unknown_code,
                       where + " unknown id");
    }
    if (!c.body.empty() && c.family != Family::kManage) {
      ExpectErrorShape(Call(c.method, Fill(c.path), "{not json"), c.family, 400, "",
                       where + " malformed body");
    }
  }
  // Every route the server documents is in the table, except the removed v1 routes (tested
  // with the switch) and single events, which need an event id (tested with events).
  EXPECT_EQ(covered.size(), 32u);
}

}  // namespace
}  // namespace adminauto::sim::testing
