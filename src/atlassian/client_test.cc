// Client logic against a scripted transport: pagination, retries and error mapping, with a
// FakeClock so no test sleeps. The HTTP path itself is tested against the simulator.
#include "atlassian/client.h"

#include <gtest/gtest.h>

#include <deque>
#include <functional>

namespace adminauto::atlassian {
namespace {

using std::chrono::seconds;

const TimePoint kStart = TimePoint(std::chrono::sys_days(std::chrono::year{2026} / 12 / 4));

// Returns the handler's result for each request and records the requests.
class ScriptedTransport : public HttpTransport {
 public:
  using Handler = std::function<TransportResult(const HttpRequest&)>;
  explicit ScriptedTransport(Handler handler) : handler_(std::move(handler)) {}

  std::vector<TransportResult> Send(const std::vector<HttpRequest>& requests) override {
    std::vector<TransportResult> out;
    for (const auto& r : requests) {
      sent.push_back(r);
      out.push_back(handler_(r));
    }
    return out;
  }

  std::vector<HttpRequest> sent;

 private:
  Handler handler_;
};

TransportResult Reply(int status, std::string body, HttpHeaders headers = {}) {
  TransportResult r;
  r.response = HttpResponse{status, std::move(headers), std::move(body)};
  return r;
}

std::string V2User(const std::string& id) {
  return R"({"accountId":")" + id +
         R"(","accountType":"atlassian","accountStatus":"active",
             "membershipStatus":"active","claimStatus":"managed","name":"n"})";
}

std::string V2Page(const std::vector<std::string>& ids, const std::string& next) {
  std::string body = R"({"data":[)";
  for (size_t i = 0; i < ids.size(); ++i) body += (i ? "," : "") + V2User(ids[i]);
  body +=
      R"(],"links":{"next":)" + (next.empty() ? std::string("null") : "\"" + next + "\"") + "}}";
  return body;
}

// Returns the "cursor" of a JSON request body, or "" for the first page.
std::string CursorOf(const HttpRequest& r) {
  size_t at = r.body.find("\"cursor\":\"");
  if (at == std::string::npos) return {};
  at += 10;
  return r.body.substr(at, r.body.find('"', at) - at);
}

struct Fixture {
  explicit Fixture(ScriptedTransport::Handler handler)
      : clock(kStart), transport(std::make_shared<ScriptedTransport>(std::move(handler))) {
    options.base_url = "http://127.0.0.1:9";
    options.org_id = "org-1";
    options.jitter_seed = 1;
  }
  OrgClient Client() { return OrgClient(transport, options, clock); }

  FakeClock clock;
  std::shared_ptr<ScriptedTransport> transport;
  ClientOptions options;
};

TEST(SearchUsers, FollowsCursorsToLastPage) {
  Fixture f([](const HttpRequest& r) {
    std::string c = CursorOf(r);
    if (c.empty()) return Reply(200, V2Page({"a", "b"}, "c2"));
    if (c == "c2") return Reply(200, V2Page({"c"}, "c3"));
    return Reply(200, V2Page({"d"}, ""));
  });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_TRUE(users.ok()) << users.error().message;
  ASSERT_EQ(users->size(), 4u);
  EXPECT_EQ((*users)[3].id, "d");
  EXPECT_EQ(client.stats().calls, 3);
  EXPECT_EQ(f.transport->sent[0].method, "POST");
  EXPECT_EQ(f.transport->sent[0].target, "/admin/v2/orgs/org-1/directories/-/users/search");
  EXPECT_NE(f.transport->sent[0].body.find("productAccess"), std::string::npos);
}

TEST(SearchUsers, RepeatedAccountKeptOnce) {
  Fixture f([](const HttpRequest& r) {
    if (CursorOf(r).empty()) return Reply(200, V2Page({"a", "b"}, "c2"));
    return Reply(200, V2Page({"b", "c"}, ""));
  });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 3u);
  EXPECT_EQ(client.stats().duplicate_accounts, 1);
}

TEST(SearchUsers, RepeatedCursorFails) {
  Fixture f([](const HttpRequest& r) {
    std::string c = CursorOf(r);
    if (c.empty()) return Reply(200, V2Page({"a"}, "c2"));
    if (c == "c2") return Reply(200, V2Page({"b"}, "c3"));
    return Reply(200, V2Page({"c"}, "c2"));
  });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().kind, ApiErrorKind::kMalformedResponse);
  EXPECT_NE(users.error().message.find("cursor"), std::string::npos);
}

