#pragma once
// Pure parser of a reply to a page: the subject's signed reply token names
// the incident, the first non-empty body line that is not quoted (">") names
// the command. Not wired to the correlator yet: the collector still turns
// every mail into an event.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace tocsin::email_in {

enum class ReplyVerb : std::uint8_t { acknowledge, resolve };

struct ReplyCommand {
  std::int64_t incident_id = 0;
  ReplyVerb verb = ReplyVerb::acknowledge;
};

// Why a mail is not a reply command. no_token and no_keyword: handle the mail
// as an ordinary event; bad_token: refuse and count (forged or edited token).
enum class NotAReply : std::uint8_t { no_token, bad_token, no_keyword };

inline constexpr std::size_t max_reply_scan_bytes = 64 * 1024;

std::variant<ReplyCommand, NotAReply> parse_reply(std::string_view subject, std::string_view body,
                                                  std::string_view secret);

}  // namespace tocsin::email_in
