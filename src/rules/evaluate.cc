#include "rules/evaluate.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "rules/text.h"

namespace adminauto::rules {
namespace {

// Lower-cases one ASCII letter without the locale lookup of std::tolower.
char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

// Compares `text` with `lower`, which is already lower-case ASCII, ignoring ASCII case.
bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (LowerAscii(text[i]) != lower[i]) return false;
  }
  return true;
}

bool Contains(const std::vector<std::string>& items, std::string_view value) {
  return std::find(items.begin(), items.end(), value) != items.end();
}

// Activity of one account over the products a rule looks at.
struct Activity {
  bool has_access = false;         // access to at least one of the rule's products
  std::optional<Day> last_active;  // latest non-epoch activity over them
};

// A rule prepared for one directory: group names resolved to ids, lists turned into sets.
struct CompiledRule {
  const Rule* rule = nullptr;
  std::unordered_set<std::string> exclude_ids;
  std::unordered_set<std::string> exclude_emails;  // exclude.emails and emails in accounts
  std::vector<std::string> email_domains;          // few, so a linear scan beats hashing
  std::vector<std::string> in_group_ids;
  std::vector<std::pair<std::string, std::string>> exclude_groups;  // id, name
  std::vector<std::string> action_group_ids;  // per action; empty when not a group action
  std::string products_text;                  // "jira-software, confluence" or "any product"
  bool needs_email = false;
  std::array<bool, 6> excludes{};  // by DefaultExclusion: true when the default applies
  size_t pattern_set = 0;          // index of the rule's bot patterns in pattern_sets_
  std::string inactive_suffix;     // " days (>= 90) in jira-software, confluence"
  bool changes_directory = false;
  bool destructive = false;  // takes access away, so just-restored accounts are protected
  std::vector<std::string> unresolved_exclude_groups;
};

class Evaluator {
 public:
  Evaluator(const Directory& directory, const std::vector<Rule>& rules, Day day)
      : directory_(directory), day_(day) {
    IndexGroups();
    for (const Rule& rule : rules) compiled_.push_back(Compile(rule));
    planned_by_rule_.resize(compiled_.size(), 0);
  }

  Plan Run() {
    // One action per account is a common upper bound for the whole plan. Reserving it up front
    // avoids copying a large plan while it grows; untouched reserved pages take no memory.
    plan_.actions.reserve(directory_.accounts.size());
    plan_.excluded.reserve(directory_.accounts.size() / 4);
    for (const Account& account : directory_.accounts) EvaluateAccount(account);
    return Assemble();
  }

 private:
  void IndexGroups() {
    for (const Group& group : directory_.groups) {
      group_ids_by_name_[AsciiLower(group.name)] = group.id;
      group_names_by_id_[group.id] = group.name;
      if (group.grants_admin) admin_group_ids_.insert(group.id);
    }
  }

  // Returns the id of the group named or identified by `name`, or nullopt.
  std::optional<std::string> ResolveGroup(const std::string& name) const {
    if (group_names_by_id_.count(name)) return name;
    auto it = group_ids_by_name_.find(AsciiLower(name));
    if (it == group_ids_by_name_.end()) return std::nullopt;
    return it->second;
  }