TEST(SearchUsers, IdenticalPageFails) {
  Fixture f([](const HttpRequest&) { return Reply(200, V2Page({"a"}, "c1")); });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().kind, ApiErrorKind::kMalformedResponse);
  EXPECT_NE(users.error().message.find("identical"), std::string::npos);
  EXPECT_EQ(client.stats().calls, 2);
}

TEST(SearchUsers, NonJsonSuccessIsMalformed) {
  Fixture f([](const HttpRequest&) { return Reply(200, "<html>ok</html>"); });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().kind, ApiErrorKind::kMalformedResponse);
}

TEST(SearchUsers, RetryAfterWaitsOnClock) {
  int n = 0;
  Fixture f([&n](const HttpRequest&) {
    if (++n == 1) return Reply(429, R"({"code":429,"message":"slow"})", {{"Retry-After", "3"}});
    return Reply(200, V2Page({"a"}, ""));
  });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_TRUE(users.ok()) << users.error().message;
  EXPECT_EQ(f.clock.slept(), seconds(3));
  EXPECT_EQ(client.stats().retries, 1);
  EXPECT_EQ(client.stats().calls, 2);
  EXPECT_EQ(client.stats().throttled, seconds(3));
}

TEST(SearchUsers, ResetFarAheadEndsWithRetryTime) {
  Fixture f([](const HttpRequest&) {
    return Reply(429, R"({"code":429,"message":"slow"})",
                 {{"X-RateLimit-Reset", "2026-12-04T00:10:00Z"}});
  });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().kind, ApiErrorKind::kRateLimited);
  ASSERT_TRUE(users.error().retry_at.has_value());
  EXPECT_EQ(*users.error().retry_at, kStart + std::chrono::minutes(10));
  EXPECT_EQ(f.clock.slept(), seconds(0));
  EXPECT_EQ(client.stats().calls, 1);
}

TEST(SearchUsers, Persistent429StopsAfterAttempts) {
  Fixture f([](const HttpRequest&) {
    return Reply(429, R"({"code":429,"message":"slow"})", {{"Retry-After", "0"}});
  });
  f.options.retry.max_attempts_per_request = 4;
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().kind, ApiErrorKind::kRateLimited);
  EXPECT_EQ(client.stats().calls, 4);
  EXPECT_GE(f.clock.slept(), seconds(3)) << "each Retry-After: 0 waits at least 1 s";
}

TEST(SearchUsers, ServerErrorRetriedFewTimes) {
  Fixture f([](const HttpRequest&) { return Reply(500, R"({"errors":[]})"); });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().kind, ApiErrorKind::kServerError);
  EXPECT_EQ(client.stats().calls, 1 + RetryPolicy{}.max_server_error_retries);
}

TEST(SearchUsers, ServerErrorOnceRecovers) {
  int n = 0;
  Fixture f([&n](const HttpRequest& r) {
    if (CursorOf(r) == "c2" && ++n == 1) return Reply(502, "bad gateway");
    return Reply(200, CursorOf(r).empty() ? V2Page({"a"}, "c2") : V2Page({"b"}, ""));
  });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(users->size(), 2u);
  EXPECT_GE(f.clock.slept(), seconds(1));
}

TEST(SearchUsers, Unauthorized401NotRetried) {
  Fixture f(
      [](const HttpRequest&) { return Reply(401, R"({"code":401,"message":"Unauthorized"})"); });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().kind, ApiErrorKind::kCredentialInvalid);
  EXPECT_EQ(client.stats().calls, 1);
}

TEST(SearchUsers, TimeoutRetriedThenTyped) {
  Fixture f([](const HttpRequest&) {
    TransportResult r;
    r.error = {TransportErrorKind::kTimeout, "Timeout was reached"};
    return r;
  });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().kind, ApiErrorKind::kTimeout);
  EXPECT_EQ(client.stats().calls, 1 + RetryPolicy{}.max_server_error_retries);
}

TEST(SearchUsers, RejectedByRelayNotRetried) {
  Fixture f([](const HttpRequest&) {
    TransportResult r;
    r.error = {TransportErrorKind::kRejected, "gateway sealed: no master key"};
    return r;
  });
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().kind, ApiErrorKind::kNetwork);
  EXPECT_NE(users.error().message.find("gateway sealed"), std::string::npos);
  EXPECT_EQ(client.stats().calls, 1);
  EXPECT_EQ(client.stats().retries, 0);
}

