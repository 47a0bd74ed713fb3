#pragma once
// The `snmp` section of the configuration: its schema tables (validation,
// defaults, reference documentation) and the loader that builds Config.

#include <vector>

#include "collectors/snmp/config.hpp"
#include "config/schema.hpp"

namespace tocsin::snmp {

const config::Section& snmp_section();
const config::Section& udp_section();
const config::Section& user_section();
// Reads the `snmp` map below `root`; problems go to the node's errors.
Config load_config(const config::Node& root);

}  // namespace tocsin::snmp
