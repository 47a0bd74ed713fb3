// The Beast HTTP server: accept loop, one coroutine per connection, bearer
// token roles, the router and the scrape endpoints (/metrics, /healthz,
// /readyz). Follows Beast's http_server_awaitable example: every read is
// bounded in size and time, keep-alive is supported, and no exception leaves a
// coroutine.
#include "daemon/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>
#include <system_error>

#include "daemon/api.hpp"
#include "daemon/json.hpp"
#include "daemon/suppression_api.hpp"

namespace tocsin::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::ip::tcp;
using Tokens = std::vector<ApiToken>;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t header_limit = 16 * 1024;
constexpr std::string_view unmatched_route = "unmatched";
constexpr std::string_view rejection_reasons[] = {"body_too_large", "bad_request", "unauthorized", "forbidden",
                                                  "timeout"};

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::optional<std::string_view> bearer_token(const Request& request) {
  auto it = request.find(http::field::authorization);
  if (it == request.end()) return std::nullopt;
  std::string_view value = it->value();
  constexpr std::string_view scheme = "bearer ";
  if (value.size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(value[i])) != scheme[i]) return std::nullopt;
  value.remove_prefix(scheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  return value;
}

Response unauthorized(bool token_presented) {
  Response r = error_response(http::status::unauthorized, "a valid bearer token is required");
  r.set(http::field::www_authenticate,
        token_presented ? R"(Bearer realm="tocsin", error="invalid_token")" : R"(Bearer realm="tocsin")");
  return r;
}

Response method_not_allowed(const std::vector<http::verb>& allowed) {
  std::string allow;
  for (auto v : allowed) {
    if (!allow.empty()) allow += ", ";
    allow += http::to_string(v);
  }
  Response r = error_response(http::status::method_not_allowed, "method not allowed; allowed: " + allow);
  r.set(http::field::allow, allow);
  return r;
}

Response text_response(http::status status, std::string body, std::string_view content_type) {
  Response r{status, 11};
  r.set(http::field::content_type, content_type);
  r.set(http::field::cache_control, "no-store");
  r.body() = std::move(body);
  return r;
}

std::optional<std::string_view> rejection_reason(const Response& r) {
  switch (r.result()) {
    case http::status::bad_request:
    case http::status::request_header_fields_too_large:
      return "bad_request";
    case http::status::unauthorized:
      return "unauthorized";
    case http::status::forbidden:
      return "forbidden";
    case http::status::payload_too_large:
      return "body_too_large";
    default:
      return std::nullopt;
  }
}

// Answer to a request the parser refused; nullopt when there is nobody to
// answer (the peer left, the read timed out).
std::optional<Response> refusal(const boost::system::error_code& ec) {
  if (ec == http::error::body_limit)
    return error_response(http::status::payload_too_large, "request body is larger than the limit");
  if (ec == http::error::header_limit)
    return error_response(http::status::request_header_fields_too_large, "request header is larger than the limit");
  if (ec.category() == make_error_code(http::error::end_of_stream).category() && ec != http::error::end_of_stream &&
      ec != http::error::partial_message)
    return error_response(http::status::bad_request, "malformed HTTP request: " + ec.message());
  return std::nullopt;
}

// After refusing a request whose body may still be arriving, read and discard
// a bounded amount so that closing does not reset the connection before the
// client has read the refusal.
asio::awaitable<void> drain(beast::tcp_stream& stream) {
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(std::chrono::seconds(2));
  std::array<char, 8192> sink;
  for (std::size_t total = 0; total < (1u << 20);) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
    if (ec) break;
    total += n;
  }
}

// Hands a route handler a Respond that resumes the waiting connection on its
// own executor, at most once, whichever thread calls it.
asio::awaitable<Response> invoke(const RouteHandler& handler, ApiRequest request) {
  auto initiate = [&handler](auto completion, ApiRequest request) {
    using Completion = decltype(completion);
    struct Slot {
      explicit Slot(Completion c) : completion(std::move(c)) {}
      Completion completion;
      std::atomic<bool> used{false};
    };
    auto slot = std::make_shared<Slot>(std::move(completion));
    Respond respond = [slot](Response response) {
      if (slot->used.exchange(true)) return;
      auto executor = asio::get_associated_executor(slot->completion);
      asio::post(executor, [slot, r = std::move(response)]() mutable { slot->completion(std::move(r)); });
    };
    try {
      handler(std::move(request), respond);
    } catch (const std::exception& e) {
      spdlog::error("http: route handler failed: {}", e.what());
      respond(error_response(http::status::internal_server_error, "internal error"));
    }
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Response)>(
      initiate, asio::use_awaitable, std::move(request));
}

}  // namespace

