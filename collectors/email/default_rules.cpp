// Rules shipped with the e-mail collector: the notification mail of Nagios
// (and Icinga 1), Icinga 2 and Zabbix, as the stock notification commands and
// media types write it. A recovery mail is a clear with the same resource,
// alert key and fingerprint as its problem, so it resolves that problem.
#include "collectors/email/decoder.hpp"

namespace tocsin::email_in {

namespace {
using Match = std::vector<std::pair<std::string, std::string>>;

RuleSpec rule(std::string name, Match match, std::string event, std::string severity, std::string summary,
              std::vector<std::string> fingerprint) {
  RuleSpec r;
  r.name = std::move(name);
  r.origin = "built-in e-mail rules";
  r.match = std::move(match);
  r.event = std::move(event);
  r.kind = severity == "clear" ? "clear" : "problem";
  if (r.kind == "clear") r.clears = r.event;
  r.severity = std::move(severity);
  r.summary = std::move(summary);
  r.fingerprint = std::move(fingerprint);
  return r;
}

// Nagios: "** PROBLEM Service Alert: web01/HTTP is CRITICAL **".
void nagios(std::vector<RuleSpec>& out) {
  const std::string service = R"(^\*\* (?:PROBLEM|RECOVERY) Service Alert: (?P<host>[^/]+)/(?P<service>.+) is )";
  const std::string host = R"(^\*\* (?:PROBLEM|RECOVERY) Host Alert: (?P<host>.+) is )";
  for (auto [state, severity] : {std::pair{"CRITICAL", "critical"}, {"WARNING", "warning"}, {"UNKNOWN", "minor"}})
    out.push_back(rule(std::string("nagios-service-") + severity, {{"subject", service + state + R"( \*\*)"}},
                       "service_problem", severity, "{service} on {host} is " + std::string(state), {"service"}));
  out.push_back(rule("nagios-service-recovery", {{"subject", service + R"(OK \*\*)"}}, "service_problem", "clear",
                     "{service} on {host} is OK", {"service"}));
  for (auto [state, severity] : {std::pair{"DOWN", "critical"}, {"UNREACHABLE", "major"}})
    out.push_back(rule(std::string("nagios-host-") + severity, {{"subject", host + state + R"( \*\*)"}},
                       "host_problem", severity, "Host {host} is " + std::string(state), {}));
  out.push_back(rule("nagios-host-recovery", {{"subject", host + R"(UP \*\*)"}}, "host_problem", "clear",
                     "Host {host} is UP", {}));
}

// Icinga 2 mail-service-notification.sh: "[PROBLEM] ping4 on web01 is CRITICAL!".
void icinga2(std::vector<RuleSpec>& out) {
  const std::string host = R"(^\[(?:PROBLEM|RECOVERY)\] Host (?P<host>.+) is )";
  const std::string service = R"(^\[(?:PROBLEM|RECOVERY)\] (?P<service>.+) on (?P<host>.+) is )";
  for (auto [state, severity] : {std::pair{"DOWN", "critical"}, {"UNREACHABLE", "major"}})
    out.push_back(rule(std::string("icinga2-host-") + severity, {{"subject", host + state + "!$"}}, "host_problem",
                       severity, "Host {host} is " + std::string(state), {}));
  out.push_back(rule("icinga2-host-recovery", {{"subject", host + "UP!$"}}, "host_problem", "clear",
                     "Host {host} is UP", {}));
  for (auto [state, severity] : {std::pair{"CRITICAL", "critical"}, {"WARNING", "warning"}, {"UNKNOWN", "minor"}})
    out.push_back(rule(std::string("icinga2-service-") + severity, {{"subject", service + state + "!$"}},
                       "service_problem", severity, "{service} on {host} is " + std::string(state), {"service"}));
  out.push_back(rule("icinga2-service-recovery", {{"subject", service + "OK!$"}}, "service_problem", "clear",
                     "{service} on {host} is OK", {"service"}));
}

// Zabbix 5+ media type "Email": subject "Problem: {EVENT.NAME}", "Resolved:
// {EVENT.NAME}" or "Resolved in 5m 0s: {EVENT.NAME}", the host and the
// severity in the body. The widespread Chinese templates say 故障/恢复 and 主机.
void zabbix(std::vector<RuleSpec>& out) {
  const std::string host = R"((?m)^Host: (?P<host>\S[^\n]*?)\s*$)";
  for (auto [name, severity] : {std::pair{"Disaster", "critical"}, {"High", "major"}, {"Average", "minor"},
                                {"Warning", "warning"}, {"Information", "info"}, {"Not classified", "warning"}})
    out.push_back(rule(std::string("zabbix-problem-") + name,
                       {{"subject", R"(^Problem: (?P<problem>.+)$)"},
                        {"body", host},
                        {"body", std::string(R"((?m)^Severity: )") + name + R"(\s*$)"}},
                       "zabbix_problem", severity, "{problem} on {host}", {"problem"}));
  out.push_back(rule("zabbix-resolved", {{"subject", R"(^Resolved(?: in [^:]+)?: (?P<problem>.+)$)"}, {"body", host}},
                     "zabbix_problem", "clear", "{problem} on {host} resolved", {"problem"}));
  const std::string zh_host = R"((?m)^\s*主机(?:名称)?\s*[:：]\s*(?P<host>\S[^\n]*?)\s*$)";
  out.push_back(rule("zabbix-zh-problem", {{"subject", R"(^(?:故障|告警|问题)\s*[:：]\s*(?P<problem>.+)$)"}, {"body", zh_host}},
                     "zabbix_problem", "major", "{problem} on {host}", {"problem"}));
  out.push_back(rule("zabbix-zh-resolved", {{"subject", R"(^(?:恢复|已恢复|已解决)\s*[:：]\s*(?P<problem>.+)$)"}, {"body", zh_host}},
                     "zabbix_problem", "clear", "{problem} on {host} resolved", {"problem"}));
}

}  // namespace

std::vector<RuleSpec> default_rules() {
  std::vector<RuleSpec> out;
  nagios(out);
  icinga2(out);
  zabbix(out);
  return out;
}

}  // namespace tocsin::email_in
