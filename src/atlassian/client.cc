#include "atlassian/client.h"

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <functional>
#include <random>
#include <unordered_set>

#include "atlassian/client_internal.h"
#include "atlassian/parse.h"

namespace adminauto::atlassian {
namespace {

namespace json = boost::json;
using internal::Call;
using internal::DirPath;
using internal::MakeRequest;
using internal::OrgPath;
using internal::PercentEncode;
using internal::RetryDecider;

// A listing that needs more pages than this is treated as a pagination loop.
constexpr int kMaxPages = 200'000;

// Scheme, host, port and path prefix of a URL, for comparing a `next` link with the base URL.
struct Origin {
  std::string scheme;
  std::string host;
  std::string port;
  std::string path;
};

std::optional<Origin> ParseOrigin(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) return std::nullopt;
  Origin origin;
  origin.scheme = parsed->scheme();
  for (char& c : origin.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  origin.host = parsed->encoded_host();
  for (char& c : origin.host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  origin.port = parsed->port();
  if (origin.port.empty()) origin.port = origin.scheme == "https" ? "443" : "80";
  origin.path = parsed->encoded_path();
  while (!origin.path.empty() && origin.path.back() == '/') origin.path.pop_back();
  return origin;
}

// Returns the value of query parameter `name` of `url`, decoded, or nullopt.
std::optional<std::string> QueryParam(std::string_view url, std::string_view name) {
  auto parsed = boost::urls::parse_uri_reference(url);
  if (!parsed) return std::nullopt;
  for (const auto& param : parsed->params()) {
    if (param.key == name && param.has_value) return std::string(param.value);
  }
  return std::nullopt;
}

// Tracks one listing's pages to stop loops: a cursor seen before or a page whose body equals
// the previous one means the server is not advancing.
class PageGuard {
 public:
  explicit PageGuard(std::string endpoint) : endpoint_(std::move(endpoint)) {}

  std::optional<ApiError> CheckPage(const std::string& body) {
    if (++pages_ > kMaxPages) {
      return MalformedResponse(endpoint_, "more than " + std::to_string(kMaxPages) + " pages");
    }
    if (pages_ > 1 && body == previous_body_) {
      return MalformedResponse(
          endpoint_, "page " + std::to_string(pages_) + " is identical to the previous page");
    }
    previous_body_ = body;
    return std::nullopt;
  }

  std::optional<ApiError> CheckCursor(const std::string& next) {
    if (!cursors_.insert(next).second) {
      return MalformedResponse(endpoint_,
                               "page " + std::to_string(pages_) + " repeats an earlier cursor");
    }
    return std::nullopt;
  }

  int pages() const { return pages_; }

 private:
  std::string endpoint_;
  std::string previous_body_;
  std::unordered_set<std::string> cursors_;
  int pages_ = 0;
};

// Keeps the first copy of each account id.
class AccountCollector {
 public:
  explicit AccountCollector(int64_t& duplicates) : duplicates_(duplicates) {}
  void Add(std::vector<Account>& page) {
    for (Account& account : page) {
      if (seen_.insert(account.id).second) {
        accounts_.push_back(std::move(account));
      } else {
        ++duplicates_;
      }
    }
  }
  std::vector<Account> Take() { return std::move(accounts_); }
  size_t size() const { return accounts_.size(); }

 private:
  int64_t& duplicates_;
  std::unordered_set<std::string> seen_;
  std::vector<Account> accounts_;
};

}  // namespace

OrgClient::OrgClient(std::shared_ptr<HttpTransport> transport, ClientOptions options, Clock& clock,
                     std::shared_ptr<RateBudget> budget)
    : options_(std::move(options)) {
  if (!budget) budget = std::make_shared<RateBudget>(clock);
  impl_ = std::make_unique<Impl>(std::move(transport), clock, std::move(budget));
  uint64_t seed = options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}();
  impl_->rng.seed(seed);
}

OrgClient::~OrgClient() = default;

namespace {

// Turns a v1 `links.next` URL into a target on the configured base URL. A link on the same
// origin and under the base path is followed as is; on any other origin only its `cursor`
// parameter is used, with `path`, so the request still goes to the configured host.
std::optional<std::string> NextTarget(const std::optional<Origin>& base, std::string_view next,
                                      const std::string& path) {
  std::optional<Origin> link = ParseOrigin(next);
  if (base && link && link->scheme == base->scheme && link->host == base->host &&
      link->port == base->port && link->path.starts_with(base->path + "/")) {
    auto parsed = boost::urls::parse_absolute_uri(next);
    std::string target = std::string(parsed->encoded_path()).substr(base->path.size());
    if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());
    return target;
  }
  std::optional<std::string> cursor = QueryParam(next, "cursor");
  if (!cursor || cursor->empty()) return std::nullopt;
  return path + "?cursor=" + PercentEncode(*cursor);
}

}  // namespace