// Compares every byte of the configured token whatever the input, so the time
// taken tells nothing about how much of a guess was right.
bool same_token(std::string_view presented, std::string_view configured) {
  unsigned char diff = presented.size() == configured.size() ? 0 : 1;
  for (std::size_t i = 0; i < configured.size(); ++i) {
    unsigned char p = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
    diff |= static_cast<unsigned char>(p ^ static_cast<unsigned char>(configured[i]));
  }
  return diff == 0 && !configured.empty();
}

std::string_view to_string(Role r) {
  switch (r) {
    case Role::viewer:
      return "viewer";
    case Role::operator_:
      return "operator";
    case Role::admin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view s) {
  for (Role r : {Role::viewer, Role::operator_, Role::admin})
    if (to_string(r) == s) return r;
  return std::nullopt;
}

std::string_view ApiRequest::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

const std::string* ApiRequest::query_value(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return &v;
  return nullptr;
}

void Router::add(http::verb method, std::string pattern, std::optional<Role> min_role, RouteHandler handler) {
  std::vector<std::string> segments;
  for (std::string_view segment : split_path(pattern)) segments.emplace_back(segment);
  routes_.push_back({method, std::move(pattern), min_role, std::move(handler), std::move(segments)});
}

Router::Match Router::match(http::verb method, std::string_view path) const {
  Match result;
  auto segments = split_path(path);
  for (const Route& route : routes_) {
    const std::vector<std::string>& pattern = route.segments;
    if (pattern.size() != segments.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool same = true;
    for (std::size_t i = 0; i < pattern.size() && same; ++i) {
      if (is_parameter(pattern[i]) && !segments[i].empty())
        params.emplace_back(pattern[i].substr(1, pattern[i].size() - 2), segments[i]);
      else
        same = pattern[i] == segments[i];
    }
    if (!same) continue;
    if (result.pattern.empty()) result.pattern = route.pattern;
    result.allowed.push_back(route.method);
    if (route.method == method && !result.route) {
      result.route = &route;
      result.pattern = route.pattern;
      result.params = std::move(params);
    }
  }
  return result;
}

Response json_response(http::status status, std::string body) {
  Response r{status, 11};
  r.set(http::field::content_type, "application/json");
  r.set(http::field::cache_control, "no-store");
  r.body() = std::move(body);
  return r;
}

Response error_response(http::status status, std::string_view message, std::string_view field) {
  boost::json::object o{{"error", valid_utf8(message)}};
  if (!field.empty()) o["field"] = valid_utf8(field);
  return json_response(status, boost::json::serialize(o));
}

// Live connections: bounded by max_connections (the accept loop waits for a
// free slot, so excess clients queue in the kernel backlog), and closed on stop().
class HttpServer::Connections {
 public:
  void add(const std::shared_ptr<beast::tcp_stream>& stream) {
    std::lock_guard lock(mutex_);
    ++active_;
    std::erase_if(streams_, [](const auto& w) { return w.expired(); });
    streams_.push_back(stream);
  }
  void release() {
    std::lock_guard lock(mutex_);
    --active_;
    if (on_free_) on_free_();
  }
  bool full(int max) {
    std::lock_guard lock(mutex_);
    return active_ >= max;
  }
  void on_free(std::function<void()> f) {
    std::lock_guard lock(mutex_);
    on_free_ = std::move(f);
  }
  void close_all() {
    std::lock_guard lock(mutex_);
    for (const auto& weak : streams_)
      if (auto stream = weak.lock()) asio::post(stream->get_executor(), [stream] { stream->close(); });
  }

 private:
  std::mutex mutex_;
  int active_ = 0;
  std::vector<std::weak_ptr<beast::tcp_stream>> streams_;
  std::function<void()> on_free_;
};

struct HttpServer::State {
  std::shared_ptr<Connections> connections = std::make_shared<Connections>();
  asio::steady_timer slot_free;
  std::atomic<bool> stopped{false};
};

HttpServer::HttpServer(asio::io_context& io, HttpServerConfig config, ApiBackend& backend,
                       std::function<std::unique_ptr<Store>()> open_store, StatsRegistry& stats)
    : io_(io),
      config_(std::move(config)),
      backend_(backend),
      stats_(stats),
      acceptor_(asio::make_strand(io)),
      state_(new State{.slot_free = asio::steady_timer(acceptor_.get_executor())}),
      tokens_(std::make_shared<const Tokens>(std::move(config_.tokens))) {
  for (auto reason : rejection_reasons)
    stats_.counter("tocsin_http_rejected_total", "HTTP requests refused, by reason",
                   {{"reason", std::string(reason)}});
  add_probe_routes();
  api_ = std::make_unique<ApiRoutes>(router_, backend_, std::move(open_store));
  add_suppression_routes(router_, backend_, stats_);
}

HttpServer::~HttpServer() { state_->connections->on_free(nullptr); }

void HttpServer::add_probe_routes() {
  router_.add(http::verb::get, "/metrics", std::nullopt, [this](ApiRequest, Respond respond) {
    respond(text_response(http::status::ok, stats_.render_prometheus(), "text/plain; version=0.0.4; charset=utf-8"));
  });
  router_.add(http::verb::get, "/healthz", std::nullopt, [](ApiRequest, Respond respond) {
    respond(text_response(http::status::ok, "ok\n", "text/plain; charset=utf-8"));
  });
  router_.add(http::verb::get, "/readyz", std::nullopt, [this](ApiRequest, Respond respond) {
    bool ready = backend_.ready();
    respond(text_response(ready ? http::status::ok : http::status::service_unavailable,
                          ready ? "ready\n" : "not ready\n", "text/plain; charset=utf-8"));
  });
}

void HttpServer::start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(config_.address, ec);
  tcp::endpoint endpoint{address, config_.port};
  if (!ec) acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor_.close();
    throw std::system_error(ec, "HTTP API cannot listen on " + config_.address + ":" + std::to_string(config_.port));
  }
  state_->connections->on_free(
      [this] { asio::post(acceptor_.get_executor(), [this] { state_->slot_free.cancel(); }); });
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), [](std::exception_ptr e) {
    if (e) spdlog::error("http: accept loop ended by an exception");
  });
  spdlog::info("http: listening on {}:{}", config_.address, local_endpoint().port());
}

