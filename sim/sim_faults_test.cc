// Faults: each kind, set through the C++ API, the faults file format and the control API.
#include <regex>

#include "sim/sim_test_util.h"

namespace adminauto::sim::testing {
namespace {

namespace json = boost::json;

class SimFaultsTest : public SimTest {
 protected:
  void StartWith(const std::string& route, EndpointFaults endpoint, int users = 120) {
    SimOptions options;
    options.state_file = WriteStateFile(users, "faults");
    options.faults.endpoints[route] = std::move(endpoint);
    Start(options);
  }
};

TEST_F(SimFaultsTest, RateLimitGives429WithHeaders) {
  EndpointFaults f;
  f.rate_limit = RateLimitFault{2, 2, 0, true};
  StartWith("v1.orgs.get", f);
  auto first = Get(V1());
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("x-ratelimit-limit"), "2");
  EXPECT_EQ(first.Header("x-ratelimit-remaining"), "1");
  EXPECT_EQ(Get(V1()).status, 200);
  auto limited = Get(V1());
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Json(limited).at("code").as_int64(), 429);
  EXPECT_EQ(limited.Header("retry-after"), "0");
  EXPECT_EQ(limited.Header("x-ratelimit-remaining"), "0");
  // One token per 30 s at 2 per minute: from 10:00:30 the next arrives at 10:01:00.
  EXPECT_EQ(limited.Header("x-ratelimit-reset"), "2026-12-04T10:01Z");
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_EQ(Get(V1()).status, 200);
}

TEST_F(SimFaultsTest, RateLimitIsPerKeyAndEndpoint) {
  EndpointFaults f;
  f.rate_limit = RateLimitFault{1, 1, std::nullopt, true};
  StartWith("*", f);
  EXPECT_EQ(Get(V1()).status, 200);
  auto limited = Get(V1());
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.Header("retry-after").has_value());
  EXPECT_EQ(Get(V1("/domains")).status, 200);  // another endpoint has its own bucket
  sim_->AddApiKey("second", sim_->org_id());
  EXPECT_EQ(Call("GET", V1(), "", "second").status, 200);  // another key too
}

TEST_F(SimFaultsTest, RateLimitWithoutRemainingHeader) {
  EndpointFaults f;
  f.rate_limit = RateLimitFault{1, 60.0 / 90.0, std::nullopt, false};
  StartWith("v1.orgs.get", f);
  auto first = Get(V1());
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("x-ratelimit-limit"), "1");
  EXPECT_FALSE(first.Header("x-ratelimit-remaining").has_value());
  auto limited = Get(V1());
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.Header("x-ratelimit-remaining").has_value());
  EXPECT_FALSE(limited.Header("retry-after").has_value());
  // One token per 90 s from 10:00:30 arrives at 10:02:00, a whole minute already.
  EXPECT_EQ(limited.Header("x-ratelimit-reset"), "2026-12-04T10:02Z");
}

// Paths that differ only in a path parameter are one endpoint: the last-active dates of two
// accounts draw from the same bucket.
TEST_F(SimFaultsTest, RateLimitSharedAcrossAccountsOfOneEndpoint) {
  EndpointFaults f;
  f.rate_limit = RateLimitFault{2, 2, std::nullopt, true};
  StartWith("v1.last_active", f, 5);
  EXPECT_EQ(Get(V1("/directory/users/acct-00000/last-active-dates")).status, 200);
  auto second = Get(V1("/directory/users/acct-00001/last-active-dates"));
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.Header("x-ratelimit-remaining"), "0");
  auto limited = Get(V1("/directory/users/acct-00002/last-active-dates"));
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Json(limited).at("code").as_int64(), 429);
  // The same bucket refills: one token every 30 s at 2 per minute.
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_EQ(Get(V1("/directory/users/acct-00003/last-active-dates")).status, 200);
  EXPECT_EQ(Get(V1("/directory/users/acct-00004/last-active-dates")).status, 429);
  // Another key has its own bucket for the same endpoint.
  sim_->AddApiKey("second", sim_->org_id());
  EXPECT_EQ(Call("GET", V1("/directory/users/acct-00004/last-active-dates"), "", "second").status,
            200);
}

