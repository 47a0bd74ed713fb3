// One datagram through access control, net-snmp and the mapping rules.
#include "collectors/snmp/handler.hpp"

namespace tocsin::snmp {

namespace {

// ---- The collector's metrics, declared in one place. ----

Counter& notifications_total(StatsRegistry& s, std::string_view outcome) {
  return s.counter("tocsin_snmp_notifications_total", "SNMP datagrams received and notifications accepted",
                   {{"outcome", std::string(outcome)}});
}

Counter& rejected_total(StatsRegistry& s, Reject reason) {
  return s.counter("tocsin_snmp_rejected_total", "SNMP datagrams refused, by reason",
                   {{"reason", std::string(to_string(reason))}});
}

Counter& dropped_total(StatsRegistry& s, std::string_view reason) {
  return s.counter("tocsin_snmp_dropped_total", "Accepted SNMP notifications dropped on purpose or by overload",
                   {{"reason", std::string(reason)}});
}

}  // namespace

TrapHandler::TrapHandler(const Config& config, StatsRegistry& stats, const Clock& clock)
    : stats_(stats),
      clock_(clock),
      decoder_(config.decoder),
      received_(notifications_total(stats, "received")),
      accepted_(notifications_total(stats, "accepted")),
      unmatched_(stats.counter("tocsin_snmp_unmatched_total", "Accepted notifications no mapping rule matched")),
      reports_(stats.counter("tocsin_snmp_reports_sent_total", "REPORTs sent to inform senders (engine-ID discovery)")),
      responses_(stats.counter("tocsin_snmp_inform_responses_total", "INFORM responses sent after the commit")) {
  for (auto r : all_reject_reasons) rejected_total(stats, r);
  for (auto d : {"unmatched_discard", "queue_full", "informs_in_flight", "handler_error"}) dropped_total(stats, d);
  mapper_ = std::make_shared<Mapper>(config.mapping);
  access_ = std::make_unique<Access>(
      Access{SourceFilter(config.access.allowed_sources), RateLimiter(config.access.rate_limit, config.access.rate_burst, clock)});
}

void TrapHandler::reconfigure(const Config& config) {
  decoder_.reconfigure(config.decoder);
  auto mapper = std::make_shared<Mapper>(config.mapping);
  auto access = std::make_unique<Access>(
      Access{SourceFilter(config.access.allowed_sources), RateLimiter(config.access.rate_limit, config.access.rate_burst, clock_)});
  std::lock_guard lock(mutex_);
  mapper_ = std::move(mapper);
  access_ = std::move(access);
}

Counter& TrapHandler::dropped(std::string_view reason) { return dropped_total(stats_, reason); }

void TrapHandler::reject(Reject reason) { rejected_total(stats_, reason).inc(); }

Handled TrapHandler::handle(const Datagram& d) {
  Handled h;
  received_.inc();
  if (d.truncated) {
    reject(Reject::too_long);
    return h;
  }
  std::shared_ptr<const Mapper> mapper;
  {
    std::lock_guard lock(mutex_);
    if (!access_->filter.allows(d.peer_ip)) {
      reject(Reject::source_not_allowed);
      return h;
    }
    if (!access_->limiter.admit(d.peer_ip)) {
      reject(Reject::rate_limited);
      return h;
    }
    mapper = mapper_;
  }
  Decoded decoded = decoder_.decode(d.data, d.peer, d.peer_len);
  h.reply = std::move(decoded.reply);
  if (!h.reply.empty()) reports_.inc();
  if (!decoded.trap) {
    // A discovery probe is the normal first step of every v3 inform.
    if (!decoded.discovery) reject(decoded.reason);
    return h;
  }
  Event e;
  auto outcome = mapper->map(*decoded.trap, d.peer_ip, d.data, clock_.wall_ms(), e);
  if (outcome != Mapper::Outcome::matched) unmatched_.inc();
  if (outcome == Mapper::Outcome::discarded) {
    dropped_total(stats_, "unmatched_discard").inc();
    // The sender still gets its answer: discarding is our policy, not its fault.
    h.inform = decoded.trap->inform;
    h.response = std::move(decoded.response);
    return h;
  }
  accepted_.inc();
  h.inform = decoded.trap->inform;
  h.response = std::move(decoded.response);
  h.event = std::move(e);
  return h;
}

}  // namespace tocsin::snmp
