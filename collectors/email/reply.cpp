// See reply.hpp. Keywords are case-insensitive: ack, acknowledge, res, resolve.
#include "collectors/email/reply.hpp"

#include <cctype>

#include "correlator/notify/reply_token.hpp"

namespace tocsin::email_in {

namespace {
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
}  // namespace

std::variant<ReplyCommand, NotAReply> parse_reply(std::string_view subject, std::string_view body,
                                                  std::string_view secret) {
  if (subject.find("[TOC-") == std::string_view::npos) return NotAReply::no_token;
  const auto id = notify::verify_reply_token(subject, secret);
  if (!id) return NotAReply::bad_token;
  body = body.substr(0, max_reply_scan_bytes);
  while (!body.empty()) {
    const std::size_t end = body.find('\n');
    const std::string_view line = trim(body.substr(0, end));
    body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
    if (line.empty() || line.front() == '>') continue;
    const std::string w = first_word(line);
    if (w == "ack" || w == "acknowledge") return ReplyCommand{*id, ReplyVerb::acknowledge};
    if (w == "res" || w == "resolve") return ReplyCommand{*id, ReplyVerb::resolve};
    return NotAReply::no_keyword;
  }
  return NotAReply::no_keyword;
}

}  // namespace tocsin::email_in
