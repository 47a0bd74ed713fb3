#pragma once
// Configuration of the incident engine: the CMDB files, the priority matrix
// and the assignment rules (sections `cmdb`, `priority`, `assignment`), loaded
// into the CorrelatorConfig. The CMDB snapshot is built here, so that
// --check-config reports CMDB errors with file:line and a reload with a bad
// CMDB keeps the running one.

#include <vector>

#include "config/schema.hpp"
#include "correlator/correlator.hpp"

namespace tocsin {

const config::Section& cmdb_section();
const config::Section& priority_section();
const config::Section& assignment_section();
const config::Section& assignment_rule_section();

// Reads the three sections from the top level; `default_group` of `cmdb`
// overrides correlation.default_group when given.
void load_engine_settings(const config::Node& root, CorrelatorConfig& config);

}  // namespace tocsin
