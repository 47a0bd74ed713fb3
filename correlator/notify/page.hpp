#pragma once
// The text of a page: one rendering per channel and kind of incident change.
// Pure: the correlator renders at the moment it commits the notification
// intent, so the outbox sends exactly what was decided.

#include <cstdint>
#include <string>
#include <string_view>

#include "correlator/model.hpp"

namespace tocsin::notify {

enum class PageKind : std::uint8_t { opened = 0, escalated, acknowledged, resolved, sla_breach, flapping };

std::string_view to_string(PageKind k);

struct PageContext {
  const Incident* incident = nullptr;
  PageKind kind = PageKind::opened;
  std::string channel;      // "email", "sms", "webhook"
  int step = 0;             // escalation step (0 = first page)
  std::string person;       // recipient's display name, may be empty
  std::string console_url;  // base URL of links, e.g. http://127.0.0.1:8080
  std::string detail;       // free text: what breached, who acknowledged, ...
  const Alert* alert = nullptr;  // the alert that caused the change, when there is one
};

// A header value made safe: CR, LF and other control characters become
// spaces, invalid UTF-8 becomes U+FFFD, and it is cut (on a character
// boundary, with "...") to at most `max_bytes`.
std::string sanitize_header(std::string_view value, std::size_t max_bytes = 200);

// Invalid UTF-8 sequences replaced by U+FFFD; everything else kept.
std::string valid_utf8(std::string_view text);

// E-mail pages: the subject names priority, short code (#id) and what
// happened; the body lists priority, CI, group, assignee, runbook and the
// link. SMS pages fit one 160-character segment when the title allows it.
struct Page {
  std::string subject;  // empty for SMS
  std::string body;
};

Page render(const PageContext& context);

}  // namespace tocsin::notify
