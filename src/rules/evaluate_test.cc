#include "rules/evaluate.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "importer/user_export.h"
#include "rules/plan_io.h"
#include "rules/rule_file.h"

namespace adminauto::rules {
namespace {

using std::chrono::days;

// The evaluation day of every test: 2026-12-01.
const Day kToday = Day(std::chrono::year{2026} / 12 / 1);

Timestamp DaysAgo(int n) { return Timestamp(kToday - days(n)); }

std::vector<Rule> Rules(const std::string& yaml) {
  auto rules = ParseRuleFile(yaml, "test.yaml");
  EXPECT_TRUE(rules.ok()) << rules.status().ToString();
  return rules.ok() ? *rules : std::vector<Rule>();
}

std::vector<Rule> InactiveRule(int days_inactive, const std::string& extra = "") {
  return Rules("rules:\n  - name: r\n    select: {inactive_days: " + std::to_string(days_inactive) +
               extra + "}\n    actions: [suspend]\n");
}

Account MakeAccount(const std::string& id, std::optional<Timestamp> jira_active = std::nullopt) {
  Account a;
  a.id = id;
  a.email = id + "@acme.example";
  a.name = "Person " + id;
  a.added_to_org = DaysAgo(1000);
  ProductAccess jira;
  jira.key = "jira-software";
  jira.site = "acme";
  jira.last_active = jira_active;
  a.products.push_back(jira);
  return a;
}

Directory Dir(std::vector<Account> accounts) {
  Directory d;
  d.org_id = "org-1";
  d.accounts = std::move(accounts);
  return d;
}

std::vector<std::string> ActedOn(const Plan& plan) {
  std::vector<std::string> ids;
  for (const auto& a : plan.actions) ids.push_back(a.account_id);
  return ids;
}

// Returns the exclusion name recorded for `id`, or "" when it was not excluded.
std::string ExclusionOf(const Plan& plan, const std::string& id) {
  for (const auto& e : plan.excluded) {
    if (e.account_id == id) return e.exclusion;
  }
  return "";
}

using Ids = std::vector<std::string>;

TEST(Evaluate, InactivityBoundary89To91Days) {
  Directory d = Dir({MakeAccount("d89", DaysAgo(89)), MakeAccount("d90", DaysAgo(90)),
                     MakeAccount("d91", DaysAgo(91))});
  Plan plan = Evaluate(d, InactiveRule(90), kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"d90", "d91"}));
  ASSERT_EQ(plan.actions.size(), 2u);
  EXPECT_EQ(plan.actions[0].days_inactive, 90);
  EXPECT_EQ(plan.actions[0].last_active, kToday - days(90));
  EXPECT_EQ(plan.actions[1].days_inactive, 91);
}

TEST(Evaluate, TimeOfDayDoesNotShiftDay) {
  // 90 days ago at 23:59:59 UTC is still that UTC day.
  Timestamp late =
      DaysAgo(90) + std::chrono::hours(23) + std::chrono::minutes(59) + std::chrono::seconds(59);
  Plan plan = Evaluate(Dir({MakeAccount("late", late)}), InactiveRule(90), kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"late"}));
}

std::string PlanUnderTimeZone(const char* zone, const Directory& d,
                              const std::vector<Rule>& rules) {
  setenv("TZ", zone, 1);
  tzset();
  return PlanToJson(Evaluate(d, rules, kToday));
}

TEST(Evaluate, SamePlanInEveryTimeZone) {
  const char* root = std::getenv("ADMINAUTO_SOURCE_DIR");
  ASSERT_NE(root, nullptr);
  auto exported = importer::ReadUserExport(std::string(root) + "/tests/data/acme-users-export.csv");
  ASSERT_TRUE(exported.ok());
  Directory d = exported->directory;
  d.accounts.push_back(MakeAccount("late", DaysAgo(90) + std::chrono::hours(23)));
  auto rules = Rules(
      "rules:\n"
      "  - name: inactive\n    select: {inactive_days: 90}\n    actions: [suspend]\n"
      "  - name: never\n    select: {never_active_days: 30}\n    actions: [report]\n");
  const char* saved = std::getenv("TZ");
  std::string saved_zone = saved ? saved : "";
  std::string utc = PlanUnderTimeZone("UTC", d, rules);
  std::string los_angeles = PlanUnderTimeZone("America/Los_Angeles", d, rules);
  std::string kiritimati = PlanUnderTimeZone("Pacific/Kiritimati", d, rules);
  if (saved) {
    setenv("TZ", saved_zone.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  EXPECT_GT(utc.size(), 1000u);  // a real plan, not two empty ones
  EXPECT_EQ(utc, los_angeles);
  EXPECT_EQ(utc, kiritimati);
}

TEST(Evaluate, NeverActiveUsesAddedToOrgDay) {
  Account added_40 = MakeAccount("added40");
  added_40.added_to_org = DaysAgo(40);
  Account added_20 = MakeAccount("added20");
  added_20.added_to_org = DaysAgo(20);
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {never_active_days: 30}\n"
      "    actions: [suspend]\n");
  Plan plan = Evaluate(Dir({added_40, added_20}), rules, kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"added40"}));
  ASSERT_EQ(plan.actions.size(), 1u);
  EXPECT_EQ(plan.actions[0].days_inactive, 40);
  EXPECT_FALSE(plan.actions[0].last_active.has_value());
}

