#pragma once
// The JSON shape of the durable records (Incident, Alert, timeline) as the HTTP
// API serves them and tocsinctl reads them back. One place decides field names,
// time format and how bytes that are not UTF-8 reach a JSON document.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "correlator/model.hpp"
#include "store/store.hpp"

namespace tocsin::api {

// RFC 3339 UTC with milliseconds, e.g. "2026-11-23T15:04:05.123Z".
std::string format_time(std::int64_t ms_since_epoch);
// Accepts what format_time writes, with or without the fraction.
std::optional<std::int64_t> parse_time(std::string_view text);

// Record fields hold bytes from the network (syslog lines, trap varbinds, mail
// headers). Invalid UTF-8 sequences are replaced by U+FFFD, one per maximal
// invalid subpart (the WHATWG / Unicode "best practice"), so every document the
// API writes is valid JSON and valid UTF-8 bytes are kept intact.
std::string valid_utf8(std::string_view bytes);

boost::json::value to_json(const Incident& incident);
boost::json::value to_json(const Alert& alert);
boost::json::value to_json(const TimelineEntry& entry);
// The incident object plus "alerts" and "timeline" arrays, and its topology:
// "root_cause", "symptoms", "impacted_cis", "business_services".
boost::json::value to_json(const IncidentDetail& detail);
boost::json::value to_json(const CmdbGap& gap);
// A CI with recurring incidents: counts, the latest incident, its services.
boost::json::value to_json(const ProblemCandidate& problem);
boost::json::value to_json(const CiHistoryEntry& entry);
// One page of the outbox: channel, recipient, state, attempts, the gateway's
// delivery report (delivery_status) and the possible_duplicate flag.
boost::json::value to_json(const Notification& notification);

// The reverse direction, for clients: nullopt when a required field is missing
// or has the wrong type. Times that are null read back as 0.
std::optional<Incident> incident_from_json(const boost::json::value& v);
std::optional<Alert> alert_from_json(const boost::json::value& v);
std::optional<TimelineEntry> timeline_entry_from_json(const boost::json::value& v);

}  // namespace tocsin::api
