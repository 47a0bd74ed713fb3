#pragma once
// The SNMP collector's data path for one datagram, without sockets: source
// allow-list → per-source rate limit → decode (net-snmp) → mapping rules →
// Event. Every refusal and drop moves a counter; the transport sends what the
// outcome says (REPORT now, INFORM response once durable). Safe to call from
// several listener strands.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <sys/socket.h>

#include "collectors/snmp/access.hpp"
#include "collectors/snmp/config.hpp"
#include "collectors/snmp/decoder.hpp"
#include "collectors/snmp/mapper.hpp"
#include "correlator/clock.hpp"
#include "correlator/event.hpp"
#include "correlator/stats.hpp"

namespace tocsin::snmp {

struct Datagram {
  std::string_view data;
  std::string_view peer_ip;  // "192.0.2.7"
  const sockaddr* peer = nullptr;
  socklen_t peer_len = 0;
  bool truncated = false;  // longer than the receive buffer
};

struct Handled {
  std::optional<Event> event;  // accepted; for an inform, answer with `response` once durable
  bool inform = false;
  std::string reply;     // send now
  std::string response;  // INFORM response; sent at once when there is no event to wait for
};

class TrapHandler {
 public:
  // Throws std::invalid_argument when net-snmp refuses the users or engine ID.
  TrapHandler(const Config& config, StatsRegistry& stats, const Clock& clock);
  void reconfigure(const Config& config);

  Handled handle(const Datagram& d);
  std::string local_engine_id() const { return decoder_.local_engine_id(); }

  // Counters the transport moves too.
  Counter& dropped(std::string_view reason);
  Counter& inform_responses() { return responses_; }

 private:
  struct Access {
    SourceFilter filter;
    RateLimiter limiter;
  };
  void reject(Reject reason);

  StatsRegistry& stats_;
  const Clock& clock_;
  Decoder decoder_;
  std::mutex mutex_;  // guards the two below
  std::shared_ptr<const Mapper> mapper_;
  std::unique_ptr<Access> access_;

  Counter& received_;
  Counter& accepted_;
  Counter& unmatched_;
  Counter& reports_;
  Counter& responses_;
};

}  // namespace tocsin::snmp
