// See reply.hpp. Keywords are case-insensitive: ack, acknowledge, res, resolve.
#include "collectors/email/reply.hpp"

#include <algorithm>
#include <cctype>

#include "correlator/notify/page.hpp"
#include "correlator/notify/reply_token.hpp"

namespace tocsin::email_in {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string first_word(std::string_view line) {
  std::string w;
  for (char c : line) {
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return w;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Where the quoted original starts in the common clients: "On … wrote:",
// Outlook's "-----Original Message-----" and "From: …" block, a signature.
bool is_attribution(std::string_view line) {
  const std::string l = lower(line);
  return l.ends_with("wrote:") || l.ends_with("a écrit :") || l.ends_with("schrieb:");
}

bool ends_own_text(std::string_view raw, std::string_view line) {
  if (raw.starts_with("-- ") && trim(raw) == "--") return true;
  if (line.starts_with(">") || is_attribution(line)) return true;
  const std::string l = lower(line);
  if (l.find("original message") != std::string::npos && l.starts_with("-")) return true;
  return l.starts_with("from:") || l.starts_with("sent from my");
}

// Cut on a character boundary, then made valid UTF-8 (the body may be any bytes).
std::string bounded(std::string text) {
  if (text.size() > max_reply_text_bytes) {
    std::size_t cut = max_reply_text_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
  }
  return notify::valid_utf8(trim(text));
}

// "Resolve, fixed the optic" → "fixed the optic".
std::string rest_of_keyword_line(std::string_view line, std::size_t keyword_length) {
  line.remove_prefix(std::min(keyword_length, line.size()));
  while (!line.empty() && (std::ispunct(static_cast<unsigned char>(line.front())) || line.front() == ' ' ||
                           line.front() == '\t'))
    line.remove_prefix(1);
  return bounded(std::string(line));
}

struct Lines {
  std::string_view rest;
  // The next line without its end, untrimmed; false at the end.
  bool next(std::string_view& raw) {
    if (rest.empty()) return false;
    const std::size_t end = rest.find('\n');
    raw = rest.substr(0, end);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    return true;
  }
};

bool is_auto_reply(const Mail& mail, std::string_view envelope_from) {
  if (envelope_from.empty()) return true;  // null reverse-path: a bounce or a report
  const std::string auto_submitted = lower(trim(mail.auto_submitted));
  if (!auto_submitted.empty() && auto_submitted != "no") return true;
  const std::string precedence = lower(trim(mail.precedence));
  return precedence == "bulk" || precedence == "junk" || precedence == "list" || precedence == "auto_reply";
}

ReplyRoute answer(int code, std::string text, std::string_view result) {
  ReplyRoute r;
  r.kind = ReplyRoute::Kind::answer;
  r.smtp = {code, std::move(text)};
  r.result = result;
  return r;
}

std::string id_text(std::int64_t id) { return "incident " + std::to_string(id); }

}  // namespace

std::variant<ReplyCommand, NotAReply> parse_reply(std::string_view subject, std::string_view body,
                                                  std::string_view secret) {
  if (subject.find("[TOC-") == std::string_view::npos) return NotAReply::no_token;
  const auto id = notify::verify_reply_token(subject, secret);
  if (!id) return NotAReply::bad_token;
  Lines lines{body.substr(0, max_reply_scan_bytes)};
  std::string_view raw;
  std::string comment;
  int taken = 0;
  while (lines.next(raw)) {
    const std::string_view line = trim(raw);
    if (line.empty()) {
      if (taken > 0) break;  // the first paragraph is the comment
      continue;
    }
    if (taken == 0) {
      // Quoted text and its attribution above a reply written below them.
      if (line.front() == '>' || is_attribution(line)) continue;
      const std::string w = first_word(line);
      if (w == "ack" || w == "acknowledge")
        return ReplyCommand{*id, ReplyVerb::acknowledge, rest_of_keyword_line(line, w.size())};
      if (w == "res" || w == "resolve")
        return ReplyCommand{*id, ReplyVerb::resolve, rest_of_keyword_line(line, w.size())};
    }
    if (ends_own_text(raw, line)) break;
    if (!comment.empty()) comment += ' ';
    comment += line;
    if (++taken >= max_comment_lines || comment.size() >= max_reply_text_bytes) break;
  }
  if (comment.empty()) return NotAReply::empty;
  return ReplyCommand{*id, ReplyVerb::comment, bounded(std::move(comment))};
}

ReplyRoute route_reply(const Mail& mail, std::string_view envelope_from, const ReplySettings& settings) {
  if (settings.secret.empty() || mail.subject.find("[TOC-") == std::string::npos) return {};
  if (is_auto_reply(mail, envelope_from)) return answer(250, "2.0.0 Automatic reply ignored", "auto_reply");
  auto parsed = parse_reply(mail.subject, mail.body, settings.secret);
  if (const auto* why = std::get_if<NotAReply>(&parsed)) {
    if (*why == NotAReply::no_token) return {};
    if (*why == NotAReply::bad_token)
      return answer(550, "5.7.1 The reply token in the subject is not valid: this mail does not answer a page",
                    "bad_token");
    return answer(550, "5.6.0 Nothing to do: reply with ack or resolve on the first line, or a comment",
                  "empty");
  }
  auto& command = std::get<ReplyCommand>(parsed);
  const oncall::Person* person = nullptr;
  std::string address = mail.from;
  if (settings.directory) {
    person = settings.directory->person_by_address("email", mail.from);
    if (person == nullptr && !envelope_from.empty()) {
      person = settings.directory->person_by_address("email", envelope_from);
      if (person != nullptr) address = std::string(envelope_from);
    }
  }
  if (person == nullptr)
    return answer(550, "5.7.1 Sender " + notify::sanitize_header(mail.from, 254) +
                           " is not in the on-call directory: replies may act on incidents only from a known address",
                  "unknown_sender");
  ReplyRoute r;
  r.kind = ReplyRoute::Kind::act;
  IncidentAction& a = r.action;
  a.incident_id = command.incident_id;
  a.actor = person->id;
  a.channel = "email";
  a.check_authority = true;
  const std::string by = "by e-mail reply from " + notify::sanitize_header(address, 254);
  switch (command.verb) {
    case ReplyVerb::acknowledge:
      a.kind = ActionKind::acknowledge;
      break;
    case ReplyVerb::resolve:
      a.kind = ActionKind::resolve;
      break;
    case ReplyVerb::comment:
      a.kind = ActionKind::comment;
      break;
  }
  a.comment = command.text.empty() ? by : by + ": " + command.text;
  return r;
}

std::pair<Reply, std::string_view> answer_action(const IncidentAction& action, const ActionResult& result) {
  const std::string incident = id_text(action.incident_id);
  if (result.status == 200) {
    switch (action.kind) {
      case ActionKind::acknowledge:
        return {{250, "2.0.0 " + incident + " acknowledged by " + action.actor}, "acknowledged"};
      case ActionKind::resolve:
        return {{250, "2.0.0 " + incident + " resolved by " + action.actor}, "resolved"};
      default:
        return {{250, "2.0.0 Comment recorded on " + incident}, "commented"};
    }
  }
  if (result.status == 409) return {{250, "2.0.0 Nothing to do: " + result.error}, "no_change"};
  if (result.status == 403) return {{550, "5.7.1 " + result.error}, "not_allowed"};
  if (result.status == 404) return {{550, "5.7.1 There is no " + incident}, "unknown_incident"};
  return {{451, "4.3.0 The action could not be stored, try again later"}, "failed"};
}

}  // namespace tocsin::email_in
