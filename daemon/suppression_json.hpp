#pragma once
// The JSON shape of silences and maintenance windows in the HTTP API, and the
// parsers of the bodies that add them. The parsers take bytes from the
// network: they check types, sizes and values and name the field that is
// wrong; the correlator checks the rest (regular expressions, times against
// now) when the request reaches it.

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "correlator/suppression/records.hpp"

namespace tocsin::api {

// Why a body was refused, for the counter tocsin_api_suppression_rejected_total{reason}.
enum class BodyRejection : std::uint8_t { invalid_json = 0, unknown_field, invalid_value };
std::string_view to_string(BodyRejection r);

struct BodyError {
  BodyRejection reason = BodyRejection::invalid_value;
  suppression::Problem problem;
};

// {"matchers": [{"field", "op", "value"}], "start"?, "end" | "duration", "comment"}.
// `duration_ms` is set (else 0) when the body gives a duration instead of an
// end: it counts from the start, which defaults to when the correlator takes it.
std::optional<BodyError> silence_from_json(std::string_view body, suppression::Silence& out,
                                           std::int64_t& duration_ms);
// {"cis", "include_dependents"?, "schedule"?, "start", "end" | "at", "duration", "days"?, "time_zone"?, "comment"?}
std::optional<BodyError> window_from_json(std::string_view body, suppression::MaintenanceWindow& out);

boost::json::value to_json(const suppression::Silence& s, std::int64_t now_ms);
boost::json::value to_json(const suppression::MaintenanceWindow& w, std::int64_t now_ms);

}  // namespace tocsin::api
