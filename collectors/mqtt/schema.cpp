// Schema and loader of the `mqtt` section.
#include "collectors/mqtt/schema.hpp"

#include <fstream>

#include "correlator/mapping_config.hpp"

namespace tocsin::mqtt {

using config::Section;
using config::Type;

const Section& mqtt_section() {
  static const Section s{
      "mqtt",
      "The MQTT collector: QoS 1 subscriptions on a persistent session per broker; a message is acknowledged "
      "(PUBACK) only once its events are committed.",
      {{"brokers", Type::list, "", "Brokers to subscribe to; none: the collector is off."},
       {"format", Type::choice, "auto",
        "How payloads are read: auto (JSON object or array of objects, else text), json, tocsin (the generic "
        "event shape of POST /api/v1/events), text (the payload is the field `message`).",
        {"auto", "json", "tocsin", "text"}},
       {"topic_pattern", Type::string, "",
        "Names topic segments for the rules, e.g. site/+/device/+ gives `site` and `device`; "
        "alerts/{region}/# names one explicitly. topic, topic_1 … topic_n are always set."},
       {"rules", Type::list, "", "Mapping rules, tried before the built-in JSON rules (see <collector>.rules[])."},
       {"default_rules", Type::boolean, "true",
        "Also apply the built-in rules: JSON with `name` raises an alert, with status resolved/ok/clear clears it."},
       {"unmatched", Type::choice, "record",
        "What becomes of a message no rule matches: record it as an info event, raise an alert, or discard it "
        "(counted).",
        {"record", "alert", "discard"}},
       {"max_payload", Type::size, "256KiB", "Largest payload; larger ones are acknowledged, rejected and counted."},
       {"max_records", Type::integer, "1000", "Alerts in one JSON array at most."}}};
  return s;
}

const Section& broker_section() {
  static const Section s{
      "mqtt.brokers[]",
      "One broker connection. Reconnects with capped backoff; while no broker runs it retries quietly "
      "(one warning, then debug).",
      {{"server", Type::string, "127.0.0.1:1883", "Broker host:port."},
       {"name", Type::string, "", "Name in logs and metrics; default host:port."},
       {"protocol", Type::choice, "3.1.1", "MQTT version.", {"3.1.1", "5"}},
       {"client_id", Type::string, "tocsind",
        "Client identifier; must be stable and unique per tocsind: the broker keeps the session under it."},
       {"topics", Type::string_list, "[tocsin/#]", "Topic filters subscribed with QoS 1."},
       {"username", Type::string, "", "User name; none when empty."},
       {"password", Type::string, "", "Password in plain sight (tests only)."},
       {"password_file", Type::file, "", "File holding the password (first line)."},
       {"tls", Type::boolean, "false", "Connect with TLS (port 8883 usually)."},
       {"ca_file", Type::file, "", "CA certificate(s) to verify the broker; empty = system store."},
       {"certificate", Type::file, "", "Client certificate (PEM) for brokers that require one."},
       {"key", Type::file, "", "Private key of the client certificate (PEM)."},
       {"keepalive", Type::duration, "30s", "MQTT keepalive."},
       {"session_expiry", Type::duration, "7d",
        "MQTT 5: how long the broker keeps the session (and queues messages) while tocsind is away."},
       {"receive_maximum", Type::integer, "100",
        "MQTT 5: unacknowledged messages the broker may send at once (one commit batch at most)."},
       {"initial_backoff", Type::duration, "1s", "Delay before the first reconnection; doubles each time."},
       {"max_backoff", Type::duration, "30s", "Longest delay between connection attempts."}}};
  return s;
}

namespace {
std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

void split_server(const config::Node& b, BrokerConfig& c) {
  std::string server = b.string("server");
  auto colon = server.rfind(':');
  int port = 0;
  try {
    port = colon == std::string::npos ? 0 : std::stoi(server.substr(colon + 1));
  } catch (const std::exception&) {
  }
  if (colon == 0 || port <= 0 || port > 65535) {
    b.error("server", "expected host:port, e.g. 127.0.0.1:1883");
    return;
  }
  c.host = server.substr(0, colon);
  if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']') c.host = c.host.substr(1, c.host.size() - 2);
  c.port = static_cast<std::uint16_t>(port);
}

BrokerConfig load_broker(const config::Node& b) {
  using std::chrono::duration_cast;
  BrokerConfig c;
  split_server(b, c);
  c.name = b.string("name");
  c.protocol = b.choice("protocol") == "5" ? Protocol::v5 : Protocol::v311;
  c.client_id = b.string("client_id");
  c.topics = b.string_list("topics");
  c.username = b.string("username");
  c.password = b.string("password");
  if (std::string file = b.file("password_file"); !file.empty()) c.password = first_line(file);
  c.tls = b.boolean("tls");
  c.ca_file = b.file("ca_file");
  c.certificate_file = b.file("certificate");
  c.key_file = b.file("key");
  c.keepalive = duration_cast<std::chrono::seconds>(b.duration("keepalive"));
  c.session_expiry = duration_cast<std::chrono::seconds>(b.duration("session_expiry"));
  c.receive_maximum = static_cast<int>(b.integer("receive_maximum", 1, 65535));
  c.initial_backoff = b.duration("initial_backoff");
  c.max_backoff = b.duration("max_backoff");
  if (c.client_id.empty() || c.client_id.size() > 23 * 10) b.error("client_id", "must be set (and stable)");
  if (c.topics.empty()) b.error("topics", "subscribe to at least one topic filter, e.g. [tocsin/#]");
  if (c.certificate_file.empty() != c.key_file.empty()) b.error("a client certificate needs both `certificate` and `key`");
  if (c.keepalive < std::chrono::seconds(5)) b.error("keepalive", "must be at least 5s");
  if (c.initial_backoff.count() <= 0) b.error("initial_backoff", "must be positive");
  if (c.max_backoff < c.initial_backoff) b.error("max_backoff", "must not be shorter than initial_backoff");
  return c;
}

Format format_of(const std::string& name) {
  return name == "json" ? Format::json : name == "tocsin" ? Format::tocsin : name == "text" ? Format::text
                                                                                            : Format::automatic;
}
}  // namespace

MqttConfig load_config(const config::Node& root) {
  auto n = root.map("mqtt", mqtt_section());
  MqttConfig m;
  for (const auto& b : n.list("brokers", broker_section())) m.brokers.push_back(load_broker(b));
  auto& p = m.payload;
  p.format = format_of(n.choice("format"));
  p.topic_pattern = n.string("topic_pattern");
  p.rules = parse_rules(n, "rules");
  p.default_rules = n.boolean("default_rules");
  std::string unmatched = n.choice("unmatched");
  p.unmatched = unmatched == "alert" ? Unmatched::alert : unmatched == "discard" ? Unmatched::discard : Unmatched::record;
  p.limits.max_payload = n.size("max_payload");
  p.limits.max_records = static_cast<std::size_t>(n.integer("max_records", 1, 1'000'000));
  return m;
}

}  // namespace tocsin::mqtt
