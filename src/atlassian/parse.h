// Parsers of the Organizations API's response bodies. Each checks the shape it expects and
// returns InvalidArgument naming the field and the page position on anything else, so a
// response that changed shape fails loudly instead of reading as an empty directory. Internal
// to the client; public for tests and fuzz targets.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "atlassian/client.h"
#include "core/directory.h"
#include "core/status.h"

namespace adminauto::atlassian {

// Parses `body` as a JSON object. Rejects non-JSON, other JSON types and an object carrying
// an "errors" array (an error body sent with a 2xx status).
Result<boost::json::object> ParseJsonObject(std::string_view body);

struct UserPage {
  std::vector<Account> accounts;
  std::string next;  // v1: full URL; v2: cursor token; empty on the last page
};

struct GroupPage {
  std::vector<Group> groups;
  std::string next;
};

struct LastActivePage {
  LastActiveDates dates;
  std::string next;
};

struct DirectoryPage {
  std::vector<DirectoryInfo> directories;
  std::string next;
};

// GET /admin/v1/orgs/ORG/users: {"data":[{account_id, account_type, account_status, name,
// email?, product_access:[{key, name, url, last_active}], last_active}], "links":{"next"}}.
Result<UserPage> ParseV1UserPage(std::string_view body);

// POST .../users/search (v2): {"data":[{accountId, accountType, accountStatus,
// membershipStatus, claimStatus, name, email, addedToOrg, platformRoles, productAccess,
// groups}], "links":{"next"}}.
Result<UserPage> ParseV2UserPage(std::string_view body);

// GET .../users/ID (v2): {"data":{...one v2 user...}}.
Result<Account> ParseV2UserEnvelope(std::string_view body);

// POST .../groups/search (v2): {"data":[{id, name, description, externalSynced}],
// "links":{"next"}}.
Result<GroupPage> ParseGroupPage(std::string_view body);

// POST .../groups (create): the group itself, or wrapped in "data", or the v1 form
// {"groupId": ...}. `name` and `description` fill what the body leaves out.
Result<Group> ParseCreatedGroup(std::string_view body, std::string_view name,
                                std::string_view description);

// GET .../last-active-dates: {"data":{"product_access":[{id, key, last_active,
// last_active_timestamp}], "added_to_org", "added_to_org_timestamp"}, "links":{"next"}}.
Result<LastActivePage> ParseLastActivePage(std::string_view body);

// GET /admin/v2/orgs/ORG/directories: {"data":[{directoryId, name}], "links":{"next"}}.
Result<DirectoryPage> ParseDirectoryPage(std::string_view body);

// Checks the body of a successful write: empty, or a JSON object without "errors".
Status CheckWriteResponse(std::string_view body);

// Parses an activity time: absent, null, "" and the Unix epoch mean no activity (nullopt);
// a date alone is that UTC day. `field` names the value in the error.
Result<std::optional<Timestamp>> ParseActivityTime(const boost::json::value* value,
                                                   std::string_view field);

// Returns the site name of a product URL: "acme" for "https://acme.atlassian.net/...", or the
// host for other URLs, or "" when there is none.
std::string SiteFromUrl(std::string_view url);

}  // namespace adminauto::atlassian
