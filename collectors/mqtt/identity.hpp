#pragma once
// Recognizing a redelivered message. A broker resends an unacknowledged QoS 1
// PUBLISH with its original packet id (MQTT 3.1.1 §4.4, MQTT 5 §4.4), so the
// session, the topic, the packet id and the payload together identify it. The
// packet id alone does not: it is reused once acknowledged. The identity is
// kept in each event (attribute `mqtt_message_id`) so that a restart can learn
// the recent ones back from the store.

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace tocsin::mqtt {

inline constexpr std::string_view identity_attribute = "mqtt_message_id";

// 32 hex digits (128 bits of SHA-256).
std::string message_identity(std::string_view session, std::string_view topic, int packet_id,
                             std::string_view payload);

// The last `capacity` identities. A redelivery concerns only messages whose
// acknowledgement the broker had not processed; with a window smaller than the
// 65535 packet ids a legitimate repeat (same payload, same topic) gets another
// packet id and is never mistaken for one.
class RecentMessages {
 public:
  explicit RecentMessages(std::size_t capacity) : capacity_(capacity) {}
  bool contains(const std::string& identity) const { return set_.contains(identity); }
  // False when it was already there.
  bool remember(const std::string& identity);
  std::size_t size() const { return set_.size(); }

 private:
  std::size_t capacity_;
  std::deque<std::string> order_;
  std::unordered_set<std::string> set_;
};

}  // namespace tocsin::mqtt
