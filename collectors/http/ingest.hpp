#pragma once
// The HTTP collector's ingest stage, independent of the HTTP server: a request
// body is parsed (generic JSON or Alertmanager), its Events are handed to the
// pipeline, and the reply is given only once they are committed (DESIGN.md
// rule 1). Refusals are answered at once, naming the field to blame, and
// counted by reason. The routes (routes.hpp) put it on the API's router.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "collectors/http/config.hpp"
#include "collectors/http/parser.hpp"
#include "correlator/clock.hpp"
#include "correlator/event_sink.hpp"
#include "correlator/stats.hpp"

namespace tocsin::http_ingest {

enum class Endpoint : std::uint8_t { events, alertmanager };

std::string_view to_string(Endpoint e);

// An HTTP status and a JSON body.
struct Reply {
  int status = 200;
  std::string body;
};

using ReplyFn = std::function<void(Reply)>;

class Ingest {
 public:
  Ingest(const HttpCollectorConfig& config, EventSink& sink, StatsRegistry& stats, const Clock& clock);

  // Swaps in a new configuration (already validated); requests in flight
  // finish with the old one.
  void reconfigure(const HttpCollectorConfig& config);
  // From now on requests are refused with 503, so that nothing is handed to a
  // pipeline that is about to stop; what was handed over before is still
  // answered once committed.
  void stop();

  // Calls `reply` exactly once: 200 {"accepted": n} after the commit, 400
  // {"error", "field"} at once, 404 when disabled, 503 when stopping. The
  // reply to an accepted body comes from the pipeline's thread.
  void handle(Endpoint endpoint, std::string_view body, ReplyFn reply);

 private:
  struct Counters {
    Counter& received;
    Counter& accepted;
  };
  std::shared_ptr<const HttpCollectorConfig> current() const;
  ParseResult parse(Endpoint endpoint, std::string_view body, const HttpCollectorConfig& config) const;
  void reject(Endpoint endpoint, const Rejection& rejection, const ReplyFn& reply);
  Counters& counters(Endpoint endpoint) { return endpoint == Endpoint::events ? events_ : alertmanager_; }

  EventSink& sink_;
  StatsRegistry& stats_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::shared_ptr<const HttpCollectorConfig> config_;
  bool stopped_ = false;
  Counters events_;
  Counters alertmanager_;
  Counter& truncated_;
};

}  // namespace tocsin::http_ingest
