// See allow_list.hpp. IP literals are parsed with inet_pton, so "010.1.1.1"
// or "127.1" (which some resolvers read as octal or short forms) are names,
// not addresses, and need a name entry of their own.
#include "sinks/webhook/allow_list.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace tocsin::webhook {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool valid_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  std::size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') || ++label > 63) return false;
  }
  return label > 0;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || p != text.data() + text.size() || value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// "host:port", "[v6]:port", "v4/len:port"; returns host part and port part.
bool split_host_port(std::string_view text, std::string_view& host, std::string_view& port) {
  if (text.starts_with('[')) {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    return true;
  }
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || text.find(':') != colon) return false;
  host = text.substr(0, colon);
  port = text.substr(colon + 1);
  return true;
}

}  // namespace

ParsedUrl parse_url(std::string_view text) {
  ParsedUrl out;
  auto fail = [&out](std::string why) {
    out.error = std::move(why);
    return out;
  };
  if (text.size() > max_url_bytes) return fail("longer than " + std::to_string(max_url_bytes) + " bytes");
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F || static_cast<unsigned char>(c) >= 0x80)
      return fail("contains spaces, controls or non-ASCII bytes (percent-encode them)");
  Url u;
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return fail("expected http://host[:port]/path or https://...");
  u.scheme = lower(text.substr(0, scheme_end));
  if (u.scheme != "http" && u.scheme != "https") return fail("scheme must be http or https, not '" + u.scheme + "'");
  std::string_view rest = text.substr(scheme_end + 3);
  const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target = rest.substr(authority_end);
  if (target.find('#') != std::string_view::npos) return fail("a fragment (#...) is never sent; remove it");
  if (authority.find('@') != std::string_view::npos)
    return fail("user info (user:password@) is not allowed in webhook URLs");
  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated [IPv6 address]");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && !after.starts_with(':')) return fail("unexpected text after [IPv6 address]");
    if (!after.empty()) port = after.substr(1);
  } else if (const std::size_t colon = authority.find(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  u.host = lower(host);
  if (!u.host.empty() && u.host.back() == '.') u.host.pop_back();
  if (auto a = cmdb::parse_address(u.host)) {
    u.host_is_address = true;
    u.address = a->bytes;
  } else if (authority.starts_with('[')) {
    return fail("'" + std::string(host) + "' is not an IPv6 address");
  } else if (!valid_name(u.host)) {
    return fail("'" + std::string(host) + "' is not a host name or IP address");
  }
  if (port.empty() && authority.find(':') != std::string_view::npos && !authority.starts_with('['))
    return fail("empty port");
  if (!port.empty()) {
    auto p = parse_port(port);
    if (!p) return fail("port '" + std::string(port) + "' is not 1-65535");
    u.port = *p;
  } else {
    u.port = u.scheme == "https" ? 443 : 80;
  }
  u.target = target.empty() ? "/" : std::string(target);
  if (u.target.front() == '?') u.target.insert(0, "/");
  out.url = std::move(u);
  return out;
}

ParsedEntry parse_allow_entry(std::string_view text) {
  ParsedEntry out;
  auto fail = [&out, text](const std::string& why) {
    out.error = "'" + std::string(text) + "': " + why +
                "; expected host:port, address:port, network/length:port or [IPv6]:port, with * for any port";
    return out;
  };
  std::string_view host, port;
  if (!split_host_port(text, host, port)) return fail("no port");
  AllowEntry e;
  e.text = std::string(text);
  if (port != "*") {
    e.port = parse_port(port);
    if (!e.port) return fail("port '" + std::string(port) + "' is not 1-65535 or *");
  }
  std::string_view address = host;
  std::optional<int> length;
  if (const std::size_t slash = host.find('/'); slash != std::string_view::npos) {
    address = host.substr(0, slash);
    int value = -1;
    const std::string_view digits = host.substr(slash + 1);
    const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || p != digits.data() + digits.size()) return fail("bad prefix length");
    length = value;
  }
  if (auto a = cmdb::parse_address(address)) {
    const int max = a->is_v4() ? 32 : 128;
    const int bits = length.value_or(max);
    if (bits < 0 || bits > max) return fail("prefix length must be 0-" + std::to_string(max));
    const std::string network = a->str() + "/" + std::to_string(bits);
    auto cidr = cmdb::parse_cidr(network);
    if (!cidr) return fail("host bits are set after the prefix /" + std::to_string(bits) + ": not a network");
    e.network = *cidr;
    out.entry = std::move(e);
    return out;
  }
  if (length) return fail("'" + std::string(address) + "' is not an IP address");
  e.name = lower(host);
  if (!e.name.empty() && e.name.back() == '.') e.name.pop_back();
  if (!valid_name(e.name)) return fail("'" + std::string(host) + "' is not a host name or IP address");
  out.entry = std::move(e);
  return out;
}

const AllowEntry* allowed(const Url& url, const std::vector<AllowEntry>& allow) {
  for (const auto& e : allow) {
    if (e.port && *e.port != url.port) continue;
    if (url.host_is_address ? (e.name.empty() && cmdb::contains(e.network, cmdb::IpAddress{url.address}))
                            : (!e.name.empty() && e.name == url.host))
      return &e;
  }
  return nullptr;
}

bool connection_allowed(const Url& url, const std::vector<AllowEntry>& allow, const sockaddr* address) {
  if (allowed(url, allow) == nullptr || address == nullptr) return false;
  if (!url.host_is_address) return true;
  std::array<std::uint8_t, 16> a{};
  if (address->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    a[10] = a[11] = 0xFF;
    std::memcpy(a.data() + 12, &in->sin_addr, 4);
  } else if (address->sa_family == AF_INET6) {
    std::memcpy(a.data(), &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
  } else {
    return false;
  }
  return a == url.address;
}

}  // namespace tocsin::webhook
