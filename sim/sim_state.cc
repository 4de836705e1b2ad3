#include "sim/sim_state.h"

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>

#include "sim/json_util.h"

namespace adminauto::sim {

Account* DirectoryData::FindAccount(const std::string& id) {
  auto it = account_index.find(id);
  return it == account_index.end() ? nullptr : &accounts[it->second];
}

const Account* DirectoryData::FindAccount(const std::string& id) const {
  auto it = account_index.find(id);
  return it == account_index.end() ? nullptr : &accounts[it->second];
}

SimGroup* DirectoryData::FindGroup(const std::string& id) {
  for (auto& g : groups) {
    if (g.group.id == id) return &g;
  }
  return nullptr;
}

const SimGroup* DirectoryData::FindGroup(const std::string& id) const {
  for (const auto& g : groups) {
    if (g.group.id == id) return &g;
  }
  return nullptr;
}

void DirectoryData::AddAccount(Account account) {
  account_index[account.id] = accounts.size();
  accounts.push_back(std::move(account));
}

Event& Org::AddEvent(Timestamp now, std::string action, std::string message) {
  Event event;
  event.id = StableUuid(id + ":event:" + std::to_string(next_event++));
  event.time = now;
  event.action = std::move(action);
  event.message = std::move(message);
  events.push_back(std::move(event));
  return events.back();
}

std::string ProductDisplayName(const std::string& key) {
  if (key == "jira-software") return "Jira";
  if (key == "confluence") return "Confluence";
  if (key == "jira-servicedesk") return "Jira Service Management";
  if (key == "jira-product-discovery") return "Jira Product Discovery";
  return key;
}

std::string StableUuid(std::string_view text) {
  // Two FNV-1a passes with different offsets give 128 bits; stability matters, not strength.
  uint64_t a = 14695981039346656037ull, b = 1099511628211ull * 31;
  for (unsigned char c : text) {
    a = (a ^ c) * 1099511628211ull;
    b = (b ^ c) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
  }
  char out[40];
  std::snprintf(out, sizeof out, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return out;
}

std::string SiteResourceId(const std::string& key, const std::string& site) {
  return "ari:cloud:" + key + "::site/" + StableUuid("site:" + site);
}

std::string ProductKeyOfResource(const std::string& resource_id) {
  constexpr std::string_view kPrefix = "ari:cloud:";
  if (!resource_id.starts_with(kPrefix)) return "";
  size_t end = resource_id.find("::", kPrefix.size());
  if (end == std::string::npos) return "";
  return resource_id.substr(kPrefix.size(), end - kPrefix.size());
}

std::string LowerAscii(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

namespace {

Group MakeGroup(const std::string& name, std::string description) {
  Group group;
  group.id = StableUuid("group:" + name);
  group.name = name;
  group.description = std::move(description);
  return group;
}

void AddMember(Account& account, const std::string& group_id) {
  if (std::find(account.group_ids.begin(), account.group_ids.end(), group_id) ==
      account.group_ids.end()) {
    account.group_ids.push_back(group_id);
  }
}

// Creates the groups of a freshly seeded org, with memberships that follow each account's
// product access and roles.
std::vector<SimGroup> SeedGroups(const std::string& org_name, std::vector<Account>& accounts) {
  std::vector<SimGroup> groups;
  std::set<std::pair<std::string, std::string>> products;
  for (const auto& account : accounts) {
    for (const auto& access : account.products) products.insert({access.key, access.site});
  }
  for (const auto& [key, site] : products) {
    SimGroup g{MakeGroup(key + "-users-" + site,
                         "Default access to " + ProductDisplayName(key) + " on " + site),
               {{SiteResourceId(key, site), "atlassian/user"}}};
    g.group.is_default = true;
    for (auto& account : accounts) {
      for (const auto& access : account.products) {
        if (access.key == key && access.site == site) AddMember(account, g.group.id);
      }
    }
    groups.push_back(std::move(g));
  }
  SimGroup admins{MakeGroup("org-admins", "Members are organization admins"),
                  {{"", std::string(kOrgAdminRole)}}};
  admins.group.grants_admin = true;
  SimGroup synced{
      MakeGroup(LowerAscii(org_name) + "-okta-engineering", "Synced from the identity provider"),
      {}};
  synced.group.external_synced = true;
  SimGroup never{MakeGroup("never-suspend", "Accounts rules must not suspend"), {}};
  SimGroup contractors{MakeGroup("contractors", "External contractors"), {}};
  for (size_t i = 0; i < accounts.size(); ++i) {
    Account& account = accounts[i];
    if (account.IsOrgAdmin()) AddMember(account, admins.group.id);
    if (account.type != AccountType::kAtlassian) continue;
    if (i % 7 == 3) AddMember(account, synced.group.id);
    if (i % 50 == 5) AddMember(account, never.group.id);
    if (i % 13 == 4) AddMember(account, contractors.group.id);
  }
  groups.push_back(std::move(admins));
  groups.push_back(std::move(synced));
  groups.push_back(std::move(never));
  groups.push_back(std::move(contractors));
  return groups;
}

}  // namespace

Org MakeOrg(const std::string& org_id, const std::string& org_name, const std::string& domain,
            Directory directory) {
  Org org;
  org.id = org_id;
  org.name = org_name;
  org.directory_id =
      directory.directory_id.empty() ? StableUuid("directory:" + org_id) : directory.directory_id;
  org.directory_name = org_name;
  org.domains.push_back({StableUuid("domain:" + domain), domain, "dns", "verified"});
  std::string default_site = LowerAscii(org_name);
  for (auto& account : directory.accounts) {
    for (auto& access : account.products) {
      if (access.site.empty()) access.site = default_site;
      if (access.resource_id.empty()) access.resource_id = SiteResourceId(access.key, access.site);
    }
  }
  if (directory.groups.empty()) {
    org.data.groups = SeedGroups(org_name, directory.accounts);
  } else {
    for (auto& group : directory.groups) org.data.groups.push_back({std::move(group), {}});
  }
  for (auto& account : directory.accounts) org.data.AddAccount(std::move(account));
  return org;
}

Directory ToDirectory(const Org& org) {
  Directory directory;
  directory.org_id = org.id;
  directory.directory_id = org.directory_id;
  directory.accounts = org.data.accounts;
  for (const auto& g : org.data.groups) directory.groups.push_back(g.group);
  return directory;
}

}  // namespace adminauto::sim
