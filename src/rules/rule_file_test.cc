#include "rules/rule_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace adminauto::rules {
namespace {

constexpr const char* kFullRule = R"(rules:
  - name: licence-cleanup
    description: Suspend people who stopped using Jira and Confluence
    select:
      products: [jira-software, confluence@acme]
      inactive_days: 90
      never_active_days: 60
      account_types: [atlassian]
      email_domains: [Acme.Example]
      in_groups: [staff]
      statuses: [active]
      managed: true
    exclude:
      accounts: ["557058:abc"]
      emails: [SVC-Deploy@acme.example]
      groups: [never-suspend]
      bot_patterns: ["robo-*"]
      disable_defaults: [unmanaged]
      restore_protection_days: 14
    actions:
      - {notify: {to: user, grace_days: 7, message: "Your access ends"}}
      - suspend
      - {add_to_group: suspended-users}
      - {remove_from_group: jira-users}
      - {grant_role: atlassian/user}
      - {revoke_role: atlassian/site-admin}
      - report
    limits: {max_accounts: 200, max_fraction: 0.10}
    schedule: "0 3 * * 1-5"
    timezone: Europe/Berlin
)";

Status ErrorOf(const std::string& yaml) {
  auto rules = ParseRuleFile(yaml, "rules.yaml");
  return rules.ok() ? Status::Ok() : rules.status();
}

