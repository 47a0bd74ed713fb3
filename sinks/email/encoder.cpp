// Pure encoder of the e-mail sink: builds the RFC 5322 / MIME message of one
// page. Everything that comes from alerts is treated as hostile here, because
// a header value is the one place where a CR LF turns text into a new header.
#include "sinks/email/encoder.hpp"

#include "correlator/notify/reply_token.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

namespace tocsin::email {

namespace {

constexpr char32_t replacement_char = 0xFFFD;

// Decodes the code point at s[i] and advances i; an invalid sequence yields
// U+FFFD and consumes one byte, so decoding always makes progress.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t len = 0;
  char32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  }
  if (len == 0 || i + len > s.size()) {
    ++i;
    return replacement_char;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return replacement_char;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return replacement_char;
  }
  i += len;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// C0 and C1 controls, DEL and the Unicode line separators: some mail clients
// and log viewers break lines on any of them.
bool is_space_or_control(char32_t cp) {
  return cp <= 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) append_utf8(out, next_code_point(s, i));
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t chunk = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) chunk |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) chunk |= static_cast<unsigned char>(in[i + 2]);
    out += alphabet[(chunk >> 18) & 0x3F];
    out += alphabet[(chunk >> 12) & 0x3F];
    out += i + 1 < in.size() ? alphabet[(chunk >> 6) & 0x3F] : '=';
    out += i + 2 < in.size() ? alphabet[chunk & 0x3F] : '=';
  }
  return out;
}

bool needs_encoded_words(std::string_view value) {
  const bool non_ascii = std::any_of(value.begin(), value.end(), [](char c) { return c & 0x80; });
  // A literal "=?" would be taken for the start of an encoded-word by readers.
  return non_ascii || value.find("=?") != std::string_view::npos;
}

// Longest prefix of valid UTF-8 `s` of at most max_bytes that ends on a character boundary.
std::size_t utf8_prefix(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s.size();
  std::size_t n = max_bytes;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

std::string folded_field(std::string_view name, std::string_view value) {
  constexpr std::size_t fold_at = 78;
  std::string out(name);
  out += ':';
  std::size_t column = out.size();
  for (std::size_t pos = 0; pos < value.size();) {
    std::size_t end = std::min(value.find(' ', pos), value.size());
    const std::string_view word = value.substr(pos, end - pos);
    if (column > name.size() + 1 && column + 1 + word.size() > fold_at) {
      out += "\r\n";
      column = 0;
    }
    out += ' ';
    out += word;
    column += 1 + word.size();
    pos = end + 1;
  }
  return out + "\r\n";
}

// RFC 2047: an encoded-word is at most 75 characters and the line holding it
// at most 76; each word holds whole characters only.
std::string encoded_words_field(std::string_view name, std::string_view value) {
  constexpr std::size_t word_overhead = 12;  // "=?UTF-8?B?" + "?="
  std::string out(name);
  out += ':';
  std::size_t room = 76 - std::min<std::size_t>(out.size() + 1, 60);
  for (std::size_t pos = 0; pos < value.size();) {
    const std::size_t max_bytes = std::max<std::size_t>(4, (room - word_overhead) / 4 * 3);
    const std::size_t n = utf8_prefix(value.substr(pos), max_bytes);
    if (pos > 0) out += "\r\n";
    out += " =?UTF-8?B?" + base64(value.substr(pos, n)) + "?=";
    pos += n;
    room = 75;
  }
  return out + "\r\n";
}

void append_qp_line(std::string& out, std::string_view line) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::size_t column = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    // White space at the end of a line would be stripped in transit.
    const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
    const std::size_t width = literal ? 1 : 3;
    if (column + width > 75) {  // keeps one column for the soft break "="
      out += "=\r\n";
      column = 0;
    }
    if (literal) {
      out += static_cast<char>(c);
    } else {
      out += '=';
      out += hex[c >> 4];
      out += hex[c & 0x0F];
    }
    column += width;
  }
}

