// Runs the real `adminauto plan` binary on the bundled user export and on a synced snapshot.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "store/org_store.h"
#include "store/snapshot_store.h"
#include "store/sqlite.h"
#include "tests/cli_process.h"

namespace adminauto::rules {
namespace {

namespace fs = std::filesystem;

using Output = testing::CommandOutput;

class PlanCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* root = std::getenv("ADMINAUTO_SOURCE_DIR");
    ASSERT_NE(root, nullptr);
    export_ = std::string(root) + "/tests/data/acme-users-export.csv";
    dir_ = fs::temp_directory_path() /
           ("plan_command_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }

  // Runs the binary with `args` (already shell-quoted) under the environment prefix `env`.
  Output Run(const std::string& args, const std::string& env = "") {
    std::string command = env + " " + ADMINAUTO_BINARY + std::string(" --data-dir ") +
                          (dir_ / "data").string() + " " + args;
    return testing::RunShell(command, (dir_ / "stderr.txt").string());
  }

  static std::map<std::string, int> CountExclusions(const boost::json::object& plan) {
    std::map<std::string, int> counts;
    for (const auto& e : plan.at("excluded").as_array()) {
      ++counts[std::string(e.at("exclusion").as_string())];
    }
    return counts;
  }

  std::string export_;
  fs::path dir_;
};

constexpr const char* kInactive90 =
    "rules:\n"
    "  - name: licence-cleanup\n"
    "    select:\n"
    "      products: [jira-software, confluence]\n"
    "      inactive_days: 90\n"
    "    actions: [suspend]\n";

// Expected numbers were counted once by a separate Python script over the CSV (csv module,
// NFC plus casefold for names and emails), applying the inactivity rules and the default
// exclusions by hand: an account is in scope when its Jira or Confluence cell is not empty;
// its last activity is the latest date among those two cells ("Never accessed" and empty are
// no activity); it qualifies when 2026-12-01 minus that day is at least 90 days. Of the
// qualifying accounts, first match wins: Org role "Organization admin" (0), email local part
// or name matching the default bot patterns (0), status Deactivated (8), status Suspended,
// already in the target state (10); the remaining 420 are suspended. Seats are the non-empty
// "Last seen" cells of those 420 rows: 1013.
TEST_F(PlanCommandTest, ExportCountsMatchIndependentCount) {
  std::string rules = Write("r.yaml", kInactive90);
  Output o =
      Run("plan --export " + export_ + " --rules " + rules + " --at 2026-12-01 --format json");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto plan = boost::json::parse(o.out).as_object();
  EXPECT_EQ(plan.at("evaluated_at").as_string(), "2026-12-01");
  const auto& totals = plan.at("totals").as_object();
  EXPECT_EQ(totals.at("actions").at("suspend").as_int64(), 420);
  EXPECT_EQ(totals.at("actions").as_object().size(), 1u);
  EXPECT_EQ(totals.at("excluded").as_int64(), 18);
  EXPECT_EQ(totals.at("accounts").as_int64(), 2000);
  EXPECT_EQ(totals.at("billable_seats_freed").as_int64(), 1013);
  EXPECT_EQ(plan.at("actions").as_array().size(), 420u);
  auto exclusions = CountExclusions(plan);
  EXPECT_EQ(exclusions["target_state"], 10);
  EXPECT_EQ(exclusions["deactivated"], 8);
  EXPECT_EQ(exclusions.size(), 2u);
  EXPECT_EQ(plan.at("fingerprint").at("source").as_string(), "export");
}

// Counted by the same script for never-active accounts: Jira or Confluence cell present, no
// date in either, added to the org at least 30 days before 2026-12-01. Exclusions: 7 match
// the default bot patterns (jira-automation, svc-deploy, confluence-backup, build-bot,
// Svc-Reporting, statuspage-sync, integration-user), 2 Deactivated, 4 Suspended; 129 remain.
TEST_F(PlanCommandTest, NeverActiveCountsMatchIndependentCount) {
  std::string rules = Write("r.yaml",
                            "rules:\n  - name: never-active\n    select:\n"
                            "      products: [jira-software, confluence]\n"
                            "      never_active_days: 30\n    actions: [suspend]\n");
  Output o =
      Run("plan --export " + export_ + " --rules " + rules + " --at 2026-12-01 --format json");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto plan = boost::json::parse(o.out).as_object();
  EXPECT_EQ(plan.at("totals").at("actions").at("suspend").as_int64(), 129);
  auto exclusions = CountExclusions(plan);
  EXPECT_EQ(exclusions["bots"], 7);
  EXPECT_EQ(exclusions["deactivated"], 2);
  EXPECT_EQ(exclusions["target_state"], 4);
}

TEST_F(PlanCommandTest, SameOutputInOtherTimeZone) {
  std::string rules = Write("r.yaml", kInactive90);
  std::string args =
      "plan --export " + export_ + " --rules " + rules + " --at 2026-12-01 --format json";
  Output utc = Run(args, "TZ=UTC LC_ALL=C");
  Output la = Run(args, "TZ=America/Los_Angeles LC_ALL=C.UTF-8");
  ASSERT_EQ(utc.exit_code, 0) << utc.err;
  EXPECT_GT(utc.out.size(), 10000u);
  EXPECT_EQ(utc.out, la.out);
}

TEST_F(PlanCommandTest, TableFitsHundredColumns) {
  std::string rules = Write("r.yaml", kInactive90);
  Output o = Run("plan --export " + export_ + " --rules " + rules + " --at 2026-12-01");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  size_t widest = 0, width = 0;
  for (char c : o.out) {
    if (c == '\n') {
      widest = std::max(widest, width);
      width = 0;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++width;
    }
  }
  EXPECT_LE(widest, 100u);
  EXPECT_NE(o.out.find("suspend 420"), std::string::npos);
}

TEST_F(PlanCommandTest, CsvHasRowPerEntry) {
  std::string rules = Write("r.yaml", kInactive90);
  Output o =
      Run("plan --export " + export_ + " --rules " + rules + " --at 2026-12-01 --format csv");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  size_t rows = 0;
  for (size_t pos = 0; (pos = o.out.find("\r\n", pos)) != std::string::npos; pos += 2) ++rows;
  EXPECT_EQ(rows, 1u + 420u + 18u);  // header, actions, exclusions
}

TEST_F(PlanCommandTest, OutFileAndDiff) {
  std::string rules = Write("r.yaml", kInactive90);
  std::string plan_file = (dir_ / "plan.json").string();
  Output first = Run("plan --export " + export_ + " --rules " + rules +
                     " --at 2026-12-01 --format json --out " + plan_file);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_TRUE(fs::exists(plan_file));
  Output same = Run("plan --export " + export_ + " --rules " + rules +
                    " --at 2026-12-01 --format json --diff " + plan_file);
  ASSERT_EQ(same.exit_code, 0) << same.err;
  auto diff = boost::json::parse(same.out).as_object();
  EXPECT_TRUE(diff.at("newly_qualified").as_array().empty());
  EXPECT_TRUE(diff.at("dropped_out").as_array().empty());
  // Ten days later nobody drops out: inactivity only grows without new activity data.
  Output later = Run("plan --export " + export_ + " --rules " + rules +
                     " --at 2026-12-11 --format json --diff " + plan_file);
  ASSERT_EQ(later.exit_code, 0) << later.err;
  auto later_diff = boost::json::parse(later.out).as_object();
  EXPECT_FALSE(later_diff.at("newly_qualified").as_array().empty());
  EXPECT_TRUE(later_diff.at("dropped_out").as_array().empty());
}

TEST_F(PlanCommandTest, BadRuleFileNamesLine) {
  std::string rules = Write("bad.yaml",
                            "rules:\n  - name: r\n    select: {inactive_days: x}\n"
                            "    actions: [suspend]\n");
  Output o = Run("plan --export " + export_ + " --rules " + rules);
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("bad.yaml:3: rules[0].select.inactive_days"), std::string::npos) << o.err;
}

TEST_F(PlanCommandTest, NeedsExactlyOneSource) {
  std::string rules = Write("r.yaml", kInactive90);
  Output none = Run("plan --rules " + rules);
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("--org NAME and --export CSV"), std::string::npos) << none.err;
  Output bad_day = Run("plan --export " + export_ + " --rules " + rules + " --at 12/01/2026");
  EXPECT_EQ(bad_day.exit_code, 1);
  EXPECT_NE(bad_day.err.find("--at"), std::string::npos) << bad_day.err;
}

