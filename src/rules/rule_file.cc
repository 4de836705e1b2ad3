#include "rules/rule_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>
#include <utility>

#include "core/file.h"
#include "rules/text.h"

namespace adminauto::rules {

namespace {

constexpr std::array<std::pair<DefaultExclusion, std::string_view>, 6> kDefaultExclusionNames{{
    {DefaultExclusion::kOrgAdmins, "org_admins"},
    {DefaultExclusion::kBots, "bots"},
    {DefaultExclusion::kTargetState, "target_state"},
    {DefaultExclusion::kDeactivated, "deactivated"},
    {DefaultExclusion::kUnmanaged, "unmanaged"},
    {DefaultExclusion::kRecentlyRestored, "recently_restored"},
}};

constexpr int kMaxDays = 36500;  // a hundred years: anything larger is a typo

}  // namespace

std::string_view ToString(DefaultExclusion exclusion) {
  for (const auto& [value, name] : kDefaultExclusionNames) {
    if (value == exclusion) return name;
  }
  return "unknown";
}

std::optional<DefaultExclusion> ParseDefaultExclusion(std::string_view text) {
  for (const auto& [value, name] : kDefaultExclusionNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

const std::vector<std::string>& DefaultBotPatterns() {
  // Common service-account spellings. A false match only excludes an account, which is the
  // safe direction; `exclude.disable_defaults: [bots]` switches all of them off.
  static const std::vector<std::string> kPatterns = {
      "svc-*",    "svc_*",     "svc.*",         "*-svc",  "service-*", "bot",
      "bot-*",    "*-bot",     "*_bot",         "*.bot",  "*[bot]",    "*automation*",
      "noreply*", "no-reply*", "*integration*", "*-sync", "*-backup",
  };
  return kPatterns;
}

namespace {

// Walks a parsed YAML document, checking each field and building errors that name the file,
// line, field path and fix.
class RuleFileParser {
 public:
  explicit RuleFileParser(std::string_view file) : file_(file) {}

  Result<std::vector<Rule>> Parse(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      return InvalidArgument(file_ + ":" + std::to_string(e.mark.line + 1) +
                             ": invalid YAML: " + e.msg);
    }
    try {
      return ParseRoot(root);
    } catch (const YAML::Exception& e) {  // conversions of odd scalars, nesting limits
      return InvalidArgument(file_ + ":" + std::to_string(e.mark.line + 1) +
                             ": invalid rule file: " + e.msg);
    }
  }

 private:
  Status Error(const YAML::Node& node, const std::string& path, const std::string& problem,
               const std::string& fix) const {
    int line = node.Mark().line >= 0 ? node.Mark().line + 1 : 1;
    return InvalidArgument(file_ + ":" + std::to_string(line) + ": " + path + ": " + problem +
                           "; " + fix);
  }

  // Rejects keys outside `allowed` and repeated keys.
  Status CheckKeys(const YAML::Node& map, const std::string& path,
                   std::initializer_list<std::string_view> allowed) const {
    std::map<std::string, int> seen;
    for (const auto& entry : map) {
      if (!entry.first.IsScalar()) {
        return Error(entry.first, path, "a key is not text", "write field names as plain words");
      }
      std::string key = entry.first.Scalar();
      if (!seen.emplace(key, 1).second) {
        return Error(entry.first, path + "." + key, "repeated field", "keep one of them");
      }
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string names;
        for (auto name : allowed) names += (names.empty() ? "" : ", ") + std::string(name);
        return Error(entry.first, path + "." + key, "unknown field", "use one of: " + names);
      }
    }
    return Status::Ok();
  }

  Result<std::string> Text(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar() || node.Scalar().empty()) {
      return Error(node, path, "expected text", "write a non-empty value");
    }
    return node.Scalar();
  }

  Result<std::vector<std::string>> TextList(const YAML::Node& node, const std::string& path) const {
    if (!node.IsSequence()) {
      return Error(node, path, "expected a list", "write it as [a, b] or one item per line");
    }
    std::vector<std::string> items;
    for (size_t i = 0; i < node.size(); ++i) {
      AA_ASSIGN_OR_RETURN(std::string item, Text(node[i], path + "[" + std::to_string(i) + "]"));
      items.push_back(std::move(item));
    }
    return items;
  }

  Result<int64_t> Integer(const YAML::Node& node, const std::string& path, int64_t min, int64_t max,
                          std::string_view unit) const {
    std::string fix = "write a whole number of " + std::string(unit) + " from " +
                      std::to_string(min) + " to " + std::to_string(max);
    if (!node.IsScalar()) return Error(node, path, "expected a number", fix);
    const std::string& text = node.Scalar();
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
      return Error(node, path, "invalid value \"" + text.substr(0, 40) + "\"", fix);
    }
    return value;
  }