TEST_F(SimFaultsTest, EventsDefaultToTenPerMinute) {
  Start();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(Get(V1("/events")).status, 200) << i;
  auto limited = Get(V1("/events"));
  EXPECT_EQ(limited.status, 429);
  std::string reset = limited.Header("x-ratelimit-reset").value_or("");
  EXPECT_TRUE(std::regex_match(reset, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\dZ)"))) << reset;
}

TEST_F(SimFaultsTest, ServerErrorOnKthCall) {
  EndpointFaults f;
  f.error_status = 503;
  f.error_on_calls = {2};
  StartWith("v1.users.list", f);
  EXPECT_EQ(Get(V1("/users")).status, 200);
  auto failed = Get(V1("/users"));
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(Json(failed).at("code").as_int64(), 503);
  EXPECT_EQ(Get(V1("/users")).status, 200);
  EXPECT_EQ(Get(V1("/domains")).status, 200);  // other endpoints unaffected
}

TEST_F(SimFaultsTest, ServerErrorFraction) {
  EndpointFaults f;
  f.error_fraction = 0.5;
  StartWith("v1.orgs.get", f);
  int failures = 0;
  for (int i = 0; i < 200; ++i) {
    auto response = Get(V1());
    if (response.status == 500) {
      ++failures;
      EXPECT_EQ(ErrorCode(response), "ADMIN-500-1");
    }
  }
  // Binomial(200, 0.5): outside 60..140 has probability far below 1e-8.
  EXPECT_GT(failures, 60);
  EXPECT_LT(failures, 140);
}

TEST_F(SimFaultsTest, FailedWriteIsNotApplied) {
  EndpointFaults f;
  f.error_on_calls = {1};
  StartWith("v2.users.suspend", f, 3);
  EXPECT_EQ(Post(V2("/users/acct-00000/suspend")).status, 500);
  EXPECT_EQ(sim_->Snapshot().accounts[0].membership_status, MembershipStatus::kActive);
  EXPECT_EQ(Post(V2("/users/acct-00000/suspend")).status, 204);
  auto mutations = sim_->Mutations();
  ASSERT_EQ(mutations.size(), 2u);
  EXPECT_EQ(mutations[0].status, 500);
  EXPECT_EQ(mutations[1].status, 204);
}

TEST_F(SimFaultsTest, LatencyDelaysResponse) {
  EndpointFaults f;
  f.latency = std::chrono::milliseconds(150);
  StartWith("v1.orgs.get", f);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(Get(V1()).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(150));
}

TEST_F(SimFaultsTest, NeverAnsweringConnection) {
  EndpointFaults f;
  f.never_answer = true;
  StartWith("v1.orgs.get", f);
  auto response =
      client_.Call("GET", sim_->base_url() + V1(), "", {"Authorization: Bearer " + sim_->api_key()},
                   std::chrono::milliseconds(300));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kDeadlineExceeded);
}

TEST_F(SimFaultsTest, NonJsonSuccessBody) {
  EndpointFaults f;
  f.non_json = true;
  StartWith("v1.users.list", f);
  auto response = Get(V1("/users"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("content-type"), "text/html");
  boost::system::error_code ec;
  (void)json::parse(response.body, ec);
  EXPECT_TRUE(ec);
}

TEST_F(SimFaultsTest, ErrorBodyWithStatus200) {
  EndpointFaults f;
  f.error_body_200 = true;
  StartWith("v2.users.search", f);
  auto response = Post(V2("/users/search"), "{}");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(ErrorCode(response), "ADMIN-500-1");
}

TEST_F(SimFaultsTest, RepeatedCursor) {
  EndpointFaults f;
  f.repeat_cursor = true;
  StartWith("v2.users.search", f);
  auto first = Json(Post(V2("/users/search"), "{}"));
  std::string cursor(first.at("links").at("next").as_string());
  auto second = Json(Post(V2("/users/search"), R"({"cursor":")" + cursor + "\"}"));
  EXPECT_EQ(second.at("links").at("next").as_string(), cursor);
}

TEST_F(SimFaultsTest, RepeatedAccountAcrossPages) {
  EndpointFaults f;
  f.repeat_account = true;
  StartWith("v1.users.list", f);
  auto first = Json(Get(V1("/users")));
  auto second = Json(Get(std::string(first.at("links").at("next").as_string())));
  EXPECT_EQ(first.at("data").as_array().back().at("account_id"),
            second.at("data").at(0).at("account_id"));
  EXPECT_EQ(second.at("data").at(0).at("account_id").as_string(), "acct-00049");
}

TEST_F(SimFaultsTest, StaleReadsAfterWrite) {
  EndpointFaults f;
  f.stale_reads = 2;
  StartWith("v2.users.get", f, 3);
  EXPECT_EQ(Post(V2("/users/acct-00001/suspend")).status, 204);
  for (int i = 0; i < 2; ++i) {
    auto user = Json(Get(V2("/users/acct-00001")));
    EXPECT_EQ(user.at("data").at("status").as_string(), "active") << i;
  }
  auto fresh = Json(Get(V2("/users/acct-00001")));
  EXPECT_EQ(fresh.at("data").at("status").as_string(), "suspended");
}