void HttpServer::stop() {
  asio::post(acceptor_.get_executor(), [this] {
    state_->stopped = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    state_->slot_free.cancel();
    state_->connections->close_all();
  });
}

tcp::endpoint HttpServer::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

void HttpServer::set_tokens(std::vector<ApiToken> tokens) {
  auto fresh = std::make_shared<const Tokens>(std::move(tokens));
  std::lock_guard lock(tokens_mutex_);
  tokens_ = std::move(fresh);
}

asio::awaitable<void> HttpServer::accept_loop() {
  asio::steady_timer backoff(acceptor_.get_executor());
  while (!state_->stopped) {
    if (state_->connections->full(config_.max_connections)) {
      state_->slot_free.expires_at(asio::steady_timer::time_point::max());
      co_await state_->slot_free.async_wait(use_tuple);
      continue;
    }
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), use_tuple);
    if (state_->stopped || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Out of descriptors or a similar transient failure: retry shortly
      // instead of spinning.
      spdlog::warn("http: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, session(std::move(socket)), [](std::exception_ptr e) {
      if (e) spdlog::error("http: connection ended by an exception");
    });
  }
}

asio::awaitable<void> HttpServer::session(tcp::socket socket) {
  auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
  struct Release {
    std::shared_ptr<Connections> connections;
    ~Release() { connections->release(); }
  } release{state_->connections};
  release.connections->add(stream);
  beast::flat_buffer buffer;
  for (bool open = true; open;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(config_.max_body);
    parser.header_limit(header_limit);
    stream->expires_after(config_.read_timeout);
    auto [ec, n] = co_await http::async_read(*stream, buffer, parser, use_tuple);
    Response response;
    if (ec) {
      if (ec == beast::error::timeout && parser.got_some()) count_timeout();
      auto refused = refusal(ec);
      if (!refused) break;
      response = std::move(*refused);
      response.keep_alive(false);
      // The request line is known even when a header field was refused.
      count(route_label(parser.get()), response);
    } else {
      bool keep_alive = parser.get().keep_alive();
      response = co_await handle(parser.release());
      response.keep_alive(keep_alive && !state_->stopped);
    }
    response.prepare_payload();
    stream->expires_after(config_.read_timeout);
    auto [write_ec, written] = co_await http::async_write(*stream, response, use_tuple);
    open = !write_ec && response.keep_alive();
    if (ec && !write_ec) co_await drain(*stream);
  }
  boost::system::error_code ignored;
  stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<Response> HttpServer::handle(Request request) {
  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) {
    Response r = error_response(http::status::bad_request, "malformed request target");
    count(unmatched_route, r);
    co_return r;
  }
  std::string path = target->path();
  Router::Match match = router_.match(request.method(), path);
  ApiRequest routed;
  routed.route = match.pattern.empty() ? std::string(unmatched_route) : match.pattern;
  std::string route = routed.route;
  if (auto refused = authorize(request, path, match, routed)) {
    count(route, *refused);
    co_return std::move(*refused);
  }
  for (auto param : target->params()) routed.query.emplace_back(param.key, param.value);
  routed.params = std::move(match.params);
  routed.http = std::move(request);
  Response response = co_await invoke(match.route->handler, std::move(routed));
  count(route, response);
  co_return response;
}

