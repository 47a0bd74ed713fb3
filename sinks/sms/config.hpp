#pragma once
// Settings of the SMS sink: which HTTP gateway carries pages (Kannel's smsbox
// `sendsms` by default, or any HTTP SMS API through templates), how long
// texts are encoded, and where the gateway sends delivery reports and replies.
// A plain struct; the config loader fills it from `notifications.sms`.

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace tocsin::sms {

// What to do with a text longer than max_segments segments, or longer than one.
enum class Overflow {
  truncate,  // one message of at most max_segments segments (the gateway concatenates), cut with "..."
  split,     // up to max_segments separate one-segment messages, one request each
};

struct EncoderConfig {
  int max_segments = 3;
  Overflow overflow = Overflow::truncate;
};

enum class Preset {
  kannel,   // `url` is smsbox's sendsms; the query string is built from the fields below
  generic,  // `url` (and `body`) are full templates
};

enum class Method { get, post };

struct GatewayConfig {
  Preset preset = Preset::kannel;
  // Kannel: base URL of sendsms. Generic: URL template with placeholders
  // {to} {text} {from} {coding} {encoding} {id} {incident} {part} {parts}
  // {username} {password} {dlr_url}, each percent-encoded.
  std::string url = "http://127.0.0.1:13013/cgi-bin/sendsms";
  Method method = Method::get;
  // POST body template (same placeholders); values are escaped for content_type:
  // percent-encoding for forms, JSON string escapes for JSON, raw otherwise.
  std::string body;
  std::string content_type = "application/x-www-form-urlencoded";
  // Kannel: sendsms-user credentials. Generic: the {username} {password}
  // placeholders, and HTTP basic authentication when basic_auth is set.
  std::string username;
  std::string password;
  bool basic_auth = false;
  // Extra request headers, e.g. {"Authorization", "Bearer ..."}.
  std::vector<std::pair<std::string, std::string>> headers;
  // Sender shown on the phone (number or alphanumeric id); empty = the gateway's default.
  std::string from;
  // Success test: the status is one of these, and the body contains
  // success_body and matches success_regex (ECMAScript) when they are set.
  std::vector<int> success_codes{200, 201, 202};
  std::string success_body;
  std::string success_regex;
  // Statuses that refuse this message for good (bad number...): not retried.
  // Any other failure is retried with the outbox's backoff.
  std::vector<int> reject_codes{400};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{15000};
  // Base URL the gateway reaches tocsind at, for delivery reports
  // ({dlr_url}); empty = no delivery reports are asked for.
  std::string callback_url;
  // Secret the gateway presents on /kannel/dlr and /kannel/mo (token=...).
  std::string callback_token;
  // Kannel dlr-mask: 1 delivered, 2 failed, 4 buffered, 8 accepted by the SMSC, 16 rejected by the SMSC.
  int dlr_mask = 31;
};

struct SmsConfig {
  GatewayConfig gateway;
  EncoderConfig encoder;
};

}  // namespace tocsin::sms