  Result<bool> Boolean(const YAML::Node& node, const std::string& path) const {
    std::string text = node.IsScalar() ? node.Scalar() : "";
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (text == "true") return true;
    if (text == "false") return false;
    return Error(node, path, "invalid value \"" + text.substr(0, 40) + "\"", "write true or false");
  }

  Result<std::vector<Rule>> ParseRoot(const YAML::Node& root) {
    if (!root.IsMap()) {
      return Error(root, "(top level)", "expected a map with a rules: list",
                   "start the file with \"rules:\"");
    }
    AA_RETURN_IF_ERROR(CheckKeys(root, "(top level)", {"rules", "bot_patterns"}));
    bot_patterns_ = DefaultBotPatterns();
    if (root["bot_patterns"]) {
      // A file-level list replaces the built-in patterns for every rule in the file.
      AA_ASSIGN_OR_RETURN(bot_patterns_, Patterns(root["bot_patterns"], "bot_patterns"));
    }
    const YAML::Node list = root["rules"];
    if (!list || !list.IsSequence() || list.size() == 0) {
      return Error(list ? list : root, "rules", "expected a non-empty list of rules",
                   "add at least one rule under rules:");
    }
    std::vector<Rule> rules;
    std::map<std::string, int> lines_by_name;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string path = "rules[" + std::to_string(i) + "]";
      AA_ASSIGN_OR_RETURN(Rule rule, ParseRule(list[i], path));
      if (auto [it, inserted] = lines_by_name.emplace(rule.name, rule.line); !inserted) {
        return Error(
            list[i]["name"], path + ".name",
            "rule name \"" + rule.name + "\" is already used on line " + std::to_string(it->second),
            "give each rule a unique name");
      }
      rules.push_back(std::move(rule));
    }
    return rules;
  }

  Result<std::vector<std::string>> Patterns(const YAML::Node& node, const std::string& path) {
    AA_ASSIGN_OR_RETURN(std::vector<std::string> patterns, TextList(node, path));
    for (auto& pattern : patterns) pattern = NormalizeEmail(pattern);
    return patterns;
  }

  Result<Rule> ParseRule(const YAML::Node& node, const std::string& path) {
    if (!node.IsMap()) {
      return Error(node, path, "expected a rule (a map)", "start the rule with \"- name: ...\"");
    }
    AA_RETURN_IF_ERROR(CheckKeys(
        node, path,
        {"name", "description", "select", "exclude", "actions", "limits", "schedule", "timezone"}));
    Rule rule;
    rule.file = file_;
    rule.line = node.Mark().line + 1;
    rule.bot_patterns = bot_patterns_;
    AA_RETURN_IF_ERROR(ParseName(node, path, rule));
    if (node["description"]) {
      AA_ASSIGN_OR_RETURN(rule.description, Text(node["description"], path + ".description"));
    }
    if (!node["select"]) {
      return Error(node, path + ".select", "missing",
                   "add a select: map, for example {inactive_days: 90}");
    }
    AA_RETURN_IF_ERROR(ParseSelect(node["select"], path + ".select", rule));
    if (node["exclude"]) AA_RETURN_IF_ERROR(ParseExclude(node["exclude"], path + ".exclude", rule));
    if (!node["actions"]) {
      return Error(node, path + ".actions", "missing", "add actions: [report] or [suspend]");
    }
    AA_RETURN_IF_ERROR(ParseActions(node["actions"], path + ".actions", rule));
    if (node["limits"]) AA_RETURN_IF_ERROR(ParseLimits(node["limits"], path + ".limits", rule));
    AA_RETURN_IF_ERROR(ParseSchedule(node, path, rule));
    return rule;
  }

  Status ParseName(const YAML::Node& node, const std::string& path, Rule& rule) const {
    if (!node["name"]) {
      return Error(node, path + ".name", "missing",
                   "give the rule a name: such as licence-cleanup");
    }
    AA_ASSIGN_OR_RETURN(rule.name, Text(node["name"], path + ".name"));
    bool valid =
        rule.name.size() <= 100 && std::all_of(rule.name.begin(), rule.name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        });
    if (!valid) {
      return Error(node["name"], path + ".name", "invalid name \"" + rule.name.substr(0, 40) + "\"",
                   "use up to 100 letters, digits, '-', '_' or '.'");
    }
    return Status::Ok();
  }

  Status ParseSelect(const YAML::Node& node, const std::string& path, Rule& rule) const {
    if (!node.IsMap() || node.size() == 0) {
      return Error(node, path, "expected a non-empty map",
                   "select by at least one field, for example {inactive_days: 90}");
    }
    AA_RETURN_IF_ERROR(CheckKeys(node, path,
                                 {"products", "inactive_days", "never_active_days", "account_types",
                                  "email_domains", "in_groups", "statuses", "managed"}));
    if (node["products"]) AA_RETURN_IF_ERROR(ParseProducts(node["products"], path, rule));
    if (node["inactive_days"]) {
      AA_ASSIGN_OR_RETURN(int64_t days, Integer(node["inactive_days"], path + ".inactive_days", 1,
                                                kMaxDays, "days"));
      rule.inactive_days = static_cast<int>(days);
    }
    if (node["never_active_days"]) {
      AA_ASSIGN_OR_RETURN(int64_t days, Integer(node["never_active_days"],
                                                path + ".never_active_days", 0, kMaxDays, "days"));
      rule.never_active_days = static_cast<int>(days);
    }
    if (node["account_types"]) AA_RETURN_IF_ERROR(ParseAccountTypes(node, path, rule));
    if (node["email_domains"]) AA_RETURN_IF_ERROR(ParseDomains(node, path, rule));
    if (node["in_groups"]) {
      AA_ASSIGN_OR_RETURN(rule.in_groups, TextList(node["in_groups"], path + ".in_groups"));
    }
    if (node["statuses"]) AA_RETURN_IF_ERROR(ParseStatuses(node, path, rule));
    if (node["managed"]) {
      AA_ASSIGN_OR_RETURN(bool managed, Boolean(node["managed"], path + ".managed"));
      rule.managed = managed;
    }
    return Status::Ok();
  }

  Status ParseProducts(const YAML::Node& node, const std::string& path, Rule& rule) const {
    AA_ASSIGN_OR_RETURN(auto items, TextList(node, path + ".products"));
    for (size_t i = 0; i < items.size(); ++i) {
      ProductSelector selector;
      std::string_view item = items[i];
      size_t at = item.find('@');
      selector.key = std::string(item.substr(0, at));
      if (at != std::string_view::npos) selector.site = NormalizeEmail(item.substr(at + 1));
      bool valid =
          !selector.key.empty() &&
          std::all_of(selector.key.begin(), selector.key.end(),
                      [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                      }) &&
          (at == std::string_view::npos || !selector.site.empty());
      if (!valid) {
        return Error(node[i], path + ".products[" + std::to_string(i) + "]",
                     "invalid product \"" + items[i].substr(0, 60) + "\"",
                     "write an API product key such as jira-software, confluence, "
                     "jira-servicedesk or jira-product-discovery, optionally with @site");
      }
      rule.products.push_back(std::move(selector));
    }
    return Status::Ok();
  }

  Status ParseAccountTypes(const YAML::Node& select, const std::string& path, Rule& rule) const {
    std::string field = path + ".account_types";
    AA_ASSIGN_OR_RETURN(auto items, TextList(select["account_types"], field));
    for (size_t i = 0; i < items.size(); ++i) {
      auto type = ParseAccountType(items[i]);
      if (!type) {
        return Error(select["account_types"][i], field + "[" + std::to_string(i) + "]",
                     "unknown account type \"" + items[i].substr(0, 40) + "\"",
                     "use atlassian, app or customer");
      }
      rule.account_types.push_back(*type);
    }
    return Status::Ok();
  }

  Status ParseDomains(const YAML::Node& select, const std::string& path, Rule& rule) const {
    std::string field = path + ".email_domains";
    AA_ASSIGN_OR_RETURN(auto items, TextList(select["email_domains"], field));
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].find('@') != std::string::npos || items[i].find('.') == std::string::npos) {
        return Error(select["email_domains"][i], field + "[" + std::to_string(i) + "]",
                     "invalid domain \"" + items[i].substr(0, 60) + "\"",
                     "write the domain only, such as vendor.example");
      }
      rule.email_domains.push_back(NormalizeEmail(items[i]));
    }
    return Status::Ok();
  }

  Status ParseStatuses(const YAML::Node& select, const std::string& path, Rule& rule) const {
    std::string field = path + ".statuses";
    AA_ASSIGN_OR_RETURN(auto items, TextList(select["statuses"], field));
    for (size_t i = 0; i < items.size(); ++i) {
      auto status = ParseUserStatus(items[i]);
      if (!status) {
        return Error(select["statuses"][i], field + "[" + std::to_string(i) + "]",
                     "unknown status \"" + items[i].substr(0, 40) + "\"",
                     "use active, suspended, deactivated, not_invited or for_deletion");
      }
      rule.statuses.push_back(*status);
    }
    return Status::Ok();
  }

  Status ParseExclude(const YAML::Node& node, const std::string& path, Rule& rule) const {
    if (!node.IsMap()) return Error(node, path, "expected a map", "write exclude: {emails: [...]}");
    AA_RETURN_IF_ERROR(CheckKeys(node, path,
                                 {"accounts", "emails", "groups", "bot_patterns",
                                  "disable_defaults", "restore_protection_days"}));
    if (node["accounts"]) {
      AA_ASSIGN_OR_RETURN(rule.exclude_accounts, TextList(node["accounts"], path + ".accounts"));
    }
    if (node["emails"]) {
      AA_ASSIGN_OR_RETURN(auto emails, TextList(node["emails"], path + ".emails"));
      for (size_t i = 0; i < emails.size(); ++i) {
        if (emails[i].find('@') == std::string::npos) {
          return Error(node["emails"][i], path + ".emails[" + std::to_string(i) + "]",
                       "invalid email \"" + emails[i].substr(0, 60) + "\"",
                       "write a full address such as svc-deploy@acme.example");
        }
        rule.exclude_emails.push_back(NormalizeEmail(emails[i]));
      }
    }
    if (node["groups"]) {
      AA_ASSIGN_OR_RETURN(rule.exclude_groups, TextList(node["groups"], path + ".groups"));
    }
    if (node["bot_patterns"]) {
      AA_ASSIGN_OR_RETURN(auto extra, TextList(node["bot_patterns"], path + ".bot_patterns"));
      for (const auto& pattern : extra) rule.bot_patterns.push_back(NormalizeEmail(pattern));
    }
    if (node["disable_defaults"]) AA_RETURN_IF_ERROR(ParseDisabled(node, path, rule));
    if (node["restore_protection_days"]) {
      AA_ASSIGN_OR_RETURN(
          int64_t days, Integer(node["restore_protection_days"], path + ".restore_protection_days",
                                0, 3650, "days"));
      rule.restore_protection_days = static_cast<int>(days);
    }
    return Status::Ok();
  }

  Status ParseDisabled(const YAML::Node& exclude, const std::string& path, Rule& rule) const {
    std::string field = path + ".disable_defaults";
    AA_ASSIGN_OR_RETURN(auto names, TextList(exclude["disable_defaults"], field));
    for (size_t i = 0; i < names.size(); ++i) {
      auto exclusion = ParseDefaultExclusion(names[i]);
      if (!exclusion) {
        return Error(exclude["disable_defaults"][i], field + "[" + std::to_string(i) + "]",
                     "unknown default exclusion \"" + names[i].substr(0, 40) + "\"",
                     "use org_admins, bots, target_state, deactivated, unmanaged or "
                     "recently_restored");
      }
      rule.disabled_defaults.insert(*exclusion);
    }
    return Status::Ok();
  }

  Status ParseActions(const YAML::Node& node, const std::string& path, Rule& rule) const {
    if (!node.IsSequence() || node.size() == 0) {
      return Error(node, path, "expected a non-empty list", "write actions: [suspend]");
    }
    for (size_t i = 0; i < node.size(); ++i) {
      AA_ASSIGN_OR_RETURN(ActionSpec action,
                          ParseAction(node[i], path + "[" + std::to_string(i) + "]"));
      rule.actions.push_back(std::move(action));
    }
    auto has = [&](ActionKind kind) {
      return std::any_of(rule.actions.begin(), rule.actions.end(),
                         [kind](const ActionSpec& a) { return a.kind == kind; });
    };
    if (has(ActionKind::kSuspend) && has(ActionKind::kRestore)) {
      return Error(node, path, "suspend and restore in one rule undo each other",
                   "split them into two rules");
    }
    return Status::Ok();
  }

  Result<ActionSpec> ParseAction(const YAML::Node& node, const std::string& path) const {
    constexpr std::string_view kFix =
        "use suspend, restore, remove, report, {add_to_group: NAME}, {remove_from_group: "
        "NAME}, {grant_role: ROLE}, {revoke_role: ROLE} or {notify: user}";
    ActionSpec action;
    if (node.IsScalar()) {
      auto kind = ParseActionKind(node.Scalar());
      if (!kind || (*kind != ActionKind::kSuspend && *kind != ActionKind::kRestore &&
                    *kind != ActionKind::kRemove && *kind != ActionKind::kReport)) {
        return Error(node, path, "invalid action \"" + node.Scalar().substr(0, 40) + "\"",
                     std::string(kFix));
      }
      action.kind = *kind;
      return action;
    }
    if (!node.IsMap() || node.size() != 1) {
      return Error(node, path, "expected one action", std::string(kFix));
    }
    auto entry = *node.begin();
    std::string name = entry.first.IsScalar() ? entry.first.Scalar() : "";
    auto kind = ParseActionKind(name);
    std::string field = path + "." + name;
    if (!kind || *kind == ActionKind::kSuspend || *kind == ActionKind::kRestore ||
        *kind == ActionKind::kRemove || *kind == ActionKind::kReport) {
      return Error(node, path, "invalid action \"" + name.substr(0, 40) + "\"", std::string(kFix));
    }
    action.kind = *kind;
    switch (*kind) {
      case ActionKind::kAddToGroup:
      case ActionKind::kRemoveFromGroup: {
        AA_ASSIGN_OR_RETURN(action.group, Text(entry.second, field));
        break;
      }
      case ActionKind::kGrantRole:
      case ActionKind::kRevokeRole: {
        AA_ASSIGN_OR_RETURN(action.role, Text(entry.second, field));
        break;
      }
      default:
        AA_RETURN_IF_ERROR(ParseNotify(entry.second, field, action));
    }
    return action;
  }

  Status ParseNotify(const YAML::Node& node, const std::string& path, ActionSpec& action) const {
    if (node.IsScalar()) {
      AA_ASSIGN_OR_RETURN(action.notify_to, Text(node, path));
    } else if (node.IsMap()) {
      AA_RETURN_IF_ERROR(CheckKeys(node, path, {"to", "grace_days", "message"}));
      if (!node["to"]) {
        return Error(node, path + ".to", "missing", "write to: user, admins or an address");
      }
      AA_ASSIGN_OR_RETURN(action.notify_to, Text(node["to"], path + ".to"));
      if (node["grace_days"]) {
        AA_ASSIGN_OR_RETURN(int64_t days,
                            Integer(node["grace_days"], path + ".grace_days", 0, 365, "days"));
        action.grace_days = static_cast<int>(days);
      }
      if (node["message"]) {
        AA_ASSIGN_OR_RETURN(action.message, Text(node["message"], path + ".message"));
      }
    } else {
      return Error(node, path, "expected a recipient", "write {notify: user}");
    }
    const std::string& to = action.notify_to;
    bool valid = to == "user" || to == "admins" || to.find('@') != std::string::npos ||
                 to.rfind("https://", 0) == 0 || to.rfind("http://127.0.0.1", 0) == 0;
    if (!valid) {
      return Error(node, path, "invalid recipient \"" + to.substr(0, 60) + "\"",
                   "use user, admins, an email address or an https:// webhook URL");
    }
    return Status::Ok();
  }

  Status ParseLimits(const YAML::Node& node, const std::string& path, Rule& rule) const {
    if (!node.IsMap()) {
      return Error(node, path, "expected a map", "write limits: {max_accounts: 200}");
    }
    AA_RETURN_IF_ERROR(CheckKeys(node, path, {"max_accounts", "max_fraction"}));
    if (node["max_accounts"]) {
      AA_ASSIGN_OR_RETURN(rule.max_accounts, Integer(node["max_accounts"], path + ".max_accounts",
                                                     0, 10000000, "accounts"));
    }
    if (node["max_fraction"]) {
      const YAML::Node& f = node["max_fraction"];
      std::string fix = "write a fraction above 0 and at most 1, such as 0.10 for 10%";
      if (!f.IsScalar()) return Error(f, path + ".max_fraction", "expected a number", fix);
      double value = 0;
      const std::string& text = f.Scalar();
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
          value <= 0 || value > 1) {
        return Error(f, path + ".max_fraction", "invalid value \"" + text.substr(0, 40) + "\"",
                     fix);
      }
      rule.max_fraction = value;
    }
    return Status::Ok();
  }

  Status ParseSchedule(const YAML::Node& node, const std::string& path, Rule& rule) const {
    if (node["schedule"]) {
      AA_ASSIGN_OR_RETURN(rule.schedule, Text(node["schedule"], path + ".schedule"));
      std::istringstream fields(rule.schedule);
      std::string field;
      int count = 0;
      bool valid = true;
      while (fields >> field) {
        ++count;
        valid = valid && std::all_of(field.begin(), field.end(), [](char c) {
                  return std::isalnum(static_cast<unsigned char>(c)) || c == '*' || c == ',' ||
                         c == '-' || c == '/';
                });
      }
      if (count != 5 || !valid) {
        return Error(node["schedule"], path + ".schedule",
                     "invalid cron expression \"" + rule.schedule.substr(0, 60) + "\"",
                     "write five fields: minute hour day-of-month month day-of-week, such as "
                     "\"0 3 * * 1-5\"");
      }
    }
    if (node["timezone"]) {
      AA_ASSIGN_OR_RETURN(rule.timezone, Text(node["timezone"], path + ".timezone"));
      bool valid = rule.timezone.size() <= 64 &&
                   std::all_of(rule.timezone.begin(), rule.timezone.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' ||
                            c == '-' || c == '+';
                   });
      if (!valid) {
        return Error(node["timezone"], path + ".timezone",
                     "invalid time zone \"" + rule.timezone.substr(0, 60) + "\"",
                     "write an IANA time zone name such as Europe/Berlin or UTC");
      }
    }
    return Status::Ok();
  }

  std::string file_;
  std::vector<std::string> bot_patterns_;
};

}  // namespace

Result<std::vector<Rule>> ParseRuleFile(std::string_view text, std::string_view file_name) {
  return RuleFileParser(file_name).Parse(text);
}

Result<RuleSet> LoadRuleFiles(const std::vector<std::string>& paths) {
  RuleSet set;
  std::map<std::string, std::string> file_by_rule;
  for (const auto& path : paths) {
    AA_ASSIGN_OR_RETURN(std::string content, ReadWholeFile(path, "rule file"));
    AA_ASSIGN_OR_RETURN(std::vector<Rule> rules, ParseRuleFile(content, path));
    for (auto& rule : rules) {
      if (auto [it, inserted] = file_by_rule.emplace(rule.name, path); !inserted) {
        return InvalidArgument(path + ":" + std::to_string(rule.line) + ": rule name \"" +
                               rule.name + "\" is also used in " + it->second +
                               "; give each rule a unique name");
      }
      set.rules.push_back(std::move(rule));
    }
    set.files.push_back(path);
    set.file_contents.push_back(std::move(content));
  }
  return set;
}

}  // namespace adminauto::rules
