#pragma once
// Configuration of the SNMP collector, as the daemon's `snmp` section fills it
// (daemon/settings.cpp holds the schema table and the loader).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "collectors/snmp/decoder.hpp"
#include "correlator/mapping.hpp"

namespace tocsin::snmp {

struct ListenerConfig {
  std::string address;  // IP literal
  std::uint16_t port = 162;
  int receive_buffer_bytes = 8 * 1024 * 1024;
};

struct AccessConfig {
  std::vector<std::string> allowed_sources;  // CIDR or address; empty allows every source
  double rate_limit = 0;                     // notifications per second per source; 0 = unlimited
  double rate_burst = 0;                     // bucket size; 0 = one second's worth
};

// What becomes of a notification no rule matches.
enum class Unmatched { record, alert, discard };

struct MappingConfig {
  std::vector<RuleSpec> rules;  // user rules, tried first
  bool default_rules = true;    // then the built-in rules
  Unmatched unmatched = Unmatched::record;
};

struct Config {
  std::vector<ListenerConfig> udp;
  DecoderConfig decoder;
  AccessConfig access;
  MappingConfig mapping;
  std::size_t max_informs_in_flight = 1024;  // unanswered informs; more are dropped (the sender retries)
};

std::vector<RuleSpec> default_rules();

}  // namespace tocsin::snmp
