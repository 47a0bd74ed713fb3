// The CMDB routes of the HTTP API.
#include "daemon/cmdb_api.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <algorithm>
#include <charconv>
#include <functional>
#include <variant>

#include <spdlog/spdlog.h>

#include "daemon/api.hpp"
#include "daemon/json.hpp"

namespace tocsin::api {

namespace json = boost::json;

namespace {

Response to_response(const CatalogResult& r) {
  auto status = static_cast<http::status>(r.status);
  if (r.status >= 400) return error_response(status, valid_utf8(r.error), r.field);
  return json_response(status, json::serialize(r.body));
}

// The body as JSON, or the 400 to answer.
std::variant<json::value, Response> body_of(const ApiRequest& r, const CmdbCatalog& catalog) {
  boost::system::error_code ec;
  json::value v = json::parse(r.http.body(), ec);
  if (ec) return to_response(catalog.invalid_json(ec.message()));
  return v;
}

}  // namespace

CmdbRoutes::CmdbRoutes(Router& router, CmdbCatalog& catalog) : catalog_(catalog) {
  using http::verb;
  router.add(verb::get, "/api/v1/cmdb/cis", Role::viewer, [this](ApiRequest r, Respond respond) {
    if (auto e = unknown_parameter(r, {"q", "type", "limit"})) return respond(field_error(*e));
    CiQuery q;
    if (const std::string* v = r.query_value("q")) q.text = *v;
    if (const std::string* v = r.query_value("type")) q.type = *v;
    if (auto e = read_limit(r, q.limit)) return respond(field_error(*e));
    run([this, q] { return catalog_.list(q); }, std::move(respond));
  });
  router.add(verb::post, "/api/v1/cmdb/cis", Role::admin, [this](ApiRequest r, Respond respond) {
    auto body = body_of(r, catalog_);
    if (auto* e = std::get_if<Response>(&body)) return respond(std::move(*e));
    run([this, v = std::get<json::value>(std::move(body)), actor = r.actor] { return catalog_.create(v, actor); },
        std::move(respond));
  });
  router.add(verb::get, "/api/v1/cmdb/cis/{id}/history", Role::viewer, [this](ApiRequest r, Respond respond) {
    if (auto e = unknown_parameter(r, {"limit"})) return respond(field_error(*e));
    std::int64_t limit = 100;
    if (auto e = read_limit(r, limit)) return respond(field_error(*e));
    run([this, id = std::string(r.param("id")), limit] { return catalog_.history(id, limit); }, std::move(respond));
  });
  router.add(verb::get, "/api/v1/cmdb/cis/{id}", Role::viewer, [this](ApiRequest r, Respond respond) {
    run([this, id = std::string(r.param("id"))] { return catalog_.get(id); }, std::move(respond));
  });
  router.add(verb::put, "/api/v1/cmdb/cis/{id}", Role::admin, [this](ApiRequest r, Respond respond) {
    auto body = body_of(r, catalog_);
    if (auto* e = std::get_if<Response>(&body)) return respond(std::move(*e));
    run([this, id = std::string(r.param("id")), v = std::get<json::value>(std::move(body)),
         actor = r.actor] { return catalog_.replace(id, v, actor); },
        std::move(respond));
  });
  router.add(verb::delete_, "/api/v1/cmdb/cis/{id}", Role::admin, [this](ApiRequest r, Respond respond) {
    run([this, id = std::string(r.param("id")), actor = r.actor] { return catalog_.erase(id, actor); },
        std::move(respond));
  });
}

CmdbRoutes::~CmdbRoutes() { worker_.join(); }

void CmdbRoutes::run(std::function<CatalogResult()> work, Respond respond) {
  boost::asio::post(worker_, [work = std::move(work), respond = std::move(respond)] {
    try {
      respond(to_response(work()));
    } catch (const std::exception& e) {
      spdlog::warn("api: CMDB request failed: {}", e.what());
      respond(error_response(http::status::service_unavailable, "CMDB unavailable"));
    }
  });
}

}  // namespace tocsin::api
