// Parse, stamp, dedup: what happens to each MQTT message before the pipeline.
#include "collectors/mqtt/decoder.hpp"

namespace tocsin::mqtt {

Decoder::Decoder(const PayloadConfig& config, StatsRegistry& stats, const Clock& clock)
    : clock_(clock),
      stats_(stats),
      received_(stats.counter("tocsin_mqtt_messages_total", "MQTT messages by outcome", {{"outcome", "received"}})),
      accepted_(stats.counter("tocsin_mqtt_messages_total", "", {{"outcome", "accepted"}})),
      duplicates_(stats.counter("tocsin_mqtt_duplicates_total",
                                "Redelivered MQTT messages already stored, skipped")),
      unmatched_(stats.counter("tocsin_mqtt_unmatched_total", "MQTT records that no mapping rule matched")),
      discarded_(stats.counter("tocsin_mqtt_dropped_total", "MQTT records dropped on purpose",
                               {{"reason", "unmatched_discard"}})) {
  for (auto r : all_reject_reasons)
    stats.counter("tocsin_mqtt_rejected_total", "MQTT messages rejected by the parser",
                  {{"reason", std::string(to_string(r))}});
  reconfigure(config);
}

void Decoder::reconfigure(const PayloadConfig& config) {
  std::vector<std::string> errors;  // validated at load time; nothing left to report here
  std::shared_ptr<const Mapping> mapping = compile(config, errors);
  std::lock_guard lock(mutex_);
  mapping_ = std::move(mapping);
}

void Decoder::remember(const std::vector<std::string>& identities) {
  std::lock_guard lock(mutex_);
  for (const auto& id : identities) recent_.remember(id);
}

std::shared_ptr<const Mapping> Decoder::current() const {
  std::lock_guard lock(mutex_);
  return mapping_;
}

// QoS 0 is never redelivered, and identical QoS 0 messages are distinct alerts.
bool Decoder::first_delivery(const Message& m, std::string& identity) {
  identity = message_identity(m.session, m.topic, m.packet_id, m.payload);
  if (m.qos == 0) return true;
  std::lock_guard lock(mutex_);
  return recent_.remember(identity);
}

void Decoder::decode(const Message& m, std::vector<Event>& out) {
  received_.inc();
  std::string identity;
  if (!first_delivery(m, identity)) {
    duplicates_.inc();
    return;
  }
  auto mapping = current();
  ParseResult parsed = parse(m.topic, m.payload, *mapping);
  if (parsed.rejection) {
    stats_.counter("tocsin_mqtt_rejected_total", "", {{"reason", std::string(to_string(*parsed.rejection))}}).inc();
    return;
  }
  unmatched_.inc(parsed.unmatched);
  if (mapping->unmatched == Unmatched::discard) discarded_.inc(parsed.unmatched);
  if (parsed.events.empty()) return;
  accepted_.inc();
  auto now = clock_.wall_ms();
  for (auto& e : parsed.events) {
    e.received_at_ms = now;
    e.source_address = std::string(m.broker);
    e.attributes.emplace_back(identity_attribute, identity);
    out.push_back(std::move(e));
  }
}

}  // namespace tocsin::mqtt
