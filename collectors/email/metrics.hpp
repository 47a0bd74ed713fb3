#pragma once
// The e-mail collector's counters, declared in one place: the transport and
// the decoder both count into them, and every rejection reason is registered
// at start so that /metrics shows it at 0 before it first happens.

#include <array>
#include <string>
#include <string_view>

#include "correlator/stats.hpp"

namespace tocsin::email_in {

// Why a command, a message or a connection was refused.
inline constexpr std::array<std::string_view, 17> rejection_reasons{
    "unknown_command", "bad_syntax",   "bad_parameter",  "bad_sequence",       "line_too_long",
    "too_large",       "data_line_too_long", "bare_lf",  "bare_cr",            "unknown_domain",
    "too_many_recipients", "mime_malformed", "mime_too_deep", "mime_too_many_parts", "timeout",
    "max_connections", "tls_handshake"};

inline Counter& rejected_total(StatsRegistry& s, std::string_view reason) {
  return s.counter("tocsin_email_rejected_total", "SMTP commands, messages and connections refused, by reason",
                   {{"reason", std::string(reason)}});
}

inline Counter& messages_total(StatsRegistry& s, std::string_view outcome) {
  return s.counter("tocsin_email_messages_total", "Mails by outcome: received after DATA, accepted as an event",
                   {{"outcome", std::string(outcome)}});
}

inline Counter& unmatched_total(StatsRegistry& s) {
  return s.counter("tocsin_email_unmatched_total", "Accepted mails that no mapping rule matched (service desk)");
}

inline Counter& connections_total(StatsRegistry& s) {
  return s.counter("tocsin_email_connections_total", "SMTP connections accepted");
}

// What became of replies to pages (reply.hpp): acted on, nothing left to do,
// ignored (automatic replies) or refused and why.
inline constexpr std::array<std::string_view, 11> reply_results{
    "acknowledged", "resolved",         "commented", "no_change",  "bad_token", "unknown_sender",
    "not_allowed",  "unknown_incident", "empty",     "auto_reply", "failed"};

inline Counter& replies_total(StatsRegistry& s, std::string_view result) {
  return s.counter("tocsin_email_replies_total",
                   "Replies to pages by result: acted on, nothing to do, or refused and why",
                   {{"result", std::string(result)}});
}

inline void register_email_metrics(StatsRegistry& s) {
  for (auto reason : rejection_reasons) rejected_total(s, reason);
  messages_total(s, "received");
  messages_total(s, "accepted");
  unmatched_total(s);
  connections_total(s);
  for (auto result : reply_results) replies_total(s, result);
}

}  // namespace tocsin::email_in
