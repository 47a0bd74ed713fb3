#pragma once
// The HTTP collector's transport: its two routes on the API server's router
// (POST /api/v1/events, POST /api/v1/integrations/alertmanager). The server
// already bounds the body (`api.max_body`, 413), checks the bearer token and
// its role, and counts refusals; the routes hand the body to Ingest and give
// its reply back. Register before HttpServer::start().

#include "collectors/http/ingest.hpp"
#include "daemon/http_server.hpp"

namespace tocsin::http_ingest {

void add_routes(api::Router& router, Ingest& ingest);

}  // namespace tocsin::http_ingest
