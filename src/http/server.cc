#include "http/server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "core/log.h"

namespace adminauto::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

class Session;

// Open sessions, so Stop() can close idle connections and those held without a response.
struct SessionRegistry {
  std::mutex mu;
  std::set<std::shared_ptr<Session>> sessions;
  bool stopping = false;
};

Response SimpleError(int status, std::string_view message) {
  return Response::Json(status, "{\"code\":" + std::to_string(status) + ",\"message\":\"" +
                                    JsonEscape(message) + "\"}");
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const ServerOptions& options, const Handler& handler,
          SessionRegistry& registry)
      : stream_(std::move(socket)),
        timer_(stream_.get_executor()),
        options_(options),
        handler_(handler),
        registry_(registry) {
    beast::error_code ec;
    // Without TCP_NODELAY the tail of a multi-segment response can wait for the client's
    // delayed ACK.
    stream_.socket().set_option(tcp::no_delay(true), ec);
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }

  void Run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // Closes the connection from any thread.
  void Close() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      beast::error_code ec;
      self->timer_.cancel();
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    parser_->body_limit(options_.max_body_bytes);
    stream_.expires_after(options_.read_timeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof || ec == asio::error::bad_descriptor) {
      return Finish();
    }
    if (ec) return SendParseError(ec);
    stream_.expires_never();
    auto started = std::chrono::steady_clock::now();
    Request request;
    auto& message = parser_->get();
    request.method = std::string(message.method_string());
    request.peer = peer_;
    Status parsed = ParseTarget(message.target(), request);
    if (!parsed.ok()) {
      keep_alive_ = false;
      return Send(request, SimpleError(400, parsed.message()), started);
    }
    for (const auto& field : message) {
      request.headers.emplace(std::string(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    keep_alive_ = message.keep_alive();
    Response response;
    try {
      response = handler_(request);
    } catch (const std::exception& e) {
      GetLogger("http")->error("handler failed path={} error={}", request.path, e.what());
      response = SimpleError(500, "internal error");
    }
    if (response.never_answer) return Hang();
    if (response.delay.count() > 0) {
      timer_.expires_after(response.delay);
      auto shared_request = std::make_shared<Request>(std::move(request));
      auto shared_response = std::make_shared<Response>(std::move(response));
      timer_.async_wait([self = shared_from_this(), shared_request, shared_response,
                         started](beast::error_code wait_ec) {
        if (wait_ec) return self->Finish();
        self->Send(*shared_request, std::move(*shared_response), started);
      });
      return;
    }
    Send(request, std::move(response), started);
  }

  void SendParseError(beast::error_code ec) {
    Request request;
    request.peer = peer_;
    keep_alive_ = false;
    int status = 400;
    if (ec == bhttp::error::body_limit) status = 413;
    if (ec == bhttp::error::header_limit) status = 431;
    Send(request, SimpleError(status, "invalid HTTP request: " + ec.message()),
         std::chrono::steady_clock::now());
  }

  // Keeps the connection open without sending a response until Stop() closes it.
  void Hang() {
    timer_.expires_at(asio::steady_timer::time_point::max());
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Finish(); });
  }

  void Send(const Request& request, Response response,
            std::chrono::steady_clock::time_point started) {
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response.status));
    message->set(bhttp::field::server, options_.server_header);
    for (const auto& [name, value] : response.headers) message->insert(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_);
    message->prepare_payload();
    if (options_.on_response) {
      auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - started);
      response.body.clear();
      options_.on_response(request, response, elapsed);
    }
    stream_.expires_after(options_.read_timeout);
    bhttp::async_write(stream_, *message,
                       [self = shared_from_this(), message](beast::error_code ec, size_t) {
                         if (ec || !self->keep_alive_) return self->Finish();
                         self->Read();
                       });
  }

  void Finish() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
    std::lock_guard lock(registry_.mu);
    registry_.sessions.erase(shared_from_this());
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const ServerOptions& options_;
  const Handler& handler_;
  SessionRegistry& registry_;
  std::string peer_;
  bool keep_alive_ = true;
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  asio::steady_timer accept_retry{ioc};
  std::vector<std::thread> threads;
  SessionRegistry registry;
  uint16_t port = 0;
  std::once_flag stopped;
  bool started = false;

  void Accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) return AcceptLater(ec);
      auto session = std::make_shared<Session>(std::move(socket), options, handler, registry);
      {
        std::lock_guard lock(registry.mu);
        if (registry.stopping) return;
        registry.sessions.insert(session);
      }
      session->Run();
      Accept();
    });
  }

  // Accepts again after a pause. An accept error such as EMFILE (no file descriptor left)
  // repeats at once while the cause lasts, so accepting again at once would spin a core.
  void AcceptLater(beast::error_code ec) {
    GetLogger("http")->warn("accept failed error={}; retrying in 100 ms", ec.message());
    accept_retry.expires_after(std::chrono::milliseconds(100));
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (wait_ec || !acceptor.is_open()) return;
      Accept();
    });
  }
};

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

Server::~Server() { Stop(); }

Status Server::Start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return InvalidArgument("invalid listen address '" + impl_->options.host + "'");
  tcp::endpoint endpoint(address, impl_->options.port);
  std::string where = impl_->options.host + ":" + std::to_string(impl_->options.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("cannot listen on " + where + ": " + ec.message());
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->Accept();
  int threads = std::max(1, impl_->options.threads);
  for (int i = 0; i < threads; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->started = true;
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->port; }

std::string Server::base_url() const {
  std::string host = impl_->options.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(impl_->port);
}

void Server::Stop() {
  std::call_once(impl_->stopped, [this] {
    if (!impl_->started) return;
    asio::post(impl_->acceptor.get_executor(), [this] {
      beast::error_code ec;
      impl_->acceptor.close(ec);
      impl_->accept_retry.cancel();
    });
    std::set<std::shared_ptr<Session>> sessions;
    {
      std::lock_guard lock(impl_->registry.mu);
      impl_->registry.stopping = true;
      sessions = impl_->registry.sessions;
    }
    for (const auto& session : sessions) session->Close();
    impl_->work.reset();
    // Handlers in flight finish; closed sessions drain, then run() returns.
    for (auto& thread : impl_->threads) thread.join();
    impl_->threads.clear();
  });
}

}  // namespace adminauto::http
