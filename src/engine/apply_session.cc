#include "engine/apply_session.h"

#include <openssl/crypto.h>
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "atlassian/transport.h"
#include "core/text.h"
#include "store/data_dir.h"

namespace adminauto::engine {
namespace {

Result<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot open the API key file " + path);
  std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  if (key.empty()) return InvalidArgument("the API key file " + path + " is empty");
  return key;
}

// Passes requests to `inner` and sets `rejected` when a response is HTTP 401.
class RejectedKeyWatch final : public atlassian::HttpTransport {
 public:
  RejectedKeyWatch(std::unique_ptr<atlassian::HttpTransport> inner,
                   std::shared_ptr<std::atomic<bool>> rejected)
      : inner_(std::move(inner)), rejected_(std::move(rejected)) {}

  std::vector<atlassian::TransportResult> Send(
      const std::vector<atlassian::HttpRequest>& requests) override {
    std::vector<atlassian::TransportResult> results = inner_->Send(requests);
    for (const atlassian::TransportResult& result : results) {
      if (result.response && result.response->status == 401) *rejected_ = true;
    }
    return results;
  }

 private:
  std::unique_ptr<atlassian::HttpTransport> inner_;
  std::shared_ptr<std::atomic<bool>> rejected_;
};

std::string Bar(int64_t done, int64_t total, int width) {
  int filled = total > 0 ? static_cast<int>(done * width / total) : width;
  return "[" + std::string(static_cast<size_t>(filled), '#') +
         std::string(static_cast<size_t>(width - filled), '.') + "]";
}

}  // namespace

Result<std::unique_ptr<ApplyStores>> ApplyStores::Open(const std::string& data_dir, Clock& clock) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) {
    return InvalidArgument("cannot create the data directory " + data_dir + ": " + ec.message());
  }
  auto stores = std::make_unique<ApplyStores>();
  AA_ASSIGN_OR_RETURN(stores->db, store::SqliteDb::Open(store::DatabasePath(data_dir)));
  AA_ASSIGN_OR_RETURN(stores->journal, store::JournalStore::Open(*stores->db, clock));
  AA_ASSIGN_OR_RETURN(audit::AuditLog audit, audit::AuditLog::Open(*stores->db, clock));
  stores->audit = std::make_unique<audit::AuditLog>(std::move(audit));
  AA_ASSIGN_OR_RETURN(stores->snapshots, store::SnapshotStore::Open(*stores->db));
  return stores;
}

Result<std::unique_ptr<ApplyStores>> ApplyStores::OpenExisting(const std::string& data_dir,
                                                               Clock& clock) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(store::DatabasePath(data_dir), ec)) {
    return FailedPrecondition("no database in " + data_dir +
                              "; pass the --data-dir that holds your runs, or run `adminauto "
                              "init --data-dir " +
                              data_dir + "` to create one");
  }
  return Open(data_dir, clock);
}

Result<std::unique_ptr<OrgSession>> ConnectWithKey(const std::string& name,
                                                   const std::string& org_id,
                                                   const std::string& base_url,
                                                   std::string& api_key, Clock& clock) {
  if (org_id.empty()) {
    OPENSSL_cleanse(api_key.data(), api_key.size());
    return InvalidArgument("the org id is missing; pass --org-id");
  }
  atlassian::CurlTransportOptions transport_options;
  transport_options.base_url = base_url;
  transport_options.api_key = api_key;
  OPENSSL_cleanse(api_key.data(), api_key.size());
  api_key.clear();
  auto transport = atlassian::MakeCurlTransport(std::move(transport_options));
  if (!transport.ok()) return transport.status();
  return ConnectWithTransport(name, org_id, base_url, std::move(transport).value(), clock);
}

Result<std::unique_ptr<OrgSession>> ConnectWithTransport(
    const std::string& name, const std::string& org_id, const std::string& base_url,
    std::unique_ptr<atlassian::HttpTransport> transport, Clock& clock) {
  if (org_id.empty()) return InvalidArgument("the org id is missing; pass --org-id");
  auto session = std::make_unique<OrgSession>();
  session->name = name.empty() ? org_id : name;
  session->org_id = org_id;
  session->budget = std::make_shared<atlassian::RateBudget>(clock);
  atlassian::ClientOptions options;
  options.base_url = base_url;
  options.org_id = org_id;
  session->client = std::make_unique<atlassian::OrgClient>(
      std::make_shared<RejectedKeyWatch>(std::move(transport), session->key_rejected), options,
      clock, session->budget);
  return session;
}

Result<std::unique_ptr<OrgSession>> ConnectWithKeyFile(const std::string& name,
                                                       const std::string& org_id,
                                                       const std::string& base_url,
                                                       const std::string& api_key_file,
                                                       Clock& clock) {
  AA_ASSIGN_OR_RETURN(std::string key, ReadKeyFile(api_key_file));
  return ConnectWithKey(name, org_id, base_url, key, clock);
}

std::string CurrentActor() {
  struct passwd* entry = getpwuid(geteuid());
  std::string user = entry && entry->pw_name ? entry->pw_name : "uid" + std::to_string(geteuid());
  return "cli:" + user;
}

