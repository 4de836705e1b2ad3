// The faults file format and the control API under /__sim.
#include "sim/json_util.h"
#include "sim/sim_service.h"

namespace adminauto::sim {
namespace {

Status ReadEndpoint(const boost::json::value& value, const std::string& path, EndpointFaults& out) {
  if (!value.is_object()) return InvalidArgument(path + ": expected an object");
  FieldReader r(value.get_object(), path);
  r.RejectUnknown({"rate_limit", "never_answer", "latency_ms", "error_status", "error_on_calls",
                   "error_fraction", "non_json", "error_body_200", "repeat_cursor",
                   "repeat_account", "stale_reads"});
  if (const auto* limit = r.Object("rate_limit")) {
    FieldReader lr(*limit, r.Path("rate_limit"));
    lr.RejectUnknown({"capacity", "refill_per_minute", "retry_after_seconds", "send_remaining"});
    RateLimitFault fault;
    fault.capacity = static_cast<int>(lr.Int("capacity").value_or(10));
    fault.refill_per_minute = lr.Number("refill_per_minute").value_or(fault.capacity);
    if (auto retry = lr.Int("retry_after_seconds")) fault.retry_after_seconds = *retry;
    fault.send_remaining = lr.Bool("send_remaining").value_or(true);
    AA_RETURN_IF_ERROR(lr.status());
    if (fault.capacity < 0 || fault.refill_per_minute < 0) {
      return InvalidArgument(r.Path("rate_limit") +
                             ": capacity and refill_per_minute must be >= 0");
    }
    out.rate_limit = fault;
  }
  out.never_answer = r.Bool("never_answer").value_or(false);
  out.latency = std::chrono::milliseconds(r.Int("latency_ms").value_or(0));
  out.error_status = static_cast<int>(r.Int("error_status").value_or(500));
  if (const auto* calls = r.Array("error_on_calls")) {
    for (const auto& call : *calls) {
      if (!call.is_int64() || call.get_int64() < 1) {
        return InvalidArgument(r.Path("error_on_calls") + ": expected call numbers >= 1");
      }
      out.error_on_calls.push_back(static_cast<int>(call.get_int64()));
    }
  }
  out.error_fraction = r.Number("error_fraction").value_or(0);
  out.non_json = r.Bool("non_json").value_or(false);
  out.error_body_200 = r.Bool("error_body_200").value_or(false);
  out.repeat_cursor = r.Bool("repeat_cursor").value_or(false);
  out.repeat_account = r.Bool("repeat_account").value_or(false);
  out.stale_reads = static_cast<int>(r.Int("stale_reads").value_or(0));
  AA_RETURN_IF_ERROR(r.status());
  if (out.error_fraction < 0 || out.error_fraction > 1) {
    return InvalidArgument(r.Path("error_fraction") + ": expected a number from 0 to 1");
  }
  if (out.error_status < 400 || out.error_status > 599) {
    return InvalidArgument(r.Path("error_status") + ": expected an HTTP error status 400-599");
  }
  return Status::Ok();
}

}  // namespace

Result<Faults> Faults::FromJson(std::string_view text, std::string_view source) {
  AA_ASSIGN_OR_RETURN(boost::json::value root, ParseJsonText(text, source));
  std::string prefix(source);
  if (!root.is_object()) return InvalidArgument(prefix + ": expected a JSON object");
  FieldReader r(root.get_object(), prefix);
  r.RejectUnknown({"endpoints", "no_verified_domain", "key_expires_at", "seed"});
  Faults faults;
  faults.no_verified_domain = r.Bool("no_verified_domain").value_or(false);
  faults.seed = static_cast<uint64_t>(r.Int("seed").value_or(1));
  if (auto expires = r.String("key_expires_at")) {
    auto t = ParseIsoTimestamp(*expires);
    if (!t.ok()) {
      return InvalidArgument(r.Path("key_expires_at") + ": invalid time \"" + *expires +
                             "\"; expected ISO-8601 such as 2026-12-05T00:00:00Z");
    }
    faults.key_expires_at = *t;
  }
  if (const auto* endpoints = r.Object("endpoints")) {
    for (const auto& entry : *endpoints) {
      EndpointFaults endpoint;
      AA_RETURN_IF_ERROR(ReadEndpoint(
          entry.value(), r.Path("endpoints") + "." + std::string(entry.key()), endpoint));
      faults.endpoints[std::string(entry.key())] = std::move(endpoint);
    }
  }
  AA_RETURN_IF_ERROR(r.status());
  return faults;
}

std::string Faults::ToJson() const {
  boost::json::object endpoints_json;
  for (const auto& [name, f] : endpoints) {
    boost::json::object e{{"never_answer", f.never_answer},
                          {"latency_ms", f.latency.count()},
                          {"error_status", f.error_status},
                          {"error_on_calls", boost::json::value_from(f.error_on_calls)},
                          {"error_fraction", f.error_fraction},
                          {"non_json", f.non_json},
                          {"error_body_200", f.error_body_200},
                          {"repeat_cursor", f.repeat_cursor},
                          {"repeat_account", f.repeat_account},
                          {"stale_reads", f.stale_reads}};
    if (f.rate_limit) {
      boost::json::object limit{{"capacity", f.rate_limit->capacity},
                                {"refill_per_minute", f.rate_limit->refill_per_minute},
                                {"send_remaining", f.rate_limit->send_remaining}};
      if (f.rate_limit->retry_after_seconds) {
        limit["retry_after_seconds"] = *f.rate_limit->retry_after_seconds;
      }
      e["rate_limit"] = std::move(limit);
    }
    endpoints_json[name] = std::move(e);
  }
  boost::json::object root{{"endpoints", std::move(endpoints_json)},
                           {"no_verified_domain", no_verified_domain},
                           {"seed", seed}};
  if (key_expires_at) root["key_expires_at"] = FormatIsoTimestamp(*key_expires_at);
  return boost::json::serialize(root);
}

void SimService::AddControlRoutes(http::Router& router) {
  // Control handlers run under the service mutex like API handlers, so they use the state
  // directly rather than the locking public methods.
  struct Control {
    static http::Response GetFaults(SimService& s) {
      return http::Response::Json(200, s.faults_.ToJson());
    }
  };
  router.Add("GET", "/__sim/faults", "control.faults.get", [this](const http::Request&) {
    std::lock_guard lock(mu_);
    return Control::GetFaults(*this);
  });
  router.Add("PUT", "/__sim/faults", "control.faults.put", [this](const http::Request& req) {
    auto faults = Faults::FromJson(req.body, "request body");
    if (!faults.ok()) return ProxyError(400, faults.status().message());
    SetFaults(std::move(*faults));
    return NoContent();
  });
  router.Add("DELETE", "/__sim/faults", "control.faults.delete", [this](const http::Request&) {
    SetFaults(Faults{});
    return NoContent();
  });
  router.Add("GET", "/__sim/mutations", "control.mutations.get", [this](const http::Request&) {
    boost::json::array out;
    for (const Mutation& m : Mutations()) {
      out.push_back({{"sequence", m.sequence},
                     {"time", FormatIsoTimestamp(m.time)},
                     {"route", m.route},
                     {"method", m.method},
                     {"path", m.path},
                     {"status", m.status},
                     {"account_id", m.account_id},
                     {"group_id", m.group_id},
                     {"body", m.body}});
    }
    return JsonResponse(200, boost::json::object{{"data", std::move(out)}});
  });
  router.Add("DELETE", "/__sim/mutations", "control.mutations.delete",
             [this](const http::Request&) {
               ClearMutations();
               return NoContent();
             });
  router.Add("GET", "/__sim/state", "control.state.get",
             [this](const http::Request&) { return http::Response::Json(200, StateJson()); });
}

}  // namespace adminauto::sim
