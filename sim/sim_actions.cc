// State changes shared by the v1 and v2 handlers, and the paging helpers.
#include <algorithm>

#include "sim/json_util.h"
#include "sim/sim_service.h"

namespace adminauto::sim {
namespace {

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

void Erase(std::vector<std::string>& values, const std::string& value) {
  values.erase(std::remove(values.begin(), values.end(), value), values.end());
}

}  // namespace

http::Response SimService::ActionError(ApiFamily family, const ActionResult& result) {
  int status = 500;
  switch (result.outcome) {
    case Outcome::kNotFound:
      status = 404;
      break;
    case Outcome::kForbidden:
      status = 403;
      break;
    case Outcome::kConflict:
      status = 409;
      break;
    case Outcome::kOk:
      status = 200;
      break;
  }
  if (family == ApiFamily::kManage) {
    std::string key = status == 404   ? "accountNotFound"
                      : status == 403 ? "forbidden.targetUnverified"
                                      : "conflict.lifecycleErrors";
    return ManageError(status, key, result.detail);
  }
  if (family == ApiFamily::kV2) return V2Error(status, result.v2_code, "", result.detail);
  return V1Error(status, result.v1_code, "", result.detail);
}

std::optional<http::Response> SimService::ParseBody(const Ctx& ctx, ApiFamily family,
                                                    bool allow_empty, boost::json::object& out) {
  auto bad = [&](const std::string& detail) {
    if (family == ApiFamily::kManage) return ManageError(400, "bodyParseFailure", detail);
    if (family == ApiFamily::kV2) return V2Error(400, "ADMIN-UAM-400-1", "", detail);
    return V1Error(400, "ADMIN-400-24", "Invalid request body", detail);
  };
  if (ctx.req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    if (allow_empty) return std::nullopt;
    return bad("The request body is empty; send a JSON object");
  }
  auto parsed = ParseJsonText(ctx.req.body, "request body");
  if (!parsed.ok()) return bad(parsed.status().message());
  if (!parsed->is_object()) return bad("The request body must be a JSON object");
  out = std::move(parsed->get_object());
  return std::nullopt;
}

Event& SimService::AddAccountEvent(Ctx& ctx, const Account& account, std::string action,
                                   std::string message) {
  Event& event = ctx.org.AddEvent(ctx.now, std::move(action), std::move(message));
  event.account_id = account.id;
  event.account_name = account.name;
  event.account_email = account.email;
  return event;
}

ActionResult SimService::SuspendAccount(Ctx& ctx, const std::string& account_id) {
  Account* account = ctx.org.data.FindAccount(account_id);
  if (account == nullptr || account->membership_status == MembershipStatus::kNoMembership) {
    return {Outcome::kNotFound, "User " + account_id + " was not found in the directory",
            "ADMIN-404-8", "ADMIN-UAM-404-1"};
  }
  if (account->membership_status == MembershipStatus::kSuspended) return {};
  BeforeWrite(ctx.org);
  account->membership_status = MembershipStatus::kSuspended;
  AddAccountEvent(ctx, *account, "user_access_suspended", "Suspended access for " + account->name);
  return {};
}

ActionResult SimService::RestoreAccount(Ctx& ctx, const std::string& account_id) {
  Account* account = ctx.org.data.FindAccount(account_id);
  if (account == nullptr || account->membership_status == MembershipStatus::kNoMembership) {
    return {Outcome::kNotFound, "User " + account_id + " was not found in the directory",
            "ADMIN-404-8", "ADMIN-UAM-404-1"};
  }
  if (account->membership_status == MembershipStatus::kActive) return {};
  BeforeWrite(ctx.org);
  account->membership_status = MembershipStatus::kActive;
  account->restored_at = ctx.now;
  AddAccountEvent(ctx, *account, "user_access_restored", "Restored access for " + account->name);
  return {};
}

// NOTE: the real service removes users asynchronously; the simulator applies it at once.
ActionResult SimService::RemoveAccount(Ctx& ctx, const std::string& account_id) {
  Account* account = ctx.org.data.FindAccount(account_id);
  if (account == nullptr || account->membership_status == MembershipStatus::kNoMembership) {
    return {Outcome::kNotFound, "User " + account_id + " was not found in the directory",
            "ADMIN-404-8", "ADMIN-UAM-404-1"};
  }
  BeforeWrite(ctx.org);
  account->membership_status = MembershipStatus::kNoMembership;
  account->group_ids.clear();
  account->products.clear();
  AddAccountEvent(ctx, *account, "user_removed_from_directory",
                  "Removed " + account->name + " from the directory");
  return {};
}

ActionResult SimService::CreateGroup(Ctx& ctx, const std::string& name,
                                     const std::string& description, std::string& group_id) {
  for (const auto& g : ctx.org.data.groups) {
    if (LowerAscii(g.group.name) == LowerAscii(name)) {
      return {Outcome::kConflict, "A group named " + name + " already exists", "ADMIN-400-4",
              "ADMIN-UAM-409-2"};
    }
  }
  BeforeWrite(ctx.org);
  SimGroup group;
  group.group.id =
      StableUuid(ctx.org.id + ":group:" + name + ":" + std::to_string(ctx.org.next_event));
  group.group.name = name;
  group.group.description = description;
  group_id = group.group.id;
  ctx.org.data.groups.push_back(std::move(group));
  Event& event = ctx.org.AddEvent(ctx.now, "group_created", "Created group " + name);
  event.group_id = group_id;
  event.group_name = name;
  return {};
}

namespace {

// Default, identity-provider synced and admin-granting groups reject changes through the API.
std::optional<ActionResult> CheckChangeable(const SimGroup& g, bool membership) {
  const std::string& name = g.group.name;
  if (g.group.external_synced && membership) {
    return ActionResult{Outcome::kForbidden,
                        "Group " + name + " is synced from an identity provider", "ADMIN-403-5",
                        "ADMIN-UAM-403-1"};
  }
  if (g.group.is_default) {
    return ActionResult{Outcome::kForbidden, "Group " + name + " is a default access group",
                        "ADMIN-403-6", "ADMIN-UAM-403-1"};
  }
  if (g.group.grants_admin) {
    return ActionResult{Outcome::kForbidden, "Group " + name + " grants admin access",
                        "ADMIN-403-7", "ADMIN-UAM-403-1"};
  }
  return std::nullopt;
}

ActionResult GroupNotFound(const std::string& group_id) {
  return {Outcome::kNotFound, "Group " + group_id + " was not found", "ADMIN-404-10",
          "ADMIN-UAM-404-3"};
}

}  // namespace

ActionResult SimService::DeleteGroup(Ctx& ctx, const std::string& group_id) {
  SimGroup* group = ctx.org.data.FindGroup(group_id);
  if (group == nullptr) return GroupNotFound(group_id);
  if (group->group.external_synced) {
    return {Outcome::kForbidden,
            "Group " + group->group.name + " is synced from an identity provider", "ADMIN-403-5",
            "ADMIN-UAM-403-1"};
  }
  if (auto refused = CheckChangeable(*group, true)) return *refused;
  BeforeWrite(ctx.org);
  std::string name = group->group.name;
  for (auto& account : ctx.org.data.accounts) Erase(account.group_ids, group_id);
  auto& groups = ctx.org.data.groups;
  groups.erase(std::remove_if(groups.begin(), groups.end(),
                              [&](const SimGroup& g) { return g.group.id == group_id; }),
               groups.end());
  Event& event = ctx.org.AddEvent(ctx.now, "group_deleted", "Deleted group " + name);
  event.group_id = group_id;
  event.group_name = name;
  return {};
}

ActionResult SimService::AddMembership(Ctx& ctx, const std::string& group_id,
                                       const std::string& account_id) {
  SimGroup* group = ctx.org.data.FindGroup(group_id);
  if (group == nullptr) return GroupNotFound(group_id);
  Account* account = ctx.org.data.FindAccount(account_id);
  if (account == nullptr || account->membership_status == MembershipStatus::kNoMembership) {
    return {Outcome::kNotFound, "User " + account_id + " was not found in the directory",
            "ADMIN-404-8", "ADMIN-UAM-404-1"};
  }
  if (auto refused = CheckChangeable(*group, true)) return *refused;
  if (Contains(account->group_ids, group_id)) return {};
  BeforeWrite(ctx.org);
  account->group_ids.push_back(group_id);
  Event& event = AddAccountEvent(ctx, *account, "user_added_to_group",
                                 "Added " + account->name + " to " + group->group.name);
  event.group_id = group_id;
  event.group_name = group->group.name;
  return {};
}

ActionResult SimService::RemoveMembership(Ctx& ctx, const std::string& group_id,
                                          const std::string& account_id) {
  SimGroup* group = ctx.org.data.FindGroup(group_id);
  if (group == nullptr) return GroupNotFound(group_id);
  Account* account = ctx.org.data.FindAccount(account_id);
  if (account == nullptr) {
    return {Outcome::kNotFound, "User " + account_id + " was not found", "ADMIN-404-8",
            "ADMIN-UAM-404-1"};
  }
  if (auto refused = CheckChangeable(*group, true)) return *refused;
  if (!Contains(account->group_ids, group_id)) {
    return {Outcome::kNotFound, "User " + account_id + " is not a member of group " + group_id,
            "ADMIN-404-8", "ADMIN-UAM-404-1"};
  }
  BeforeWrite(ctx.org);
  Erase(account->group_ids, group_id);
  Event& event = AddAccountEvent(ctx, *account, "user_removed_from_group",
                                 "Removed " + account->name + " from " + group->group.name);
  event.group_id = group_id;
  event.group_name = group->group.name;
  return {};
}

namespace {

void GrantProduct(Account& account, const std::string& resource_id) {
  for (const auto& p : account.products) {
    if (p.resource_id == resource_id) return;
  }
  ProductAccess access;
  access.key = ProductKeyOfResource(resource_id);
  access.resource_id = resource_id;
  account.products.push_back(std::move(access));
}

void RevokeProduct(Account& account, const std::string& resource_id) {
  auto& products = account.products;
  products.erase(
      std::remove_if(products.begin(), products.end(),
                     [&](const ProductAccess& p) { return p.resource_id == resource_id; }),
      products.end());
}

}  // namespace

// A group role grants the product to every member. NOTE: revoking removes the product from
// members even when another group of theirs also grants it; the real service keeps it then.
ActionResult SimService::ChangeGroupRole(Ctx& ctx, const std::string& group_id,
                                         const RoleAssignment& role, bool assign) {
  SimGroup* group = ctx.org.data.FindGroup(group_id);
  if (group == nullptr) return GroupNotFound(group_id);
  if (auto refused = CheckChangeable(*group, false)) return *refused;
  bool present = std::find(group->roles.begin(), group->roles.end(), role) != group->roles.end();
  if (present == assign) return {};
  BeforeWrite(ctx.org);
  if (assign) {
    group->roles.push_back(role);
  } else {
    group->roles.erase(std::remove(group->roles.begin(), group->roles.end(), role),
                       group->roles.end());
  }
  for (auto& account : ctx.org.data.accounts) {
    if (!Contains(account.group_ids, group_id) || role.resource_id.empty()) continue;
    if (assign) {
      GrantProduct(account, role.resource_id);
    } else {
      RevokeProduct(account, role.resource_id);
    }
  }
  Event& event =
      ctx.org.AddEvent(ctx.now, assign ? "group_role_assigned" : "group_role_revoked",
                       std::string(assign ? "Granted " : "Revoked ") + role.role_id + " on " +
                           (role.resource_id.empty() ? "the organization" : role.resource_id) +
                           " for group " + group->group.name);
  event.group_id = group_id;
  event.group_name = group->group.name;
  return {};
}

ActionResult SimService::ChangeUserRole(Ctx& ctx, const std::string& account_id,
                                        const RoleAssignment& role, bool assign) {
  Account* account = ctx.org.data.FindAccount(account_id);
  if (account == nullptr) {
    return {Outcome::kNotFound, "User " + account_id + " was not found", "ADMIN-404-8",
            "ADMIN-UAM-404-1"};
  }
  BeforeWrite(ctx.org);
  bool platform = role.resource_id.empty();
  if (platform) {
    if (assign && !Contains(account->platform_roles, role.role_id)) {
      account->platform_roles.push_back(role.role_id);
    } else if (!assign) {
      Erase(account->platform_roles, role.role_id);
    }
  } else if (assign) {
    GrantProduct(*account, role.resource_id);
  } else {
    RevokeProduct(*account, role.resource_id);
  }
  AddAccountEvent(
      ctx, *account, assign ? "user_role_assigned" : "user_role_revoked",
      std::string(assign ? "Granted " : "Revoked ") + role.role_id + " for " + account->name);
  return {};
}

std::optional<http::Response> SimService::ReadCursor(const Ctx& ctx, ApiFamily family,
                                                     const std::string& kind,
                                                     const std::string& token, CursorData& cursor) {
  (void)ctx;
  (void)family;
  cursor = CursorData{kind, 0, ""};
  if (token.empty()) return std::nullopt;
  auto decoded = DecodeCursor(token, cursor_secret_);
  if (!decoded || decoded->kind != kind) {
    // The API documents ADMIN-400-1 for an invalid cursor; v2 uses the same code here.
    return V1Error(400, "ADMIN-400-1", "Invalid page cursor",
                   "The cursor is invalid or was altered; start again without a cursor");
  }
  cursor = *decoded;
  return std::nullopt;
}

std::string SimService::NextToken(const Ctx& ctx, const CursorData& current,
                                  const std::string& token, size_t next_position,
                                  size_t last_position) {
  if (ctx.faults != nullptr && ctx.faults->repeat_cursor && !token.empty()) return token;
  size_t position = next_position;
  if (ctx.faults != nullptr && ctx.faults->repeat_account && last_position > current.position) {
    position = last_position;  // the next page starts again with this page's last row
  }
  return EncodeCursor({current.kind, position, current.filter}, cursor_secret_);
}

size_t SimService::ManagedTotal(const DirectoryData& view) {
  if (managed_total_view_ == &view && managed_total_generation_ == state_.write_generation) {
    return managed_total_;
  }
  size_t total = 0;
  for (const auto& a : view.accounts) total += a.claim_status == ClaimStatus::kManaged ? 1 : 0;
  managed_total_ = total;
  managed_total_view_ = &view;
  managed_total_generation_ = state_.write_generation;
  return total;
}

}  // namespace adminauto::sim