TEST(SearchUsers, RetriesPerSyncBounded) {
  int n = 0;
  Fixture f([&n](const HttpRequest& r) {
    // Every page fails once before it succeeds; 10 pages need 10 retries.
    if (++n % 2 == 1) return Reply(503, "");
    int page = CursorOf(r).empty() ? 0 : std::stoi(CursorOf(r));
    return Reply(200, V2Page({std::to_string(page)}, page < 9 ? std::to_string(page + 1) : ""));
  });
  f.options.retry.max_retries_per_sync = 5;
  OrgClient client = f.Client();
  auto users = client.SearchUsers();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(client.stats().retries, 5);
  EXPECT_NE(users.error().message.find("retries per sync"), std::string::npos);
}

std::string V1Page(const std::string& id, const std::string& next) {
  return R"({"data":[{"account_id":")" + id +
         R"(","account_type":"atlassian","account_status":"active","name":"n","picture":""}],
         "links":{"next":)" +
         (next.empty() ? std::string("null") : "\"" + next + "\"") + "}}";
}

TEST(ListManagedAccounts, FollowsSameOriginLink) {
  Fixture f([](const HttpRequest& r) {
    if (r.target == "/admin/v1/orgs/org-1/users") {
      return Reply(200, V1Page("a", "http://127.0.0.1:9/admin/v1/orgs/org-1/users?cursor=x%2By"));
    }
    return Reply(200, V1Page("b", ""));
  });
  OrgClient client = f.Client();
  auto users = client.ListManagedAccounts();
  ASSERT_TRUE(users.ok()) << users.error().message;
  EXPECT_EQ(users->size(), 2u);
  EXPECT_EQ(f.transport->sent[1].target, "/admin/v1/orgs/org-1/users?cursor=x%2By");
}

TEST(ListManagedAccounts, ForeignOriginUsesOnlyCursor) {
  Fixture f([](const HttpRequest& r) {
    if (r.target == "/admin/v1/orgs/org-1/users") {
      return Reply(200, V1Page("a", "https://evil.example/steal?cursor=abc"));
    }
    return Reply(200, V1Page("b", ""));
  });
  OrgClient client = f.Client();
  auto users = client.ListManagedAccounts();
  ASSERT_TRUE(users.ok()) << users.error().message;
  // The transport only receives targets on its own base URL.
  EXPECT_EQ(f.transport->sent[1].target, "/admin/v1/orgs/org-1/users?cursor=abc");
}

TEST(ListManagedAccounts, ForeignLinkWithoutCursorFails) {
  Fixture f(
      [](const HttpRequest&) { return Reply(200, V1Page("a", "https://evil.example/steal")); });
  OrgClient client = f.Client();
  auto users = client.ListManagedAccounts();
  ASSERT_FALSE(users.ok());
  EXPECT_EQ(users.error().kind, ApiErrorKind::kMalformedResponse);
  EXPECT_EQ(f.transport->sent.size(), 1u);
}

std::string Activity(const std::string& day) {
  return R"({"data":{"product_access":[{"id":"ari:s1","key":"jira-software",
      "last_active":")" +
         day + R"("}],"added_to_org":"2024-01-01"},"links":{}})";
}

TEST(GetLastActiveDatesBatch, ReturnsInOrderAndSkipsUnknown) {
  Fixture f([](const HttpRequest& r) {
    if (r.target.find("/users/gone/") != std::string::npos) {
      return Reply(404, R"({"errors":[{"status":"404","code":"ADMIN-404-8"}]})");
    }
    if (r.target.find("/users/u1/") != std::string::npos) return Reply(200, Activity("2026-01-01"));
    return Reply(200, Activity("2026-02-02"));
  });
  OrgClient client = f.Client();
  auto dates = client.GetLastActiveDatesBatch({"u1", "gone", "u2"});
  ASSERT_TRUE(dates.ok()) << dates.error().message;
  ASSERT_EQ(dates->size(), 3u);
  EXPECT_EQ((*dates)[0].products.at(0).last_active,
            Timestamp(std::chrono::sys_days(std::chrono::year{2026} / 1 / 1)));
  EXPECT_TRUE((*dates)[1].products.empty());
  EXPECT_EQ((*dates)[2].products.at(0).last_active,
            Timestamp(std::chrono::sys_days(std::chrono::year{2026} / 2 / 2)));
}

