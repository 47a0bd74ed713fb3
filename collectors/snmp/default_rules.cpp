// Rules shipped with the SNMP collector, by numeric OID so that they work
// without MIB files: the standard notifications of SNMPv2-MIB (linkDown and
// linkUp as a clear pair keyed by ifIndex) and BGP4-MIB, and examples of
// common vendor notifications (Cisco, Juniper, Huawei). User rules come first
// and can override any of them.
#include "collectors/snmp/config.hpp"

namespace tocsin::snmp {

namespace {

// Anchored match on the trap OID: "1.3.6.1.6.3.1.1.5.3" must not match ".31".
std::string exactly(std::string_view oid) {
  std::string re = "^";
  for (char c : oid) {
    if (c == '.') re += '\\';
    re += c;
  }
  return re + "$";
}

RuleSpec rule(std::string name, std::string_view trap_oid, std::string event, std::string severity,
              std::string summary) {
  RuleSpec r;
  r.name = std::move(name);
  r.origin = "built-in snmp rules";
  r.match = {{"trap_oid", exactly(trap_oid)}};
  r.event = std::move(event);
  r.kind = "problem";
  r.severity = std::move(severity);
  r.resource = "{host}";
  r.summary = std::move(summary);
  return r;
}

RuleSpec clear(RuleSpec r, std::string clears) {
  r.kind = "clear";
  r.severity = "clear";
  r.clears = std::move(clears);
  return r;
}

RuleSpec info(RuleSpec r) {
  r.kind = "info";
  return r;
}

RuleSpec keyed(RuleSpec r, std::vector<std::string> fingerprint) {
  r.fingerprint = std::move(fingerprint);
  return r;
}

RuleSpec with(RuleSpec r, std::string attribute, std::string value) {
  r.attributes.emplace_back(std::move(attribute), std::move(value));
  return r;
}

std::vector<RuleSpec> standard_rules() {
  return {
      keyed(rule("snmp-link-down", "1.3.6.1.6.3.1.1.5.3", "link_down", "major",
                 "Interface {interface} down on {host}"),
            {"ifIndex"}),
      keyed(clear(rule("snmp-link-up", "1.3.6.1.6.3.1.1.5.4", "link_up", "clear", "Interface {interface} up on {host}"),
                  "link_down"),
            {"ifIndex"}),
      rule("snmp-cold-start", "1.3.6.1.6.3.1.1.5.1", "cold_start", "warning", "{host} restarted (coldStart)"),
      rule("snmp-warm-start", "1.3.6.1.6.3.1.1.5.2", "warm_start", "warning", "{host} restarted (warmStart)"),
      rule("snmp-authentication-failure", "1.3.6.1.6.3.1.1.5.5", "snmp_authentication_failure", "minor",
           "SNMP authentication failure reported by {host}"),
      with(keyed(rule("bgp-backward-transition", "1.3.6.1.2.1.15.7.2", "bgp_session_down", "major",
                      "BGP session to {bgpPeerRemoteAddr} down on {host}"),
                 {"peer"}),
           "peer", "{bgpPeerRemoteAddr}"),
      with(keyed(clear(rule("bgp-established", "1.3.6.1.2.1.15.7.1", "bgp_session_up", "clear",
                            "BGP session to {bgpPeerRemoteAddr} established on {host}"),
                       "bgp_session_down"),
                 {"peer"}),
           "peer", "{bgpPeerRemoteAddr}"),
      with(keyed(rule("bgp-backward-transition-rfc4273", "1.3.6.1.2.1.15.0.2", "bgp_session_down", "major",
                      "BGP session to {bgpPeerRemoteAddr} down on {host}"),
                 {"peer"}),
           "peer", "{bgpPeerRemoteAddr}"),
      with(keyed(clear(rule("bgp-established-rfc4273", "1.3.6.1.2.1.15.0.1", "bgp_session_up", "clear",
                            "BGP session to {bgpPeerRemoteAddr} established on {host}"),
                       "bgp_session_down"),
                 {"peer"}),
           "peer", "{bgpPeerRemoteAddr}"),
  };
}

std::vector<RuleSpec> vendor_rules() {
  return {
      // Cisco CISCO-CONFIG-MAN-MIB and CISCO-ENVMON-MIB
      info(rule("cisco-config-changed", "1.3.6.1.4.1.9.9.43.2.0.1", "config_changed", "info",
                "Configuration changed on {host}")),
      with(keyed(rule("cisco-temperature", "1.3.6.1.4.1.9.9.13.3.0.3", "temperature_alarm", "major",
                      "Temperature alarm on {host}: {ciscoEnvMonTemperatureStatusDescr}"),
                 {"sensor"}),
           "sensor", "{ciscoEnvMonTemperatureStatusDescr}"),
      with(keyed(rule("cisco-fan", "1.3.6.1.4.1.9.9.13.3.0.4", "fan_failure", "major",
                      "Fan alarm on {host}: {ciscoEnvMonFanStatusDescr}"),
                 {"component"}),
           "component", "{ciscoEnvMonFanStatusDescr}"),
      with(keyed(rule("cisco-power-supply", "1.3.6.1.4.1.9.9.13.3.0.5", "power_supply_failure", "major",
                      "Power supply alarm on {host}: {ciscoEnvMonSupplyStatusDescr}"),
                 {"component"}),
           "component", "{ciscoEnvMonSupplyStatusDescr}"),
      // Juniper JUNIPER-MIB chassis traps: failure and OK pairs per component
      with(keyed(rule("juniper-power-supply-failure", "1.3.6.1.4.1.2636.4.1.1", "power_supply_failure", "critical",
                      "Power supply failure on {host}: {jnxContentsDescr}"),
                 {"component"}),
           "component", "{jnxContentsDescr}"),
      with(keyed(clear(rule("juniper-power-supply-ok", "1.3.6.1.4.1.2636.4.2.1", "power_supply_ok", "clear",
                            "Power supply OK on {host}: {jnxContentsDescr}"),
                       "power_supply_failure"),
                 {"component"}),
           "component", "{jnxContentsDescr}"),
      with(keyed(rule("juniper-fan-failure", "1.3.6.1.4.1.2636.4.1.2", "fan_failure", "major",
                      "Fan failure on {host}: {jnxContentsDescr}"),
                 {"component"}),
           "component", "{jnxContentsDescr}"),
      with(keyed(clear(rule("juniper-fan-ok", "1.3.6.1.4.1.2636.4.2.2", "fan_ok", "clear",
                            "Fan OK on {host}: {jnxContentsDescr}"),
                       "fan_failure"),
                 {"component"}),
           "component", "{jnxContentsDescr}"),
      with(keyed(rule("juniper-over-temperature", "1.3.6.1.4.1.2636.4.1.3", "temperature_alarm", "critical",
                      "Over temperature on {host}: {jnxContentsDescr}"),
                 {"sensor"}),
           "sensor", "{jnxContentsDescr}"),
      with(keyed(clear(rule("juniper-temperature-ok", "1.3.6.1.4.1.2636.4.2.3", "temperature_ok", "clear",
                            "Temperature OK on {host}: {jnxContentsDescr}"),
                       "temperature_alarm"),
                 {"sensor"}),
           "sensor", "{jnxContentsDescr}"),
      // Huawei HUAWEI-ENTITY-TRAP-MIB board failure and its resume
      with(keyed(rule("huawei-board-fail", "1.3.6.1.4.1.2011.5.25.219.2.2.5", "board_failure", "critical",
                      "Board failure on {host}: {entPhysicalName}"),
                 {"component"}),
           "component", "{entPhysicalName}"),
      with(keyed(clear(rule("huawei-board-fail-resume", "1.3.6.1.4.1.2011.5.25.219.2.2.6", "board_ok", "clear",
                            "Board recovered on {host}: {entPhysicalName}"),
                       "board_failure"),
                 {"component"}),
           "component", "{entPhysicalName}"),
  };
}

}  // namespace

std::vector<RuleSpec> default_rules() {
  auto rules = standard_rules();
  auto vendor = vendor_rules();
  rules.insert(rules.end(), vendor.begin(), vendor.end());
  return rules;
}

}  // namespace tocsin::snmp
