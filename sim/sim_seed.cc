// Seeds: the deterministic generator and the JSON state file.
#include <array>
#include <cstdio>
#include <map>
#include <random>
#include <set>

#include "sim/json_util.h"
#include "sim/sim_state.h"

namespace adminauto::sim {
namespace {

constexpr std::array<std::string_view, 30> kFirstNames{
    "Anna",   "Ben",    "Chloé",    "Dmitri", "Elif",  "Farah",    "Giulia", "Hiro",
    "Ingrid", "José",   "Łukasz",   "Mateo",  "Nadia", "Ngọc",     "Oskar",  "Priya",
    "Søren",  "Zoë",    "Анна",     "Павел",  "Мария", "山田",     "李",     "王芳",
    "さくら", "Jürgen", "François", "Ana 🌟",  "Mia 🚀", "Mary-Jane"};
constexpr std::array<std::string_view, 16> kLastNames{
    "Müller", "García", "Nguyễn",    "Иванов",   "Smirnova", "田中",   "陳",    "O'Neil",
    "Brown",  "Silva",  "Fernández", "Kowalski", "Öztürk",   "Dubois", "Rossi", "Singh"};
constexpr std::array<std::string_view, 4> kProducts{"jira-software", "confluence",
                                                    "jira-servicedesk", "jira-product-discovery"};
constexpr std::array<std::string_view, 4> kApps{"Automation for Jira", "Slack",
                                                "Jira Cloud for Teams", "Opsgenie Integration"};

// Lowercases ASCII and drops characters that cannot appear in an email local part (the
// emoji and spaces of display names); other UTF-8 letters stay, as real exports show.
std::string EmailPart(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == 0xF0) {  // four-byte UTF-8 sequence: an emoji here
      i += 3;
      continue;
    }
    if (c == ' ' || c == '\'') continue;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::string RandomAccountId(std::mt19937_64& rng) {
  char buffer[64];
  if (rng() % 3 == 0) {
    std::snprintf(buffer, sizeof buffer, "%012llx%012llx",
                  static_cast<unsigned long long>(rng() & 0xffffffffffffull),
                  static_cast<unsigned long long>(rng() & 0xffffffffffffull));
    return buffer;
  }
  uint64_t a = rng(), b = rng();
  std::snprintf(buffer, sizeof buffer, "712020:%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xffff), static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buffer;
}

Timestamp DaysAgo(Timestamp now, int days, std::mt19937_64& rng) {
  Day today = DayOf(now);
  return Timestamp(today - std::chrono::days(days)) + std::chrono::seconds(rng() % 86400);
}

// Kind of generated account, drawn by percentage bands of a uniform draw.
enum class Kind { kActive, kStale, kNeverActive, kSuspended, kDeactivated, kApp, kUnmanaged };

Kind DrawKind(std::mt19937_64& rng) {
  int p = static_cast<int>(rng() % 100);
  if (p < 62) return Kind::kActive;
  if (p < 74) return Kind::kStale;
  if (p < 80) return Kind::kNeverActive;
  if (p < 85) return Kind::kSuspended;
  if (p < 88) return Kind::kDeactivated;
  if (p < 91) return Kind::kApp;
  return Kind::kUnmanaged;
}

void AddProducts(Account& account, Kind kind, Timestamp now, const std::string& site,
                 std::mt19937_64& rng) {
  for (size_t p = 0; p < kProducts.size(); ++p) {
    // Jira and Confluence are common, the other two rarer.
    int chance = p < 2 ? 85 : 30;
    if (static_cast<int>(rng() % 100) >= chance) continue;
    ProductAccess access;
    access.key = std::string(kProducts[p]);
    access.site = site;
    if (kind == Kind::kActive) access.last_active = DaysAgo(now, static_cast<int>(rng() % 60), rng);
    if (kind == Kind::kStale || kind == Kind::kSuspended || kind == Kind::kDeactivated) {
      access.last_active = DaysAgo(now, 120 + static_cast<int>(rng() % 600), rng);
    }
    account.products.push_back(std::move(access));
  }
}

Account GenerateAccount(int index, Kind kind, Timestamp now, const std::string& domain,
                        const std::string& site, std::map<std::string, int>& emails,
                        std::mt19937_64& rng) {
  Account account;
  account.id = RandomAccountId(rng);
  account.added_to_org = DaysAgo(now, 30 + static_cast<int>(rng() % 1500), rng);
  if (kind == Kind::kApp) {
    account.type = AccountType::kApp;
    account.claim_status = ClaimStatus::kUnmanaged;
    account.name = std::string(kApps[rng() % kApps.size()]);
    account.products.push_back({"jira-software", site, "", std::nullopt});
    return account;
  }
  std::string_view first = kFirstNames[rng() % kFirstNames.size()];
  std::string_view last = kLastNames[rng() % kLastNames.size()];
  account.name = std::string(first) + " " + std::string(last);
  std::string email_domain = kind == Kind::kUnmanaged ? "partner.example" : domain;
  std::string local = EmailPart(first) + "." + EmailPart(last);
  // A repeated name gets a numbered address: anna.silva@, anna.silva.2@, ...
  int uses = ++emails[local + "@" + email_domain];
  account.email = uses == 1 ? local + "@" + email_domain
                            : local + "." + std::to_string(uses) + "@" + email_domain;
  if (kind == Kind::kUnmanaged) account.claim_status = ClaimStatus::kUnmanaged;
  if (kind == Kind::kSuspended) account.membership_status = MembershipStatus::kSuspended;
  if (kind == Kind::kDeactivated) account.account_status = AccountStatus::kInactive;
  AddProducts(account, kind == Kind::kUnmanaged ? Kind::kActive : kind, now, site, rng);
  if (index < 3 || (kind == Kind::kActive && rng() % 200 == 0)) {
    account.platform_roles.emplace_back(kOrgAdminRole);
  }
  return account;
}

}  // namespace

Directory GenerateDirectory(int users, uint64_t seed, Timestamp now, const std::string& domain) {
  std::mt19937_64 rng(seed);
  Directory directory;
  std::string site = domain.substr(0, domain.find('.'));
  std::map<std::string, int> emails;
  std::set<std::string> ids;
  for (int i = 0; i < users; ++i) {
    // The first accounts are active admins, so every generated org has some.
    Kind kind = i < 3 ? Kind::kActive : DrawKind(rng);
    Account account = GenerateAccount(i, kind, now, domain, site, emails, rng);
    if (!ids.insert(account.id).second) account.id += "-" + std::to_string(i);
    directory.accounts.push_back(std::move(account));
  }
  return directory;
}

namespace {

boost::json::object AccountToJson(const Account& a) {
  boost::json::array products;
  for (const auto& p : a.products) {
    boost::json::object item{{"key", p.key}, {"site", p.site}, {"resource_id", p.resource_id}};
    item["last_active"] = p.last_active ? boost::json::value(FormatIsoTimestamp(*p.last_active))
                                        : boost::json::value(nullptr);
    products.push_back(std::move(item));
  }
  boost::json::object out{{"id", a.id},
                          {"name", a.name},
                          {"email", a.email},
                          {"type", ToString(a.type)},
                          {"account_status", ToString(a.account_status)},
                          {"membership_status", ToString(a.membership_status)},
                          {"claim_status", ToString(a.claim_status)},
                          {"products", std::move(products)}};
  out["added_to_org"] = a.added_to_org ? boost::json::value(FormatIsoTimestamp(*a.added_to_org))
                                       : boost::json::value(nullptr);
  out["groups"] = boost::json::value_from(a.group_ids);
  out["platform_roles"] = boost::json::value_from(a.platform_roles);
  return out;
}

template <typename Parse>
bool ReadEnum(FieldReader& r, std::string_view key, Parse parse, auto& out) {
  auto text = r.String(key);
  if (!text) return true;
  auto value = parse(*text);
  if (!value) {
    r.Fail(r.Path(key) + ": invalid value \"" + *text + "\"");
    return false;
  }
  out = *value;
  return true;
}

std::optional<Timestamp> ReadTime(FieldReader& r, std::string_view key) {
  auto text = r.String(key);
  if (!text) return std::nullopt;
  auto t = ParseIsoTimestamp(*text);
  if (!t.ok()) {
    r.Fail(r.Path(key) + ": invalid time \"" + *text + "\"; expected ISO-8601 UTC");
    return std::nullopt;
  }
  return *t;
}

std::vector<std::string> ReadStrings(FieldReader& r, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* array = r.Array(key)) {
    for (const auto& v : *array) {
      if (!v.is_string()) {
        r.Fail(r.Path(key) + ": expected an array of strings");
        break;
      }
      out.emplace_back(v.get_string());
    }
  }
  return out;
}

Status ReadAccount(const boost::json::value& value, const std::string& path, Account& a) {
  if (!value.is_object()) return InvalidArgument(path + ": expected an object");
  FieldReader r(value.get_object(), path);
  a.id = r.String("id").value_or("");
  if (a.id.empty() && r.status().ok()) r.Fail(r.Path("id") + ": missing");
  a.name = r.String("name").value_or("");
  a.email = r.String("email").value_or("");
  ReadEnum(r, "type", ParseAccountType, a.type);
  ReadEnum(r, "account_status", ParseAccountStatus, a.account_status);
  ReadEnum(r, "membership_status", ParseMembershipStatus, a.membership_status);
  ReadEnum(r, "claim_status", ParseClaimStatus, a.claim_status);
  a.added_to_org = ReadTime(r, "added_to_org");
  a.group_ids = ReadStrings(r, "groups");
  a.platform_roles = ReadStrings(r, "platform_roles");
  if (const auto* products = r.Array("products")) {
    for (size_t i = 0; i < products->size(); ++i) {
      std::string item_path = r.Path("products") + "[" + std::to_string(i) + "]";
      if (!(*products)[i].is_object()) return InvalidArgument(item_path + ": expected an object");
      FieldReader pr((*products)[i].get_object(), item_path);
      ProductAccess p;
      p.key = pr.String("key").value_or("");
      p.site = pr.String("site").value_or("");
      p.resource_id = pr.String("resource_id").value_or("");
      p.last_active = ReadTime(pr, "last_active");
      if (p.key.empty() && pr.status().ok()) pr.Fail(pr.Path("key") + ": missing");
      AA_RETURN_IF_ERROR(pr.status());
      a.products.push_back(std::move(p));
    }
  }
  return r.status();
}

Status ReadGroup(const boost::json::value& value, const std::string& path, SimGroup& g) {
  if (!value.is_object()) return InvalidArgument(path + ": expected an object");
  FieldReader r(value.get_object(), path);
  g.group.id = r.String("id").value_or("");
  g.group.name = r.String("name").value_or("");
  if ((g.group.id.empty() || g.group.name.empty()) && r.status().ok()) {
    r.Fail(path + ": id and name are required");
  }
  g.group.description = r.String("description").value_or("");
  g.group.is_default = r.Bool("is_default").value_or(false);
  g.group.external_synced = r.Bool("external_synced").value_or(false);
  g.group.grants_admin = r.Bool("grants_admin").value_or(false);
  if (const auto* roles = r.Array("roles")) {
    for (const auto& role : *roles) {
      if (!role.is_object()) return InvalidArgument(r.Path("roles") + ": expected objects");
      FieldReader rr(role.get_object(), r.Path("roles"));
      g.roles.push_back({rr.String("resource_id").value_or(""), rr.String("role_id").value_or("")});
      AA_RETURN_IF_ERROR(rr.status());
    }
  }
  return r.status();
}

}  // namespace

std::string StateToJson(const Org& org) {
  boost::json::array domains;
  for (const auto& d : org.domains) {
    domains.push_back(
        {{"id", d.id}, {"name", d.name}, {"claim_type", d.claim_type}, {"status", d.status}});
  }
  boost::json::array accounts;
  for (const auto& a : org.data.accounts) accounts.push_back(AccountToJson(a));
  boost::json::array groups;
  for (const auto& g : org.data.groups) {
    boost::json::array roles;
    for (const auto& r : g.roles) {
      roles.push_back({{"resource_id", r.resource_id}, {"role_id", r.role_id}});
    }
    groups.push_back({{"id", g.group.id},
                      {"name", g.group.name},
                      {"description", g.group.description},
                      {"is_default", g.group.is_default},
                      {"external_synced", g.group.external_synced},
                      {"grants_admin", g.group.grants_admin},
                      {"roles", std::move(roles)}});
  }
  boost::json::object root{{"format", "adminauto-sim-state/1"},
                           {"org",
                            {{"id", org.id},
                             {"name", org.name},
                             {"directory_id", org.directory_id},
                             {"directory_name", org.directory_name},
                             {"domains", std::move(domains)}}},
                           {"accounts", std::move(accounts)},
                           {"groups", std::move(groups)}};
  return boost::json::serialize(root);
}

Result<Org> StateFromJson(std::string_view text, std::string_view source) {
  AA_ASSIGN_OR_RETURN(boost::json::value root, ParseJsonText(text, source));
  std::string prefix(source);
  if (!root.is_object()) return InvalidArgument(prefix + ": expected a JSON object");
  FieldReader r(root.get_object(), prefix);
  const auto* org_json = r.Object("org");
  const auto* accounts = r.Array("accounts");
  const auto* groups = r.Array("groups");
  AA_RETURN_IF_ERROR(r.status());
  if (org_json == nullptr) return InvalidArgument(prefix + ".org: missing");
  FieldReader o(*org_json, prefix + ".org");
  Org org;
  org.id = o.String("id").value_or("");
  org.name = o.String("name").value_or("");
  org.directory_id = o.String("directory_id").value_or(StableUuid("directory:" + org.id));
  org.directory_name = o.String("directory_name").value_or(org.name);
  if (const auto* domains = o.Array("domains")) {
    for (const auto& d : *domains) {
      if (!d.is_object()) return InvalidArgument(o.Path("domains") + ": expected objects");
      FieldReader dr(d.get_object(), o.Path("domains"));
      Domain domain;
      domain.id = dr.String("id").value_or("");
      domain.name = dr.String("name").value_or("");
      domain.claim_type = dr.String("claim_type").value_or("dns");
      domain.status = dr.String("status").value_or("verified");
      AA_RETURN_IF_ERROR(dr.status());
      org.domains.push_back(std::move(domain));
    }
  }
  AA_RETURN_IF_ERROR(o.status());
  for (size_t i = 0; accounts != nullptr && i < accounts->size(); ++i) {
    Account account;
    AA_RETURN_IF_ERROR(
        ReadAccount((*accounts)[i], prefix + ".accounts[" + std::to_string(i) + "]", account));
    if (org.data.FindAccount(account.id) != nullptr) {
      return InvalidArgument(prefix + ".accounts[" + std::to_string(i) + "].id: duplicate \"" +
                             account.id + "\"");
    }
    org.data.AddAccount(std::move(account));
  }
  for (size_t i = 0; groups != nullptr && i < groups->size(); ++i) {
    SimGroup group;
    AA_RETURN_IF_ERROR(
        ReadGroup((*groups)[i], prefix + ".groups[" + std::to_string(i) + "]", group));
    org.data.groups.push_back(std::move(group));
  }
  return org;
}

}  // namespace adminauto::sim
