// Rules shipped with the syslog collector: the interface up/down messages of
// the common network operating systems and of Linux, each as a problem/clear
// pair keyed by interface so that "up" resolves the matching "down".
#include "collectors/syslog/decoder.hpp"

namespace tocsin::syslog {

namespace {
using Match = std::vector<std::pair<std::string, std::string>>;

RuleSpec down(std::string name, Match match) {
  RuleSpec r;
  r.name = std::move(name);
  r.origin = "built-in syslog rules";
  r.match = std::move(match);
  r.event = "interface_down";
  r.kind = "problem";
  r.severity = "major";
  r.summary = "Interface {interface} down on {host}";
  r.fingerprint = {"interface"};
  return r;
}

RuleSpec up(std::string name, Match match) {
  RuleSpec r = down(std::move(name), std::move(match));
  r.event = "interface_up";
  r.kind = "clear";
  r.severity = "clear";
  r.clears = "interface_down";
  r.summary = "Interface {interface} up on {host}";
  return r;
}
}  // namespace

std::vector<RuleSpec> default_rules() {
  // The parser moves vendor tags out of the message (app_name "%LINK-3-UPDOWN",
  // junos_tag "SNMP_TRAP_LINK_DOWN"), so rules match the tag and the text apart.
  return {
      // Cisco IOS/IOS-XE %LINK-3-UPDOWN and %LINEPROTO-5-UPDOWN: both report the
      // same outage and fold into one alert per interface.
      down("cisco-interface-down",
           {{"message", R"(Interface (?P<interface>[^,\s]+), changed state to (?:down|administratively down))"}}),
      up("cisco-interface-up", {{"message", R"(Interface (?P<interface>[^,\s]+), changed state to up)"}}),
      // Cisco NX-OS %ETHPORT-5-IF_DOWN_<reason> / %ETHPORT-5-IF_UP
      down("nxos-interface-down",
           {{"app_name", R"(ETHPORT-\d-IF_DOWN_)"}, {"message", R"(^Interface (?P<interface>\S+) is down)"}}),
      up("nxos-interface-up", {{"app_name", R"(ETHPORT-\d-IF_UP$)"}, {"message", R"(^Interface (?P<interface>\S+) is up)"}}),
      // Juniper Junos mib2d SNMP_TRAP_LINK_DOWN / SNMP_TRAP_LINK_UP
      down("junos-interface-down",
           {{"junos_tag", "^SNMP_TRAP_LINK_DOWN$"}, {"message", R"(ifName (?P<interface>[^,\s]+))"}}),
      up("junos-interface-up", {{"junos_tag", "^SNMP_TRAP_LINK_UP$"}, {"message", R"(ifName (?P<interface>[^,\s]+))"}}),
      // Huawei VRP IFNET/LINK_STATE ("entered the DOWN state") and H3C IFNET/PHY_UPDOWN
      down("vrp-interface-down",
           {{"message", R"((?i)on the interface (?P<interface>\S+?)(?: has entered the DOWN state| changed to down))"}}),
      up("vrp-interface-up",
         {{"message", R"((?i)on the interface (?P<interface>\S+?)(?: has entered the UP state| changed to up))"}}),
      // Linux kernel drivers: "e1000e: eth0 NIC Link is Down"
      down("linux-nic-down", {{"message", R"((?P<interface>[A-Za-z0-9._-]+):? NIC Link is Down)"}}),
      up("linux-nic-up", {{"message", R"((?P<interface>[A-Za-z0-9._-]+):? NIC Link is Up)"}}),
  };
}

}  // namespace tocsin::syslog