ApiResult<std::vector<Account>> OrgClient::ListManagedAccounts(const PageProgress& progress) {
  RetryDecider decider(*impl_, options_, stats_);
  const std::string path = OrgPath(options_, "v1") + "/users";
  PageGuard guard("GET " + path);
  AccountCollector collector(stats_.duplicate_accounts);
  std::string target = path;
  for (;;) {
    auto response = Call(*impl_, decider, stats_, MakeRequest("GET", target), false);
    if (!response.ok()) return response.error();
    if (auto error = guard.CheckPage(response->body)) return *error;
    Result<UserPage> page = ParseV1UserPage(response->body);
    if (!page.ok()) return MalformedResponse("GET " + path, page.status().message());
    collector.Add(page->accounts);
    if (progress) progress(collector.size());
    if (page->next.empty()) break;
    if (auto error = guard.CheckCursor(page->next)) return *error;
    std::optional<std::string> next = NextTarget(ParseOrigin(options_.base_url), page->next, path);
    if (!next) return MalformedResponse("GET " + path, "links.next has no cursor");
    target = std::move(*next);
  }
  return collector.Take();
}

namespace {

// Runs a v2 POST search to its last page; `on_page` parses one page body and returns its
// `links.next`, or an error message.
ApiStatus SearchPages(OrgClient::Impl& impl, RetryDecider& decider, ClientStats& stats,
                      const std::string& path, json::object body,
                      const std::function<Result<std::string>(const std::string&)>& on_page) {
  PageGuard guard("POST " + path);
  for (;;) {
    HttpRequest request = MakeRequest("POST", path, json::serialize(body));
    auto response = Call(impl, decider, stats, request, false);
    if (!response.ok()) return response.error();
    if (auto error = guard.CheckPage(response->body)) return *error;
    Result<std::string> next = on_page(response->body);
    if (!next.ok()) return MalformedResponse("POST " + path, next.status().message());
    if (next->empty()) return {};
    if (auto error = guard.CheckCursor(*next)) return *error;
    body["cursor"] = *next;
  }
}

}  // namespace

ApiResult<std::vector<Account>> OrgClient::SearchUsers(const PageProgress& progress) {
  RetryDecider decider(*impl_, options_, stats_);
  AccountCollector collector(stats_.duplicate_accounts);
  json::object body;
  body["limit"] = options_.users_page_size;
  body["expand"] = json::array{"productAccess", "groups", "platformRoles"};
  ApiStatus status =
      SearchPages(*impl_, decider, stats_, DirPath(options_) + "/users/search", std::move(body),
                  [&](const std::string& text) -> Result<std::string> {
                    AA_ASSIGN_OR_RETURN(UserPage page, ParseV2UserPage(text));
                    collector.Add(page.accounts);
                    if (progress) progress(collector.size());
                    return page.next;
                  });
  if (!status.ok()) return status.error();
  return collector.Take();
}

ApiResult<std::vector<Group>> OrgClient::SearchGroups(const PageProgress& progress) {
  RetryDecider decider(*impl_, options_, stats_);
  std::vector<Group> groups;
  std::unordered_set<std::string> seen;
  json::object body;
  body["limit"] = options_.groups_page_size;
  ApiStatus status =
      SearchPages(*impl_, decider, stats_, DirPath(options_) + "/groups/search", std::move(body),
                  [&](const std::string& text) -> Result<std::string> {
                    AA_ASSIGN_OR_RETURN(GroupPage page, ParseGroupPage(text));
                    for (Group& group : page.groups) {
                      if (seen.insert(group.id).second) groups.push_back(std::move(group));
                    }
                    if (progress) progress(groups.size());
                    return page.next;
                  });
  if (!status.ok()) return status.error();
  return groups;
}

ApiResult<std::vector<DirectoryInfo>> OrgClient::ListDirectories() {
  RetryDecider decider(*impl_, options_, stats_);
  const std::string path = OrgPath(options_, "v2") + "/directories";
  PageGuard guard("GET " + path);
  std::vector<DirectoryInfo> out;
  std::string target = path;
  for (;;) {
    auto response = Call(*impl_, decider, stats_, MakeRequest("GET", target), false);
    if (!response.ok()) return response.error();
    if (auto error = guard.CheckPage(response->body)) return *error;
    Result<DirectoryPage> page = ParseDirectoryPage(response->body);
    if (!page.ok()) return MalformedResponse("GET " + path, page.status().message());
    for (auto& d : page->directories) out.push_back(std::move(d));
    if (page->next.empty()) return out;
    if (auto error = guard.CheckCursor(page->next)) return *error;
    target = path + "?cursor=" + PercentEncode(page->next);
  }
}

ApiResult<LastActiveDates> OrgClient::GetLastActiveDates(std::string_view account_id) {
  auto batch = GetLastActiveDatesBatch({std::string(account_id)});
  if (!batch.ok()) return batch.error();
  return std::move(batch->front());
}

ApiResult<Account> OrgClient::GetUser(std::string_view account_id) {
  RetryDecider decider(*impl_, options_, stats_);
  std::string target = DirPath(options_) + "/users/" + PercentEncode(account_id);
  auto response = Call(*impl_, decider, stats_, MakeRequest("GET", target), false);
  if (!response.ok()) return response.error();
  Result<Account> account = ParseV2UserEnvelope(response->body);
  if (!account.ok()) return MalformedResponse("GET " + target, account.status().message());
  return std::move(account).value();
}

}  // namespace adminauto::atlassian
