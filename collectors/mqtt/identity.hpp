#pragma once
// Recognizing a redelivered message. A broker resends an unacknowledged QoS 1
// PUBLISH with its original packet id (MQTT 3.1.1 §4.4, MQTT 5 §4.4), so the
// session, the topic, the packet id and the payload together identify it. The
// packet id alone does not: it is reused once acknowledged. The identity is
// kept in each event (attribute `mqtt_message_id`) so that a restart can learn
// the recent ones back from the store.

#include <cstddef>
#include <cstdint>
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
  bool contains(const std::string& identity) const { return set_.contains(key(identity)); }
  // False when it was already there.
  bool remember(const std::string& identity);
  std::size_t size() const { return set_.size(); }

 private:
  // The 128 bits an identity's 32 hex digits spell: no string copies per message.
  struct Key {
    std::uint64_t high = 0, low = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const { return static_cast<std::size_t>(k.low ^ (k.high * 0x9e3779b97f4a7c15ULL)); }
  };
  static Key key(std::string_view identity);

  std::size_t capacity_;
  std::deque<Key> order_;
  std::unordered_set<Key, KeyHash> set_;
};

}  // namespace tocsin::mqtt