  CompiledRule Compile(const Rule& rule) {
    CompiledRule c;
    c.rule = &rule;
    for (const auto& entry : rule.exclude_accounts) {
      c.exclude_ids.insert(entry);
      if (entry.find('@') != std::string::npos) c.exclude_emails.insert(NormalizeEmail(entry));
    }
    c.exclude_emails.insert(rule.exclude_emails.begin(), rule.exclude_emails.end());
    c.email_domains = rule.email_domains;
    for (int e = 0; e < static_cast<int>(c.excludes.size()); ++e) {
      c.excludes[e] = rule.Excludes(static_cast<DefaultExclusion>(e));
    }
    c.pattern_set = PatternSetOf(rule.bot_patterns);
    c.needs_email = !c.exclude_emails.empty() || !c.email_domains.empty();
    for (const auto& name : rule.in_groups) {
      // An unknown group selects nobody, which needs no warning to stay safe.
      if (auto id = ResolveGroup(name)) c.in_group_ids.push_back(*id);
    }
    for (const auto& name : rule.exclude_groups) {
      if (auto id = ResolveGroup(name)) {
        c.exclude_groups.emplace_back(*id, name);
      } else {
        c.unresolved_exclude_groups.push_back(name);
      }
    }
    for (const auto& action : rule.actions) {
      std::string id;
      if (!action.group.empty()) id = ResolveGroup(action.group).value_or("");
      c.action_group_ids.push_back(std::move(id));
      c.changes_directory = c.changes_directory || ChangesDirectory(action.kind);
      c.destructive = c.destructive || action.kind == ActionKind::kSuspend ||
                      action.kind == ActionKind::kRemove ||
                      action.kind == ActionKind::kRemoveFromGroup ||
                      action.kind == ActionKind::kRevokeRole;
    }
    if (rule.products.empty()) {
      c.products_text = "any product";
    } else {
      for (const auto& p : rule.products) {
        if (!c.products_text.empty()) c.products_text += ", ";
        c.products_text += p.site.empty() ? p.key : p.key + "@" + p.site;
      }
    }
    if (rule.inactive_days) {
      c.inactive_suffix =
          " days (>= " + std::to_string(*rule.inactive_days) + ") in " + c.products_text;
    }
    return c;
  }

  // Returns the index of `patterns` in pattern_sets_, adding it when new, so rules sharing the
  // default patterns share one cached bot verdict per account.
  size_t PatternSetOf(const std::vector<std::string>& patterns) {
    for (size_t i = 0; i < pattern_sets_.size(); ++i) {
      if (*pattern_sets_[i] == patterns) return i;
    }
    pattern_sets_.push_back(&patterns);
    return pattern_sets_.size() - 1;
  }

  Activity ActivityOf(const Account& account, const Rule& rule) const {
    Activity activity;
    for (const ProductAccess& access : account.products) {
      if (!rule.products.empty() && !MatchesProduct(access, rule.products)) continue;
      activity.has_access = true;
      if (!access.last_active || IsEpochZero(*access.last_active)) continue;
      Day day = DayOf(*access.last_active);
      if (!activity.last_active || day > *activity.last_active) activity.last_active = day;
    }
    return activity;
  }

  static bool MatchesProduct(const ProductAccess& access,
                             const std::vector<ProductSelector>& selectors) {
    for (const auto& s : selectors) {
      if (s.key != access.key) continue;
      if (s.site.empty() || EqualsLower(access.site, s.site)) return true;
    }
    return false;
  }

  bool InAnyGroup(const Account& account, const std::vector<std::string>& group_ids) const {
    for (const auto& id : account.group_ids) {
      if (Contains(group_ids, id)) return true;
    }
    return false;
  }

  // The outcome of a rule's selection for one account.
  struct Selection {
    bool selected = false;
    bool unknown_activity = false;  // never active without an added-to-org day
    std::string reason;
    std::optional<Day> last_active;
    std::optional<int> days_inactive;
  };

  // Checks the selection fields other than activity; every field set must match.
  bool MatchesAttributes(const Account& account, const CompiledRule& c,
                         const std::string& email) const {
    const Rule& rule = *c.rule;
    if (!rule.statuses.empty() && std::find(rule.statuses.begin(), rule.statuses.end(),
                                            account.status()) == rule.statuses.end()) {
      return false;
    }
    if (!rule.account_types.empty() &&
        std::find(rule.account_types.begin(), rule.account_types.end(), account.type) ==
            rule.account_types.end()) {
      return false;
    }
    if (rule.managed && (account.claim_status == ClaimStatus::kManaged) != *rule.managed) {
      return false;
    }
    if (!c.email_domains.empty() && !Contains(c.email_domains, EmailDomain(email))) return false;
    if (!rule.in_groups.empty() && !InAnyGroup(account, c.in_group_ids)) return false;
    return true;
  }

