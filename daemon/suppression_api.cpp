// Silences and maintenance windows through the HTTP API.
#include "daemon/suppression_api.hpp"

#include <boost/json.hpp>
#include <algorithm>

#include "correlator/suppression/suppression.hpp"
#include "daemon/json.hpp"
#include "daemon/suppression_json.hpp"

namespace tocsin::api {
namespace json = boost::json;

namespace {

using suppression::RequestKind;

struct Rejections {
  explicit Rejections(StatsRegistry& stats) {
    for (auto r : {BodyRejection::invalid_json, BodyRejection::unknown_field, BodyRejection::invalid_value})
      counters[static_cast<std::size_t>(r)] =
          &stats.counter("tocsin_api_suppression_rejected_total",
                         "Silence and maintenance window requests refused, by reason",
                         {{"reason", std::string(to_string(r))}});
  }
  Response refuse(const BodyError& e) const {
    counters[static_cast<std::size_t>(e.reason)]->inc();
    return error_response(http::status::bad_request, e.problem.message, e.problem.field);
  }
  Response refuse(std::string field, std::string message) const {
    return refuse(BodyError{BodyRejection::invalid_value, {std::move(field), std::move(message)}});
  }
  Counter* counters[3] = {};
};

Response result_response(const suppression::Result& r, const Rejections& rejections, bool list,
                         std::optional<suppression::SilenceState> state) {
  if (r.status == 400) return rejections.refuse(r.field, r.error);
  if (r.status >= 300) {
    auto status = static_cast<http::status>(r.status);
    if (http::to_status_class(status) == http::status_class::unknown) status = http::status::internal_server_error;
    return error_response(status, r.error.empty() ? "request failed" : r.error, r.field);
  }
  json::array silences, windows;
  for (const auto& s : r.silences)
    if (!state || suppression::state_at(s, r.now_ms) == *state) silences.push_back(to_json(s, r.now_ms));
  for (const auto& w : r.windows) windows.push_back(to_json(w, r.now_ms));
  auto status = r.status == 201 ? http::status::created : http::status::ok;
  if (list) return json_response(status, json::serialize(json::object{{"silences", std::move(silences)}}));
  if (!silences.empty()) return json_response(status, json::serialize(silences.front()));
  if (!windows.empty()) return json_response(status, json::serialize(windows.front()));
  return error_response(http::status::internal_server_error, "request completed without a record");
}

std::optional<Response> unknown_parameters(const ApiRequest& r, std::initializer_list<std::string_view> known,
                                           const Rejections& rejections) {
  for (const auto& [key, value] : r.query)
    if (std::find(known.begin(), known.end(), key) == known.end())
      return rejections.refuse(key, "unknown query parameter '" + valid_utf8(key) + "'");
  return std::nullopt;
}

}  // namespace

void add_suppression_routes(Router& router, ApiBackend& backend, StatsRegistry& stats) {
  auto rejections = std::make_shared<Rejections>(stats);
  ApiBackend* b = &backend;
  auto send = [b, rejections](suppression::Request request, Respond respond, bool list,
                              std::optional<suppression::SilenceState> state = std::nullopt) {
    bool maintenance_list = request.kind == RequestKind::list_maintenance;
    b->suppress(std::move(request), [rejections, respond = std::move(respond), list, state,
                                     maintenance_list](suppression::Result r) {
      if (maintenance_list && r.status == 200) {
        json::array windows;
        for (const auto& w : r.windows) windows.push_back(to_json(w, r.now_ms));
        return respond(json_response(http::status::ok, json::serialize(json::object{{"maintenance", std::move(windows)}})));
      }
      respond(result_response(r, *rejections, list, state));
    });
  };

  router.add(http::verb::get, "/api/v1/silences", Role::viewer, [send, rejections](ApiRequest r, Respond respond) {
    if (auto e = unknown_parameters(r, {"state"}, *rejections)) return respond(std::move(*e));
    std::optional<suppression::SilenceState> state;
    if (const std::string* v = r.query_value("state")) {
      state = suppression::parse_silence_state(*v);
      if (!state) return respond(rejections->refuse("state", "state must be one of pending, active, expired"));
    }
    suppression::Request request;
    request.kind = RequestKind::list_silences;
    send(std::move(request), std::move(respond), true, state);
  });
  router.add(http::verb::post, "/api/v1/silences", Role::operator_, [send, rejections](ApiRequest r, Respond respond) {
    suppression::Request request;
    request.kind = RequestKind::add_silence;
    request.actor = r.actor;
    if (auto e = silence_from_json(r.http.body(), request.silence, request.duration_ms))
      return respond(rejections->refuse(*e));
    send(std::move(request), std::move(respond), false);
  });
  router.add(http::verb::delete_, "/api/v1/silences/{id}", Role::operator_, [send](ApiRequest r, Respond respond) {
    suppression::Request request;
    request.kind = RequestKind::expire_silence;
    request.actor = r.actor;
    request.id = std::string(r.param("id"));
    send(std::move(request), std::move(respond), false);
  });
  router.add(http::verb::get, "/api/v1/maintenance", Role::viewer, [send, rejections](ApiRequest r, Respond respond) {
    if (auto e = unknown_parameters(r, {}, *rejections)) return respond(std::move(*e));
    suppression::Request request;
    request.kind = RequestKind::list_maintenance;
    send(std::move(request), std::move(respond), true);
  });
  router.add(http::verb::post, "/api/v1/maintenance", Role::operator_, [send, rejections](ApiRequest r, Respond respond) {
    suppression::Request request;
    request.kind = RequestKind::add_maintenance;
    request.actor = r.actor;
    if (auto e = window_from_json(r.http.body(), request.window)) return respond(rejections->refuse(*e));
    send(std::move(request), std::move(respond), false);
  });
  router.add(http::verb::delete_, "/api/v1/maintenance/{id}", Role::operator_, [send](ApiRequest r, Respond respond) {
    suppression::Request request;
    request.kind = RequestKind::remove_maintenance;
    request.actor = r.actor;
    request.id = std::string(r.param("id"));
    send(std::move(request), std::move(respond), false);
  });
}

}  // namespace tocsin::api
