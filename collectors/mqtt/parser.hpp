#pragma once
// The MQTT collector's pure stage: one message (topic + payload bytes) goes in,
// Events or the reason it was refused come out. The payload is read as JSON
// (flattened into fields), Tocsin's generic event shape, or plain text; the
// topic's segments become fields too; then the mapping rules decide. No I/O,
// no exceptions, bounded in size and depth.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/mqtt/config.hpp"
#include "correlator/event.hpp"
#include "correlator/mapping.hpp"

namespace tocsin::mqtt {

// One value per rejection counter label.
enum class RejectReason : std::uint8_t {
  too_large,      // payload beyond max_payload
  invalid_json,   // format json/tocsin and not JSON, or nested beyond max_depth
  wrong_type,     // JSON that is not an object or an array of objects
  too_many,       // more records than max_records, or fields than max_fields
  invalid_event,  // Tocsin's generic shape refused it (missing name, bad severity, …)
  bad_topic,      // empty topic
};

inline constexpr RejectReason all_reject_reasons[] = {
    RejectReason::too_large, RejectReason::invalid_json,  RejectReason::wrong_type,
    RejectReason::too_many,  RejectReason::invalid_event, RejectReason::bad_topic,
};

std::string_view to_string(RejectReason reason);

// Names topic segments after a pattern ("site/+/device/+" → site, device).
class TopicPattern {
 public:
  TopicPattern() = default;
  explicit TopicPattern(std::string_view pattern);
  // (name, value) of each named segment the topic has.
  std::vector<std::pair<std::string, std::string_view>> names(std::string_view topic) const;

 private:
  std::vector<std::pair<std::size_t, std::string>> named_;  // segment index → name
};

// A PayloadConfig ready to use: rules compiled once, shared by every broker.
struct Mapping {
  Format format = Format::automatic;
  TopicPattern topic_pattern;
  RuleSet rules;
  Unmatched unmatched = Unmatched::record;
  PayloadLimits limits;
};

// Compiles the configured rules and, when asked, the built-in ones after them.
// Bad rules are reported into `errors` and left out.
std::unique_ptr<Mapping> compile(const PayloadConfig& config, std::vector<std::string>& errors);
std::vector<RuleSpec> default_rules();

struct ParseResult {
  std::vector<Event> events;  // empty without rejection: discarded (unmatched: discard)
  std::optional<RejectReason> rejection;
  std::string detail;     // for the debug log: what was wrong, where
  std::size_t unmatched = 0;  // records no rule matched
};

// Events carry source, name, alert key, kind, severity, resource, summary,
// attributes (topic included), fingerprint keys, rule and raw; the caller
// stamps received_at_ms, source_address and the message identity.
ParseResult parse(std::string_view topic, std::string_view payload, const Mapping& mapping);

}  // namespace tocsin::mqtt
