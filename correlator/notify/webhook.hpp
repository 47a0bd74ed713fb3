#pragma once
// The webhook rendering of an incident change: the JSON document the webhook
// sink (sinks/webhook/) POSTs to each configured URL. Rendered when the change
// is committed, like every page, so the outbox sends what was decided, and a
// retry sends the same bytes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "correlator/model.hpp"
#include "correlator/notify/page.hpp"

namespace tocsin::notify {

// One configured destination (notifications.webhook.targets[]).
struct WebhookTarget {
  std::string url;
  // Changes posted: opened, acknowledged, resolved, escalated by default.
  std::vector<PageKind> kinds{PageKind::opened, PageKind::acknowledged, PageKind::resolved, PageKind::escalated};
};

// {"kind": "acknowledged", "at": RFC 3339, "actor": "alice", "text": "...",
//  "incident_id": 12, "state", "priority", "severity", "title" and "summary"
//  (the title), "ci", "ci_name", "service", "group", "assignee",
//  "escalation_level", "opened_at", "acknowledged_at", "resolved_at" (null
//  when not yet), "link"}. Strings are made valid UTF-8.
std::string webhook_payload(const Incident& incident, PageKind kind, std::string_view actor, std::string_view text,
                            std::string_view console_url, std::int64_t at_ms);

}  // namespace tocsin::notify
