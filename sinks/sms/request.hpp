#pragma once
// Pure half of the SMS gateway client: the HTTP request for one part of one
// page (URL and body templates filled in, each value escaped for where it
// goes) and the reading of the gateway's answer (the success test). Kannel's
// sendsms is a preset of the same templates.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "correlator/model.hpp"
#include "sinks/sink.hpp"
#include "sinks/sms/config.hpp"
#include "sinks/sms/encoder.hpp"

namespace tocsin::sms {

enum class Escape { url, json, none };

// Placeholder names a template may use.
inline constexpr std::string_view placeholders[] = {"to",      "text",  "from",     "coding",   "encoding", "id",
                                                    "incident", "part", "parts", "username", "password", "dlr_url"};

// The first placeholder of `templ` ("{" lower-case letters or "_" "}") that is
// not one of `placeholders`, for config validation; nullopt when all are
// known. Other braces (a JSON body's) are text.
std::optional<std::string> unknown_placeholder(std::string_view templ);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent_encode(std::string_view value);

// A number as gateways want it: a leading '+' and digits only ("+33 6 12-34"
// → "+3361234"; a leading 00 becomes +). Kannel reads a space in `to` as a
// second receiver.
std::string normalize_number(std::string_view number);

using Values = std::vector<std::pair<std::string, std::string>>;

// Replaces each {name} by its value, escaped; unknown names stay as written.
std::string expand(std::string_view templ, const Values& values, Escape escape);

// The URL template the gateway is called with: for Kannel, sendsms with
// charset=UTF-8, coding, and dlr-mask / dlr-url when callback_url is set.
std::string url_template(const GatewayConfig& config);

// Where the gateway reports delivery of notification `id`:
// {callback_url}/kannel/dlr?id=<id>&token=<token>&status=%d&foreign_id=%F
// (Kannel fills %d, the report type, and %F, the SMSC's message id: its
// sendsms answer carries none, so the report is where the id comes from).
std::string delivery_report_url(const GatewayConfig& config, std::int64_t id);

struct HttpRequest {
  Method method = Method::get;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// The request for part `part` (0-based) of `sms`, the encoding of `n.body`.
HttpRequest build_request(const GatewayConfig& config, const Notification& n, const EncodedSms& sms, std::size_t part);

// The success test on a completed exchange: delivered, rejected (status in
// reject_codes) or retry (anything else).
DeliveryResult classify_response(const GatewayConfig& config, int status, std::string_view body);

}  // namespace tocsin::sms
