#pragma once
// The `email_in` section of the configuration: its schema table (validation,
// defaults, reference documentation) and the loader that builds EmailInConfig.

#include "collectors/email/config.hpp"
#include "config/schema.hpp"

namespace tocsin::email_in {

const config::Section& email_in_section();
// Reads the `email_in` map below `root`; problems go to the node's errors.
EmailInConfig load_config(const config::Node& root);

}  // namespace tocsin::email_in
