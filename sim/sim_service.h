// Internal: the request pipeline and endpoint handlers behind SimServer. One SimService owns
// the state and a mutex; every handler runs with the mutex held, so handlers see and change
// a consistent state.
#pragma once

#include <boost/json.hpp>
#include <mutex>
#include <random>
#include <string>

#include "core/clock.h"
#include "http/router.h"
#include "sim/sim_server.h"
#include "sim/sim_state.h"

namespace adminauto::sim {

// Error body family of a route.
enum class ApiFamily { kV1, kV2, kManage, kControl };

// Position and filter of a page, carried in an opaque cursor.
struct CursorData {
  std::string kind;     // route family of the listing, so a cursor is not reused elsewhere
  size_t position = 0;  // index into the underlying list where the next page starts
  std::string filter;   // canonical JSON of the filter the first page was requested with
};

std::string EncodeCursor(const CursorData& cursor, const std::string& secret);
// Nullopt when the token was not made by EncodeCursor with this secret or was altered.
std::optional<CursorData> DecodeCursor(std::string_view token, const std::string& secret);

// Collects up to `limit` indices in [start, count) for which `matches(i)` is true. `more`
// is set when another match follows the page.
template <typename Matches>
std::vector<size_t> CollectPage(size_t count, size_t start, size_t limit, Matches matches,
                                bool& more) {
  std::vector<size_t> page;
  more = false;
  for (size_t i = start; i < count; ++i) {
    if (!matches(i)) continue;
    if (page.size() == limit) {
      more = true;
      break;
    }
    page.push_back(i);
  }
  return page;
}

// Error bodies in the API's shapes.
http::Response V1Error(int status, std::string_view code, std::string_view title,
                       std::string_view detail);
http::Response V2Error(int status, std::string_view code, std::string_view title,
                       std::string_view detail);
http::Response ProxyError(int status, std::string_view message);
http::Response ManageError(int status, std::string_view key, std::string_view message = "");
http::Response JsonResponse(int status, const boost::json::value& body);
http::Response NoContent();

// Per-request state handed to an endpoint handler.
struct Ctx {
  const http::Request& req;
  Org& org;
  const DirectoryData& view;     // the live data, or the stale copy under a stale-read fault
  const EndpointFaults* faults;  // faults of this route, or null
  Timestamp now;
  std::string route;
};

// Outcome of a state change shared by the v1 and v2 handlers.
enum class Outcome { kOk, kNotFound, kForbidden, kConflict };
struct ActionResult {
  Outcome outcome = Outcome::kOk;
  std::string detail;
  std::string v1_code;  // error code in the v1 shape, "ADMIN-404-8"
  std::string v2_code;  // error code in the v2 shape, "ADMIN-UAM-404-1"
};

class SimService {
 public:
  SimService(SimOptions options, Org primary);

  // Registers every API and control route on `router`.
  void AddRoutes(http::Router& router);

  const SimOptions& options() const { return options_; }
  void set_base_url(std::string url) { base_url_ = std::move(url); }
  const std::string& base_url() const { return base_url_; }
  const std::string& org_id() const { return primary_org_; }
  const std::string& directory_id() const;

  void SetFaults(Faults faults);
  Faults faults() const;
  std::vector<Mutation> Mutations() const;
  void ClearMutations();
  void AddApiKey(const std::string& key, const std::string& org_id,
                 std::optional<Timestamp> expires_at, bool scoped);
  Directory Snapshot() const;
  std::string StateJson() const;

  // Used by handlers (mutex held).
  Timestamp Now() const;
  const std::string& cursor_secret() const { return cursor_secret_; }
  // Call before changing the org's directory: keeps the pre-write copy for stale reads.
  void BeforeWrite(Org& org);
  // Absolute URL on this simulator for `path_and_query`.
  std::string Url(const std::string& path_and_query) const { return base_url_ + path_and_query; }

 private:
  using Fn = http::Response (SimService::*)(Ctx&);
  struct RouteInfo {
    std::string name;
    ApiFamily family;
    bool mutating = false;
    bool removed_v1 = false;      // stopped working after 2026-06-30
    bool reads_accounts = false;  // subject to stale-read faults
  };
  void Add(http::Router& router, const std::string& method, const std::string& pattern,
           RouteInfo info, Fn fn);
  http::Response Handle(const RouteInfo& info, Fn fn, const http::Request& req);
  std::optional<http::Response> Authenticate(const RouteInfo& info, const http::Request& req,
                                             std::string& org_id);
  std::optional<http::Response> ApplyRateLimit(const RouteInfo& info, const http::Request& req,
                                               const EndpointFaults* faults,
                                               http::HeaderMap& rate_headers);
  std::optional<http::Response> InjectFailure(const RouteInfo& info, const EndpointFaults* faults);
  const EndpointFaults* FaultsFor(const std::string& route) const;
  const DirectoryData& ViewFor(const RouteInfo& info, const EndpointFaults* faults, Org& org);
  void Record(const RouteInfo& info, const http::Request& req, int status);
  void AddControlRoutes(http::Router& router);
  void AddV1Routes(http::Router& router);
  void AddV2Routes(http::Router& router);

