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
// NOTE: the SO_PEERCRED uid check is not written yet, and the sync and apply commands do not
// yet pick GatewayTransport when a gateway socket is configured, so they still open keys
// themselves (direct mode).
#pragma once

#include "gateway/policy.h"
#include "gateway/protocol.h"
#include "gateway/server.h"
#include "gateway/vault_backend.h"