// Calls on_line for each line of text, whatever its line ends (LF, CRLF, CR);
// a final line end does not start another line.
template <typename OnLine>
void for_each_line(std::string_view text, OnLine on_line) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) {
      on_line(text.substr(start));
      return;
    }
    on_line(text.substr(start, end - start));
    start = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
  }
}

bool fits_7bit(std::string_view text) {
  constexpr std::size_t max_line = 998;
  std::size_t line = 0;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n' || c == '\r') {
      line = 0;
      continue;
    }
    if (c >= 0x80 || (c < 0x20 && c != '\t') || c == 0x7F || ++line > max_line) return false;
  }
  return true;
}

std::string crlf_lines(std::string_view text) {
  std::string out;
  for_each_line(text, [&out](std::string_view line) {
    out += line;
    out += "\r\n";
  });
  return out;
}

std::string id_domain(const SmtpConfig& config) {
  std::string domain;
  const auto at = config.from.rfind('@');
  if (at != std::string::npos) {
    for (char c : std::string_view(config.from).substr(at + 1)) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) break;
      domain += c;
    }
  }
  return domain.empty() ? "localhost" : domain;
}

constexpr std::string_view duplicate_notice = "This page may repeat one sent before Tocsin restarted.";
constexpr std::string_view reply_hint =
    "Reply to this mail with \"ack\" or \"resolve\" on the first line to acknowledge or resolve the incident; "
    "other text is added to its timeline.";

std::string incident_link(const Notification& n, const SmtpConfig& config) {
  return config.console_url + "/api/v1/incidents/" + std::to_string(n.incident_id);
}

// A bundle (several incidents in one message) carries no reply token, so it
// says nothing about replying either.
bool replies_act(const Notification& n, const SmtpConfig& config) {
  return !config.reply_secret.empty() && n.incident_id > 0 && n.kind != "bundle";
}

std::string body_text(const Notification& n, const SmtpConfig& config) {
  std::string text;
  if (n.possible_duplicate) text += std::string(duplicate_notice) + "\n\n";
  text += n.body;
  if (!text.empty() && text.back() != '\n') text += '\n';
  if (replies_act(n, config)) text += "\n" + std::string(reply_hint) + "\n";
  const std::string id = std::to_string(n.incident_id);
  text += "\n-- \nIncident " + id + ": " + incident_link(n, config) + "\n";
  return valid_utf8(text);
}

// A link is written only for a web address: the console URL comes from the
// configuration, but an href is not the place to find out it was "javascript:".
bool is_web_url(std::string_view url) { return url.starts_with("http://") || url.starts_with("https://"); }

std::string body_html(const Notification& n, const SmtpConfig& config, std::string_view subject) {
  std::string h = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(subject) +
                  "</title>\n</head>\n<body>\n";
  if (n.possible_duplicate) h += "<p><strong>" + std::string(duplicate_notice) + "</strong></p>\n";
  h += "<pre style=\"font-family: monospace; white-space: pre-wrap\">" + html_escape(n.body) + "</pre>\n";
  if (replies_act(n, config)) h += "<p>" + html_escape(reply_hint) + "</p>\n";
  const std::string id = std::to_string(n.incident_id);
  const std::string link = incident_link(n, config);
  if (is_web_url(link))
    h += "<p><a href=\"" + html_escape(link) + "\">Incident " + id + "</a></p>\n";
  else
    h += "<p>Incident " + id + ": " + html_escape(link) + "</p>\n";
  return h + "</body>\n</html>\n";
}

// The part's content and its transfer encoding: 7bit when that is safe, which
// also means the boundary (it starts with "=_", which quoted-printable never
// writes) cannot occur in it.
std::pair<std::string, std::string_view> encode_part(std::string_view text, std::string_view boundary, bool prefer_7bit) {
  if (prefer_7bit && fits_7bit(text) && text.find(boundary) == std::string_view::npos)
    return {crlf_lines(text), "7bit"};
  return {quoted_printable(text), "quoted-printable"};
}

