// The gateway's wire protocol on its Unix socket: each message is a 4-byte big-endian length
// followed by that many bytes of JSON. A request names the org and carries one HTTP request;
// a response carries the HTTP response or an error. Requests never carry an org API key.
//
//   request:  {"org_id": "...", "method": "GET", "target": "/admin/v1/orgs/...",
//              "body": "...", "headers": [["Accept", "application/json"], ...]}
//             {"op": "health"}
//             {"op": "unseal"}                       open the configured provider again
//             {"op": "unseal", "master_key": "..."}  the environment provider's key value
//   response: {"status": 200, "headers": [[name, value], ...], "body": "..."}
//         or  {"health": {"sealed": true, "provider": "env", "reason": "..."}}
//         or  {"error": {"kind": "denied"|"transport"|"sealed"|"key", "message": "..."}}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "atlassian/transport.h"
#include "core/status.h"

namespace adminauto::gateway {

// Largest frame either side accepts: user listings come in pages well below this.
inline constexpr size_t kMaxFrameSize = 16 * 1024 * 1024;

enum class GatewayOp { kForward, kHealth, kUnseal };

struct GatewayRequest {
  GatewayOp op = GatewayOp::kForward;
  std::string org_id;              // kForward
  atlassian::HttpRequest request;  // kForward
  std::string master_key;          // kUnseal, optional; the caller wipes it after use
};

// Whether the gateway can open keys, and why not.
struct GatewayHealth {
  bool sealed = true;
  std::string provider;  // "file", "env", "pkcs11"
  std::string reason;    // empty when unsealed
};

struct GatewayError {
  std::string kind;  // denied, transport, sealed or key
  std::string message;
};

struct GatewayResponse {
  std::optional<atlassian::HttpResponse> response;
  std::optional<GatewayHealth> health;  // the reply to health and unseal requests
  GatewayError error;                   // meaningful only when both are empty
};

// Prefixes `json` with its 4-byte big-endian length.
std::string Frame(std::string_view json);

// Reads the length of the frame that starts `buffer`: nullopt while fewer than 4 bytes are
// available; kInvalidArgument when the length exceeds kMaxFrameSize.
Result<std::optional<size_t>> FrameLength(std::string_view buffer);

std::string EncodeRequest(const GatewayRequest& request);
// Parses a request body (without the length prefix). Errors name the bad field.
Result<GatewayRequest> DecodeRequest(std::string_view json);

std::string EncodeResponse(const GatewayResponse& response);
Result<GatewayResponse> DecodeResponse(std::string_view json);

}  // namespace adminauto::gateway