TEST(Evaluate, NeverActiveWithoutAddedDayIsUnknown) {
  Account unknown = MakeAccount("unknown");
  unknown.added_to_org.reset();
  Account epoch = MakeAccount("epoch");
  epoch.added_to_org = Timestamp{};
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {never_active_days: 30}\n"
      "    actions: [suspend]\n");
  Plan plan = Evaluate(Dir({unknown, epoch}), rules, kToday);
  EXPECT_TRUE(plan.actions.empty());
  EXPECT_EQ(ExclusionOf(plan, "unknown"), "unknown_activity");
  EXPECT_EQ(ExclusionOf(plan, "epoch"), "unknown_activity");
}

TEST(Evaluate, InactiveDaysSkipsNeverActive) {
  Plan plan = Evaluate(Dir({MakeAccount("never")}), InactiveRule(90), kToday);
  EXPECT_TRUE(plan.actions.empty());
  EXPECT_TRUE(plan.excluded.empty());
}

TEST(Evaluate, EpochZeroActivityMeansNoActivity) {
  Account epoch = MakeAccount("epoch", Timestamp{});
  Plan inactive = Evaluate(Dir({epoch}), InactiveRule(90), kToday);
  EXPECT_TRUE(inactive.actions.empty());
  auto never = Rules(
      "rules:\n  - name: r\n    select: {never_active_days: 30}\n"
      "    actions: [suspend]\n");
  Plan plan = Evaluate(Dir({epoch}), never, kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"epoch"}));
}

TEST(Evaluate, EmptyExportDatesMeanNoActivity) {
  auto exported = importer::ParseUserExport(
      "User id,email,User status,Added to org,Last seen in Jira - acme,"
      "Last seen in Confluence - acme\n"
      "blank,blank@acme.example,Active,,Never accessed,\n"
      "noaccess,noaccess@acme.example,Active,1 Jan 2020,,\n"
      "old,old@acme.example,Active,1 Jan 2020,Never accessed,1 Jan 2021\n");
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90, never_active_days: 30}\n"
      "    actions: [suspend]\n");
  Plan plan = Evaluate(exported->directory, rules, kToday);
  // "blank" has access without activity and no added-to-org day; "noaccess" has no access.
  EXPECT_EQ(ActedOn(plan), (Ids{"old"}));
  EXPECT_EQ(ExclusionOf(plan, "blank"), "unknown_activity");
  EXPECT_EQ(ExclusionOf(plan, "noaccess"), "");
}

TEST(Evaluate, RecentActivityInAnyProductCounts) {
  Account a = MakeAccount("mixed", DaysAgo(1));
  ProductAccess confluence;
  confluence.key = "confluence";
  confluence.last_active = DaysAgo(200);
  a.products.push_back(confluence);
  auto both = InactiveRule(90, ", products: [jira-software, confluence]");
  EXPECT_TRUE(Evaluate(Dir({a}), both, kToday).actions.empty());
  EXPECT_TRUE(Evaluate(Dir({a}), InactiveRule(90), kToday).actions.empty());
  Plan only_confluence = Evaluate(Dir({a}), InactiveRule(90, ", products: [confluence]"), kToday);
  ASSERT_EQ(only_confluence.actions.size(), 1u);
  EXPECT_EQ(only_confluence.actions[0].days_inactive, 200);
}

