// The v2 directory API (camelCase, bare cursor tokens), the v1 search endpoints that share its
// conventions, and the user-management lifecycle endpoints.
#include <algorithm>

#include "sim/sim_service.h"

namespace adminauto::sim {
namespace {

namespace json = boost::json;

constexpr int kMaxLimit = 100;  // NOTE: the v2 maximum is undocumented; larger limits are capped

bool ContainsText(std::string_view haystack, std::string_view needle) {
  return LowerAscii(std::string(haystack)).find(LowerAscii(std::string(needle))) !=
         std::string::npos;
}

bool EqualsText(std::string_view a, std::string_view b) {
  return LowerAscii(std::string(a)) == LowerAscii(std::string(b));
}

std::vector<std::string> Strings(const json::object& filter, std::string_view key) {
  std::vector<std::string> out;
  auto it = filter.find(key);
  if (it == filter.end() || !it->value().is_array()) return out;
  for (const auto& v : it->value().get_array()) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

std::string Text(const json::object& filter, std::string_view key) {
  auto it = filter.find(key);
  return it != filter.end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}

bool Has(const std::vector<std::string>& values, std::string_view value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

// Builds a filter object from GET query parameters; array parameters may repeat or hold
// comma-separated values.
json::object FilterFromQuery(const http::Request& req, std::initializer_list<const char*> arrays,
                             std::initializer_list<const char*> scalars) {
  json::object filter;
  for (const char* key : arrays) {
    json::array values;
    for (const auto& raw : req.QueryParams(key)) {
      size_t start = 0;
      while (start <= raw.size()) {
        size_t comma = raw.find(',', start);
        if (comma == std::string::npos) comma = raw.size();
        if (comma > start) values.emplace_back(raw.substr(start, comma - start));
        start = comma + 1;
      }
    }
    if (!values.empty()) filter[key] = std::move(values);
  }
  for (const char* key : scalars) {
    if (auto value = req.QueryParam(key)) filter[key] = *value;
  }
  return filter;
}

// Checks the types of a search body: arrays of strings, strings and a positive limit.
std::optional<std::string> CheckFilterTypes(const json::object& filter,
                                            std::initializer_list<const char*> arrays) {
  for (const char* key : arrays) {
    auto it = filter.find(key);
    if (it == filter.end() || it->value().is_null()) continue;
    if (!it->value().is_array()) return std::string(key) + " must be an array of strings";
    for (const auto& v : it->value().get_array()) {
      if (!v.is_string()) return std::string(key) + " must be an array of strings";
    }
  }
  return std::nullopt;
}

std::optional<int> ReadLimit(const json::object& filter, int fallback, std::string& error) {
  auto it = filter.find("limit");
  if (it == filter.end() || it->value().is_null()) return fallback;
  int64_t value = 0;
  if (it->value().is_int64()) {
    value = it->value().get_int64();
  } else if (it->value().is_string()) {
    try {
      size_t used = 0;
      value = std::stoll(std::string(it->value().get_string()), &used);
      if (used != it->value().get_string().size()) value = 0;
    } catch (const std::exception&) {
      value = 0;
    }
  }
  if (value < 1) {
    error = "limit must be a positive integer";
    return std::nullopt;
  }
  return static_cast<int>(std::min<int64_t>(value, kMaxLimit));
}

constexpr std::initializer_list<const char*> kUserArrays = {
    "accountIds",       "directoryIds", "resourceIds",  "groupIds", "status", "accountStatus",
    "membershipStatus", "roleIds",      "emailDomains", "emails",   "expand"};
constexpr std::initializer_list<const char*> kUserScalars = {"claimStatus", "searchTerm",
                                                             "mfaEnabled", "limit"};

std::optional<std::string> ValidateUserFilter(const json::object& f) {
  if (auto type_error = CheckFilterTypes(f, kUserArrays)) return type_error;
  if (!Text(f, "searchTerm").empty() && !Strings(f, "emails").empty()) {
    return std::string("searchTerm and emails cannot be used together; send one of them");
  }
  for (const auto& s : Strings(f, "status")) {
    if (!ParseUserStatus(s)) return "invalid status \"" + s + "\"";
  }
  for (const auto& s : Strings(f, "accountStatus")) {
    if (!ParseAccountStatus(s)) return "invalid accountStatus \"" + s + "\"";
  }
  for (const auto& s : Strings(f, "membershipStatus")) {
    if (!ParseMembershipStatus(s)) return "invalid membershipStatus \"" + s + "\"";
  }
  std::string claim = Text(f, "claimStatus");
  if (!claim.empty() && !ParseClaimStatus(claim)) return "invalid claimStatus \"" + claim + "\"";
  for (const auto& e : Strings(f, "expand")) {
    if (e != "platformRoles" && e != "counts.resources" && e != "productAccess" && e != "groups") {
      return "invalid expand \"" + e +
             "\"; use platformRoles, counts.resources, productAccess "
             "or groups";
    }
  }
  return std::nullopt;
}

bool MatchesUser(const json::object& f, const Org& org, const Account& a) {
  auto ids = Strings(f, "accountIds");
  if (!ids.empty() && !Has(ids, a.id)) return false;
  auto dirs = Strings(f, "directoryIds");
  if (!dirs.empty() && !Has(dirs, org.directory_id) && !Has(dirs, "-")) return false;
  std::string claim = Text(f, "claimStatus");
  if (!claim.empty() && ToString(a.claim_status) != claim) return false;
  auto statuses = Strings(f, "status");
  if (!statuses.empty() && !Has(statuses, ToString(a.status()))) return false;
  auto account_statuses = Strings(f, "accountStatus");
  if (!account_statuses.empty() && !Has(account_statuses, ToString(a.account_status))) return false;
  auto memberships = Strings(f, "membershipStatus");
  if (!memberships.empty() && !Has(memberships, ToString(a.membership_status))) return false;
  auto domains = Strings(f, "emailDomains");
  if (!domains.empty()) {
    std::string domain = a.email.substr(a.email.find('@') + 1);
    if (std::none_of(domains.begin(), domains.end(),
                     [&](const std::string& d) { return EqualsText(d, domain); })) {
      return false;
    }
  }
  auto emails = Strings(f, "emails");
  if (!emails.empty() && std::none_of(emails.begin(), emails.end(), [&](const std::string& e) {
        return EqualsText(e, a.email);
      })) {
    return false;
  }
  std::string term = Text(f, "searchTerm");
  if (!term.empty() && !ContainsText(a.name, term) && !ContainsText(a.email, term)) return false;
  auto groups = Strings(f, "groupIds");
  if (!groups.empty() && std::none_of(groups.begin(), groups.end(),
                                      [&](const std::string& g) { return Has(a.group_ids, g); })) {
    return false;
  }
  auto resources = Strings(f, "resourceIds");
  if (!resources.empty() &&
      std::none_of(a.products.begin(), a.products.end(),
                   [&](const ProductAccess& p) { return Has(resources, p.resource_id); })) {
    return false;
  }
  auto roles = Strings(f, "roleIds");
  if (!roles.empty() && std::none_of(roles.begin(), roles.end(), [&](const std::string& r) {
        return Has(a.platform_roles, r) || (r == "atlassian/user" && !a.products.empty());
      })) {
    return false;
  }
  return true;
}

std::string Nickname(const Account& a) {
  if (!a.email.empty()) return a.email.substr(0, a.email.find('@'));
  return a.name;
}

json::object V2User(const Org& org, const Account& a, const std::vector<std::string>& expand,
                    bool detail) {
  json::object user{{"accountId", a.id},
                    {"accountType", ToString(a.type)},
                    {"status", ToString(a.status())},
                    {"accountStatus", ToString(a.account_status)},
                    {"membershipStatus", ToString(a.membership_status)},
                    {"name", a.name},
                    {"nickname", Nickname(a)},
                    {"emailVerified", a.claim_status == ClaimStatus::kManaged},
                    {"claimStatus", ToString(a.claim_status)},
                    {"platformRoles", json::value_from(a.platform_roles)},
                    {"picture", "https://avatar-management.example/" + a.id + "/128"},
                    {"avatar", "https://avatar-management.example/" + a.id + "/48"},
                    {"mfaEnabled", false},
                    {"jobTitle", nullptr},
                    {"department", nullptr},
                    {"organization", nullptr},
                    {"location", nullptr},
                    {"timeZone", nullptr},
                    {"deactivatedOn", nullptr},
                    {"forDeletion", false}};
  user["email"] = a.email.empty() ? json::value(nullptr) : json::value(a.email);
  user["addedToOrg"] =
      a.added_to_org ? json::value(FormatIsoTimestamp(*a.added_to_org)) : json::value(nullptr);
  user["managementSource"] =
      a.type == AccountType::kAtlassian ? json::value("invited") : json::value(nullptr);
  if (detail) return user;
  if (Has(expand, "counts.resources")) user["counts"] = {{"resources", a.products.size()}};
  if (Has(expand, "productAccess")) {
    json::array products;
    for (const auto& p : a.products) {
      json::object item{{"key", p.key}, {"id", p.resource_id}};
      item["lastActiveTimestamp"] =
          p.last_active ? json::value(FormatIsoTimestamp(*p.last_active)) : json::value(nullptr);
      products.push_back(std::move(item));
    }
    user["productAccess"] = std::move(products);
  }
  if (Has(expand, "groups")) {
    json::array groups;
    for (const auto& id : a.group_ids) {
      if (const SimGroup* g = org.data.FindGroup(id)) {
        groups.push_back(
            {{"id", g->group.id},
             {"name", g->group.name},
             {"description", g->group.description.empty() ? json::value(nullptr)
                                                          : json::value(g->group.description)}});
      }
    }
    user["groups"] = std::move(groups);
  }
  user["links"] = {{"self", a.id}};
  return user;
}

json::object V2Group(const Org& org, const DirectoryData& view, const SimGroup& g) {
  size_t users = 0;
  for (const auto& a : view.accounts) users += Has(a.group_ids, g.group.id) ? 1 : 0;
  size_t resources = 0;
  for (const auto& r : g.roles) resources += r.resource_id.empty() ? 0 : 1;
  bool locked = g.group.is_default || g.group.grants_admin;
  return {{"id", g.group.id},
          {"name", g.group.name},
          {"description", g.group.description},
          {"directoryId", org.directory_id},
          {"managementAccess",
           {{"deletable", !locked && !g.group.external_synced},
            {"modifiable", !locked && !g.group.external_synced},
            {"readable", true}}},
          {"externalSynced", g.group.external_synced},
          {"managedBy", g.group.external_synced ? "external" : "admins"},
          {"counts", {{"users", users}, {"resources", resources}}},
          {"links", {{"self", g.group.id}}}};
}

}  // namespace

namespace {

// Checks the `{directoryId}` of a v2 path: "-" (every directory) or the org's directory.
std::optional<http::Response> CheckDirectory(const Ctx& ctx) {
  const std::string& dir = ctx.req.PathParam("directoryId");
  if (dir == "-" || dir == ctx.org.directory_id) return std::nullopt;
  return V2Error(404, "ADMIN-UAM-404-1", "", "Directory " + dir + " was not found");
}

}  // namespace

http::Response SimService::DirectoriesList(Ctx& ctx) {
  json::array data{
      {{"directoryId", ctx.org.directory_id}, {"name", ctx.org.directory_name}, {"icon", nullptr}}};
  return JsonResponse(
      200, json::object{{"data", std::move(data)},
                        {"links", {{"self", nullptr}, {"prev", nullptr}, {"next", nullptr}}}});
}

http::Response SimService::V2UsersList(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  json::object filter = FilterFromQuery(ctx.req, kUserArrays, kUserScalars);
  std::string token = ctx.req.QueryParam("cursor").value_or("");
  // With a cursor every other parameter is ignored, as the API documents.
  CursorData cursor;
  if (auto bad = ReadCursor(ctx, ApiFamily::kV2, "v2.users", token, cursor)) return *bad;
  if (!token.empty()) filter = json::parse(cursor.filter).as_object();
  if (auto error = ValidateUserFilter(filter)) return V2Error(400, "ADMIN-UAM-400-1", "", *error);
  std::string limit_error;
  auto limit = ReadLimit(filter, 50, limit_error);
  if (!limit) return V2Error(400, "ADMIN-UAM-400-1", "", limit_error);
  cursor.filter = json::serialize(filter);
  bool more = false;
  const auto& accounts = ctx.view.accounts;
  auto page = CollectPage(
      accounts.size(), cursor.position, static_cast<size_t>(*limit),
      [&](size_t i) { return MatchesUser(filter, ctx.org, accounts[i]); }, more);
  json::array data;
  auto expand = Strings(filter, "expand");
  for (size_t i : page) data.push_back(V2User(ctx.org, accounts[i], expand, false));
  json::object links{{"self", token.empty() ? json::value(nullptr) : json::value(token)},
                     {"prev", nullptr},
                     {"next", nullptr}};
  if (more) links["next"] = NextToken(ctx, cursor, token, page.back() + 1, page.back());
  return JsonResponse(200, json::object{{"data", std::move(data)}, {"links", std::move(links)}});
}

http::Response SimService::V2UsersSearch(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  json::object filter;
  if (auto bad = ParseBody(ctx, ApiFamily::kV2, true, filter)) return *bad;
  std::string token = Text(filter, "cursor");
  filter.erase("cursor");
  if (auto error = ValidateUserFilter(filter)) return V2Error(400, "ADMIN-UAM-400-1", "", *error);
  std::string limit_error;
  auto limit = ReadLimit(filter, 50, limit_error);
  if (!limit) return V2Error(400, "ADMIN-UAM-400-1", "", limit_error);
  CursorData cursor;
  if (auto bad = ReadCursor(ctx, ApiFamily::kV2, "v2.users.search", token, cursor)) return *bad;
  // The client resends the body with the cursor; the cursor's filter decides the rows.
  if (!token.empty()) filter = json::parse(cursor.filter).as_object();
  cursor.filter = json::serialize(filter);
  bool more = false;
  const auto& accounts = ctx.view.accounts;
  auto page = CollectPage(
      accounts.size(), cursor.position, static_cast<size_t>(*limit),
      [&](size_t i) { return MatchesUser(filter, ctx.org, accounts[i]); }, more);
  json::array data;
  auto expand = Strings(filter, "expand");
  for (size_t i : page) data.push_back(V2User(ctx.org, accounts[i], expand, false));
  json::object links{{"self", nullptr}, {"prev", nullptr}, {"next", nullptr}};
  if (more) links["next"] = NextToken(ctx, cursor, token, page.back() + 1, page.back());
  return JsonResponse(200, json::object{{"data", std::move(data)}, {"links", std::move(links)}});
}

http::Response SimService::V2UserGet(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  const Account* account = ctx.view.FindAccount(ctx.req.PathParam("accountId"));
  if (account == nullptr) {
    return V2Error(404, "ADMIN-UAM-404-1", "",
                   "User " + ctx.req.PathParam("accountId") + " was not found");
  }
  return JsonResponse(200, json::object{{"data", V2User(ctx.org, *account, {}, true)}});
}

// Suspend, restore and remove return 204 with no body. NOTE: Atlassian documents no status for
// these three, so 204 is a guess that clients must not rely on.
http::Response SimService::V2Suspend(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  auto result = SuspendAccount(ctx, ctx.req.PathParam("accountId"));
  return result.outcome == Outcome::kOk ? NoContent() : ActionError(ApiFamily::kV2, result);
}

http::Response SimService::V2Restore(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  auto result = RestoreAccount(ctx, ctx.req.PathParam("accountId"));
  return result.outcome == Outcome::kOk ? NoContent() : ActionError(ApiFamily::kV2, result);
}

http::Response SimService::V2Remove(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  auto result = RemoveAccount(ctx, ctx.req.PathParam("accountId"));
  return result.outcome == Outcome::kOk ? NoContent() : ActionError(ApiFamily::kV2, result);
}

http::Response SimService::V2UserRoles(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  const Account* account = ctx.view.FindAccount(ctx.req.PathParam("accountId"));
  if (account == nullptr) {
    return V2Error(404, "ADMIN-UAM-404-1", "",
                   "User " + ctx.req.PathParam("accountId") + " was not found");
  }
  json::array data;
  for (const auto& role : account->platform_roles) {
    data.push_back({{"resourceId", "ari:cloud:platform::org/" + ctx.org.id}, {"roleId", role}});
  }
  for (const auto& p : account->products) {
    data.push_back({{"resourceId", p.resource_id}, {"roleId", "atlassian/user"}});
  }
  return JsonResponse(200, json::object{{"data", std::move(data)}, {"links", {{"next", nullptr}}}});
}

namespace {

constexpr std::initializer_list<const char*> kGroupArrays = {"groupIds", "groupNames", "accountIds",
                                                             "expand"};

std::optional<std::string> ValidateGroupFilter(const json::object& f) {
  if (auto type_error = CheckFilterTypes(f, kGroupArrays)) return type_error;
  bool names = !Strings(f, "groupNames").empty();
  if (names && (!Text(f, "searchTerm").empty() || !Strings(f, "groupIds").empty())) {
    return std::string("groupNames cannot be combined with searchTerm or groupIds");
  }
  return std::nullopt;
}

bool MatchesGroup(const json::object& f, const DirectoryData& view, const SimGroup& g) {
  auto ids = Strings(f, "groupIds");
  if (!ids.empty() && !Has(ids, g.group.id)) return false;
  auto names = Strings(f, "groupNames");
  if (!names.empty() && std::none_of(names.begin(), names.end(), [&](const std::string& n) {
        return EqualsText(n, g.group.name);
      })) {
    return false;
  }
  std::string term = Text(f, "searchTerm");
  if (!term.empty() && !ContainsText(g.group.name, term)) return false;
  auto accounts = Strings(f, "accountIds");
  if (!accounts.empty() &&
      std::none_of(accounts.begin(), accounts.end(), [&](const std::string& id) {
        const Account* a = view.FindAccount(id);
        return a != nullptr && Has(a->group_ids, g.group.id);
      })) {
    return false;
  }
  return true;
}

}  // namespace

http::Response SimService::V2GroupsSearch(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  json::object filter;
  if (ctx.req.method == "GET") {
    filter = FilterFromQuery(ctx.req, kGroupArrays, {"searchTerm", "limit"});
    if (auto token = ctx.req.QueryParam("cursor")) filter["cursor"] = *token;
  } else if (auto bad = ParseBody(ctx, ApiFamily::kV2, true, filter)) {
    return *bad;
  }
  std::string token = Text(filter, "cursor");
  filter.erase("cursor");
  CursorData cursor;
  if (auto bad = ReadCursor(ctx, ApiFamily::kV2, "v2.groups", token, cursor)) return *bad;
  if (!token.empty()) filter = json::parse(cursor.filter).as_object();
  if (auto error = ValidateGroupFilter(filter)) return V2Error(400, "ADMIN-UAM-400-1", "", *error);
  std::string limit_error;
  auto limit = ReadLimit(filter, 20, limit_error);
  if (!limit) return V2Error(400, "ADMIN-UAM-400-1", "", limit_error);
  cursor.filter = json::serialize(filter);
  const auto& groups = ctx.view.groups;
  bool more = false;
  auto page = CollectPage(
      groups.size(), cursor.position, static_cast<size_t>(*limit),
      [&](size_t i) { return MatchesGroup(filter, ctx.view, groups[i]); }, more);
  json::array data;
  for (size_t i : page) data.push_back(V2Group(ctx.org, ctx.view, groups[i]));
  json::object links{{"self", nullptr}, {"prev", nullptr}, {"next", nullptr}};
  if (more) links["next"] = NextToken(ctx, cursor, token, page.back() + 1, page.back());
  return JsonResponse(200, json::object{{"data", std::move(data)}, {"links", std::move(links)}});
}

http::Response SimService::V2GroupsList(Ctx& ctx) { return V2GroupsSearch(ctx); }

http::Response SimService::V2GroupCreate(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  json::object body;
  if (auto bad = ParseBody(ctx, ApiFamily::kV2, false, body)) return *bad;
  std::string name = Text(body, "name");
  if (name.empty()) return V2Error(400, "ADMIN-UAM-400-1", "", "name is required, a string");
  std::string group_id;
  auto result = CreateGroup(ctx, name, Text(body, "description"), group_id);
  if (result.outcome != Outcome::kOk) return ActionError(ApiFamily::kV2, result);
  // NOTE: the create response shape is undocumented; the simulator returns the group object.
  return JsonResponse(201, V2Group(ctx.org, ctx.org.data, *ctx.org.data.FindGroup(group_id)));
}

http::Response SimService::V2GroupGet(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  const SimGroup* group = ctx.view.FindGroup(ctx.req.PathParam("groupId"));
  if (group == nullptr) {
    return V2Error(404, "ADMIN-UAM-404-3", "",
                   "Group " + ctx.req.PathParam("groupId") + " was not found");
  }
  return JsonResponse(200, json::object{{"data", V2Group(ctx.org, ctx.view, *group)}});
}

http::Response SimService::V2GroupDelete(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  auto result = DeleteGroup(ctx, ctx.req.PathParam("groupId"));
  return result.outcome == Outcome::kOk ? NoContent() : ActionError(ApiFamily::kV2, result);
}

http::Response SimService::V2MembershipAdd(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  json::object body;
  if (auto bad = ParseBody(ctx, ApiFamily::kV2, false, body)) return *bad;
  std::string account_id = Text(body, "accountId");  // camelCase in v2
  if (account_id.empty()) {
    return V2Error(400, "ADMIN-UAM-400-1", "", "accountId is required, a string");
  }
  auto result = AddMembership(ctx, ctx.req.PathParam("groupId"), account_id);
  return result.outcome == Outcome::kOk ? NoContent() : ActionError(ApiFamily::kV2, result);
}

http::Response SimService::V2MembershipRemove(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  auto result = RemoveMembership(ctx, ctx.req.PathParam("groupId"), ctx.req.PathParam("accountId"));
  return result.outcome == Outcome::kOk ? NoContent() : ActionError(ApiFamily::kV2, result);
}

http::Response SimService::V2GroupRoles(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  const SimGroup* group = ctx.view.FindGroup(ctx.req.PathParam("groupId"));
  if (group == nullptr) {
    return V2Error(404, "ADMIN-UAM-404-3", "",
                   "Group " + ctx.req.PathParam("groupId") + " was not found");
  }
  json::array data;
  for (const auto& r : group->roles) {
    data.push_back({{"resourceId", r.resource_id.empty() ? "ari:cloud:platform::org/" + ctx.org.id
                                                         : r.resource_id},
                    {"roleId", r.role_id}});
  }
  return JsonResponse(200, json::object{{"data", std::move(data)}, {"links", {{"next", nullptr}}}});
}

http::Response SimService::V2GroupRoleChange(Ctx& ctx) {
  if (auto bad = CheckDirectory(ctx)) return *bad;
  json::object body;
  if (auto bad = ParseBody(ctx, ApiFamily::kV2, false, body)) return *bad;
  RoleAssignment role{Text(body, "resourceId"), Text(body, "roleId")};
  if (role.role_id.empty() || role.resource_id.empty()) {
    return V2Error(400, "ADMIN-UAM-400-1", "", "resourceId and roleId are required strings");
  }
  bool assign = ctx.req.segments.back() == "assign";
  auto result = ChangeGroupRole(ctx, ctx.req.PathParam("groupId"), role, assign);
  return result.outcome == Outcome::kOk ? NoContent() : ActionError(ApiFamily::kV2, result);
}

namespace {

std::optional<http::Response> CheckManaged(const Account* account, const std::string& id) {
  if (account == nullptr)
    return ManageError(404, "accountNotFound", "Account " + id + " not found");
  if (account->claim_status != ClaimStatus::kManaged) {
    // Observed against the real service for writes on unmanaged accounts.
    return ManageError(403, "forbidden.targetUnverified",
                       "Caller must be a verified org admin of targeted account");
  }
  return std::nullopt;
}

}  // namespace

http::Response SimService::LifecycleDisable(Ctx& ctx) {
  const std::string& id = ctx.req.PathParam("accountId");
  Account* account = ctx.org.data.FindAccount(id);
  if (auto bad = CheckManaged(account, id)) return *bad;
  json::object body;
  if (auto bad = ParseBody(ctx, ApiFamily::kManage, true, body)) return *bad;
  if (account->account_status != AccountStatus::kInactive) {
    BeforeWrite(ctx.org);
    account->account_status = AccountStatus::kInactive;
    AddAccountEvent(ctx, *account, "user_deactivated", "Deactivated " + account->name);
  }
  return NoContent();
}

http::Response SimService::LifecycleEnable(Ctx& ctx) {
  const std::string& id = ctx.req.PathParam("accountId");
  Account* account = ctx.org.data.FindAccount(id);
  if (auto bad = CheckManaged(account, id)) return *bad;
  if (account->account_status != AccountStatus::kActive) {
    BeforeWrite(ctx.org);
    account->account_status = AccountStatus::kActive;
    AddAccountEvent(ctx, *account, "user_reactivated", "Reactivated " + account->name);
  }
  return NoContent();
}

// v1 users/search: camelCase, bare cursor, unmanaged accounts included, and name and email
// only when expanded, as measured against the real service before its removal.
http::Response SimService::V1UsersSearch(Ctx& ctx) {
  json::object filter;
  if (auto bad = ParseBody(ctx, ApiFamily::kV1, true, filter)) return *bad;
  std::string token = Text(filter, "cursor");
  filter.erase("cursor");
  CursorData cursor;
  if (auto bad = ReadCursor(ctx, ApiFamily::kV1, "v1.users.search", token, cursor)) return *bad;
  if (!token.empty()) filter = json::parse(cursor.filter).as_object();
  if (auto type_error = CheckFilterTypes(filter, {"accountIds", "accountTypes", "expand"})) {
    return V1Error(400, "ADMIN-400-24", "Invalid request body", *type_error);
  }
  auto expand = Strings(filter, "expand");
  if (Has(expand, "PRODUCT_ACCESS")) {
    return V1Error(400, "INVALID_PARAM", "", "expand PRODUCT_ACCESS is not supported");
  }
  std::string limit_error;
  auto limit = ReadLimit(filter, 50, limit_error);
  if (!limit) return V1Error(400, "ADMIN-400-24", "Invalid request body", limit_error);
  cursor.filter = json::serialize(filter);
  auto ids = Strings(filter, "accountIds");
  auto types = Strings(filter, "accountTypes");
  std::optional<bool> suspended;
  if (auto it = filter.find("isSuspended"); it != filter.end() && it->value().is_bool()) {
    suspended = it->value().get_bool();
  }
  std::vector<std::string> domains;
  std::string domain_contains;
  if (auto it = filter.find("emailDomains"); it != filter.end() && it->value().is_object()) {
    domains = Strings(it->value().get_object(), "eq");
    domain_contains = Text(it->value().get_object(), "contains");
  }
  const auto& accounts = ctx.view.accounts;
  auto matches = [&](size_t i) {
    const Account& a = accounts[i];
    if (!ids.empty() && !Has(ids, a.id)) return false;
    if (!types.empty() && !Has(types, ToString(a.type))) return false;
    if (suspended && (a.membership_status == MembershipStatus::kSuspended) != *suspended)
      return false;
    std::string domain = a.email.substr(a.email.find('@') + 1);
    if (!domains.empty() && std::none_of(domains.begin(), domains.end(), [&](const std::string& d) {
          return EqualsText(d, domain);
        })) {
      return false;
    }
    return domain_contains.empty() || ContainsText(domain, domain_contains);
  };
  bool more = false;
  auto page =
      CollectPage(accounts.size(), cursor.position, static_cast<size_t>(*limit), matches, more);
  json::array data;
  for (size_t i : page) {
    const Account& a = accounts[i];
    json::object row{{"accountId", a.id},
                     {"accountType", ToString(a.type)},
                     {"accountStatus", ToString(a.account_status)},
                     {"statusInUserbase", ToString(a.membership_status)}};
    if (Has(expand, "NAME")) {
      row["name"] = a.name;
      row["nickname"] = Nickname(a);
    }
    if (Has(expand, "EMAIL") && !a.email.empty()) row["email"] = a.email;
    if (Has(expand, "EMAIL_VERIFIED"))
      row["emailVerified"] = a.claim_status == ClaimStatus::kManaged;
    data.push_back(std::move(row));
  }
  json::object links{{"next", nullptr}};
  if (more) links["next"] = NextToken(ctx, cursor, token, page.back() + 1, page.back());
  return JsonResponse(200, json::object{{"data", std::move(data)}, {"links", std::move(links)}});
}

http::Response SimService::V1GroupsSearch(Ctx& ctx) {
  json::object filter;
  if (auto bad = ParseBody(ctx, ApiFamily::kV1, true, filter)) return *bad;
  std::string token = Text(filter, "cursor");
  filter.erase("cursor");
  CursorData cursor;
  if (auto bad = ReadCursor(ctx, ApiFamily::kV1, "v1.groups.search", token, cursor)) return *bad;
  if (!token.empty()) filter = json::parse(cursor.filter).as_object();
  if (auto error = ValidateGroupFilter(filter)) {
    return V1Error(400, "ADMIN-400-24", "Invalid request body", *error);
  }
  std::string limit_error;
  auto limit = ReadLimit(filter, 20, limit_error);
  if (!limit) return V1Error(400, "ADMIN-400-24", "Invalid request body", limit_error);
  cursor.filter = json::serialize(filter);
  const auto& groups = ctx.view.groups;
  bool more = false;
  auto page = CollectPage(
      groups.size(), cursor.position, static_cast<size_t>(*limit),
      [&](size_t i) { return MatchesGroup(filter, ctx.view, groups[i]); }, more);
  json::array data;
  for (size_t i : page) {
    data.push_back({{"id", groups[i].group.id},
                    {"name", groups[i].group.name},
                    {"description", groups[i].group.description}});
  }
  json::object links{{"next", nullptr}};
  if (more) links["next"] = NextToken(ctx, cursor, token, page.back() + 1, page.back());
  return JsonResponse(200, json::object{{"data", std::move(data)}, {"links", std::move(links)}});
}

void SimService::AddV2Routes(http::Router& router) {
  const std::string org = "/admin/v2/orgs/{orgId}";
  const std::string dir = org + "/directories/{directoryId}";
  auto read = [](std::string name, bool accounts = false) {
    return RouteInfo{std::move(name), ApiFamily::kV2, false, false, accounts};
  };
  auto write = [](std::string name) {
    return RouteInfo{std::move(name), ApiFamily::kV2, true, false, false};
  };
  Add(router, "GET", org + "/directories", read("v2.directories.list"),
      &SimService::DirectoriesList);
  Add(router, "GET", dir + "/users", read("v2.users.list", true), &SimService::V2UsersList);
  Add(router, "POST", dir + "/users/search", read("v2.users.search", true),
      &SimService::V2UsersSearch);
  Add(router, "GET", dir + "/users/{accountId}", read("v2.users.get", true),
      &SimService::V2UserGet);
  Add(router, "POST", dir + "/users/{accountId}/suspend", write("v2.users.suspend"),
      &SimService::V2Suspend);
  Add(router, "POST", dir + "/users/{accountId}/restore", write("v2.users.restore"),
      &SimService::V2Restore);
  Add(router, "DELETE", dir + "/users/{accountId}", write("v2.users.remove"),
      &SimService::V2Remove);
  Add(router, "GET", dir + "/users/{accountId}/role-assignments",
      read("v2.users.role_assignments", true), &SimService::V2UserRoles);
  Add(router, "GET", dir + "/groups", read("v2.groups.list"), &SimService::V2GroupsList);
  Add(router, "POST", dir + "/groups/search", read("v2.groups.search"),
      &SimService::V2GroupsSearch);
  Add(router, "POST", dir + "/groups", write("v2.groups.create"), &SimService::V2GroupCreate);
  Add(router, "GET", dir + "/groups/{groupId}", read("v2.groups.get"), &SimService::V2GroupGet);
  Add(router, "DELETE", dir + "/groups/{groupId}", write("v2.groups.delete"),
      &SimService::V2GroupDelete);
  Add(router, "POST", dir + "/groups/{groupId}/memberships", write("v2.memberships.add"),
      &SimService::V2MembershipAdd);
  Add(router, "DELETE", dir + "/groups/{groupId}/memberships/{accountId}",
      write("v2.memberships.remove"), &SimService::V2MembershipRemove);
  Add(router, "GET", dir + "/groups/{groupId}/role-assignments", read("v2.groups.role_assignments"),
      &SimService::V2GroupRoles);
  Add(router, "POST", dir + "/groups/{groupId}/role-assignments/assign",
      write("v2.groups.roles.assign"), &SimService::V2GroupRoleChange);
  Add(router, "POST", dir + "/groups/{groupId}/role-assignments/revoke",
      write("v2.groups.roles.revoke"), &SimService::V2GroupRoleChange);
  RouteInfo disable{"manage.lifecycle.disable", ApiFamily::kManage, true, false, false};
  RouteInfo enable{"manage.lifecycle.enable", ApiFamily::kManage, true, false, false};
  Add(router, "POST", "/users/{accountId}/manage/lifecycle/disable", disable,
      &SimService::LifecycleDisable);
  Add(router, "POST", "/users/{accountId}/manage/lifecycle/enable", enable,
      &SimService::LifecycleEnable);
}

}  // namespace adminauto::sim
