#include "rules/plan_format.h"

#include <gtest/gtest.h>

#include <sstream>

namespace adminauto::rules {
namespace {

const Day kDay = Day(std::chrono::year{2026} / 12 / 1);

PlannedAction Action(const std::string& id, const std::string& rule, ActionKind kind) {
  PlannedAction a;
  a.account_id = id;
  a.email = id + "@acme.example";
  a.action = kind;
  a.rule = rule;
  a.reason = "inactive 214 days (>= 90) in jira-software, confluence";
  a.last_active = kDay - std::chrono::days(214);
  a.days_inactive = 214;
  return a;
}

size_t MaxLineWidth(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  size_t widest = 0;
  while (std::getline(lines, line)) {
    size_t points = 0;
    for (char c : line) {
      if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++points;
    }
    widest = std::max(widest, points);
  }
  return widest;
}

Plan WidePlan() {
  Plan plan;
  plan.evaluated_at = kDay;
  PlannedAction a = Action("a-very-long-account-identifier-that-goes-on",
                           "a-rule-name-that-is-long", ActionKind::kRemoveFromGroup);
  a.email = "\xD0\xBF\xD0\xB0\xD0\xB2\xD0\xB5\xD0\xBB.brownjr.2.with.a.long.tail@acme.example";
  a.group = "a-group-with-a-long-name";
  plan.actions.push_back(a);
  plan.actions.push_back(Action("short", "r", ActionKind::kSuspend));
  PlanExclusion e;
  e.account_id = "x";
  e.email = "x@acme.example";
  e.rule = "r";
  e.reason = std::string(150, 'y');
  plan.excluded.push_back(e);
  RuleLimitStatus limit;
  limit.rule = "r";
  limit.stopped = true;
  limit.reason = std::string(150, 'z');
  plan.limits.push_back(limit);
  plan.warnings.push_back(std::string(150, 'w'));
  plan.totals.actions = {{"suspend", 1}, {"remove_from_group", 1}};
  return plan;
}

TEST(PlanTable, FitsHundredColumns) {
  std::string table = PlanToTable(WidePlan());
  EXPECT_LE(MaxLineWidth(table), kTableWidth) << table;
  EXPECT_NE(table.find("short@acme.example"), std::string::npos);
  EXPECT_NE(table.find("STOPPED"), std::string::npos);
  EXPECT_NE(table.find("suspend 1"), std::string::npos);
}

TEST(PlanCsv, QuotesAndDefusesFormulas) {
  Plan plan;
  PlannedAction a = Action("u1", "r", ActionKind::kSuspend);
  a.name = "=HYPERLINK(\"x\")";
  a.reason = "a, b";
  plan.actions.push_back(a);
  std::string csv = PlanToCsv(plan);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "entry,account_id,email,name,action,group,role,notify_to,rule,reason,last_active,"
            "days_inactive,revertible");
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"x\"\")\""), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"a, b\""), std::string::npos);
  EXPECT_NE(csv.find(",2026-05-01,214,"), std::string::npos) << csv;
}

TEST(PlanDiff, FindsNewAndDroppedActions) {
  Plan earlier, current;
  earlier.actions = {Action("stays", "r", ActionKind::kSuspend),
                     Action("leaves", "r", ActionKind::kSuspend)};
  current.actions = {Action("stays", "r", ActionKind::kSuspend),
                     Action("joins", "r", ActionKind::kSuspend),
                     Action("leaves", "r", ActionKind::kReport)};
  PlanDiff diff = DiffPlans(earlier, current);
  ASSERT_EQ(diff.newly_qualified.size(), 2u);
  EXPECT_EQ(diff.newly_qualified[0].account_id, "joins");
  EXPECT_EQ(diff.newly_qualified[1].account_id, "leaves");
  EXPECT_EQ(diff.newly_qualified[1].action, ActionKind::kReport);
  ASSERT_EQ(diff.dropped_out.size(), 1u);
  EXPECT_EQ(diff.dropped_out[0].account_id, "leaves");
  std::string table = PlanDiffToTable(diff, earlier, current);
  EXPECT_LE(MaxLineWidth(table), kTableWidth);
  EXPECT_NE(table.find("2 newly qualify, 1 dropped out"), std::string::npos) << table;
  std::string json = PlanDiffToJson(diff, earlier, current);
  EXPECT_NE(json.find("\"newly_qualified\""), std::string::npos);
  EXPECT_NE(json.find("\"dropped_out\""), std::string::npos);
}

}  // namespace
}  // namespace adminauto::rules
