#pragma once
// The webhook allow-list: Tocsin POSTs only to destinations listed by name or
// by network, and port. Pure: URLs and entries are parsed here, and the
// address a connection is about to be made to is checked here too (the
// client asks before every connect, so a name cannot lead elsewhere than the
// list allows, and neither can a proxy or a redirect: none is used).
//
// Entries: "hooks.example.net:443", "127.0.0.1:9000", "10.20.0.0/16:*",
// "[2001:db8::/32]:8443", "[::1]:8080". A URL whose host is a name is allowed
// by an entry of that name (DNS is trusted for it); a URL whose host is an IP
// address by a network containing it. The port must match (or be "*").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sinks/webhook/config.hpp"

struct sockaddr;

namespace tocsin::webhook {

// "http(s)://host[:port]/path?query": no user info, no fragment, host a name
// or an IP literal ([v6] in brackets). At most max_url_bytes.
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-case; IPv6 without brackets
  std::uint16_t port = 0;
  std::string target;  // path and query, "/" at least
  bool host_is_address = false;
  std::array<std::uint8_t, 16> address{};  // when host_is_address (IPv4 mapped)
};

inline constexpr std::size_t max_url_bytes = 2048;

// The URL, or why it is not one this sink can use (for check-config).
struct ParsedUrl {
  std::optional<Url> url;
  std::string error;
};
ParsedUrl parse_url(std::string_view text);

struct ParsedEntry {
  std::optional<AllowEntry> entry;
  std::string error;
};
ParsedEntry parse_allow_entry(std::string_view text);

// The entry that allows the URL, or nullptr.
const AllowEntry* allowed(const Url& url, const std::vector<AllowEntry>& allow);

// Whether a connection for `url` may go to `address` (IPv4 or IPv6) on the
// URL's port: to the literal itself for an address URL, anywhere its name
// resolves for a name allowed by name.
bool connection_allowed(const Url& url, const std::vector<AllowEntry>& allow, const sockaddr* address);

}  // namespace tocsin::webhook
