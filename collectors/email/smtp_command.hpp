#pragma once
// SMTP command parser (RFC 5321 §4.1): one command line in, a Command or the
// reply that refuses it out. Pure: no I/O, no state, no exceptions; the
// session decides whether a well-formed command is allowed now.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tocsin::email_in {

// One SMTP reply; `text` lines are separated by '\n' and sent as a multiline reply.
struct Reply {
  int code = 0;
  std::string text;
};

// "250-first\r\n250 last\r\n".
std::string render(const Reply& reply);

enum class Verb { helo, ehlo, mail, rcpt, data, rset, noop, quit, starttls, vrfy, help };

enum class BodyType { seven_bit, eight_bit_mime };

struct Command {
  Verb verb = Verb::noop;
  std::string argument;  // HELO/EHLO domain, VRFY/HELP text
  std::string address;   // MAIL/RCPT mailbox without brackets; empty for MAIL FROM:<>
  std::optional<std::uint64_t> size;  // MAIL SIZE= (RFC 1870)
  BodyType body = BodyType::seven_bit;  // MAIL BODY= (RFC 6152)
};

struct ParsedCommand {
  std::optional<Command> command;
  Reply refusal;           // when there is no command
  std::string_view reason;  // counter label of the refusal
};

// `line` is the command without its CRLF.
ParsedCommand parse_command(std::string_view line);

// The domain part of a mailbox ("ops@example.com" → "example.com"), lower-cased.
std::string mailbox_domain(std::string_view address);

}  // namespace tocsin::email_in
