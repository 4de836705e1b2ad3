// The libcurl transport: one multi handle per transport keeps connections alive between
// calls, and easy handles are reused so each keeps its connection and TLS session.
#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <mutex>

#include "atlassian/transport.h"

namespace adminauto::atlassian {
namespace {

constexpr size_t kMaxBodyBytes = 64 * 1024 * 1024;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Overwrites a string's bytes before it is freed.
void Wipe(std::string& s) {
  volatile char* p = s.data();
  for (size_t i = 0; i < s.size(); ++i) p[i] = 0;
  s.clear();
}

// One request in flight.
struct Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  size_t index = 0;
  HttpResponse response;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  if (t->response.body.size() + n > kMaxBodyBytes) {
    t->too_large = true;
    return 0;  // aborts the transfer
  }
  t->response.body.append(data, n);
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    t->response.headers.clear();  // a new response (after 100 Continue) starts over
    return n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  t->response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return n;
}

TransportError ErrorFor(CURLcode code, const Transfer& t, const char* detail) {
  TransportError error;
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      error.kind = TransportErrorKind::kTimeout;
      break;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      error.kind = TransportErrorKind::kConnect;
      break;
    default:
      error.kind = TransportErrorKind::kOther;
  }
  error.message =
      t.too_large ? "response body larger than 64 MiB" : std::string(curl_easy_strerror(code));
  if (detail != nullptr && *detail != '\0') error.message += std::string(" (") + detail + ")";
  return error;
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options) : options_(std::move(options)) {
    while (!options_.base_url.empty() && options_.base_url.back() == '/') {
      options_.base_url.pop_back();
    }
    options_.max_concurrency = std::max(1, options_.max_concurrency);
    multi_ = curl_multi_init();
    curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS,
                      static_cast<long>(options_.max_concurrency));
    curl_multi_setopt(multi_, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    if (!options_.api_key.empty()) auth_header_ = "Authorization: Bearer " + options_.api_key;
    Wipe(options_.api_key);
  }

  ~CurlTransport() override {
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    curl_multi_cleanup(multi_);
    Wipe(auth_header_);
  }

  std::vector<TransportResult> Send(const std::vector<HttpRequest>& requests) override {
    std::lock_guard lock(mu_);
    std::vector<TransportResult> results(requests.size());
    std::deque<size_t> queue;
    for (size_t i = 0; i < requests.size(); ++i) queue.push_back(i);
    std::vector<std::unique_ptr<Transfer>> running;

    while (!queue.empty() || !running.empty()) {
      while (!queue.empty() && static_cast<int>(running.size()) < options_.max_concurrency) {
        running.push_back(Start(requests[queue.front()], queue.front()));
        queue.pop_front();
      }
      int still_running = 0;
      curl_multi_perform(multi_, &still_running);
      Collect(running, results);
      if (!running.empty()) curl_multi_poll(multi_, nullptr, 0, 100, nullptr);
    }
    return results;
  }

 private:
  CURL* TakeHandle() {
    if (idle_.empty()) return curl_easy_init();
    CURL* easy = idle_.back();
    idle_.pop_back();
    curl_easy_reset(easy);
    return easy;
  }

  curl_slist* BuildHeaders(const HttpRequest& request) {
    curl_slist* list = nullptr;
    list = curl_slist_append(list, "Accept: application/json");
    if (!request.body.empty()) list = curl_slist_append(list, "Content-Type: application/json");
    for (const auto& [name, value] : request.headers) {
      list = curl_slist_append(list, (name + ": " + value).c_str());
    }
    if (!auth_header_.empty()) list = curl_slist_append(list, auth_header_.c_str());
    // Without this libcurl sends "Expect: 100-continue" for larger bodies and waits for it.
    list = curl_slist_append(list, "Expect:");
    return list;
  }

  std::unique_ptr<Transfer> Start(const HttpRequest& request, size_t index) {
    auto t = std::make_unique<Transfer>();
    t->index = index;
    t->easy = TakeHandle();
    t->headers = BuildHeaders(request);
    CURL* e = t->easy;
    std::string url = options_.base_url + request.target;
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);  // never carry the key to another URL
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     static_cast<long>((options_.connect_timeout + options_.read_timeout).count()));
    curl_easy_setopt(e, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "GET") curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    if (request.method != "GET" && request.method != "DELETE") {
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size()));
      curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, request.body.c_str());
    }
    if (!options_.proxy.empty()) curl_easy_setopt(e, CURLOPT_PROXY, options_.proxy.c_str());
    if (!options_.unix_socket_path.empty()) {
      curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, options_.unix_socket_path.c_str());
    }
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    curl_multi_add_handle(multi_, e);
    return t;
  }

  void Collect(std::vector<std::unique_ptr<Transfer>>& running,
               std::vector<TransportResult>& results) {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      TransportResult& out = results[t->index];
      if (msg->data.result == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        t->response.status = static_cast<int>(status);
        out.response = std::move(t->response);
      } else {
        out.error = ErrorFor(msg->data.result, *t, nullptr);
      }
      Finish(*t);
      running.erase(std::find_if(running.begin(), running.end(),
                                 [t](const auto& r) { return r.get() == t; }));
    }
  }

  void Finish(Transfer& t) {
    curl_multi_remove_handle(multi_, t.easy);
    idle_.push_back(t.easy);
    // The header list holds a copy of the Authorization header; wipe it before freeing.
    for (curl_slist* item = t.headers; item != nullptr; item = item->next) {
      if (std::strncmp(item->data, "Authorization:", 14) == 0) {
        volatile char* p = item->data;
        for (size_t i = 0; p[i] != '\0'; ++i) p[i] = 0;
      }
    }
    curl_slist_free_all(t.headers);
    t.headers = nullptr;
  }

  CurlTransportOptions options_;
  std::string auth_header_;
  std::mutex mu_;
  CURLM* multi_ = nullptr;
  std::vector<CURL*> idle_;
};

}  // namespace

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

TransportResult HttpTransport::SendOne(const HttpRequest& request) {
  return std::move(Send({request}).front());
}

Result<std::unique_ptr<HttpTransport>> MakeCurlTransport(CurlTransportOptions options) {
  GlobalInit();
  CURLU* url = curl_url();
  CURLUcode rc = curl_url_set(url, CURLUPART_URL, options.base_url.c_str(), 0);
  char* scheme = nullptr;
  if (rc == CURLUE_OK) curl_url_get(url, CURLUPART_SCHEME, &scheme, 0);
  bool ok = rc == CURLUE_OK && scheme != nullptr &&
            (std::strcmp(scheme, "https") == 0 || std::strcmp(scheme, "http") == 0);
  curl_free(scheme);
  curl_url_cleanup(url);
  if (!ok) {
    return InvalidArgument("invalid base URL \"" + options.base_url +
                           "\": expected http:// or https:// followed by a host");
  }
  return std::unique_ptr<HttpTransport>(new CurlTransport(std::move(options)));
}

}  // namespace adminauto::atlassian
