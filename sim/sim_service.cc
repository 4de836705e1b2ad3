#include "sim/sim_service.h"

#include <cmath>

#include "core/log.h"
#include "sim/json_util.h"

namespace adminauto::sim {
namespace {

std::string Base64Url(std::string_view in) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kTable[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kTable[(buffer << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view in) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else
      return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::string Checksum(std::string_view payload, const std::string& secret) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : secret) h = (h ^ c) * 1099511628211ull;
  for (unsigned char c : payload) h = (h ^ c) * 1099511628211ull;
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string StatusTitle(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 429:
      return "Too Many Requests";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Internal Server Error" : "Error";
  }
}

std::string FormatMinute(std::chrono::system_clock::time_point t) {
  std::string iso = FormatIsoTimestamp(ToTimestamp(t));  // 2026-05-01T10:12:13Z
  return iso.substr(0, 16) + "Z";
}

}  // namespace

// The cursor is base64url("kind|position|filter") + "." + a keyed checksum, so it is opaque
// to clients and any change to it is detected.
std::string EncodeCursor(const CursorData& cursor, const std::string& secret) {
  std::string payload = cursor.kind + "|" + std::to_string(cursor.position) + "|" + cursor.filter;
  return Base64Url(payload) + "." + Checksum(payload, secret);
}

std::optional<CursorData> DecodeCursor(std::string_view token, const std::string& secret) {
  size_t dot = token.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = FromBase64Url(token.substr(0, dot));
  if (!payload || Checksum(*payload, secret) != token.substr(dot + 1)) return std::nullopt;
  size_t first = payload->find('|');
  size_t second = first == std::string::npos ? first : payload->find('|', first + 1);
  if (second == std::string::npos) return std::nullopt;
  CursorData cursor;
  cursor.kind = payload->substr(0, first);
  try {
    cursor.position = std::stoul(payload->substr(first + 1, second - first - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  cursor.filter = payload->substr(second + 1);
  return cursor;
}

http::Response JsonResponse(int status, const boost::json::value& body) {
  return http::Response::Json(status, boost::json::serialize(body));
}

http::Response NoContent() {
  http::Response response;
  response.status = 204;
  return response;
}

namespace {
http::Response ErrorEnvelope(int status, std::string_view code, std::string_view title,
                             std::string_view detail) {
  static std::atomic<uint64_t> counter{0};
  boost::json::object error{{"id", StableUuid("error:" + std::to_string(++counter))},
                            {"status", std::to_string(status)},
                            {"code", code},
                            {"title", title.empty() ? StatusTitle(status) : std::string(title)},
                            {"detail", detail}};
  return JsonResponse(status, boost::json::object{{"errors", boost::json::array{error}}});
}
}  // namespace

http::Response V1Error(int status, std::string_view code, std::string_view title,
                       std::string_view detail) {
  return ErrorEnvelope(status, code, title, detail);
}

http::Response V2Error(int status, std::string_view code, std::string_view title,
                       std::string_view detail) {
  return ErrorEnvelope(status, code, title, detail);
}

http::Response ProxyError(int status, std::string_view message) {
  return JsonResponse(status, boost::json::object{{"code", status}, {"message", message}});
}

http::Response ManageError(int status, std::string_view key, std::string_view message) {
  boost::json::object body{{"key", key}};
  if (!message.empty()) body["message"] = message;
  return JsonResponse(status, body);
}

SimService::SimService(SimOptions options, Org primary)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &SystemClock::Instance()),
      primary_org_(primary.id),
      cursor_secret_("sim-cursor:" + primary.id) {
  state_.keys[options_.api_key] = {primary.id, options_.api_key_expires_at, false};
  state_.orgs.emplace(primary.id, std::move(primary));
  faults_ = options_.faults;
  fault_rng_.seed(faults_.seed);
}

const std::string& SimService::directory_id() const {
  std::lock_guard lock(mu_);
  return state_.orgs.at(primary_org_).directory_id;
}

Timestamp SimService::Now() const { return ToTimestamp(clock_->Now()); }

void SimService::SetFaults(Faults faults) {
  std::lock_guard lock(mu_);
  faults_ = std::move(faults);
  fault_rng_.seed(faults_.seed);
  call_counts_.clear();
  buckets_.clear();
  stale_.clear();
  state_.before_last_write.reset();
}

Faults SimService::faults() const {
  std::lock_guard lock(mu_);
  return faults_;
}

std::vector<Mutation> SimService::Mutations() const {
  std::lock_guard lock(mu_);
  return state_.mutations;
}

void SimService::ClearMutations() {
  std::lock_guard lock(mu_);
  state_.mutations.clear();
}

void SimService::AddApiKey(const std::string& key, const std::string& org_id,
                           std::optional<Timestamp> expires_at, bool scoped) {
  std::lock_guard lock(mu_);
  if (state_.orgs.count(org_id) == 0) {
    Org org;
    org.id = org_id;
    org.name = "Org " + org_id.substr(0, 8);
    org.directory_id = StableUuid("directory:" + org_id);
    org.directory_name = org.name;
    state_.orgs.emplace(org_id, std::move(org));
  }
  state_.keys[key] = {org_id, expires_at, scoped};
}

Directory SimService::Snapshot() const {
  std::lock_guard lock(mu_);
  return ToDirectory(state_.orgs.at(primary_org_));
}

std::string SimService::StateJson() const {
  std::lock_guard lock(mu_);
  return StateToJson(state_.orgs.at(primary_org_));
}

void SimService::BeforeWrite(Org& org) {
  ++state_.write_generation;
  bool any_stale = false;
  for (const auto& [route, f] : faults_.endpoints) any_stale = any_stale || f.stale_reads > 0;
  if (any_stale && org.id == primary_org_) {
    state_.before_last_write = std::make_shared<const DirectoryData>(org.data);
  }
}

const EndpointFaults* SimService::FaultsFor(const std::string& route) const {
  auto it = faults_.endpoints.find(route);
  if (it != faults_.endpoints.end()) return &it->second;
  it = faults_.endpoints.find("*");
  return it == faults_.endpoints.end() ? nullptr : &it->second;
}

void SimService::Add(http::Router& router, const std::string& method, const std::string& pattern,
                     RouteInfo info, Fn fn) {
  router.Add(method, pattern, info.name,
             [this, info, fn](const http::Request& req) { return Handle(info, fn, req); });
}

std::optional<http::Response> SimService::Authenticate(const RouteInfo& info,
                                                       const http::Request& req,
                                                       std::string& org_id) {
  auto unauthorized = [&] {
    return info.family == ApiFamily::kManage ? ManageError(401, "unauthorized")
                                             : ProxyError(401, "Unauthorized");
  };
  std::string header = req.Header("Authorization").value_or("");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || !header.starts_with(kBearer)) return unauthorized();
  auto it = state_.keys.find(header.substr(kBearer.size()));
  if (it == state_.keys.end()) return unauthorized();
  const ApiKey& key = it->second;
  Timestamp now = Now();
  if (key.expires_at && *key.expires_at <= now) return unauthorized();
  if (key.org_id == primary_org_ && it->first == options_.api_key && faults_.key_expires_at &&
      *faults_.key_expires_at <= now) {
    return unauthorized();
  }
  org_id = key.org_id;
  if (info.family == ApiFamily::kManage && key.scoped) {
    // Measured against the real service: the user-management API rejects scoped keys.
    return ManageError(403, "forbidden",
                       "Scoped API keys cannot use the user management API; use a key without "
                       "scopes");
  }
  const std::string& path_org = req.PathParam("orgId");
  if (!path_org.empty() && path_org != key.org_id) {
    // NOTE: whether the real service answers a foreign org with 404 or 403 is unverified;
    // the simulator picks 404 ADMIN-404-2 (ADMIN-UAM-404-2 on v2).
    std::string detail = "Organization " + path_org + " was not found";
    return info.family == ApiFamily::kV2 ? V2Error(404, "ADMIN-UAM-404-2", "", detail)
                                         : V1Error(404, "ADMIN-404-2", "", detail);
  }
  return std::nullopt;
}

std::optional<http::Response> SimService::ApplyRateLimit(const RouteInfo& info,
                                                         const http::Request& req,
                                                         const EndpointFaults* faults,
                                                         http::HeaderMap& rate_headers) {
  std::optional<RateLimitFault> limit;
  if (faults != nullptr && faults->rate_limit) limit = faults->rate_limit;
  if (!limit && info.name == "v1.events.list" && options_.events_per_minute > 0) {
    limit = RateLimitFault{options_.events_per_minute,
                           static_cast<double>(options_.events_per_minute), std::nullopt, true};
  }
  if (!limit || limit->capacity <= 0) return std::nullopt;
  auto now = clock_->Now();
  std::string key = req.Header("Authorization").value_or("");
  // The API limits per key and endpoint, not per concrete path: the route name stands for the
  // path template, so every account's last-active-dates path draws from one bucket.
  auto [it, inserted] = buckets_.try_emplace({key, info.name});
  Bucket& bucket = it->second;
  if (inserted) {
    bucket.tokens = limit->capacity;
    bucket.refilled = now;
  }
  double minutes = std::chrono::duration<double>(now - bucket.refilled).count() / 60.0;
  bucket.tokens =
      std::min<double>(limit->capacity, bucket.tokens + minutes * limit->refill_per_minute);
  bucket.refilled = now;
  bool allowed = bucket.tokens >= 1.0;
  if (allowed) bucket.tokens -= 1.0;
  // Reset: when the next token arrives, rounded up to a whole minute as the API reports it.
  double wait_seconds = limit->refill_per_minute > 0
                            ? std::max(0.0, (1.0 - bucket.tokens) * 60.0 / limit->refill_per_minute)
                            : 3600.0;
  auto reset = std::chrono::ceil<std::chrono::minutes>(
      now + std::chrono::milliseconds(static_cast<int64_t>(std::ceil(wait_seconds * 1000))));
  if (reset <= now) reset += std::chrono::minutes(1);
  rate_headers.emplace("X-RateLimit-Limit", std::to_string(limit->capacity));
  if (limit->send_remaining) {
    rate_headers.emplace("X-RateLimit-Remaining",
                         std::to_string(static_cast<int>(std::floor(bucket.tokens))));
  }
  rate_headers.emplace("X-RateLimit-Reset", FormatMinute(reset));
  if (allowed) return std::nullopt;
  http::Response response = ProxyError(429, "Rate limit exceeded");
  if (limit->retry_after_seconds) {
    response.SetHeader("Retry-After", std::to_string(*limit->retry_after_seconds));
  }
  return response;
}

std::optional<http::Response> SimService::InjectFailure(const RouteInfo& info,
                                                        const EndpointFaults* faults) {
  int call = ++call_counts_[info.name];
  if (faults == nullptr) return std::nullopt;
  if (faults->never_answer) {
    http::Response response;
    response.never_answer = true;
    return response;
  }
  bool fail = std::find(faults->error_on_calls.begin(), faults->error_on_calls.end(), call) !=
              faults->error_on_calls.end();
  if (faults->error_fraction > 0) {
    std::uniform_real_distribution<double> draw(0.0, 1.0);
    fail = fail || draw(fault_rng_) < faults->error_fraction;
  }
  if (!fail) return std::nullopt;
  int status = faults->error_status;
  std::string detail = "Injected failure of call " + std::to_string(call) + " to " + info.name;
  if (status == 502 || status == 503 || status == 504) return ProxyError(status, detail);
  return info.family == ApiFamily::kV2 ? V2Error(status, "ADMIN-UAM-500-1", "", detail)
                                       : V1Error(status, "ADMIN-500-1", "", detail);
}

const DirectoryData& SimService::ViewFor(const RouteInfo& info, const EndpointFaults* faults,
                                         Org& org) {
  if (!info.reads_accounts || faults == nullptr || faults->stale_reads <= 0 ||
      org.id != primary_org_) {
    return org.data;
  }
  StaleCounter& counter = stale_[info.name];
  if (counter.generation != state_.write_generation) {
    counter.generation = state_.write_generation;
    counter.remaining = faults->stale_reads;
  }
  if (counter.remaining > 0 && state_.before_last_write) {
    --counter.remaining;
    return *state_.before_last_write;
  }
  return org.data;
}

void SimService::Record(const RouteInfo& info, const http::Request& req, int status) {
  Mutation m;
  m.sequence = ++mutation_sequence_;
  m.time = Now();
  m.route = info.name;
  m.method = req.method;
  m.path = req.path;
  m.status = status;
  m.account_id = req.PathParam("accountId");
  m.group_id = req.PathParam("groupId");
  m.body = req.body;
  state_.mutations.push_back(std::move(m));
}

http::Response SimService::Handle(const RouteInfo& info, Fn fn, const http::Request& req) {
  std::lock_guard lock(mu_);
  if (info.family == ApiFamily::kControl) {
    Org& org = state_.orgs.at(primary_org_);
    Ctx ctx{req, org, org.data, nullptr, Now(), info.name};
    return (this->*fn)(ctx);
  }
  std::string org_id;
  http::HeaderMap rate_headers;
  const EndpointFaults* faults = FaultsFor(info.name);
  std::optional<http::Response> early = Authenticate(info, req, org_id);
  if (!early) early = ApplyRateLimit(info, req, faults, rate_headers);
  if (!early) early = InjectFailure(info, faults);
  if (!early && info.removed_v1 && !options_.serve_removed_v1) {
    // NOTE: the exact answer of the removed endpoints is unverified; the simulator answers
    // 404 ADMIN-404-1 as for any unknown resource.
    early = V1Error(404, "ADMIN-404-1", "",
                    "This endpoint was removed after 2026-06-30; use the v2 directory API");
  }
  http::Response response;
  if (early) {
    response = std::move(*early);
  } else {
    Org& org = state_.orgs.at(org_id);
    Ctx ctx{req, org, ViewFor(info, faults, org), faults, Now(), info.name};
    response = (this->*fn)(ctx);
    if (faults != nullptr && faults->non_json && response.status < 300) {
      response =
          http::Response::Text(200, "<html><body>Service temporarily degraded</body></html>");
      response.SetHeader("Content-Type", "text/html");
    } else if (faults != nullptr && faults->error_body_200) {
      response = V1Error(500, "ADMIN-500-1", "", "Injected error body");
      response.status = 200;
    }
  }
  for (const auto& [name, value] : rate_headers) response.SetHeader(name, value);
  if (faults != nullptr && faults->latency.count() > 0) response.delay = faults->latency;
  // A never-answered write is recorded with status 0: it was not applied.
  if (info.mutating) Record(info, req, response.never_answer ? 0 : response.status);
  return response;
}

void SimService::AddRoutes(http::Router& router) {
  AddControlRoutes(router);
  AddV1Routes(router);
  AddV2Routes(router);
}

}  // namespace adminauto::sim
