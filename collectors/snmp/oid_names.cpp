// The built-in OID table. Numeric OIDs are from the MIB modules named beside
// each group; they never change, so they are safe to ship.
#include "collectors/snmp/oid_names.hpp"

#include <string>
#include <unordered_map>

namespace tocsin::snmp {

namespace {

const std::unordered_map<std::string_view, std::string_view>& table() {
  static const std::unordered_map<std::string_view, std::string_view> names{
      // SNMPv2-MIB
      {"1.3.6.1.2.1.1.1", "sysDescr"},
      {"1.3.6.1.2.1.1.2", "sysObjectID"},
      {"1.3.6.1.2.1.1.3", "sysUpTime"},
      {"1.3.6.1.2.1.1.4", "sysContact"},
      {"1.3.6.1.2.1.1.5", "sysName"},
      {"1.3.6.1.2.1.1.6", "sysLocation"},
      {"1.3.6.1.6.3.1.1.4.1", "snmpTrapOID"},
      {"1.3.6.1.6.3.1.1.4.3", "snmpTrapEnterprise"},
      {"1.3.6.1.6.3.1.1.5.1", "coldStart"},
      {"1.3.6.1.6.3.1.1.5.2", "warmStart"},
      {"1.3.6.1.6.3.1.1.5.3", "linkDown"},
      {"1.3.6.1.6.3.1.1.5.4", "linkUp"},
      {"1.3.6.1.6.3.1.1.5.5", "authenticationFailure"},
      {"1.3.6.1.6.3.1.1.5.6", "egpNeighborLoss"},
      // SNMP-COMMUNITY-MIB (RFC 3584 proxy objects)
      {"1.3.6.1.6.3.18.1.3", "snmpTrapAddress"},
      {"1.3.6.1.6.3.18.1.4", "snmpTrapCommunity"},
      // IF-MIB
      {"1.3.6.1.2.1.2.2.1.1", "ifIndex"},
      {"1.3.6.1.2.1.2.2.1.2", "ifDescr"},
      {"1.3.6.1.2.1.2.2.1.3", "ifType"},
      {"1.3.6.1.2.1.2.2.1.5", "ifSpeed"},
      {"1.3.6.1.2.1.2.2.1.7", "ifAdminStatus"},
      {"1.3.6.1.2.1.2.2.1.8", "ifOperStatus"},
      {"1.3.6.1.2.1.2.2.1.9", "ifLastChange"},
      {"1.3.6.1.2.1.31.1.1.1.1", "ifName"},
      {"1.3.6.1.2.1.31.1.1.1.18", "ifAlias"},
      // ENTITY-MIB
      {"1.3.6.1.2.1.47.1.1.1.1.2", "entPhysicalDescr"},
      {"1.3.6.1.2.1.47.1.1.1.1.7", "entPhysicalName"},
      // BGP4-MIB: the v1-style bgpTraps and the RFC 4273 notifications
      {"1.3.6.1.2.1.15.3.1.2", "bgpPeerState"},
      {"1.3.6.1.2.1.15.3.1.7", "bgpPeerRemoteAddr"},
      {"1.3.6.1.2.1.15.3.1.14", "bgpPeerLastError"},
      {"1.3.6.1.2.1.15.7.1", "bgpEstablished"},
      {"1.3.6.1.2.1.15.7.2", "bgpBackwardTransition"},
      {"1.3.6.1.2.1.15.0.1", "bgpEstablishedNotification"},
      {"1.3.6.1.2.1.15.0.2", "bgpBackwardTransNotification"},
      // CISCO-CONFIG-MAN-MIB, CISCO-ENVMON-MIB
      {"1.3.6.1.4.1.9.9.43.2.0.1", "ciscoConfigManEvent"},
      {"1.3.6.1.4.1.9.9.43.1.1.6.1.3", "ccmHistoryEventCommandSource"},
      {"1.3.6.1.4.1.9.9.43.1.1.6.1.5", "ccmHistoryEventConfigDestination"},
      {"1.3.6.1.4.1.9.9.13.3.0.3", "ciscoEnvMonTemperatureNotification"},
      {"1.3.6.1.4.1.9.9.13.3.0.4", "ciscoEnvMonFanNotification"},
      {"1.3.6.1.4.1.9.9.13.3.0.5", "ciscoEnvMonRedundantSupplyNotification"},
      {"1.3.6.1.4.1.9.9.13.1.3.1.2", "ciscoEnvMonTemperatureStatusDescr"},
      {"1.3.6.1.4.1.9.9.13.1.3.1.3", "ciscoEnvMonTemperatureStatusValue"},
      {"1.3.6.1.4.1.9.9.13.1.4.1.2", "ciscoEnvMonFanStatusDescr"},
      {"1.3.6.1.4.1.9.9.13.1.5.1.2", "ciscoEnvMonSupplyStatusDescr"},
      // JUNIPER-MIB chassis traps
      {"1.3.6.1.4.1.2636.4.1.1", "jnxPowerSupplyFailure"},
      {"1.3.6.1.4.1.2636.4.1.2", "jnxFanFailure"},
      {"1.3.6.1.4.1.2636.4.1.3", "jnxOverTemperature"},
      {"1.3.6.1.4.1.2636.4.2.1", "jnxPowerSupplyOK"},
      {"1.3.6.1.4.1.2636.4.2.2", "jnxFanOK"},
      {"1.3.6.1.4.1.2636.4.2.3", "jnxTemperatureOK"},
      {"1.3.6.1.4.1.2636.3.1.8.1.6", "jnxContentsDescr"},
      // HUAWEI-ENTITY-TRAP-MIB
      {"1.3.6.1.4.1.2011.5.25.219.2.2.5", "hwBoardFail"},
      {"1.3.6.1.4.1.2011.5.25.219.2.2.6", "hwBoardFailResume"},
  };
  return names;
}

}  // namespace

OidName builtin_name(std::string_view oid) {
  const auto& names = table();
  std::string_view prefix = oid;
  for (;;) {
    if (auto it = names.find(prefix); it != names.end()) {
      std::string_view rest = oid.substr(prefix.size());
      if (!rest.empty()) rest.remove_prefix(1);
      return {std::string(it->second), std::string(rest), std::string(prefix)};
    }
    auto dot = prefix.rfind('.');
    if (dot == std::string_view::npos) return {};
    prefix = prefix.substr(0, dot);
  }
}

}  // namespace tocsin::snmp
