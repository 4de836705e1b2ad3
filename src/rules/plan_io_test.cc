#include "rules/plan_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

namespace adminauto::rules {
namespace {

Day MakeDay(int y, unsigned m, unsigned d) {
  return Day(std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d});
}

Plan SamplePlan() {
  Plan plan;
  plan.evaluated_at = MakeDay(2026, 12, 1);
  plan.fingerprint.org_id = "org-1";
  plan.fingerprint.source = "export";
  plan.fingerprint.source_hash = std::string(64, 'a');
  plan.fingerprint.rules_hash = std::string(64, 'b');
  plan.fingerprint.evaluation_day = MakeDay(2026, 12, 1);
  plan.rules = {"licence-cleanup", "contractors"};

  PlannedAction suspend;
  suspend.account_id = "u1";
  suspend.email = "a@x.example";
  suspend.name = "Ann";
  suspend.action = ActionKind::kSuspend;
  suspend.rule = "licence-cleanup";
  suspend.reason = "no activity for 214 days";
  suspend.last_active = MakeDay(2026, 5, 1);
  suspend.days_inactive = 214;
  suspend.revertible = true;
  plan.actions.push_back(suspend);

  PlannedAction add;
  add.account_id = "u2";
  add.action = ActionKind::kAddToGroup;
  add.group = "contractors";
  add.group_id = "g-7";
  add.rule = "contractors";
  add.reason = "email domain vendor.example";
  add.revertible = true;
  plan.actions.push_back(add);

  PlannedAction notify;
  notify.account_id = "u3";
  notify.action = ActionKind::kNotify;
  notify.notify_to = "user";
  notify.grace_days = 7;
  notify.message = "Your access ends soon";
  notify.rule = "contractors";
  plan.actions.push_back(notify);

  PlanExclusion admin;
  admin.account_id = "u9";
  admin.email = "boss@x.example";
  admin.rule = "licence-cleanup";
  admin.exclusion = "org_admins";
  admin.reason = "org admin";
  plan.excluded.push_back(admin);

  RuleLimitStatus limit;
  limit.rule = "licence-cleanup";
  limit.max_accounts = 1;
  limit.max_fraction = 0.25;
  limit.planned_accounts = 2;
  limit.total_accounts = 4;
  limit.stopped = true;
  limit.reason = "2 accounts exceed max_accounts 1";
  plan.limits.push_back(limit);

  plan.totals.actions = {{"suspend", 1}, {"add_to_group", 1}, {"notify", 1}};
  plan.totals.excluded = 1;
  plan.warnings = {"exclude group \"never-suspend\" is not in the directory"};
  plan.totals.accounts = 4;
  plan.totals.billable_seats_freed = 2;
  plan.totals.seats_freed_by_product = {{"confluence", 1}, {"jira-software", 1}};
  return plan;
}

TEST(PlanIo, RoundTripKeepsEveryField) {
  Plan plan = SamplePlan();
  auto parsed = PlanFromJson(PlanToJson(plan));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, plan);
  EXPECT_TRUE(parsed->stopped());
}

TEST(PlanIo, JsonHasDocumentedShape) {
  auto root = boost::json::parse(PlanToJson(SamplePlan())).as_object();
  EXPECT_EQ(root.at("evaluated_at").as_string(), "2026-12-01");
  EXPECT_EQ(root.at("stopped").as_bool(), true);
  const auto& action = root.at("actions").as_array()[0].as_object();
  EXPECT_EQ(action.at("account_id").as_string(), "u1");
  EXPECT_EQ(action.at("email").as_string(), "a@x.example");
  EXPECT_EQ(action.at("action").as_string(), "suspend");
  EXPECT_EQ(action.at("rule").as_string(), "licence-cleanup");
  EXPECT_EQ(action.at("last_active").as_string(), "2026-05-01");
  EXPECT_EQ(action.at("days_inactive").as_int64(), 214);
  EXPECT_EQ(root.at("excluded").as_array()[0].at("reason").as_string(), "org admin");
  const auto& totals = root.at("totals").as_object();
  EXPECT_EQ(totals.at("actions").at("suspend").as_int64(), 1);
  EXPECT_EQ(totals.at("excluded").as_int64(), 1);
  EXPECT_EQ(totals.at("accounts").as_int64(), 4);
}

