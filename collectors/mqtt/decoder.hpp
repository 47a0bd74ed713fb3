#pragma once
// The MQTT collector's decoding stage, shared by every broker connection:
// message → parser → Events stamped with time, broker and message identity;
// redeliveries of messages already taken are recognized and skipped
// (counted). The mapping is swapped whole on reload.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "collectors/mqtt/identity.hpp"
#include "collectors/mqtt/parser.hpp"
#include "correlator/clock.hpp"
#include "correlator/stats.hpp"

namespace tocsin::mqtt {

struct Message {
  std::string_view session;  // "client_id@host:port": where packet ids are unique
  std::string_view broker;   // host:port, recorded as the events' source address
  std::string_view topic;
  std::string_view payload;
  int packet_id = 0;
  int qos = 0;
};

class Decoder {
 public:
  // Redelivered after a crash: every message whose PUBACK the broker had not
  // yet processed, PUBACKs still in its socket buffer included (thousands
  // under load, see README.md). Below 65535 so that a packet id cannot come
  // round within the window.
  static constexpr std::size_t recent_capacity = 60000;

  Decoder(const PayloadConfig& config, StatsRegistry& stats, const Clock& clock);
  void reconfigure(const PayloadConfig& config);
  // Identities of messages already stored (from the store, at start-up).
  void remember(const std::vector<std::string>& identities);

  // Appends the message's events to `out`. Rejections, duplicates and
  // discarded messages add nothing and are counted.
  void decode(const Message& message, std::vector<Event>& out);

 private:
  std::shared_ptr<const Mapping> current() const;
  bool first_delivery(const Message& message, std::string& identity);

  const Clock& clock_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Mapping> mapping_;
  RecentMessages recent_{recent_capacity};

  StatsRegistry& stats_;
  Counter& received_;
  Counter& accepted_;
  Counter& duplicates_;
  Counter& unmatched_;
  Counter& discarded_;
};

}  // namespace tocsin::mqtt
