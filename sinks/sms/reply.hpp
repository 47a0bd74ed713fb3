#pragma once
// Pure parsers of what the gateway sends back: a reply SMS from a person
// ("ACK 1234", "1234 A", "RES 1234", "1234 R"; 1234 is the incident's short
// code) and the type of a Kannel delivery report. Bytes from phones are
// hostile: bounded, and every refusal has a reason that is counted.

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

namespace tocsin::sms {

enum class ReplyVerb : std::uint8_t { acknowledge, resolve };

struct ReplyCommand {
  std::int64_t incident_id = 0;
  ReplyVerb verb = ReplyVerb::acknowledge;
};

enum class ReplyRefusal : std::uint8_t {
  empty,          // nothing but white space
  too_long,       // longer than max_reply_bytes
  not_a_command,  // not "<keyword> <id>" or "<id> <keyword>"
  bad_incident,   // the id is 0 or does not fit
};

std::string_view to_string(ReplyRefusal r);

inline constexpr std::size_t max_reply_bytes = 480;

// Case-insensitive. Keywords: ACK, A, ACKNOWLEDGE (acknowledge); RES, R,
// RESOLVE (resolve). The id may carry a leading '#'. White space (spaces,
// tabs, line ends) separates; one trailing '.' or '!' is ignored; nothing else
// may follow.
std::variant<ReplyCommand, ReplyRefusal> parse_reply(std::string_view text);

// Kannel DLR type (%d) → the status recorded on the notification: 1
// delivered, 2 failed, 4 buffered, 8 accepted (by the SMSC), 16 rejected (by
// the SMSC); nullopt for anything else.
std::optional<std::string_view> delivery_status(int kannel_type);

// An SMSC message id is short (SMPP: at most 64 octets).
inline constexpr std::size_t max_foreign_id_bytes = 64;

// The gateway's message id of a delivery report (Kannel's %F, the
// `foreign_id` parameter of the dlr-url) → the gateway_id recorded on the
// notification: empty when there is none (or the gateway left "%F" as
// written); nullopt when it is longer than max_foreign_id_bytes or not
// printable ASCII without spaces.
std::optional<std::string> foreign_id(std::string_view param);

// Whether a report `next` replaces the recorded `current`: a final status
// (delivered, failed, rejected) is never replaced by an intermediate one
// (accepted, buffered) arriving late.
bool replaces(std::string_view current, std::string_view next);

}  // namespace tocsin::sms
