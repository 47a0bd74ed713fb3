#pragma once
// The `mqtt` section of the configuration: its schema tables (validation,
// defaults, reference documentation) and the loader that builds MqttConfig.

#include <vector>

#include "collectors/mqtt/config.hpp"
#include "config/schema.hpp"

namespace tocsin::mqtt {

const config::Section& mqtt_section();
const config::Section& broker_section();
// Reads the `mqtt` map below `root`; problems go to the node's errors.
MqttConfig load_config(const config::Node& root);

}  // namespace tocsin::mqtt
