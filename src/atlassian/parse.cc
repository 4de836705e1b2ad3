#include "atlassian/parse.h"

#include <boost/json.hpp>
#include <optional>

namespace adminauto::atlassian {
namespace {

namespace json = boost::json;

Status BadField(std::string_view where, std::string_view field, std::string_view problem) {
  return InvalidArgument(std::string(where) + ": field \"" + std::string(field) + "\" " +
                         std::string(problem));
}

// Reads a required string field.
Result<std::string> RequiredString(const json::object& obj, std::string_view field,
                                   std::string_view where) {
  const json::value* v = obj.if_contains(field);
  if (v == nullptr) return BadField(where, field, "is missing");
  if (!v->is_string()) return BadField(where, field, "is not a string");
  if (v->as_string().empty()) return BadField(where, field, "is empty");
  return std::string(v->as_string());
}

// Reads an optional string field: absent or null give "".
Result<std::string> OptionalString(const json::object& obj, std::string_view field,
                                   std::string_view where) {
  const json::value* v = obj.if_contains(field);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) return BadField(where, field, "is not a string");
  return std::string(v->as_string());
}

Result<bool> OptionalBool(const json::object& obj, std::string_view field, std::string_view where) {
  const json::value* v = obj.if_contains(field);
  if (v == nullptr || v->is_null()) return false;
  if (!v->is_bool()) return BadField(where, field, "is not a boolean");
  return v->as_bool();
}

// Returns the array under `field`; absent or null give nullptr.
Result<const json::array*> OptionalArray(const json::object& obj, std::string_view field,
                                         std::string_view where) {
  const json::value* v = obj.if_contains(field);
  if (v == nullptr || v->is_null()) return static_cast<const json::array*>(nullptr);
  if (!v->is_array()) return BadField(where, field, "is not an array");
  return &v->as_array();
}

// Parses an enumerated string field with `parse`; the error lists the value received.
template <typename E, typename Parser>
Result<E> RequiredEnum(const json::object& obj, std::string_view field, std::string_view where,
                       Parser parse) {
  AA_ASSIGN_OR_RETURN(std::string text, RequiredString(obj, field, where));
  std::optional<E> value = parse(text);
  if (!value) return BadField(where, field, "has unknown value \"" + text.substr(0, 40) + "\"");
  return *value;
}

// Reads links.next of a page: a string, or absent/null/"" at the end.
Result<std::string> NextLink(const json::object& page) {
  const json::value* links = page.if_contains("links");
  if (links == nullptr || links->is_null()) return std::string();
  if (!links->is_object()) return BadField("page", "links", "is not an object");
  return OptionalString(links->as_object(), "next", "page links");
}

// Returns page["data"] as an array; a page without it is malformed, never empty.
Result<const json::array*> DataArray(const json::object& page) {
  const json::value* data = page.if_contains("data");
  if (data == nullptr) return BadField("page", "data", "is missing");
  if (!data->is_array()) return BadField("page", "data", "is not an array");
  return &data->as_array();
}

std::string Where(std::string_view kind, size_t index) {
  return std::string(kind) + " " + std::to_string(index);
}

// Parses one v1 product_access item.
Result<ProductAccess> ParseV1Product(const json::value& item, const std::string& where) {
  if (!item.is_object()) return InvalidArgument(where + ": product_access item is not an object");
  const json::object& obj = item.as_object();
  ProductAccess product;
  AA_ASSIGN_OR_RETURN(product.key, RequiredString(obj, "key", where));
  AA_ASSIGN_OR_RETURN(std::string url, OptionalString(obj, "url", where));
  product.site = SiteFromUrl(url);
  AA_ASSIGN_OR_RETURN(product.last_active, ParseActivityTime(obj.if_contains("last_active"),
                                                             where + " product last_active"));
  return product;
}

Result<Account> ParseV1User(const json::value& item, const std::string& where) {
  if (!item.is_object()) return InvalidArgument(where + " is not an object");
  const json::object& obj = item.as_object();
  Account account;
  AA_ASSIGN_OR_RETURN(account.id, RequiredString(obj, "account_id", where));
  AA_ASSIGN_OR_RETURN(account.type,
                      RequiredEnum<AccountType>(obj, "account_type", where, ParseAccountType));
  AA_ASSIGN_OR_RETURN(
      account.account_status,
      RequiredEnum<AccountStatus>(obj, "account_status", where, ParseAccountStatus));
  AA_ASSIGN_OR_RETURN(account.name, OptionalString(obj, "name", where));
  AA_ASSIGN_OR_RETURN(account.email, OptionalString(obj, "email", where));
  // The v1 list holds managed accounts only and says nothing about directory membership.
  account.claim_status = ClaimStatus::kManaged;
  AA_ASSIGN_OR_RETURN(const json::array* products, OptionalArray(obj, "product_access", where));
  if (products != nullptr) {
    for (const json::value& p : *products) {
      AA_ASSIGN_OR_RETURN(ProductAccess product, ParseV1Product(p, where));
      account.products.push_back(std::move(product));
    }
  }
  return account;
}

Result<ProductAccess> ParseV2Product(const json::value& item, const std::string& where) {
  if (!item.is_object()) return InvalidArgument(where + ": productAccess item is not an object");
  const json::object& obj = item.as_object();
  ProductAccess product;
  AA_ASSIGN_OR_RETURN(product.key, RequiredString(obj, "key", where));
  AA_ASSIGN_OR_RETURN(product.resource_id, OptionalString(obj, "id", where));
  AA_ASSIGN_OR_RETURN(std::string url, OptionalString(obj, "url", where));
  // NOTE: v2 items carry the site's ARI and usually no url, so `site` stays empty and a rule
  // limited to `product@site` selects nobody on a synced org. Mapping ARIs to site names needs
  // the workspaces search, which the client does not call yet.
  product.site = SiteFromUrl(url);
  AA_ASSIGN_OR_RETURN(product.last_active,
                      ParseActivityTime(obj.if_contains("lastActiveTimestamp"),
                                        where + " productAccess lastActiveTimestamp"));
  return product;
}

Status ParseV2Lists(const json::object& obj, const std::string& where, Account& account) {
  AA_ASSIGN_OR_RETURN(const json::array* roles, OptionalArray(obj, "platformRoles", where));
  if (roles != nullptr) {
    for (const json::value& role : *roles) {
      if (!role.is_string()) return BadField(where, "platformRoles", "holds a non-string");
      account.platform_roles.emplace_back(role.as_string());
    }
  }
  AA_ASSIGN_OR_RETURN(const json::array* products, OptionalArray(obj, "productAccess", where));
  if (products != nullptr) {
    for (const json::value& p : *products) {
      AA_ASSIGN_OR_RETURN(ProductAccess product, ParseV2Product(p, where));
      account.products.push_back(std::move(product));
    }
  }
  AA_ASSIGN_OR_RETURN(const json::array* groups, OptionalArray(obj, "groups", where));
  if (groups != nullptr) {
    for (const json::value& g : *groups) {
      if (!g.is_object()) return BadField(where, "groups", "holds a non-object");
      AA_ASSIGN_OR_RETURN(std::string id, RequiredString(g.as_object(), "id", where + " group"));
      account.group_ids.push_back(std::move(id));
    }
  }
  return Status::Ok();
}

// Reads the membership status, or derives it from the composite `status` when absent.
Result<MembershipStatus> ParseMembership(const json::object& obj, const std::string& where) {
  if (obj.contains("membershipStatus")) {
    return RequiredEnum<MembershipStatus>(obj, "membershipStatus", where, ParseMembershipStatus);
  }
  AA_ASSIGN_OR_RETURN(UserStatus status,
                      RequiredEnum<UserStatus>(obj, "status", where, ParseUserStatus));
  switch (status) {
    case UserStatus::kSuspended:
      return MembershipStatus::kSuspended;
    case UserStatus::kNotInvited:
      return MembershipStatus::kNoMembership;
    default:
      return MembershipStatus::kActive;
  }
}

Result<Account> ParseV2User(const json::value& item, const std::string& where) {
  if (!item.is_object()) return InvalidArgument(where + " is not an object");
  const json::object& obj = item.as_object();
  Account account;
  AA_ASSIGN_OR_RETURN(account.id, RequiredString(obj, "accountId", where));
  AA_ASSIGN_OR_RETURN(account.type,
                      RequiredEnum<AccountType>(obj, "accountType", where, ParseAccountType));
  AA_ASSIGN_OR_RETURN(account.account_status,
                      RequiredEnum<AccountStatus>(obj, "accountStatus", where, ParseAccountStatus));
  AA_ASSIGN_OR_RETURN(account.membership_status, ParseMembership(obj, where));
  // Without claimStatus the account cannot be shown to be managed, so it must not be acted on.
  AA_ASSIGN_OR_RETURN(account.claim_status,
                      RequiredEnum<ClaimStatus>(obj, "claimStatus", where, ParseClaimStatus));
  AA_ASSIGN_OR_RETURN(account.name, OptionalString(obj, "name", where));
  AA_ASSIGN_OR_RETURN(account.email, OptionalString(obj, "email", where));
  AA_ASSIGN_OR_RETURN(account.added_to_org,
                      ParseActivityTime(obj.if_contains("addedToOrg"), where + " addedToOrg"));
  AA_RETURN_IF_ERROR(ParseV2Lists(obj, where, account));
  return account;
}

Result<Group> ParseGroup(const json::value& item, const std::string& where) {
  if (!item.is_object()) return InvalidArgument(where + " is not an object");
  const json::object& obj = item.as_object();
  Group group;
  AA_ASSIGN_OR_RETURN(group.id, RequiredString(obj, "id", where));
  AA_ASSIGN_OR_RETURN(group.name, RequiredString(obj, "name", where));
  AA_ASSIGN_OR_RETURN(group.description, OptionalString(obj, "description", where));
  AA_ASSIGN_OR_RETURN(group.external_synced, OptionalBool(obj, "externalSynced", where));
  // NOTE: the API has no "default group" or "grants admin" field; a group that may not be
  // deleted is one of those two kinds, so both are inferred conservatively from that flag.
  if (const json::value* access = obj.if_contains("managementAccess");
      access != nullptr && access->is_object()) {
    const json::value* deletable = access->as_object().if_contains("deletable");
    if (deletable != nullptr && deletable->is_bool() && !deletable->as_bool() &&
        !group.external_synced) {
      group.is_default = true;
    }
  }
  return group;
}

Result<LastActiveDates> ParseLastActiveData(const json::object& data) {
  constexpr std::string_view kWhere = "last-active-dates data";
  LastActiveDates dates;
  const json::value* products = data.if_contains("product_access");
  if (products == nullptr) return BadField(kWhere, "product_access", "is missing");
  if (!products->is_array()) return BadField(kWhere, "product_access", "is not an array");
  size_t index = 0;
  for (const json::value& item : products->as_array()) {
    std::string where = Where("product_access item", index++);
    if (!item.is_object()) return InvalidArgument(where + " is not an object");
    const json::object& obj = item.as_object();
    ProductAccess product;
    AA_ASSIGN_OR_RETURN(product.key, RequiredString(obj, "key", where));
    AA_ASSIGN_OR_RETURN(product.resource_id, OptionalString(obj, "id", where));
    // The timestamp is exact; the date-only field is the fallback and means that UTC day.
    const json::value* ts = obj.if_contains("last_active_timestamp");
    bool has_ts = ts != nullptr && !ts->is_null() && !(ts->is_string() && ts->as_string().empty());
    AA_ASSIGN_OR_RETURN(
        product.last_active,
        ParseActivityTime(has_ts ? ts : obj.if_contains("last_active"),
                          where + (has_ts ? " last_active_timestamp" : " last_active")));
    dates.products.push_back(std::move(product));
  }
  const json::value* added = data.if_contains("added_to_org_timestamp");
  if (added == nullptr || added->is_null()) added = data.if_contains("added_to_org");
  AA_ASSIGN_OR_RETURN(dates.added_to_org, ParseActivityTime(added, "added_to_org"));
  return dates;
}

}  // namespace

