// Seeding: the bundled user export read back through the API, the generator and state files.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/sim_state.h"
#include "sim/sim_test_util.h"

namespace adminauto::sim::testing {
namespace {

namespace json = boost::json;

std::string SourceDir() {
  const char* dir = std::getenv("ADMINAUTO_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

std::string ExportPath() { return SourceDir() + "/tests/data/acme-users-export.csv"; }

// A deliberately separate CSV split for the test: RFC 4180 quotes, BOM and CRLF.
std::vector<std::vector<std::string>> SplitCsv(std::string text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  if (!field.empty() || !rows.back().empty()) rows.back().push_back(field);
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

// "24 Oct 2026" -> "2026-10-24".
std::string IsoDay(const std::string& text) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::istringstream in(text);
  int day = 0, year = 0;
  std::string month;
  in >> day >> month >> year;
  int m = 0;
  for (int i = 0; i < 12; ++i) {
    if (month.substr(0, 3) == kMonths[i]) m = i + 1;
  }
  char out[48];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", year, m, day);
  return out;
}

std::string ProductKey(const std::string& header) {
  // "Last seen in Jira Service Management - acme" -> product name between prefix and " - ".
  std::string name = header.substr(13, header.rfind(" - ") - 13);
  if (name == "Jira") return "jira-software";
  if (name == "Confluence") return "confluence";
  if (name == "Jira Service Management") return "jira-servicedesk";
  if (name == "Jira Product Discovery") return "jira-product-discovery";
  return "?";
}

TEST(SimExport, ServesEveryExportedAccount) {
  std::ifstream in(ExportPath(), std::ios::binary);
  ASSERT_TRUE(in) << ExportPath();
  std::stringstream text;
  text << in.rdbuf();
  auto rows = SplitCsv(text.str());
  ASSERT_EQ(rows.size(), 2001u);  // header + 2,000 accounts
  const auto& header = rows[0];

  FakeClock clock(TestStart());
  SimOptions options;
  options.export_csv = ExportPath();
  options.clock = &clock;
  options.log_requests = false;
  auto sim = SimServer::Start(options);
  ASSERT_TRUE(sim.ok()) << sim.status().ToString();
  http::TestClient client;
  std::vector<json::object> users;
  json::object body{{"limit", 100}, {"expand", json::array{"productAccess"}}};
  std::string url =
      (*sim)->base_url() + "/admin/v2/orgs/" + (*sim)->org_id() + "/directories/-/users/search";
  for (int page = 0; page < 100; ++page) {
    auto response = client.Call("POST", url, json::serialize(body),
                                {"Authorization: Bearer " + (*sim)->api_key()});
    ASSERT_TRUE(response.ok());
    ASSERT_EQ(response->status, 200);
    auto value = json::parse(response->body);
    for (const auto& u : value.at("data").as_array()) users.push_back(u.as_object());
    if (value.at("links").at("next").is_null()) break;
    body["cursor"] = value.at("links").at("next");
  }
  ASSERT_EQ(users.size(), 2000u);

  std::map<std::string, int> status_counts;
  int checked_days = 0;
  for (size_t i = 0; i < users.size(); ++i) {
    const auto& row = rows[i + 1];
    const auto& user = users[i];
    ASSERT_EQ(user.at("accountId").as_string(), row[0]) << "row " << i + 2;
    std::string expected_status = row[3] == "Active"      ? "active"
                                  : row[3] == "Suspended" ? "suspended"
                                                          : "deactivated";
    EXPECT_EQ(user.at("status").as_string(), expected_status) << row[0];
    ++status_counts[expected_status];
    std::map<std::string, json::value> activity;
    for (const auto& p : user.at("productAccess").as_array()) {
      activity[std::string(p.at("key").as_string())] = p.at("lastActiveTimestamp");
    }
    size_t products = 0;
    for (size_t c = 6; c < header.size(); ++c) {
      std::string key = ProductKey(header[c]);
      const std::string& cell = row[c];
      if (cell.empty()) {
        EXPECT_EQ(activity.count(key), 0u) << row[0] << " " << key;
        continue;
      }
      ++products;
      ASSERT_EQ(activity.count(key), 1u) << row[0] << " " << key;
      if (cell == "Never accessed") {
        EXPECT_TRUE(activity[key].is_null()) << row[0] << " " << key;
      } else {
        ASSERT_TRUE(activity[key].is_string()) << row[0] << " " << key;
        EXPECT_EQ(std::string(activity[key].as_string()).substr(0, 10), IsoDay(cell))
            << row[0] << " " << key;
        ++checked_days;
      }
    }
    EXPECT_EQ(activity.size(), products) << row[0];
  }
  // Counted from the file's status column with Python's csv module.
  EXPECT_EQ(status_counts["active"], 1901);
  EXPECT_EQ(status_counts["suspended"], 58);
  EXPECT_EQ(status_counts["deactivated"], 41);
  EXPECT_GT(checked_days, 1000);

  // Rows checked by hand in the file.
  EXPECT_EQ(users[1].at("name").as_string(), "Oskar Fernández");
  EXPECT_EQ(users[1].at("addedToOrg").as_string(), "2023-05-25T00:00:00Z");
  const auto& oskar = users[1].at("productAccess").as_array();
  ASSERT_EQ(oskar.size(), 4u);
  EXPECT_EQ(oskar[0].at("key").as_string(), "jira-software");
  EXPECT_EQ(oskar[0].at("lastActiveTimestamp").as_string(), "2026-10-24T00:00:00Z");
  EXPECT_EQ(oskar[3].at("key").as_string(), "jira-product-discovery");
  EXPECT_EQ(oskar[3].at("lastActiveTimestamp").as_string(), "2026-11-04T00:00:00Z");
  EXPECT_EQ(users[3].at("name").as_string(), "svc-deploy");
  EXPECT_EQ(users[3].at("productAccess").as_array().size(), 3u);
}

TEST(SimExport, MalformedExportDoesNotStart) {
  auto path = std::filesystem::temp_directory_path() / "adminauto-sim-bad-export.csv";
  std::ofstream(path) << "User id,User name,email,User status,Added to org,Org role,"
                         "Last seen in Jira - acme\n"
                         "a1,Ann,ann@acme.example,Active,3 Jan 2024,,yesterday\n";
  SimOptions options;
  options.export_csv = path.string();
  options.log_requests = false;
  auto sim = SimServer::Start(options);
  ASSERT_FALSE(sim.ok());
  std::string message = sim.status().message();
  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("line 2"), std::string::npos) << message;
  EXPECT_NE(message.find("column"), std::string::npos) << message;
}

TEST(SimGenerator, IsDeterministicPerSeed) {
  Timestamp now = ToTimestamp(TestStart());
  Directory a = GenerateDirectory(300, 7, now, "acme.example");
  Directory b = GenerateDirectory(300, 7, now, "acme.example");
  Directory c = GenerateDirectory(300, 8, now, "acme.example");
  ASSERT_EQ(a.accounts.size(), 300u);
  EXPECT_EQ(a.accounts, b.accounts);
  EXPECT_NE(a.accounts, c.accounts);
}

TEST(SimGenerator, ProducesRealisticMix) {
  Timestamp now = ToTimestamp(TestStart());
  Directory d = GenerateDirectory(1000, 1, now, "acme.example");
  int suspended = 0, deactivated = 0, apps = 0, unmanaged = 0, never = 0, stale = 0;
  bool cyrillic = false, cjk = false, emoji = false, accent = false;
  std::set<std::string> ids;
  for (const auto& a : d.accounts) {
    ids.insert(a.id);
    suspended += a.membership_status == MembershipStatus::kSuspended;
    deactivated += a.account_status == AccountStatus::kInactive;
    apps += a.type == AccountType::kApp;
    unmanaged += a.claim_status == ClaimStatus::kUnmanaged && a.type == AccountType::kAtlassian;
    bool any_activity = false;
    bool recent = false;
    for (const auto& p : a.products) {
      any_activity |= p.last_active.has_value();
      recent |= p.last_active && now - *p.last_active < std::chrono::days(90);
    }
    never += !a.products.empty() && !any_activity;
    stale += any_activity && !recent;
    cyrillic |= a.name.find("Павел") != std::string::npos;
    cjk |= a.name.find("田中") != std::string::npos;
    emoji |= a.name.find("🚀") != std::string::npos;
    accent |= a.name.find("Zoë") != std::string::npos;
  }
  EXPECT_EQ(ids.size(), 1000u);
  for (int n : {suspended, deactivated, apps, unmanaged, never, stale}) EXPECT_GT(n, 10);
  EXPECT_TRUE(cyrillic);
  EXPECT_TRUE(cjk);
  EXPECT_TRUE(emoji);
  EXPECT_TRUE(accent);
}

TEST(SimState, SaveAndLoadRoundTrip) {
  FakeClock clock(TestStart());
  SimOptions options;
  options.users = 50;
  options.clock = &clock;
  options.log_requests = false;
  auto first = SimServer::Start(options);
  ASSERT_TRUE(first.ok());
  auto path = (std::filesystem::temp_directory_path() / "adminauto-sim-roundtrip.json").string();
  ASSERT_TRUE((*first)->SaveState(path).ok());
  SimOptions reload;
  reload.state_file = path;
  reload.clock = &clock;
  reload.log_requests = false;
  auto second = SimServer::Start(reload);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  Directory a = (*first)->Snapshot();
  Directory b = (*second)->Snapshot();
  EXPECT_EQ(a.org_id, b.org_id);
  EXPECT_EQ(a.directory_id, b.directory_id);
  EXPECT_EQ(a.accounts, b.accounts);
  EXPECT_EQ(a.groups, b.groups);
}

TEST(SimState, MalformedStateNamesLineAndColumn) {
  auto path = (std::filesystem::temp_directory_path() / "adminauto-sim-bad.json").string();
  std::ofstream(path) << "{\n  \"org\": {\"id\": \"o\"},\n  \"accounts\": [ }\n";
  SimOptions options;
  options.state_file = path;
  options.log_requests = false;
  auto sim = SimServer::Start(options);
  ASSERT_FALSE(sim.ok());
  EXPECT_NE(sim.status().message().find(path + ":3:"), std::string::npos) << sim.status().message();
  auto bad_field =
      StateFromJson(R"({"org":{"id":"o"},"accounts":[{"id":"a","type":"robot"}]})", "s.json");
  ASSERT_FALSE(bad_field.ok());
  EXPECT_NE(bad_field.status().message().find("s.json.accounts[0].type"), std::string::npos);
}

TEST(SimState, RejectsTwoSeeds) {
  SimOptions options;
  options.users = 5;
  options.export_csv = ExportPath();
  auto sim = SimServer::Start(options);
  ASSERT_FALSE(sim.ok());
  EXPECT_EQ(sim.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace adminauto::sim::testing
