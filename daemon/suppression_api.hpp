#pragma once
// The /api/v1/silences and /api/v1/maintenance routes. Requests go to the
// correlator through ApiBackend::suppress (the only writer of suppression
// state) and are answered once the change is durable.

#include "correlator/stats.hpp"
#include "daemon/http_server.hpp"

namespace tocsin::api {

void add_suppression_routes(Router& router, ApiBackend& backend, StatsRegistry& stats);

}  // namespace tocsin::api
