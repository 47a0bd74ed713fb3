// The /api/v1 incident and alert routes.
#include "daemon/api.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>
#include <variant>
#include <spdlog/spdlog.h>

#include "config/schema.hpp"
#include "daemon/json.hpp"

namespace tocsin::api {
namespace json = boost::json;

namespace {

bool is_priority(std::string_view s) { return s.size() == 2 && s[0] == 'P' && s[1] >= '1' && s[1] <= '5'; }

std::optional<std::int64_t> incident_id(const ApiRequest& r) {
  return parse_int(r.param("id"), 1, std::numeric_limits<std::int64_t>::max());
}

Response bad_id() { return error_response(http::status::bad_request, "incident id must be a positive integer", "id"); }



// The body of a lifecycle action: the fields each kind accepts, all strings.
// Returns the error response, if any, naming the field.
struct ActionFields {
  std::vector<std::string_view> allowed;
  std::vector<std::string_view> required;
};

ActionFields fields_of(ActionKind kind) {
  switch (kind) {
    case ActionKind::resolve: return {{"comment", "resolution_code"}, {}};
    case ActionKind::assign: return {{"group", "assignee", "comment"}, {}};
    case ActionKind::forward: return {{"group", "reason"}, {"group"}};
    case ActionKind::return_: return {{"reason"}, {"reason"}};
    case ActionKind::comment: return {{"comment"}, {"comment"}};
    case ActionKind::set_priority: return {{"priority", "reason"}, {"priority", "reason"}};
    default: return {{"comment"}, {}};
  }
}

std::optional<Response> read_action_body(const Request& r, IncidentAction& action) {
  ActionFields fields = fields_of(action.kind);
  json::object body;
  if (r.body().find_first_not_of(" \t\r\n") != std::string::npos) {
    boost::system::error_code ec;
    json::value v = json::parse(r.body(), ec);
    if (ec) return error_response(http::status::bad_request, "invalid JSON body: " + ec.message());
    if (!v.is_object()) return error_response(http::status::bad_request, "body must be a JSON object");
    body = std::move(v.get_object());
  }
  for (const auto& kv : body) {
    std::string_view key = kv.key();
    if (std::find(fields.allowed.begin(), fields.allowed.end(), key) == fields.allowed.end())
      return error_response(http::status::bad_request, "unknown field '" + valid_utf8(key) + "'", key);
    if (!kv.value().is_string())
      return error_response(http::status::bad_request, std::string(key) + " must be a string", key);
    std::string value(kv.value().get_string());
    if (key == "comment" || key == "reason") action.comment = std::move(value);
    else if (key == "group") action.group = std::move(value);
    else if (key == "assignee") action.assignee = std::move(value);
    else if (key == "priority") action.priority = std::move(value);
    else if (key == "resolution_code") action.resolution_code = std::move(value);
  }
  for (std::string_view key : fields.required) {
    const json::value* v = body.if_contains(key);
    if (!v || v->get_string().empty())
      return error_response(http::status::bad_request, std::string(key) + " is required", key);
  }
  if (action.kind == ActionKind::set_priority && !is_priority(action.priority))
    return error_response(http::status::bad_request, "priority must be one of P1, P2, P3, P4, P5", "priority");
  if (action.kind == ActionKind::assign && action.group.empty() && action.assignee.empty())
    return error_response(http::status::bad_request, "group or assignee is required", "group");
  return std::nullopt;
}

Response action_response(const ActionResult& result) {
  if (result.status == 200 && result.incident) return json_ok(to_json(*result.incident));
  if (result.status == 200)
    return error_response(http::status::internal_server_error, "action completed without an incident");
  auto status = static_cast<http::status>(result.status);
  if (http::to_status_class(status) == http::status_class::unknown || result.status < 400)
    status = http::status::internal_server_error;
  return error_response(status, result.error.empty() ? "action failed" : result.error);
}

}  // namespace

std::optional<std::int64_t> parse_int(std::string_view s, std::int64_t low, std::int64_t high) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v < low || v > high) return std::nullopt;
  return v;
}

// Unknown parameters are refused so that a typo ("stat=open") never silently
// lists everything.
std::optional<FieldError> unknown_parameter(const ApiRequest& r, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : r.query)
    if (std::find(known.begin(), known.end(), key) == known.end())
      return FieldError{key, "unknown query parameter '" + valid_utf8(key) + "'"};
  return std::nullopt;
}

std::optional<FieldError> read_limit(const ApiRequest& r, std::int64_t& limit) {
  if (const std::string* v = r.query_value("limit")) {
    auto n = parse_int(*v, 1, max_limit);
    if (!n) return FieldError{"limit", "limit must be an integer from 1 to " + std::to_string(max_limit)};
    limit = *n;
  }
  return std::nullopt;
}

Response field_error(const FieldError& e) {
  return error_response(http::status::bad_request, e.message, e.field);
}

Response json_ok(const json::value& v, http::status status) { return json_response(status, json::serialize(v)); }


