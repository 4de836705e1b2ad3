#include "rules/plan_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

#include "core/file.h"
#include "rules/fingerprint.h"

namespace adminauto::rules {
namespace json = boost::json;

namespace {

json::value OptionalDay(const std::optional<Day>& day) {
  if (!day) return nullptr;
  return json::value(FormatIsoDay(*day));
}

json::object ActionToJson(const PlannedAction& a) {
  json::object o;
  o["account_id"] = a.account_id;
  o["email"] = a.email;
  o["name"] = a.name;
  o["action"] = ToString(a.action);
  if (!a.group.empty()) o["group"] = a.group;
  if (!a.group_id.empty()) o["group_id"] = a.group_id;
  if (!a.role.empty()) o["role"] = a.role;
  if (!a.notify_to.empty()) o["notify_to"] = a.notify_to;
  if (a.grace_days != 0) o["grace_days"] = a.grace_days;
  if (!a.message.empty()) o["message"] = a.message;
  o["rule"] = a.rule;
  o["reason"] = a.reason;
  o["last_active"] = OptionalDay(a.last_active);
  o["days_inactive"] = a.days_inactive ? json::value(*a.days_inactive) : json::value(nullptr);
  o["revertible"] = a.revertible;
  return o;
}

json::object ExclusionToJson(const PlanExclusion& e) {
  return {{"account_id", e.account_id},
          {"email", e.email},
          {"rule", e.rule},
          {"exclusion", e.exclusion},
          {"reason", e.reason}};
}

json::object LimitToJson(const RuleLimitStatus& l) {
  json::object o;
  o["rule"] = l.rule;
  o["max_accounts"] = l.max_accounts ? json::value(*l.max_accounts) : json::value(nullptr);
  o["max_fraction"] = l.max_fraction ? json::value(*l.max_fraction) : json::value(nullptr);
  o["planned_accounts"] = l.planned_accounts;
  o["total_accounts"] = l.total_accounts;
  o["stopped"] = l.stopped;
  o["reason"] = l.reason;
  return o;
}

json::object CountsToJson(const std::map<std::string, int64_t>& counts) {
  json::object o;
  for (const auto& [key, count] : counts) o[key] = count;
  return o;
}

json::object TotalsToJson(const PlanTotals& t) {
  return {{"actions", CountsToJson(t.actions)},
          {"excluded", t.excluded},
          {"accounts", t.accounts},
          {"billable_seats_freed", t.billable_seats_freed},
          {"seats_freed_by_product", CountsToJson(t.seats_freed_by_product)}};
}

json::object FingerprintToJson(const PlanFingerprint& f) {
  return {{"org_id", f.org_id},
          {"source", f.source},
          {"source_hash", f.source_hash},
          {"rules_hash", f.rules_hash},
          {"evaluation_day", FormatIsoDay(f.evaluation_day)}};
}

// Reads typed fields out of parsed JSON, building error messages that name the JSON path.
class Reader {
 public:
  Status Error(const std::string& path, const std::string& expected) const {
    return InvalidArgument("invalid plan: field \"" + path + "\": expected " + expected);
  }

  Result<const json::object*> Object(const json::value& v, const std::string& path) const {
    if (!v.is_object()) return Error(path, "an object");
    return &v.get_object();
  }

  Result<const json::array*> Array(const json::object& o, std::string_view key,
                                   const std::string& path) const {
    const json::value* v = o.if_contains(key);
    if (!v || !v->is_array()) return Error(Join(path, key), "an array");
    return &v->get_array();
  }

  // A missing optional string reads as empty.
  Result<std::string> String(const json::object& o, std::string_view key, const std::string& path,
                             bool required = true) const {
    const json::value* v = o.if_contains(key);
    if (!v) {
      if (!required) return std::string();
      return Error(Join(path, key), "a string");
    }
    if (!v->is_string()) return Error(Join(path, key), "a string");
    return std::string(v->get_string());
  }

  Result<int64_t> Int(const json::object& o, std::string_view key, const std::string& path,
                      bool required = true) const {
    const json::value* v = o.if_contains(key);
    if (!v && !required) return int64_t{0};
    if (v && v->is_int64()) return v->get_int64();
    if (v && v->is_uint64() && v->get_uint64() <= INT64_MAX) {
      return static_cast<int64_t>(v->get_uint64());
    }
    return Error(Join(path, key), "an integer");
  }

  Result<std::optional<int64_t>> OptionalInt(const json::object& o, std::string_view key,
                                             const std::string& path) const {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return std::optional<int64_t>();
    AA_ASSIGN_OR_RETURN(int64_t value, Int(o, key, path));
    return std::optional<int64_t>(value);
  }

