// URL and body templates of the SMS gateway and its success test.
#include "sinks/sms/request.hpp"

#include <algorithm>
#include <cstdio>
#include <regex>

namespace tocsin::sms {

namespace {

std::string json_escape(std::string_view v) {
  std::string out;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape(std::string_view v, Escape e) {
  switch (e) {
    case Escape::url:
      return percent_encode(v);
    case Escape::json:
      return json_escape(v);
    case Escape::none:
      break;
  }
  return std::string(v);
}

// The name of the placeholder "{name}" starting at templ[open], empty when
// none starts there: names are lower-case letters and '_', so the braces of a
// JSON body stay literal.
std::string_view placeholder_at(std::string_view templ, std::size_t open) {
  std::size_t i = open + 1;
  while (i < templ.size() && ((templ[i] >= 'a' && templ[i] <= 'z') || templ[i] == '_')) ++i;
  if (i == open + 1 || i >= templ.size() || templ[i] != '}') return {};
  return templ.substr(open + 1, i - open - 1);
}

bool known(std::string_view name) {
  return std::find(std::begin(placeholders), std::end(placeholders), name) != std::end(placeholders);
}

Escape body_escape(const GatewayConfig& c) {
  if (c.content_type.find("json") != std::string::npos) return Escape::json;
  if (c.content_type.find("x-www-form-urlencoded") != std::string::npos) return Escape::url;
  return Escape::none;
}

std::string snippet(std::string_view body) {
  constexpr std::size_t max = 200;
  std::string out(body.substr(0, max));
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  return out;
}

}  // namespace

std::optional<std::string> unknown_placeholder(std::string_view templ) {
  for (std::size_t i = templ.find('{'); i != std::string_view::npos; i = templ.find('{', i + 1)) {
    std::string_view name = placeholder_at(templ, i);
    if (!name.empty() && !known(name)) return "{" + std::string(name) + "}";
  }
  return std::nullopt;
}

std::string percent_encode(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 0x0F];
    }
  }
  return out;
}

std::string normalize_number(std::string_view number) {
  std::string digits;
  bool plus = false;
  for (char c : number) {
    if (c >= '0' && c <= '9') digits += c;
    else if (c == '+' && digits.empty()) plus = true;
  }
  if (!plus && digits.starts_with("00")) {
    digits.erase(0, 2);
    plus = true;
  }
  return (plus ? "+" : "") + digits;
}

std::string expand(std::string_view templ, const Values& values, Escape e) {
  std::string out;
  for (std::size_t i = 0; i < templ.size();) {
    std::string_view name = templ[i] == '{' ? placeholder_at(templ, i) : std::string_view{};
    auto it = std::find_if(values.begin(), values.end(), [&](const auto& kv) { return kv.first == name; });
    if (name.empty() || it == values.end()) {
      out += templ[i++];
      continue;
    }
    out += escape(it->second, e);
    i += name.size() + 2;
  }
  return out;
}

std::string url_template(const GatewayConfig& c) {
  if (c.preset == Preset::generic) return c.url;
  std::string u = c.url + (c.url.find('?') == std::string::npos ? "?" : "&");
  u += "username={username}&password={password}&to={to}&text={text}&charset=UTF-8&coding={coding}";
  if (!c.from.empty()) u += "&from={from}";
  if (!c.callback_url.empty()) u += "&dlr-mask=" + std::to_string(c.dlr_mask) + "&dlr-url={dlr_url}";
  return u;
}

std::string delivery_report_url(const GatewayConfig& c, std::int64_t id) {
  std::string base = c.callback_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/kannel/dlr?id=" + std::to_string(id) + "&token=" + percent_encode(c.callback_token) + "&status=%d&foreign_id=%F";
}

HttpRequest build_request(const GatewayConfig& c, const Notification& n, const EncodedSms& sms, std::size_t part) {
  Values values{{"to", normalize_number(n.recipient)},
                {"text", part < sms.parts.size() ? sms.parts[part] : std::string()},
                {"from", c.from},
                {"coding", std::string(kannel_coding(sms.coding))},
                {"encoding", std::string(to_string(sms.coding))},
                {"id", std::to_string(n.id)},
                {"incident", std::to_string(n.incident_id)},
                {"part", std::to_string(part + 1)},
                {"parts", std::to_string(sms.parts.size())},
                {"username", c.username},
                {"password", c.password},
                {"dlr_url", c.callback_url.empty() ? std::string() : delivery_report_url(c, n.id)}};
  HttpRequest r;
  r.method = c.preset == Preset::kannel ? Method::get : c.method;
  r.url = expand(url_template(c), values, Escape::url);
  r.headers = c.headers;
  if (r.method == Method::post) {
    r.body = expand(c.body, values, body_escape(c));
    r.headers.emplace_back("Content-Type", c.content_type);
  }
  return r;
}

DeliveryResult classify_response(const GatewayConfig& c, int status, std::string_view body) {
  std::string detail = "HTTP " + std::to_string(status) + ": " + snippet(body);
  bool ok = std::find(c.success_codes.begin(), c.success_codes.end(), status) != c.success_codes.end();
  if (ok && !c.success_body.empty()) ok = body.find(c.success_body) != std::string_view::npos;
  if (ok && !c.success_regex.empty()) {
    try {
      ok = std::regex_search(body.begin(), body.end(), std::regex(c.success_regex, std::regex::ECMAScript));
    } catch (const std::regex_error&) {
      ok = false;  // validated at load; never expected here
    }
  }
  if (ok) return {DeliveryResult::Outcome::delivered, detail};
  if (std::find(c.reject_codes.begin(), c.reject_codes.end(), status) != c.reject_codes.end())
    return {DeliveryResult::Outcome::rejected, detail};
  return {DeliveryResult::Outcome::retry, detail};
}

}  // namespace tocsin::sms
