// The rule model: what a rule selects, what it leaves alone, what it does and how far it may
// go. Rule files (YAML, see rule_file.h) parse into these values; evaluation (evaluate.h)
// turns them into a Plan.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/directory.h"
#include "core/plan.h"

namespace adminauto::rules {

// A product a rule looks at, optionally on one site: "jira-software" or "jira-software@acme".
struct ProductSelector {
  std::string key;
  std::string site;  // empty: every site

  bool operator==(const ProductSelector&) const = default;
};

// Exclusions that apply unless a rule switches them off by name under
// `exclude.disable_defaults`.
enum class DefaultExclusion {
  kOrgAdmins,         // "org_admins": accounts with the org-admin role
  kBots,              // "bots": app accounts and accounts matching bot patterns
  kTargetState,       // "target_state": the action would change nothing
  kDeactivated,       // "deactivated": deactivated and closed accounts
  kUnmanaged,         // "unmanaged": accounts the org does not manage
  kRecentlyRestored,  // "recently_restored": restored within restore_protection_days
};

std::string_view ToString(DefaultExclusion exclusion);
std::optional<DefaultExclusion> ParseDefaultExclusion(std::string_view text);

// One action with its parameters.
struct ActionSpec {
  ActionKind kind = ActionKind::kReport;
  std::string group;      // add_to_group, remove_from_group
  std::string role;       // grant_role, revoke_role
  std::string notify_to;  // notify: "user", "admins", an email address or a webhook URL
  int grace_days = 0;     // notify
  std::string message;    // notify

  bool operator==(const ActionSpec&) const = default;
};

// Patterns that mark an account as a bot when they match its email's local part or its
// display name, compared in lower case. `*` matches any run of characters, `?` one.
const std::vector<std::string>& DefaultBotPatterns();

inline constexpr int kDefaultRestoreProtectionDays = 30;

struct Rule {
  std::string name;
  std::string description;
  std::string file;  // where the rule was read from, for messages
  int line = 0;

  // select: every field that is set must match.
  std::vector<ProductSelector> products;  // empty: all products
  std::optional<int> inactive_days;
  std::optional<int> never_active_days;
  std::vector<AccountType> account_types;
  std::vector<std::string> email_domains;  // normalised like emails (NFC, case-folded)
  std::vector<std::string> in_groups;      // group names or ids
  std::vector<UserStatus> statuses;
  std::optional<bool> managed;

  // exclude
  std::vector<std::string> exclude_accounts;  // account ids, or emails (matched by id first)
  std::vector<std::string> exclude_emails;    // normalised (NFC, case-folded)
  std::vector<std::string> exclude_groups;    // group names or ids
  std::vector<std::string> bot_patterns;      // DefaultBotPatterns() plus the rule's own
  std::set<DefaultExclusion> disabled_defaults;
  int restore_protection_days = kDefaultRestoreProtectionDays;

  std::vector<ActionSpec> actions;

  // limits
  std::optional<int64_t> max_accounts;
  std::optional<double> max_fraction;  // 0..1 of all accounts in the directory

  // Checked as text for now; the scheduler interprets them.
  std::string schedule;  // cron expression, five fields
  std::string timezone;  // IANA name such as Europe/Berlin

  bool Excludes(DefaultExclusion exclusion) const {
    return disabled_defaults.count(exclusion) == 0;
  }
};

}  // namespace adminauto::rules
