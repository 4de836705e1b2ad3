#include "sim/sim_test_util.h"

#include <filesystem>
#include <fstream>

namespace adminauto::sim::testing {

std::chrono::system_clock::time_point TestStart() {
  return std::chrono::sys_days(std::chrono::year{2026} / 12 / 4) + std::chrono::hours(10) +
         std::chrono::seconds(30);
}

std::string WriteStateFile(int count, const std::string& name) {
  boost::json::array accounts;
  for (int i = 0; i < count; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "acct-%05d", i);
    accounts.push_back({{"id", id},
                        {"name", std::string("User ") + id},
                        {"email", std::string(id) + "@acme.example"},
                        {"products", boost::json::array{}}});
  }
  boost::json::object root{{"org", {{"id", "org-test"}, {"name", "Acme"}}},
                           {"accounts", std::move(accounts)},
                           {"groups", boost::json::array{}}};
  auto path = std::filesystem::temp_directory_path() /
              ("adminauto-sim-" + name + "-" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << boost::json::serialize(root);
  return path.string();
}

void SimTest::Start(SimOptions options) {
  options.clock = &clock_;
  options.log_requests = false;
  auto sim = SimServer::Start(std::move(options));
  ASSERT_TRUE(sim.ok()) << sim.status().ToString();
  sim_ = std::move(*sim);
}

http::ClientResponse SimTest::Call(const std::string& method, const std::string& path,
                                   const std::string& body, const std::string& key) {
  std::vector<std::string> headers = {"Accept: application/json", "Content-Type: application/json"};
  std::string bearer = key.empty() ? sim_->api_key() : key;
  if (bearer != "-") headers.push_back("Authorization: Bearer " + bearer);
  std::string url = path.starts_with("http") ? path : sim_->base_url() + path;
  auto response = client_.Call(method, url, body, headers);
  EXPECT_TRUE(response.ok()) << response.status().ToString();
  return response.ok() ? *response : http::ClientResponse{};
}

boost::json::value SimTest::Json(const http::ClientResponse& response) {
  boost::system::error_code ec;
  auto value = boost::json::parse(response.body, ec);
  EXPECT_FALSE(ec) << "not JSON: " << response.body.substr(0, 200);
  return ec ? boost::json::value() : value;
}

std::string SimTest::ErrorCode(const http::ClientResponse& response) {
  auto value = Json(response);
  if (!value.is_object() || !value.as_object().contains("errors")) return "";
  return std::string(value.at("errors").at(0).at("code").as_string());
}

std::string SimTest::V1(const std::string& rest) const {
  return "/admin/v1/orgs/" + sim_->org_id() + rest;
}

std::string SimTest::V2(const std::string& rest) const {
  return "/admin/v2/orgs/" + sim_->org_id() + "/directories/-" + rest;
}

std::vector<boost::json::object> SimTest::SearchAll(boost::json::object body, int* pages) {
  std::vector<boost::json::object> users;
  int count = 0;
  for (;;) {
    auto response = Post(V2("/users/search"), boost::json::serialize(body));
    EXPECT_EQ(response.status, 200) << response.body;
    if (response.status != 200 || ++count > 10'000) break;
    auto page = Json(response);
    for (const auto& user : page.at("data").as_array()) users.push_back(user.as_object());
    const auto& next = page.at("links").at("next");
    if (next.is_null()) break;
    body["cursor"] = next;
  }
  if (pages != nullptr) *pages = count;
  return users;
}

std::vector<boost::json::object> SimTest::V1UsersAll(int* pages) {
  std::vector<boost::json::object> users;
  std::string url = V1("/users");
  int count = 0;
  while (!url.empty() && count < 10'000) {
    auto response = Get(url);
    EXPECT_EQ(response.status, 200) << response.body;
    if (response.status != 200) break;
    ++count;
    auto page = Json(response);
    for (const auto& user : page.at("data").as_array()) users.push_back(user.as_object());
    const auto& links = page.at("links").as_object();
    url = links.contains("next") ? std::string(links.at("next").as_string()) : "";
  }
  if (pages != nullptr) *pages = count;
  return users;
}

}  // namespace adminauto::sim::testing