TEST_F(PlanCommandTest, OrgWithoutDatabaseSuggestsInit) {
  std::string rules = Write("r.yaml", kInactive90);
  Output o = Run("plan --rules " + rules + " --org acme");
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_NE(o.err.find("no database in"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("`adminauto init`"), std::string::npos) << o.err;
}

TEST_F(PlanCommandTest, PlansOnLatestSnapshot) {
  fs::create_directories(dir_ / "data");
  {
    auto db = store::SqliteDb::Open((dir_ / "data" / "adminauto.db").string());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto snapshots = store::SnapshotStore::Open(**db);
    ASSERT_TRUE(snapshots.ok()) << snapshots.status().ToString();
    Directory d;
    d.org_id = "org-77";
    d.taken_at = Timestamp(Day(std::chrono::year{2026} / 11 / 30));
    Account stale;
    stale.id = "stale";
    stale.email = "stale@acme.example";
    ProductAccess jira;
    jira.key = "jira-software";
    jira.last_active = Timestamp(Day(std::chrono::year{2026} / 1 / 1));
    stale.products.push_back(jira);
    Account fresh = stale;
    fresh.id = "fresh";
    fresh.email = "fresh@acme.example";
    fresh.products[0].last_active = Timestamp(Day(std::chrono::year{2026} / 11 / 20));
    d.accounts = {stale, fresh};
    ASSERT_TRUE((*snapshots)->Save(d, store::SyncStats{}, 0.5).ok());
    auto orgs = store::OrgStore::Open(**db);
    ASSERT_TRUE(orgs.ok()) << orgs.status().ToString();
    store::OrgRecord org;
    org.name = "acme";
    org.org_id = "org-77";
    ASSERT_TRUE((*orgs)->Insert(org).ok());
  }
  std::string rules = Write("r.yaml", kInactive90);
  Output o = Run("plan --org acme --rules " + rules + " --at 2026-12-01 --format json");
  ASSERT_EQ(o.exit_code, 0) << o.err;
  auto plan = boost::json::parse(o.out).as_object();
  ASSERT_EQ(plan.at("actions").as_array().size(), 1u);
  EXPECT_EQ(plan.at("actions").as_array()[0].at("account_id").as_string(), "stale");
  EXPECT_EQ(plan.at("actions").as_array()[0].at("days_inactive").as_int64(), 334);
  EXPECT_EQ(plan.at("fingerprint").at("source").as_string(), "snapshot");
  EXPECT_EQ(plan.at("fingerprint").at("org_id").as_string(), "org-77");
  Output by_id =
      Run("plan --org other --org-id org-77 --rules " + rules + " --at 2026-12-01 --format json");
  ASSERT_EQ(by_id.exit_code, 0) << by_id.err;
  EXPECT_EQ(by_id.out, o.out);
  Output unknown = Run("plan --org nowhere --rules " + rules);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("--org nowhere"), std::string::npos) << unknown.err;
  Output never_synced = Run("plan --org x --org-id org-88 --rules " + rules);
  EXPECT_EQ(never_synced.exit_code, 1);
  EXPECT_NE(never_synced.err.find("no synced snapshot"), std::string::npos) << never_synced.err;
}

}  // namespace
}  // namespace adminauto::rules
