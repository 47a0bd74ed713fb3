#pragma once
// The /api/v1/cmdb/cis routes: list, read, create, replace and delete CIs,
// and their change history. Reads and writes run on one worker thread of
// their own: a change rebuilds and validates the whole snapshot, which takes
// a while on a large CMDB, and must not hold up the I/O threads.

#include <boost/asio/thread_pool.hpp>

#include "daemon/cmdb_catalog.hpp"
#include "daemon/http_server.hpp"

namespace tocsin::api {

class CmdbRoutes {
 public:
  CmdbRoutes(Router& router, CmdbCatalog& catalog);
  // Waits for the requests in flight.
  ~CmdbRoutes();

 private:
  void run(std::function<CatalogResult()> work, Respond respond);

  CmdbCatalog& catalog_;
  boost::asio::thread_pool worker_{1};
};

}  // namespace tocsin::api
