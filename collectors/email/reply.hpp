#pragma once
// Replies to pages: a mail whose subject carries the signed reply token of an
// incident ("[TOC-12-1a2b3c4d]", correlator/notify/reply_token.hpp) acts on
// that incident. The first non-empty body line that is not quoted (">")
// names the command: ack/acknowledge or res/resolve (any case, a whole word);
// the rest of that line is kept as the reason. Without a keyword the first
// lines of the reply become a comment on the incident's timeline.
//
// parse_reply is the pure parser of subject and body; route_reply adds who
// sent it (the on-call directory) and decides what the SMTP session answers;
// answer_action turns the outcome of the incident action into the reply to
// DATA. The e-mail decoder (decoder.cpp) wires them to the pipeline.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "collectors/email/config.hpp"
#include "collectors/email/mime.hpp"
#include "collectors/email/smtp_command.hpp"
#include "correlator/actions.hpp"

namespace tocsin::email_in {

enum class ReplyVerb : std::uint8_t { acknowledge, resolve, comment };

struct ReplyCommand {
  std::int64_t incident_id = 0;
  ReplyVerb verb = ReplyVerb::acknowledge;
  // acknowledge, resolve: the rest of the keyword line ("Resolve, fixed the
  // optic" → "fixed the optic"); comment: the first unquoted lines, joined by
  // spaces, up to the quoted original, a signature or max_reply_text_bytes.
  std::string text;
};

// Why a mail is not a reply command. no_token: an ordinary mail (an event);
// bad_token: refuse and count (forged or edited token); empty: a valid token
// but no text of its own (refused, so that the sender learns how to reply).
enum class NotAReply : std::uint8_t { no_token, bad_token, empty };

inline constexpr std::size_t max_reply_scan_bytes = 64 * 1024;
inline constexpr std::size_t max_reply_text_bytes = 500;
inline constexpr int max_comment_lines = 5;

std::variant<ReplyCommand, NotAReply> parse_reply(std::string_view subject, std::string_view body,
                                                  std::string_view secret);

// What becomes of one received mail.
struct ReplyRoute {
  enum class Kind : std::uint8_t {
    not_a_reply,  // no token: decode it as an alert mail
    act,          // hand `action` to the pipeline; answer after the commit
    answer,       // answer `smtp` at once (refusal, or an auto-reply ignored)
  };
  Kind kind = Kind::not_a_reply;
  IncidentAction action;
  Reply smtp;
  std::string_view result;  // label of tocsin_email_replies_total
};

// The person is the one the From address belongs to; when From names nobody,
// the envelope sender (MAIL FROM) is tried. Automatic replies (Auto-Submitted
// other than "no", Precedence bulk/junk/list/auto_reply, a null MAIL FROM)
// that carry a token are accepted and ignored, so that an out-of-office
// answer never comments on, let alone acknowledges, an incident.
ReplyRoute route_reply(const Mail& mail, std::string_view envelope_from, const ReplySettings& settings);

// The reply to DATA once the pipeline has done (or refused) the action, and
// the counter label: 250 when it was committed or had nothing left to do
// (already acknowledged: a resent reply is not an error), 550 when it is not
// allowed or the incident does not exist, 451 when the store failed. The
// labels are those of reply_results (metrics.hpp).
std::pair<Reply, std::string_view> answer_action(const IncidentAction& action, const ActionResult& result);

}  // namespace tocsin::email_in
