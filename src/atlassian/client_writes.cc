// The client's per-account operations: the concurrent last-active-dates reads and the
// writes used when applying a plan.
#include <algorithm>
#include <boost/json.hpp>
#include <deque>
#include <unordered_set>

#include "atlassian/client_internal.h"
#include "atlassian/parse.h"

namespace adminauto::atlassian {
namespace {

namespace json = boost::json;
using internal::Attempts;
using internal::Call;
using internal::DirPath;
using internal::MakeRequest;
using internal::OrgPath;
using internal::Outcome;
using internal::PercentEncode;
using internal::RetryDecider;

// One account's last-active-dates listing in progress.
struct ActivityJob {
  size_t index = 0;
  std::string path;    // the first page
  std::string target;  // the next request
  Attempts attempts;
  std::unordered_set<std::string> cursors;
};

ApiStatus Write(OrgClient::Impl& impl, const ClientOptions& options, ClientStats& stats,
                HttpRequest request) {
  RetryDecider decider(impl, options, stats);
  auto response = Call(impl, decider, stats, request, true);
  if (!response.ok()) return response.error();
  if (Status s = CheckWriteResponse(response->body); !s.ok()) {
    return MalformedResponse(request.method + " " + request.target, s.message());
  }
  return {};
}

std::string Body(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  json::object obj;
  for (const auto& [key, value] : fields) obj[key] = value;
  return json::serialize(obj);
}

// Handles one finished page of `job`: true when the job needs another request.
Result<bool> TakeActivityPage(ActivityJob& job, const std::string& body, LastActiveDates& out) {
  AA_ASSIGN_OR_RETURN(LastActivePage page, ParseLastActivePage(body));
  for (auto& product : page.dates.products) out.products.push_back(std::move(product));
  if (page.dates.added_to_org) out.added_to_org = page.dates.added_to_org;
  if (page.next.empty()) return false;
  if (!job.cursors.insert(page.next).second) {
    return InvalidArgument("page repeats an earlier cursor");
  }
  job.target = job.path + "?cursor=" + PercentEncode(page.next);
  job.attempts = {};
  return true;
}

// Returns how many requests to start at once. Never more than the limit has left; a single
// probe when the limit is unknown (the first batch, or after a reset) so that a full batch
// does not run into a limit the server has not reported yet. A server that never reports a limit
// gets full batches after the first.
int64_t BatchWidth(const RateBudget& budget, int max_concurrency, bool first_batch) {
  int64_t width = std::max(1, max_concurrency);
  std::optional<int64_t> allowance = budget.Allowance();
  if (allowance) return std::clamp<int64_t>(*allowance, 1, width);
  if (first_batch || budget.HasLimitInfo()) return 1;
  return width;
}

}  // namespace

ApiResult<std::vector<LastActiveDates>> OrgClient::GetLastActiveDatesBatch(
    const std::vector<std::string>& account_ids, const PageProgress& progress) {
  RetryDecider decider(*impl_, options_, stats_);
  std::vector<LastActiveDates> results(account_ids.size());
  std::deque<ActivityJob> pending;
  for (size_t i = 0; i < account_ids.size(); ++i) {
    ActivityJob job;
    job.index = i;
    job.path = OrgPath(options_, "v1") + "/directory/users/" + PercentEncode(account_ids[i]) +
               "/last-active-dates";
    job.target = job.path;
    pending.push_back(std::move(job));
  }
  const std::string endpoint =
      "GET " + OrgPath(options_, "v1") + "/directory/users/ID/last-active-dates";
  size_t done = 0;
  bool first_batch = true;
  while (!pending.empty()) {
    if (auto error = decider.WaitTurn(endpoint)) return *error;
    int64_t width = BatchWidth(*impl_->budget, options_.max_concurrency, first_batch);
    first_batch = false;
    std::vector<ActivityJob> batch;
    std::vector<HttpRequest> requests;
    while (!pending.empty() && static_cast<int64_t>(batch.size()) < width) {
      requests.push_back(MakeRequest("GET", pending.front().target));
      batch.push_back(std::move(pending.front()));
      pending.pop_front();
    }
    impl_->budget->Spend(static_cast<int64_t>(requests.size()));
    stats_.calls += static_cast<int64_t>(requests.size());
    std::vector<TransportResult> answers = impl_->transport->Send(requests);

    // Requeue retries and further pages at the front, in their original order.
    std::vector<ActivityJob> again;
    for (size_t i = 0; i < batch.size(); ++i) {
      ActivityJob& job = batch[i];
      Outcome outcome = decider.Decide(answers[i], job.attempts, false, endpoint);
      if (outcome.kind == Outcome::kRetry) {
        again.push_back(std::move(job));
        continue;
      }
      if (outcome.kind == Outcome::kFail) {
        // An account deleted since it was listed has no activity to read.
        if (outcome.error->kind == ApiErrorKind::kNotFound) {
          ++done;
          continue;
        }
        return *outcome.error;
      }
      Result<bool> more = TakeActivityPage(job, answers[i].response->body, results[job.index]);
      if (!more.ok()) return MalformedResponse("GET " + job.path, more.status().message());
      if (*more) {
        again.push_back(std::move(job));
      } else if (progress) {
        progress(++done);
      }
    }
    for (auto it = again.rbegin(); it != again.rend(); ++it) pending.push_front(std::move(*it));
  }
  return results;
}

ApiStatus OrgClient::SuspendUser(std::string_view account_id) {
  return Write(
      *impl_, options_, stats_,
      MakeRequest("POST", DirPath(options_) + "/users/" + PercentEncode(account_id) + "/suspend"));
}

ApiStatus OrgClient::RestoreUser(std::string_view account_id) {
  return Write(
      *impl_, options_, stats_,
      MakeRequest("POST", DirPath(options_) + "/users/" + PercentEncode(account_id) + "/restore"));
}

ApiStatus OrgClient::RemoveUser(std::string_view account_id) {
  return Write(*impl_, options_, stats_,
               MakeRequest("DELETE", DirPath(options_) + "/users/" + PercentEncode(account_id)));
}

ApiStatus OrgClient::AddToGroup(std::string_view group_id, std::string_view account_id) {
  return Write(
      *impl_, options_, stats_,
      MakeRequest("POST", DirPath(options_) + "/groups/" + PercentEncode(group_id) + "/memberships",
                  Body({{"accountId", account_id}})));
}

ApiStatus OrgClient::RemoveFromGroup(std::string_view group_id, std::string_view account_id) {
  return Write(*impl_, options_, stats_,
               MakeRequest("DELETE", DirPath(options_) + "/groups/" + PercentEncode(group_id) +
                                         "/memberships/" + PercentEncode(account_id)));
}

ApiResult<Group> OrgClient::CreateGroup(std::string_view name, std::string_view description) {
  RetryDecider decider(*impl_, options_, stats_);
  HttpRequest request = MakeRequest("POST", DirPath(options_) + "/groups",
                                    Body({{"name", name}, {"description", description}}));
  auto response = Call(*impl_, decider, stats_, request, true);
  if (!response.ok()) return response.error();
  Result<Group> group = ParseCreatedGroup(response->body, name, description);
  if (!group.ok()) return MalformedResponse("POST " + request.target, group.status().message());
  return std::move(group).value();
}

namespace {

HttpRequest UserRoleRequest(const ClientOptions& options, std::string_view account_id,
                            std::string_view verb, std::string_view role,
                            std::string_view resource_id) {
  std::string body = resource_id.empty() ? Body({{"role", role}})
                                         : Body({{"role", role}, {"resource", resource_id}});
  return MakeRequest("POST",
                     OrgPath(options, "v1") + "/users/" + PercentEncode(account_id) + "/roles/" +
                         std::string(verb),
                     std::move(body));
}

HttpRequest GroupRoleRequest(const ClientOptions& options, std::string_view group_id,
                             std::string_view verb, std::string_view role,
                             std::string_view resource_id) {
  return MakeRequest("POST",
                     DirPath(options) + "/groups/" + PercentEncode(group_id) +
                         "/role-assignments/" + std::string(verb),
                     Body({{"resourceId", resource_id}, {"roleId", role}}));
}

}  // namespace

ApiStatus OrgClient::AssignUserRole(std::string_view account_id, std::string_view role,
                                    std::string_view resource_id) {
  return Write(*impl_, options_, stats_,
               UserRoleRequest(options_, account_id, "assign", role, resource_id));
}

ApiStatus OrgClient::RevokeUserRole(std::string_view account_id, std::string_view role,
                                    std::string_view resource_id) {
  return Write(*impl_, options_, stats_,
               UserRoleRequest(options_, account_id, "revoke", role, resource_id));
}

ApiStatus OrgClient::AssignGroupRole(std::string_view group_id, std::string_view role,
                                     std::string_view resource_id) {
  return Write(*impl_, options_, stats_,
               GroupRoleRequest(options_, group_id, "assign", role, resource_id));
}

ApiStatus OrgClient::RevokeGroupRole(std::string_view group_id, std::string_view role,
                                     std::string_view resource_id) {
  return Write(*impl_, options_, stats_,
               GroupRoleRequest(options_, group_id, "revoke", role, resource_id));
}

ApiStatus OrgClient::DisableAccount(std::string_view account_id, std::string_view message) {
  std::string body = message.empty() ? std::string() : Body({{"message", message}});
  return Write(
      *impl_, options_, stats_,
      MakeRequest("POST", "/users/" + PercentEncode(account_id) + "/manage/lifecycle/disable",
                  std::move(body)));
}

ApiStatus OrgClient::EnableAccount(std::string_view account_id) {
  return Write(
      *impl_, options_, stats_,
      MakeRequest("POST", "/users/" + PercentEncode(account_id) + "/manage/lifecycle/enable"));
}

}  // namespace adminauto::atlassian
