#pragma once
// Configuration of the MQTT collector: the brokers to subscribe to (one
// persistent session each) and how a message's topic and payload become
// Events. The daemon fills it from the `mqtt` section.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "correlator/mapping.hpp"

namespace tocsin::mqtt {

enum class Protocol { v311, v5 };

struct BrokerConfig {
  std::string name;             // shown in logs and metrics; default host:port
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  Protocol protocol = Protocol::v311;
  std::string client_id = "tocsind";  // stable: the broker keeps the session under it
  std::string username;
  std::string password;
  bool tls = false;
  std::string ca_file;           // empty with tls: the system store
  std::string certificate_file;  // client certificate (PEM), optional
  std::string key_file;          // its key (PEM)
  std::vector<std::string> topics{"tocsin/#"};
  std::chrono::seconds keepalive{30};
  std::chrono::seconds session_expiry{7 * 24 * 3600};  // MQTT 5: how long the broker keeps our queue
  int receive_maximum = 100;  // unacknowledged QoS 1 messages the broker may send at once (MQTT 5)
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{30000};

  std::string display_name() const { return name.empty() ? host + ":" + std::to_string(port) : name; }
};

// How a payload is read before the mapping rules see it.
enum class Format {
  automatic,  // JSON when it parses as an object or an array of objects, text otherwise
  json,       // any JSON object (or array of them): fields flattened, then rules
  tocsin,     // Tocsin's generic event shape (as POST /api/v1/events): no rules needed
  text,       // the payload is the field `message`
};

enum class Unmatched { record, alert, discard };

struct PayloadLimits {
  std::size_t max_payload = 256 * 1024;  // bytes of one message
  std::size_t max_records = 1000;        // alerts in one JSON array
  std::size_t max_fields = 256;          // flattened fields of one JSON object
  std::size_t max_depth = 16;            // JSON nesting
};

struct PayloadConfig {
  Format format = Format::automatic;
  // Names topic segments: "site/+/device/+" gives `site` and `device` the
  // values at the `+`; "alerts/{region}/#" names one explicitly.
  std::string topic_pattern;
  std::vector<RuleSpec> rules;  // tried first
  bool default_rules = true;    // then the built-in JSON rules
  Unmatched unmatched = Unmatched::record;
  PayloadLimits limits;
};

struct MqttConfig {
  std::vector<BrokerConfig> brokers;
  PayloadConfig payload;
};

}  // namespace tocsin::mqtt
