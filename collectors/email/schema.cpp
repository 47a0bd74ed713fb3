// Schema and loader of the `email_in` section.
#include "collectors/email/schema.hpp"

#include "correlator/mapping_config.hpp"

namespace tocsin::email_in {

using config::Type;

const config::Section& email_in_section() {
  static const config::Section s{
      "email_in",
      "Alert mail in: an SMTP listener (RFC 5321, STARTTLS, SIZE, 8BITMIME, PIPELINING) that an MTA or a "
      "monitoring system delivers to. `250` after DATA means the event is committed.",
      {{"enabled", Type::boolean, "false", "Listen for alert mail."},
       {"listen", Type::address, "127.0.0.1:2525", "Address and port of the SMTP listener."},
       {"hostname", Type::string, "localhost", "Name in the greeting and the EHLO reply."},
       {"accepted_domains", Type::string_list, "",
        "Recipient domains accepted (RCPT TO); others are refused with 550 5.1.1. Empty accepts any."},
       {"max_message", Type::size, "10MiB", "Largest message (advertised as SIZE); larger ones get 552."},
       {"max_recipients", Type::integer, "100", "Recipients of one message; more get 452."},
       {"max_command_line", Type::size, "1000B", "Longest command line including CRLF (RFC 5321 asks 512)."},
       {"max_connections", Type::integer, "100", "Open connections at most; more get 421."},
       {"command_timeout", Type::duration, "5m", "Time allowed for each command."},
       {"data_timeout", Type::duration, "10m", "Time allowed for the whole DATA transfer."},
       {"certificate", Type::file, "", "PEM certificate chain; with `key`, STARTTLS is offered."},
       {"key", Type::file, "", "PEM private key for STARTTLS."},
       {"max_mime_depth", Type::integer, "10", "Nesting of multiparts and attached messages; deeper gets 554."},
       {"max_mime_parts", Type::integer, "100", "MIME parts of one message; more get 554."},
       {"max_body", Type::size, "64KiB", "Decoded body text kept for rules and display."},
       {"rules", Type::list, "",
        "Mapping rules on from, to, subject, body, message_id, envelope_from, envelope_to, tried before the "
        "built-in ones (see <collector>.rules[])."},
       {"default_rules", Type::boolean, "true", "Also apply the built-in Nagios, Icinga 2 and Zabbix rules."},
       {"default_group", Type::string, "service-desk", "Group of mails that match no rule (attribute `group`)."},
       {"default_severity", Type::choice, "warning", "Severity of mails that match no rule.",
        {"critical", "major", "minor", "warning", "info"}}}};
  return s;
}

EmailInConfig load_config(const config::Node& root) {
  auto n = root.map("email_in", email_in_section());
  EmailInConfig c;
  c.enabled = n.boolean("enabled");
  auto& l = c.listener;
  if (auto e = n.address("listen")) {
    l.address = e->host;
    l.port = e->port;
  }
  l.hostname = n.string("hostname");
  l.accepted_domains = n.string_list("accepted_domains");
  l.limits.max_message = n.size("max_message");
  l.limits.max_recipients = static_cast<std::size_t>(n.integer("max_recipients", 1, 100'000));
  l.limits.max_command_line = n.size("max_command_line");
  l.max_connections = static_cast<int>(n.integer("max_connections", 1, 1'000'000));
  l.command_timeout = std::chrono::duration_cast<std::chrono::seconds>(n.duration("command_timeout"));
  l.data_timeout = std::chrono::duration_cast<std::chrono::seconds>(n.duration("data_timeout"));
  l.certificate_file = n.file("certificate");
  l.key_file = n.file("key");
  if (l.certificate_file.empty() != l.key_file.empty()) n.error("STARTTLS needs both `certificate` and `key`");
  if (l.limits.max_command_line < 512) n.error("max_command_line", "must be at least 512 bytes (RFC 5321 §4.5.3.1.4)");
  if (l.command_timeout.count() < 1 || l.data_timeout.count() < 1) n.error("timeouts must be at least 1s");
  auto& d = c.decoder;
  d.mime.max_depth = static_cast<int>(n.integer("max_mime_depth", 1, 100));
  d.mime.max_parts = static_cast<int>(n.integer("max_mime_parts", 1, 10'000));
  d.mime.max_body = n.size("max_body");
  d.rules = parse_rules(n, "rules");
  d.default_rules = n.boolean("default_rules");
  d.default_group = n.string("default_group");
  d.default_severity = n.choice("default_severity");
  if (d.default_group.empty()) n.error("default_group", "must not be empty");
  return c;
}

}  // namespace tocsin::email_in
