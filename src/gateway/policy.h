// The gateway's allowlist: only the methods and paths the product's API client sends, and
// only for the org the request names.
#pragma once

#include <string_view>

#include "core/status.h"

namespace adminauto::gateway {

// Checks that `method` and `target` (path and query relative to the base URL, such as
// "/admin/v1/orgs/ORG/users?cursor=X") form a request the product makes, and that any org id
// in the path equals `org_id`. Fails with kPermissionDenied naming the method and path.
// Thread-safe and pure.
Status CheckAllowed(std::string_view org_id, std::string_view method, std::string_view target);

}  // namespace adminauto::gateway
