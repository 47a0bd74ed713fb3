// Fuzz target for the e-mail encoder: alert text reaches mail headers, so no
// input may add a header, break a line limit or leave a bare CR or LF. Input:
// subject, recipient and body separated by NUL bytes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "sinks/email/encoder.hpp"

namespace {

using namespace tocsin;

void require(bool ok) {
  if (!ok) std::abort();
}

std::vector<std::string_view> crlf_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find("\r\n", start)) != std::string_view::npos; start = end + 2)
    lines.push_back(text.substr(start, end - start));
  require(start == text.size());  // ends with CRLF
  return lines;
}

void check_line_ends(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') require(i + 1 < text.size() && text[i + 1] == '\n');
    if (text[i] == '\n') require(i > 0 && text[i - 1] == '\r');
  }
}

void check_sanitizer(std::string_view input) {
  const std::string clean = email::sanitize_header_value(input);
  require(clean.size() <= email::max_header_value_bytes);
  for (char c : clean) require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
  require(email::sanitize_header_value(clean) == clean);  // already clean text is kept as is
}

void check_subject_field(std::string_view subject) {
  const std::string field = email::encode_header("Subject", subject);
  check_line_ends(field);
  const auto lines = crlf_lines(field);
  require(lines.front().substr(0, 8) == "Subject:");
  for (std::size_t i = 0; i < lines.size(); ++i) {
    require(lines[i].size() <= 998);
    if (i > 0) require(!lines[i].empty() && lines[i][0] == ' ');  // continuation, never a new header
    for (char c : lines[i]) require(static_cast<unsigned char>(c) < 0x80);
  }
}

void check_message(const Notification& n) {
  email::SmtpConfig config;
  const std::string message = email::encode_message(n, config, 1'700'000'000'000);
  check_line_ends(message);
  const std::size_t header_end = message.find("\r\n\r\n");
  require(header_end != std::string::npos);
  int fields = 0;
  for (std::string_view line : crlf_lines(std::string_view(message).substr(0, header_end + 2)))
    if (!line.empty() && line[0] != ' ') ++fields;
  require(fields == (n.possible_duplicate ? 13 : 12));
  // Alert text cannot end or start a MIME part: the boundary delimits exactly
  // the text part, the HTML part and the end.
  const std::string delimiter = "--" + email::mime_boundary(n);
  int delimiters = 0;
  for (std::string_view line : crlf_lines(message)) {
    require(line.size() <= 998);
    if (line.starts_with(delimiter)) ++delimiters;
  }
  require(delimiters == 3);
  require(std::string_view(message).ends_with(delimiter + "--\r\n"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const std::size_t end = input.find('\0', start);
    parts.push_back(input.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  parts.resize(std::max<std::size_t>(parts.size(), 3));

  check_sanitizer(input);
  check_subject_field(parts[0]);
  Notification n;
  n.id = 1;
  n.incident_id = 2;
  n.subject = std::string(parts[0]);
  n.recipient = std::string(parts[1]);
  n.body = std::string(parts[2]);
  n.possible_duplicate = size % 2 == 1;
  check_message(n);
  return 0;
}
