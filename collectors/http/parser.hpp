#pragma once
// HTTP webhook parsers: the pure stage of the HTTP collector. A request body
// goes in; Events, or the reason it was refused and the field to blame, come
// out. Two shapes: Tocsin's generic JSON (POST /api/v1/events) and the
// Alertmanager webhook, version 4 (POST /api/v1/integrations/alertmanager).
// A payload is taken whole or not at all. No I/O, no exceptions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/http/config.hpp"
#include "correlator/event.hpp"

namespace tocsin::http_ingest {

// One value per rejection counter label.
enum class RejectReason : std::uint8_t {
  invalid_json,   // not JSON, not UTF-8, or nested too deep
  wrong_type,     // a field of the wrong JSON type (a number where a string belongs, …)
  missing_field,  // a required field is absent or empty
  unknown_field,  // a field the generic shape does not define (typos are refused, not ignored)
  bad_value,      // right type, wrong value: unknown severity, bad time, contradicting fields
  too_large,      // a string, an attribute list or a fingerprint beyond Limits
  too_many,       // more events or alerts than Limits::max_events
};

inline constexpr RejectReason all_reject_reasons[] = {
    RejectReason::invalid_json,  RejectReason::wrong_type, RejectReason::missing_field,
    RejectReason::unknown_field, RejectReason::bad_value,  RejectReason::too_large,
    RejectReason::too_many,
};

std::string_view to_string(RejectReason reason);

struct Rejection {
  RejectReason reason = RejectReason::invalid_json;
  std::string field;    // path of the bad field, e.g. "alerts[3].labels.severity"; "" for the whole body
  std::string message;  // for the person who sent it
};

// `events` is meaningful only without a rejection. Events carry name, alert
// key, kind, severity, resource, summary, attributes, fingerprint keys, rule,
// raw and source; the caller stamps received_at_ms.
struct ParseResult {
  std::vector<Event> events;
  std::optional<Rejection> rejection;
  std::uint64_t truncated_alerts = 0;  // Alertmanager's count of alerts left out (max_alerts)
};

ParseResult parse_events(std::string_view body, const Limits& limits = {});
ParseResult parse_alertmanager(std::string_view body, const AlertmanagerConfig& config = {},
                               const Limits& limits = {});

// RFC 3339 date-time ("2024-03-01T10:00:00.123456789+01:00", "…Z") to ms
// since the epoch; nullopt when it is not one.
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace tocsin::http_ingest
