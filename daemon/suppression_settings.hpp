#pragma once
// Configuration of maintenance windows (section `maintenance`, a list): one
// entry per window, checked with the same rules as a window added through the
// API. Windows added through the API are not part of the file and survive a
// reload.

#include <vector>

#include "config/schema.hpp"
#include "correlator/suppression/records.hpp"

namespace tocsin {

const config::Section& maintenance_section();

std::vector<suppression::MaintenanceWindow> load_maintenance_settings(const config::Node& root);

}  // namespace tocsin
