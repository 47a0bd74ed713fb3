#pragma once
// Names of OIDs for fields and display. A built-in table covers the standard
// notifications and the objects rules key on (SNMPv2-MIB, IF-MIB, ENTITY-MIB,
// BGP4-MIB and the vendor examples of the default rules), so that rules work
// without any MIB file; MIB modules loaded by net-snmp add the rest.

#include <string>
#include <string_view>

namespace tocsin::snmp {

struct OidName {
  std::string name;      // "ifIndex"; empty when unknown
  std::string instance;  // what follows the object: "2" for ifIndex.2
  std::string object;    // numeric OID of the object, "1.3.6.1.2.1.2.2.1.1"
};

// The longest known prefix of a numeric OID in the built-in table.
OidName builtin_name(std::string_view numeric_oid);

}  // namespace tocsin::snmp
