// The key-holding gateway: `adminauto gateway` runs as its own process, holds the master-key
// provider and is the only process that opens org API keys. Workers and the web server send
// it Organizations API requests over a Unix socket; it checks each request against the
// product's allowlist, injects the org's decrypted key, paces the call with the org's rate
// budget shared by all workers, forwards it and returns the response.
//
// Design:
//   worker                                   gateway process
//   OrgClient -> GatewayTransport  --frame-->  GatewayServer
//                (HttpTransport,                 1. DecodeRequest (protocol.h)
//                 no key, no master key)         2. CheckAllowed (policy.h): method, path,
//                                                   org id in the path = org id of the frame
//                                                3. KeyVault::OpenApiKey(org_id) into guarded
//                                                   memory; key status checked via OrgStore
//                                                4. per-org RateBudget (atlassian/rate_budget.h)
//                                                5. forward with the curl transport, wipe key
//                <--frame--                      6. EncodeResponse; a 401 marks the key invalid
//
// The socket is created mode 0600 in the data directory, so only the service user connects;
// the gateway also checks the peer's uid with SO_PEERCRED.
//
// NOTE: this build has the wire protocol and the allowlist (both tested, the decoder fuzzed).
// The socket server, GatewayTransport and the `adminauto gateway` command are not written
// yet, so workers still run in direct mode and open keys themselves.
#pragma once

#include "gateway/policy.h"
#include "gateway/protocol.h"
