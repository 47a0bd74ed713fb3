// Specification of the syslog parser, the first stage of the syslog collector:
// a table of real wire lines (RFC examples, vendor documentation, captures)
// with what a person expects to see, then the rejections and limits.

#include "collectors/syslog/parser.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

// Table rows name only the members that matter for that line and leave the
// rest at their defaults; GCC 12 warns about exactly that.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace tocsin::syslog {
namespace {

struct WireCase {
  const char* name;
  std::string line;
  Format format = Format::rfc3164;
  int facility = 1;
  int severity = 5;
  std::string timestamp;
  std::int64_t timestamp_ms = 0;
  std::string hostname;
  std::string app_name;
  std::string proc_id;
  std::string msg_id;
  std::string message;
  Fields fields;
};

void PrintTo(const WireCase& c, std::ostream* os) { *os << c.line; }

class WireLine : public testing::TestWithParam<WireCase> {};

TEST_P(WireLine, ParsesAsAPersonReadsIt) {
  const WireCase& expected = GetParam();
  const ParseResult result = parse(expected.line);
  ASSERT_TRUE(result.message) << "rejected: " << to_string(result.reason);
  const Message& m = *result.message;
  EXPECT_EQ(m.format, expected.format);
  EXPECT_EQ(m.facility, expected.facility);
  EXPECT_EQ(m.severity, expected.severity);
  EXPECT_EQ(m.timestamp, expected.timestamp);
  EXPECT_EQ(m.timestamp_ms, expected.timestamp_ms);
  EXPECT_EQ(m.hostname, expected.hostname);
  EXPECT_EQ(m.app_name, expected.app_name);
  EXPECT_EQ(m.proc_id, expected.proc_id);
  EXPECT_EQ(m.msg_id, expected.msg_id);
  EXPECT_EQ(m.message, expected.message);
  EXPECT_EQ(m.fields, expected.fields);
  EXPECT_FALSE(m.fields_truncated);
}

// 2024-03-01T18:46:11Z, the moment most vendor samples below were taken.
constexpr std::int64_t march_1_2024_184611_utc = 1709318771000;

const WireCase rfc_examples[] = {
    {.name = "Rfc3164Section54Example1",
     .line = "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
     .facility = 4, .severity = 2, .timestamp = "Oct 11 22:14:15", .hostname = "mymachine", .app_name = "su",
     .message = "'su root' failed for lonvick on /dev/pts/8"},
    {.name = "Rfc3164Section54Example2WithoutPriIsUserNotice",
     .line = "Use the BFG!", .message = "Use the BFG!"},
    {.name = "Rfc3164Section54Example2AsRelayedHasIpHostnameAndNoTag",
     .line = "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!",
     .timestamp = "Feb  5 17:32:18", .hostname = "10.0.0.99", .message = "Use the BFG!"},
    {.name = "Rfc3164Section54Example3ZoneAndYearBelongToTheTimestamp",
     .line = "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  "
             "Ingredients: Mix=OK, Jelly=OK # Devices: Mixer=OK, Jelly_Injector=OK, Frier=OK # Transport: "
             "Conveyer1=OK, Conveyer2=OK # %%",
     .facility = 20, .severity = 5, .timestamp = "Aug 24 05:34:00 CST 1987", .hostname = "mymachine",
     .app_name = "myproc", .proc_id = "10",
     .message = "%% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK # Devices: Mixer=OK, "
                "Jelly_Injector=OK, Frier=OK # Transport: Conveyer1=OK, Conveyer2=OK # %%"},
    {.name = "Rfc3164Section54Example4AsRelayedKeepsTheOriginalHeaderInMsg",
     .line = "<0>Oct 22 10:52:12 scapegoat 1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 "
             "sched[0]: That's All Folks!",
     .facility = 0, .severity = 0, .timestamp = "Oct 22 10:52:12", .hostname = "scapegoat",
     .message = "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!"},
    // The RFC calls this timestamp invalid; it is also the NX-OS layout, which wins.
    {.name = "Rfc3164Section54Example4AsSentReadsYearFirstLikeNxOs",
     .line = "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
     .facility = 0, .severity = 0, .timestamp = "1990 Oct 22 10:52:01", .timestamp_ms = 656592721000,
     .hostname = "TZ-6", .message = "scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!"},
    {.name = "Rfc5424Section65Example1NoStructuredDataAndBom",
     .line = "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
             "\xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8",
     .format = Format::rfc5424, .facility = 4, .severity = 2, .timestamp = "2003-10-11T22:14:15.003Z",
     .timestamp_ms = 1065910455003, .hostname = "mymachine.example.com", .app_name = "su", .msg_id = "ID47",
     .message = "'su root' failed for lonvick on /dev/pts/8"},
    {.name = "Rfc5424Section65Example2MicrosecondsAndOffset",
     .line = "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
     .format = Format::rfc5424, .facility = 20, .severity = 5, .timestamp = "2003-08-24T05:14:15.000003-07:00",
     .timestamp_ms = 1061727255000, .hostname = "192.0.2.1", .app_name = "myproc", .proc_id = "8710",
     .message = "%% It's time to make the do-nuts."},
};

const WireCase linux_lines[] = {
    {.name = "Rfc3164RsyslogWithPid",
     .line = "<38>Mar  1 18:46:11 web01 sshd[1234]: Failed password for invalid user admin from 203.0.113.7 "
             "port 52222 ssh2",
     .facility = 4, .severity = 6, .timestamp = "Mar  1 18:46:11", .hostname = "web01", .app_name = "sshd",
     .proc_id = "1234", .message = "Failed password for invalid user admin from 203.0.113.7 port 52222 ssh2"},
    {.name = "Rfc3164JournaldForwardedSystemdUnit",
     .line = "<30>Mar  1 18:46:11 web01 systemd[1]: Started Session 42 of user root.",
     .facility = 3, .severity = 6, .timestamp = "Mar  1 18:46:11", .hostname = "web01", .app_name = "systemd",
     .proc_id = "1", .message = "Started Session 42 of user root."},
    {.name = "Rfc3164KernelWithoutPid",
     .line = "<4>Mar  1 18:46:11 web01 kernel: [12345.678901] e1000e: eth0 NIC Link is Down",
     .facility = 0, .severity = 4, .timestamp = "Mar  1 18:46:11", .hostname = "web01", .app_name = "kernel",
     .message = "[12345.678901] e1000e: eth0 NIC Link is Down"},
    {.name = "Rfc3164CronWithUpperCaseTag",
     .line = "<78>Mar  1 18:46:01 web01 CRON[4242]: (root) CMD (run-parts /etc/cron.hourly)",
     .facility = 9, .severity = 6, .timestamp = "Mar  1 18:46:01", .hostname = "web01", .app_name = "CRON",
     .proc_id = "4242", .message = "(root) CMD (run-parts /etc/cron.hourly)"},
    {.name = "Rfc3164PostfixTagWithSlash",
     .line = "<22>Mar 11 18:46:11 mail01 postfix/smtpd[2345]: connect from unknown[198.51.100.3]",
     .facility = 2, .severity = 6, .timestamp = "Mar 11 18:46:11", .hostname = "mail01",
     .app_name = "postfix/smtpd", .proc_id = "2345", .message = "connect from unknown[198.51.100.3]"},
    {.name = "Rfc3164RsyslogForwardFormatIsoTimestampHasEpoch",
     .line = "<13>2024-03-01T10:00:00.123456+01:00 host app[1]: msg",
     .timestamp = "2024-03-01T10:00:00.123456+01:00", .timestamp_ms = 1709283600123, .hostname = "host",
     .app_name = "app", .proc_id = "1", .message = "msg"},
    {.name = "Rfc3164LoggerToLocalSocketHasNoHostname",
     .line = "<13>Mar  1 18:46:11 alice: hello",
     .timestamp = "Mar  1 18:46:11", .app_name = "alice", .message = "hello"},
    {.name = "Rfc3164TagGluedToMessageWithoutSpace",
     .line = "<13>Mar  1 18:46:11 web01 app:msg body",
     .timestamp = "Mar  1 18:46:11", .hostname = "web01", .app_name = "app", .message = "msg body"},
    {.name = "Rfc3164Ipv4Hostname",
     .line = "<134>Mar  1 18:46:11 192.0.2.10 haproxy[812]: 203.0.113.9:51234 [01/Mar/2024:18:46:11.123] fe be/s1 "
             "0/0/1/2/3 200 512 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"",
     .facility = 16, .severity = 6, .timestamp = "Mar  1 18:46:11", .hostname = "192.0.2.10",
     .app_name = "haproxy", .proc_id = "812",
     .message = "203.0.113.9:51234 [01/Mar/2024:18:46:11.123] fe be/s1 0/0/1/2/3 200 512 - - ---- 1/1/0/0/0 0/0 "
                "\"GET / HTTP/1.1\""},
    {.name = "Rfc3164Ipv6HostnameIsNotMistakenForATag",
     .line = "<134>Mar  1 18:46:11 2001:db8::10 nginx: upstream timed out",
     .facility = 16, .severity = 6, .timestamp = "Mar  1 18:46:11", .hostname = "2001:db8::10",
     .app_name = "nginx", .message = "upstream timed out"},
};

const WireCase cisco_lines[] = {
    {.name = "Rfc3164CiscoIosWithSequenceNumberHasNoHostname",
     .line = "<187>123: Mar  1 18:46:11.123: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
     .facility = 23, .severity = 3, .timestamp = "Mar  1 18:46:11.123", .app_name = "%LINK-3-UPDOWN",
     .message = "Interface GigabitEthernet0/1, changed state to down",
     .fields = {{"cisco_seq", "123"}, {"cisco_facility", "LINK"}, {"cisco_severity", "3"},
                {"cisco_mnemonic", "UPDOWN"}}},
    {.name = "Rfc3164CiscoIosUnsyncedClockWithYearAndUtcHasEpoch",
     .line = "<187>124: *Mar  1 2024 18:46:11.123 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed "
             "state to down",
     .facility = 23, .severity = 3, .timestamp = "Mar  1 2024 18:46:11.123 UTC",
     .timestamp_ms = march_1_2024_184611_utc + 123, .app_name = "%LINK-3-UPDOWN",
     .message = "Interface GigabitEthernet0/1, changed state to down",
     .fields = {{"cisco_seq", "124"}, {"cisco_clock", "unsynced"}, {"cisco_facility", "LINK"},
                {"cisco_severity", "3"}, {"cisco_mnemonic", "UPDOWN"}}},
    {.name = "Rfc3164CiscoIosLostSyncDotAndNamedZoneWithoutYear",
     .line = "<190>67: .Mar  1 18:46:11.123 UTC: %SEC_LOGIN-5-LOGIN_SUCCESS: Login Success [user: admin] [Source: "
             "10.0.0.5] [localport: 22] at 18:46:11 UTC Fri Mar 1 2024",
     .facility = 23, .severity = 6, .timestamp = "Mar  1 18:46:11.123 UTC",
     .app_name = "%SEC_LOGIN-5-LOGIN_SUCCESS",
     .message = "Login Success [user: admin] [Source: 10.0.0.5] [localport: 22] at 18:46:11 UTC Fri Mar 1 2024",
     .fields = {{"cisco_seq", "67"}, {"cisco_clock", "sync_lost"}, {"cisco_facility", "SEC_LOGIN"},
                {"cisco_severity", "5"}, {"cisco_mnemonic", "LOGIN_SUCCESS"}}},
    {.name = "Rfc3164CiscoIosOriginIdHostnameBeforeTimestamp",
     .line = "<189>45: router1: Mar  1 18:46:11: %SYS-5-CONFIG_I: Configured from console by admin on vty0 "
             "(10.0.0.5)",
     .facility = 23, .severity = 5, .timestamp = "Mar  1 18:46:11", .hostname = "router1",
     .app_name = "%SYS-5-CONFIG_I", .message = "Configured from console by admin on vty0 (10.0.0.5)",
     .fields = {{"cisco_seq", "45"}, {"cisco_facility", "SYS"}, {"cisco_severity", "5"},
                {"cisco_mnemonic", "CONFIG_I"}}},
    {.name = "Rfc3164CiscoIosBehindRelayHeaderKeepsDeviceTimestampAsField",
     .line = "<189>Mar 1 18:46:11 router1 45: *Mar 1 18:46:11: %LINEPROTO-5-UPDOWN: Line protocol on Interface "
             "GigabitEthernet0/1, changed state to up",
     .facility = 23, .severity = 5, .timestamp = "Mar 1 18:46:11", .hostname = "router1",
     .app_name = "%LINEPROTO-5-UPDOWN",
     .message = "Line protocol on Interface GigabitEthernet0/1, changed state to up",
     .fields = {{"cisco_seq", "45"}, {"cisco_timestamp", "Mar 1 18:46:11"}, {"cisco_facility", "LINEPROTO"},
                {"cisco_severity", "5"}, {"cisco_mnemonic", "UPDOWN"}}},
    {.name = "Rfc3164CiscoIosWithoutTimestampsService",
     .line = "<188>1234: %SW_MATM-4-MACFLAP_NOTIF: Host 0050.56a0.1234 in vlan 10 is flapping between port "
             "Gi1/0/1 and port Gi1/0/2",
     .facility = 23, .severity = 4, .app_name = "%SW_MATM-4-MACFLAP_NOTIF",
     .message = "Host 0050.56a0.1234 in vlan 10 is flapping between port Gi1/0/1 and port Gi1/0/2",
     .fields = {{"cisco_seq", "1234"}, {"cisco_facility", "SW_MATM"}, {"cisco_severity", "4"},
                {"cisco_mnemonic", "MACFLAP_NOTIF"}}},
    {.name = "Rfc3164CiscoNxOsYearFirstTimestampWithHostname",
     .line = "<187>2024 Mar  1 18:46:11 nx-sw01 %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down "
             "(Link failure)",
     .facility = 23, .severity = 3, .timestamp = "2024 Mar  1 18:46:11", .timestamp_ms = march_1_2024_184611_utc,
     .hostname = "nx-sw01", .app_name = "%ETHPORT-5-IF_DOWN_LINK_FAILURE",
     .message = "Interface Ethernet1/1 is down (Link failure)",
     .fields = {{"cisco_facility", "ETHPORT"}, {"cisco_severity", "5"}, {"cisco_mnemonic", "IF_DOWN_LINK_FAILURE"}}},
    {.name = "Rfc3164CiscoNxOsEmptySequenceAndZone",
     .line = "<187>: 2024 Mar  1 18:46:11 UTC: %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down "
             "(Link failure)",
     .facility = 23, .severity = 3, .timestamp = "2024 Mar  1 18:46:11 UTC",
     .timestamp_ms = march_1_2024_184611_utc, .app_name = "%ETHPORT-5-IF_DOWN_LINK_FAILURE",
     .message = "Interface Ethernet1/1 is down (Link failure)",
     .fields = {{"cisco_facility", "ETHPORT"}, {"cisco_severity", "5"}, {"cisco_mnemonic", "IF_DOWN_LINK_FAILURE"}}},
    {.name = "Rfc3164CiscoIosXrNodeProgramAndSpacedColonTag",
     .line = "<187>1234: RP/0/RSP0/CPU0:Mar  1 18:46:11.123 UTC: ifmgr[227]: %PKT_INFRA-LINK-3-UPDOWN : Interface "
             "GigabitEthernet0/0/0/1, changed state to Down",
     .facility = 23, .severity = 3, .timestamp = "Mar  1 18:46:11.123 UTC", .app_name = "ifmgr", .proc_id = "227",
     .message = "Interface GigabitEthernet0/0/0/1, changed state to Down",
     .fields = {{"cisco_seq", "1234"}, {"cisco_node", "RP/0/RSP0/CPU0"}, {"cisco_facility", "PKT_INFRA-LINK"},
                {"cisco_severity", "3"}, {"cisco_mnemonic", "UPDOWN"}}},
    {.name = "Rfc3164CiscoAsaHostnameBeforeSpacedColon",
     .line = "<166>Mar 01 2024 18:46:11 asa01 : %ASA-6-302013: Built inbound TCP connection 1234 for "
             "outside:203.0.113.9/51234 (203.0.113.9/51234) to inside:192.168.1.10/443 (192.168.1.10/443)",
     .facility = 20, .severity = 6, .timestamp = "Mar 01 2024 18:46:11", .timestamp_ms = march_1_2024_184611_utc,
     .hostname = "asa01", .app_name = "%ASA-6-302013",
     .message = "Built inbound TCP connection 1234 for outside:203.0.113.9/51234 (203.0.113.9/51234) to "
                "inside:192.168.1.10/443 (192.168.1.10/443)",
     .fields = {{"cisco_facility", "ASA"}, {"cisco_severity", "6"}, {"cisco_mnemonic", "302013"}}},
    {.name = "Rfc3164CiscoAsaWithoutHeader",
     .line = "<164>%ASA-4-106023: Deny tcp src outside:198.51.100.4/4711 dst inside:10.1.1.5/22 by access-group "
             "\"outside_in\" [0x0, 0x0]",
     .facility = 20, .severity = 4, .app_name = "%ASA-4-106023",
     .message = "Deny tcp src outside:198.51.100.4/4711 dst inside:10.1.1.5/22 by access-group \"outside_in\" "
                "[0x0, 0x0]",
     .fields = {{"cisco_facility", "ASA"}, {"cisco_severity", "4"}, {"cisco_mnemonic", "106023"}}},
};

const WireCase juniper_lines[] = {
    {.name = "Rfc3164JunosEventTagBecomesField",
     .line = "<28>Mar  1 18:46:11 mx480-re0 mib2d[1234]: SNMP_TRAP_LINK_DOWN: ifIndex 545, ifAdminStatus up(1), "
             "ifOperStatus down(2), ifName ge-0/0/1",
     .facility = 3, .severity = 4, .timestamp = "Mar  1 18:46:11", .hostname = "mx480-re0", .app_name = "mib2d",
     .proc_id = "1234", .message = "ifIndex 545, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/1",
     .fields = {{"junos_tag", "SNMP_TRAP_LINK_DOWN"}}},
    {.name = "Rfc3164JunosBgpStateChange",
     .line = "<29>Mar  1 18:46:11 mx480-re0 rpd[1500]: RPD_BGP_NEIGHBOR_STATE_CHANGED: BGP peer 192.0.2.2 (External AS 65001) "
             "changed state from Established to Idle (event RecvNotify) (instance master)",
     .facility = 3, .severity = 5, .timestamp = "Mar  1 18:46:11", .hostname = "mx480-re0", .app_name = "rpd",
     .proc_id = "1500",
     .message = "BGP peer 192.0.2.2 (External AS 65001) changed state from Established to Idle (event RecvNotify) "
                "(instance master)",
     .fields = {{"junos_tag", "RPD_BGP_NEIGHBOR_STATE_CHANGED"}}},
    {.name = "Rfc3164JunosKernelPathTag",
     .line = "<28>Mar  1 18:46:11 ex4300-01 /kernel: KERN_ARP_ADDR_CHANGE: arp info overwritten for 10.0.0.9 from "
             "00:11:22:33:44:55 to 00:11:22:33:44:66",
     .facility = 3, .severity = 4, .timestamp = "Mar  1 18:46:11", .hostname = "ex4300-01", .app_name = "/kernel",
     .message = "arp info overwritten for 10.0.0.9 from 00:11:22:33:44:55 to 00:11:22:33:44:66",
     .fields = {{"junos_tag", "KERN_ARP_ADDR_CHANGE"}}},
    {.name = "Rfc5424JunosStructuredDataTagFromMsgId",
     .line = "<165>1 2007-02-15T09:17:15.719Z router1 mgd 3046 UI_DBASE_LOGOUT_EVENT [junos@2636.1.1.1.2.18 "
             "username=\"regress\"] User 'regress' exiting configuration mode",
     .format = Format::rfc5424, .facility = 20, .severity = 5, .timestamp = "2007-02-15T09:17:15.719Z",
     .timestamp_ms = 1171531035719, .hostname = "router1", .app_name = "mgd", .proc_id = "3046",
     .msg_id = "UI_DBASE_LOGOUT_EVENT", .message = "User 'regress' exiting configuration mode",
     .fields = {{"junos_tag", "UI_DBASE_LOGOUT_EVENT"}}},
};

const WireCase huawei_h3c_lines[] = {
    {.name = "Rfc3164HuaweiVrpYearInTimestampAndTagGluedToText",
     .line = "<187>Mar  1 2024 18:46:11 HUAWEI-CE %%01IFNET/4/LINK_STATE(l)[0]:The line protocol IP on the "
             "interface GigabitEthernet0/0/1 has entered the DOWN state.",
     .facility = 23, .severity = 3, .timestamp = "Mar  1 2024 18:46:11", .timestamp_ms = march_1_2024_184611_utc,
     .hostname = "HUAWEI-CE", .app_name = "%%01IFNET/4/LINK_STATE",
     .message = "The line protocol IP on the interface GigabitEthernet0/0/1 has entered the DOWN state.",
     .fields = {{"vrp_module", "IFNET"}, {"vrp_severity", "4"}, {"vrp_mnemonic", "LINK_STATE"}}},
    {.name = "Rfc3164HuaweiVrpNumericOffsetGluedToTime",
     .line = "<188>Mar  1 2024 18:46:11+08:00 S5720-Core %%01SHELL/5/CMDRECORD(s)[1]:Recorded command information. "
             "(Task=VT0, Ip=10.0.0.5, User=admin, Command=\"display interface brief\")",
     .facility = 23, .severity = 4, .timestamp = "Mar  1 2024 18:46:11+08:00",
     .timestamp_ms = march_1_2024_184611_utc - 8 * 3600 * 1000, .hostname = "S5720-Core",
     .app_name = "%%01SHELL/5/CMDRECORD",
     .message = "Recorded command information. (Task=VT0, Ip=10.0.0.5, User=admin, Command=\"display interface "
                "brief\")",
     .fields = {{"vrp_module", "SHELL"}, {"vrp_severity", "5"}, {"vrp_mnemonic", "CMDRECORD"}}},
    {.name = "Rfc3164HuaweiGbkTextKeptByteForByte",
     .line = "<189>Mar  1 2024 18:46:11 HUAWEI %%01SHELL/5/CMDRECORD(s)[2]:User=\xB9\xDC\xC0\xED\xD4\xB1",
     .facility = 23, .severity = 5, .timestamp = "Mar  1 2024 18:46:11", .timestamp_ms = march_1_2024_184611_utc,
     .hostname = "HUAWEI", .app_name = "%%01SHELL/5/CMDRECORD", .message = "User=\xB9\xDC\xC0\xED\xD4\xB1",
     .fields = {{"vrp_module", "SHELL"}, {"vrp_severity", "5"}, {"vrp_mnemonic", "CMDRECORD"}}},
    {.name = "Rfc3164H3cComwareYearAfterTime",
     .line = "<188>Mar  1 18:46:11 2024 H3C %%10IFNET/3/PHY_UPDOWN: Physical state on the interface "
             "GigabitEthernet1/0/1 changed to down.",
     .facility = 23, .severity = 4, .timestamp = "Mar  1 18:46:11 2024", .timestamp_ms = march_1_2024_184611_utc,
     .hostname = "H3C", .app_name = "%%10IFNET/3/PHY_UPDOWN",
     .message = "Physical state on the interface GigabitEthernet1/0/1 changed to down.",
     .fields = {{"vrp_module", "IFNET"}, {"vrp_severity", "3"}, {"vrp_mnemonic", "PHY_UPDOWN"}}},
    {.name = "Rfc3164H3cComwareShellLogin",
     .line = "<190>Mar  1 18:46:11 2024 core-sw1 %%10SHELL/6/SHELL_LOGIN: admin logged in from 10.0.0.5.",
     .facility = 23, .severity = 6, .timestamp = "Mar  1 18:46:11 2024", .timestamp_ms = march_1_2024_184611_utc,
     .hostname = "core-sw1", .app_name = "%%10SHELL/6/SHELL_LOGIN", .message = "admin logged in from 10.0.0.5.",
     .fields = {{"vrp_module", "SHELL"}, {"vrp_severity", "6"}, {"vrp_mnemonic", "SHELL_LOGIN"}}},
};

const WireCase fortinet_lines[] = {
    {.name = "Rfc3164FortiGateKeyValueHostnameFromDevname",
     .line = "<189>date=2024-03-01 time=18:46:11 devname=\"FGT60F\" devid=\"FGT60FTK1234\" logid=\"0100032001\" "
             "type=\"event\" subtype=\"system\" level=\"information\" vd=\"root\" msg=\"Administrator admin logged "
             "in successfully\"",
     .facility = 23, .severity = 5, .timestamp = "2024-03-01 18:46:11", .hostname = "FGT60F",
     .message = "date=2024-03-01 time=18:46:11 devname=\"FGT60F\" devid=\"FGT60FTK1234\" logid=\"0100032001\" "
                "type=\"event\" subtype=\"system\" level=\"information\" vd=\"root\" msg=\"Administrator admin "
                "logged in successfully\"",
     .fields = {{"date", "2024-03-01"}, {"time", "18:46:11"}, {"devname", "FGT60F"}, {"devid", "FGT60FTK1234"},
                {"logid", "0100032001"}, {"type", "event"}, {"subtype", "system"}, {"level", "information"},
                {"vd", "root"}, {"msg", "Administrator admin logged in successfully"}}},
    {.name = "Rfc3164FortiGateEventtimeNanosecondsGiveEpoch",
     .line = "<189>date=2024-03-01 time=18:46:11 devname=\"FGT60F\" eventtime=1709315171123456789 tz=\"+0100\" "
             "type=\"traffic\" srcip=10.0.0.5 dstport=443 action=\"accept\"",
     .facility = 23, .severity = 5, .timestamp = "2024-03-01 18:46:11", .timestamp_ms = 1709315171123,
     .hostname = "FGT60F",
     .message = "date=2024-03-01 time=18:46:11 devname=\"FGT60F\" eventtime=1709315171123456789 tz=\"+0100\" "
                "type=\"traffic\" srcip=10.0.0.5 dstport=443 action=\"accept\"",
     .fields = {{"date", "2024-03-01"}, {"time", "18:46:11"}, {"devname", "FGT60F"},
                {"eventtime", "1709315171123456789"}, {"tz", "+0100"}, {"type", "traffic"}, {"srcip", "10.0.0.5"},
                {"dstport", "443"}, {"action", "accept"}}},
    {.name = "Rfc3164FortiGateTzWithoutEventtimeGivesEpoch",
     .line = "<190>date=2024-03-01 time=19:46:11 devname=FGT100E tz=\"+0100\" level=\"notice\"",
     .facility = 23, .severity = 6, .timestamp = "2024-03-01 19:46:11", .timestamp_ms = march_1_2024_184611_utc,
     .hostname = "FGT100E", .message = "date=2024-03-01 time=19:46:11 devname=FGT100E tz=\"+0100\" level=\"notice\"",
     .fields = {{"date", "2024-03-01"}, {"time", "19:46:11"}, {"devname", "FGT100E"}, {"tz", "+0100"},
                {"level", "notice"}}},
};

// Both sides of "is the word after the timestamp a hostname or a tag?".
const WireCase ambiguity_lines[] = {
    {.name = "Rfc3164WordEndingInColonIsATag",
     .line = "<13>Mar  1 18:46:11 backup: nightly run finished",
     .timestamp = "Mar  1 18:46:11", .app_name = "backup", .message = "nightly run finished"},
    {.name = "Rfc3164WordWithBracketIsATag",
     .line = "<13>Mar  1 18:46:11 backup[77]: nightly run finished",
     .timestamp = "Mar  1 18:46:11", .app_name = "backup", .proc_id = "77", .message = "nightly run finished"},
    {.name = "Rfc3164PlainWordIsAHostname",
     .line = "<13>Mar  1 18:46:11 backup nightly run finished",
     .timestamp = "Mar  1 18:46:11", .hostname = "backup", .message = "nightly run finished"},
    {.name = "Rfc3164WordWithColonBeforeVendorTagIsAHostname",
     .line = "<189>Mar  1 18:46:11 router1: %SYS-5-CONFIG_I: Configured from console",
     .facility = 23, .severity = 5, .timestamp = "Mar  1 18:46:11", .hostname = "router1",
     .app_name = "%SYS-5-CONFIG_I", .message = "Configured from console",
     .fields = {{"cisco_facility", "SYS"}, {"cisco_severity", "5"}, {"cisco_mnemonic", "CONFIG_I"}}},
    {.name = "Rfc3164UpperCaseHostnameIsNotTakenForAZone",
     .line = "<13>Mar  1 18:46:11 CORE sshd[5]: session opened",
     .timestamp = "Mar  1 18:46:11", .hostname = "CORE", .app_name = "sshd", .proc_id = "5",
     .message = "session opened"},
    {.name = "Rfc3164LoneWordAfterTimestampIsTheMessage",
     .line = "<13>Mar  1 18:46:11 heartbeat", .timestamp = "Mar  1 18:46:11", .message = "heartbeat"},
    {.name = "Rfc3164SingleSpaceBeforeSingleDigitDay",
     .line = "<13>Mar 1 18:46:11 web01 app: x", .timestamp = "Mar 1 18:46:11", .hostname = "web01",
     .app_name = "app", .message = "x"},
    {.name = "Rfc3164NotATimestampIsKeptAsMessage",
     .line = "<13>Mar 32 18:46:11 web01 app: x", .message = "Mar 32 18:46:11 web01 app: x"},
    {.name = "Rfc3164UtfBomBeforeMessageIsStripped",
     .line = "<13>Mar  1 18:46:11 web01 app: \xEF\xBB\xBFhello", .timestamp = "Mar  1 18:46:11",
     .hostname = "web01", .app_name = "app", .message = "hello"},
};

std::string case_name(const testing::TestParamInfo<WireCase>& info) { return info.param.name; }

INSTANTIATE_TEST_SUITE_P(RfcExamples, WireLine, testing::ValuesIn(rfc_examples), case_name);
INSTANTIATE_TEST_SUITE_P(Linux, WireLine, testing::ValuesIn(linux_lines), case_name);
INSTANTIATE_TEST_SUITE_P(Cisco, WireLine, testing::ValuesIn(cisco_lines), case_name);
INSTANTIATE_TEST_SUITE_P(Juniper, WireLine, testing::ValuesIn(juniper_lines), case_name);
INSTANTIATE_TEST_SUITE_P(HuaweiH3c, WireLine, testing::ValuesIn(huawei_h3c_lines), case_name);
INSTANTIATE_TEST_SUITE_P(Fortinet, WireLine, testing::ValuesIn(fortinet_lines), case_name);
INSTANTIATE_TEST_SUITE_P(HostnameOrTag, WireLine, testing::ValuesIn(ambiguity_lines), case_name);

// ---------------------------------------------------------------- RFC 5424 structured data

TEST(SyslogParser, Rfc5424Section65Example3StructuredDataAndBomMessage) {
  const auto result = parse(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
      "eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBF"
      "An application event log entry...");
  ASSERT_TRUE(result.message);
  const Message& m = *result.message;
  EXPECT_EQ(m.app_name, "evntslog");
  EXPECT_EQ(m.proc_id, "");
  EXPECT_EQ(m.msg_id, "ID47");
  EXPECT_EQ(m.message, "An application event log entry...");
  ASSERT_EQ(m.structured_data.size(), 1u);
  EXPECT_EQ(m.structured_data[0].id, "exampleSDID@32473");
  ASSERT_EQ(m.structured_data[0].params.size(), 3u);
  EXPECT_EQ(m.structured_data[0].params[1].name, "eventSource");
  EXPECT_EQ(m.structured_data[0].params[1].value, "Application");
}

TEST(SyslogParser, Rfc5424Section65Example4TwoElementsAndNoMessage) {
  const auto result = parse(
      "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
      "eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]");
  ASSERT_TRUE(result.message);
  const Message& m = *result.message;
  EXPECT_EQ(m.message, "");
  ASSERT_EQ(m.structured_data.size(), 2u);
  EXPECT_EQ(m.structured_data[1].id, "examplePriority@32473");
  ASSERT_EQ(m.structured_data[1].params.size(), 1u);
  EXPECT_EQ(m.structured_data[1].params[0].name, "class");
  EXPECT_EQ(m.structured_data[1].params[0].value, "high");
}

TEST(SyslogParser, Rfc5424ParamValueEscapesAreRemovedAndOtherBackslashesKept) {
  const auto result = parse(R"(<13>1 - host app - - [x@1 a="say \"hi\"" b="c:\\tmp" c="[1\]" d="\n"] msg)");
  ASSERT_TRUE(result.message);
  const auto& params = result.message->structured_data.at(0).params;
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].value, "say \"hi\"");
  EXPECT_EQ(params[1].value, "c:\\tmp");
  EXPECT_EQ(params[2].value, "[1]");
  EXPECT_EQ(params[3].value, "\\n");
  EXPECT_EQ(result.message->message, "msg");
}