TEST(Evaluate, ProductsLimitScope) {
  Plan plan = Evaluate(Dir({MakeAccount("jira", DaysAgo(300))}),
                       InactiveRule(90, ", products: [confluence]"), kToday);
  EXPECT_TRUE(plan.actions.empty());
}

TEST(Evaluate, SiteLimitedProduct) {
  Account other = MakeAccount("other", DaysAgo(300));
  other.products[0].site = "beta";
  Account acme = MakeAccount("acme", DaysAgo(300));
  acme.products[0].site = "Acme";
  Plan plan =
      Evaluate(Dir({other, acme}), InactiveRule(90, ", products: [jira-software@acme]"), kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"acme"}));
}

TEST(Evaluate, UnknownSiteWarns) {
  Account acme = MakeAccount("acme", DaysAgo(300));
  Plan plan = Evaluate(Dir({acme}), InactiveRule(90, ", products: [jira-software@gamma]"), kToday);
  EXPECT_TRUE(plan.actions.empty());
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("jira-software@gamma selects nobody"), std::string::npos)
      << plan.warnings[0];
}

TEST(Evaluate, KnownSiteDoesNotWarn) {
  Account acme = MakeAccount("acme", DaysAgo(300));
  Plan plan = Evaluate(Dir({acme}), InactiveRule(90, ", products: [jira-software@ACME]"), kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"acme"}));
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(Evaluate, ExcludeEmailIgnoresCase) {
  Account a = MakeAccount("svc", DaysAgo(300));
  a.email = "Deploy.Runner@ACME.example";
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    exclude: {emails: [deploy.runner@acme.EXAMPLE]}\n"
      "    actions: [suspend]\n");
  Plan plan = Evaluate(Dir({a}), rules, kToday);
  EXPECT_TRUE(plan.actions.empty());
  EXPECT_EQ(ExclusionOf(plan, "svc"), "emails");
}

TEST(Evaluate, ExcludeEmailNfcMatchesNfd) {
  Account a = MakeAccount("jose", DaysAgo(300));
  a.email = "Jose\xCC\x81@acme.example";  // "Jose" + U+0301 combining acute (NFD)
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    exclude: {emails: [\"jos\xC3\xA9@acme.example\"]}\n"  // U+00E9 (NFC)
      "    actions: [suspend]\n");
  Plan plan = Evaluate(Dir({a}), rules, kToday);
  EXPECT_TRUE(plan.actions.empty());
  EXPECT_EQ(ExclusionOf(plan, "jose"), "emails");
}

TEST(Evaluate, ExcludeAccountsByIdThenEmail) {
  Account by_id = MakeAccount("id1", DaysAgo(300));
  Account by_email = MakeAccount("id2", DaysAgo(300));
  by_email.email = "Keep.Me@acme.example";
  Account other = MakeAccount("id3", DaysAgo(300));
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    exclude: {accounts: [id1, keep.me@acme.example]}\n"
      "    actions: [suspend]\n");
  Plan plan = Evaluate(Dir({by_id, by_email, other}), rules, kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"id3"}));
  EXPECT_EQ(ExclusionOf(plan, "id1"), "accounts");
  EXPECT_EQ(ExclusionOf(plan, "id2"), "emails");
}

TEST(Evaluate, ExcludeGroupByName) {
  Directory d = Dir({MakeAccount("member", DaysAgo(300)), MakeAccount("other", DaysAgo(300))});
  d.groups.push_back(Group{.id = "g1",
                           .name = "never-suspend",
                           .description = "",
                           .is_default = false,
                           .external_synced = false,
                           .grants_admin = false});
  d.accounts[0].group_ids = {"g1"};
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    exclude: {groups: [Never-Suspend]}\n    actions: [suspend]\n");
  Plan plan = Evaluate(d, rules, kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"other"}));
  EXPECT_EQ(ExclusionOf(plan, "member"), "groups");
  EXPECT_FALSE(plan.stopped());
}

TEST(Evaluate, UnknownExcludeGroupStopsPlan) {
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    exclude: {groups: [never-suspend]}\n    actions: [suspend]\n");
  Plan plan = Evaluate(Dir({MakeAccount("a", DaysAgo(300))}), rules, kToday);
  EXPECT_TRUE(plan.stopped());
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("never-suspend"), std::string::npos);
}