  Result<bool> Bool(const json::object& o, std::string_view key, const std::string& path) const {
    const json::value* v = o.if_contains(key);
    if (!v || !v->is_bool()) return Error(Join(path, key), "true or false");
    return v->get_bool();
  }

  Result<Day> RequiredDay(const json::object& o, std::string_view key,
                          const std::string& path) const {
    AA_ASSIGN_OR_RETURN(std::string text, String(o, key, path));
    auto day = ParseIsoDay(text);
    if (!day.ok()) return Error(Join(path, key), "a date like 2026-12-01");
    return *day;
  }

  Result<std::optional<Day>> OptionalDay(const json::object& o, std::string_view key,
                                         const std::string& path) const {
    const json::value* v = o.if_contains(key);
    if (!v || v->is_null()) return std::optional<Day>();
    AA_ASSIGN_OR_RETURN(Day day, RequiredDay(o, key, path));
    return std::optional<Day>(day);
  }

  Result<std::map<std::string, int64_t>> Counts(const json::object& o, std::string_view key,
                                                const std::string& path) const {
    std::map<std::string, int64_t> counts;
    const json::value* v = o.if_contains(key);
    if (!v) return counts;
    if (!v->is_object()) return Error(Join(path, key), "an object of counts");
    for (const auto& entry : v->get_object()) {
      AA_ASSIGN_OR_RETURN(int64_t count, Int(v->get_object(), entry.key(), Join(path, key)));
      counts[std::string(entry.key())] = count;
    }
    return counts;
  }