TEST_F(SimFaultsTest, NoVerifiedDomainEmptiesManagedList) {
  SimOptions options;
  options.state_file = WriteStateFile(10, "no-domain");
  options.faults.no_verified_domain = true;
  Start(options);
  auto page = Json(Get(V1("/users")));
  EXPECT_TRUE(page.at("data").as_array().empty());
  EXPECT_EQ(Json(Get(V1("/domains"))).at("data").at(0).at("attributes").at("claim").at("status"),
            "unverified");
  EXPECT_EQ(SearchAll({}).size(), 10u);  // v2 still lists the directory
}

TEST_F(SimFaultsTest, KeyExpiresAtTime) {
  SimOptions options;
  options.faults.key_expires_at = ToTimestamp(TestStart()) + std::chrono::hours(1);
  Start(options);
  EXPECT_EQ(Get(V1()).status, 200);
  clock_.Advance(std::chrono::hours(1));
  EXPECT_EQ(Get(V1()).status, 401);
}

TEST_F(SimFaultsTest, ControlApiSetsFaultsAndListsMutations) {
  SimOptions options;
  options.state_file = WriteStateFile(3, "control");
  Start(options);
  auto put =
      Call("PUT", "/__sim/faults",
           R"({"endpoints":{"v1.orgs.get":{"error_on_calls":[1],"error_status":502}}})", "-");
  EXPECT_EQ(put.status, 204) << put.body;
  EXPECT_EQ(Get(V1()).status, 502);
  EXPECT_EQ(sim_->faults().endpoints.at("v1.orgs.get").error_status, 502);
  auto bad = Call("PUT", "/__sim/faults", R"({"endpoints":{"x":{"latency_ms":"slow"}}})", "-");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("endpoints.x.latency_ms"), std::string::npos) << bad.body;
  EXPECT_EQ(Call("DELETE", "/__sim/faults", "", "-").status, 204);
  EXPECT_EQ(Get(V1()).status, 200);

  EXPECT_EQ(Post(V2("/users/acct-00002/suspend")).status, 204);
  EXPECT_EQ(Post(V2("/users/acct-00002/suspend")).status, 204);
  auto mutations = Json(Call("GET", "/__sim/mutations", "", "-"));
  const auto& data = mutations.at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].at("route").as_string(), "v2.users.suspend");
  EXPECT_EQ(data[1].at("account_id").as_string(), "acct-00002");
  EXPECT_EQ(data[1].at("sequence").as_int64(), 2);
  EXPECT_EQ(Call("DELETE", "/__sim/mutations", "", "-").status, 204);
  EXPECT_TRUE(sim_->Mutations().empty());
}

TEST(Faults, FileFormatRoundTrip) {
  auto faults = Faults::FromJson(R"({"seed":3,"key_expires_at":"2026-12-05T00:00:00Z",
      "endpoints":{"v1.users.list":{"rate_limit":{"capacity":5,"refill_per_minute":5,
      "retry_after_seconds":0,"send_remaining":false},"latency_ms":20,"error_on_calls":[3],
      "stale_reads":2}}})");
  ASSERT_TRUE(faults.ok()) << faults.status().ToString();
  const EndpointFaults& f = faults->endpoints.at("v1.users.list");
  EXPECT_EQ(f.rate_limit->capacity, 5);
  EXPECT_EQ(f.rate_limit->retry_after_seconds, 0);
  EXPECT_FALSE(f.rate_limit->send_remaining);
  EXPECT_EQ(f.latency, std::chrono::milliseconds(20));
  EXPECT_EQ(f.error_on_calls, std::vector<int>{3});
  auto again = Faults::FromJson(faults->ToJson());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->endpoints.at("v1.users.list"), f);
  EXPECT_EQ(again->key_expires_at, faults->key_expires_at);
}

TEST(Faults, BadFileNamesPosition) {
  auto syntax = Faults::FromJson("{\n  \"endpoints\": {,}\n}", "faults.json");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("faults.json:2:"), std::string::npos)
      << syntax.status().message();
  auto unknown = Faults::FromJson(R"({"endpoints":{"*":{"latncy_ms":5}}})", "f.json");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("f.json.endpoints.*.latncy_ms"), std::string::npos);
  EXPECT_FALSE(Faults::FromJson(R"({"endpoints":{"*":{"error_fraction":1.5}}})").ok());
}

}  // namespace
}  // namespace adminauto::sim::testing