void append_part(std::string& m, std::string_view boundary, std::string_view type, std::string_view text,
                 bool prefer_7bit) {
  auto [content, encoding] = encode_part(text, boundary, prefer_7bit);
  m += "--" + std::string(boundary) + "\r\n";
  m += "Content-Type: " + std::string(type) + "; charset=utf-8\r\n";
  m += "Content-Transfer-Encoding: " + std::string(encoding) + "\r\n\r\n";
  m += content;
}

std::string address_field(std::string_view name, std::string_view address) {
  return std::string(name) + ": " + sanitize_header_value(address) + "\r\n";
}

}  // namespace

std::string sanitize_header_value(std::string_view value) {
  std::string out;
  bool space_pending = false;
  for (std::size_t i = 0; i < value.size();) {
    const char32_t cp = next_code_point(value, i);
    if (is_space_or_control(cp)) {
      space_pending = !out.empty();
      continue;
    }
    std::string ch;
    append_utf8(ch, cp);
    if (out.size() + (space_pending ? 1 : 0) + ch.size() > max_header_value_bytes) break;
    if (space_pending) out += ' ';
    space_pending = false;
    out += ch;
  }
  return out;
}

std::string encode_header(std::string_view name, std::string_view value) {
  const std::string clean = sanitize_header_value(value);
  return needs_encoded_words(clean) ? encoded_words_field(name, clean) : folded_field(name, clean);
}

std::string format_date(std::int64_t unix_ms) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000 - (unix_ms % 1000 < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  for_each_line(text, [&out](std::string_view line) {
    append_qp_line(out, line);
    out += "\r\n";
  });
  return out;
}

std::string message_id(const Notification& n, const SmtpConfig& config) {
  return "<tocsin-n" + std::to_string(n.id) + "-i" + std::to_string(n.incident_id) + "@" + id_domain(config) + ">";
}

std::string incident_thread_id(std::int64_t incident_id, const SmtpConfig& config) {
  return "<tocsin-incident-" + std::to_string(incident_id) + "@" + id_domain(config) + ">";
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    const char32_t cp = next_code_point(text, i);
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Controls other than line ends and tabs are not text in HTML.
        if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
          out += ' ';
        else
          append_utf8(out, cp);
    }
  }
  return out;
}

std::string mime_boundary(const Notification& n) { return "=_tocsin-n" + std::to_string(n.id) + "-alternative"; }

std::string encode_message(const Notification& n, const SmtpConfig& config, std::int64_t date_ms) {
  const std::string thread = incident_thread_id(n.incident_id, config);
  std::string m;
  m += address_field("From", config.from);
  m += address_field("To", n.recipient);
  std::string subject = n.subject.empty() ? "(no subject)" : n.subject;
  if (replies_act(n, config))
    subject += " [" + notify::reply_token(n.incident_id, config.reply_secret) + "]";
  m += encode_header("Subject", subject);
  if (!config.reply_to.empty()) m += address_field("Reply-To", config.reply_to);
  m += "Date: " + format_date(date_ms) + "\r\n";
  m += "Message-ID: " + message_id(n, config) + "\r\n";
  m += "In-Reply-To: " + thread + "\r\n";
  m += "References: " + thread + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  const std::string boundary = mime_boundary(n);
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  // Keeps vacation responders quiet; people can still reply to acknowledge.
  m += "Auto-Submitted: auto-generated\r\n";
  m += "X-Tocsin-Incident: " + std::to_string(n.incident_id) + "\r\n";
  m += "X-Tocsin-Notification: " + std::to_string(n.id) + "\r\n";
  if (n.possible_duplicate) m += "X-Tocsin-Possible-Duplicate: yes\r\n";
  m += "\r\n";
  // Mail clients show the last alternative they can render: text first, HTML last.
  append_part(m, boundary, "text/plain", body_text(n, config), true);
  append_part(m, boundary, "text/html", body_html(n, config, sanitize_header_value(subject)), false);
  m += "--" + boundary + "--\r\n";
  return m;
}

}  // namespace tocsin::email