TEST(RuleFile, ParsesEveryField) {
  auto rules = ParseRuleFile(kFullRule, "rules.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 1u);
  const Rule& r = (*rules)[0];
  EXPECT_EQ(r.name, "licence-cleanup");
  EXPECT_EQ(r.line, 2);
  ASSERT_EQ(r.products.size(), 2u);
  EXPECT_EQ(r.products[0], (ProductSelector{"jira-software", ""}));
  EXPECT_EQ(r.products[1], (ProductSelector{"confluence", "acme"}));
  EXPECT_EQ(r.inactive_days, 90);
  EXPECT_EQ(r.never_active_days, 60);
  EXPECT_EQ(r.account_types, std::vector<AccountType>{AccountType::kAtlassian});
  EXPECT_EQ(r.email_domains, std::vector<std::string>{"acme.example"});
  EXPECT_EQ(r.in_groups, std::vector<std::string>{"staff"});
  EXPECT_EQ(r.statuses, std::vector<UserStatus>{UserStatus::kActive});
  EXPECT_EQ(r.managed, true);
  EXPECT_EQ(r.exclude_accounts, std::vector<std::string>{"557058:abc"});
  EXPECT_EQ(r.exclude_emails, std::vector<std::string>{"svc-deploy@acme.example"});
  EXPECT_EQ(r.exclude_groups, std::vector<std::string>{"never-suspend"});
  EXPECT_EQ(r.bot_patterns.size(), DefaultBotPatterns().size() + 1);
  EXPECT_EQ(r.bot_patterns.back(), "robo-*");
  EXPECT_FALSE(r.Excludes(DefaultExclusion::kUnmanaged));
  EXPECT_TRUE(r.Excludes(DefaultExclusion::kOrgAdmins));
  EXPECT_EQ(r.restore_protection_days, 14);
  ASSERT_EQ(r.actions.size(), 7u);
  EXPECT_EQ(r.actions[0].kind, ActionKind::kNotify);
  EXPECT_EQ(r.actions[0].notify_to, "user");
  EXPECT_EQ(r.actions[0].grace_days, 7);
  EXPECT_EQ(r.actions[0].message, "Your access ends");
  EXPECT_EQ(r.actions[1].kind, ActionKind::kSuspend);
  EXPECT_EQ(r.actions[2].kind, ActionKind::kAddToGroup);
  EXPECT_EQ(r.actions[2].group, "suspended-users");
  EXPECT_EQ(r.actions[3].kind, ActionKind::kRemoveFromGroup);
  EXPECT_EQ(r.actions[4].kind, ActionKind::kGrantRole);
  EXPECT_EQ(r.actions[4].role, "atlassian/user");
  EXPECT_EQ(r.actions[5].kind, ActionKind::kRevokeRole);
  EXPECT_EQ(r.actions[6].kind, ActionKind::kReport);
  EXPECT_EQ(r.max_accounts, 200);
  EXPECT_DOUBLE_EQ(*r.max_fraction, 0.10);
  EXPECT_EQ(r.schedule, "0 3 * * 1-5");
  EXPECT_EQ(r.timezone, "Europe/Berlin");
}

TEST(RuleFile, DefaultsWhenFieldsAbsent) {
  auto rules = ParseRuleFile(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    actions: [suspend]\n",
      "r.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  const Rule& r = (*rules)[0];
  EXPECT_TRUE(r.products.empty());
  EXPECT_EQ(r.restore_protection_days, 30);
  EXPECT_EQ(r.bot_patterns, DefaultBotPatterns());
  EXPECT_TRUE(r.Excludes(DefaultExclusion::kBots));
  EXPECT_FALSE(r.max_accounts.has_value());
}

TEST(RuleFile, BadDaysNamesFileLineField) {
  Status s = ErrorOf(
      "rules:\n  - name: r\n    select:\n      inactive_days: ninety\n"
      "    actions: [suspend]\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rules.yaml:4: rules[0].select.inactive_days"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("\"ninety\""), std::string::npos);
  EXPECT_NE(s.message().find("whole number of days"), std::string::npos);
}

TEST(RuleFile, UnknownFieldRejected) {
  Status s = ErrorOf(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    exlude: {emails: [a@b.example]}\n    actions: [suspend]\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rules.yaml:4: rules[0].exlude: unknown field"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("exclude"), std::string::npos);
}

TEST(RuleFile, RepeatedFieldRejected) {
  Status s = ErrorOf(
      "rules:\n  - name: r\n    select: {inactive_days: 90, inactive_days: 9}\n"
      "    actions: [suspend]\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("repeated"), std::string::npos) << s.message();
}

TEST(RuleFile, InvalidValuesRejected) {
  struct Case {
    const char* select_or_rest;
    const char* expected;
  };
  const Case cases[] = {
      {"select: {products: [Jira]}\n    actions: [suspend]", "rules[0].select.products[0]"},
      {"select: {statuses: [gone]}\n    actions: [suspend]", "rules[0].select.statuses[0]"},
      {"select: {account_types: [robot]}\n    actions: [suspend]",
       "rules[0].select.account_types[0]"},
      {"select: {email_domains: [a@b.example]}\n    actions: [suspend]",
       "rules[0].select.email_domains[0]"},
      {"select: {managed: yes}\n    actions: [suspend]", "rules[0].select.managed"},
      {"select: {inactive_days: 0}\n    actions: [suspend]", "rules[0].select.inactive_days"},
      {"select: {}\n    actions: [suspend]", "rules[0].select"},
      {"select: {inactive_days: 90}\n    actions: [explode]", "rules[0].actions[0]"},
      {"select: {inactive_days: 90}\n    actions: [add_to_group]", "rules[0].actions[0]"},
      {"select: {inactive_days: 90}\n    actions: []", "rules[0].actions"},
      {"select: {inactive_days: 90}\n    actions: [suspend, restore]", "rules[0].actions"},
      {"select: {inactive_days: 90}\n    actions: [{notify: pigeon}]",
       "rules[0].actions[0].notify"},
      {"select: {inactive_days: 90}\n    exclude: {emails: [nobody]}\n    actions: [suspend]",
       "rules[0].exclude.emails[0]"},
      {"select: {inactive_days: 90}\n    exclude: {disable_defaults: [admins]}\n"
       "    actions: [suspend]",
       "rules[0].exclude.disable_defaults[0]"},
      {"select: {inactive_days: 90}\n    actions: [suspend]\n    limits: {max_fraction: 1.5}",
       "rules[0].limits.max_fraction"},
      {"select: {inactive_days: 90}\n    actions: [suspend]\n    limits: {max_accounts: -1}",
       "rules[0].limits.max_accounts"},
      {"select: {inactive_days: 90}\n    actions: [suspend]\n    schedule: \"0 3 * *\"",
       "rules[0].schedule"},
      {"select: {inactive_days: 90}\n    actions: [suspend]\n    timezone: \"Europe Berlin\"",
       "rules[0].timezone"},
  };
  for (const auto& c : cases) {
    Status s = ErrorOf(std::string("rules:\n  - name: r\n    ") + c.select_or_rest + "\n");
    ASSERT_FALSE(s.ok()) << c.select_or_rest;
    EXPECT_NE(s.message().find(c.expected), std::string::npos)
        << c.select_or_rest << " -> " << s.message();
  }
}

TEST(RuleFile, MissingPartsRejected) {
  EXPECT_NE(ErrorOf("rules: []\n").message().find("non-empty list"), std::string::npos);
  EXPECT_NE(ErrorOf("- a\n").message().find("rules:"), std::string::npos);
  EXPECT_NE(ErrorOf("rules:\n  - select: {inactive_days: 1}\n    actions: [report]\n")
                .message()
                .find("rules[0].name: missing"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rules:\n  - name: r\n    actions: [report]\n").message().find("select"),
            std::string::npos);
  EXPECT_NE(ErrorOf("rules:\n  - name: r\n    select: {inactive_days: 1}\n")
                .message()
                .find("rules[0].actions: missing"),
            std::string::npos);
}

TEST(RuleFile, InvalidYamlNamesLine) {
  Status s = ErrorOf("rules:\n  - name: r\n    select: {inactive_days: 90\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rules.yaml:"), std::string::npos);
  EXPECT_NE(s.message().find("invalid YAML"), std::string::npos) << s.message();
}

TEST(RuleFile, DuplicateNamesRejected) {
  Status s = ErrorOf(
      "rules:\n  - name: r\n    select: {inactive_days: 1}\n    actions: [report]\n"
      "  - name: r\n    select: {inactive_days: 2}\n    actions: [report]\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("rules.yaml:5: rules[1].name"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("line 2"), std::string::npos);
}

TEST(RuleFile, LoadsFilesInOrder) {
  auto dir =
      std::filesystem::temp_directory_path() / ("rule_file_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string a = (dir / "a.yaml").string(), b = (dir / "b.yaml").string();
  std::ofstream(a) << "rules:\n  - name: one\n    select: {inactive_days: 1}\n"
                      "    actions: [report]\n";
  std::ofstream(b) << "rules:\n  - name: two\n    select: {inactive_days: 2}\n"
                      "    actions: [report]\n";
  auto set = LoadRuleFiles({a, b});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->rules.size(), 2u);
  EXPECT_EQ(set->rules[1].name, "two");
  EXPECT_EQ(set->rules[1].file, b);
  EXPECT_EQ(set->file_contents.size(), 2u);
  auto twice = LoadRuleFiles({a, a});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("\"one\" is also used"), std::string::npos);
  EXPECT_EQ(LoadRuleFiles({(dir / "missing.yaml").string()}).status().code(),
            StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

TEST(LoadRuleFiles, DirectoryIsNamedNotEmpty) {
  auto set = LoadRuleFiles({"/"});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("rule file \"/\" is a directory"), std::string::npos)
      << set.status().message();
}

}  // namespace
}  // namespace adminauto::rules
