#include "rules/plan_format.h"

#include <boost/json.hpp>
#include <set>
#include <sstream>
#include <string_view>
#include <tuple>

namespace adminauto::rules {
namespace {

// Counts UTF-8 code points; continuation bytes do not start a character.
size_t CodePoints(std::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

// Cuts `text` to `width` code points, marking a cut with "~", then pads it with spaces.
std::string Fit(std::string_view text, size_t width) {
  std::string out;
  if (CodePoints(text) <= width) {
    out = std::string(text);
  } else {
    size_t kept = 0;
    size_t i = 0;
    while (i < text.size()) {
      size_t next = i + 1;
      while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xC0) == 0x80) {
        ++next;
      }
      if (kept + 1 >= width) break;
      out.append(text.substr(i, next - i));
      ++kept;
      i = next;
    }
    out += '~';
  }
  out.append(width - CodePoints(out), ' ');
  return out;
}

// Joins cells with single spaces and drops trailing spaces.
std::string Row(std::initializer_list<std::string> cells) {
  std::string line;
  for (const auto& cell : cells) {
    if (!line.empty()) line += ' ';
    line += cell;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + "\n";
}

std::string ShortAction(ActionKind kind) {
  switch (kind) {
    case ActionKind::kAddToGroup:
      return "add group";
    case ActionKind::kRemoveFromGroup:
      return "leave group";
    case ActionKind::kGrantRole:
      return "grant role";
    case ActionKind::kRevokeRole:
      return "revoke role";
    default:
      return std::string(ToString(kind));
  }
}

// The action's parameter followed by its reason, for the table's last column.
std::string Detail(const PlannedAction& a) {
  std::string prefix;
  if (!a.group.empty()) prefix = "group " + a.group + "; ";
  if (!a.role.empty()) prefix = "role " + a.role + "; ";
  if (!a.notify_to.empty()) prefix = "to " + a.notify_to + "; ";
  return prefix + a.reason;
}

std::string Who(const std::string& email, const std::string& account_id) {
  return email.empty() ? account_id : email;
}

// Column widths of the action table's first line; with the four separating spaces they sum to
// 99. The reason follows on a second, indented line so it is not cut short.
constexpr size_t kActionWidth = 11, kWhoWidth = 40, kRuleWidth = 24, kDayWidth = 10,
                 kDaysWidth = 10;
constexpr std::string_view kReasonIndent = "    ";

std::string ActionHeader() {
  return Row({Fit("ACTION", kActionWidth), Fit("ACCOUNT", kWhoWidth), Fit("RULE", kRuleWidth),
              Fit("LASTACTIVE", kDayWidth), "DAYS IDLE"}) +
         std::string(kReasonIndent) + "REASON\n";
}

std::string ActionRow(const PlannedAction& a) {
  std::string days = a.days_inactive ? std::to_string(*a.days_inactive) : "-";
  std::string reason = Fit(Detail(a), kTableWidth - kReasonIndent.size());
  while (!reason.empty() && reason.back() == ' ') reason.pop_back();
  return Row({Fit(ShortAction(a.action), kActionWidth), Fit(Who(a.email, a.account_id), kWhoWidth),
              Fit(a.rule, kRuleWidth),
              Fit(a.last_active ? FormatIsoDay(*a.last_active) : "never", kDayWidth),
              Fit(days, kDaysWidth)}) +
         std::string(kReasonIndent) + reason + "\n";
}

std::string TotalsLine(const PlanTotals& t) {
  std::string line = "Totals:";
  bool first = true;
  for (const auto& [action, count] : t.actions) {
    line += (first ? " " : ", ") + action + " " + std::to_string(count);
    first = false;
  }
  if (first) line += " no actions";
  return line + "\n";
}

void AppendWrapped(std::string& out, const std::string& text) {
  // Warnings and limit reasons are prose; cut them at the table width like every other row.
  out += Fit(text, kTableWidth);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += "\n";
}

}  // namespace

std::string PlanToTable(const Plan& plan) {
  std::string out;
  out += "Plan for " + FormatIsoDay(plan.evaluated_at) + ": " +
         std::to_string(plan.actions.size()) + " actions, " + std::to_string(plan.excluded.size()) +
         " excluded, " + std::to_string(plan.totals.accounts) + " accounts\n";
  if (plan.stopped()) out += "STOPPED: apply will reject this plan; see Limits below\n";
  out += "\n" + ActionHeader();
  for (const auto& a : plan.actions) out += ActionRow(a);
  if (!plan.excluded.empty()) {
    constexpr size_t kExcludedWho = 34, kExcludedRule = 20;
    constexpr size_t kExcludedReason = kTableWidth - kExcludedWho - kExcludedRule - 2;
    out +=
        "\nExcluded\n" + Row({Fit("ACCOUNT", kExcludedWho), Fit("RULE", kExcludedRule), "REASON"});
    for (const auto& e : plan.excluded) {
      out += Row({Fit(Who(e.email, e.account_id), kExcludedWho), Fit(e.rule, kExcludedRule),
                  Fit(e.reason, kExcludedReason)});
    }
  }
  if (!plan.limits.empty()) {
    out += "\nLimits\n";
    for (const auto& l : plan.limits) {
      std::string line = l.rule + ": " + std::to_string(l.planned_accounts) + " of " +
                         std::to_string(l.total_accounts) + " accounts, " +
                         (l.stopped ? "STOPPED: " + l.reason : std::string("within limits"));
      AppendWrapped(out, line);
    }
  }
  out += "\n" + TotalsLine(plan.totals);
  AppendWrapped(out, "Excluded " + std::to_string(plan.totals.excluded) + ", accounts " +
                         std::to_string(plan.totals.accounts) + ", billable seats freed " +
                         std::to_string(plan.totals.billable_seats_freed));
  for (const auto& w : plan.warnings) AppendWrapped(out, "warning: " + w);
  return out;
}

namespace {

std::string CsvCell(std::string_view text, bool is_text = true) {
  std::string value(text);
  if (is_text && !value.empty() &&
      (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' ||
       value[0] == '\t' || value[0] == '\r')) {
    value.insert(0, "'");
  }
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void CsvRow(std::string& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    out += cells[i];
  }
  out += "\r\n";
}

}  // namespace

std::string PlanToCsv(const Plan& plan) {
  std::string out;
  CsvRow(out, {"entry", "account_id", "email", "name", "action", "group", "role", "notify_to",
               "rule", "reason", "last_active", "days_inactive", "revertible"});
  for (const auto& a : plan.actions) {
    CsvRow(
        out,
        {"action", CsvCell(a.account_id), CsvCell(a.email), CsvCell(a.name),
         std::string(ToString(a.action)), CsvCell(a.group), CsvCell(a.role), CsvCell(a.notify_to),
         CsvCell(a.rule), CsvCell(a.reason), a.last_active ? FormatIsoDay(*a.last_active) : "",
         a.days_inactive ? std::to_string(*a.days_inactive) : "", a.revertible ? "true" : "false"});
  }
  for (const auto& e : plan.excluded) {
    CsvRow(out, {"excluded", CsvCell(e.account_id), CsvCell(e.email), "", "", "", "", "",
                 CsvCell(e.rule), CsvCell(e.reason), "", "", ""});
  }
  return out;
}

namespace {

using ActionKey = std::tuple<std::string, std::string, int, std::string, std::string>;

ActionKey KeyOf(const PlannedAction& a) {
  return {a.rule, a.account_id, static_cast<int>(a.action), a.group, a.role};
}

std::vector<PlannedAction> Missing(const Plan& from, const Plan& in) {
  std::set<ActionKey> keys;
  for (const auto& a : in.actions) keys.insert(KeyOf(a));
  std::vector<PlannedAction> missing;
  for (const auto& a : from.actions) {
    if (!keys.count(KeyOf(a))) missing.push_back(a);
  }
  return missing;
}

}  // namespace

PlanDiff DiffPlans(const Plan& earlier, const Plan& current) {
  PlanDiff diff;
  diff.newly_qualified = Missing(current, earlier);
  diff.dropped_out = Missing(earlier, current);
  return diff;
}

std::string PlanDiffToTable(const PlanDiff& diff, const Plan& earlier, const Plan& current) {
  std::string out = "Changes from the plan of " + FormatIsoDay(earlier.evaluated_at) + " to " +
                    FormatIsoDay(current.evaluated_at) + ": " +
                    std::to_string(diff.newly_qualified.size()) + " newly qualify, " +
                    std::to_string(diff.dropped_out.size()) + " dropped out\n";
  out += "\nNewly qualify\n" + ActionHeader();
  for (const auto& a : diff.newly_qualified) out += ActionRow(a);
  out += "\nDropped out\n" + ActionHeader();
  for (const auto& a : diff.dropped_out) out += ActionRow(a);
  return out;
}

std::string PlanDiffToJson(const PlanDiff& diff, const Plan& earlier, const Plan& current) {
  namespace json = boost::json;
  auto to_array = [](const std::vector<PlannedAction>& actions) {
    json::array array;
    for (const auto& a : actions) {
      json::object o;
      o["account_id"] = a.account_id;
      o["email"] = a.email;
      o["action"] = ToString(a.action);
      if (!a.group.empty()) o["group"] = a.group;
      if (!a.role.empty()) o["role"] = a.role;
      o["rule"] = a.rule;
      o["reason"] = a.reason;
      o["last_active"] = a.last_active ? json::value(FormatIsoDay(*a.last_active)) : nullptr;
      o["days_inactive"] = a.days_inactive ? json::value(*a.days_inactive) : nullptr;
      array.push_back(std::move(o));
    }
    return array;
  };
  json::object o;
  o["earlier_evaluated_at"] = FormatIsoDay(earlier.evaluated_at);
  o["evaluated_at"] = FormatIsoDay(current.evaluated_at);
  o["newly_qualified"] = to_array(diff.newly_qualified);
  o["dropped_out"] = to_array(diff.dropped_out);
  return json::serialize(o) + "\n";
}

}  // namespace adminauto::rules
