// `adminauto sync`: reads an org's directory through the Organizations API into the store.
//
//   adminauto sync NAME
//   adminauto sync --org-id ID --base-url URL --api-key-file FILE
//   adminauto sync NAME --confirm-drop
//   adminauto sync NAME --gateway SOCKET   (the gateway adds the key; no key in this process)
//
// Last-active dates (one call per managed account) are read with --last-active, or when a
// rule in --rules (default DATA_DIR/rules.yaml, if present) selects on inactivity.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "atlassian/client.h"
#include "cli/apply_options.h"
#include "cli/command.h"
#include "core/clock.h"
#include "core/log.h"
#include "engine/apply_session.h"
#include "engine/sync.h"
#include "rules/rule_file.h"
#include "store/data_dir.h"
#include "store/org_store.h"
#include "store/snapshot_store.h"
#include "vault/org_keys.h"

namespace adminauto::cli {
namespace {

struct SyncArgs {
  std::string name;
  std::string org_id;
  std::string base_url = std::string(atlassian::kDefaultBaseUrl);
  std::string api_key_file;
  bool confirm_drop = false;
  bool last_active = false;
  double max_drop_fraction = 0.2;
  int concurrency = 4;
  int page_size = 100;
  int connect_timeout_s = 10;
  int read_timeout_s = 60;
  int max_wait_s = 180;
  std::string proxy;
  std::vector<std::string> rule_files;
  std::string gateway;  // gateway mode: the gateway's socket
};

void Wipe(std::string& s) {
  volatile char* p = s.data();
  for (size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
}

// Reads the API key from `path`, without its trailing newline. The key is never logged and
// never part of an error message.
Result<std::string> ReadApiKey(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open the API key file " + path + "; check the path");
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  if (key.empty()) return InvalidArgument("the API key file " + path + " is empty");
  if (key.find_first_of(" \t\r\n") != std::string::npos) {
    Wipe(key);
    return InvalidArgument("the API key file " + path +
                           " holds more than one line or word; it must hold only the key");
  }
  return key;
}

// Redraws one status line on a terminal; logs a line per phase and every 10,000 items
// otherwise.
std::function<void(const engine::SyncProgress&)> MakeProgress(bool terminal) {
  auto last_logged = std::make_shared<size_t>(0);
  auto last_phase = std::make_shared<int>(-1);
  return [terminal, last_logged, last_phase](const engine::SyncProgress& p) {
    static constexpr const char* kPhase[] = {"users", "groups", "last-active dates"};
    const char* phase = kPhase[static_cast<int>(p.phase)];
    if (terminal) {
      std::string line = std::string("\rsyncing ") + phase + ": " + std::to_string(p.done);
      if (p.total > 0) {
        int width = 30;
        int filled = static_cast<int>(p.done * width / p.total);
        line += "/" + std::to_string(p.total) + " [" + std::string(filled, '#') +
                std::string(width - filled, '.') + "]";
      }
      std::cerr << line << "\x1b[K" << std::flush;
      return;
    }
    if (static_cast<int>(p.phase) != *last_phase || p.done >= *last_logged + 10'000) {
      *last_phase = static_cast<int>(p.phase);
      *last_logged = p.done;
      // Listings have no total until they end, so only the activity phase logs one.
      if (p.total > 0) {
        GetLogger("sync")->info("progress phase={} done={} total={}", phase, p.done, p.total);
      } else {
        GetLogger("sync")->info("progress phase={} done={}", phase, p.done);
      }
    }
  };
}

std::string Seconds(std::chrono::milliseconds ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return text;
}

void PrintSummary(const engine::SyncReport& r, const std::string& org_label) {
  std::cout << "synced " << org_label << ": " << r.stats.accounts << " accounts (" << r.managed
            << " managed, " << r.stats.unmanaged << " unmanaged and not evaluable by rules), "
            << r.stats.groups << " groups\n"
            << "API calls: " << r.stats.calls << ", retries: " << r.stats.retries
            << ", time throttled: " << Seconds(r.stats.throttled)
            << ", duration: " << Seconds(r.stats.duration) << "\n";
  if (r.stats.duplicate_accounts > 0) {
    std::cout << "accounts repeated across pages and kept once: " << r.stats.duplicate_accounts
              << "\n";
  }
  if (r.drop_reason) {
    std::cerr << "warning: " << *r.drop_reason
              << ". Suspend, remove and other destructive actions on this org are blocked "
                 "until you check the org and run `adminauto sync "
              << org_label << " --confirm-drop`.\n";
  }
}

// Builds the client on `transport`.
std::unique_ptr<atlassian::OrgClient> MakeClient(
    const SyncArgs& args, std::unique_ptr<atlassian::HttpTransport> transport, Clock& clock) {
  atlassian::ClientOptions options;
  options.base_url = args.base_url;
  options.org_id = args.org_id;
  options.users_page_size = args.page_size;
  options.groups_page_size = args.page_size;
  options.max_concurrency = args.concurrency;
  options.retry.max_wait = std::chrono::seconds(args.max_wait_s);
  return std::make_unique<atlassian::OrgClient>(
      std::shared_ptr<atlassian::HttpTransport>(std::move(transport)), options, clock);
}

// Builds the client for direct mode. `key` is moved into the transport, which wipes it when
// destroyed; this function wipes the caller's copy.
Result<std::unique_ptr<atlassian::OrgClient>> Connect(const SyncArgs& args, std::string& key,
                                                      Clock& clock) {
  atlassian::CurlTransportOptions transport;
  transport.base_url = args.base_url;
  transport.api_key = key;
  Wipe(key);
  transport.connect_timeout = std::chrono::seconds(args.connect_timeout_s);
  transport.read_timeout = std::chrono::seconds(args.read_timeout_s);
  transport.max_concurrency = args.concurrency;
  transport.proxy = args.proxy;
  auto made = atlassian::MakeCurlTransport(std::move(transport));
  if (!made.ok()) return made.status();
  return MakeClient(args, std::move(made).value(), clock);
}

// Fills org_id and base_url from the org registry when the org is named. The key is read
// later, only when a sync runs.
Status ResolveOrg(SyncArgs& args, store::SqliteDb& db) {
  if (!args.org_id.empty()) {
    if (args.api_key_file.empty() && !args.confirm_drop) {
      return InvalidArgument("--org-id needs --api-key-file FILE holding the org's API key");
    }
    return Status::Ok();
  }
  if (args.name.empty()) {
    return InvalidArgument(
        "name the org to sync (adminauto sync NAME) or pass --org-id, "
        "--base-url and --api-key-file");
  }
  if (!args.api_key_file.empty()) {
    return InvalidArgument("--api-key-file goes with --org-id; a connected org (" + args.name +
                           ") uses its stored key");
  }
  AA_ASSIGN_OR_RETURN(auto orgs, store::OrgStore::Open(db));
  AA_ASSIGN_OR_RETURN(store::OrgRecord org, orgs->Get(args.name));
  args.org_id = org.org_id;
  args.base_url = org.base_url;
  return Status::Ok();
}

// Returns the API key: from --api-key-file, or unsealed from the vault for a connected org.
Result<std::string> LoadKey(const GlobalOptions& global, const SyncArgs& args, Clock& clock) {
  if (!args.api_key_file.empty()) return ReadApiKey(args.api_key_file);
  AA_ASSIGN_OR_RETURN(vault::OrgCredential credential,
                      vault::UnsealOrgApiKey(global.data_dir, args.name, clock));
  return std::string(credential.api_key.view());
}

// Names of the rules that need last-active dates, from --rules or else DATA_DIR/rules.yaml
// when it exists (the file `adminauto run` reads by default).
Result<std::vector<std::string>> RulesNeedingLastActive(const GlobalOptions& global,
                                                        const SyncArgs& args) {
  std::vector<std::string> files = args.rule_files;
  if (files.empty()) {
    std::string fallback = global.data_dir + "/rules.yaml";
    if (!std::filesystem::exists(fallback)) return std::vector<std::string>{};
    files.push_back(fallback);
  }
  AA_ASSIGN_OR_RETURN(rules::RuleSet set, rules::LoadRuleFiles(files));
  return engine::RulesNeedingLastActive(set.rules);
}

// Builds the client: through the gateway in gateway mode, else with the key from
// --api-key-file or unsealed from the vault.
Result<std::unique_ptr<atlassian::OrgClient>> ConnectForSync(const GlobalOptions& global,
                                                             const SyncArgs& args, Clock& clock) {
  const std::string socket = GatewaySocket(args.gateway);
  if (socket.empty()) {
    AA_ASSIGN_OR_RETURN(std::string key, LoadKey(global, args, clock));
    return Connect(args, key, clock);
  }
  if (!args.api_key_file.empty()) {
    return InvalidArgument(
        "--api-key-file is for a direct connection and cannot be combined with the gateway (" +
        socket + "); connect the org with `adminauto org connect` for gateway mode");
  }
  AA_ASSIGN_OR_RETURN(OrgRegistry registry, OrgRegistry::Open(global.data_dir));
  AA_ASSIGN_OR_RETURN(store::OrgRecord org, registry.orgs->Get(args.name));
  AA_ASSIGN_OR_RETURN(auto transport, GatewayTransportFor(socket, org));
  return MakeClient(args, std::move(transport), clock);
}

Status RunSyncCommand(const GlobalOptions& global, SyncArgs args) {
  if (args.max_drop_fraction < 0 || args.max_drop_fraction > 1) {
    return InvalidArgument("--max-drop-fraction must be between 0 and 1, not " +
                           std::to_string(args.max_drop_fraction));
  }
  Clock& clock = SystemClock::Instance();
  std::error_code ec;
  std::filesystem::create_directories(global.data_dir, ec);
  if (ec) {
    return InvalidArgument("cannot create the data directory " + global.data_dir + ": " +
                           ec.message());
  }
  AA_ASSIGN_OR_RETURN(auto db, store::SqliteDb::Open(store::DatabasePath(global.data_dir)));
  AA_RETURN_IF_ERROR(ResolveOrg(args, *db));
  AA_ASSIGN_OR_RETURN(auto snapshots, store::SnapshotStore::Open(*db));
  const std::string label = args.name.empty() ? args.org_id : args.name;

  if (args.confirm_drop) {
    AA_ASSIGN_OR_RETURN(store::SyncState state, snapshots->GetState(args.org_id));
    AA_RETURN_IF_ERROR(snapshots->ConfirmDrop(args.org_id, ToTimestamp(clock.Now())));
    std::cout << "confirmed for " << label << ": " << state.drop_reason
              << ". Destructive actions are allowed again.\n";
    return Status::Ok();
  }

  AA_ASSIGN_OR_RETURN(std::vector<std::string> needing, RulesNeedingLastActive(global, args));
  engine::SyncOptions options;
  options.fetch_last_active = args.last_active || !needing.empty();
  if (!args.last_active && !needing.empty()) {
    std::cerr << "reading last-active dates, one call per managed account: rule " << needing[0]
              << (needing.size() > 1 ? " and others select" : " selects") << " on inactivity\n";
  }
  AA_ASSIGN_OR_RETURN(auto client, ConnectForSync(global, args, clock));
  options.max_drop_fraction = args.max_drop_fraction;
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  options.progress = MakeProgress(terminal);
  std::optional<atlassian::ApiError> api_error;
  Result<engine::SyncReport> report =
      engine::RunSync(*client, *snapshots, options, clock, &api_error);
  if (terminal) std::cerr << "\r\x1b[K";
  if (!report.ok()) {
    std::string message =
        "sync of " + label + " failed, the previous snapshot is kept: " + report.status().message();
    // A rejected stored key pauses the org's automation until the key is replaced.
    if (!args.name.empty() && args.api_key_file.empty() && api_error &&
        api_error->kind == atlassian::ApiErrorKind::kCredentialInvalid) {
      auto marked = vault::MarkOrgApiKeyInvalid(
          global.data_dir, args.name,
          "the API returned HTTP " + std::to_string(api_error->http_status));
      if (marked.ok()) message += "\n" + *marked;
    }
    return Status(report.status().code(), message);
  }
  PrintSummary(*report, label);
  return Status::Ok();
}

const bool kRegistered = RegisterCommand([](CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<SyncArgs>();
  auto* cmd = app.add_subcommand("sync", "Read an org's directory into the store");
  cmd->add_option("name", args->name, "Name of a connected org (see `adminauto org list`)");
  cmd->add_option("--org-id", args->org_id, "Org id, for syncing an org that is not connected");
  cmd->add_option("--base-url", args->base_url,
                  "Organizations API base URL (default https://api.atlassian.com)");
  cmd->add_option("--api-key-file", args->api_key_file,
                  "File holding the org API key; the key is used for this sync only and never "
                  "stored");
  cmd->add_flag("--confirm-drop", args->confirm_drop,
                "Accept the last sync's drop in accounts and allow destructive actions again; "
                "does not sync");
  cmd->add_flag("--last-active", args->last_active,
                "Also read per-site last-active dates, one rate-limited call per managed "
                "account");
  cmd->add_option("--max-drop-fraction", args->max_drop_fraction,
                  "Fraction (0-1) of accounts that may disappear between syncs before "
                  "destructive actions are blocked (default 0.2)");
  cmd->add_option("--concurrency", args->concurrency,
                  "Requests in flight at once for per-account reads (default 4)")
      ->check(CLI::Range(1, 32));
  cmd->add_option("--page-size", args->page_size, "Users and groups per page (default 100)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--connect-timeout", args->connect_timeout_s,
                  "Seconds allowed to connect (default 10)")
      ->check(CLI::Range(1, 600));
  cmd->add_option("--read-timeout", args->read_timeout_s,
                  "Seconds allowed for one response after connecting (default 60)")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--max-wait", args->max_wait_s,
                  "Longest wait in seconds for a rate limit to reset; a later reset ends the "
                  "sync with the time to retry (default 180)")
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--rules", args->rule_files,
                  "Rule files whose needs decide what is read: a rule that selects on "
                  "inactivity turns on --last-active (default DATA_DIR/rules.yaml, if present)");
  cmd->add_option("--proxy", args->proxy,
                  "HTTP(S) proxy URL; without it https_proxy, http_proxy and no_proxy apply");
  cmd->add_option("--gateway", args->gateway, kGatewayHelp);
  cmd->callback([args, &global] { Finish(RunSyncCommand(global, *args)); });
});

}  // namespace
}  // namespace adminauto::cli
