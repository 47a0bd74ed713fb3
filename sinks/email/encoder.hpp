#pragma once
// Pure encoder of the e-mail sink: Notification + settings + date → one RFC 5322
// MIME message (CRLF line ends, every line <= 998 octets, headers 7-bit). No clock,
// no I/O, so every byte of a page can be asserted in unit tests and fuzzed.

#include <cstdint>
#include <string>
#include <string_view>

#include "correlator/model.hpp"
#include "sinks/email/config.hpp"

namespace tocsin::email {

// Header values come from alerts, i.e. from the network. Control characters
// (CR and LF above all: header injection) become spaces, runs of white space
// collapse to one, invalid UTF-8 becomes U+FFFD, the ends are trimmed and the
// result is cut to at most max_header_value_bytes on a character boundary.
inline constexpr std::size_t max_header_value_bytes = 900;
std::string sanitize_header_value(std::string_view value);

// One unstructured header field, "Name: value" + CRLF, value sanitized. Plain
// ASCII is folded at spaces near 78 columns; anything else (non-ASCII, "=?",
// words too long to fold) becomes RFC 2047 encoded-words (UTF-8, B encoding,
// each <= 75 characters, one per folded line).
std::string encode_header(std::string_view name, std::string_view value);

// RFC 5322 date-time in UTC, e.g. "Tue, 14 Nov 2023 22:13:20 +0000".
std::string format_date(std::int64_t unix_ms);

// Quoted-printable (RFC 2045) of text with LF, CRLF or CR line ends; output has
// CRLF line ends and lines of at most 76 characters.
std::string quoted_printable(std::string_view text);

// "<tocsin-n{notification}-i{incident}@domain>": one per notification, so a
// resent page (possible duplicate) keeps the id of the first send.
std::string message_id(const Notification& n, const SmtpConfig& config);
// "<tocsin-incident-{id}@domain>": referenced by every page of one incident so
// that mail clients show them as one thread.
std::string incident_thread_id(std::int64_t incident_id, const SmtpConfig& config);

// Text made safe inside HTML elements and attribute values: & < > " ' become
// entities, invalid UTF-8 becomes U+FFFD, control characters other than LF
// and tab become spaces.
std::string html_escape(std::string_view text);

// Boundary of the multipart/alternative body of notification `n`. It starts
// with "=_", which quoted-printable never writes; a 7bit part is checked not
// to contain it.
std::string mime_boundary(const Notification& n);

// The complete message handed to SMTP DATA (before dot-stuffing):
// multipart/alternative with a text/plain part (7bit when it can be,
// quoted-printable otherwise) and a text/html part (quoted-printable) holding
// the same text escaped, the link and, with a reply secret, how to reply.
std::string encode_message(const Notification& n, const SmtpConfig& config, std::int64_t date_ms);

}  // namespace tocsin::email