TEST(SyslogParser, OneMessageViewParsesLineAfterLineAsIfEachWereTheFirst) {
  const std::string escaped = R"(<13>1 - host app - - [x@1 a="say \"hi\"" b="plain"][y@2 c="[1\]"] msg)";
  const std::string fortigate = "<189>date=2024-03-01 time=18:46:11 devname=\"FGT60F\" msg=\"login\"";
  MessageView view;
  for (int round = 0; round < 2; ++round) {
    ASSERT_EQ(parse(escaped, {}, view), std::nullopt);
    EXPECT_EQ(view.format, Format::rfc5424);
    EXPECT_EQ(view.hostname, "host");
    ASSERT_EQ(view.structured_data.size(), 2u);
    EXPECT_EQ(view.structured_data[1].id, "y@2");
    const auto x = view.params(view.structured_data[0]);
    ASSERT_EQ(x.size(), 2u);
    EXPECT_EQ(x[0].value, "say \"hi\"");
    EXPECT_EQ(x[1].value, "plain");
    EXPECT_EQ(view.params(view.structured_data[1])[0].value, "[1]");
    EXPECT_TRUE(view.fields.empty());
    EXPECT_EQ(view.message, "msg");

    ASSERT_EQ(parse(fortigate, {}, view), std::nullopt);
    EXPECT_EQ(view.format, Format::rfc3164);
    EXPECT_EQ(view.timestamp, "2024-03-01 18:46:11");
    EXPECT_EQ(view.hostname, "FGT60F");
    EXPECT_TRUE(view.structured_data.empty());
    ASSERT_NE(view.field("msg"), nullptr);
    EXPECT_EQ(*view.field("msg"), "login");

    EXPECT_EQ(parse("<13>1 2024-03-01T10:00:00Z host app", {}, view), RejectReason::truncated);
    ASSERT_EQ(parse("<13>plain text", {}, view), std::nullopt);
    EXPECT_EQ(view.timestamp, "");
    EXPECT_EQ(view.hostname, "");
    EXPECT_TRUE(view.fields.empty());
    EXPECT_EQ(view.message, "plain text");
  }
}

