#pragma once
// What the SNMP decoder hands to the mapping stage: one notification (an
// SNMPv1 trap translated to the v2 form of RFC 3584, a v2c/v3 trap or inform)
// with its varbinds rendered as text, or the reason it was refused.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::snmp {

enum class Reject : std::uint8_t {
  parse_error,
  bad_version,
  unknown_community,
  unknown_user,
  unknown_engine_id,
  wrong_digest,
  not_in_time_window,
  decryption_error,
  unsupported_security_level,
  unknown_security_model,
  not_a_notification,
  missing_trap_oid,
  too_many_varbinds,
  too_long,
  source_not_allowed,
  rate_limited,
};

inline constexpr std::array all_reject_reasons{
    Reject::parse_error,        Reject::bad_version,          Reject::unknown_community,
    Reject::unknown_user,       Reject::unknown_engine_id,    Reject::wrong_digest,
    Reject::not_in_time_window, Reject::decryption_error,     Reject::unsupported_security_level,
    Reject::unknown_security_model, Reject::not_a_notification, Reject::missing_trap_oid,
    Reject::too_many_varbinds,  Reject::too_long,             Reject::source_not_allowed,
    Reject::rate_limited};

std::string_view to_string(Reject r);

struct Varbind {
  std::string oid;    // numeric, "1.3.6.1.2.1.2.2.1.1.2"
  std::string name;   // "ifIndex.2"; empty when the OID is not known
  std::string type;   // "INTEGER", "OCTET STRING", "TimeTicks", ...
  std::string value;  // readable: text or hex, dotted IP, ticks, ...
};

struct Trap {
  std::string version;         // "1", "2c", "3"
  bool inform = false;         // the sender waits for a response
  std::string community;       // v1, v2c
  std::string user;            // v3 security name
  std::string security_level;  // v3: noAuthNoPriv, authNoPriv, authPriv
  std::string trap_oid;        // numeric snmpTrapOID (v1: translated per RFC 3584)
  std::string trap_name;       // "linkDown"; empty when not known
  std::string agent_address;   // v1 agent-addr, v2 snmpTrapAddress.0, else the sender
  std::uint32_t uptime = 0;    // sysUpTime of the agent, hundredths of a second
  std::vector<Varbind> varbinds;  // without sysUpTime.0 and snmpTrapOID.0
};

}  // namespace tocsin::snmp