  Selection Select(const Account& account, const CompiledRule& c, const std::string& email) const {
    const Rule& rule = *c.rule;
    Selection s;
    if (!MatchesAttributes(account, c, email)) return s;
    Activity activity = ActivityOf(account, rule);
    if (!rule.products.empty() && !activity.has_access) return s;
    if (activity.last_active) {
      s.last_active = activity.last_active;
      s.days_inactive = static_cast<int>((day_ - *activity.last_active).count());
    }
    if (!rule.inactive_days && !rule.never_active_days) {
      s.selected = true;
      s.reason = AttributeReason(rule);
      return s;
    }
    if (!activity.has_access) return s;  // no product access: nothing to be inactive in
    if (activity.last_active) {
      if (rule.inactive_days && *s.days_inactive >= *rule.inactive_days) {
        s.selected = true;
        std::string days = std::to_string(*s.days_inactive);
        s.reason.reserve(9 + days.size() + c.inactive_suffix.size());
        s.reason.append("inactive ").append(days).append(c.inactive_suffix);
      }
      return s;
    }
    if (!rule.never_active_days) return s;
    if (!account.added_to_org || IsEpochZero(*account.added_to_org)) {
      s.unknown_activity = true;
      return s;
    }
    int since_added = static_cast<int>((day_ - DayOf(*account.added_to_org)).count());
    if (since_added >= *rule.never_active_days) {
      s.selected = true;
      s.days_inactive = since_added;
      s.reason = "never active in " + c.products_text + "; added to org " +
                 std::to_string(since_added) +
                 " days ago (>= " + std::to_string(*rule.never_active_days) + ")";
    }
    return s;
  }

  static std::string AttributeReason(const Rule& rule) {
    std::string reason = "matches";
    auto add = [&reason](std::string_view field) {
      reason += reason == "matches" ? " " : ", ";
      reason += field;
    };
    if (!rule.products.empty()) add("products");
    if (!rule.statuses.empty()) add("statuses");
    if (!rule.account_types.empty()) add("account_types");
    if (rule.managed) add("managed");
    if (!rule.email_domains.empty()) add("email_domains");
    if (!rule.in_groups.empty()) add("in_groups");
    return reason;
  }