TEST(SyslogParser, Rfc5424NilValuesLeaveFieldsEmptyButTimestampShowsDash) {
  const auto result = parse("<13>1 - - - - - - just text");
  ASSERT_TRUE(result.message);
  const Message& m = *result.message;
  EXPECT_EQ(m.timestamp, "-");
  EXPECT_EQ(m.timestamp_ms, 0);
  EXPECT_EQ(m.hostname, "");
  EXPECT_EQ(m.app_name, "");
  EXPECT_TRUE(m.structured_data.empty());
  EXPECT_EQ(m.message, "just text");
}

TEST(SyslogParser, Rfc5424Section6231ValidTimestampsParseToEpochMs) {
  for (const char* ts : {"1985-04-12T23:20:50.52Z", "1985-04-12T19:20:50.52-04:00"}) {
    const auto result = parse(std::string("<13>1 ") + ts + " host app - - -");
    ASSERT_TRUE(result.message) << ts;
    EXPECT_EQ(result.message->timestamp, ts);
    EXPECT_EQ(result.message->timestamp_ms, 482196050520) << ts;
  }
}

TEST(SyslogParser, Rfc5424InvalidTimestampsAreRejected) {
  for (const char* ts : {"2003-08-24T05:14:15.000000003-07:00", "2003-10-11t22:14:15.003Z",
                         "2003-10-11T22:14:15", "1990-12-31T23:59:60Z", "2003-02-30T22:14:15Z",
                         "2003-10-11T22:14:15+0100", "Oct 11 22:14:15"}) {
    const auto result = parse(std::string("<13>1 ") + ts + " host app - - - msg");
    EXPECT_FALSE(result.message) << ts;
    EXPECT_EQ(result.reason, RejectReason::bad_timestamp) << ts;
  }
}

