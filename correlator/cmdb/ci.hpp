#pragma once
// The CI record of the CMDB: what enrichment attaches to an event (owner group,
// criticality, services, location, runbook) and what topology follows
// (depends_on). Plain values, so that a CI can be copied out of a snapshot.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tocsin::cmdb {

// Impact of a CI for priority; ordered from least to most important.
enum class Criticality : std::uint8_t { low = 0, medium, high, critical };

std::string_view to_string(Criticality c);
std::optional<Criticality> parse_criticality(std::string_view text);

// IPv4 is held as an IPv4-mapped IPv6 address so that one type covers both.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};

  bool is_v4() const;
  std::uint32_t v4() const;  // host order; only when is_v4()
  std::string str() const;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

// Accepts dotted IPv4 and RFC 4291 IPv6 text (no zone id, no brackets).
std::optional<IpAddress> parse_address(std::string_view text);

struct Cidr {
  IpAddress network;   // host bits are zero
  // Over the 128-bit form: an IPv4 /24 is held as 120 (96 + 24).
  std::uint8_t prefix = 0;

  std::string str() const;
  friend bool operator==(const Cidr&, const Cidr&) = default;
};

// "10.1.0.0/16", "2001:db8::/32"; host bits set after the prefix are an error
// (a typo there usually means the wrong range).
std::optional<Cidr> parse_cidr(std::string_view text);
// An allow-list entry: a network as parse_cidr, or one address (/32, /128).
std::optional<Cidr> parse_network(std::string_view text);
// Whether `address` lies in `network`.
bool contains(const Cidr& network, const IpAddress& address);

using CiAttributes = std::vector<std::pair<std::string, std::string>>;

struct Ci {
  std::string id;
  std::string name;
  std::string type;  // device, host, service, application, ...
  std::vector<std::string> aliases;
  std::vector<IpAddress> addresses;
  std::string fqdn;
  std::string owner_group;
  Criticality criticality = Criticality::medium;
  std::vector<std::string> services;    // business services this CI supports
  std::string location;
  std::vector<std::string> depends_on;  // ids of upstream CIs
  std::string runbook;                  // URL
  CiAttributes attributes;

  friend bool operator==(const Ci&, const Ci&) = default;
};

// Names of the fields that differ ("owner_group", "addresses", ...), in
// declaration order; the id is the identity and never reported.
std::vector<std::string> changed_fields(const Ci& before, const Ci& after);

// A range of addresses owned by one CI, e.g. a site subnet behind a router.
struct CidrRule {
  Cidr cidr;
  std::string ci;  // id
};

}  // namespace tocsin::cmdb
