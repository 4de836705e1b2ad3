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
// The socket is created mode 0600, so only the service user can connect.
//
// NOTE: written and tested so far: the wire protocol (decoder fuzzed), the allowlist, the
// socket server with a pluggable Backend and the worker's GatewayTransport (server.h). Not
// written yet: the vault-backed Backend (steps 3-5 and the 401 handling), a SO_PEERCRED uid
// check and the `adminauto gateway` command, so workers still run in direct mode.
#pragma once

#include "gateway/policy.h"
#include "gateway/protocol.h"
#include "gateway/server.h"