// ---------------------------------------------------------------- rejections

struct Rejection {
  const char* line;
  RejectReason reason;
};

TEST(SyslogParser, EveryRejectionReasonIsReachable) {
  const Rejection cases[] = {
      {"", RejectReason::empty},
      {"\r\n", RejectReason::empty},
      {"<13>", RejectReason::empty},
      {"<13>\n", RejectReason::empty},
      {"<999>Mar  1 18:46:11 web01 app: x", RejectReason::bad_pri},
      {"<192>x", RejectReason::bad_pri},
      {"<abc>x", RejectReason::bad_pri},
      {"<>x", RejectReason::bad_pri},
      {"<5", RejectReason::bad_pri},
      {"<1234>x", RejectReason::bad_pri},
      {"<13>1 ", RejectReason::truncated},
      {"<13>1 2024-03-01T10:00:00Z host app", RejectReason::truncated},
      {"<13>1 2024-03-01T10:00:00Z host app - ID1 ", RejectReason::truncated},
      {"<13>2 2024-03-01T10:00:00Z host app - - - msg", RejectReason::bad_version},
      {"<13>12 - host app - - - msg", RejectReason::bad_version},
      {"<13>1 2024-03-01 host app - - - msg", RejectReason::bad_timestamp},
      {"<13>1 2024-03-01T10:00:00Z  app - - - msg", RejectReason::bad_header},
      {"<13>1 - host app - this-msgid-is-longer-than-32-chars - msg", RejectReason::bad_header},
      {"<13>1 - host\x01name app - - - msg", RejectReason::bad_header},
      {"<13>1 - host app - - [a x=\"1] msg", RejectReason::bad_structured_data},
      {"<13>1 - host app - - [a x=1] msg", RejectReason::bad_structured_data},
      {"<13>1 - host app - - [] msg", RejectReason::bad_structured_data},
      {"<13>1 - host app - - [a x=\"1\"]msg", RejectReason::bad_structured_data},
      {"<13>1 - host app - - [a x=\"1\" ] msg", RejectReason::bad_structured_data},
      {"<13>1 - host app - - [thirty-three-characters-long-name] msg", RejectReason::bad_structured_data},
      {"<13>1 - host app - - msg without structured data", RejectReason::bad_structured_data},
  };
  std::set<RejectReason> reached;
  for (const auto& c : cases) {
    const auto result = parse(c.line);
    EXPECT_FALSE(result.message) << c.line;
    EXPECT_EQ(to_string(result.reason), to_string(c.reason)) << c.line;
    reached.insert(result.reason);
  }
  Limits one_element;
  one_element.max_sd_elements = 1;
  const auto too_many = parse("<13>1 - host app - - [a@1][b@1] msg", one_element);
  EXPECT_EQ(to_string(too_many.reason), "too_many_sd_elements");
  reached.insert(too_many.reason);
  Limits short_lines;
  short_lines.max_message = 16;
  const auto too_long = parse("<13>Mar  1 18:46:11 web01 app: x", short_lines);
  EXPECT_EQ(to_string(too_long.reason), "too_long");
  reached.insert(too_long.reason);
  EXPECT_EQ(reached.size(), std::size(all_reject_reasons));
}

