#pragma once
// The running CMDB: the snapshot of the files with the API's overlay on top.
// Every change (a CI created, replaced or removed through the API, a reload
// of the files) builds a new snapshot beside the old one, validates it like a
// file, commits the overlay and the change history to the store, and only
// then publishes the snapshot to the correlator — which swaps it in without
// losing alert state, as a SIGHUP reload does. Changes are serialized by one
// lock; reads use the published snapshot.

#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/schema.hpp"
#include "correlator/clock.hpp"
#include "correlator/cmdb/overlay.hpp"
#include "correlator/stats.hpp"
#include "store/store.hpp"

namespace tocsin {

// What a CMDB request came to: an HTTP status, and the JSON to answer with
// or the error (and the request field to blame).
struct CatalogResult {
  int status = 200;
  boost::json::value body;
  std::string error;
  std::string field;
};

struct CiQuery {
  std::string text;  // in the id, name, FQDN or an alias, ASCII case-insensitive
  std::string type;  // exact
  std::int64_t limit = 100;
};

class CmdbCatalog {
 public:
  using Publish = std::function<void(std::shared_ptr<const cmdb::Cmdb>)>;

  CmdbCatalog(std::unique_ptr<Store> store, const Clock& clock, StatsRegistry& stats);

  // Start-up: reads the overlay from the store and returns files ⊕ overlay.
  // When they no longer fit together (a file changed while the daemon was
  // down), the errors are logged and the files alone are used; the overlay
  // stays stored. `files` may be null (no CMDB files).
  std::shared_ptr<const cmdb::Cmdb> start(std::shared_ptr<const cmdb::Cmdb> files);
  // Called with every snapshot published after start (under the lock, so in order).
  void on_publish(Publish publish) { publish_ = std::move(publish); }

  // SIGHUP: new files. Records what they changed in the history (actor
  // "config", source "file") and publishes files ⊕ overlay. Returns false,
  // with the errors, when the overlay does not fit the new files; nothing
  // changes then.
  bool reload(std::shared_ptr<const cmdb::Cmdb> files, config::Errors& errors);

  CatalogResult list(const CiQuery& query) const;
  CatalogResult get(const std::string& id) const;
  CatalogResult create(const boost::json::value& body, const std::string& actor);
  CatalogResult replace(const std::string& id, const boost::json::value& body, const std::string& actor);
  CatalogResult erase(const std::string& id, const std::string& actor);
  CatalogResult history(const std::string& id, std::int64_t limit);

  std::shared_ptr<const cmdb::Cmdb> current() const;
  // A body that is not JSON at all, counted with the other rejections.
  CatalogResult invalid_json(const std::string& why) const;

 private:
  boost::json::value describe(const cmdb::Cmdb& db, const cmdb::Ci& ci) const;
  std::optional<CatalogResult> read_body(const boost::json::value& body, cmdb::CiDraft& out) const;
  CatalogResult apply(const std::string& id, std::optional<cmdb::OverlayCi> entry, const std::string& action,
                      const std::string& actor);
  void record_file_changes(const cmdb::Cmdb* before, const cmdb::Cmdb* after, std::int64_t now, CmdbChange& change);
  CatalogResult refuse(int status, std::string error, std::string reason, std::string field = {}) const;

  mutable std::mutex mutex_;
  std::unique_ptr<Store> store_;
  const Clock& clock_;
  StatsRegistry& stats_;
  Publish publish_;
  std::shared_ptr<const cmdb::Cmdb> files_;
  std::shared_ptr<const cmdb::Cmdb> current_;
  cmdb::Overlay overlay_;
};

}  // namespace tocsin