ProgressCallback MakeProgressPrinter(std::ostream& out, bool terminal, Clock& clock) {
  return [&out, terminal, &clock](const Progress& progress) {
    int64_t finished = progress.verified + progress.failed + progress.skipped;
    std::string waiting;
    if (progress.waiting_until) {
      auto seconds =
          std::chrono::duration_cast<std::chrono::seconds>(*progress.waiting_until - clock.Now());
      waiting = "waiting for the rate budget " + std::to_string(seconds.count()) + " s";
    }
    if (terminal) {
      out << "\r\033[K" << Bar(finished, progress.total, 30) << " " << finished << "/"
          << progress.total << "  done " << progress.verified << "  failed " << progress.failed
          << "  skipped " << progress.skipped;
      if (!waiting.empty()) out << "  " << waiting;
      if (finished == progress.total && waiting.empty()) out << "\n";
      out.flush();
      return;
    }
    if (!waiting.empty()) {
      out << waiting << "\n";
    } else {
      out << "action " << finished << "/" << progress.total << " account " << progress.last_account
          << ": " << progress.last_outcome << "\n";
    }
    out.flush();
  };
}

std::string FormatSummary(const RunSummary& summary,
                          const std::vector<store::JournalAction>& actions) {
  std::ostringstream out;
  out << ToString(summary.kind) << " run " << summary.run_id
      << (summary.resumed ? " (resumed)" : "") << ": "
      << CountNoun(summary.counts.total(), "action") << ", " << summary.counts.verified << " done, "
      << summary.counts.failed << " failed, " << summary.counts.skipped << " skipped";
  int64_t pending = summary.counts.planned + summary.counts.sent;
  if (pending > 0) out << ", " << pending << " not finished";
  out << "; " << CountNoun(summary.sent, "change") << " sent by this invocation\n";
  for (const store::JournalAction& action : actions) {
    if (action.state != store::ActionState::kFailed) continue;
    out << "  failed: " << action.kind << " " << action.account_id;
    if (!action.email.empty()) out << " <" << action.email << ">";
    out << ": " << action.detail << "\n";
  }
  if (summary.stopped()) {
    out << "stopped early: " << summary.stopped_reason
        << "\nrun the same command again to resume; finished actions are not repeated\n";
  } else if (summary.counts.failed > 0) {
    out << "run the same command again to retry the failed actions; done actions are not "
           "repeated\n";
  }
  if (summary.kind == store::RunKind::kApply && summary.counts.verified > 0) {
    out << "undo with: adminauto revert " << summary.run_id << "\n";
  }
  return out.str();
}

std::string FormatIntent(const ApplyInput& input) {
  std::ostringstream out;
  out << (input.kind == store::RunKind::kRevert ? "revert of " + input.reverts_run
                                                : "plan " + input.source)
      << " on org " << input.org << ": " << DescribeChanges(input.changes) << "\n";
  int64_t irreversible = 0;
  for (const PlannedChange& planned : input.changes) irreversible += planned.irreversible;
  if (irreversible > 0) {
    out << "  " << irreversible << " of them cannot be undone (remove from directory)\n";
  }
  return out.str();
}

bool ConfirmTyped(std::istream& in, std::ostream& out, const std::string& prompt,
                  const std::string& expected) {
  out << prompt << " Type '" << expected << "' to continue: ";
  out.flush();
  std::string line;
  if (!std::getline(in, line)) return false;
  return line == expected;
}

Status ConfirmAndApply(Applier& applier, store::JournalStore& journal, const ApplyInput& input,
                       const Interaction& interaction) {
  std::ostream& out = *interaction.out;
  out << FormatIntent(input);
  if (input.changes.empty()) {
    out << "nothing to change\n";
    return Status::Ok();
  }
  AA_RETURN_IF_ERROR(applier.Preflight(input));
  if (interaction.dry_run) {
    for (const PlannedChange& planned : input.changes) {
      out << "  " << ToString(planned.change.kind) << " " << planned.change.account_id;
      if (!planned.email.empty()) out << " <" << planned.email << ">";
      if (!planned.change.target.empty()) out << " " << planned.change.target;
      out << "  (" << planned.rule << ": " << planned.reason << ")\n";
    }
    out << "dry run: nothing was changed\n";
    return Status::Ok();
  }
  if (!interaction.yes) {
    if (!interaction.input_is_terminal || interaction.in == nullptr) {
      return FailedPrecondition(
          "confirmation needed but standard input is not a terminal; review the plan and pass "
          "--yes to apply it");
    }
    if (!ConfirmTyped(*interaction.in, out, "This changes org " + input.org + ".", input.org)) {
      return FailedPrecondition("not confirmed; nothing was changed");
    }
  }

  AA_ASSIGN_OR_RETURN(RunSummary summary, applier.Apply(input));
  AA_ASSIGN_OR_RETURN(std::vector<store::JournalAction> actions, journal.Actions(summary.run_id));
  out << FormatSummary(summary, actions);
  out.flush();
  if (summary.stopped()) return Unavailable("run " + summary.run_id + " stopped early");
  if (summary.counts.failed > 0) {
    return Internal(std::to_string(summary.counts.failed) + " of " +
                    std::to_string(summary.counts.total()) + " actions of run " + summary.run_id +
                    " failed");
  }
  return Status::Ok();
}

}  // namespace adminauto::engine