TEST(SyslogParser, RejectReasonsHaveDistinctSnakeCaseLabels) {
  std::set<std::string_view> labels;
  for (RejectReason reason : all_reject_reasons) {
    const auto label = to_string(reason);
    EXPECT_EQ(label.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos) << label;
    labels.insert(label);
  }
  EXPECT_EQ(labels.size(), std::size(all_reject_reasons));
}

// ---------------------------------------------------------------- framing and limits

TEST(SyslogParser, PriGivesFacilityAndSeverityAtBothEnds) {
  const auto lowest = parse("<0>x");
  const auto highest = parse("<191>x");
  ASSERT_TRUE(lowest.message && highest.message);
  EXPECT_EQ(lowest.message->facility, 0);
  EXPECT_EQ(lowest.message->severity, 0);
  EXPECT_EQ(highest.message->facility, 23);
  EXPECT_EQ(highest.message->severity, 7);
}

TEST(SyslogParser, TrailingCrLfAndNulAreTrimmed) {
  const auto result = parse(std::string_view("<13>Mar  1 18:46:11 web01 app: done\r\n\0", 38));
  ASSERT_TRUE(result.message);
  EXPECT_EQ(result.message->message, "done");
}

TEST(SyslogParser, MessageAtTheSizeLimitIsAcceptedAndOneByteMoreIsNot) {
  const std::string line = "<13>" + std::string(60, 'x');
  Limits limits;
  limits.max_message = line.size();
  EXPECT_TRUE(parse(line, limits).message);
  EXPECT_EQ(parse(line + "y", limits).reason, RejectReason::too_long);
}

