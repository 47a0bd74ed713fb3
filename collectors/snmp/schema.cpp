// Schema tables of the `snmp` section and its loader.
#include "collectors/snmp/schema.hpp"

#include <fstream>

#include "collectors/snmp/access.hpp"
#include "correlator/mapping_config.hpp"

namespace tocsin::snmp {

using config::Section;
using config::Type;

const Section& snmp_section() {
  static const Section s{
      "snmp",
      "The SNMP collector: SNMPv1 and SNMPv2c traps, v2c informs, SNMPv3 (USM) traps and informs, decoded by "
      "net-snmp. Informs are answered only once their event is committed.",
      {{"udp", Type::list, "", "UDP listeners (port 162 in production)."},
       {"communities", Type::string_list, "", "v1/v2c communities accepted; empty refuses v1 and v2c."},
       {"engine_id", Type::string, "",
        "Our SNMPv3 engine ID in hex (what inform senders discover); empty = generated at start-up."},
       {"users", Type::list, "", "SNMPv3 USM users."},
       {"allowed_sources", Type::string_list, "", "Sender addresses or CIDR networks (no host bits set after the length) allowed; empty allows all."},
       {"rate_limit", Type::integer, "0", "Notifications per second accepted from one source; 0 = unlimited."},
       {"rate_burst", Type::integer, "0", "Burst a source may send above rate_limit; 0 = one second's worth."},
       {"max_varbinds", Type::integer, "128", "Most varbinds in one notification; more are rejected and counted."},
       {"max_informs_in_flight", Type::integer, "1024",
        "Informs waiting for their commit; more are dropped unanswered (the sender retries)."},
       {"rules", Type::list, "", "Mapping rules, tried before the built-in ones (see <collector>.rules[])."},
       {"default_rules", Type::boolean, "true",
        "Also apply the built-in rules (linkDown/linkUp, coldStart, warmStart, authenticationFailure, BGP, "
        "Cisco, Juniper, Huawei examples)."},
       {"unmatched", Type::choice, "record",
        "What becomes of a notification no rule matches: record it as an info event, raise an alert, or "
        "discard it (counted).",
        {"record", "alert", "discard"}},
       {"mib_dirs", Type::string_list, "",
        "Directories of MIB modules for OID names (read at start-up only); numeric OIDs always work."}}};
  return s;
}

const Section& udp_section() {
  static const Section s{
      "snmp.udp[]",
      "One UDP listener.",
      {{"listen", Type::address, "", "Address and port, e.g. 127.0.0.1:1162 or 0.0.0.0:162.", {}, true},
       {"receive_buffer", Type::size, "8MiB", "Socket receive buffer (SO_RCVBUF); larger absorbs bursts."}}};
  return s;
}

const Section& user_section() {
  static const Section s{
      "snmp.users[]",
      "One SNMPv3 USM user. Informs use our engine ID; traps use the sender's, listed in engine_ids.",
      {{"name", Type::string, "", "Security name.", {}, true},
       {"engine_ids", Type::string_list, "", "Engine IDs (hex) of the devices that send traps as this user."},
       {"auth_protocol", Type::choice, "none", "Authentication.",
        {"none", "MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"}},
       {"auth_passphrase", Type::string, "", "Authentication pass phrase in plain sight (examples, tests)."},
       {"auth_passphrase_file", Type::file, "", "File holding the authentication pass phrase (first line)."},
       {"priv_protocol", Type::choice, "none", "Privacy (encryption); needs authentication.",
        {"none", "DES", "AES", "AES-128", "AES-192", "AES-256"}},
       {"priv_passphrase", Type::string, "", "Privacy pass phrase in plain sight (examples, tests)."},
       {"priv_passphrase_file", Type::file, "", "File holding the privacy pass phrase (first line)."}}};
  return s;
}

namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

std::string secret(const config::Node& n, std::string_view key, std::string_view file_key) {
  std::string value = n.string(key);
  if (std::string file = n.file(file_key); !file.empty()) value = first_line(file);
  return value;
}

UsmUser load_user(const config::Node& n) {
  UsmUser u;
  u.name = n.string("name");
  u.engine_ids = n.string_list("engine_ids");
  u.auth_protocol = n.choice("auth_protocol");
  u.auth_passphrase = secret(n, "auth_passphrase", "auth_passphrase_file");
  u.priv_protocol = n.choice("priv_protocol");
  u.priv_passphrase = secret(n, "priv_passphrase", "priv_passphrase_file");
  if (auto problem = check_user(u); !problem.empty()) n.error(problem);
  return u;
}

Unmatched unmatched_of(const std::string& s) {
  return s == "alert" ? Unmatched::alert : s == "discard" ? Unmatched::discard : Unmatched::record;
}

}  // namespace

Config load_config(const config::Node& root) {
  auto n = root.map("snmp", snmp_section());
  Config c;
  for (const auto& u : n.list("udp", udp_section())) {
    ListenerConfig l;
    if (auto e = u.address("listen")) {
      l.address = e->host;
      l.port = e->port;
    }
    l.receive_buffer_bytes = static_cast<int>(std::min<std::uint64_t>(u.size("receive_buffer"), 1U << 30));
    c.udp.push_back(l);
  }
  c.decoder.communities = n.string_list("communities");
  c.decoder.engine_id = n.string("engine_id");
  if (!c.decoder.engine_id.empty() && !parse_engine_id(c.decoder.engine_id))
    n.error("engine_id", "'" + c.decoder.engine_id + "' is not 5 to 32 bytes of hex, e.g. 0x80001f8880a1b2c3d4");
  for (const auto& u : n.list("users", user_section())) c.decoder.users.push_back(load_user(u));
  c.decoder.max_varbinds = static_cast<std::size_t>(n.integer("max_varbinds", 1, 10'000));
  c.decoder.mib_dirs = n.string_list("mib_dirs");
  c.access.allowed_sources = n.string_list("allowed_sources");
  for (const auto& a : c.access.allowed_sources)
    if (!cmdb::parse_network(a))
      n.error("allowed_sources", "'" + a + "' is not an address or CIDR network (with no host bits set after the prefix)");
  c.access.rate_limit = static_cast<double>(n.integer("rate_limit", 0, 100'000'000));
  c.access.rate_burst = static_cast<double>(n.integer("rate_burst", 0, 100'000'000));
  c.max_informs_in_flight = static_cast<std::size_t>(n.integer("max_informs_in_flight", 1, 1'000'000));
  c.mapping.rules = parse_rules(n, "rules");
  c.mapping.default_rules = n.boolean("default_rules");
  c.mapping.unmatched = unmatched_of(n.choice("unmatched"));
  return c;
}

}  // namespace tocsin::snmp
