// Parsing and comparison of CI fields, shared by the file loaders, the API and
// the change history.
#include "correlator/cmdb/ci.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace tocsin::cmdb {

namespace {
constexpr std::array<std::uint8_t, 12> v4_mapped_prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
}  // namespace

std::string_view to_string(Criticality c) {
  switch (c) {
    case Criticality::low: return "low";
    case Criticality::medium: return "medium";
    case Criticality::high: return "high";
    case Criticality::critical: return "critical";
  }
  return "medium";
}

std::optional<Criticality> parse_criticality(std::string_view text) {
  for (auto c : {Criticality::low, Criticality::medium, Criticality::high, Criticality::critical}) {
    if (text == to_string(c)) return c;
  }
  return std::nullopt;
}

bool IpAddress::is_v4() const { return std::memcmp(bytes.data(), v4_mapped_prefix.data(), 12) == 0; }

std::uint32_t IpAddress::v4() const {
  return std::uint32_t{bytes[12]} << 24 | std::uint32_t{bytes[13]} << 16 | std::uint32_t{bytes[14]} << 8 | bytes[15];
}

std::string IpAddress::str() const {
  char buf[INET6_ADDRSTRLEN];
  if (is_v4()) return inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
  return inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
}

std::optional<IpAddress> parse_address(std::string_view text) {
  // inet_pton needs a terminated string; anything longer than the longest
  // IPv6 text is not an address.
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (text.find(':') == std::string_view::npos) {
    std::memcpy(a.bytes.data(), v4_mapped_prefix.data(), 12);
    if (inet_pton(AF_INET, buf, a.bytes.data() + 12) != 1) return std::nullopt;
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  return a;
}

std::string Cidr::str() const {
  int shown = network.is_v4() ? prefix - 96 : prefix;
  return network.str() + "/" + std::to_string(shown);
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = parse_address(text.substr(0, slash));
  std::string_view digits = text.substr(slash + 1);
  unsigned bits = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
  if (!address || digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  unsigned offset = address->is_v4() ? 96 : 0;
  if (bits > 128 - offset) return std::nullopt;
  Cidr c{*address, static_cast<std::uint8_t>(bits + offset)};
  for (unsigned bit = c.prefix; bit < 128; ++bit) {
    if (c.network.bytes[bit / 8] & (0x80 >> (bit % 8))) return std::nullopt;
  }
  return c;
}

std::optional<Cidr> parse_network(std::string_view text) {
  if (text.find('/') != std::string_view::npos) return parse_cidr(text);
  auto address = parse_address(text);
  if (!address) return std::nullopt;
  return Cidr{*address, 128};
}

bool contains(const Cidr& network, const IpAddress& address) {
  const unsigned full = network.prefix / 8u, rest = network.prefix % 8u;
  if (std::memcmp(network.network.bytes.data(), address.bytes.data(), full) != 0) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (network.network.bytes[full] & mask) == (address.bytes[full] & mask);
}

std::vector<std::string> changed_fields(const Ci& a, const Ci& b) {
  std::vector<std::string> out;
  auto check = [&out](bool differs, const char* name) {
    if (differs) out.emplace_back(name);
  };
  check(a.name != b.name, "name");
  check(a.type != b.type, "type");
  check(a.aliases != b.aliases, "aliases");
  check(a.addresses != b.addresses, "addresses");
  check(a.fqdn != b.fqdn, "fqdn");
  check(a.owner_group != b.owner_group, "owner_group");
  check(a.criticality != b.criticality, "criticality");
  check(a.services != b.services, "services");
  check(a.location != b.location, "location");
  check(a.depends_on != b.depends_on, "depends_on");
  check(a.runbook != b.runbook, "runbook");
  check(a.attributes != b.attributes, "attributes");
  return out;
}

}  // namespace tocsin::cmdb