TEST(PlanIo, BadActionNamesJsonPath) {
  auto root = boost::json::parse(PlanToJson(SamplePlan())).as_object();
  root["actions"].as_array()[1].as_object()["action"] = "explode";
  auto parsed = PlanFromJson(boost::json::serialize(root));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("actions[1].action"), std::string::npos)
      << parsed.status().message();
}

TEST(PlanIo, MissingFingerprintRejected) {
  auto root = boost::json::parse(PlanToJson(SamplePlan())).as_object();
  root.erase("fingerprint");
  auto parsed = PlanFromJson(boost::json::serialize(root));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("fingerprint"), std::string::npos);
}

TEST(PlanIo, StoppedFlagWithoutLimitRejected) {
  auto root = boost::json::parse(PlanToJson(SamplePlan())).as_object();
  root["limits"] = boost::json::array();
  auto parsed = PlanFromJson(boost::json::serialize(root));
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("stopped"), std::string::npos);
}

TEST(PlanIo, FutureFormatVersionRejected) {
  auto root = boost::json::parse(PlanToJson(SamplePlan())).as_object();
  root["format_version"] = 99;
  EXPECT_FALSE(PlanFromJson(boost::json::serialize(root)).ok());
}

TEST(PlanIo, ParsesMinimalPlan) {
  // The documented minimum: evaluated_at, actions, excluded and totals, plus the fingerprint.
  auto parsed = PlanFromJson(
      R"({"evaluated_at": "2026-12-01",
          "fingerprint": {"source": "export", "source_hash": "x", "rules_hash": "y",
                          "evaluation_day": "2026-12-01"},
          "actions": [{"account_id": "a1", "email": "a@x.example", "action": "suspend",
                       "rule": "r", "reason": "idle", "last_active": "2026-05-01",
                       "days_inactive": 214}],
          "excluded": [{"account_id": "a2", "rule": "r", "reason": "org admin"}],
          "totals": {"actions": {"suspend": 1}, "excluded": 1, "accounts": 2000}})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->actions.size(), 1u);
  EXPECT_EQ(parsed->actions[0].action, ActionKind::kSuspend);
  EXPECT_EQ(parsed->actions[0].days_inactive, 214);
  EXPECT_TRUE(parsed->actions[0].revertible);  // derived from the action when absent
  EXPECT_EQ(parsed->excluded[0].reason, "org admin");
  EXPECT_EQ(parsed->totals.accounts, 2000);
  EXPECT_FALSE(parsed->stopped());
}

TEST(PlanIo, InvalidJsonRejected) {
  auto parsed = PlanFromJson("{\"evaluated_at\": ");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
}

TEST(PlanIo, FileRoundTripOwnerOnly) {
  auto dir =
      std::filesystem::temp_directory_path() / ("plan_io_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "plan.json").string();
  ASSERT_TRUE(WritePlanFile(SamplePlan(), path).ok());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto read = ReadPlanFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, SamplePlan());
  std::filesystem::remove_all(dir);
}

TEST(PlanIo, MissingFileIsNotFound) {
  EXPECT_EQ(ReadPlanFile("/nonexistent/plan.json").status().code(), StatusCode::kNotFound);
}

TEST(ReadPlanFile, DirectoryIsNamedNotInvalidJson) {
  auto plan = ReadPlanFile("/");
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("plan file \"/\" is a directory"), std::string::npos)
      << plan.status().message();
}

TEST(WritePlanFile, SymlinkAtTemporaryPathIsNotFollowed) {
  auto dir =
      std::filesystem::temp_directory_path() / ("plan_io_link_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto victim = dir / "victim.txt";
  std::ofstream(victim) << "keep";
  const std::string path = (dir / "plan.json").string();
  std::filesystem::create_symlink(victim, path + ".tmp");

  ASSERT_TRUE(WritePlanFile(SamplePlan(), path).ok());
  std::ifstream in(victim);
  std::string victim_text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(victim_text, "keep");
  auto read = ReadPlanFile(path);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, SamplePlan());
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(path + ".tmp")));
  std::filesystem::remove_all(dir);
}

TEST(WritePlanFile, DirectoryAtPathNamesTheReason) {
  auto dir = std::filesystem::temp_directory_path() / ("plan_io_dir_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "plan.json");
  Status written = WritePlanFile(SamplePlan(), (dir / "plan.json").string());
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.message().find("Is a directory"), std::string::npos) << written.message();
  EXPECT_FALSE(std::filesystem::exists(dir / "plan.json.tmp"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace adminauto::rules
