#pragma once
// MIME-to-mail: the bytes of one message (as received after DATA) in, the
// fields mapping rules read out, all decoded to UTF-8 by GMime: RFC 2047
// encoded words, base64 and quoted-printable, multipart/alternative and
// mixed, and the charsets of Chinese-language monitoring systems (GB2312, GBK,
// GB18030, Big5, also unlabelled). MIME bombs (deep nesting, thousands of
// parts) are refused before and after GMime builds the tree. No I/O.

#include <string>
#include <string_view>

#include "collectors/email/config.hpp"

namespace tocsin::email_in {

struct Mail {
  std::string from;       // address of the first From mailbox
  std::string from_name;  // its display name, decoded
  std::string to;         // addresses of To, ", "-separated
  std::string subject;    // decoded, single line
  std::string body;       // the text/plain part, or the HTML part without tags
  std::string message_id;  // without angle brackets
  std::string auto_submitted;  // Auto-Submitted (RFC 3834), e.g. "auto-replied"; empty when absent
  std::string precedence;      // Precedence, e.g. "bulk" (vacation responders set it)
};

enum class MimeProblem { none, malformed, too_deep, too_many_parts };
std::string_view to_string(MimeProblem p);

struct MailParse {
  Mail mail;
  MimeProblem problem = MimeProblem::none;
};

MailParse parse_mail(std::string_view message, const MimeLimits& limits);

// Text of an HTML document as a person reads it: tags, scripts and styles
// removed, common entities decoded, whitespace collapsed.
std::string html_to_text(std::string_view html);

}  // namespace tocsin::email_in