TEST(Evaluate, DefaultExclusionsApply) {
  Account admin = MakeAccount("admin", DaysAgo(300));
  admin.platform_roles = {std::string(kOrgAdminRole)};
  Account app = MakeAccount("app", DaysAgo(300));
  app.type = AccountType::kApp;
  Account bot = MakeAccount("bot", DaysAgo(300));
  bot.email = "build-bot@acme.example";
  Account deactivated = MakeAccount("deactivated", DaysAgo(300));
  deactivated.account_status = AccountStatus::kInactive;
  Account closed = MakeAccount("closed", DaysAgo(300));
  closed.account_status = AccountStatus::kClosed;
  Account unmanaged = MakeAccount("unmanaged", DaysAgo(300));
  unmanaged.claim_status = ClaimStatus::kUnmanaged;
  Account suspended = MakeAccount("suspended", DaysAgo(300));
  suspended.membership_status = MembershipStatus::kSuspended;
  Account restored = MakeAccount("restored", DaysAgo(300));
  restored.restored_at = DaysAgo(29);
  Account restored_long_ago = MakeAccount("restored31", DaysAgo(300));
  restored_long_ago.restored_at = DaysAgo(31);
  Plan plan = Evaluate(Dir({admin, app, bot, deactivated, closed, unmanaged, suspended, restored,
                            restored_long_ago}),
                       InactiveRule(90), kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"restored31"}));
  EXPECT_EQ(ExclusionOf(plan, "admin"), "org_admins");
  EXPECT_EQ(ExclusionOf(plan, "app"), "bots");
  EXPECT_EQ(ExclusionOf(plan, "bot"), "bots");
  EXPECT_EQ(ExclusionOf(plan, "deactivated"), "deactivated");
  EXPECT_EQ(ExclusionOf(plan, "closed"), "deactivated");
  EXPECT_EQ(ExclusionOf(plan, "unmanaged"), "unmanaged");
  EXPECT_EQ(ExclusionOf(plan, "suspended"), "target_state");
  EXPECT_EQ(ExclusionOf(plan, "restored"), "recently_restored");
  EXPECT_EQ(plan.totals.excluded, 8);
}

TEST(Evaluate, AdminGroupCountsAsAdmin) {
  Directory d = Dir({MakeAccount("via-group", DaysAgo(300))});
  Group admins;
  admins.id = "g-admins";
  admins.name = "org-admins";
  admins.grants_admin = true;
  d.groups.push_back(admins);
  d.accounts[0].group_ids = {"g-admins"};
  Plan plan = Evaluate(d, InactiveRule(90), kToday);
  EXPECT_EQ(ExclusionOf(plan, "via-group"), "org_admins");
}

TEST(Evaluate, DisabledDefaultsLetAccountsThrough) {
  Account admin = MakeAccount("admin", DaysAgo(300));
  admin.platform_roles = {std::string(kOrgAdminRole)};
  Account restored = MakeAccount("restored", DaysAgo(300));
  restored.restored_at = DaysAgo(5);
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    exclude: {disable_defaults: [org_admins, recently_restored]}\n"
      "    actions: [suspend]\n");
  Plan plan = Evaluate(Dir({admin, restored}), rules, kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"admin", "restored"}));
}

TEST(Evaluate, RestoreProtectionDaysConfigurable) {
  Account restored = MakeAccount("restored", DaysAgo(300));
  restored.restored_at = DaysAgo(10);
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    exclude: {restore_protection_days: 7}\n    actions: [suspend]\n");
  EXPECT_EQ(ActedOn(Evaluate(Dir({restored}), rules, kToday)), (Ids{"restored"}));
}

TEST(Evaluate, RestoreIgnoresRestoreProtection) {
  Account suspended = MakeAccount("suspended", DaysAgo(5));
  suspended.membership_status = MembershipStatus::kSuspended;
  suspended.restored_at = DaysAgo(3);
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {statuses: [suspended]}\n"
      "    actions: [restore]\n");
  EXPECT_EQ(ActedOn(Evaluate(Dir({suspended}), rules, kToday)), (Ids{"suspended"}));
}