Result<json::object> ParseJsonObject(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec) return InvalidArgument("body is not JSON (" + ec.message() + ")");
  if (!value.is_object()) return InvalidArgument("body is not a JSON object");
  json::object obj = std::move(value.as_object());
  if (const json::value* errors = obj.if_contains("errors"); errors != nullptr) {
    return InvalidArgument("success status with an error body");
  }
  return obj;
}

Result<std::optional<Timestamp>> ParseActivityTime(const json::value* value,
                                                   std::string_view field) {
  if (value == nullptr || value->is_null()) return std::optional<Timestamp>();
  if (!value->is_string()) {
    return InvalidArgument("field \"" + std::string(field) + "\" is not a string");
  }
  std::string_view text = value->as_string();
  if (text.empty()) return std::optional<Timestamp>();
  Result<Timestamp> t = ParseIsoTimestamp(text);
  if (!t.ok()) {
    return InvalidArgument("field \"" + std::string(field) + "\": " + t.status().message());
  }
  if (IsEpochZero(*t)) return std::optional<Timestamp>();
  return std::optional<Timestamp>(*t);
}

std::string SiteFromUrl(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
  size_t end = url.find_first_of("/:?#");
  std::string_view host = url.substr(0, end);
  constexpr std::string_view kSuffix = ".atlassian.net";
  if (host.size() > kSuffix.size() && host.substr(host.size() - kSuffix.size()) == kSuffix) {
    host.remove_suffix(kSuffix.size());
  }
  return std::string(host);
}