std::optional<FieldError> parse_incident_filter(const ApiRequest& r, IncidentFilter& f) {
  if (auto e = unknown_parameter(r, {"state", "priority", "group", "ci", "assignee", "service", "since", "until", "q",
                                     "limit", "before"}))
    return e;
  if (const std::string* v = r.query_value("assignee")) f.assignee = *v;
  if (const std::string* v = r.query_value("service")) f.service = *v;
  if (const std::string* v = r.query_value("q")) f.text = *v;
  for (auto [name, bound] : {std::pair{"since", &f.since_ms}, std::pair{"until", &f.until_ms}}) {
    if (const std::string* v = r.query_value(name)) {
      auto t = parse_time(*v);
      if (!t) return FieldError{name, std::string(name) + " must be an RFC 3339 time, e.g. 2026-11-23T15:04:05Z"};
      *bound = *t;
    }
  }
  if (const std::string* v = r.query_value("state")) {
    f.state = parse_incident_state(*v);
    if (!f.state) return FieldError{"state", "state must be one of open, acknowledged, resolved, closed"};
  }
  if (const std::string* v = r.query_value("priority")) {
    if (!is_priority(*v)) return FieldError{"priority", "priority must be one of P1, P2, P3, P4, P5"};
    f.priority = *v;
  }
  if (const std::string* v = r.query_value("group")) f.group = *v;
  if (const std::string* v = r.query_value("ci")) f.ci = *v;
  if (const std::string* v = r.query_value("before")) {
    auto n = parse_int(*v, 1, std::numeric_limits<std::int64_t>::max());
    if (!n) return FieldError{"before", "before must be a positive incident id"};
    f.before_id = *n;
  }
  return read_limit(r, f.limit);
}

std::optional<FieldError> parse_alert_filter(const ApiRequest& r, AlertFilter& f) {
  if (auto e = unknown_parameter(r, {"state", "resource", "incident", "suppressed_by", "limit"})) return e;
  if (const std::string* v = r.query_value("state")) {
    f.state = parse_alert_state(*v);
    if (!f.state) return FieldError{"state", "state must be one of firing, resolved, flapping, suppressed"};
  }
  if (const std::string* v = r.query_value("suppressed_by")) f.suppressed_by = *v;
  if (const std::string* v = r.query_value("resource")) f.resource = *v;
  if (const std::string* v = r.query_value("incident")) {
    auto n = parse_int(*v, 1, std::numeric_limits<std::int64_t>::max());
    if (!n) return FieldError{"incident", "incident must be a positive incident id"};
    f.incident_id = *n;
  }
  return read_limit(r, f.limit);
}

std::optional<FieldError> parse_problem_filter(const ApiRequest& r, std::int64_t now_ms, ProblemFilter& f) {
  if (auto e = unknown_parameter(r, {"window", "min", "limit"})) return e;
  std::int64_t window_ms = 30LL * 86'400'000;
  if (const std::string* v = r.query_value("window")) {
    auto d = config::parse_duration(*v);
    if (!d || d->count() <= 0 || d->count() > 3660LL * 86'400'000)
      return FieldError{"window", "window must be a duration such as 30d, 12h or 90m (at most 3660d)"};
    window_ms = d->count();
  }
  f.since_ms = now_ms - window_ms;
  if (const std::string* v = r.query_value("min")) {
    auto n = parse_int(*v, 1, 1'000'000);
    if (!n) return FieldError{"min", "min must be an integer from 1 to 1000000"};
    f.min_incidents = *n;
  }
  return read_limit(r, f.limit);
}

StoreReaders::StoreReaders(OpenStore open_store, int readers)
    : open_store_(std::move(open_store)), pool_(static_cast<std::size_t>(readers)) {
  for (int i = 0; i < readers; ++i) readers_.push_back(std::make_unique<Reader>(pool_));
}

StoreReaders::~StoreReaders() { pool_.join(); }

void StoreReaders::run(Read read, Respond respond) {
  Reader& reader = *readers_[next_.fetch_add(1, std::memory_order_relaxed) % readers_.size()];
  boost::asio::post(reader.strand, [this, &reader, read = std::move(read), respond = std::move(respond)] {
    read_on(reader, read, respond);
  });
}

void StoreReaders::read_on(Reader& reader, const Read& read, const Respond& respond) {
  try {
    if (!reader.store) reader.store = open_store_();
    respond(read(*reader.store));
  } catch (const std::exception& e) {
    spdlog::warn("api: store read failed: {}", e.what());
    reader.store.reset();
    respond(error_response(http::status::service_unavailable, "store unavailable"));
  }
}

