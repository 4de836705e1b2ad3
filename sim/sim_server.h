// adminauto-sim: an in-process stand-in for the Atlassian Cloud Organizations REST API that
// tests, benchmarks and the demo start on 127.0.0.1. It serves the v1 and v2 org endpoints,
// the user-management lifecycle endpoints and a control API under /__sim, with faults that
// can be switched on per endpoint.
//
//   sim::SimOptions options;
//   options.users = 500;                      // or options.export_csv / options.state_file
//   auto sim = sim::SimServer::Start(options);
//   client.base_url = (*sim)->base_url();     // "http://127.0.0.1:PORT"; paths start /admin/...
//   ... (*sim)->org_id(), (*sim)->api_key(), (*sim)->SetFaults(...), (*sim)->Mutations() ...
//
// Route names (used as the `endpoint` of a fault and in the mutation record):
//   v1.orgs.list v1.orgs.get v1.users.list v1.last_active v1.domains.list v1.domains.get
//   v1.events.list v1.events.get v1.events.stream v1.users.roles.assign v1.users.roles.revoke
//   v1.users.org_roles.assign v1.users.org_roles.revoke
//   v1.users.search v1.directory.suspend v1.directory.restore v1.directory.remove
//   v1.groups.search v1.groups.create v1.groups.delete v1.groups.roles.assign
//   v1.groups.roles.revoke v1.memberships.add v1.memberships.remove   (removed after 2026-06-30)
//   v2.directories.list v2.users.list v2.users.search v2.users.get v2.users.suspend
//   v2.users.restore v2.users.remove v2.users.role_assignments v2.groups.list v2.groups.search
//   v2.groups.create v2.groups.get v2.groups.delete v2.memberships.add v2.memberships.remove
//   v2.groups.role_assignments v2.groups.roles.assign v2.groups.roles.revoke
//   manage.lifecycle.disable manage.lifecycle.enable
//
// Control API (no auth, JSON): GET|PUT|DELETE /__sim/faults (PUT body = the faults file
// format), GET|DELETE /__sim/mutations, GET /__sim/state (the state file format).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/directory.h"
#include "core/status.h"
#include "core/time.h"

namespace adminauto::sim {

// Token bucket per API key and endpoint, where the endpoint is the method and route template
// ("GET /admin/v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates"), so calls for
// different accounts share one bucket. A request takes one token; an empty bucket gives 429
// with X-RateLimit-Limit, -Remaining and -Reset (ISO-8601 UTC, minute precision).
struct RateLimitFault {
  int capacity = 10;              // tokens when full; also X-RateLimit-Limit
  double refill_per_minute = 10;  // tokens added per minute
  // Retry-After seconds sent with a 429; nullopt sends no Retry-After. 0 is sent as "0".
  std::optional<int> retry_after_seconds;
  // False leaves X-RateLimit-Remaining out of every response, so a client has only the
  // reset time to go by.
  bool send_remaining = true;

  bool operator==(const RateLimitFault&) const = default;
};

// Faults of one endpoint. Several may be set; they apply in the order listed.
struct EndpointFaults {
  std::optional<RateLimitFault> rate_limit;
  bool never_answer = false;             // no response is ever sent
  std::chrono::milliseconds latency{0};  // added before the response is sent
  int error_status = 500;                // status of the injected server errors
  std::vector<int> error_on_calls;       // 1-based call numbers that fail with error_status
  double error_fraction = 0;             // this fraction of calls fails (seeded, repeatable)
  bool non_json = false;                 // 200 with an HTML body
  bool error_body_200 = false;           // 200 with an error-shaped JSON body
  bool repeat_cursor = false;            // pages return the cursor they were called with
  bool repeat_account = false;           // each next page starts with the previous last row
  int stale_reads = 0;                   // after a write, this many reads see the old state

