#pragma once
// The schema of a mapping rule in YAML, shared by every collector's `rules:`.

#include <vector>

#include "config/schema.hpp"
#include "correlator/mapping.hpp"

namespace tocsin {

const config::Section& rule_section();
std::vector<RuleSpec> parse_rules(const config::Node& parent, std::string_view key);

}  // namespace tocsin