  static std::string Join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
  }
  static std::string Index(std::string_view key, size_t i) {
    return std::string(key) + "[" + std::to_string(i) + "]";
  }
};

Result<PlannedAction> ParseAction(const Reader& r, const json::value& v, const std::string& p) {
  AA_ASSIGN_OR_RETURN(const json::object* o, r.Object(v, p));
  PlannedAction a;
  AA_ASSIGN_OR_RETURN(a.account_id, r.String(*o, "account_id", p));
  AA_ASSIGN_OR_RETURN(a.email, r.String(*o, "email", p, false));
  AA_ASSIGN_OR_RETURN(a.name, r.String(*o, "name", p, false));
  AA_ASSIGN_OR_RETURN(std::string kind, r.String(*o, "action", p));
  auto parsed = ParseActionKind(kind);
  if (!parsed) {
    return r.Error(Reader::Join(p, "action"),
                   "one of suspend, restore, remove, report, add_to_group, "
                   "remove_from_group, grant_role, revoke_role, notify");
  }
  a.action = *parsed;
  AA_ASSIGN_OR_RETURN(a.group, r.String(*o, "group", p, false));
  AA_ASSIGN_OR_RETURN(a.group_id, r.String(*o, "group_id", p, false));
  AA_ASSIGN_OR_RETURN(a.role, r.String(*o, "role", p, false));
  AA_ASSIGN_OR_RETURN(a.notify_to, r.String(*o, "notify_to", p, false));
  AA_ASSIGN_OR_RETURN(int64_t grace, r.Int(*o, "grace_days", p, false));
  if (grace < 0 || grace > 3650) return r.Error(Reader::Join(p, "grace_days"), "0 to 3650");
  a.grace_days = static_cast<int>(grace);
  AA_ASSIGN_OR_RETURN(a.message, r.String(*o, "message", p, false));
  AA_ASSIGN_OR_RETURN(a.rule, r.String(*o, "rule", p));
  AA_ASSIGN_OR_RETURN(a.reason, r.String(*o, "reason", p, false));
  AA_ASSIGN_OR_RETURN(a.last_active, r.OptionalDay(*o, "last_active", p));
  AA_ASSIGN_OR_RETURN(auto days, r.OptionalInt(*o, "days_inactive", p));
  if (days && (*days < INT32_MIN || *days > INT32_MAX)) {
    return r.Error(Reader::Join(p, "days_inactive"), "a 32-bit integer");
  }
  if (days) a.days_inactive = static_cast<int>(*days);
  if (o->contains("revertible")) {
    AA_ASSIGN_OR_RETURN(a.revertible, r.Bool(*o, "revertible", p));
  } else {
    a.revertible = IsRevertible(a.action);
  }
  return a;
}

Result<PlanExclusion> ParseExclusion(const Reader& r, const json::value& v, const std::string& p) {
  AA_ASSIGN_OR_RETURN(const json::object* o, r.Object(v, p));
  PlanExclusion e;
  AA_ASSIGN_OR_RETURN(e.account_id, r.String(*o, "account_id", p));
  AA_ASSIGN_OR_RETURN(e.email, r.String(*o, "email", p, false));
  AA_ASSIGN_OR_RETURN(e.rule, r.String(*o, "rule", p, false));
  AA_ASSIGN_OR_RETURN(e.exclusion, r.String(*o, "exclusion", p, false));
  AA_ASSIGN_OR_RETURN(e.reason, r.String(*o, "reason", p));
  return e;
}

Result<RuleLimitStatus> ParseLimit(const Reader& r, const json::value& v, const std::string& p) {
  AA_ASSIGN_OR_RETURN(const json::object* o, r.Object(v, p));
  RuleLimitStatus l;
  AA_ASSIGN_OR_RETURN(l.rule, r.String(*o, "rule", p));
  AA_ASSIGN_OR_RETURN(l.max_accounts, r.OptionalInt(*o, "max_accounts", p));
  if (const json::value* f = o->if_contains("max_fraction"); f && !f->is_null()) {
    if (!f->is_number()) return r.Error(Reader::Join(p, "max_fraction"), "a number");
    l.max_fraction = f->to_number<double>();
  }
  AA_ASSIGN_OR_RETURN(l.planned_accounts, r.Int(*o, "planned_accounts", p));
  AA_ASSIGN_OR_RETURN(l.total_accounts, r.Int(*o, "total_accounts", p));
  AA_ASSIGN_OR_RETURN(l.stopped, r.Bool(*o, "stopped", p));
  AA_ASSIGN_OR_RETURN(l.reason, r.String(*o, "reason", p, false));
  return l;
}

Result<PlanFingerprint> ParseFingerprint(const Reader& r, const json::object& top) {
  PlanFingerprint f;
  const json::value* v = top.if_contains("fingerprint");
  if (!v) return r.Error("fingerprint", "an object; make the plan again with adminauto plan");
  AA_ASSIGN_OR_RETURN(const json::object* o, r.Object(*v, "fingerprint"));
  AA_ASSIGN_OR_RETURN(f.org_id, r.String(*o, "org_id", "fingerprint", false));
  AA_ASSIGN_OR_RETURN(f.source, r.String(*o, "source", "fingerprint"));
  AA_ASSIGN_OR_RETURN(f.source_hash, r.String(*o, "source_hash", "fingerprint"));
  AA_ASSIGN_OR_RETURN(f.rules_hash, r.String(*o, "rules_hash", "fingerprint"));
  AA_ASSIGN_OR_RETURN(f.evaluation_day, r.RequiredDay(*o, "evaluation_day", "fingerprint"));
  return f;
}

Result<PlanTotals> ParseTotals(const Reader& r, const json::object& top) {
  PlanTotals t;
  const json::value* v = top.if_contains("totals");
  if (!v) return r.Error("totals", "an object");
  AA_ASSIGN_OR_RETURN(const json::object* o, r.Object(*v, "totals"));
  AA_ASSIGN_OR_RETURN(t.actions, r.Counts(*o, "actions", "totals"));
  AA_ASSIGN_OR_RETURN(t.excluded, r.Int(*o, "excluded", "totals"));
  AA_ASSIGN_OR_RETURN(t.accounts, r.Int(*o, "accounts", "totals"));
  AA_ASSIGN_OR_RETURN(t.billable_seats_freed, r.Int(*o, "billable_seats_freed", "totals", false));
  AA_ASSIGN_OR_RETURN(t.seats_freed_by_product, r.Counts(*o, "seats_freed_by_product", "totals"));
  return t;
}

// Parses each element of the array `key` with `parse` into `out`.
template <typename T, typename Parse>
Status ParseList(const Reader& r, const json::object& top, std::string_view key, Parse parse,
                 std::vector<T>& out) {
  AA_ASSIGN_OR_RETURN(const json::array* items, r.Array(top, key, ""));
  out.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    AA_ASSIGN_OR_RETURN(T item, parse(r, (*items)[i], Reader::Index(key, i)));
    out.push_back(std::move(item));
  }
  return Status::Ok();
}