TEST(GetLastActiveDatesBatch, KeepsWithinRemaining) {
  // The server allows 2 calls per window; the client must never exceed it.
  int in_window = 0;
  FakeClock* clock_ptr = nullptr;
  TimePoint window_end = kStart + seconds(60);
  Fixture f([&](const HttpRequest&) {
    if (clock_ptr->Now() >= window_end) {
      window_end += seconds(60);
      in_window = 0;
    }
    if (++in_window > 2) return Reply(429, R"({"code":429})");
    std::string reset = FormatIsoTimestamp(ToTimestamp(window_end));
    return Reply(
        200, Activity("2026-01-01"),
        {{"X-RateLimit-Remaining", std::to_string(2 - in_window)}, {"X-RateLimit-Reset", reset}});
  });
  clock_ptr = &f.clock;
  OrgClient client = f.Client();
  auto dates = client.GetLastActiveDatesBatch({"a", "b", "c", "d", "e"});
  ASSERT_TRUE(dates.ok()) << dates.error().message;
  EXPECT_EQ(client.stats().retries, 0);
  EXPECT_EQ(client.stats().calls, 5);
  EXPECT_EQ(f.clock.Now(), kStart + seconds(120)) << "5 calls at 2 per minute span 3 windows";
}

TEST(Writes, NotRetriedAfterServerError) {
  Fixture f([](const HttpRequest&) { return Reply(500, ""); });
  OrgClient client = f.Client();
  ApiStatus s = client.SuspendUser("u1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ApiErrorKind::kServerError);
  EXPECT_EQ(client.stats().calls, 1);
}

TEST(Writes, RetriedAfter429) {
  int n = 0;
  Fixture f([&n](const HttpRequest&) {
    return ++n == 1 ? Reply(429, "{}", {{"Retry-After", "2"}}) : Reply(204, "");
  });
  OrgClient client = f.Client();
  EXPECT_TRUE(client.RestoreUser("u1").ok());
  EXPECT_EQ(client.stats().calls, 2);
  EXPECT_EQ(f.transport->sent[1].target, "/admin/v2/orgs/org-1/directories/-/users/u1/restore");
}

TEST(Writes, BuildPathsAndBodies) {
  Fixture f([](const HttpRequest&) { return Reply(200, R"({"message":"ok"})"); });
  f.options.directory_id = "d 1";
  OrgClient client = f.Client();
  ASSERT_TRUE(client.AddToGroup("g1", "557058:abc").ok());
  ASSERT_TRUE(client.RemoveFromGroup("g1", "u2").ok());
  ASSERT_TRUE(client.AssignGroupRole("g1", "atlassian/user", "ari:x").ok());
  ASSERT_TRUE(client.RevokeUserRole("u3", "atlassian/user", "ari:y").ok());
  ASSERT_TRUE(client.DisableAccount("u4", "left").ok());
  ASSERT_TRUE(client.RemoveUser("u5").ok());
  const auto& s = f.transport->sent;
  EXPECT_EQ(s[0].target, "/admin/v2/orgs/org-1/directories/d%201/groups/g1/memberships");
  EXPECT_EQ(s[0].body, R"({"accountId":"557058:abc"})");
  EXPECT_EQ(s[1].method, "DELETE");
  EXPECT_EQ(s[1].target, "/admin/v2/orgs/org-1/directories/d%201/groups/g1/memberships/u2");
  EXPECT_EQ(s[2].target,
            "/admin/v2/orgs/org-1/directories/d%201/groups/g1/role-assignments/assign");
  EXPECT_EQ(s[2].body, R"({"resourceId":"ari:x","roleId":"atlassian/user"})");
  EXPECT_EQ(s[3].target, "/admin/v1/orgs/org-1/users/u3/roles/revoke");
  EXPECT_EQ(s[4].target, "/users/u4/manage/lifecycle/disable");
  EXPECT_EQ(s[4].body, R"({"message":"left"})");
  EXPECT_EQ(s[5].method, "DELETE");
}

TEST(Writes, ErrorBodyWithSuccessIsMalformed) {
  Fixture f([](const HttpRequest&) { return Reply(200, R"({"errors":[{"code":"X"}]})"); });
  OrgClient client = f.Client();
  ApiStatus s = client.SuspendUser("u1");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ApiErrorKind::kMalformedResponse);
}

TEST(GetUser, ReadsOneUser) {
  Fixture f([](const HttpRequest&) { return Reply(200, "{\"data\":" + V2User("u1") + "}"); });
  OrgClient client = f.Client();
  auto user = client.GetUser("u1");
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->id, "u1");
  EXPECT_EQ(f.transport->sent[0].target, "/admin/v2/orgs/org-1/directories/-/users/u1");
}

}  // namespace
}  // namespace adminauto::atlassian
