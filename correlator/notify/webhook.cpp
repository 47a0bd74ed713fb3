// See webhook.hpp.
#include "correlator/notify/webhook.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "correlator/clock.hpp"

namespace tocsin::notify {

namespace {
boost::json::value time_or_null(std::int64_t ms) {
  if (ms <= 0) return nullptr;
  return boost::json::string(format_rfc3339(ms));
}
}  // namespace

std::string webhook_payload(const Incident& i, PageKind kind, std::string_view actor, std::string_view text,
                            std::string_view console_url, std::int64_t at_ms) {
  auto str = [](std::string_view s) { return boost::json::string(valid_utf8(s)); };
  boost::json::object o;
  o["kind"] = std::string(to_string(kind));
  o["at"] = format_rfc3339(at_ms);
  o["actor"] = str(actor);
  o["text"] = str(text);
  o["incident_id"] = i.id;
  o["state"] = std::string(to_string(i.state));
  o["priority"] = str(i.priority);
  o["severity"] = std::string(to_string(i.severity));
  o["title"] = str(i.title);
  o["summary"] = str(i.title);
  o["ci"] = str(i.ci);
  o["ci_name"] = str(i.cmdb.name());
  o["service"] = str(i.service);
  o["group"] = str(i.group);
  o["assignee"] = str(i.assignee);
  o["escalation_level"] = i.escalation_level;
  o["opened_at"] = time_or_null(i.opened_at_ms);
  o["acknowledged_at"] = time_or_null(i.acknowledged_at_ms);
  o["resolved_at"] = time_or_null(i.resolved_at_ms);
  o["link"] = str(std::string(console_url) + "/api/v1/incidents/" + std::to_string(i.id));
  return boost::json::serialize(o);
}

}  // namespace tocsin::notify
