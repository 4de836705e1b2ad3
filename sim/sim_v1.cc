// The v1 Organizations API: orgs, managed accounts (snake_case, absolute `links.next`),
// last-active dates, domains, events, user role grants, and the write and search endpoints
// that stopped working after 2026-06-30.
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "sim/sim_service.h"

namespace adminauto::sim {
namespace {

namespace json = boost::json;

// v1 user lists format times with milliseconds: "2026-05-01T10:12:13.000Z".
std::string MillisTime(Timestamp t) {
  std::string iso = FormatIsoTimestamp(t);
  return iso.substr(0, iso.size() - 1) + ".000Z";
}

std::string EncodeQuery(std::string_view value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

std::string SiteUrl(const ProductAccess& p) {
  return "https://" + (p.site.empty() ? std::string("site") : p.site) + ".atlassian.net";
}

json::object V1User(const SimService& sim, const Org& org, const Account& a) {
  json::array products;
  std::optional<Timestamp> latest;
  for (const auto& p : a.products) {
    json::object item{{"key", p.key}, {"name", ProductDisplayName(p.key)}, {"url", SiteUrl(p)}};
    if (p.last_active) {
      item["last_active"] = MillisTime(*p.last_active);
      if (!latest || *p.last_active > *latest) latest = p.last_active;
    }
    products.push_back(std::move(item));
  }
  bool billable = a.type == AccountType::kAtlassian && a.account_status == AccountStatus::kActive &&
                  a.membership_status == MembershipStatus::kActive && !a.products.empty();
  json::object user{{"account_id", a.id},
                    {"account_type", ToString(a.type)},
                    {"account_status", ToString(a.account_status)},
                    {"name", a.name},
                    {"picture", "https://avatar-management.example/" + a.id + "/128"},
                    {"access_billable", billable},
                    {"product_access", std::move(products)},
                    {"links", {{"self", sim.Url("/admin/v1/orgs/" + org.id + "/users/" + a.id)}}}};
  if (!a.email.empty()) user["email"] = a.email;
  if (latest) user["last_active"] = MillisTime(*latest);
  return user;
}

json::object OrgModel(const SimService& sim, const Org& org) {
  std::string self = sim.Url("/admin/v1/orgs/" + org.id);
  return {{"id", org.id},
          {"type", "orgs"},
          {"attributes", {{"name", org.name}}},
          {"relationships",
           {{"domains", {{"links", {{"related", self + "/domains"}}}}},
            {"users", {{"links", {{"related", self + "/users"}}}}}}},
          {"links", {{"self", self}}}};
}

json::object DomainModel(const SimService& sim, const Org& org, const Domain& d, bool unverified) {
  return {{"id", d.id},
          {"type", "domains"},
          {"attributes",
           {{"name", d.name},
            {"claim", {{"type", d.claim_type}, {"status", unverified ? "unverified" : d.status}}}}},
          {"links", {{"self", sim.Url("/admin/v1/orgs/" + org.id + "/domains/" + d.id)}}}};
}

json::object EventModel(const SimService& sim, const Org& org, const Event& e, bool stream) {
  json::array context;
  if (!e.account_id.empty()) {
    context.push_back(
        {{"id", e.account_id},
         {"type", "users"},
         {"attributes",
          {{"name", e.account_name}, {"email", e.account_email}, {"accountType", "atlassian"}}},
         {"links", {{"self", sim.Url("/users/" + e.account_id + "/manage/profile")}}}});
  }
  if (!e.group_id.empty()) {
    context.push_back({{"id", e.group_id},
                       {"type", "groups"},
                       {"attributes", {{"name", e.group_name}}},
                       {"links", json::object{}}});
  }
  json::object attributes{
      {"time", FormatIsoTimestamp(e.time)},
      {"action", e.action},
      {"actor",
       {{"id", "sim-org-api-key"}, {"name", "Organization API key"}, {"links", json::object{}}}},
      {"context", std::move(context)},
      {"container", json::array{}},
      {"location", {{"ip", "127.0.0.1"}}}};
  if (stream) attributes["processedAt"] = FormatIsoTimestamp(e.time);
  return {{"id", e.id},
          {"type", "events"},
          {"attributes", std::move(attributes)},
          {"links", {{"self", sim.Url("/admin/v1/orgs/" + org.id + "/events/" + e.id)}}},
          {"message", {{"content", e.message}, {"format", "simple"}}}};
}

// Parses an epoch-milliseconds query value; nullopt for absent, error text for invalid.
std::optional<int64_t> ReadMillis(const http::Request& req, const char* name, bool& bad) {
  auto text = req.QueryParam(name);
  if (!text) return std::nullopt;
  try {
    size_t used = 0;
    int64_t value = std::stoll(*text, &used);
    if (used != text->size()) bad = true;
    return value;
  } catch (const std::exception&) {
    bad = true;
    return std::nullopt;
  }
}

int ReadLimit(const http::Request& req, int fallback, int max, bool& bad) {
  auto text = req.QueryParam("limit");
  if (!text) return fallback;
  try {
    size_t used = 0;
    int value = std::stoi(*text, &used);
    if (used != text->size() || value < 1) bad = true;
    return std::min(value, max);
  } catch (const std::exception&) {
    bad = true;
    return fallback;
  }
}

}  // namespace

http::Response SimService::OrgsList(Ctx& ctx) {
  // Each key belongs to one org, so the list contains that org only.
  return JsonResponse(200, json::object{{"data", json::array{OrgModel(*this, ctx.org)}},
                                        {"links", {{"self", Url("/admin/v1/orgs")}}}});
}

http::Response SimService::OrgsGet(Ctx& ctx) {
  return JsonResponse(200, json::object{{"data", OrgModel(*this, ctx.org)}});
}

http::Response SimService::UsersList(Ctx& ctx) {
  std::string token = ctx.req.QueryParam("cursor").value_or("");
  CursorData cursor;
  if (auto bad = ReadCursor(ctx, ApiFamily::kV1, "v1.users", token, cursor)) return *bad;
  std::string self = "/admin/v1/orgs/" + ctx.org.id + "/users";
  json::array data;
  json::object links{{"self", Url(self + (token.empty() ? "" : "?cursor=" + EncodeQuery(token)))}};
  size_t total = 0;
  // An org without a verified domain has no managed accounts: 200 with an empty list.
  bool no_domain = faults_.no_verified_domain && ctx.org.id == primary_org_;
  if (!no_domain) {
    const auto& accounts = ctx.view.accounts;
    bool more = false;
    auto page = CollectPage(
        accounts.size(), cursor.position, static_cast<size_t>(options_.page_size_v1),
        [&](size_t i) { return accounts[i].claim_status == ClaimStatus::kManaged; }, more);
    for (size_t i : page) data.push_back(V1User(*this, ctx.org, accounts[i]));
    if (more) {
      links["next"] = Url(self + "?cursor=" +
                          EncodeQuery(NextToken(ctx, cursor, token, page.back() + 1, page.back())));
    }
    total = ManagedTotal(ctx.view);
  }
  return JsonResponse(200, json::object{{"data", std::move(data)},
                                        {"links", std::move(links)},
                                        {"meta", {{"total", total}}}});
}

http::Response SimService::LastActive(Ctx& ctx) {
  const Account* account = ctx.view.FindAccount(ctx.req.PathParam("accountId"));
  if (account == nullptr) {
    return V1Error(404, "ADMIN-404-8", "",
                   "User " + ctx.req.PathParam("accountId") + " was not found");
  }
  std::string token = ctx.req.QueryParam("cursor").value_or("");
  CursorData cursor;
  if (auto bad = ReadCursor(ctx, ApiFamily::kV1, "v1.last_active:" + account->id, token, cursor)) {
    return *bad;
  }
  constexpr size_t kPageSize = 50;
  json::array products;
  bool more = false;
  auto page = CollectPage(
      account->products.size(), cursor.position, kPageSize,
      [&](size_t i) { return account->products[i].last_active.has_value(); }, more);
  for (size_t i : page) {
    const ProductAccess& p = account->products[i];
    products.push_back({{"id", p.resource_id},
                        {"key", p.key},
                        {"last_active", FormatIsoDay(DayOf(*p.last_active))},
                        {"last_active_timestamp", FormatIsoTimestamp(*p.last_active)}});
  }
  json::object data{{"product_access", std::move(products)}};
  data["added_to_org"] = account->added_to_org
                             ? json::value(FormatIsoDay(DayOf(*account->added_to_org)))
                             : json::value(nullptr);
  data["added_to_org_timestamp"] = account->added_to_org
                                       ? json::value(FormatIsoTimestamp(*account->added_to_org))
                                       : json::value(nullptr);
  json::object links;
  if (more) links["next"] = NextToken(ctx, cursor, token, page.back() + 1, page.back());
  return JsonResponse(200, json::object{{"data", std::move(data)}, {"links", std::move(links)}});
}

http::Response SimService::DomainsList(Ctx& ctx) {
  std::string token = ctx.req.QueryParam("cursor").value_or("");
  CursorData cursor;
  if (auto bad = ReadCursor(ctx, ApiFamily::kV1, "v1.domains", token, cursor)) return *bad;
  json::array data;
  bool unverified = faults_.no_verified_domain && ctx.org.id == primary_org_;
  for (const auto& d : ctx.org.domains) data.push_back(DomainModel(*this, ctx.org, d, unverified));
  return JsonResponse(
      200, json::object{{"data", std::move(data)},
                        {"links", {{"self", Url("/admin/v1/orgs/" + ctx.org.id + "/domains")}}}});
}

http::Response SimService::DomainsGet(Ctx& ctx) {
  bool unverified = faults_.no_verified_domain && ctx.org.id == primary_org_;
  for (const auto& d : ctx.org.domains) {
    if (d.id == ctx.req.PathParam("domainId")) {
      return JsonResponse(200, json::object{{"data", DomainModel(*this, ctx.org, d, unverified)}});
    }
  }
  return V1Error(404, "ADMIN-404-3", "",
                 "Domain " + ctx.req.PathParam("domainId") + " was not found");
}

// Newest first, filtered by time (epoch milliseconds) and action.
http::Response SimService::EventsList(Ctx& ctx) {
  std::string token = ctx.req.QueryParam("cursor").value_or("");
  CursorData cursor;
  if (auto bad = ReadCursor(ctx, ApiFamily::kV1, "v1.events", token, cursor)) return *bad;
  bool bad_input = false;
  auto from = ReadMillis(ctx.req, "from", bad_input);
  auto to = ReadMillis(ctx.req, "to", bad_input);
  if (bad_input) {
    return V1Error(400, "ADMIN-400-3", "Invalid time",
                   "from and to must be epoch milliseconds, such as 1714550400000");
  }
  int limit = ReadLimit(ctx.req, 100, 500, bad_input);
  if (bad_input) return V1Error(400, "ADMIN-400-4", "", "limit must be a positive integer");
  std::string action = ctx.req.QueryParam("action").value_or("");
  const auto& events = ctx.org.events;
  auto matches = [&](size_t reverse_index) {
    const Event& e = events[events.size() - 1 - reverse_index];
    int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(e.time.time_since_epoch()).count();
    if (from && ms < *from) return false;
    if (to && ms > *to) return false;
    return action.empty() || e.action == action;
  };
  bool more = false;
  auto page =
      CollectPage(events.size(), cursor.position, static_cast<size_t>(limit), matches, more);
  json::array data;
  for (size_t i : page)
    data.push_back(EventModel(*this, ctx.org, events[events.size() - 1 - i], false));
  std::string self = "/admin/v1/orgs/" + ctx.org.id + "/events";
  json::object links{{"self", Url(self)}};
  json::object meta{{"page_size", page.size()}, {"next", nullptr}};
  if (more) {
    std::string next = NextToken(ctx, cursor, token, page.back() + 1, page.back());
    links["next"] = Url(self + "?cursor=" + EncodeQuery(next));
    meta["next"] = next;
  }
  return JsonResponse(
      200, json::object{
               {"data", std::move(data)}, {"links", std::move(links)}, {"meta", std::move(meta)}});
}

http::Response SimService::EventsGet(Ctx& ctx) {
  for (const auto& e : ctx.org.events) {
    if (e.id == ctx.req.PathParam("eventId")) {
      return JsonResponse(200, json::object{{"data", EventModel(*this, ctx.org, e, false)}});
    }
  }
  return V1Error(404, "ADMIN-404-4", "",
                 "Event " + ctx.req.PathParam("eventId") + " was not found");
}

// Ordered by processing time. An ascending stream always returns a cursor, so a client can
// poll the end of the stream for new events with it.
http::Response SimService::EventsStream(Ctx& ctx) {
  std::string token = ctx.req.QueryParam("cursor").value_or("");
  std::string order = ctx.req.QueryParam("sortOrder").value_or("asc");
  if (order != "asc" && order != "desc") {
    return V1Error(400, "ADMIN-400-4", "", "sortOrder must be asc or desc");
  }
  CursorData cursor;
  if (auto bad = ReadCursor(ctx, ApiFamily::kV1, "v1.events_stream:" + order, token, cursor)) {
    return *bad;
  }
  bool bad_input = false;
  auto from = ReadMillis(ctx.req, "from", bad_input);
  auto to = ReadMillis(ctx.req, "to", bad_input);
  if (bad_input) {
    return V1Error(400, "ADMIN-400-3", "Invalid time", "from and to must be epoch milliseconds");
  }
  int limit = ReadLimit(ctx.req, 200, 500, bad_input);
  if (bad_input) return V1Error(400, "ADMIN-400-4", "", "limit must be a positive integer");
  const auto& events = ctx.org.events;
  auto at = [&](size_t i) -> const Event& {
    return order == "asc" ? events[i] : events[events.size() - 1 - i];
  };
  auto matches = [&](size_t i) {
    int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(at(i).time.time_since_epoch())
            .count();
    return (!from || ms >= *from) && (!to || ms <= *to);
  };
  bool more = false;
  auto page =
      CollectPage(events.size(), cursor.position, static_cast<size_t>(limit), matches, more);
  json::array data;
  for (size_t i : page) data.push_back(EventModel(*this, ctx.org, at(i), true));
  size_t next_position = page.empty()
                             ? std::max(cursor.position, order == "asc" ? events.size() : 0)
                             : page.back() + 1;
  if (!more && order == "asc") next_position = std::max(next_position, events.size());
  std::string next =
      NextToken(ctx, cursor, token, next_position, page.empty() ? cursor.position : page.back());
  json::object links;
  if (more) links["next"] = next;
  json::object meta{{"next", (more || order == "asc") ? json::value(next) : json::value(nullptr)},
                    {"page_size", page.size()}};
  return JsonResponse(
      200, json::object{
               {"data", std::move(data)}, {"links", std::move(links)}, {"meta", std::move(meta)}});
}

namespace {

// Reads {"role": ..., "resource": ...}; the resource is required except for org-level roles.
std::optional<http::Response> ReadRole(const json::object& body, RoleAssignment& role) {
  auto role_it = body.find("role");
  if (role_it == body.end() || !role_it->value().is_string()) {
    return V1Error(400, "ADMIN-400-24", "Invalid request body", "role is required, a string");
  }
  role.role_id = std::string(role_it->value().get_string());
  auto resource_it = body.find("resource");
  if (resource_it != body.end() && resource_it->value().is_string()) {
    role.resource_id = std::string(resource_it->value().get_string());
  }
  if (role.role_id == kOrgAdminRole) role.resource_id.clear();
  if (role.role_id != kOrgAdminRole && role.resource_id.empty()) {
    return V1Error(400, "ADMIN-400-24", "Invalid request body",
                   "resource is required for role " + role.role_id);
  }
  return std::nullopt;
}

}  // namespace

http::Response SimService::V1UserRole(Ctx& ctx) {
  json::object body;
  if (auto bad = ParseBody(ctx, ApiFamily::kV1, false, body)) return *bad;
  RoleAssignment role;
  if (auto bad = ReadRole(body, role)) return *bad;
  bool assign = ctx.req.segments.back() == "assign";
  auto result = ChangeUserRole(ctx, ctx.req.PathParam("accountId"), role, assign);
  if (result.outcome != Outcome::kOk) return ActionError(ApiFamily::kV1, result);
  // NOTE: the response body of role grants is undocumented; the simulator sends 204.
  return NoContent();
}

http::Response SimService::V1UserOrgRole(Ctx& ctx) {
  json::object body;
  if (auto bad = ParseBody(ctx, ApiFamily::kV1, false, body)) return *bad;
  RoleAssignment role;
  if (auto bad = ReadRole(body, role)) return *bad;
  if (!role.resource_id.empty()) {
    return V1Error(400, "ADMIN-400-4", "", "Only organization-level roles are accepted here");
  }
  bool assign = ctx.req.segments.back() == "assign";
  auto result = ChangeUserRole(ctx, ctx.req.PathParam("accountId"), role, assign);
  if (result.outcome != Outcome::kOk) return ActionError(ApiFamily::kV1, result);
  return NoContent();
}

http::Response SimService::V1Suspend(Ctx& ctx) {
  const std::string& id = ctx.req.PathParam("accountId");
  auto result = SuspendAccount(ctx, id);
  if (result.outcome != Outcome::kOk) return ActionError(ApiFamily::kV1, result);
  return JsonResponse(200, json::object{{"message", "Access to organization " + ctx.org.id +
                                                        " was suspended for user " + id}});
}

http::Response SimService::V1Restore(Ctx& ctx) {
  const std::string& id = ctx.req.PathParam("accountId");
  auto result = RestoreAccount(ctx, id);
  if (result.outcome != Outcome::kOk) return ActionError(ApiFamily::kV1, result);
  return JsonResponse(200, json::object{{"message", "Access to organization " + ctx.org.id +
                                                        " was restored for user " + id}});
}

http::Response SimService::V1Remove(Ctx& ctx) {
  auto result = RemoveAccount(ctx, ctx.req.PathParam("accountId"));
  if (result.outcome != Outcome::kOk) return ActionError(ApiFamily::kV1, result);
  return NoContent();
}

http::Response SimService::V1GroupCreate(Ctx& ctx) {
  json::object body;
  if (auto bad = ParseBody(ctx, ApiFamily::kV1, false, body)) return *bad;
  auto name = body.find("name");
  if (name == body.end() || !name->value().is_string() || name->value().get_string().empty()) {
    return V1Error(400, "ADMIN-400-24", "Invalid request body", "name is required, a string");
  }
  std::string description;
  if (auto d = body.find("description"); d != body.end() && d->value().is_string()) {
    description = std::string(d->value().get_string());
  }
  std::string group_id;
  std::string group_name(name->value().get_string());
  auto result = CreateGroup(ctx, group_name, description, group_id);
  if (result.outcome == Outcome::kConflict) {
    return V1Error(400, "ADMIN-400-4", "", result.detail);
  }
  return JsonResponse(200, json::object{{"message", "Group " + group_name + " was created"},
                                        {"groupId", group_id}});
}

http::Response SimService::V1GroupDelete(Ctx& ctx) {
  const std::string& id = ctx.req.PathParam("groupId");
  auto result = DeleteGroup(ctx, id);
  if (result.outcome != Outcome::kOk) return ActionError(ApiFamily::kV1, result);
  return JsonResponse(200, json::object{{"message", "Group " + id + " was removed"}});
}

http::Response SimService::V1GroupRole(Ctx& ctx) {
  json::object body;
  if (auto bad = ParseBody(ctx, ApiFamily::kV1, false, body)) return *bad;
  RoleAssignment role;
  if (auto bad = ReadRole(body, role)) return *bad;
  bool assign = ctx.req.segments.back() == "assign";
  auto result = ChangeGroupRole(ctx, ctx.req.PathParam("groupId"), role, assign);
  if (result.outcome != Outcome::kOk) return ActionError(ApiFamily::kV1, result);
  return NoContent();
}

http::Response SimService::V1MembershipAdd(Ctx& ctx) {
  json::object body;
  if (auto bad = ParseBody(ctx, ApiFamily::kV1, false, body)) return *bad;
  auto id = body.find("account_id");  // snake_case in v1
  if (id == body.end() || !id->value().is_string()) {
    return V1Error(400, "ADMIN-400-24", "Invalid request body", "account_id is required, a string");
  }
  std::string account_id(id->value().get_string());
  const std::string& group_id = ctx.req.PathParam("groupId");
  auto result = AddMembership(ctx, group_id, account_id);
  if (result.outcome != Outcome::kOk) return ActionError(ApiFamily::kV1, result);
  return JsonResponse(
      200, json::object{{"message", "User " + account_id + " was added to group " + group_id}});
}

http::Response SimService::V1MembershipRemove(Ctx& ctx) {
  const std::string& account_id = ctx.req.PathParam("accountId");
  const std::string& group_id = ctx.req.PathParam("groupId");
  auto result = RemoveMembership(ctx, group_id, account_id);
  if (result.outcome != Outcome::kOk) return ActionError(ApiFamily::kV1, result);
  return JsonResponse(
      200, json::object{{"message", "User " + account_id + " was removed from group " + group_id}});
}

void SimService::AddV1Routes(http::Router& router) {
  const std::string org = "/admin/v1/orgs/{orgId}";
  auto read = [](std::string name, bool accounts = false) {
    return RouteInfo{std::move(name), ApiFamily::kV1, false, false, accounts};
  };
  auto write = [](std::string name, bool removed) {
    return RouteInfo{std::move(name), ApiFamily::kV1, true, removed, false};
  };
  Add(router, "GET", "/admin/v1/orgs", read("v1.orgs.list"), &SimService::OrgsList);
  Add(router, "GET", org, read("v1.orgs.get"), &SimService::OrgsGet);
  Add(router, "GET", org + "/users", read("v1.users.list", true), &SimService::UsersList);
  Add(router, "GET", org + "/directory/users/{accountId}/last-active-dates",
      read("v1.last_active", true), &SimService::LastActive);
  Add(router, "GET", org + "/domains", read("v1.domains.list"), &SimService::DomainsList);
  Add(router, "GET", org + "/domains/{domainId}", read("v1.domains.get"), &SimService::DomainsGet);
  Add(router, "GET", org + "/events", read("v1.events.list"), &SimService::EventsList);
  Add(router, "GET", org + "/events/{eventId}", read("v1.events.get"), &SimService::EventsGet);
  Add(router, "GET", org + "/events-stream", read("v1.events.stream"), &SimService::EventsStream);
  for (std::string verb : {"assign", "revoke"}) {
    Add(router, "POST", org + "/users/{accountId}/roles/" + verb,
        write("v1.users.roles." + verb, false), &SimService::V1UserRole);
    Add(router, "POST", org + "/users/{accountId}/role-assignments/" + verb,
        write("v1.users.org_roles." + verb, false), &SimService::V1UserOrgRole);
    Add(router, "POST", org + "/directory/groups/{groupId}/roles/" + verb,
        write("v1.groups.roles." + verb, true), &SimService::V1GroupRole);
  }
  RouteInfo search{"v1.users.search", ApiFamily::kV1, false, true, true};
  Add(router, "POST", org + "/users/search", search, &SimService::V1UsersSearch);
  RouteInfo group_search{"v1.groups.search", ApiFamily::kV1, false, true, false};
  Add(router, "POST", org + "/groups/search", group_search, &SimService::V1GroupsSearch);
  Add(router, "POST", org + "/directory/users/{accountId}/suspend-access",
      write("v1.directory.suspend", true), &SimService::V1Suspend);
  Add(router, "POST", org + "/directory/users/{accountId}/restore-access",
      write("v1.directory.restore", true), &SimService::V1Restore);
  Add(router, "DELETE", org + "/directory/users/{accountId}", write("v1.directory.remove", true),
      &SimService::V1Remove);
  Add(router, "POST", org + "/directory/groups", write("v1.groups.create", true),
      &SimService::V1GroupCreate);
  Add(router, "DELETE", org + "/directory/groups/{groupId}", write("v1.groups.delete", true),
      &SimService::V1GroupDelete);
  Add(router, "POST", org + "/directory/groups/{groupId}/memberships",
      write("v1.memberships.add", true), &SimService::V1MembershipAdd);
  Add(router, "DELETE", org + "/directory/groups/{groupId}/memberships/{accountId}",
      write("v1.memberships.remove", true), &SimService::V1MembershipRemove);
}

}  // namespace adminauto::sim