Result<UserPage> ParseV1UserPage(std::string_view body) {
  AA_ASSIGN_OR_RETURN(json::object page, ParseJsonObject(body));
  AA_ASSIGN_OR_RETURN(const json::array* data, DataArray(page));
  UserPage out;
  out.accounts.reserve(data->size());
  for (size_t i = 0; i < data->size(); ++i) {
    AA_ASSIGN_OR_RETURN(Account account, ParseV1User((*data)[i], Where("user", i)));
    out.accounts.push_back(std::move(account));
  }
  AA_ASSIGN_OR_RETURN(out.next, NextLink(page));
  return out;
}

Result<UserPage> ParseV2UserPage(std::string_view body) {
  AA_ASSIGN_OR_RETURN(json::object page, ParseJsonObject(body));
  AA_ASSIGN_OR_RETURN(const json::array* data, DataArray(page));
  UserPage out;
  out.accounts.reserve(data->size());
  for (size_t i = 0; i < data->size(); ++i) {
    AA_ASSIGN_OR_RETURN(Account account, ParseV2User((*data)[i], Where("user", i)));
    out.accounts.push_back(std::move(account));
  }
  AA_ASSIGN_OR_RETURN(out.next, NextLink(page));
  return out;
}

Result<Account> ParseV2UserEnvelope(std::string_view body) {
  AA_ASSIGN_OR_RETURN(json::object envelope, ParseJsonObject(body));
  const json::value* data = envelope.if_contains("data");
  if (data == nullptr) return BadField("user", "data", "is missing");
  return ParseV2User(*data, "user");
}

