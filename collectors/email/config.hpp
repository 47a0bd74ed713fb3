#pragma once
// Configuration of the e-mail collector (section `email_in`): the SMTP
// listener an MTA relays alert mail to, its limits, and how a mail becomes an
// Event (MIME limits, mapping rules, the group of mails no rule matches).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "correlator/mapping.hpp"
#include "correlator/oncall/directory.hpp"

namespace tocsin::email_in {

struct SmtpLimits {
  std::size_t max_command_line = 1000;  // bytes including CRLF; RFC 5321 asks for 512 at least
  std::size_t max_data_line = 1000;     // bytes including CRLF (RFC 5321 §4.5.3.1.6)
  std::size_t max_message = 10 << 20;   // bytes of the message after dot-unstuffing; advertised as SIZE
  std::size_t max_recipients = 100;
};

struct ListenerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 2525;
  std::string hostname = "localhost";  // in the greeting and the EHLO reply
  std::vector<std::string> accepted_domains;  // recipient domains; empty accepts any
  SmtpLimits limits;
  int max_connections = 100;
  std::chrono::seconds command_timeout{300};  // RFC 5321 §4.5.3.2.7
  std::chrono::seconds data_timeout{600};     // the whole DATA transfer
  std::string certificate_file;  // PEM; STARTTLS is offered only with both files
  std::string key_file;
};

struct MimeLimits {
  int max_depth = 10;    // nested multiparts and attached messages
  int max_parts = 100;   // MIME entities in one mail
  std::size_t max_body = 64 << 10;  // bytes of decoded body text kept for rules and display
};

// What the collector needs to recognize replies to pages (reply.hpp). Filled
// from notifications.reply_secret and the oncall section; swapped whole on reload.
struct ReplySettings {
  std::string secret;  // empty: replies are not recognized, every mail is an event
  std::shared_ptr<const oncall::Directory> directory;  // null: nobody may act by reply
};

struct DecoderConfig {
  std::vector<RuleSpec> rules;  // user rules, tried first
  bool default_rules = true;    // then Nagios, Icinga 2 and Zabbix notification mail
  std::string default_group = "service-desk";  // group of mails that match no rule
  std::string default_severity = "warning";    // severity of mails that match no rule
  MimeLimits mime;
  ReplySettings replies;
};

struct EmailInConfig {
  bool enabled = false;
  ListenerConfig listener;
  DecoderConfig decoder;
};

}  // namespace tocsin::email_in
