// Router glue for the HTTP collector. Ingest needs operator rights: a viewer
// token may read incidents but not raise them.
#include "collectors/http/routes.hpp"

#include <utility>

namespace tocsin::http_ingest {

namespace {

api::RouteHandler handler(Ingest& ingest, Endpoint endpoint) {
  return [&ingest, endpoint](api::ApiRequest request, api::Respond respond) {
    ingest.handle(endpoint, request.http.body(), [respond = std::move(respond)](Reply reply) {
      respond(api::json_response(static_cast<api::http::status>(reply.status), std::move(reply.body)));
    });
  };
}

}  // namespace

void add_routes(api::Router& router, Ingest& ingest) {
  router.add(api::http::verb::post, "/api/v1/events", api::Role::operator_, handler(ingest, Endpoint::events));
  router.add(api::http::verb::post, "/api/v1/integrations/alertmanager", api::Role::operator_,
             handler(ingest, Endpoint::alertmanager));
}

}  // namespace tocsin::http_ingest
