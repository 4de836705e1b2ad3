// Measures how fast the simulator serves a full account listing over loopback: one client
// with a keep-alive connection reads every page of a generated org, through v1 GET users
// (50 rows a page) and v2 POST users/search (100 rows a page, productAccess expanded).
// Usage: sim_bench [ACCOUNTS] [ROUNDS]   (defaults 100000 and 3)
#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/log.h"
#include "http/test_client.h"
#include "sim/sim_server.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Round {
  size_t accounts = 0;
  int requests = 0;
  double seconds = 0;
};

Round ListV1(adminauto::sim::SimServer& sim) {
  adminauto::http::TestClient client;
  std::vector<std::string> headers = {"Authorization: Bearer " + sim.api_key()};
  std::string url = sim.base_url() + "/admin/v1/orgs/" + sim.org_id() + "/users";
  Round round;
  auto started = Clock::now();
  while (!url.empty()) {
    auto response = client.Call("GET", url, "", headers);
    if (!response.ok() || response->status != 200) {
      std::fprintf(stderr, "request failed\n");
      std::exit(1);
    }
    ++round.requests;
    auto page = boost::json::parse(response->body);
    round.accounts += page.at("data").as_array().size();
    const auto& links = page.at("links").as_object();
    url = links.contains("next") ? std::string(links.at("next").as_string()) : "";
  }
  round.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return round;
}

Round SearchV2(adminauto::sim::SimServer& sim) {
  adminauto::http::TestClient client;
  std::vector<std::string> headers = {"Authorization: Bearer " + sim.api_key(),
                                      "Content-Type: application/json"};
  std::string url =
      sim.base_url() + "/admin/v2/orgs/" + sim.org_id() + "/directories/-/users/search";
  boost::json::object body{{"limit", 100}, {"expand", boost::json::array{"productAccess"}}};
  Round round;
  auto started = Clock::now();
  for (;;) {
    auto response = client.Call("POST", url, boost::json::serialize(body), headers);
    if (!response.ok() || response->status != 200) {
      std::fprintf(stderr, "request failed\n");
      std::exit(1);
    }
    ++round.requests;
    auto page = boost::json::parse(response->body);
    round.accounts += page.at("data").as_array().size();
    const auto& next = page.at("links").at("next");
    if (next.is_null()) break;
    body["cursor"] = next;
  }
  round.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return round;
}

void Report(const char* name, std::vector<Round> rounds) {
  std::sort(rounds.begin(), rounds.end(),
            [](const Round& a, const Round& b) { return a.seconds < b.seconds; });
  const Round& median = rounds[rounds.size() / 2];
  const Round& best = rounds.front();
  std::printf(
      "%-28s accounts=%zu requests=%d median=%.3fs (%.0f accounts/s) best=%.3fs "
      "(%.0f accounts/s)\n",
      name, median.accounts, median.requests, median.seconds,
      static_cast<double>(median.accounts) / median.seconds, best.seconds,
      static_cast<double>(best.accounts) / best.seconds);
}

}  // namespace

int main(int argc, char** argv) {
  int accounts = argc > 1 ? std::atoi(argv[1]) : 100'000;
  int rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  adminauto::ConfigureLogging(adminauto::LogFormat::kText, spdlog::level::warn);
  adminauto::sim::SimOptions options;
  options.users = accounts;
  options.log_requests = false;
  auto sim = adminauto::sim::SimServer::Start(options);
  if (!sim.ok()) {
    std::fprintf(stderr, "error: %s\n", sim.status().ToString().c_str());
    return 1;
  }
  std::vector<Round> v1, v2;
  for (int i = 0; i < rounds; ++i) {
    v1.push_back(ListV1(**sim));
    v2.push_back(SearchV2(**sim));
  }
  Report("v1 GET users (50/page)", v1);
  Report("v2 POST users/search (100/page)", v2);
  return 0;
}
