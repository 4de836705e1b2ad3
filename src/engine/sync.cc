#include "engine/sync.h"

#include <chrono>

#include "core/log.h"

namespace adminauto::engine {
namespace {

using atlassian::ApiError;
using atlassian::ApiErrorKind;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Keeps the API's typed error for the caller and turns it into a Status.
Status Fail(const ApiError& error, std::optional<ApiError>* api_error) {
  if (api_error != nullptr) *api_error = error;
  return error.ToStatus();
}

// Picks the directory id to record: the configured one, or the only directory the key can
// see when "-" was configured. An API without the directories listing keeps "-".
Result<std::string> ResolveDirectory(atlassian::OrgClient& client,
                                     std::optional<ApiError>* api_error) {
  const std::string& configured = client.options().directory_id;
  if (configured != "-") return configured;
  auto directories = client.ListDirectories();
  if (!directories.ok()) {
    if (directories.error().kind == ApiErrorKind::kNotFound) return configured;
    return Fail(directories.error(), api_error);
  }
  if (directories->size() == 1) return directories->front().id;
  return configured;
}

// Reads per-site activity of every managed account and merges it in.
Status FetchActivity(atlassian::OrgClient& client, std::vector<Account>& accounts,
                     const SyncOptions& options, std::optional<ApiError>* api_error) {
  std::vector<std::string> ids;
  std::vector<size_t> positions;
  for (size_t i = 0; i < accounts.size(); ++i) {
    if (accounts[i].claim_status != ClaimStatus::kManaged) continue;
    ids.push_back(accounts[i].id);
    positions.push_back(i);
  }
  auto dates = client.GetLastActiveDatesBatch(ids, [&](size_t done) {
    if (options.progress) options.progress({SyncProgress::Phase::kActivity, done, ids.size()});
  });
  if (!dates.ok()) return Fail(dates.error(), api_error);
  for (size_t i = 0; i < positions.size(); ++i) {
    MergeLastActive((*dates)[i], accounts[positions[i]]);
  }
  return Status::Ok();
}

// Reads the whole directory from the API.
Result<Directory> ReadDirectory(atlassian::OrgClient& client, const SyncOptions& options,
                                std::optional<ApiError>* api_error) {
  Directory directory;
  directory.org_id = client.options().org_id;
  AA_ASSIGN_OR_RETURN(directory.directory_id, ResolveDirectory(client, api_error));

  auto users = client.SearchUsers([&](size_t done) {
    if (options.progress) options.progress({SyncProgress::Phase::kUsers, done, 0});
  });
  if (!users.ok()) return Fail(users.error(), api_error);
  directory.accounts = std::move(users).value();

  auto groups = client.SearchGroups([&](size_t done) {
    if (options.progress) options.progress({SyncProgress::Phase::kGroups, done, 0});
  });
  if (!groups.ok()) return Fail(groups.error(), api_error);
  directory.groups = std::move(groups).value();

  if (options.fetch_last_active) {
    AA_RETURN_IF_ERROR(FetchActivity(client, directory.accounts, options, api_error));
  }
  return directory;
}

}  // namespace

std::vector<std::string> RulesNeedingLastActive(const std::vector<rules::Rule>& rules) {
  std::vector<std::string> names;
  for (const rules::Rule& rule : rules) {
    if (rule.inactive_days || rule.never_active_days) names.push_back(rule.name);
  }
  return names;
}

void MergeLastActive(const atlassian::LastActiveDates& dates, Account& account) {
  for (const ProductAccess& reported : dates.products) {
    ProductAccess* match = nullptr;
    for (ProductAccess& product : account.products) {
      bool same = !reported.resource_id.empty() && !product.resource_id.empty()
                      ? product.resource_id == reported.resource_id
                      : product.key == reported.key;
      if (same) {
        match = &product;
        break;
      }
    }
    if (match == nullptr) {
      account.products.push_back(reported);
      continue;
    }
    match->last_active = reported.last_active;
    if (match->resource_id.empty()) match->resource_id = reported.resource_id;
  }
  if (!account.added_to_org) account.added_to_org = dates.added_to_org;
}

Result<SyncReport> RunSync(atlassian::OrgClient& client, store::SnapshotStore& store,
                           const SyncOptions& options, Clock& clock,
                           std::optional<ApiError>* api_error) {
  auto log = GetLogger("sync");
  const std::string& org_id = client.options().org_id;
  const auto started = clock.Now();
  log->info("sync started org={}", org_id);

  Result<Directory> directory = ReadDirectory(client, options, api_error);
  if (!directory.ok()) {
    Status failure = directory.status();
    log->error("sync failed org={} error=\"{}\"", org_id, failure.message());
    Status recorded = store.RecordFailure(org_id, ToTimestamp(clock.Now()), failure.message());
    if (!recorded.ok()) log->error("recording the failure failed: {}", recorded.message());
    return failure;
  }
  directory->taken_at = ToTimestamp(clock.Now());

  SyncReport report;
  const atlassian::ClientStats& calls = client.stats();
  report.stats.accounts = static_cast<int64_t>(directory->accounts.size());
  for (const Account& a : directory->accounts) {
    if (a.claim_status == ClaimStatus::kManaged) ++report.managed;
  }
  report.stats.unmanaged = report.stats.accounts - report.managed;
  report.stats.groups = static_cast<int64_t>(directory->groups.size());
  report.stats.calls = calls.calls;
  report.stats.retries = calls.retries;
  report.stats.duplicate_accounts = calls.duplicate_accounts;
  report.stats.throttled = calls.throttled;
  report.stats.duration = duration_cast<milliseconds>(clock.Now() - started);

  auto saved =
      store.Save(*directory, report.stats, options.max_drop_fraction, options.keep_snapshots);
  if (!saved.ok()) {
    Status failure = saved.status().WithContext("writing the snapshot failed");
    Status recorded = store.RecordFailure(org_id, ToTimestamp(clock.Now()), failure.message());
    if (!recorded.ok()) log->error("recording the failure failed: {}", recorded.message());
    return failure;
  }
  report.snapshot_id = saved->snapshot_id;
  report.drop_reason = saved->drop_reason;
  if (report.drop_reason) {
    log->warn("sync flagged a drop org={} reason=\"{}\"", org_id, *report.drop_reason);
  }
  log->info("sync finished org={} accounts={} unmanaged={} groups={} calls={} retries={}", org_id,
            report.stats.accounts, report.stats.unmanaged, report.stats.groups, report.stats.calls,
            report.stats.retries);
  return report;
}

}  // namespace adminauto::engine
