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
// The socket is created mode 0600, and every connection's peer user id (SO_PEERCRED) must be
// the gateway's own or one given with --allow-uid. Without its master key the gateway starts
// sealed: it serves health and unseal requests only, and rejects API requests with the reason.
//
// Workers pick GatewayTransport with `--gateway SOCKET` or ADMINAUTO_GATEWAY_SOCKET on sync,
// apply, run and revert (cli/apply_options.h). They then read only the org registry, so they
// never load the master key or open a stored key.
#pragma once

#include "gateway/policy.h"
#include "gateway/protocol.h"
#include "gateway/server.h"
#include "gateway/vault_backend.h"
