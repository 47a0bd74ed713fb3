#pragma once
// The /api/v1 incident and alert routes: request validation, store reads and
// incident actions. Store reads are blocking SQLite calls, so they run on a
// small reader pool beside the I/O threads; actions go to the correlator
// through ApiBackend and are answered only once they are durable.

#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include <initializer_list>

#include "daemon/http_server.hpp"
#include "store/store.hpp"

namespace tocsin::api {

// A request field the API refused, reported as {"error": message, "field": field}.
struct FieldError {
  std::string field;
  std::string message;
  // Label of a rejection counter: invalid_json, unknown_field, invalid_value.
  std::string reason = "invalid_value";
};

// Query helpers shared by the route files of the API (api.cpp, oncall_api.cpp,
// cmdb_api.cpp, ...). Unknown parameters are refused so that a typo
// ("stat=open") never silently lists everything.
inline constexpr std::int64_t max_limit = 1000;
std::optional<std::int64_t> parse_int(std::string_view s, std::int64_t low, std::int64_t high);
std::optional<FieldError> unknown_parameter(const ApiRequest& r, std::initializer_list<std::string_view> known);
// `limit` from 1 to max_limit, when present.
std::optional<FieldError> read_limit(const ApiRequest& r, std::int64_t& limit);
Response field_error(const FieldError& e);  // 400 {"error", "field"}
Response json_ok(const boost::json::value& v, http::status status = http::status::ok);

std::optional<FieldError> parse_incident_filter(const ApiRequest& request, IncidentFilter& filter);
std::optional<FieldError> parse_alert_filter(const ApiRequest& request, AlertFilter& filter);
// window (a duration such as 30d, default 30d), min (default 3), limit;
// `now_ms` places the window.
std::optional<FieldError> parse_problem_filter(const ApiRequest& request, std::int64_t now_ms, ProblemFilter& filter);

// A fixed set of readers, each a strand on a shared thread pool owning its own
// Store (opened on first use, reopened after a failure). One Store is never
// used by two threads at once, and reads never block the I/O threads.
class StoreReaders {
 public:
  using OpenStore = std::function<std::unique_ptr<Store>()>;
  using Read = std::function<Response(Store&)>;

  StoreReaders(OpenStore open_store, int readers);
  // Waits for the reads in flight, so their responses are still delivered.
  ~StoreReaders();

  // Runs `read` on the next reader and sends what it returns. A store that
  // cannot be opened or a read that throws answers 503.
  void run(Read read, Respond respond);

 private:
  struct Reader {
    explicit Reader(boost::asio::thread_pool& pool) : strand(boost::asio::make_strand(pool)) {}
    boost::asio::strand<boost::asio::thread_pool::executor_type> strand;
    std::unique_ptr<Store> store;
  };
  void read_on(Reader& reader, const Read& read, const Respond& respond);

  OpenStore open_store_;
  boost::asio::thread_pool pool_;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::atomic<std::size_t> next_{0};
};

// Registers the incident and alert routes on a router.
class ApiRoutes {
 public:
  ApiRoutes(Router& router, ApiBackend& backend, StoreReaders::OpenStore open_store);

 private:
  void list_incidents(ApiRequest request, Respond respond);
  void get_incident(ApiRequest request, Respond respond);
  void act(ActionKind kind, ApiRequest request, Respond respond);
  void list_alerts(ApiRequest request, Respond respond);
  void list_cmdb_gaps(ApiRequest request, Respond respond);
  void list_problems(ApiRequest request, Respond respond);

  ApiBackend& backend_;
  StoreReaders readers_;
};

}  // namespace tocsin::api