TEST(SyslogParser, DefaultLimitAcceptsSixtyFourKibibytes) {
  const std::string line = "<13>Mar  1 18:46:11 web01 app: " + std::string(64 * 1024 - 31, 'x');
  ASSERT_EQ(line.size(), 64u * 1024);
  EXPECT_TRUE(parse(line).message);
  EXPECT_EQ(parse(line + "x").reason, RejectReason::too_long);
}

TEST(SyslogParser, VendorFieldsBeyondTheLimitAreDroppedAndFlagged) {
  Limits limits;
  limits.max_fields = 2;
  const auto result = parse("<189>date=2024-03-01 time=18:46:11 devname=\"FGT60F\" level=\"notice\"", limits);
  ASSERT_TRUE(result.message);
  EXPECT_EQ(result.message->fields, (Fields{{"date", "2024-03-01"}, {"time", "18:46:11"}}));
  EXPECT_TRUE(result.message->fields_truncated);
  EXPECT_EQ(result.message->hostname, "");
}

TEST(SyslogParser, FieldLookupFindsAVendorField) {
  const auto result = parse("<187>123: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down");
  ASSERT_TRUE(result.message);
  ASSERT_NE(result.message->field("cisco_mnemonic"), nullptr);
  EXPECT_EQ(*result.message->field("cisco_mnemonic"), "UPDOWN");
  EXPECT_EQ(result.message->field("junos_tag"), nullptr);
}

}  // namespace
}  // namespace tocsin::syslog
