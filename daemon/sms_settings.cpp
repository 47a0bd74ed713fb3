// Schema table and loading of notifications.sms.
#include "daemon/sms_settings.hpp"

#include <charconv>
#include <fstream>
#include <regex>

#include "sinks/sms/request.hpp"

namespace tocsin {

using config::Section;
using config::Type;

const Section& sms_section() {
  static const Section s{
      "notifications.sms",
      "SMS pages through an HTTP gateway; Kannel's smsbox sendsms is the reference (see sinks/sms/README.md). "
      "While the gateway does not answer, pages wait in the outbox. Delivery reports and reply SMS come back on "
      "GET /kannel/dlr and GET /kannel/mo of the API's address, authenticated by `callback_token`.",
      {{"enabled", Type::boolean, "false", "Send SMS pages (channel sms of escalation steps)."},
       {"preset", Type::choice, "kannel",
        "kannel: `url` is smsbox's sendsms and the query string is built (username, password, to, text, "
        "charset=UTF-8, coding, from, dlr-mask, dlr-url); generic: `url` and `body` are full templates.",
        {"kannel", "generic"}},
       {"url", Type::string, "http://127.0.0.1:13013/cgi-bin/sendsms",
        "Kannel: sendsms URL. Generic: URL template; placeholders {to} {text} {from} {coding} (0 GSM-7, 2 "
        "UCS-2) {encoding} (gsm7, ucs2) {id} {incident} {part} {parts} {username} {password} {dlr_url} are "
        "percent-encoded."},
       {"method", Type::choice, "GET", "Generic: HTTP method.", {"GET", "POST"}},
       {"body", Type::string, "", "Generic, POST: body template with the same placeholders."},
       {"content_type", Type::string, "application/x-www-form-urlencoded",
        "Generic, POST: Content-Type; placeholders in the body are percent-encoded for forms, JSON-escaped for "
        "JSON, raw otherwise."},
       {"username", Type::string, "", "Kannel: the sendsms-user. Generic: {username} and basic auth."},
       {"password", Type::string, "", "Password in plain sight (examples and tests only)."},
       {"password_file", Type::file, "", "File holding the password (first line)."},
       {"basic_auth", Type::boolean, "false", "Generic: send username and password as HTTP basic auth."},
       {"headers", Type::map, "", "Generic: extra request headers, name: value (e.g. Authorization)."},
       {"from", Type::string, "", "Sender number or alphanumeric id; empty = the gateway's default."},
       {"success_codes", Type::string_list, "[200, 201, 202]", "HTTP statuses that mean the gateway took the SMS."},
       {"success_body", Type::string, "", "Text the answer body must contain as well; empty = any."},
       {"success_regex", Type::string, "", "ECMAScript regex the answer body must match as well; empty = any."},
       {"reject_codes", Type::string_list, "[400]",
        "HTTP statuses that refuse the SMS for good (not retried); any other failure is retried."},
       {"connect_timeout", Type::duration, "5s", "Time allowed to connect to the gateway."},
       {"timeout", Type::duration, "15s", "Bound on one whole request."},
       {"max_segments", Type::integer, "3", "Most segments (160/153 GSM-7, 70/67 UCS-2 characters) per page."},
       {"overflow", Type::choice, "truncate",
        "truncate: one message of at most max_segments segments (the gateway concatenates), cut with ...; split: "
        "up to max_segments separate one-segment messages.",
        {"truncate", "split"}},
       {"callback_url", Type::string, "",
        "Base URL the gateway reaches tocsind's API at, e.g. http://127.0.0.1:8080; set: delivery reports are "
        "asked for (Kannel dlr-url {callback_url}/kannel/dlr?id=..&token=..&status=%d)."},
       {"callback_token", Type::string, "",
        "Shared secret the gateway presents as token= on /kannel/dlr and /kannel/mo; empty: both routes off."},
       {"callback_token_file", Type::file, "", "File holding callback_token (first line)."},
       {"dlr_mask", Type::integer, "31",
        "Kannel dlr-mask: 1 delivered, 2 failed, 4 buffered, 8 accepted by the SMSC, 16 rejected by the SMSC."}}};
  return s;
}

namespace {

std::string first_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::vector<int> status_codes(const config::Node& n, std::string_view key) {
  std::vector<int> out;
  for (const auto& s : n.string_list(key)) {
    int v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v < 100 || v > 599)
      n.error(key, "'" + s + "' is not an HTTP status code (100..599)");
    else
      out.push_back(v);
  }
  return out;
}

void check_template(const config::Node& n, std::string_view key, const std::string& templ) {
  if (auto bad = sms::unknown_placeholder(templ))
    n.error(key, "unknown placeholder " + *bad +
                     ": use {to} {text} {from} {coding} {encoding} {id} {incident} {part} {parts} {username} "
                     "{password} {dlr_url}");
}

}  // namespace

