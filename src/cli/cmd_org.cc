// `adminauto org connect | list | show | replace-key | remove | rotate-data-key`: the org
// registry and each org's sealed API key.
#include <unistd.h>

#include <boost/json.hpp>
#include <iomanip>
#include <iostream>

#include "cli/command.h"
#include "cli/data_dir_setup.h"
#include "core/time.h"
#include "store/org_store.h"
#include "vault/key_input.h"
#include "vault/org_keys.h"

namespace adminauto::cli {
namespace {

namespace json = boost::json;
using store::KeyStatus;
using store::OrgRecord;

constexpr std::chrono::days kDefaultKeyLifetime{7};
constexpr std::chrono::days kMaxKeyLifetime{366};  // one year, leap day included

struct KeyArgs {
  std::string api_key_file;
  bool api_key_stdin = false;
  std::string key_expires;
};

struct ConnectArgs {
  std::string name;
  std::string org_id;
  std::string base_url = "https://api.atlassian.com";
  std::string region = "us";
  KeyArgs key;
};

Status CheckName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
  if (!ok) {
    return InvalidArgument("invalid org name \"" + name +
                           "\": use 1 to 64 letters, digits, '-', '_' or '.'");
  }
  return Status::Ok();
}

Status CheckRegion(const std::string& region) {
  bool ok = !region.empty() && region.size() <= 16;
  for (char c : region) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (!ok) {
    return InvalidArgument("invalid --region \"" + region +
                           "\": use a lowercase region name such as us or eu");
  }
  return Status::Ok();
}

// The key is sent to this URL, so plain http is accepted only for a local test server.
Status CheckBaseUrl(const std::string& url) {
  if (url.starts_with("https://") && url.size() > 8) return Status::Ok();
  for (const char* local : {"http://127.0.0.1", "http://localhost", "http://[::1]"}) {
    std::string_view prefix(local);
    if (url.starts_with(prefix) &&
        (url.size() == prefix.size() || url[prefix.size()] == ':' || url[prefix.size()] == '/')) {
      return Status::Ok();
    }
  }
  return InvalidArgument("invalid --base-url \"" + url +
                         "\": use an https:// URL (plain http only for 127.0.0.1, localhost "
                         "or [::1])");
}

// Parses --key-expires (a date or ISO timestamp), defaulting to one week from now, and
// checks that it lies in the future and at most one year ahead.
Result<Timestamp> KeyExpiry(const std::string& text, Timestamp now) {
  if (text.empty()) return now + kDefaultKeyLifetime;
  auto parsed = ParseIsoTimestamp(text);
  if (!parsed.ok()) {
    return InvalidArgument("invalid --key-expires \"" + text +
                           "\": use a date such as 2027-01-31 or a UTC time such as "
                           "2027-01-31T12:00:00Z");
  }
  if (*parsed <= now) {
    return InvalidArgument("--key-expires " + text +
                           " is in the past; give the expiry date "
                           "shown for the key in admin.atlassian.com");
  }
  if (*parsed > now + kMaxKeyLifetime) {
    return InvalidArgument("--key-expires " + text +
                           " is more than one year ahead; Atlassian org API keys expire "
                           "after one year at most");
  }
  return *parsed;
}

Result<vault::SecretBytes> ReadKey(const KeyArgs& args) {
  if (!args.api_key_file.empty() && args.api_key_stdin) {
    return InvalidArgument("give either --api-key-file or --api-key-stdin, not both");
  }
  if (!args.api_key_file.empty()) return vault::ReadApiKeyFile(args.api_key_file);
  if (args.api_key_stdin) return vault::ReadApiKeyFd(STDIN_FILENO, "standard input");
  if (::isatty(STDIN_FILENO) != 1) {
    return InvalidArgument("no API key given: pass --api-key-file FILE or --api-key-stdin");
  }
  return vault::PromptApiKey("Org API key (input hidden): ");
}

void WarnIfExpiringSoon(const OrgRecord& org, Timestamp now) {
  if (store::EffectiveKeyStatus(org, now) != KeyStatus::kValid) return;
  auto left = org.key_expires_at - now;
  if (left <= std::chrono::days(vault::kExpiryWarningDays)) {
    auto hours = std::chrono::duration_cast<std::chrono::hours>(left).count();
    std::cerr << "warning: the API key of org \"" << org.name << "\" expires at "
              << FormatIsoTimestamp(org.key_expires_at) << " (in " << hours
              << " hours); create a new key and run `adminauto org replace-key " << org.name
              << " --api-key-file FILE`\n";
  }
}

Timestamp Now() { return ToTimestamp(SystemClock::Instance().Now()); }

Status RunConnect(const GlobalOptions& global, const ConnectArgs& args) {
  AA_RETURN_IF_ERROR(CheckName(args.name));
  if (args.org_id.empty()) return InvalidArgument("--org-id must not be empty");
  AA_RETURN_IF_ERROR(CheckBaseUrl(args.base_url));
  AA_RETURN_IF_ERROR(CheckRegion(args.region));
  const Timestamp now = Now();
  AA_ASSIGN_OR_RETURN(Timestamp expires, KeyExpiry(args.key.key_expires, now));
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir,
                      vault::OpenDataDirVault(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(vault::SecretBytes key, ReadKey(args.key));

  OrgRecord org;
  org.name = args.name;
  org.org_id = args.org_id;
  org.base_url = args.base_url;
  org.region = args.region;
  org.key_expires_at = expires;
  org.key_updated_at = now;
  org.created_at = now;
  AA_RETURN_IF_ERROR(StoreOrgConnection(dir, org, key));

  std::cout << "connected org " << org.name << " (org id " << org.org_id << ", region "
            << org.region << ", " << org.base_url << "); API key sealed, expires "
            << FormatIsoTimestamp(expires) << "\n";
  WarnIfExpiringSoon(org, now);
  return Status::Ok();
}

Status RunReplaceKey(const GlobalOptions& global, const std::string& name, const KeyArgs& args) {
  const Timestamp now = Now();
  AA_ASSIGN_OR_RETURN(Timestamp expires, KeyExpiry(args.key_expires, now));
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir,
                      vault::OpenDataDirVault(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(OrgRecord org, dir.orgs->Get(name));
  AA_ASSIGN_OR_RETURN(vault::SecretBytes key, ReadKey(args));
  store::Transaction tx(*dir.db);
  AA_RETURN_IF_ERROR(tx.status());
  AA_RETURN_IF_ERROR(dir.vault->StoreApiKey(org.org_id, key.bytes()));
  AA_RETURN_IF_ERROR(dir.orgs->UpdateKey(name, expires, now));
  AA_RETURN_IF_ERROR(tx.Commit());
  std::cout << "replaced the API key of org " << name << "; key status valid, expires "
            << FormatIsoTimestamp(expires) << "\n";
  return Status::Ok();
}

json::object OrgJson(const OrgRecord& org, Timestamp now) {
  return json::object{
      {"name", org.name},
      {"org_id", org.org_id},
      {"base_url", org.base_url},
      {"region", org.region},
      {"key_status", std::string(ToString(store::EffectiveKeyStatus(org, now)))},
      {"key_status_reason", org.key_status_reason},
      {"key_expires_at", FormatIsoTimestamp(org.key_expires_at)},
      {"key_updated_at", FormatIsoTimestamp(org.key_updated_at)},
      {"created_at", FormatIsoTimestamp(org.created_at)},
  };
}

Status RunList(const GlobalOptions& global, const std::string& format) {
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir,
                      vault::OpenDataDirVault(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(std::vector<OrgRecord> orgs, dir.orgs->List());
  const Timestamp now = Now();
  if (format == "json") {
    json::array list;
    for (const auto& org : orgs) list.push_back(OrgJson(org, now));
    std::cout << json::serialize(list) << "\n";
    return Status::Ok();
  }
  if (orgs.empty()) {
    std::cout << "no orgs connected; run `adminauto org connect NAME --org-id ID "
                 "--api-key-file FILE`\n";
    return Status::Ok();
  }
  std::cout << std::left << std::setw(20) << "NAME" << std::setw(38) << "ORG ID" << std::setw(8)
            << "REGION" << std::setw(9) << "KEY" << std::setw(22) << "KEY EXPIRES"
            << "BASE URL\n";
  for (const auto& org : orgs) {
    std::cout << std::left << std::setw(20) << org.name << std::setw(38) << org.org_id
              << std::setw(8) << org.region << std::setw(9)
              << ToString(store::EffectiveKeyStatus(org, now)) << std::setw(22)
              << FormatIsoTimestamp(org.key_expires_at) << org.base_url << "\n";
  }
  for (const auto& org : orgs) WarnIfExpiringSoon(org, now);
  return Status::Ok();
}

Status RunShow(const GlobalOptions& global, const std::string& name, const std::string& format) {
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir,
                      vault::OpenDataDirVault(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(OrgRecord org, dir.orgs->Get(name));
  AA_ASSIGN_OR_RETURN(auto data_key, dir.vault->keys().LatestDataKey(org.org_id));
  const Timestamp now = Now();
  json::object out = OrgJson(org, now);
  out["data_key_version"] = data_key ? data_key->version : 0;
  out["master_key_version"] = data_key ? data_key->master_version : 0;
  if (format == "json") {
    std::cout << json::serialize(out) << "\n";
    return Status::Ok();
  }
  const KeyStatus status = store::EffectiveKeyStatus(org, now);
  std::cout << "name:          " << org.name << "\n"
            << "org id:        " << org.org_id << "\n"
            << "base URL:      " << org.base_url << "\n"
            << "region:        " << org.region << "\n"
            << "key status:    " << ToString(status) << "\n"
            << "key expires:   " << FormatIsoTimestamp(org.key_expires_at) << "\n"
            << "key connected: " << FormatIsoTimestamp(org.key_updated_at) << "\n"
            << "sealed with:   data key v" << (data_key ? data_key->version : 0)
            << ", wrapped by master key v" << (data_key ? data_key->master_version : 0) << "\n";
  if (status != KeyStatus::kValid) {
    std::cout << vault::KeyUnusableMessage(org, status) << "\n";
  }
  WarnIfExpiringSoon(org, now);
  return Status::Ok();
}

Status RunRemove(const GlobalOptions& global, const std::string& name) {
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir,
                      vault::OpenDataDirVault(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(OrgRecord org, dir.orgs->Get(name));
  store::Transaction tx(*dir.db);
  AA_RETURN_IF_ERROR(tx.status());
  AA_RETURN_IF_ERROR(dir.vault->DeleteOrgKeys(org.org_id));
  AA_RETURN_IF_ERROR(dir.orgs->Remove(name));
  AA_RETURN_IF_ERROR(tx.Commit());
  std::cout << "removed org " << name << " and its sealed API key\n";
  return Status::Ok();
}

Status RunRotateDataKey(const GlobalOptions& global, const std::string& name) {
  AA_ASSIGN_OR_RETURN(vault::DataDirVault dir,
                      vault::OpenDataDirVault(global.data_dir, SystemClock::Instance()));
  AA_ASSIGN_OR_RETURN(OrgRecord org, dir.orgs->Get(name));
  AA_RETURN_IF_ERROR(dir.vault->RotateDataKey(org.org_id));
  AA_ASSIGN_OR_RETURN(auto data_key, dir.vault->keys().LatestDataKey(org.org_id));
  std::cout << "rotated the data key of org " << name << " to version "
            << (data_key ? data_key->version : 0) << "\n";
  return Status::Ok();
}

void AddKeyOptions(CLI::App* cmd, KeyArgs& args) {
  cmd->add_option("--api-key-file", args.api_key_file,
                  "File containing only the org API key (one line)");
  cmd->add_flag("--api-key-stdin", args.api_key_stdin, "Read the org API key from standard input");
  cmd->add_option("--key-expires", args.key_expires,
                  "Key expiry as a UTC date (2027-01-31) or ISO time; default one week from "
                  "now, at most one year ahead");
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto* org = app.add_subcommand("org", "Connect Atlassian orgs and manage their API keys");
  org->require_subcommand(1);

  auto connect_args = std::make_shared<ConnectArgs>();
  auto* connect = org->add_subcommand(
      "connect", "Register an org and seal its API key (read from a file, stdin or a prompt)");
  connect->add_option("name", connect_args->name, "Local name for the org")->required();
  connect->add_option("--org-id", connect_args->org_id, "Atlassian org id")->required();
  connect->add_option("--base-url", connect_args->base_url,
                      "Organizations API base URL (default https://api.atlassian.com)");
  connect->add_option("--region", connect_args->region,
                      "Region the org's data is stored in (default us)");
  AddKeyOptions(connect, connect_args->key);
  connect->callback([connect_args, &global] { Finish(RunConnect(global, *connect_args)); });

  auto format = std::make_shared<std::string>("table");
  auto* list = org->add_subcommand("list", "List connected orgs and the state of their keys");
  list->add_option("--format", *format, "Output format: table or json (default table)")
      ->check(CLI::IsMember({"table", "json"}));
  list->callback([format, &global] { Finish(RunList(global, *format)); });

  auto name = std::make_shared<std::string>();
  auto* show = org->add_subcommand("show", "Show one org and the state of its key");
  show->add_option("name", *name, "Org name")->required();
  show->add_option("--format", *format, "Output format: table or json (default table)")
      ->check(CLI::IsMember({"table", "json"}));
  show->callback([name, format, &global] { Finish(RunShow(global, *name, *format)); });

  auto replace_args = std::make_shared<KeyArgs>();
  auto* replace = org->add_subcommand("replace-key",
                                      "Seal a new API key for an org and mark its key valid again");
  replace->add_option("name", *name, "Org name")->required();
  AddKeyOptions(replace, *replace_args);
  replace->callback(
      [name, replace_args, &global] { Finish(RunReplaceKey(global, *name, *replace_args)); });

  auto* remove = org->add_subcommand("remove", "Remove an org and delete its sealed API key");
  remove->add_option("name", *name, "Org name")->required();
  remove->callback([name, &global] { Finish(RunRemove(global, *name)); });

  auto* rotate = org->add_subcommand(
      "rotate-data-key", "Seal the org's API key under a new data key and delete the old one");
  rotate->add_option("name", *name, "Org name")->required();
  rotate->callback([name, &global] { Finish(RunRotateDataKey(global, *name)); });
});

}  // namespace
}  // namespace adminauto::cli