TEST(Evaluate, BotPatternsConfigurable) {
  Account robot = MakeAccount("robot", DaysAgo(300));
  robot.email = "Robo-Runner@acme.example";
  Account svc = MakeAccount("svc", DaysAgo(300));
  svc.email = "svc-deploy@acme.example";
  auto extra = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    exclude: {bot_patterns: [\"robo-*\"]}\n    actions: [suspend]\n");
  Plan plan = Evaluate(Dir({robot, svc}), extra, kToday);
  EXPECT_TRUE(plan.actions.empty());
  auto replaced = Rules(
      "bot_patterns: [\"robo-*\"]\nrules:\n  - name: r\n"
      "    select: {inactive_days: 90}\n    actions: [suspend]\n");
  EXPECT_EQ(ActedOn(Evaluate(Dir({robot, svc}), replaced, kToday)), (Ids{"svc"}));
  auto off = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    exclude: {disable_defaults: [bots]}\n    actions: [suspend]\n");
  EXPECT_EQ(ActedOn(Evaluate(Dir({robot, svc}), off, kToday)), (Ids{"robot", "svc"}));
}

TEST(Evaluate, AttributeSelectorsMatch) {
  Account contractor = MakeAccount("contractor", DaysAgo(1));
  contractor.email = "ann@Vendor.Example";
  Account staff = MakeAccount("staff", DaysAgo(1));
  Account customer = MakeAccount("customer", DaysAgo(1));
  customer.type = AccountType::kCustomer;
  customer.email = "bob@vendor.example";
  Account suspended = MakeAccount("suspended", DaysAgo(1));
  suspended.membership_status = MembershipStatus::kSuspended;
  suspended.email = "cy@vendor.example";
  Directory d = Dir({contractor, staff, customer, suspended});
  auto by_domain = Rules(
      "rules:\n  - name: r\n    select: {email_domains: [vendor.example],"
      " account_types: [atlassian], statuses: [active], managed: true}\n"
      "    actions: [report]\n");
  Plan plan = Evaluate(d, by_domain, kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"contractor"}));
  ASSERT_EQ(plan.actions.size(), 1u);
  EXPECT_EQ(plan.actions[0].days_inactive, 1);
  auto unmanaged = Rules(
      "rules:\n  - name: r\n    select: {managed: false}\n"
      "    actions: [report]\n");
  EXPECT_TRUE(Evaluate(d, unmanaged, kToday).actions.empty());
}

TEST(Evaluate, InGroupsSelectsMembers) {
  Directory d = Dir({MakeAccount("member", DaysAgo(1)), MakeAccount("other", DaysAgo(1))});
  Group group;
  group.id = "g7";
  group.name = "contractors";
  d.groups.push_back(group);
  d.accounts[0].group_ids = {"g7"};
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {in_groups: [contractors]}\n"
      "    actions: [{remove_from_group: contractors}]\n");
  Plan plan = Evaluate(d, rules, kToday);
  ASSERT_EQ(ActedOn(plan), (Ids{"member"}));
  EXPECT_EQ(plan.actions[0].action, ActionKind::kRemoveFromGroup);
  EXPECT_EQ(plan.actions[0].group, "contractors");
  EXPECT_EQ(plan.actions[0].group_id, "g7");
  EXPECT_TRUE(plan.actions[0].revertible);
}

TEST(Evaluate, GroupAndRoleActionsSkipDoneWork) {
  Directory d = Dir({MakeAccount("in", DaysAgo(1)), MakeAccount("out", DaysAgo(1))});
  Group group;
  group.id = "g7";
  group.name = "licensed";
  d.groups.push_back(group);
  d.accounts[0].group_ids = {"g7"};
  d.accounts[0].platform_roles = {"atlassian/user-access-admin"};
  auto add = Rules(
      "rules:\n  - name: r\n    select: {statuses: [active]}\n"
      "    actions: [{add_to_group: licensed}]\n");
  Plan added = Evaluate(d, add, kToday);
  EXPECT_EQ(ActedOn(added), (Ids{"out"}));
  EXPECT_EQ(ExclusionOf(added, "in"), "target_state");
  auto revoke = Rules(
      "rules:\n  - name: r\n    select: {statuses: [active]}\n"
      "    actions: [{revoke_role: atlassian/user-access-admin}]\n");
  EXPECT_EQ(ActedOn(Evaluate(d, revoke, kToday)), (Ids{"in"}));
  auto grant = Rules(
      "rules:\n  - name: r\n    select: {statuses: [active]}\n"
      "    actions: [{grant_role: atlassian/user-access-admin}]\n");
  EXPECT_EQ(ActedOn(Evaluate(d, grant, kToday)), (Ids{"out"}));
}