Result<Plan> PlanFromValue(const json::value& root) {
  Reader r;
  AA_ASSIGN_OR_RETURN(const json::object* top, r.Object(root, "(top level)"));
  AA_ASSIGN_OR_RETURN(int64_t version, r.Int(*top, "format_version", "", false));
  if (version != 0 && version != Plan::kFormatVersion) {
    return r.Error("format_version", std::to_string(Plan::kFormatVersion) +
                                         "; make the plan again with this adminauto version");
  }
  Plan plan;
  AA_ASSIGN_OR_RETURN(plan.evaluated_at, r.RequiredDay(*top, "evaluated_at", ""));
  AA_ASSIGN_OR_RETURN(plan.fingerprint, ParseFingerprint(r, *top));
  if (top->contains("rules")) {
    AA_ASSIGN_OR_RETURN(const json::array* names, r.Array(*top, "rules", ""));
    for (size_t i = 0; i < names->size(); ++i) {
      if (!(*names)[i].is_string()) return r.Error(Reader::Index("rules", i), "a string");
      plan.rules.emplace_back((*names)[i].get_string());
    }
  }
  AA_RETURN_IF_ERROR(ParseList(r, *top, "actions", ParseAction, plan.actions));
  AA_RETURN_IF_ERROR(ParseList(r, *top, "excluded", ParseExclusion, plan.excluded));
  if (top->contains("limits")) {
    AA_RETURN_IF_ERROR(ParseList(r, *top, "limits", ParseLimit, plan.limits));
  }
  AA_ASSIGN_OR_RETURN(plan.totals, ParseTotals(r, *top));
  if (top->contains("warnings")) {
    AA_ASSIGN_OR_RETURN(const json::array* warnings, r.Array(*top, "warnings", ""));
    for (size_t i = 0; i < warnings->size(); ++i) {
      if (!(*warnings)[i].is_string()) return r.Error(Reader::Index("warnings", i), "a string");
      plan.warnings.emplace_back((*warnings)[i].get_string());
    }
  }
  // A plan file claiming to be stopped stays stopped even if its limit entries were edited.
  if (const json::value* s = top->if_contains("stopped");
      s && s->is_bool() && s->get_bool() && !plan.stopped()) {
    return r.Error("stopped", "limits that agree with it; make the plan again");
  }
  return plan;
}

}  // namespace

std::string PlanToJson(const Plan& plan) {
  json::object o;
  o["format_version"] = Plan::kFormatVersion;
  o["evaluated_at"] = FormatIsoDay(plan.evaluated_at);
  o["stopped"] = plan.stopped();
  o["fingerprint"] = FingerprintToJson(plan.fingerprint);
  json::array rules;
  for (const auto& name : plan.rules) rules.emplace_back(name);
  o["rules"] = std::move(rules);
  json::array actions;
  actions.reserve(plan.actions.size());
  for (const auto& a : plan.actions) actions.emplace_back(ActionToJson(a));
  o["actions"] = std::move(actions);
  json::array excluded;
  excluded.reserve(plan.excluded.size());
  for (const auto& e : plan.excluded) excluded.emplace_back(ExclusionToJson(e));
  o["excluded"] = std::move(excluded);
  json::array limits;
  for (const auto& l : plan.limits) limits.emplace_back(LimitToJson(l));
  o["limits"] = std::move(limits);
  o["totals"] = TotalsToJson(plan.totals);
  json::array warnings;
  for (const auto& w : plan.warnings) warnings.emplace_back(w);
  o["warnings"] = std::move(warnings);
  return json::serialize(o) + "\n";
}

Result<Plan> PlanFromJson(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 16;  // a plan nests four levels deep; deeper input is not a plan
  json::value root = json::parse(text, ec, {}, options);
  if (ec) return InvalidArgument("invalid plan: not valid JSON: " + ec.message());
  try {
    return PlanFromValue(root);
  } catch (const std::exception& e) {  // Boost.JSON conversions throw on out-of-range values
    return InvalidArgument(std::string("invalid plan: ") + e.what());
  }
}

Status WritePlanFile(const Plan& plan, const std::string& path) {
  // The plan lists emails, so the file is created owner-only. O_EXCL after removing a leftover
  // temporary file means a symbolic link planted at the temporary path is never followed.
  const std::string tmp = path + ".tmp";
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) {
    return Unavailable("cannot replace the leftover file \"" + tmp + "\": " + std::strerror(errno));
  }
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Unavailable("cannot write plan file \"" + tmp + "\": " + std::strerror(errno) +
                       "; check the directory");
  }
  const std::string text = PlanToJson(plan);
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  int write_errno = errno;
  bool closed = ::close(fd) == 0;
  if (written < text.size() || !closed) {
    ::unlink(tmp.c_str());
    return Unavailable("failed to write plan file \"" + tmp + "\": " + std::strerror(write_errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int rename_errno = errno;
    ::unlink(tmp.c_str());
    return Unavailable("failed to move the plan into \"" + path +
                       "\": " + std::strerror(rename_errno));
  }
  return Status::Ok();
}

std::string PlanHash(const Plan& plan) { return Sha256Hex(PlanToJson(plan)); }

Result<Plan> ReadPlanFile(const std::string& path) {
  AA_ASSIGN_OR_RETURN(std::string content, ReadWholeFile(path, "plan file"));
  auto plan = PlanFromJson(content);
  if (!plan.ok()) return plan.status().WithContext(path);
  return plan;
}

}  // namespace adminauto::rules
