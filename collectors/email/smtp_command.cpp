// Parsing of SMTP command lines: verbs case-insensitive, paths in angle
// brackets with the common client slips tolerated (a space after the colon),
// ESMTP parameters SIZE and BODY understood, anything else refused with 555.
#include "collectors/email/smtp_command.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace tocsin::email_in {

namespace {

constexpr std::array<std::pair<std::string_view, Verb>, 11> verbs{{{"HELO", Verb::helo},
                                                                   {"EHLO", Verb::ehlo},
                                                                   {"MAIL", Verb::mail},
                                                                   {"RCPT", Verb::rcpt},
                                                                   {"DATA", Verb::data},
                                                                   {"RSET", Verb::rset},
                                                                   {"NOOP", Verb::noop},
                                                                   {"QUIT", Verb::quit},
                                                                   {"STARTTLS", Verb::starttls},
                                                                   {"VRFY", Verb::vrfy},
                                                                   {"HELP", Verb::help}}};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y)); });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

ParsedCommand refuse(int code, std::string text, std::string_view reason) {
  return {std::nullopt, {code, std::move(text)}, reason};
}

bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

// "<@a,@b:user@example.com>" → "user@example.com" (RFC 5321 §4.1.2: source
// routes are accepted and ignored).
std::optional<std::string_view> path_mailbox(std::string_view path) {
  if (path.size() < 2 || path.front() != '<' || path.back() != '>') return std::nullopt;
  path = path.substr(1, path.size() - 2);
  if (path.starts_with('@')) {
    auto colon = path.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    path.remove_prefix(colon + 1);
  }
  if (path.find_first_of("<> ") != std::string_view::npos) return std::nullopt;
  return path;
}

bool valid_mailbox(std::string_view m) {
  auto at = m.rfind('@');
  return at != std::string_view::npos && at > 0 && at + 1 < m.size();
}

// Applies one ESMTP parameter of MAIL; a refusal when it is unknown or bad.
std::optional<ParsedCommand> apply_parameter(std::string_view p, Command& c) {
  auto eq = p.find('=');
  std::string_view key = p.substr(0, eq);
  std::string_view value = eq == std::string_view::npos ? std::string_view{} : p.substr(eq + 1);
  if (iequals(key, "SIZE")) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc{} || end != value.data() + value.size() || value.empty())
      return refuse(501, "5.5.4 SIZE needs a number of bytes", "bad_syntax");
    c.size = n;
    return std::nullopt;
  }
  if (iequals(key, "BODY")) {
    if (iequals(value, "7BIT")) return std::nullopt;
    if (iequals(value, "8BITMIME")) {
      c.body = BodyType::eight_bit_mime;
      return std::nullopt;
    }
    return refuse(501, "5.5.4 BODY must be 7BIT or 8BITMIME", "bad_syntax");
  }
  return refuse(555, "5.5.4 Unsupported parameter " + std::string(key), "bad_parameter");
}

// "FROM:<a@b> SIZE=10" / "TO:<a@b>": `prefix` is "FROM:" or "TO:".
ParsedCommand parse_path_command(Command c, std::string_view rest, std::string_view prefix) {
  if (rest.size() < prefix.size() || !iequals(rest.substr(0, prefix.size()), prefix))
    return refuse(501, "5.5.4 Syntax: " + std::string(c.verb == Verb::mail ? "MAIL FROM:<address>" : "RCPT TO:<address>"),
                  "bad_syntax");
  rest = trim(rest.substr(prefix.size()));
  auto end = rest.find('>');
  if (rest.empty() || rest.front() != '<' || end == std::string_view::npos)
    return refuse(501, "5.1.7 The address must be in angle brackets", "bad_syntax");
  auto mailbox = path_mailbox(rest.substr(0, end + 1));
  bool null_path = c.verb == Verb::mail && mailbox && mailbox->empty();
  bool postmaster = c.verb == Verb::rcpt && mailbox && iequals(*mailbox, "postmaster");
  if (!mailbox || (!null_path && !postmaster && !valid_mailbox(*mailbox)))
    return refuse(501, c.verb == Verb::mail ? "5.1.7 Bad sender address" : "5.1.3 Bad recipient address", "bad_syntax");
  c.address = std::string(*mailbox);
  for (std::string_view params = trim(rest.substr(end + 1)); !params.empty();) {
    auto space = params.find(' ');
    std::string_view p = params.substr(0, space);
    params = space == std::string_view::npos ? std::string_view{} : trim(params.substr(space));
    if (c.verb == Verb::rcpt) return refuse(555, "5.5.4 RCPT parameters are not supported", "bad_parameter");
    if (auto refused = apply_parameter(p, c)) return std::move(*refused);
  }
  return {std::move(c), {}, {}};
}

}  // namespace

std::string render(const Reply& reply) {
  std::string out;
  std::string_view text = reply.text;
  std::string code = std::to_string(reply.code);
  for (;;) {
    auto nl = text.find('\n');
    out += code;
    out += nl == std::string_view::npos ? ' ' : '-';
    out += text.substr(0, nl);
    out += "\r\n";
    if (nl == std::string_view::npos) return out;
    text.remove_prefix(nl + 1);
  }
}

ParsedCommand parse_command(std::string_view line) {
  if (!printable(line)) return refuse(500, "5.5.2 Command contains control characters", "bad_syntax");
  line = trim(line);
  auto space = line.find(' ');
  std::string_view word = line.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? std::string_view{} : trim(line.substr(space + 1));
  auto it = std::find_if(verbs.begin(), verbs.end(), [&](const auto& v) { return iequals(v.first, word); });
  if (it == verbs.end()) return refuse(500, "5.5.2 Command not recognized", "unknown_command");
  Command c;
  c.verb = it->second;
  switch (c.verb) {
    case Verb::helo:
    case Verb::ehlo:
      if (rest.empty() || rest.find(' ') != std::string_view::npos)
        return refuse(501, "5.5.4 Syntax: " + std::string(word) + " hostname", "bad_syntax");
      c.argument = std::string(rest);
      break;
    case Verb::mail:
      return parse_path_command(std::move(c), rest, "FROM:");
    case Verb::rcpt:
      return parse_path_command(std::move(c), rest, "TO:");
    case Verb::data:
    case Verb::rset:
    case Verb::quit:
    case Verb::starttls:
      if (!rest.empty()) return refuse(501, "5.5.4 " + std::string(word) + " takes no argument", "bad_syntax");
      break;
    case Verb::noop:
    case Verb::vrfy:
    case Verb::help:
      c.argument = std::string(rest);
      break;
  }
  return {std::move(c), {}, {}};
}

std::string mailbox_domain(std::string_view address) {
  auto at = address.rfind('@');
  std::string domain(at == std::string_view::npos ? std::string_view{} : address.substr(at + 1));
  std::transform(domain.begin(), domain.end(), domain.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return domain;
}

}  // namespace tocsin::email_in