ApiRoutes::ApiRoutes(Router& router, ApiBackend& backend, StoreReaders::OpenStore open_store)
    : backend_(backend), readers_(std::move(open_store), 2) {
  using http::verb;
  auto bind = [this](auto method) {
    return [this, method](ApiRequest r, Respond respond) { (this->*method)(std::move(r), std::move(respond)); };
  };
  router.add(verb::get, "/api/v1/incidents", Role::viewer, bind(&ApiRoutes::list_incidents));
  router.add(verb::get, "/api/v1/incidents/{id}", Role::viewer, bind(&ApiRoutes::get_incident));
  router.add(verb::post, "/api/v1/incidents/{id}/acknowledge", Role::operator_,
             [this](ApiRequest r, Respond respond) { act(ActionKind::acknowledge, std::move(r), std::move(respond)); });
  router.add(verb::post, "/api/v1/incidents/{id}/resolve", Role::operator_,
             [this](ApiRequest r, Respond respond) { act(ActionKind::resolve, std::move(r), std::move(respond)); });
  router.add(verb::post, "/api/v1/incidents/{id}/escalate", Role::operator_,
             [this](ApiRequest r, Respond respond) { act(ActionKind::escalate, std::move(r), std::move(respond)); });
  for (ActionKind kind : {ActionKind::close, ActionKind::reopen, ActionKind::assign, ActionKind::forward,
                          ActionKind::return_, ActionKind::comment, ActionKind::set_priority}) {
    router.add(verb::post, "/api/v1/incidents/{id}/" + std::string(to_string(kind)), Role::operator_,
               [this, kind](ApiRequest r, Respond respond) { act(kind, std::move(r), std::move(respond)); });
  }
  router.add(verb::get, "/api/v1/alerts", Role::viewer, bind(&ApiRoutes::list_alerts));
  router.add(verb::get, "/api/v1/cmdb/gaps", Role::viewer, bind(&ApiRoutes::list_cmdb_gaps));
  router.add(verb::get, "/api/v1/problems", Role::viewer, bind(&ApiRoutes::list_problems));
}

void ApiRoutes::list_incidents(ApiRequest request, Respond respond) {
  IncidentFilter filter;
  if (auto e = parse_incident_filter(request, filter)) return respond(field_error(*e));
  readers_.run(
      [filter](Store& store) {
        std::vector<Incident> found = store.incidents(filter);
        json::array items;
        for (const auto& i : found) items.push_back(to_json(i));
        json::value next = nullptr;
        if (!found.empty() && static_cast<std::int64_t>(found.size()) >= filter.limit) next = found.back().id;
        return json_ok(json::object{{"incidents", std::move(items)}, {"next_before", next}});
      },
      std::move(respond));
}

void ApiRoutes::get_incident(ApiRequest request, Respond respond) {
  auto id = incident_id(request);
  if (!id) return respond(bad_id());
  readers_.run(
      [id = *id](Store& store) {
        std::optional<IncidentDetail> detail = store.incident(id);
        if (!detail)
          return error_response(http::status::not_found, "incident " + std::to_string(id) + " does not exist");
        json::value v = to_json(*detail);
        json::array pages;
        for (const auto& n : store.notifications(id)) pages.push_back(to_json(n));
        v.as_object()["notifications"] = std::move(pages);
        return json_ok(v);
      },
      std::move(respond));
}

void ApiRoutes::act(ActionKind kind, ApiRequest request, Respond respond) {
  auto id = incident_id(request);
  if (!id) return respond(bad_id());
  IncidentAction action;
  action.incident_id = *id;
  action.kind = kind;
  action.actor = request.actor;
  action.channel = "api";
  if (auto error = read_action_body(request.http, action)) return respond(std::move(*error));
  backend_.act(std::move(action),
               [respond = std::move(respond)](ActionResult result) { respond(action_response(result)); });
}

void ApiRoutes::list_alerts(ApiRequest request, Respond respond) {
  AlertFilter filter;
  if (auto e = parse_alert_filter(request, filter)) return respond(field_error(*e));
  readers_.run(
      [filter](Store& store) {
        json::array items;
        for (const auto& a : store.alerts(filter)) items.push_back(to_json(a));
        return json_ok(json::object{{"alerts", std::move(items)}});
      },
      std::move(respond));
}

// Resources events named that no CI matched, most events first.
void ApiRoutes::list_cmdb_gaps(ApiRequest request, Respond respond) {
  std::int64_t limit = 1000;
  (void)request;
  readers_.run(
      [limit](Store& store) {
        json::array items;
        for (const auto& g : store.cmdb_gaps(limit)) items.push_back(to_json(g));
        return json_ok(json::object{{"gaps", std::move(items)}});
      },
      std::move(respond));
}

// CIs with recurring incidents within the window, most incidents first.
void ApiRoutes::list_problems(ApiRequest request, Respond respond) {
  using namespace std::chrono;
  std::int64_t now = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  ProblemFilter filter;
  if (auto e = parse_problem_filter(request, now, filter)) return respond(field_error(*e));
  readers_.run(
      [filter](Store& store) {
        json::array items;
        for (const auto& p : store.problems(filter)) items.push_back(to_json(p));
        return json_ok(json::object{{"since", format_time(filter.since_ms)},
                                    {"min", filter.min_incidents},
                                    {"problems", std::move(items)}});
      },
      std::move(respond));
}

}  // namespace tocsin::api