Result<GroupPage> ParseGroupPage(std::string_view body) {
  AA_ASSIGN_OR_RETURN(json::object page, ParseJsonObject(body));
  AA_ASSIGN_OR_RETURN(const json::array* data, DataArray(page));
  GroupPage out;
  for (size_t i = 0; i < data->size(); ++i) {
    AA_ASSIGN_OR_RETURN(Group group, ParseGroup((*data)[i], Where("group", i)));
    out.groups.push_back(std::move(group));
  }
  AA_ASSIGN_OR_RETURN(out.next, NextLink(page));
  return out;
}

Result<Group> ParseCreatedGroup(std::string_view body, std::string_view name,
                                std::string_view description) {
  AA_ASSIGN_OR_RETURN(json::object obj, ParseJsonObject(body));
  if (const json::value* data = obj.if_contains("data"); data != nullptr && data->is_object()) {
    obj = data->as_object();
  }
  Group group;
  group.name = std::string(name);
  group.description = std::string(description);
  if (obj.contains("groupId")) {
    AA_ASSIGN_OR_RETURN(group.id, RequiredString(obj, "groupId", "created group"));
    return group;
  }
  AA_ASSIGN_OR_RETURN(group.id, RequiredString(obj, "id", "created group"));
  AA_ASSIGN_OR_RETURN(std::string returned_name, OptionalString(obj, "name", "created group"));
  if (!returned_name.empty()) group.name = returned_name;
  return group;
}

Result<LastActivePage> ParseLastActivePage(std::string_view body) {
  AA_ASSIGN_OR_RETURN(json::object page, ParseJsonObject(body));
  const json::value* data = page.if_contains("data");
  if (data == nullptr) return BadField("last-active-dates", "data", "is missing");
  if (!data->is_object()) return BadField("last-active-dates", "data", "is not an object");
  LastActivePage out;
  AA_ASSIGN_OR_RETURN(out.dates, ParseLastActiveData(data->as_object()));
  AA_ASSIGN_OR_RETURN(out.next, NextLink(page));
  return out;
}

Result<DirectoryPage> ParseDirectoryPage(std::string_view body) {
  AA_ASSIGN_OR_RETURN(json::object page, ParseJsonObject(body));
  AA_ASSIGN_OR_RETURN(const json::array* data, DataArray(page));
  DirectoryPage out;
  for (size_t i = 0; i < data->size(); ++i) {
    std::string where = Where("directory", i);
    if (!(*data)[i].is_object()) return InvalidArgument(where + " is not an object");
    const json::object& obj = (*data)[i].as_object();
    DirectoryInfo info;
    AA_ASSIGN_OR_RETURN(info.id, RequiredString(obj, "directoryId", where));
    AA_ASSIGN_OR_RETURN(info.name, OptionalString(obj, "name", where));
    out.directories.push_back(std::move(info));
  }
  AA_ASSIGN_OR_RETURN(out.next, NextLink(page));
  return out;
}

Status CheckWriteResponse(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Status::Ok();
  return ParseJsonObject(body).status();
}

}  // namespace adminauto::atlassian