SmsSettings load_sms_settings(const config::Node& notifications) {
  auto n = notifications.map("sms", sms_section());
  SmsSettings out;
  out.enabled = n.boolean("enabled");
  auto& g = out.config.gateway;
  g.preset = n.choice("preset") == "generic" ? sms::Preset::generic : sms::Preset::kannel;
  g.url = n.string("url");
  g.method = n.choice("method") == "POST" ? sms::Method::post : sms::Method::get;
  g.body = n.string("body");
  g.content_type = n.string("content_type");
  g.username = n.string("username");
  g.password = n.string("password");
  if (std::string file = n.file("password_file"); !file.empty()) g.password = first_line_of(file);
  g.basic_auth = n.boolean("basic_auth");
  if (YAML::Node headers = n.raw("headers")) {
    if (!headers.IsMap()) {
      n.error("headers", "expected a map of header name to value");
    } else {
      for (const auto& h : headers) {
        if (!h.first.IsScalar() || !h.second.IsScalar() || h.first.Scalar().find_first_of(":\r\n") != std::string::npos ||
            h.second.Scalar().find_first_of("\r\n") != std::string::npos) {
          n.error("headers", "each header needs a name without ':' and a one-line value");
          continue;
        }
        g.headers.emplace_back(h.first.Scalar(), h.second.Scalar());
      }
    }
  }
  g.from = n.string("from");
  g.success_codes = status_codes(n, "success_codes");
  g.success_body = n.string("success_body");
  g.success_regex = n.string("success_regex");
  if (!g.success_regex.empty()) {
    try {
      std::regex check(g.success_regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      n.error("success_regex", std::string("not a valid ECMAScript regex: ") + e.what());
    }
  }
  g.reject_codes = status_codes(n, "reject_codes");
  g.connect_timeout = n.duration("connect_timeout");
  g.timeout = n.duration("timeout");
  out.config.encoder.max_segments = static_cast<int>(n.integer("max_segments", 1, 10));
  out.config.encoder.overflow = n.choice("overflow") == "split" ? sms::Overflow::split : sms::Overflow::truncate;
  g.callback_url = n.string("callback_url");
  g.callback_token = n.string("callback_token");
  if (std::string file = n.file("callback_token_file"); !file.empty()) g.callback_token = first_line_of(file);
  g.dlr_mask = static_cast<int>(n.integer("dlr_mask", 0, 31));
  if (g.preset == sms::Preset::generic) {
    check_template(n, "url", g.url);
    check_template(n, "body", g.body);
    if (g.method == sms::Method::post && g.body.empty()) n.error("body", "a POST gateway needs a body template");
  }
  if (!g.url.starts_with("http://") && !g.url.starts_with("https://"))
    n.error("url", "must be an http:// or https:// URL");
  if (!g.callback_url.empty() && g.callback_token.empty())
    n.error("callback_url", "delivery reports need `callback_token` (or callback_token_file) to authenticate them");
  if (g.success_codes.empty() && n.present("success_codes")) n.error("success_codes", "must list at least one status");
  return out;
}

}  // namespace tocsin