  // v1 handlers (sim_v1.cc).
  http::Response OrgsList(Ctx& ctx);
  http::Response OrgsGet(Ctx& ctx);
  http::Response UsersList(Ctx& ctx);
  http::Response LastActive(Ctx& ctx);
  http::Response DomainsList(Ctx& ctx);
  http::Response DomainsGet(Ctx& ctx);
  http::Response EventsList(Ctx& ctx);
  http::Response EventsGet(Ctx& ctx);
  http::Response EventsStream(Ctx& ctx);
  http::Response V1UserRole(Ctx& ctx);
  http::Response V1UserOrgRole(Ctx& ctx);
  http::Response V1UsersSearch(Ctx& ctx);
  http::Response V1Suspend(Ctx& ctx);
  http::Response V1Restore(Ctx& ctx);
  http::Response V1Remove(Ctx& ctx);
  http::Response V1GroupsSearch(Ctx& ctx);
  http::Response V1GroupCreate(Ctx& ctx);
  http::Response V1GroupDelete(Ctx& ctx);
  http::Response V1GroupRole(Ctx& ctx);
  http::Response V1MembershipAdd(Ctx& ctx);
  http::Response V1MembershipRemove(Ctx& ctx);
  // v2 and user-management handlers (sim_v2.cc).
  http::Response DirectoriesList(Ctx& ctx);
  http::Response V2UsersList(Ctx& ctx);
  http::Response V2UsersSearch(Ctx& ctx);
  http::Response V2UserGet(Ctx& ctx);
  http::Response V2Suspend(Ctx& ctx);
  http::Response V2Restore(Ctx& ctx);
  http::Response V2Remove(Ctx& ctx);
  http::Response V2UserRoles(Ctx& ctx);
  http::Response V2GroupsList(Ctx& ctx);
  http::Response V2GroupsSearch(Ctx& ctx);
  http::Response V2GroupCreate(Ctx& ctx);
  http::Response V2GroupGet(Ctx& ctx);
  http::Response V2GroupDelete(Ctx& ctx);
  http::Response V2MembershipAdd(Ctx& ctx);
  http::Response V2MembershipRemove(Ctx& ctx);
  http::Response V2GroupRoles(Ctx& ctx);
  http::Response V2GroupRoleChange(Ctx& ctx);
  http::Response LifecycleDisable(Ctx& ctx);
  http::Response LifecycleEnable(Ctx& ctx);

  // State changes shared by v1 and v2 handlers (sim_actions.cc). Each records an event when
  // it changes something; repeating a change that is already in place succeeds.
  // The error response of a failed action in the route's error shape.
  static http::Response ActionError(ApiFamily family, const ActionResult& result);
  // Parses a JSON object body; an empty body is an empty object when `allow_empty`. On error
  // returns the 400 of the route's family.
  static std::optional<http::Response> ParseBody(const Ctx& ctx, ApiFamily family, bool allow_empty,
                                                 boost::json::object& out);
  ActionResult SuspendAccount(Ctx& ctx, const std::string& account_id);
  ActionResult RestoreAccount(Ctx& ctx, const std::string& account_id);
  ActionResult RemoveAccount(Ctx& ctx, const std::string& account_id);
  ActionResult CreateGroup(Ctx& ctx, const std::string& name, const std::string& description,
                           std::string& group_id);
  ActionResult DeleteGroup(Ctx& ctx, const std::string& group_id);
  ActionResult AddMembership(Ctx& ctx, const std::string& group_id, const std::string& account_id);
  ActionResult RemoveMembership(Ctx& ctx, const std::string& group_id,
                                const std::string& account_id);
  ActionResult ChangeGroupRole(Ctx& ctx, const std::string& group_id, const RoleAssignment& role,
                               bool assign);
  ActionResult ChangeUserRole(Ctx& ctx, const std::string& account_id, const RoleAssignment& role,
                              bool assign);
  // Finds the account in the caller's org; also sets the event's subject.
  Event& AddAccountEvent(Ctx& ctx, const Account& account, std::string action, std::string message);

  // Paging helper: the cursor of the request (empty for a first page) or an error response.
  std::optional<http::Response> ReadCursor(const Ctx& ctx, ApiFamily family,
                                           const std::string& kind, const std::string& token,
                                           CursorData& cursor);
  // The `next` token for a page that ended at index `last` of a list, honouring the
  // repeated-cursor and repeated-row faults.
  std::string NextToken(const Ctx& ctx, const CursorData& current, const std::string& token,
                        size_t next_position, size_t last_position);

  // Number of v1-visible managed accounts, cached per write generation.
  size_t ManagedTotal(const DirectoryData& view);
  size_t managed_total_ = 0;
  const DirectoryData* managed_total_view_ = nullptr;
  uint64_t managed_total_generation_ = ~0ull;

  SimOptions options_;
  Clock* clock_;
  std::string primary_org_;
  std::string base_url_;
  std::string cursor_secret_;

  mutable std::mutex mu_;
  SimState state_;
  Faults faults_;
  std::map<std::string, int> call_counts_;
  std::mt19937_64 fault_rng_{1};
  struct Bucket {
    double tokens = 0;
    std::chrono::system_clock::time_point refilled;
  };
  // Token buckets by (Authorization header, route name). A route name stands for one method
  // and path template, such as GET .../directory/users/{accountId}/last-active-dates.
  std::map<std::pair<std::string, std::string>, Bucket> buckets_;
  struct StaleCounter {
    uint64_t generation = 0;
    int remaining = 0;
  };
  std::map<std::string, StaleCounter> stale_;
  uint64_t mutation_sequence_ = 0;
};

}  // namespace adminauto::sim
