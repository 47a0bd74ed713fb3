// Parse, hand over, answer after the commit: the data path of every webhook.
#include "collectors/http/ingest.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace tocsin::http_ingest {

namespace json = boost::json;

namespace {

// Error texts quote field names from the request; keep them short, cut on a
// UTF-8 character boundary so the reply stays valid JSON.
constexpr std::size_t max_error_text = 512;

std::string shortened(std::string_view text) {
  if (text.size() <= max_error_text) return std::string(text);
  std::size_t end = max_error_text;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

Reply error_reply(int status, std::string_view message, std::string_view field = {}) {
  json::object o{{"error", shortened(message)}};
  if (!field.empty()) o["field"] = shortened(field);
  return {status, json::serialize(o)};
}

// The same bytes as a serialized {"accepted": n}, written without a document.
Reply accepted_reply(std::size_t n) { return {200, "{\"accepted\":" + std::to_string(n) + "}"}; }

std::shared_ptr<spdlog::logger> logger() {
  static auto log = [] {
    auto l = spdlog::get("http");
    return l ? l : spdlog::default_logger()->clone("http");
  }();
  return log;
}

}  // namespace

std::string_view to_string(Endpoint e) { return e == Endpoint::events ? "events" : "alertmanager"; }

Ingest::Ingest(const HttpCollectorConfig& config, EventSink& sink, StatsRegistry& stats, const Clock& clock)
    : sink_(sink),
      stats_(stats),
      clock_(clock),
      config_(std::make_shared<const HttpCollectorConfig>(config)),
      events_{stats.counter("tocsin_http_events_total",
                            "Events from HTTP webhooks: received in valid bodies, accepted once committed",
                            {{"endpoint", "events"}, {"outcome", "received"}}),
              stats.counter("tocsin_http_events_total", "", {{"endpoint", "events"}, {"outcome", "accepted"}})},
      alertmanager_{
          stats.counter("tocsin_http_events_total", "", {{"endpoint", "alertmanager"}, {"outcome", "received"}}),
          stats.counter("tocsin_http_events_total", "", {{"endpoint", "alertmanager"}, {"outcome", "accepted"}})},
      truncated_(stats.counter("tocsin_http_alertmanager_truncated_alerts_total",
                               "Alerts Alertmanager left out of its notifications (its max_alerts)")) {
  for (Endpoint e : {Endpoint::events, Endpoint::alertmanager})
    for (RejectReason r : all_reject_reasons)
      stats.counter("tocsin_http_payloads_rejected_total", "HTTP webhook bodies refused by the parser, by reason",
                    {{"endpoint", std::string(to_string(e))}, {"reason", std::string(to_string(r))}});
}

void Ingest::reconfigure(const HttpCollectorConfig& config) {
  auto next = std::make_shared<const HttpCollectorConfig>(config);
  std::lock_guard lock(mutex_);
  config_ = std::move(next);
}

void Ingest::stop() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
}

std::shared_ptr<const HttpCollectorConfig> Ingest::current() const {
  std::lock_guard lock(mutex_);
  return config_;
}

ParseResult Ingest::parse(Endpoint endpoint, std::string_view body, const HttpCollectorConfig& config) const {
  if (endpoint == Endpoint::events) return parse_events(body, config.limits);
  return parse_alertmanager(body, config.alertmanager, config.limits);
}

void Ingest::reject(Endpoint endpoint, const Rejection& rejection, const ReplyFn& reply) {
  stats_
      .counter("tocsin_http_payloads_rejected_total", "",
               {{"endpoint", std::string(to_string(endpoint))}, {"reason", std::string(to_string(rejection.reason))}})
      .inc();
  logger()->debug("{} body refused: {} (field '{}')", to_string(endpoint), to_string(rejection.reason),
                  shortened(rejection.field));
  reply(error_reply(400, rejection.message, rejection.field));
}

void Ingest::handle(Endpoint endpoint, std::string_view body, ReplyFn reply) {
  auto config = current();
  if (!config->enabled) {
    reply(error_reply(404, "HTTP event ingest is disabled in the configuration"));
    return;
  }
  ParseResult parsed = parse(endpoint, body, *config);
  if (parsed.rejection) {
    reject(endpoint, *parsed.rejection, reply);
    return;
  }
  truncated_.inc(parsed.truncated_alerts);
  std::size_t n = parsed.events.size();
  if (n == 0) {
    reply(accepted_reply(0));
    return;
  }
  std::int64_t now = clock_.wall_ms();
  for (Event& e : parsed.events) e.received_at_ms = now;
  Counters& c = counters(endpoint);
  std::lock_guard lock(mutex_);
  if (stopped_) {
    reply(error_reply(503, "tocsind is shutting down; send again later"));
    return;
  }
  c.received.inc(n);
  // The counter lives in the registry, which outlives the pipeline's callbacks.
  sink_.submit(std::move(parsed.events), [&accepted = c.accepted, n, reply = std::move(reply)] {
    accepted.inc(n);
    reply(accepted_reply(n));
  });
}

}  // namespace tocsin::http_ingest
