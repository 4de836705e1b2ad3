#include "gateway/protocol.h"

#include <boost/json.hpp>

namespace adminauto::gateway {
namespace {

namespace json = boost::json;

json::array EncodeHeaders(const atlassian::HttpHeaders& headers) {
  json::array out;
  for (const auto& [name, value] : headers) out.push_back(json::array{name, value});
  return out;
}

Result<std::string> StringField(const json::object& object, std::string_view name, bool required) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr) {
    if (required) return InvalidArgument("gateway message has no \"" + std::string(name) + "\"");
    return std::string();
  }
  if (!value->is_string()) {
    return InvalidArgument("gateway message field \"" + std::string(name) + "\" must be a string");
  }
  return std::string(value->as_string());
}

Result<atlassian::HttpHeaders> DecodeHeaders(const json::object& object) {
  atlassian::HttpHeaders headers;
  const json::value* value = object.if_contains("headers");
  if (value == nullptr) return headers;
  if (!value->is_array()) return InvalidArgument("gateway message \"headers\" must be an array");
  for (const json::value& pair : value->as_array()) {
    const json::array* entry = pair.if_array();
    if (entry == nullptr || entry->size() != 2 || !(*entry)[0].is_string() ||
        !(*entry)[1].is_string()) {
      return InvalidArgument("each gateway header must be a [name, value] pair of strings");
    }
    headers.emplace_back(std::string((*entry)[0].as_string()),
                         std::string((*entry)[1].as_string()));
  }
  return headers;
}

Result<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) return InvalidArgument("gateway message is not valid JSON: " + ec.message());
  if (!value.is_object()) return InvalidArgument("gateway message must be a JSON object");
  return std::move(value.as_object());
}

}  // namespace

std::string Frame(std::string_view body) {
  std::string out;
  const auto size = static_cast<uint32_t>(body.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  out.append(body);
  return out;
}

Result<std::optional<size_t>> FrameLength(std::string_view buffer) {
  if (buffer.size() < 4) return std::optional<size_t>();
  size_t size = 0;
  for (int i = 0; i < 4; ++i) size = (size << 8) | static_cast<unsigned char>(buffer[i]);
  if (size > kMaxFrameSize) {
    return InvalidArgument("gateway frame of " + std::to_string(size) +
                           " bytes exceeds the maximum of " + std::to_string(kMaxFrameSize));
  }
  return std::optional<size_t>(size);
}

std::string EncodeRequest(const GatewayRequest& request) {
  if (request.op != GatewayOp::kForward) {
    json::object out{{"op", request.op == GatewayOp::kHealth ? "health" : "unseal"}};
    if (!request.master_key.empty()) out["master_key"] = request.master_key;
    return json::serialize(out);
  }
  json::object out{{"org_id", request.org_id},
                   {"method", request.request.method},
                   {"target", request.request.target},
                   {"body", request.request.body},
                   {"headers", EncodeHeaders(request.request.headers)}};
  return json::serialize(out);
}

Result<GatewayRequest> DecodeRequest(std::string_view text) {
  AA_ASSIGN_OR_RETURN(json::object object, ParseObject(text));
  GatewayRequest request;
  AA_ASSIGN_OR_RETURN(std::string op, StringField(object, "op", false));
  if (op == "health" || op == "unseal") {
    request.op = op == "health" ? GatewayOp::kHealth : GatewayOp::kUnseal;
    AA_ASSIGN_OR_RETURN(request.master_key, StringField(object, "master_key", false));
    return request;
  }
  if (!op.empty() && op != "forward") {
    return InvalidArgument("gateway message has an unknown \"op\"; use forward, health or unseal");
  }
  AA_ASSIGN_OR_RETURN(request.org_id, StringField(object, "org_id", true));
  AA_ASSIGN_OR_RETURN(request.request.method, StringField(object, "method", true));
  AA_ASSIGN_OR_RETURN(request.request.target, StringField(object, "target", true));
  AA_ASSIGN_OR_RETURN(request.request.body, StringField(object, "body", false));
  AA_ASSIGN_OR_RETURN(request.request.headers, DecodeHeaders(object));
  return request;
}

std::string EncodeResponse(const GatewayResponse& response) {
  json::object out;
  if (response.response) {
    out["status"] = response.response->status;
    out["headers"] = EncodeHeaders(response.response->headers);
    out["body"] = response.response->body;
  } else if (response.health) {
    out["health"] = json::object{{"sealed", response.health->sealed},
                                 {"provider", response.health->provider},
                                 {"reason", response.health->reason}};
  } else {
    out["error"] = json::object{{"kind", response.error.kind}, {"message", response.error.message}};
  }
  return json::serialize(out);
}

Result<GatewayResponse> DecodeResponse(std::string_view text) {
  AA_ASSIGN_OR_RETURN(json::object object, ParseObject(text));
  GatewayResponse response;
  if (const json::value* error = object.if_contains("error")) {
    if (!error->is_object()) return InvalidArgument("gateway \"error\" must be an object");
    AA_ASSIGN_OR_RETURN(response.error.kind, StringField(error->as_object(), "kind", true));
    AA_ASSIGN_OR_RETURN(response.error.message, StringField(error->as_object(), "message", false));
    return response;
  }
  if (const json::value* health = object.if_contains("health")) {
    const json::object* fields = health->if_object();
    const json::value* sealed = fields ? fields->if_contains("sealed") : nullptr;
    if (sealed == nullptr || !sealed->is_bool()) {
      return InvalidArgument("gateway \"health\" needs a boolean \"sealed\"");
    }
    GatewayHealth out;
    out.sealed = sealed->as_bool();
    AA_ASSIGN_OR_RETURN(out.provider, StringField(*fields, "provider", false));
    AA_ASSIGN_OR_RETURN(out.reason, StringField(*fields, "reason", false));
    response.health = std::move(out);
    return response;
  }
  const json::value* status = object.if_contains("status");
  if (status == nullptr || !status->is_int64() || status->as_int64() < 100 ||
      status->as_int64() > 599) {
    return InvalidArgument("gateway response needs an HTTP \"status\" from 100 to 599");
  }
  atlassian::HttpResponse http;
  http.status = static_cast<int>(status->as_int64());
  AA_ASSIGN_OR_RETURN(http.headers, DecodeHeaders(object));
  AA_ASSIGN_OR_RETURN(http.body, StringField(object, "body", false));
  response.response = std::move(http);
  return response;
}

}  // namespace adminauto::gateway