  bool operator==(const EndpointFaults&) const = default;
};

struct Faults {
  // Key: a route name from the list above, or "*" for every API route.
  std::map<std::string, EndpointFaults> endpoints;
  bool no_verified_domain = false;          // the org has no verified domain: v1 users is empty
  std::optional<Timestamp> key_expires_at;  // the primary API key stops working at this time
  uint64_t seed = 1;                        // seeds error_fraction

  // Parses the faults file format:
  //   {"no_verified_domain": false, "key_expires_at": "2026-12-05T00:00:00Z", "seed": 1,
  //    "endpoints": {"v1.users.list": {"rate_limit": {"capacity": 5, "refill_per_minute": 5,
  //      "retry_after_seconds": 0, "send_remaining": true}, "latency_ms": 200, "never_answer":
  //      false, "error_status": 503, "error_on_calls": [3], "error_fraction": 0.1, "non_json":
  //      false, "error_body_200": false, "repeat_cursor": false, "repeat_account": false,
  //      "stale_reads": 2}}}
  // InvalidArgument names `source`, the field and the expected type; unknown fields are errors.
  static Result<Faults> FromJson(std::string_view text, std::string_view source = "faults");
  std::string ToJson() const;
};

// One mutating API call, recorded whatever its outcome.
struct Mutation {
  uint64_t sequence = 0;  // 1, 2, ... in arrival order
  Timestamp time{};       // simulator clock
  std::string route;      // route name, "v2.users.suspend"
  std::string method;
  std::string path;
  int status = 0;          // HTTP status sent
  std::string account_id;  // target account, when the route has one
  std::string group_id;    // target group, when the route has one
  std::string body;        // request body as sent
};

struct SimOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port
  // Opaque, not hexadecimal, like real org ids.
  std::string org_id = "6665kc2j-4644-14k8-j32c-68cc0b1d15b8";
  std::string org_name = "Acme";
  std::string domain = "acme.example";  // the verified domain; managed accounts use it
  std::string api_key = "ATCTT3xSimulatorKey0000000000000000";
  std::optional<Timestamp> api_key_expires_at;

  // Seed, at most one: an export CSV, a generated org, or a saved state file. With none the
  // org starts empty.
  std::string export_csv;
  int users = -1;  // >= 0 generates this many accounts from `seed`
  uint64_t seed = 1;
  std::string state_file;

  Faults faults;
  // Serve the v1 write and search endpoints that stopped working after 2026-06-30. When false
  // they return what the real service returns now.
  bool serve_removed_v1 = false;
  // Default token bucket of /events (documented as 10 requests per minute); 0 disables it.
  int events_per_minute = 10;
  int page_size_v1 = 50;  // rows per page of v1 lists, which take no limit parameter
  int threads = 2;
  bool log_requests = true;  // one log line per request: method, path, status, latency
  Clock* clock = nullptr;    // nullptr uses SystemClock; not owned, must outlive the server
};

class SimServer {
 public:
  // Seeds the state, binds and starts serving. A malformed seed or faults file gives
  // InvalidArgument naming the file, line and column; nothing is served then.
  static Result<std::unique_ptr<SimServer>> Start(SimOptions options);
  ~SimServer();  // stops

  std::string base_url() const;  // "http://127.0.0.1:PORT", no trailing slash
  uint16_t port() const;
  const std::string& org_id() const;
  const std::string& api_key() const;
  const std::string& directory_id() const;

  // Everything below is thread-safe and may be called while requests are served.
  void SetFaults(Faults faults);
  Faults faults() const;
  std::vector<Mutation> Mutations() const;
  void ClearMutations();
  // Adds an API key for `org_id`; an unknown org is created empty, so a key for another org
  // can be tested. A scoped key is rejected where the API rejects scoped keys.
  void AddApiKey(const std::string& key, const std::string& org_id,
                 std::optional<Timestamp> expires_at = std::nullopt, bool scoped = false);
  // Current state of the primary org's directory.
  Directory Snapshot() const;
  // Writes the state file format (loadable with SimOptions::state_file).
  Status SaveState(const std::string& path) const;
  void Stop();

 private:
  struct Impl;
  explicit SimServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace adminauto::sim