  // Returns the exclusion (machine name, reason) that keeps the rule off the account, checking
  // the rule's own lists first, then the default exclusions in a fixed order.
  std::optional<std::pair<std::string, std::string>> Exclusion(const Account& account,
                                                               const CompiledRule& c,
                                                               const std::string& email) const {
    const Rule& rule = *c.rule;
    if (c.exclude_ids.count(account.id)) return {{"accounts", "listed in exclude.accounts"}};
    if (!email.empty() && c.exclude_emails.count(email)) {
      return {{"emails", "listed in exclude.emails"}};
    }
    for (const auto& [id, name] : c.exclude_groups) {
      if (Contains(account.group_ids, id)) return {{"groups", "member of excluded group " + name}};
    }
    if (c.excludes[static_cast<int>(DefaultExclusion::kOrgAdmins)]) {
      if (account.IsOrgAdmin()) return {{"org_admins", "org admin"}};
      for (const auto& id : account.group_ids) {
        if (admin_group_ids_.count(id)) {
          return {{"org_admins", "admin through group " + group_names_by_id_.at(id)}};
        }
      }
    }
    if (c.excludes[static_cast<int>(DefaultExclusion::kBots)]) {
      if (auto bot = BotReason(account, c)) return {{"bots", *bot}};
    }
    if (c.excludes[static_cast<int>(DefaultExclusion::kDeactivated)]) {
      if (account.account_status == AccountStatus::kClosed) return {{"deactivated", "closed"}};
      if (account.account_status == AccountStatus::kInactive) {
        return {{"deactivated", "deactivated"}};
      }
    }
    if (c.excludes[static_cast<int>(DefaultExclusion::kUnmanaged)] &&
        account.claim_status == ClaimStatus::kUnmanaged) {
      return {{"unmanaged", "unmanaged account"}};
    }
    if (c.destructive && c.excludes[static_cast<int>(DefaultExclusion::kRecentlyRestored)] &&
        account.restored_at && !IsEpochZero(*account.restored_at)) {
      int days = static_cast<int>((day_ - DayOf(*account.restored_at)).count());
      if (days < rule.restore_protection_days) {
        return {{"recently_restored", "restored " + std::to_string(days) +
                                          " days ago (protected for " +
                                          std::to_string(rule.restore_protection_days) + " days)"}};
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> BotReason(const Account& account, const CompiledRule& c) const {
    if (account.type == AccountType::kApp) return "app account";
    int& cached = bot_pattern_by_set_[c.pattern_set];
    if (cached == kBotUnknown) cached = MatchingBotPattern(account, *pattern_sets_[c.pattern_set]);
    if (cached == kBotNone) return std::nullopt;
    return "bot: matches pattern \"" + (*pattern_sets_[c.pattern_set])[cached] + "\"";
  }

  // Returns the index of the first pattern matching the account's email local part or name,
  // or kBotNone.
  int MatchingBotPattern(const Account& account, const std::vector<std::string>& patterns) const {
    std::string& local = bot_local_buffer_;
    std::string& name = bot_name_buffer_;
    NormalizeEmailInto(EmailLocalPart(account.email), local);
    NormalizeEmailInto(account.name, name);
    for (size_t i = 0; i < patterns.size(); ++i) {
      if ((!local.empty() && GlobMatch(patterns[i], local)) ||
          (!name.empty() && GlobMatch(patterns[i], name))) {
        return static_cast<int>(i);
      }
    }
    return kBotNone;
  }

  // Returns why the action would change nothing, or nullopt when it would change something.
  std::optional<std::string> TargetStateReason(const Account& account, const ActionSpec& action,
                                               const std::string& group_id) const {
    switch (action.kind) {
      case ActionKind::kSuspend:
        if (account.membership_status == MembershipStatus::kSuspended) return "already suspended";
        if (account.membership_status == MembershipStatus::kNoMembership) {
          return "no org membership to suspend";
        }
        return std::nullopt;
      case ActionKind::kRestore:
        if (account.membership_status == MembershipStatus::kActive) return "already active";
        return std::nullopt;
      case ActionKind::kRemove:
        if (account.membership_status == MembershipStatus::kNoMembership) {
          return "not a member of the org";
        }
        return std::nullopt;
      case ActionKind::kAddToGroup:
        if (!group_id.empty() && Contains(account.group_ids, group_id)) {
          return "already in group " + action.group;
        }
        return std::nullopt;
      case ActionKind::kRemoveFromGroup:
        if (group_id.empty() || !Contains(account.group_ids, group_id)) {
          return "not in group " + action.group;
        }
        return std::nullopt;
      case ActionKind::kGrantRole:
        if (Contains(account.platform_roles, action.role)) return "already has role " + action.role;
        return std::nullopt;
      case ActionKind::kRevokeRole:
        if (!Contains(account.platform_roles, action.role))
          return "does not have role " + action.role;
        return std::nullopt;
      case ActionKind::kReport:
      case ActionKind::kNotify:
        return std::nullopt;
    }
    return std::nullopt;
  }

  void EvaluateAccount(const Account& account) {
    bot_pattern_by_set_.assign(pattern_sets_.size(), kBotUnknown);
    bool email_ready = false;  // set once email_buffer_ contains the normalised email
    bool frees_seats = false;
    for (size_t i = 0; i < compiled_.size(); ++i) {
      const CompiledRule& c = compiled_[i];
      if (c.needs_email && !email_ready) {
        NormalizeEmailInto(account.email, email_buffer_);
        email_ready = true;
      }
      static const std::string kNoEmail;
      const std::string& normalized = c.needs_email ? email_buffer_ : kNoEmail;
      Selection s = Select(account, c, normalized);
      if (s.unknown_activity) {
        Exclude(i, account, "unknown_activity", "never active and the added-to-org day is unknown");
        continue;
      }
      if (!s.selected) continue;
      if (auto exclusion = Exclusion(account, c, normalized)) {
        Exclude(i, account, exclusion->first, exclusion->second);
        continue;
      }
      frees_seats = PlanActions(i, account, s) || frees_seats;
    }
    if (frees_seats && account.status() == UserStatus::kActive) {
      for (const auto& access : account.products) {
        ++totals_.billable_seats_freed;
        ++totals_.seats_freed_by_product[access.key];
      }
    }
  }

  // Adds the rule's actions for a selected account; returns true when one takes access away.
  bool PlanActions(size_t rule_index, const Account& account, const Selection& s) {
    const CompiledRule& c = compiled_[rule_index];
    const Rule& rule = *c.rule;
    std::vector<PlannedAction>& planned = scratch_actions_;
    planned.clear();
    std::optional<std::string> satisfied;
    bool any_change = false;
    for (size_t a = 0; a < rule.actions.size(); ++a) {
      const ActionSpec& spec = rule.actions[a];
      if (ChangesDirectory(spec.kind) &&
          c.excludes[static_cast<int>(DefaultExclusion::kTargetState)]) {
        if (auto reason = TargetStateReason(account, spec, c.action_group_ids[a])) {
          if (!satisfied) satisfied = *reason;
          continue;
        }
      }
      any_change = any_change || ChangesDirectory(spec.kind);
      planned.push_back(MakeAction(account, spec, c.action_group_ids[a], rule, s));
    }
    // When every directory change is already done, notices and reports about it are noise.
    if (c.changes_directory && !any_change) {
      Exclude(rule_index, account, "target_state", *satisfied);
      return false;
    }
    bool takes_access = false;
    bool counts_for_limit = false;
    for (auto& action : planned) {
      takes_access = takes_access || action.action == ActionKind::kSuspend ||
                     action.action == ActionKind::kRemove;
      counts_for_limit = counts_for_limit || action.action != ActionKind::kReport;
      ++action_counts_[static_cast<size_t>(action.action)];
      plan_.actions.push_back(std::move(action));
    }
    if (counts_for_limit) ++planned_by_rule_[rule_index];
    return takes_access;
  }

  static PlannedAction MakeAction(const Account& account, const ActionSpec& spec,
                                  const std::string& group_id, const Rule& rule,
                                  const Selection& s) {
    PlannedAction action;
    action.account_id = account.id;
    action.email = account.email;
    action.name = account.name;
    action.action = spec.kind;
    action.group = spec.group;
    action.group_id = group_id;
    action.role = spec.role;
    action.notify_to = spec.notify_to;
    action.grace_days = spec.grace_days;
    action.message = spec.message;
    action.rule = rule.name;
    action.reason = s.reason;
    action.last_active = s.last_active;
    action.days_inactive = s.days_inactive;
    action.revertible = IsRevertible(spec.kind);
    return action;
  }

  void Exclude(size_t rule_index, const Account& account, std::string exclusion,
               std::string reason) {
    PlanExclusion e;
    e.account_id = account.id;
    e.email = account.email;
    e.rule = compiled_[rule_index].rule->name;
    e.exclusion = std::move(exclusion);
    e.reason = std::move(reason);
    plan_.excluded.push_back(std::move(e));
  }

  RuleLimitStatus CheckLimits(size_t rule_index) const {
    const CompiledRule& c = compiled_[rule_index];
    RuleLimitStatus status;
    status.rule = c.rule->name;
    status.max_accounts = c.rule->max_accounts;
    status.max_fraction = c.rule->max_fraction;
    status.planned_accounts = planned_by_rule_[rule_index];
    status.total_accounts = static_cast<int64_t>(directory_.accounts.size());
    std::string planned = std::to_string(status.planned_accounts);
    if (status.max_accounts && status.planned_accounts > *status.max_accounts) {
      status.stopped = true;
      status.reason =
          planned + " accounts exceed max_accounts " + std::to_string(*status.max_accounts);
    } else if (status.max_fraction &&
               static_cast<double>(status.planned_accounts) >
                   *status.max_fraction * static_cast<double>(status.total_accounts)) {
      status.stopped = true;
      status.reason = planned + " of " + std::to_string(status.total_accounts) +
                      " accounts exceed max_fraction " + FormatFraction(*status.max_fraction);
    }
    if (!c.unresolved_exclude_groups.empty() && c.changes_directory && status.planned_accounts) {
      // Members of a group the directory lacks cannot be excluded, so acting could hit them.
      status.stopped = true;
      if (!status.reason.empty()) status.reason += "; ";
      status.reason += "excluded group " + c.unresolved_exclude_groups.front() +
                       " is not in the directory, so its members cannot be excluded";
    }
    return status;
  }

  static std::string FormatFraction(double fraction) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%g", fraction);
    return buffer;
  }

  // A rule limited to a site that no product access names selects nobody on that site, which
  // is easy to miss: a synced org, for one, records site ARIs but no site names.
  void WarnUnknownSites(Plan& plan) const {
    std::unordered_set<std::string> wanted;
    for (const CompiledRule& c : compiled_) {
      for (const auto& product : c.rule->products) {
        if (!product.site.empty()) wanted.insert(AsciiLower(product.site));
      }
    }
    if (wanted.empty()) return;
    // Stops at the first account of each wanted site, so a directory that has them all is
    // usually done after a few accounts.
    std::unordered_set<std::string> present;
    for (const Account& account : directory_.accounts) {
      for (const ProductAccess& access : account.products) {
        if (access.site.empty()) continue;
        std::string site = AsciiLower(access.site);
        if (wanted.count(site)) present.insert(std::move(site));
      }
      if (present.size() == wanted.size()) break;
    }
    for (const CompiledRule& c : compiled_) {
      for (const auto& product : c.rule->products) {
        if (product.site.empty() || present.count(AsciiLower(product.site))) continue;
        plan.warnings.push_back("rule " + c.rule->name +
                                ": no account has access to a site named " + product.site +
                                ", so " + product.key + "@" + product.site +
                                " selects nobody; check the site name, or plan from a user "
                                "export, which names sites");
      }
    }
  }

  Plan Assemble() {
    Plan plan = std::move(plan_);
    plan.evaluated_at = day_;
    plan.fingerprint.org_id = directory_.org_id;
    plan.fingerprint.evaluation_day = day_;
    for (size_t i = 0; i < compiled_.size(); ++i) {
      const CompiledRule& c = compiled_[i];
      plan.rules.push_back(c.rule->name);
      bool has_limit = c.rule->max_accounts || c.rule->max_fraction;
      RuleLimitStatus status = CheckLimits(i);
      if (has_limit || status.stopped) plan.limits.push_back(std::move(status));
      for (const auto& name : c.unresolved_exclude_groups) {
        plan.warnings.push_back("rule " + c.rule->name + ": excluded group " + name +
                                " is not in the directory");
      }
    }
    WarnUnknownSites(plan);
    for (size_t k = 0; k < action_counts_.size(); ++k) {
      if (action_counts_[k]) {
        totals_.actions[std::string(ToString(static_cast<ActionKind>(k)))] = action_counts_[k];
      }
    }
    totals_.excluded = static_cast<int64_t>(plan.excluded.size());
    totals_.accounts = static_cast<int64_t>(directory_.accounts.size());
    plan.totals = std::move(totals_);
    return plan;
  }

  const Directory& directory_;
  Day day_;
  std::unordered_map<std::string, std::string> group_ids_by_name_;  // lower-cased name -> id
  std::unordered_map<std::string, std::string> group_names_by_id_;
  std::unordered_set<std::string> admin_group_ids_;
  std::vector<CompiledRule> compiled_;
  // Actions and exclusions are appended here directly, in account order, so a large plan is
  // never held twice in memory.
  Plan plan_;
  std::vector<int64_t> planned_by_rule_;
  PlanTotals totals_;
  std::array<int64_t, kActionKindNames.size()> action_counts_{};
  std::vector<const std::vector<std::string>*> pattern_sets_;  // distinct bot pattern lists
  // Per account being evaluated: the matching pattern index per pattern set, or a marker.
  static constexpr int kBotUnknown = -2, kBotNone = -1;
  mutable std::vector<int> bot_pattern_by_set_;
  // Buffers reused across accounts so the hot loop does not allocate.
  std::string email_buffer_;
  mutable std::string bot_local_buffer_;
  mutable std::string bot_name_buffer_;
  std::vector<PlannedAction> scratch_actions_;
};

}  // namespace

Plan Evaluate(const Directory& directory, const std::vector<Rule>& rules, Day evaluation_day) {
  return Evaluator(directory, rules, evaluation_day).Run();
}

}  // namespace adminauto::rules
