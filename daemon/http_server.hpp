#pragma once
// The HTTP front door of tocsind: a Beast server (C++20 coroutines, one strand
// per connection) with bearer-token roles and a small router. The /api/v1
// routes, /metrics and the health probes register on the router; collectors
// that accept HTTP input (generic events, Alertmanager) add their routes the
// same way before start().

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "correlator/actions.hpp"
#include "correlator/stats.hpp"
#include "store/store.hpp"

namespace tocsin::api {

namespace http = boost::beast::http;

// Equal lengths and bytes, compared in time that depends only on the configured
// token (bearer tokens, the Kannel callback secret); an empty token never passes.
bool same_token(std::string_view presented, std::string_view configured);

// Ordered: each role may do everything the roles below it may.
enum class Role : std::uint8_t { viewer = 0, operator_, admin };

std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view s);

struct ApiToken {
  std::string name;  // recorded as the actor of what the token does
  std::string token;
  Role role = Role::viewer;
};

struct HttpServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  std::size_t max_body = 1 << 20;
  std::chrono::seconds read_timeout{30};
  int max_connections = 512;
  std::vector<ApiToken> tokens;
};

// What the API needs from the pipeline besides store reads.
class ApiBackend {
 public:
  virtual ~ApiBackend() = default;
  // `done` is called once, from another thread, after the change is durable.
  virtual void act(IncidentAction action, ActionDone done) = 0;
  // Silences and maintenance windows; `done` likewise, once durable.
  virtual void suppress(suppression::Request request, std::function<void(suppression::Result)> done) {
    (void)request;
    suppression::Result r;
    r.status = 503;
    r.error = "suppression is not available";
    done(std::move(r));
  }
  virtual bool ready() const = 0;
};

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// A routed request: owns the HTTP message, so a handler may keep it while it
// waits for a commit.
struct ApiRequest {
  Request http;
  std::string route;  // the matched pattern, e.g. "/api/v1/incidents/{id}"
  std::vector<std::pair<std::string, std::string>> params;  // path parameters
  std::vector<std::pair<std::string, std::string>> query;   // percent-decoded
  std::string actor;  // token name; empty on public routes
  Role role = Role::viewer;

  std::string_view param(std::string_view name) const;
  const std::string* query_value(std::string_view name) const;
};

// Sends the response. Call it exactly once, from any thread; the connection
// waits for it (a dropped Respond closes the connection without an answer).
using Respond = std::function<void(Response)>;
using RouteHandler = std::function<void(ApiRequest, Respond)>;

// Routes are matched segment by segment; a segment written "{name}" matches
// any one segment and is handed to the handler as a parameter; when several
// routes fit, the first registered wins (add literal paths first). Register every
// route before HttpServer::start(): the table is read without a lock.
class Router {
 public:
  struct Route {
    http::verb method;
    std::string pattern;
    std::optional<Role> min_role;  // nullopt: public, no token (scrapers, probes)
    RouteHandler handler;
    std::vector<std::string> segments;  // of the pattern, split once when added
  };
  struct Match {
    const Route* route = nullptr;  // null: no route for this method
    std::vector<std::pair<std::string, std::string>> params;
    std::vector<http::verb> allowed;  // methods the path has; empty: unknown path
    std::string pattern;              // of the path, even when the method is wrong
  };

  void add(http::verb method, std::string pattern, std::optional<Role> min_role, RouteHandler handler);
  Match match(http::verb method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

// JSON responses shared by the server and the routes.
Response json_response(http::status status, std::string body);
Response error_response(http::status status, std::string_view message, std::string_view field = {});

class ApiRoutes;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerConfig config, ApiBackend& backend,
             std::function<std::unique_ptr<Store>()> open_store, StatsRegistry& stats);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds synchronously; throws std::system_error naming address:port.
  void start();
  // Posted: closes the listener and every connection.
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Reload: requests already authenticated finish with the old tokens.
  void set_tokens(std::vector<ApiToken> tokens);
  Router& router() { return router_; }

 private:
  class Connections;
  struct State;

  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket socket);
  boost::asio::awaitable<Response> handle(Request request);
  std::optional<Response> authorize(const Request& request, std::string_view path, const Router::Match& match,
                                    ApiRequest& routed) const;
  std::string route_label(const Request& request) const;
  std::optional<ApiToken> authenticate(std::string_view presented) const;
  void count(std::string_view route, const Response& response);
  void count_timeout();
  void add_probe_routes();

  boost::asio::io_context& io_;
  HttpServerConfig config_;
  ApiBackend& backend_;
  StatsRegistry& stats_;
  Router router_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<State> state_;
  mutable std::mutex tokens_mutex_;
  std::shared_ptr<const std::vector<ApiToken>> tokens_;
  std::unique_ptr<ApiRoutes> api_;
};

}  // namespace tocsin::api