std::optional<Response> HttpServer::authorize(const Request& request, std::string_view path,
                                              const Router::Match& match, ApiRequest& routed) const {
  if (path.starts_with("/api/") || (match.route && match.route->min_role)) {
    auto presented = bearer_token(request);
    auto token = presented ? authenticate(*presented) : std::nullopt;
    if (!token) return unauthorized(presented.has_value());
    routed.actor = token->name;
    routed.role = token->role;
  }
  if (match.allowed.empty()) return error_response(http::status::not_found, "no resource at " + std::string(path));
  if (!match.route) return method_not_allowed(match.allowed);
  if (match.route->min_role && routed.role < *match.route->min_role)
    return error_response(http::status::forbidden, "role " + std::string(to_string(routed.role)) +
                                                       " may not do this; it needs " +
                                                       std::string(to_string(*match.route->min_role)));
  return std::nullopt;
}

std::optional<ApiToken> HttpServer::authenticate(std::string_view presented) const {
  std::shared_ptr<const Tokens> tokens;
  {
    std::lock_guard lock(tokens_mutex_);
    tokens = tokens_;
  }
  const ApiToken* found = nullptr;
  for (const ApiToken& t : *tokens)
    if (same_token(presented, t.token) && !found) found = &t;
  if (!found) return std::nullopt;
  return *found;
}

std::string HttpServer::route_label(const Request& request) const {
  if (request.target().empty()) return std::string(unmatched_route);
  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) return std::string(unmatched_route);
  Router::Match match = router_.match(request.method(), target->path());
  return match.pattern.empty() ? std::string(unmatched_route) : match.pattern;
}

void HttpServer::count(std::string_view route, const Response& response) {
  stats_
      .counter("tocsin_http_requests_total", "HTTP requests answered, by route pattern and status code",
               {{"route", std::string(route)}, {"code", std::to_string(response.result_int())}})
      .inc();
  if (auto reason = rejection_reason(response))
    stats_.counter("tocsin_http_rejected_total", "HTTP requests refused, by reason", {{"reason", std::string(*reason)}})
        .inc();
}

void HttpServer::count_timeout() {
  stats_.counter("tocsin_http_rejected_total", "HTTP requests refused, by reason", {{"reason", "timeout"}}).inc();
}

}  // namespace tocsin::api