TEST(Evaluate, RestoreSelectsSuspended) {
  Account suspended = MakeAccount("suspended", DaysAgo(5));
  suspended.membership_status = MembershipStatus::kSuspended;
  Account active = MakeAccount("active", DaysAgo(5));
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {statuses: [suspended, active]}\n"
      "    actions: [restore]\n");
  Plan plan = Evaluate(Dir({suspended, active}), rules, kToday);
  EXPECT_EQ(ActedOn(plan), (Ids{"suspended"}));
  EXPECT_EQ(ExclusionOf(plan, "active"), "target_state");
}

TEST(Evaluate, NotifyCarriesParameters) {
  auto rules = Rules(
      "rules:\n  - name: r\n    select: {inactive_days: 90}\n"
      "    actions: [{notify: {to: user, grace_days: 14, message: Bye}}, "
      "suspend]\n");
  Plan plan = Evaluate(Dir({MakeAccount("a", DaysAgo(100))}), rules, kToday);
  ASSERT_EQ(plan.actions.size(), 2u);
  EXPECT_EQ(plan.actions[0].action, ActionKind::kNotify);
  EXPECT_EQ(plan.actions[0].notify_to, "user");
  EXPECT_EQ(plan.actions[0].grace_days, 14);
  EXPECT_EQ(plan.actions[0].message, "Bye");
  EXPECT_FALSE(plan.actions[0].revertible);
  EXPECT_EQ(plan.actions[1].action, ActionKind::kSuspend);
}

TEST(Evaluate, MaxAccountsStopsPlan) {
  Directory d = Dir({MakeAccount("a", DaysAgo(100)), MakeAccount("b", DaysAgo(100)),
                     MakeAccount("c", DaysAgo(100)), MakeAccount("d", DaysAgo(1))});
  Plan stopped = Evaluate(d, InactiveRule(90, "}\n    limits: {max_accounts: 2"), kToday);
  EXPECT_TRUE(stopped.stopped());
  ASSERT_EQ(stopped.limits.size(), 1u);
  EXPECT_EQ(stopped.limits[0].planned_accounts, 3);
  EXPECT_EQ(stopped.limits[0].total_accounts, 4);
  EXPECT_NE(stopped.limits[0].reason.find("3 accounts exceed max_accounts 2"), std::string::npos)
      << stopped.limits[0].reason;
  Plan within = Evaluate(d, InactiveRule(90, "}\n    limits: {max_accounts: 3"), kToday);
  EXPECT_FALSE(within.stopped());
}

TEST(Evaluate, MaxFractionStopsPlan) {
  Directory d = Dir({MakeAccount("a", DaysAgo(100)), MakeAccount("b", DaysAgo(100)),
                     MakeAccount("c", DaysAgo(1)), MakeAccount("d", DaysAgo(1))});
  // 2 of 4 accounts is 0.5.
  EXPECT_TRUE(Evaluate(d, InactiveRule(90, "}\n    limits: {max_fraction: 0.4"), kToday).stopped());
  EXPECT_FALSE(
      Evaluate(d, InactiveRule(90, "}\n    limits: {max_fraction: 0.5"), kToday).stopped());
}

TEST(Evaluate, TotalsCountActionsAndSeats) {
  Account two_products = MakeAccount("two", DaysAgo(100));
  ProductAccess confluence;
  confluence.key = "confluence";
  confluence.last_active = DaysAgo(120);
  two_products.products.push_back(confluence);
  Directory d = Dir({two_products, MakeAccount("one", DaysAgo(100)), MakeAccount("x", DaysAgo(1))});
  auto rules = Rules(
      "rules:\n  - name: a\n    select: {inactive_days: 90}\n    actions: [suspend]\n"
      "  - name: b\n    select: {inactive_days: 90}\n    actions: [report]\n");
  Plan plan = Evaluate(d, rules, kToday);
  EXPECT_EQ(plan.totals.actions.at("suspend"), 2);
  EXPECT_EQ(plan.totals.actions.at("report"), 2);
  EXPECT_EQ(plan.totals.accounts, 3);
  EXPECT_EQ(plan.totals.billable_seats_freed, 3);  // two seats for "two", one for "one"
  EXPECT_EQ(plan.totals.seats_freed_by_product.at("jira-software"), 2);
  EXPECT_EQ(plan.totals.seats_freed_by_product.at("confluence"), 1);
  EXPECT_EQ(plan.rules, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(plan.fingerprint.org_id, "org-1");
  EXPECT_EQ(plan.fingerprint.evaluation_day, kToday);
}

}  // namespace
}  // namespace adminauto::rules
